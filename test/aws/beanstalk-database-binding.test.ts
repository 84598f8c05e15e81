import { App, CfnParameter, Stack, aws_ec2 as ec2, aws_elasticbeanstalk as elasticbeanstalk, aws_iam as iam, aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { BeanstalkDatabaseBinding, BeanstalkDatabaseBindingProps } from '../../src/aws/beanstalk-database-binding';
import { IBindableDatabase } from '../../src/aws/bindable-database';
import { grantSecretRead } from '../../src/aws/private/secret-grant';
import { SecretDelivery } from '../../src/aws/secret-delivery';
import { DatabaseConnectionDetails } from '../../src/core/connection-details';
import { SslMode } from '../../src/core/ssl-mode';

interface FakeOptions {
  readonly vpc: ec2.IVpc;
  readonly readerHost?: string;
  readonly port?: number;
  readonly databaseName?: string;
  readonly sslMode?: SslMode;
  readonly noDefaultPort?: boolean;
  readonly withKey?: boolean;
}

/** A minimal IBindableDatabase: a security group with a default port and a KMS-encrypted secret. */
class FakeDatabase extends Construct implements IBindableDatabase {
  public readonly connections: ec2.Connections;
  public readonly connectionDetails: DatabaseConnectionDetails;
  public readonly secret: secretsmanager.ISecret;
  public readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, opts: FakeOptions) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'Sg', { vpc: opts.vpc, allowAllOutbound: false });
    const defaultPort = opts.noDefaultPort ? undefined : ec2.Port.tcp(5432);
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort });
    this.connectionDetails = {
      host: 'db.example.internal',
      port: opts.port ?? 5432,
      databaseName: opts.databaseName ?? 'shop',
      username: 'app',
      sslMode: opts.sslMode,
      readerHost: opts.readerHost,
    };
    const key = opts.withKey === false ? undefined : new kms.Key(this, 'Key', { enableKeyRotation: true });
    this.secret = new secretsmanager.Secret(this, 'Secret', { encryptionKey: key, generateSecretString: { secretStringTemplate: '{"username":"app"}', generateStringKey: 'password' } });
  }

  public grantSecretRead(grantee: iam.IGrantable): iam.Grant {
    return grantSecretRead(this.secret, grantee);
  }
}

/** A plain-object IBindableDatabase (no construct of its own). */
function plainDatabase(
  connections: ec2.Connections, secret: secretsmanager.ISecret, details: Partial<DatabaseConnectionDetails> = {},
): IBindableDatabase {
  return {
    connections,
    connectionDetails: { host: 'db.example.internal', port: 5432, databaseName: 'shop', username: 'app', ...details },
    secret,
    grantSecretRead: (grantee) => grantSecretRead(secret, grantee),
  };
}

let app: App;
let stack: Stack;
let vpc: ec2.Vpc;
let db: FakeDatabase;
let role: iam.Role;
let environment: elasticbeanstalk.CfnEnvironment;

function envWith(settings?: elasticbeanstalk.CfnEnvironment.OptionSettingProperty[]) {
  stack.node.tryRemoveChild('Env');
  return new elasticbeanstalk.CfnEnvironment(stack, 'Env', {
    applicationName: 'shop',
    solutionStackName: '64bit Amazon Linux 2023 v6.6.0 running Node.js 22',
    optionSettings: settings,
  });
}

function bind(overrides: Partial<BeanstalkDatabaseBindingProps> = {}) {
  return new BeanstalkDatabaseBinding(stack, 'Binding', { database: db, environment, instanceRole: role, vpc, ...overrides });
}

function settingsOf(template: Template): Array<{ Namespace: string; OptionName: string; Value: unknown }> {
  const envs = template.findResources('AWS::ElasticBeanstalk::Environment');
  return Object.values(envs)[0].Properties.OptionSettings;
}

function setting(template: Template, namespace: string, optionName: string) {
  return settingsOf(template).find((s) => s.Namespace === namespace && s.OptionName === optionName)?.Value;
}

