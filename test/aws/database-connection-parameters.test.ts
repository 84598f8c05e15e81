import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Token, aws_ec2 as ec2, aws_elasticbeanstalk as elasticbeanstalk, aws_iam as iam, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { addShopStacks } from '../../examples/beanstalk-app-with-independent-rds';
import { BeanstalkDatabaseBinding, DatabaseConnectionParameters, DatabaseEngine, DatabasePreset, IndependentRds } from '../../src/aws';
import { expectCfnLintClean, toolOrSkip } from '../harness';
import { databaseStack, networkStack, plainStack } from './fixtures';

/**
 * Loosely coupled stacks (issue 14, part 4): the database stack publishes its connection in
 * Parameter Store, the app stack reads it at deployment, and no app template holds an export of a
 * database value.
 */

type Template_ = {
  Resources: { [id: string]: { Type: string; Properties?: any } };
  Parameters?: { [id: string]: any };
  Outputs?: { [id: string]: any };
};

/** The arguments of every `name` intrinsic (`Fn::ImportValue`, `Fn::GetStackOutput`, …) in a template. */
function intrinsics(node: unknown, name: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(node)) {node.forEach((n) => intrinsics(n, name, found));} else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === name) found.push(v);
      intrinsics(v, name, found);
    }
  }
  return found;
}

function environment(stack: Stack, vpc: ec2.IVpc): elasticbeanstalk.CfnEnvironment {
  return new elasticbeanstalk.CfnEnvironment(stack, 'Environment', {
    applicationName: 'shop',
    solutionStackName: '64bit Amazon Linux 2023 v6.6.0 running Node.js 22',
    optionSettings: [{ namespace: 'aws:ec2:vpc', optionName: 'VPCId', value: vpc.vpcId }],
  });
}

/** Network, database (with a published app user) and app stacks; the app binds through the parameters. */
function layout(dbProps: { databaseName?: string } = {}) {
  const app = new App();
  const { vpc } = networkStack(app);
  const { stack: data, db } = databaseStack(app, vpc, { databaseName: 'shop', username: 'shop', ...dbProps });
  const user = db.addUser('shop');
  const published = new DatabaseConnectionParameters(data, 'ShopConnection', { database: user, parameterPrefix: '/shop/prod/database' });
  const web = plainStack(app, 'App');
  const instanceRole = new iam.Role(web, 'InstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const binding = new BeanstalkDatabaseBinding(web, 'Binding', {
    database: published.bindableIn(web, 'ShopDatabase'), environment: environment(web, vpc), instanceRole, vpc,
  });
  return { app, data, web, db, user, published, binding };
}

