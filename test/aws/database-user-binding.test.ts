import { App, Stack, aws_ec2 as ec2, aws_elasticbeanstalk as elasticbeanstalk, aws_iam as iam } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { databaseStack, networkStack, plainStack } from './fixtures';
import {
  BeanstalkDatabaseBinding, DatabaseEngine, DatabasePreset, IBindableDatabase, IndependentRds, IndependentRdsProps, RdsProxy, SecretReferenceFor,
} from '../../src/aws';
import { expectCfnLintClean, synthTemplate, toolOrSkip } from '../harness';

const NS_ENV = 'aws:elasticbeanstalk:application:environment';
const NS_SECRETS = 'aws:elasticbeanstalk:application:environmentsecrets';
const MASTER_WARNING = Match.stringLikeRegexp("gets the database's master user");

function setup(dbProps: Partial<IndependentRdsProps> = {}) {
  const app = new App();
  const { vpc } = networkStack(app);
  const { stack, db } = databaseStack(app, vpc, { databaseName: 'shop', username: 'shop', ...dbProps });
  return { app, vpc, stack, db };
}

function bind(app: App, vpc: ec2.IVpc, database: IBindableDatabase, development?: boolean) {
  const stack = plainStack(app, 'App');
  const instanceRole = new iam.Role(stack, 'InstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const environment = new elasticbeanstalk.CfnEnvironment(stack, 'Environment', {
    applicationName: 'shop',
    solutionStackName: '64bit Amazon Linux 2023 v6.6.0 running Node.js 22',
    optionSettings: [{ namespace: 'aws:ec2:vpc', optionName: 'VPCId', value: vpc.vpcId }],
  });
  const binding = new BeanstalkDatabaseBinding(stack, 'Binding', { database, environment, instanceRole, vpc, development });
  return { stack, binding };
}

/** The option settings of one namespace, by name. */
function options(stack: Stack, namespace: string): { [name: string]: any } {
  const env = Object.values<any>(Template.fromStack(stack).findResources('AWS::ElasticBeanstalk::Environment'))[0];
  return Object.fromEntries((env.Properties.OptionSettings as any[]).filter((s) => s.Namespace === namespace).map((s) => [s.OptionName, s.Value]));
}

/** `<secret ARN>:<key>` as the cross-stack import of the user's secret attachment. */
const fromUserSecret = (key: string) => ({
  'Fn::Join': ['', [{ 'Fn::ImportValue': Match.stringLikeRegexp('DatabaseshopSecretAttachment') }, `:${key}`]],
});

describe('binding an app user (DatabaseUser)', () => {
  test('Beanstalk gets the database endpoint and the user\'s database as variables, user name and password from the user\'s secret', () => {
    const { app, vpc, db } = setup();
    const user = db.addUser('shop');
    const { stack } = bind(app, vpc, user);
    const env = options(stack, NS_ENV);
    expect(Object.keys(env)).toEqual(['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_SSL_MODE']);
    expect(env.DB_NAME).toBe('shop_db');
    expect(env.DB_PORT).toBe('5432');
    const secrets = options(stack, NS_SECRETS);
    expect(secrets).toEqual({ DB_USER: expect.anything(), DB_PASSWORD: expect.anything() });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticBeanstalk::Environment', {
      OptionSettings: Match.arrayWith([
        { Namespace: NS_SECRETS, OptionName: 'DB_USER', Value: fromUserSecret('username') },
        { Namespace: NS_SECRETS, OptionName: 'DB_PASSWORD', Value: fromUserSecret('password') },
      ]),
    });
  });

  test('grants the instance role the user\'s secret alone, not the master secret', () => {
    const { app, vpc, db } = setup();
    const { stack } = bind(app, vpc, db.addUser('shop'));
    const policies = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    const reads = policies.flatMap((p) => p.Properties.PolicyDocument.Statement).filter((s: any) => s.Action === 'secretsmanager:GetSecretValue');
    expect(reads.map((s: any) => s.Resource)).toEqual([{ 'Fn::ImportValue': expect.stringMatching(/DatabaseshopSecretAttachment/) }]);
  });

  test('restarts the app servers when the user\'s secret rotates', () => {
    const { app, vpc, db } = setup();
    const { stack } = bind(app, vpc, db.addUser('shop'));
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: Match.objectLike({ additionalEventData: { SecretId: [{ 'Fn::ImportValue': Match.stringLikeRegexp('DatabaseshopSecretAttachment') }] } }) }),
    });
  });

  test('draws no master-user warning, and the app stack passes cfn-lint', () => {
    const { app, vpc, db } = setup();
    const { stack } = bind(app, vpc, db.addUser('shop'));
    Annotations.fromStack(stack).hasNoWarning('*', MASTER_WARNING);
    if (toolOrSkip('cfn-lint')) expectCfnLintClean(synthTemplate(stack));
  });
});