const NS_ENV = 'aws:elasticbeanstalk:application:environment';
const like = (pattern: string) => expect.stringMatching(new RegExp(pattern));
const NS_SECRETS = 'aws:elasticbeanstalk:application:environmentsecrets';

describe('BeanstalkDatabaseBinding', () => {
  beforeEach(() => {
    app = new App();
    stack = new Stack(app, 'App', { env: { account: '111111111111', region: 'us-east-1' } });
    vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    db = new FakeDatabase(stack, 'Db', { vpc });
    role = new iam.Role(stack, 'InstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    environment = envWith([{ namespace: 'aws:elasticbeanstalk:environment', optionName: 'EnvironmentType', value: 'LoadBalanced' }]);
  });

  describe('defaults', () => {
    test('sets DB_HOST, DB_PORT and DB_NAME as variables, and DB_USER from the secret (multi-user rotation alternates it)', () => {
      // WHEN
      bind();
      // THEN
      const t = Template.fromStack(stack);
      expect(setting(t, NS_ENV, 'DB_HOST')).toBe('db.example.internal');
      expect(setting(t, NS_ENV, 'DB_PORT')).toBe('5432');
      expect(setting(t, NS_ENV, 'DB_NAME')).toBe('shop');
      expect(setting(t, NS_ENV, 'DB_USER')).toBeUndefined();
      expect(setting(t, NS_SECRETS, 'DB_USER')).toEqual({ 'Fn::Join': ['', [{ Ref: like('^DbSecret') }, ':username']] });
    });

    test('keeps the settings the environment already had', () => {
      bind();
      expect(setting(Template.fromStack(stack), 'aws:elasticbeanstalk:environment', 'EnvironmentType')).toBe('LoadBalanced');
    });

    test('delivers the password as the environment secret DB_PASSWORD = <secret ARN>:password', () => {
      bind();
      const value = setting(Template.fromStack(stack), NS_SECRETS, 'DB_PASSWORD');
      expect(value).toEqual({ 'Fn::Join': ['', [{ Ref: like('^DbSecret') }, ':password']] });
    });

    test('does not set DB_SECRET_ARN by default', () => {
      bind();
      expect(setting(Template.fromStack(stack), NS_ENV, 'DB_SECRET_ARN')).toBeUndefined();
    });

    test('does not set DB_READ_HOST when the database has no read endpoint', () => {
      bind();
      expect(setting(Template.fromStack(stack), NS_ENV, 'DB_READ_HOST')).toBeUndefined();
    });

    test('does not set DB_SSL_MODE when the database records no sslmode', () => {
      bind();
      expect(setting(Template.fromStack(stack), NS_ENV, 'DB_SSL_MODE')).toBeUndefined();
    });

    test('sets exactly the contract values of the connection details, in the contract order', () => {
      db = new FakeDatabase(stack, 'Db2', { vpc, sslMode: SslMode.REQUIRE, readerHost: 'reader.example.internal' });
      const binding = bind();
      expect(binding.environmentVariables).toEqual({
        DB_HOST: 'db.example.internal', DB_PORT: '5432', DB_NAME: 'shop', DB_SSL_MODE: 'require', DB_READ_HOST: 'reader.example.internal',
      });
      expect(settingsOf(Template.fromStack(stack)).filter((s) => s.Namespace === NS_ENV).map((s) => s.OptionName))
        .toEqual(['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_SSL_MODE', 'DB_READ_HOST']);
      expect(Object.keys(binding.environmentSecrets)).toEqual(['DB_USER', 'DB_PASSWORD']);
    });

    test('creates a security group in the vpc and puts it in launchconfiguration SecurityGroups', () => {
      const binding = bind();
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::EC2::SecurityGroup', 2);
      expect(setting(t, 'aws:autoscaling:launchconfiguration', 'SecurityGroups')).toEqual({
        'Fn::GetAtt': [stack.getLogicalId(binding.securityGroup.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'],
      });
    });

    test('opens the database port from the environment security group only, never from a CIDR', () => {
      const binding = bind();
      const t = Template.fromStack(stack);
      const ingress = t.findResources('AWS::EC2::SecurityGroupIngress');
      expect(Object.keys(ingress)).toHaveLength(1);
      const rule = Object.values(ingress)[0].Properties;
      expect(rule).toMatchObject({
        IpProtocol: 'tcp',
        FromPort: 5432,
        ToPort: 5432,
        SourceSecurityGroupId: { 'Fn::GetAtt': [stack.getLogicalId(binding.securityGroup.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] },
      });
      expect(rule.CidrIp).toBeUndefined();
      expect(rule.CidrIpv6).toBeUndefined();
      // The database security group itself has no inline CIDR ingress either.
      t.hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: 'App/Db/Sg', SecurityGroupIngress: Match.absent() });
    });

    test('grants the instance role exactly GetSecretValue on the secret and kms:Decrypt on its key', () => {
      bind();
      const t = Template.fromStack(stack);
      const policies = t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }] } });
      expect(Object.keys(policies)).toHaveLength(1);
      const statements = Object.values(policies)[0].Properties.PolicyDocument.Statement;
      expect(statements).toEqual([
        { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: like('^DbSecret') } },
        {
          Action: 'kms:Decrypt',
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [like('^DbKey'), 'Arn'] },
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
        },
      ]);
    });

    test('restartOnSecretRotation defaults to true: a rule on RotationSucceeded for this secret targets the restart function', () => {
      bind();
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          'source': ['aws.secretsmanager'],
          'detail-type': ['AWS Service Event via CloudTrail'],
          'detail': {
            eventSource: ['secretsmanager.amazonaws.com'],
            eventName: ['RotationSucceeded'],
            additionalEventData: { SecretId: [{ Ref: Match.stringLikeRegexp('^DbSecret') }] },
          },
        },
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BindingRestartFunction'), 'Arn'] } })],
      });
      t.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ ENVIRONMENT_NAME: { Ref: 'Env' } }) },
      });
    });

    test('the restart function may only write its logs and restart this one environment', () => {
      bind();
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] },
        ManagedPolicyArns: Match.absent(),
        Policies: [
          {
            PolicyName: 'RestartAppServer',
            PolicyDocument: {
              Statement: [
                { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BindingRestartFunctionLogs'), 'Arn'] } },
                {
                  Action: 'elasticbeanstalk:RestartAppServer',
                  Effect: 'Allow',
                  Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':elasticbeanstalk:us-east-1:111111111111:environment/shop/', { Ref: 'Env' }]] },
                },
              ],
            },
          },
        ],
      });
    });

    test('emits no warning with the defaults', () => {
      bind();
      Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    });
  });

  describe('options', () => {
    test('sets DB_READ_HOST when the database has a reader host', () => {
      db = new FakeDatabase(stack, 'Db2', { vpc, readerHost: 'reader.example.internal' });
      bind();
      expect(setting(Template.fromStack(stack), NS_ENV, 'DB_READ_HOST')).toBe('reader.example.internal');
    });

    test('readerHost sets DB_READ_HOST, overriding the database reader host', () => {
      db = new FakeDatabase(stack, 'Db2', { vpc, readerHost: 'reader.example.internal' });
      bind({ readerHost: 'reader.shop.db.internal' });
      expect(setting(Template.fromStack(stack), NS_ENV, 'DB_READ_HOST')).toBe('reader.shop.db.internal');
    });

    test('secretArnOnly passes DB_SECRET_ARN, no environment secret and no DB_USER (the app reads both from the secret)', () => {
      bind({ secretDelivery: SecretDelivery.secretArnOnly() });
      const t = Template.fromStack(stack);
      expect(setting(t, NS_ENV, 'DB_SECRET_ARN')).toEqual({ Ref: like('^DbSecret') });
      expect(setting(t, NS_ENV, 'DB_USER')).toBeUndefined();
      expect(settingsOf(t).filter((s) => s.Namespace === NS_SECRETS)).toEqual([]);
    });

    test('environmentSecret takes another JSON key', () => {
      bind({ secretDelivery: SecretDelivery.environmentSecret('pass') });
      expect(setting(Template.fromStack(stack), NS_SECRETS, 'DB_PASSWORD')).toEqual({ 'Fn::Join': ['', [{ Ref: like('^DbSecret') }, ':pass']] });
    });

    test('envNames renames the variables by contract key', () => {
      db = new FakeDatabase(stack, 'Db2', { vpc, sslMode: SslMode.REQUIRE });
      bind({ envNames: { DB_HOST: 'PGHOST', DB_PORT: 'PGPORT', DB_NAME: 'PGDATABASE', DB_USER: 'PGUSER', DB_PASSWORD: 'PGPASSWORD', DB_SSL_MODE: 'PGSSLMODE' } });
      const t = Template.fromStack(stack);
      expect(settingsOf(t).filter((s) => s.Namespace === NS_ENV || s.Namespace === NS_SECRETS).map((s) => s.OptionName).sort()).toEqual(
        ['PGDATABASE', 'PGHOST', 'PGPASSWORD', 'PGPORT', 'PGSSLMODE', 'PGUSER'],
      );
      expect(setting(t, NS_ENV, 'PGSSLMODE')).toBe('require');
    });

    test('envNames renames DB_SECRET_ARN and DB_READ_HOST', () => {
      bind({ secretDelivery: SecretDelivery.secretArnOnly(), readerHost: 'reader.example.internal', envNames: { DB_SECRET_ARN: 'SECRET', DB_READ_HOST: 'READER' } });
      const t = Template.fromStack(stack);
      expect(setting(t, NS_ENV, 'SECRET')).toEqual({ Ref: like('^DbSecret') });
      expect(setting(t, NS_ENV, 'READER')).toBe('reader.example.internal');
    });

    test('uses a given security group instead of creating one', () => {
      const sg = new ec2.SecurityGroup(stack, 'Given', { vpc });
      bind({ vpc: undefined, securityGroup: sg });
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::EC2::SecurityGroup', 2);
      expect(setting(t, 'aws:autoscaling:launchconfiguration', 'SecurityGroups')).toEqual({ 'Fn::GetAtt': [like('^Given'), 'GroupId'] });
    });

    test('appends its security group to SecurityGroups the environment already lists', () => {
      environment = envWith([{ namespace: 'aws:autoscaling:launchconfiguration', optionName: 'SecurityGroups', value: 'sg-0123456789abcdef0' }]);
      bind();
      const value = setting(Template.fromStack(stack), 'aws:autoscaling:launchconfiguration', 'SecurityGroups') as any;
      expect(value['Fn::Join'][1][0]).toBe('sg-0123456789abcdef0,');
      expect(settingsOf(Template.fromStack(stack)).filter((s) => s.OptionName === 'SecurityGroups')).toHaveLength(1);
    });

    test('grants only GetSecretValue when the secret has no customer key', () => {
      db = new FakeDatabase(stack, 'Db2', { vpc, withKey: false });
      bind();
      const t = Template.fromStack(stack);
      const policies = t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }] } });
      expect(Object.values(policies)[0].Properties.PolicyDocument.Statement).toEqual([
        { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: like('^Db2Secret') } },
      ]);
    });

    test('restartOnSecretRotation: false creates no rule or function and warns', () => {
      bind({ restartOnSecretRotation: false });
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::Events::Rule', 0);
      t.resourceCountIs('AWS::Lambda::Function', 0);
      Annotations.fromStack(stack).hasWarning('/App/Binding', Match.stringLikeRegexp('restartOnSecretRotation is false'));
    });

    test('development: true accepts a coupled database with a loud warning', () => {
      environment = envWith([{ namespace: 'aws:rds:dbinstance', optionName: 'DBEngine', value: 'postgres' }]);
      bind({ development: true });
      Annotations.fromStack(stack).hasWarning('/App/Binding', Match.stringLikeRegexp('DEVELOPMENT ONLY.*DELETES THAT DATABASE'));
    });

    test('puts the ingress rule in the app stack when the database lives in another stack', () => {
      // GIVEN
      const dataStack = new Stack(app, 'Data', { env: { account: '111111111111', region: 'us-east-1' } });
      const netStack = new Stack(app, 'Net', { env: { account: '111111111111', region: 'us-east-1' } });
      const sharedVpc = new ec2.Vpc(netStack, 'Vpc', { maxAzs: 2, natGateways: 0 });
      db = new FakeDatabase(dataStack, 'Db', { vpc: sharedVpc });
      const appStack = new Stack(app, 'Web', { env: { account: '111111111111', region: 'us-east-1' } });
      const appRole = new iam.Role(appStack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      const env = new elasticbeanstalk.CfnEnvironment(appStack, 'Env', { applicationName: 'shop' });

      // WHEN
      new BeanstalkDatabaseBinding(appStack, 'Binding', { database: db, environment: env, instanceRole: appRole, vpc: sharedVpc });

      // THEN
      Template.fromStack(appStack).resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
      Template.fromStack(dataStack).resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
      expect(dataStack.dependencies).not.toContain(appStack);
      expect(appStack.dependencies).toContain(dataStack);
    });

    test('warns when the secret is known only by a partial ARN', () => {
      const imported = secretsmanager.Secret.fromSecretNameV2(stack, 'Imported', 'shop/db');
      bind({ database: plainDatabase(db.connections, imported) });
      Annotations.fromStack(stack).hasWarning('/App/Binding', Match.stringLikeRegexp('known only by a partial ARN'));
      const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }] } });
      expect(JSON.stringify(Object.values(policies)[0].Properties.PolicyDocument.Statement)).toContain('secret:shop/db-??????');
    });

    test('exposes the environment as the L1 escape hatch', () => {
      expect(bind().environment).toBe(environment);
    });
  });

  describe('validation', () => {
    test('throws on a coupled database (aws:rds:dbinstance) without development: true', () => {
      environment = envWith([{ namespace: 'aws:rds:dbinstance', optionName: 'DBEngine', value: 'postgres' }]);
      expect(() => bind()).toThrow(/BeanstalkDatabaseBinding: environment has option settings in namespace 'aws:rds:dbinstance'.*deletes that database/);
    });

    test('throws at synthesis when a coupled database is added to the environment after the binding', () => {
      bind();
      environment.optionSettings = [
        ...(environment.optionSettings as elasticbeanstalk.CfnEnvironment.OptionSettingProperty[]),
        { namespace: 'aws:rds:dbinstance', optionName: 'DBEngine', value: 'postgres' },
      ];
      expect(() => app.synth()).toThrow(/an option setting in namespace 'aws:rds:dbinstance' was added to the environment after the binding/);
    });

    test('throws when optionSettings is an unresolved token', () => {
      environment = new elasticbeanstalk.CfnEnvironment(stack, 'TokEnv', { applicationName: 'shop', optionSettings: { resolve: () => [] } as any });
      expect(() => bind()).toThrow(/BeanstalkDatabaseBinding: environment.optionSettings is an unresolved token/);
    });

    test('throws when neither securityGroup nor vpc is set', () => {
      expect(() => bind({ vpc: undefined })).toThrow(/BeanstalkDatabaseBinding: neither securityGroup nor vpc is set/);
    });

    test('throws when both securityGroup and vpc are set', () => {
      const sg = new ec2.SecurityGroup(stack, 'Given', { vpc });
      expect(() => bind({ securityGroup: sg })).toThrow(/BeanstalkDatabaseBinding: securityGroup and vpc are both set/);
    });

    test('throws when the database connections have no default port', () => {
      db = new FakeDatabase(stack, 'Db2', { vpc, noDefaultPort: true });
      expect(() => bind()).toThrow(/BeanstalkDatabaseBinding: database.connections has no defaultPort/);
    });

    test('throws when the database has no security group', () => {
      const sgLess = plainDatabase(new ec2.Connections({ defaultPort: ec2.Port.tcp(5432) }), db.secret);
      expect(() => bind({ database: sgLess })).toThrow(/BeanstalkDatabaseBinding: database.connections has no security group \(got 0\)/);
    });

    test('throws when the database port is out of range', () => {
      db = new FakeDatabase(stack, 'Db2', { vpc, port: 70000 });
      expect(() => bind()).toThrow(/BeanstalkDatabaseBinding: database.connectionDetails.port must be a whole number from 1 to 65535 \(got 70000\)/);
    });

    test('throws when the database port is an unresolved token', () => {
      const port = new CfnParameter(stack, 'Port', { type: 'Number' }).valueAsNumber;
      db = new FakeDatabase(stack, 'Db2', { vpc, port });
      expect(() => bind()).toThrow(/BeanstalkDatabaseBinding: database.connectionDetails.port must be a number known at synth time \(got an unresolved token\)/);
    });

    test('throws when the database name is empty', () => {
      db = new FakeDatabase(stack, 'Db2', { vpc, databaseName: '' });
      expect(() => bind()).toThrow(/BeanstalkDatabaseBinding: database.connectionDetails.databaseName must not be empty/);
    });

    test('throws when readerHost is not a host name', () => {
      expect(() => bind({ readerHost: 'postgres://reader:5432' })).toThrow(/BeanstalkDatabaseBinding: readerHost must be a bare host name without a scheme/);
    });

    test('throws on an environment variable name starting with a digit', () => {
      expect(() => bind({ envNames: { DB_HOST: '1HOST' } })).toThrow(
        /BeanstalkDatabaseBinding: envNames.DB_HOST must be an environment variable name of letters, digits and '_', not starting with a digit \(got "1HOST"\)/,
      );
    });

    test('throws on an environment variable name with a dash', () => {
      expect(() => bind({ envNames: { DB_PASSWORD: 'DB-PASSWORD' } })).toThrow(/envNames.DB_PASSWORD must be an environment variable name .*got "DB-PASSWORD"/);
    });

    test('throws on an empty environment variable name', () => {
      expect(() => bind({ envNames: { DB_USER: '' } })).toThrow(/envNames.DB_USER must be an environment variable name .*got ""/);
    });

    test('throws on a key that is not a contract key', () => {
      expect(() => bind({ envNames: { host: 'PGHOST' } })).toThrow(/BeanstalkDatabaseBinding: envNames renames "host", which is not a variable here\. Rename only DB_HOST, DB_PORT/);
    });

    test('throws on two variables with the same name', () => {
      expect(() => bind({ envNames: { DB_HOST: 'DB', DB_PORT: 'DB' } })).toThrow(
        /BeanstalkDatabaseBinding: envNames gives DB_HOST and DB_PORT the same name "DB"/,
      );
    });

    test('throws when a name clashes with the contract name of another variable', () => {
      expect(() => bind({ envNames: { DB_READ_HOST: 'DB_HOST' } })).toThrow(/envNames gives DB_HOST and DB_READ_HOST the same name "DB_HOST"/);
    });

    test('throws when the environment already sets one of the variables', () => {
      environment = envWith([{ namespace: NS_ENV, optionName: 'DB_HOST', value: 'old-host' }]);
      expect(() => bind()).toThrow(/BeanstalkDatabaseBinding: environment already sets 'DB_HOST' in aws:elasticbeanstalk:application:environment.*rename the binding's variable with envNames/);
    });

    test('throws when the environment already sets the password secret', () => {
      environment = envWith([{ namespace: NS_SECRETS, optionName: 'DB_PASSWORD', value: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:x' }]);
      expect(() => bind()).toThrow(/environment already sets 'DB_PASSWORD' in aws:elasticbeanstalk:application:environmentsecrets/);
    });

    test('throws on an empty secret JSON key', () => {
      expect(() => bind({ secretDelivery: SecretDelivery.environmentSecret('') })).toThrow(
        /BeanstalkDatabaseBinding: secretDelivery jsonKey must be a non-empty JSON key without ':' \(got ''\)/,
      );
    });

    test('throws on a secret JSON key containing a colon', () => {
      expect(() => bind({ secretDelivery: SecretDelivery.environmentSecret('a:b') })).toThrow(/secretDelivery jsonKey must be .*got 'a:b'/);
    });
  });
});
