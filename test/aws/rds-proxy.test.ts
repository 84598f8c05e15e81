import { App, Duration, Stack, aws_ec2 as ec2, aws_elasticbeanstalk as elasticbeanstalk, aws_iam as iam, aws_rds as rds, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { networkStack, plainStack } from './fixtures';
import { BeanstalkDatabaseBinding, DatabaseEngine, IndependentRds, IndependentRdsProps, RdsProxy, RdsProxyProps } from '../../src/aws';
import { proxyEngineFamily, proxyPort } from '../../src/aws/private/proxy-validation';
import { SslMode } from '../../src/core/ssl-mode';
import { expectCfnGuardClean, expectCfnLintClean, expectNagClean, expectNoSecrets, synthTemplate, toolOrSkip } from '../harness';

function setup(dbProps: Partial<IndependentRdsProps> = {}) {
  const app = new App();
  const network = networkStack(app);
  const stack = plainStack(app, 'Database');
  const db = new IndependentRds(stack, 'Database', { vpc: network.vpc, ...dbProps });
  return { app, network, stack, db };
}

describe('RdsProxy', () => {
  describe('defaults, on a PostgreSQL instance', () => {
    let stack: Stack;
    let db: IndependentRds;
    let proxy: RdsProxy;
    let t: Template;
    beforeAll(() => {
      ({ stack, db } = setup());
      proxy = new RdsProxy(stack, 'Proxy', { database: db });
      t = Template.fromStack(stack);
    });

    test('creates one DB proxy as the child "Resource", for the POSTGRESQL family', () => {
      expect(proxy.proxy.node.id).toBe('Resource');
      t.resourceCountIs('AWS::RDS::DBProxy', 1);
      t.hasResourceProperties('AWS::RDS::DBProxy', { EngineFamily: 'POSTGRESQL' });
    });
    test('targets the instance', () => {
      t.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', {
        DBInstanceIdentifiers: [{ Ref: Match.stringLikeRegexp('^Database') }],
      });
    });
    test('authenticates with the database secret (secrets auth)', () => {
      t.hasResourceProperties('AWS::RDS::DBProxy', {
        Auth: [Match.objectLike({ AuthScheme: 'SECRETS', SecretArn: { Ref: Match.stringLikeRegexp('DatabaseSecretAttachment') } })],
      });
      expect(proxy.secret).toBe(db.secret);
    });
    test('requires TLS', () => t.hasResourceProperties('AWS::RDS::DBProxy', { RequireTLS: true }));
    test('does not require IAM authentication', () => {
      t.hasResourceProperties('AWS::RDS::DBProxy', { Auth: [Match.objectLike({ IAMAuth: 'DISABLED' })] });
    });
    test('closes idle clients after 30 minutes', () => t.hasResourceProperties('AWS::RDS::DBProxy', { IdleClientTimeout: 1800 }));
    test('uses 90% of max_connections, 50% idle, and a 120 s borrow timeout', () => {
      t.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', {
        ConnectionPoolConfigurationInfo: { MaxConnectionsPercent: 90, MaxIdleConnectionsPercent: 50, ConnectionBorrowTimeout: 120 },
      });
    });
    test('sets no session pinning filters', () => {
      t.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', {
        ConnectionPoolConfigurationInfo: Match.objectLike({ SessionPinningFilters: Match.absent() }),
      });
    });
    test('has its own security group, with no ingress and egress to the database port only', () => {
      t.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: Match.stringLikeRegexp('RDS Proxy'),
        SecurityGroupIngress: Match.absent(),
        SecurityGroupEgress: Match.absent(),
      });
      t.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
        GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ProxySecurityGroup'), 'GroupId'] },
        DestinationSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('DatabaseSecurityGroup'), 'GroupId'] },
        FromPort: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Database'), 'Endpoint.Port'] },
        ToPort: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Database'), 'Endpoint.Port'] },
      });
    });
    test('the database admits the proxy security group only (besides its own rotation function)', () => {
      const sources = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress'))
        .map((r: any) => r.Properties.SourceSecurityGroupId['Fn::GetAtt'][0] as string)
        .filter((src) => !src.startsWith('DatabaseRotationSingleUser'));
      expect(sources).toHaveLength(1);
      expect(sources[0]).toMatch(/^ProxySecurityGroup/);
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('DatabaseSecurityGroup'), 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ProxySecurityGroup'), 'GroupId'] },
      });
      t.resourcePropertiesCountIs('AWS::EC2::SecurityGroup', { SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: Match.anyValue() })]) }, 0);
    });
    test('connections has the proxy port as default port', () => {
      expect(proxy.connections.defaultPort?.toString()).toBe('5432');
      expect(proxy.connections.securityGroups).toEqual([proxy.securityGroup]);
    });
    test('is placed in private subnets in two AZs', () => {
      t.hasResourceProperties('AWS::RDS::DBProxy', {
        VpcSubnetIds: [Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('PrivateSubnet1') }), Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('PrivateSubnet2') })],
      });
    });
    test('has no read-only endpoint on an instance', () => {
      t.resourceCountIs('AWS::RDS::DBProxyEndpoint', 0);
      expect(proxy.connectionDetails.readerHost).toBeUndefined();
    });
    test('is bindable: endpoint, port, database, user and sslmode come from the proxy and the database', () => {
      expect(stack.resolve(proxy.connectionDetails.host)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(proxy.proxy.node.defaultChild as rds.CfnDBProxy), 'Endpoint'] });
      expect(proxy.connectionDetails.port).toBe(5432);
      expect(proxy.connectionDetails.databaseName).toBe(db.connectionDetails.databaseName);
      expect(proxy.connectionDetails.username).toBe(db.connectionDetails.username);
      expect(proxy.connectionDetails.sslMode).toBe(SslMode.REQUIRE);
    });
    test('names the proxy after its construct path', () => {
      t.hasResourceProperties('AWS::RDS::DBProxy', { DBProxyName: Match.stringLikeRegexp('^database-proxy-[a-z0-9]+$') });
    });
  });

  describe('on Aurora', () => {
    let stack: Stack;
    let proxy: RdsProxy;
    let t: Template;
    beforeAll(() => {
      let db: IndependentRds;
      ({ stack, db } = setup({ engine: DatabaseEngine.AURORA_POSTGRES_16 }));
      proxy = new RdsProxy(stack, 'Proxy', { database: db });
      t = Template.fromStack(stack);
    });
    test('the target group depends on the cluster through its Ref only, and on the instances explicitly', () => {
      const tg = Object.values(t.findResources('AWS::RDS::DBProxyTargetGroup'))[0] as any;
      const clusterId = Object.keys(t.findResources('AWS::RDS::DBCluster'))[0];
      const instanceIds = Object.keys(t.findResources('AWS::RDS::DBInstance'));
      expect(tg.DependsOn).not.toContain(clusterId);
      expect(tg.DependsOn).toEqual(expect.arrayContaining(instanceIds));
    });
    test('targets the cluster', () => {
      t.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', { DBClusterIdentifiers: [{ Ref: Match.stringLikeRegexp('^Database') }] });
    });
    test('adds a read-only endpoint in the proxy subnets and security group', () => {
      t.hasResourceProperties('AWS::RDS::DBProxyEndpoint', {
        TargetRole: 'READ_ONLY',
        DBProxyName: { Ref: Match.stringLikeRegexp('^Proxy') },
        VpcSecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('ProxySecurityGroup'), 'GroupId'] }],
      });
      const endpoint = Object.values(t.findResources('AWS::RDS::DBProxyEndpoint'))[0] as any;
      expect(endpoint.Properties.VpcSubnetIds).toHaveLength(2);
      expect(stack.resolve(proxy.connectionDetails.readerHost)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(proxy.readOnlyEndpoint!), 'Endpoint'] });
    });
    test('the read-only endpoint can be turned off', () => {
      const s = setup({ engine: DatabaseEngine.AURORA_POSTGRES_16 });
      new RdsProxy(s.stack, 'Proxy', { database: s.db, readOnlyEndpoint: false });
      Template.fromStack(s.stack).resourceCountIs('AWS::RDS::DBProxyEndpoint', 0);
    });
    test('warns when the cluster has no reader for the read-only endpoint', () => {
      const s = setup({ engine: DatabaseEngine.AURORA_POSTGRES_16, readReplicas: 0, multiAz: false });
      new RdsProxy(s.stack, 'Proxy', { database: s.db });
      Annotations.fromStack(s.stack).hasWarning('/Database/Proxy', Match.stringLikeRegexp('no readers'));
    });
    test('uses the MYSQL family and port 3306 for Aurora MySQL', () => {
      const s = setup({ engine: DatabaseEngine.AURORA_MYSQL_3 });
      const p = new RdsProxy(s.stack, 'Proxy', { database: s.db });
      Template.fromStack(s.stack).hasResourceProperties('AWS::RDS::DBProxy', { EngineFamily: 'MYSQL' });
      expect(p.connections.defaultPort?.toString()).toBe('3306');
      expect(p.connectionDetails.port).toBe(3306);
    });
  });

  describe('options', () => {
    test('grantSecretRead grants GetSecretValue on the database secret and Decrypt on its key', () => {
      const { stack, db } = setup();
      const proxy = new RdsProxy(stack, 'Proxy', { database: db });
      const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      proxy.grantSecretRead(role);
      const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }] } });
      expect(Object.values<any>(policies)[0].Properties.PolicyDocument.Statement).toEqual([
        { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: expect.stringMatching(/^DatabaseSecretAttachment/) } },
        {
          Action: 'kms:Decrypt',
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^DatabaseKey/), 'Arn'] },
          Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } } },
        },
      ]);
    });
    test('iamAuth sets IAMAuth REQUIRED, and grantConnect grants rds-db:connect on the proxy', () => {
      const { stack, db } = setup();
      const proxy = new RdsProxy(stack, 'Proxy', { database: db, iamAuth: true });
      const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      proxy.grantConnect(role, 'app_user');
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::RDS::DBProxy', { Auth: [Match.objectLike({ IAMAuth: 'REQUIRED' })] });
      t.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: [Match.objectLike({ Action: 'rds-db:connect', Resource: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([':dbuser:', '/app_user'])]) }) })] },
      });
    });
    test('session pinning filters, timeouts and percentages can be set', () => {
      const { stack, db } = setup();
      new RdsProxy(stack, 'Proxy', {
        database: db,
        sessionPinningFilters: [rds.SessionPinningFilter.EXCLUDE_VARIABLE_SETS],
        idleClientTimeout: Duration.minutes(5),
        borrowTimeout: Duration.seconds(30),
        maxConnectionsPercent: 60,
        maxIdleConnectionsPercent: 10,
      });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::RDS::DBProxy', { IdleClientTimeout: 300 });
      t.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', {
        ConnectionPoolConfigurationInfo: {
          SessionPinningFilters: ['EXCLUDE_VARIABLE_SETS'], ConnectionBorrowTimeout: 30, MaxConnectionsPercent: 60, MaxIdleConnectionsPercent: 10,
        },
      });
    });
    test('requireTLS can be switched off', () => {
      const { stack, db } = setup();
      const proxy = new RdsProxy(stack, 'Proxy', { database: db, requireTLS: false });
      Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBProxy', { RequireTLS: false });
      expect(proxy.connectionDetails.sslMode).toBeUndefined();
    });
    test('accepts the database secret given explicitly', () => {
      const { stack, db } = setup();
      expect(() => new RdsProxy(stack, 'Proxy', { database: db, secret: db.secret })).not.toThrow();
    });
    test('accepts a security group of the caller', () => {
      const { stack, db, network } = setup();
      const sg = new ec2.SecurityGroup(stack, 'Mine', { vpc: network.vpc, allowAllOutbound: false });
      const proxy = new RdsProxy(stack, 'Proxy', { database: db, securityGroup: sg });
      expect(proxy.securityGroup).toBe(sg);
      Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBProxy', { VpcSecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('Mine'), 'GroupId'] }] });
    });
  });

  describe('as a BeanstalkDatabaseBinding target', () => {
    test('DB_HOST is the proxy endpoint, DB_READ_HOST its read-only endpoint, and the proxy admits the app only', () => {
      // GIVEN an Aurora cluster behind a proxy, and an Elastic Beanstalk environment
      const { stack, db, network } = setup({ engine: DatabaseEngine.AURORA_POSTGRES_16 });
      const proxy = new RdsProxy(stack, 'Proxy', { database: db });
      const environment = new elasticbeanstalk.CfnEnvironment(stack, 'Env', { applicationName: 'app', solutionStackName: '64bit Amazon Linux 2023 v6.6.0 running Node.js 22' });
      const instanceRole = new iam.Role(stack, 'InstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      // WHEN the environment is bound to the proxy
      const binding = new BeanstalkDatabaseBinding(stack, 'Binding', { database: proxy, environment, instanceRole, vpc: network.vpc });
      // THEN the variables point at the proxy
      expect(stack.resolve(binding.environmentVariables.DB_HOST)).toEqual(stack.resolve(proxy.proxy.endpoint));
      expect(stack.resolve(binding.environmentVariables.DB_READ_HOST)).toEqual(stack.resolve(proxy.readOnlyEndpoint!.attrEndpoint));
      expect(binding.environmentVariables.DB_PORT).toBe('5432');
      expect(binding.environmentVariables.DB_SSL_MODE).toBe('require');
      Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ProxySecurityGroup'), 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Binding'), 'GroupId'] },
        FromPort: 5432,
      });
    });
  });

  describe('validation', () => {
    const make = (props: Partial<RdsProxyProps>, dbProps: Partial<IndependentRdsProps> = {}) => {
      const { stack, db } = setup(dbProps);
      return new RdsProxy(stack, 'Proxy', { database: db, ...props });
    };
    test('throws when the engine family is not supported by RDS Proxy', () => {
      const { stack, db } = setup();
      Object.defineProperty(db, 'engine', { value: { family: { name: 'sqlserver-ee', toString: () => 'sqlserver-ee' }, isCluster: false, toString: () => 'sqlserver-ee 16.00' } });
      expect(() => new RdsProxy(stack, 'Proxy', { database: db })).toThrow(/RdsProxy: the engine family must be supported by RDS Proxy \(got sqlserver-ee\)/);
    });
    test('maps every engine family of DatabaseEngine to a proxy family and port', () => {
      expect(proxyEngineFamily('postgres')).toBe('POSTGRESQL');
      expect(proxyEngineFamily('aurora-postgresql')).toBe('POSTGRESQL');
      expect(proxyEngineFamily('mysql')).toBe('MYSQL');
      expect(proxyEngineFamily('mariadb')).toBe('MYSQL');
      expect(proxyEngineFamily('aurora-mysql')).toBe('MYSQL');
      expect(proxyEngineFamily('oracle-ee')).toBeUndefined();
      expect(proxyPort('POSTGRESQL')).toBe(5432);
      expect(proxyPort('MYSQL')).toBe(3306);
    });
    test('throws when the subnets span fewer than two AZs', () => {
      const app = new App();
      const stack = plainStack(app, 'One');
      const vpc = new ec2.Vpc(stack, 'Vpc', {
        maxAzs: 2,
        natGateways: 1,
        subnetConfiguration: [
          { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
          { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        ],
      });
      const db = new IndependentRds(stack, 'Database', { vpc });
      expect(() => new RdsProxy(stack, 'Proxy', { database: db, vpcSubnets: { subnets: [vpc.privateSubnets[0]] } }))
        .toThrow(/RdsProxy: vpcSubnets must span two or more availability zones \(got 1/);
    });
    test('throws when vpcSubnets selects nothing', () => {
      expect(() => make({ vpcSubnets: { subnetGroupName: 'Nope' } })).toThrow(/RdsProxy: vpcSubnets selects no usable subnets/);
    });
    test('throws when the secret does not belong to the database', () => {
      const { stack, db } = setup();
      const other = new secretsmanager.Secret(stack, 'Other');
      expect(() => new RdsProxy(stack, 'Proxy', { database: db, secret: other })).toThrow(/RdsProxy: secret must belong to the database \(got Database\/Other/);
    });
    test('throws on a read-only endpoint for an instance', () => {
      expect(() => make({ readOnlyEndpoint: true })).toThrow(/RdsProxy: readOnlyEndpoint needs an Aurora cluster \(got postgres 16.9\)/);
    });
    test('throws on a dbProxyName RDS refuses', () => {
      expect(() => make({ dbProxyName: 'my_proxy' })).toThrow(/RdsProxy: dbProxyName must start with a letter, hold only letters, digits and single hyphens.*at most 63 characters \(got "my_proxy"\)/);
      expect(() => make({ dbProxyName: 'p'.repeat(61) }, { engine: DatabaseEngine.AURORA_POSTGRES_16 })).toThrow(/at most 60 characters \(the read-only endpoint appends "-ro"\)/);
    });
    test('accepts a valid dbProxyName', () => {
      const proxy = make({ dbProxyName: 'shop-proxy' });
      Template.fromStack(Stack.of(proxy)).hasResourceProperties('AWS::RDS::DBProxy', { DBProxyName: 'shop-proxy' });
    });
    test('throws on maxConnectionsPercent outside 1–100', () => {
      expect(() => make({ maxConnectionsPercent: 0 })).toThrow(/RdsProxy: maxConnectionsPercent must be a whole number from 1 to 100 \(got 0\)/);
      expect(() => make({ maxConnectionsPercent: 101 })).toThrow(/maxConnectionsPercent must be a whole number from 1 to 100 \(got 101\)/);
    });
    test('throws on maxIdleConnectionsPercent above maxConnectionsPercent', () => {
      expect(() => make({ maxConnectionsPercent: 40, maxIdleConnectionsPercent: 60 }))
        .toThrow(/RdsProxy: maxIdleConnectionsPercent must be a whole number from 0 to 40 \(got 60\)\. It may not exceed maxConnectionsPercent/);
    });
    test('throws on idleClientTimeout over 8 hours', () => {
      expect(() => make({ idleClientTimeout: Duration.hours(9) })).toThrow(/RdsProxy: idleClientTimeout must be whole seconds from 1 to 28800 \(got 32400 s\)\. RDS Proxy accepts 1 second to 8 hours/);
    });
    test('throws on borrowTimeout over 1 hour', () => {
      expect(() => make({ borrowTimeout: Duration.minutes(61) })).toThrow(/RdsProxy: borrowTimeout must be whole seconds from 1 to 3600 \(got 3660 s\)/);
    });
    test('throws on a timeout that is not whole seconds', () => {
      expect(() => make({ borrowTimeout: Duration.millis(1500) })).toThrow(/RdsProxy: borrowTimeout must be whole seconds from 1 to 3600 \(got 1.5 s\)/);
    });
    test('throws when grantConnect is called without iamAuth', () => {
      const { stack, db } = setup();
      const proxy = new RdsProxy(stack, 'Proxy', { database: db });
      const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      expect(() => proxy.grantConnect(role)).toThrow(/RdsProxy: grantConnect needs iamAuth: true \(got false\)/);
    });
    test('reports every error at once, the first in full', () => {
      expect(() => make({ maxConnectionsPercent: 0, borrowTimeout: Duration.hours(2) })).toThrow(/and 1 more: borrowTimeout/);
    });
  });

  describe('validators', () => {
    test.each([
      ['PostgreSQL', DatabaseEngine.POSTGRES_16],
      ['Aurora PostgreSQL', DatabaseEngine.AURORA_POSTGRES_16],
      ['Aurora MySQL', DatabaseEngine.AURORA_MYSQL_3],
    ])('%s: the stack with the proxy is cfn-lint, cdk-nag and cfn-guard clean with no acknowledgment of its own, and holds no secret', (_n, engine) => {
      const { app, stack, db } = setup({ engine });
      new RdsProxy(stack, 'Proxy', { database: db, iamAuth: true });
      expectNagClean(stack);
      expectCfnGuardClean(stack);
      if (toolOrSkip('cfn-lint')) expectCfnLintClean(synthTemplate(stack));
      expectNoSecrets(app.synth().directory);
    });
  });
});