describe('DatabaseConnectionParameters', () => {
  describe('the database stack', () => {
    const { data } = layout();
    const t = Template.fromStack(data);

    test('writes one String parameter per value known only at deployment, under the prefix', () => {
      const names = Object.values(t.findResources('AWS::SSM::Parameter')).map((r: any) => r.Properties.Name).sort();
      expect(names).toEqual([
        '/shop/prod/database/host', '/shop/prod/database/secret-arn', '/shop/prod/database/secret-key-arn', '/shop/prod/database/security-group-1',
      ]);
      for (const r of Object.values<any>(t.findResources('AWS::SSM::Parameter'))) expect(r.Properties.Type).toBe('String');
    });

    test('the values are the instance endpoint, the app user\'s secret and key, and the database security group', () => {
      const byName = Object.fromEntries(Object.values<any>(t.findResources('AWS::SSM::Parameter')).map((r) => [r.Properties.Name, r.Properties.Value]));
      expect(JSON.stringify(byName['/shop/prod/database/host'])).toMatch(/"Fn::GetAtt":\["Database[0-9A-F]{8}","Endpoint.Address"\]/);
      expect(JSON.stringify(byName['/shop/prod/database/secret-arn'])).toMatch(/"Ref":"DatabaseshopSecret/);
      expect(JSON.stringify(byName['/shop/prod/database/secret-key-arn'])).toMatch(/"Fn::GetAtt":\["DatabaseKey[0-9A-F]{8}","Arn"\]/);
      expect(JSON.stringify(byName['/shop/prod/database/security-group-1'])).toMatch(/"Fn::GetAtt":\["DatabaseSecurityGroup[0-9A-F]{8}","GroupId"\]/);
    });

    test('exports nothing', () => {
      expect(Object.values<any>(Template.fromStack(data).toJSON().Outputs ?? {}).filter((o) => o.Export)).toEqual([]);
    });

    test('passes cfn-lint', () => {
      if (!toolOrSkip('cfn-lint')) return;
      expectCfnLintClean(t.toJSON());
    });
  });

  describe('the app stack', () => {
    const { web, app, data } = layout();
    const json = Template.fromStack(web).toJSON() as Template_;

    test('has no Fn::ImportValue or Fn::GetStackOutput at all, and depends on the database stack for ordering only', () => {
      expect(intrinsics(json, 'Fn::ImportValue').filter((v) => /Database/.test(JSON.stringify(v)))).toEqual([]);
      expect(intrinsics(json, 'Fn::GetStackOutput')).toEqual([]);
      expect(web.dependencies).toContain(data);
      expect(app.node.tryFindChild('App')).toBe(web);
    });

    test('reads host, secret, key and security group from Parameter Store at deployment', () => {
      const params = Object.values<any>(json.Parameters ?? {}).filter((p) => p.Type === 'AWS::SSM::Parameter::Value<String>').map((p) => p.Default).sort();
      expect(params).toEqual([
        '/shop/prod/database/host', '/shop/prod/database/secret-arn', '/shop/prod/database/secret-key-arn', '/shop/prod/database/security-group-1',
      ]);
    });

    test('binds the app user: DB_HOST from the parameter, DB_NAME and DB_PORT as literals, the secret ARN in the environment secrets', () => {
      const env = Template.fromStack(web).findResources('AWS::ElasticBeanstalk::Environment');
      const settings: any[] = (Object.values<any>(env)[0]).Properties.OptionSettings;
      const value = (name: string) => settings.find((s) => s.OptionName === name)?.Value;
      expect(value('DB_HOST')).toEqual({ Ref: expect.stringMatching(/^SsmParameterValueshopproddatabase/) });
      expect(value('DB_NAME')).toBe('shop_db');
      expect(value('DB_PORT')).toBe('5432');
      expect(value('DB_SSL_MODE')).toBe('require');
      expect(JSON.stringify(settings.find((x) => x.OptionName === 'DB_PASSWORD' && x.Namespace === 'aws:elasticbeanstalk:application:environmentsecrets')?.Value))
        .toMatch(/SsmParameterValueshopproddatabasesecretarn.*:password/);
    });

    test('admits the app on the database security group read from the parameter, with the rule in the app stack', () => {
      Template.fromStack(web).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { Ref: Match.stringLikeRegexp('^SsmParameterValueshopproddatabasesecuritygroup1') },
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BindingSecurityGroup'), 'GroupId'] },
        FromPort: 5432,
        ToPort: 5432,
      });
      expect(Template.fromStack(data).findResources('AWS::EC2::SecurityGroupIngress', { Properties: { Description: Match.stringLikeRegexp('Elastic Beanstalk') } })).toEqual({});
    });

    test('grants the instance role the secret and its key, by the ARNs read from the parameters', () => {
      const policies = Object.values<any>(Template.fromStack(web).findResources('AWS::IAM::Policy'))
        .filter((p) => p.Properties.Roles.some((r: any) => /InstanceRole/.test(JSON.stringify(r))));
      const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
      expect(statements).toContainEqual(expect.objectContaining({ Action: 'secretsmanager:GetSecretValue', Resource: { Ref: expect.stringMatching(/^SsmParameterValueshopproddatabase/) } }));
      expect(statements).toContainEqual(expect.objectContaining({ Action: 'kms:Decrypt', Resource: { Ref: expect.stringMatching(/^SsmParameterValueshopproddatabase/) } }));
    });

    test('passes cfn-lint', () => {
      if (!toolOrSkip('cfn-lint')) return;
      expectCfnLintClean(json);
    });
  });

  test('a new endpoint (databaseName changed: the instance is replaced) changes the database stack only: the app template is byte for byte the same', () => {
    const before = layout();
    const after = layout({ databaseName: 'orders' });
    const instance = (s: Stack) => Object.values<any>(Template.fromStack(s).findResources('AWS::RDS::DBInstance'))[0].Properties;
    expect(instance(before.data).DBName).toBe('shop');
    expect(instance(after.data).DBName).toBe('orders');
    expect(JSON.stringify(Template.fromStack(after.web).toJSON())).toBe(JSON.stringify(Template.fromStack(before.web).toJSON()));
  });

  test('literal values are passed as they are, with no parameter', () => {
    const app = new App();
    const { vpc } = networkStack(app);
    const data = plainStack(app, 'Data');
    const sg = ec2.SecurityGroup.fromSecurityGroupId(data, 'Sg', 'sg-0123456789abcdef0');
    const db = IndependentRds.fromDatabaseAttributes(data, 'Db', {
      engine: DatabaseEngine.POSTGRES_16,
      vpc,
      instanceIdentifier: 'shop-db',
      endpointAddress: 'shop-db.abc.eu-west-1.rds.amazonaws.com',
      port: 5432,
      databaseName: 'shop',
      username: 'shop',
      secret: secretsmanager.Secret.fromSecretCompleteArn(data, 'Secret', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-AbCdEf'),
      securityGroups: [sg],
    });
    const published = new DatabaseConnectionParameters(data, 'Connection', { database: db });
    expect(published.parameters).toEqual([]);
    const bound = published.bindableIn(plainStack(app, 'Web'), 'Db');
    expect(bound.connectionDetails.host).toBe('shop-db.abc.eu-west-1.rds.amazonaws.com');
    expect(bound.secret.secretFullArn).toBe('arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-AbCdEf');
  });

  test('the default prefix is /cdk-db-platform/<stack name>/<construct path>', () => {
    const app = new App();
    const { vpc } = networkStack(app);
    const { stack: data, db } = databaseStack(app, vpc);
    const published = new DatabaseConnectionParameters(data, 'Shop Connection', { database: db });
    expect(published.parameterPrefix).toBe('/cdk-db-platform/Database/Shop-Connection');
    Template.fromStack(data).hasResourceProperties('AWS::SSM::Parameter', { Name: '/cdk-db-platform/Database/Shop-Connection/host' });
  });

  test('the published database keeps the master-user warning of the binding', () => {
    const app = new App();
    const { vpc } = networkStack(app);
    const { stack: data, db } = databaseStack(app, vpc);
    const published = new DatabaseConnectionParameters(data, 'Connection', { database: db });
    const web = plainStack(app, 'Web');
    const instanceRole = new iam.Role(web, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    new BeanstalkDatabaseBinding(web, 'Binding', { database: published.bindableIn(web, 'Db'), environment: environment(web, vpc), instanceRole, vpc });
    Annotations.fromStack(web).hasWarning('/Web/Binding', Match.stringLikeRegexp('master user'));

    const devApp = new App();
    const devNet = networkStack(devApp);
    const dev = databaseStack(devApp, devNet.vpc, { preset: DatabasePreset.DEVELOPMENT });
    const devPublished = new DatabaseConnectionParameters(dev.stack, 'Connection', { database: dev.db });
    const devWeb = plainStack(devApp, 'Web');
    const devRole = new iam.Role(devWeb, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    new BeanstalkDatabaseBinding(devWeb, 'Binding', { database: devPublished.bindableIn(devWeb, 'Db'), environment: environment(devWeb, devNet.vpc), instanceRole: devRole, vpc: devNet.vpc });
    Annotations.fromStack(devWeb).hasNoWarning('/Web/Binding', Match.stringLikeRegexp('master user'));
  });

  describe('validation', () => {
    const build = (parameterPrefix: string) => {
      const app = new App();
      const { vpc } = networkStack(app);
      const { stack, db } = databaseStack(app, vpc);
      return () => new DatabaseConnectionParameters(stack, 'Connection', { database: db, parameterPrefix });
    };

    test.each([
      ['shop/prod', /parameterPrefix must be an absolute parameter path .*got "shop\/prod"/],
      ['/shop/prod/', /without a trailing '\/' \(got "\/shop\/prod\/"\)/],
      ['/shop prod', /letters, digits, '_', '.' and '-'/],
      ['/aws/shop', /must not start with 'aws' or 'ssm'.*got "\/aws\/shop"/],
      ['/SSM-params/shop', /must not start with 'aws' or 'ssm'/],
      [`/${Array.from({ length: 15 }, (_, i) => `l${i}`).join('/')}`, /at most 14 levels.*got 15/],
    ])('throws on parameterPrefix %s', (prefix, message) => {
      expect(build(prefix)).toThrow(/^DatabaseConnectionParameters: parameterPrefix must /);
      expect(build(prefix)).toThrow(message);
    });

    test('throws on a prefix that is a token', () => {
      const app = new App();
      const { vpc } = networkStack(app);
      const { stack, db } = databaseStack(app, vpc);
      expect(() => new DatabaseConnectionParameters(stack, 'Connection', { database: db, parameterPrefix: stack.stackName + stack.region }))
        .toThrow(/^DatabaseConnectionParameters: parameterPrefix must be known at synthesis/);
    });

    test('throws on a database whose port is a token, or that has no security group', () => {
      const app = new App();
      const stack = plainStack(app, 'Data');
      const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Secret', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-AbCdEf');
      const database = (port: number, groups: ec2.ISecurityGroup[]) => ({
        connections: new ec2.Connections({ securityGroups: groups, defaultPort: ec2.Port.tcp(5432) }),
        connectionDetails: { host: 'db.example.internal', port, databaseName: 'shop', username: 'app' },
        secret,
        grantSecretRead: (grantee: iam.IGrantable) => iam.Grant.addToPrincipal({ grantee, actions: ['secretsmanager:GetSecretValue'], resourceArns: [secret.secretArn] }),
      });
      const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0');
      const tokenPort = Token.asNumber({ Ref: 'Port' });
      expect(() => new DatabaseConnectionParameters(stack, 'A', { database: database(tokenPort, [sg]), parameterPrefix: '/a' }))
        .toThrow(/^DatabaseConnectionParameters: database.connectionDetails.port must be a number known at synthesis \(got a token\)/);
      expect(() => new DatabaseConnectionParameters(stack, 'B', { database: database(5432, []), parameterPrefix: '/b' }))
        .toThrow(/^DatabaseConnectionParameters: database.connections has no security group \(got 0\)/);
    });

    test('throws when bound in a stack of another region', () => {
      const app = new App();
      const network = new Stack(app, 'Net', { env: { account: '123456789012', region: 'eu-west-1' } });
      const vpc = new ec2.Vpc(network, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      const data = new Stack(app, 'Data', { env: { account: '123456789012', region: 'eu-west-1' } });
      const db = new IndependentRds(data, 'Db', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, rotation: false });
      const published = new DatabaseConnectionParameters(data, 'Connection', { database: db });
      const other = new Stack(app, 'Web', { env: { account: '123456789012', region: 'us-east-1' } });
      expect(() => published.bindableIn(other, 'Db'))
        .toThrow(/^DatabaseConnectionParameters: bindableIn needs a stack in the region of the parameters \(got stack Web in us-east-1, parameters in eu-west-1\)/);
    });
  });
});

describe('the Beanstalk example', () => {
  test('its App stack imports no database value, and a new endpoint leaves the App template unchanged', () => {
    const synth = (change?: (db: IndependentRds) => void) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-example-'));
      const app = new App({ outdir: dir });
      const stacks = addShopStacks(app);
      change?.(stacks.database.node.findChild('Database') as IndependentRds);
      const assembly = app.synth();
      const read = (name: string) => JSON.parse(fs.readFileSync(path.join(assembly.directory, `${name}.template.json`), 'utf-8'));
      const out = { app: read('App'), database: read('Database') };
      fs.rmSync(dir, { recursive: true, force: true });
      return out;
    };
    const before = synth();
    // No import of anything from the Database stack (the VPC comes from the Network stack).
    const imports = intrinsics(before.app, 'Fn::ImportValue').map((v) => JSON.stringify(v));
    expect(imports.filter((v) => /Database/.test(v))).toEqual([]);
    expect(imports.every((v) => /^"Network:ExportsOutput/.test(v))).toBe(true);
    expect(Object.values<any>(before.database.Outputs ?? {}).filter((o) => o.Export)).toEqual([]);

    // WHEN the database is replaced (here: a new endpoint, simulated on the synthesized instance,
    // as a restore or an identifier change would give)
    const after = synth((db) => {
      (db.node.findChild('Resource').node.defaultChild as any).addPropertyOverride('DBName', 'orders');
    });
    expect(JSON.stringify(after.database)).not.toBe(JSON.stringify(before.database));
    // THEN the App template is the same, byte for byte
    expect(JSON.stringify(after.app)).toBe(JSON.stringify(before.app));
  });
});