describe('binding the master user', () => {
  test('warns outside development, pointing at addUser', () => {
    const { app, vpc, db } = setup();
    const { stack } = bind(app, vpc, db);
    Annotations.fromStack(stack).hasWarning('/App/Binding', Match.stringLikeRegexp("master user.*IndependentRds.addUser\\('<app>'\\)"));
  });

  test('warns for the master behind an RdsProxy too', () => {
    const { app, vpc, stack: dataStack, db } = setup();
    const proxy = new RdsProxy(dataStack, 'Proxy', { database: db });
    const { stack } = bind(app, vpc, proxy);
    Annotations.fromStack(stack).hasWarning('/App/Binding', MASTER_WARNING);
  });

  test('does not warn for a development binding', () => {
    const { app, vpc, db } = setup();
    const { stack } = bind(app, vpc, db, true);
    Annotations.fromStack(stack).hasNoWarning('*', MASTER_WARNING);
  });

  test('does not warn for a database of the development preset', () => {
    const { app, vpc, db } = setup({ preset: DatabasePreset.DEVELOPMENT });
    const { stack } = bind(app, vpc, db);
    Annotations.fromStack(stack).hasNoWarning('*', MASTER_WARNING);
  });
});

describe('RdsProxy.forUser', () => {
  function proxied(engine = DatabaseEngine.AURORA_POSTGRES_16) {
    const { app, vpc, stack, db } = setup({ engine });
    const user = db.addUser('shop');
    const proxy = new RdsProxy(stack, 'Proxy', { database: db });
    return { app, vpc, stack, db, user, proxy, bindable: proxy.forUser(user) };
  }

  test('adds the user\'s secret to the secrets the proxy logs in with, once, and lets the proxy read it', () => {
    const { stack, user, proxy } = proxied();
    proxy.forUser(user);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::RDS::DBProxy', {
      Auth: [
        Match.objectLike({ SecretArn: { Ref: Match.stringLikeRegexp('^DatabaseSecretAttachment') } }),
        { AuthScheme: 'SECRETS', IAMAuth: 'DISABLED', SecretArn: { Ref: Match.stringLikeRegexp('^DatabaseshopSecretAttachment') } },
      ],
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^ProxyIAMRole') }],
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('^DatabaseshopSecretAttachment') } }]) },
    });
  });

  test('binds like the user, through the proxy: proxy endpoint and security group, the user\'s database and secret', () => {
    const { app, vpc, proxy, user, bindable } = proxied();
    expect(bindable.connections).toBe(proxy.connections);
    expect(bindable.secret).toBe(user.secret);
    expect(bindable.connectionDetails).toEqual({ ...proxy.connectionDetails, databaseName: 'shop_db', username: 'shop_user' });
    expect(bindable.isMasterUser).toBe(false);
    const { stack } = bind(app, vpc, bindable);
    expect(options(stack, NS_ENV).DB_HOST).toEqual({ 'Fn::ImportValue': expect.stringMatching(/GetAttProxy.*Endpoint/) });
    expect(options(stack, NS_ENV).DB_READ_HOST).toEqual({ 'Fn::ImportValue': expect.stringMatching(/ProxyReadOnlyEndpoint/) });
    Annotations.fromStack(stack).hasNoWarning('*', MASTER_WARNING);
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticBeanstalk::Environment', {
      OptionSettings: Match.arrayWith([{ Namespace: NS_SECRETS, OptionName: 'DB_USER', Value: fromUserSecret('username') }]),
    });
  });

  test('throws for a user of another database', () => {
    const { stack, vpc, proxy } = proxied();
    const stranger = new IndependentRds(stack, 'Other', { vpc, databaseName: 'other', username: 'other' }).addUser('shop');
    expect(() => proxy.forUser(stranger)).toThrow(/RdsProxy: forUser needs a user of the database behind the proxy \(got Database\/Other\/shop, a user of Database\/Other\)/);
  });
});

describe('SecretReferenceFor.databaseUser', () => {
  test('gives the user\'s secret by name, with the stack region and the rotation period', () => {
    const app = new App();
    const stack = new Stack(app, 'Data', { env: { account: '111111111111', region: 'eu-west-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    const db = new IndependentRds(stack, 'Database', { vpc });
    const ref = SecretReferenceFor.databaseUser(db.addUser('shop', { secretName: 'prod/shop/db-app' }));
    expect([ref.secretName, ref.region, ref.rotationPeriodDays]).toEqual(['prod/shop/db-app', 'eu-west-1', 30]);
  });

  test('has no rotation period when the user does not rotate', () => {
    const { db } = setup();
    expect(SecretReferenceFor.databaseUser(db.addUser('shop', { secretName: 'prod/shop/db-app', rotation: false })).rotationPeriodDays).toBeUndefined();
  });

  test('throws when the user\'s secret has no fixed name, naming the secretName option', () => {
    const { db } = setup();
    const user = db.addUser('shop');
    expect(() => SecretReferenceFor.databaseUser(user)).toThrow(
      /SecretReferenceFor.databaseUser: the secret of Database\/Database\/shop has no fixed name \(got none\).*db.addUser\('shop', \{ secretName: 'prod\/shop\/db-app' \}\)/,
    );
  });
});
