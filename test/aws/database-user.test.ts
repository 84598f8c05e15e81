import { App, Duration, RemovalPolicy, Stack, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { databaseStack, networkStack, plainStack } from './fixtures';
import { DatabaseEngine, DatabasePreset, DatabaseUser, IndependentRds, IndependentRdsProps } from '../../src/aws';
import { expectCfnLintClean, synthTemplate, toolOrSkip } from '../harness';

const ref = (prefix: string) => ({ Ref: Match.stringLikeRegexp(`^${prefix}`) });
const getAtt = (prefix: string, attr: string) => ({ 'Fn::GetAtt': [Match.stringLikeRegexp(`^${prefix}`), attr] });

function setup(dbProps: Partial<IndependentRdsProps> = { databaseName: 'shop', username: 'shop' }) {
  const app = new App();
  const { vpc } = networkStack(app);
  const { stack, db } = databaseStack(app, vpc, dbProps);
  return { app, vpc, stack, db };
}

/** The resources of a template whose logical id starts with `prefix`. */
function resourcesOf(t: Template, prefix: string): Record<string, any> {
  return Object.fromEntries(Object.entries<any>(t.toJSON().Resources).filter(([id]) => id.startsWith(prefix)));
}

describe('DatabaseUser', () => {
  describe('defaults, on a PostgreSQL instance (db.addUser("shop"))', () => {
    let stack: Stack;
    let db: IndependentRds;
    let user: DatabaseUser;
    let t: Template;
    beforeAll(() => {
      ({ stack, db } = setup());
      user = db.addUser('shop');
      t = Template.fromStack(stack);
    });

    test('derives user, database and schema from the app name, and the clone name of multi-user rotation', () => {
      expect([user.username, user.databaseName, user.schemaName, user.cloneName]).toEqual(['shop_user', 'shop_db', 'shop', 'shop_user_clone']);
      expect(user.node.id).toBe('shop');
      expect(user.node.scope).toBe(db);
    });

    test('makes a 32-character secret in the RDS multi-user shape, with masterarn and the database key', () => {
      t.hasResourceProperties('AWS::SecretsManager::Secret', {
        Description: Match.stringLikeRegexp('app user shop_user'),
        KmsKeyId: getAtt('DatabaseKey', 'Arn'),
        Name: Match.absent(),
        GenerateSecretString: {
          SecretStringTemplate: { 'Fn::Join': ['', ['{"username":"shop_user","dbname":"shop_db","masterarn":"', ref('DatabaseSecretAttachment'), '"}']] },
          GenerateStringKey: 'password',
          PasswordLength: 32,
          ExcludeCharacters: " %+~`#$&*()|[]{}:;<>?!'/@\"\\",
        },
      });
    });

    test('attaches the secret to the instance (engine, host and port added by Secrets Manager)', () => {
      t.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', {
        SecretId: ref('DatabaseshopSecret'), TargetType: 'AWS::RDS::DBInstance', TargetId: ref('Database'),
      });
      expect(user.secret.node.path).toBe('Database/Database/shop/Secret/Attachment');
    });

    test('keeps the secret when the user leaves the stack (RemovalPolicy.RETAIN)', () => {
      t.hasResource('AWS::SecretsManager::Secret', { Properties: Match.objectLike({ Description: Match.stringLikeRegexp('shop_user') }), DeletionPolicy: 'Retain' });
    });

    test('provisions through a Custom::DatabaseUser with the endpoint, the two secrets and the names', () => {
      t.hasResourceProperties('Custom::DatabaseUser', {
        ServiceToken: getAtt('DatabaseshopProvisioner', 'Arn'),
        Host: getAtt('Database', 'Endpoint.Address'),
        Port: '5432',
        MasterSecretArn: ref('DatabaseSecretAttachment'),
        UserSecretArn: ref('DatabaseshopSecretAttachment'),
        DatabaseName: 'shop_db',
        Username: 'shop_user',
        CloneName: 'shop_user_clone',
        SchemaName: 'shop',
        MaintenanceDatabase: 'postgres',
      });
    });

    test('runs the provisioning Lambda in the private subnets with its own security group, trusting the RDS CAs', () => {
      t.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Timeout: 120,
        Environment: { Variables: Match.objectLike({ NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' }) },
        VpcConfig: {
          SecurityGroupIds: [getAtt('DatabaseshopProvisionerSecurityGroup', 'GroupId')],
          SubnetIds: [{ 'Fn::ImportValue': Match.stringLikeRegexp('VpcPrivateSubnet1') }, { 'Fn::ImportValue': Match.stringLikeRegexp('VpcPrivateSubnet2') }],
        },
      });
    });

    test('admits the provisioning Lambda on the database port only, and lets it out to the database and HTTPS only', () => {
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: getAtt('DatabaseSecurityGroup', 'GroupId'), SourceSecurityGroupId: getAtt('DatabaseshopProvisionerSecurityGroup', 'GroupId'), FromPort: 5432, ToPort: 5432,
      });
      t.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: Match.stringLikeRegexp('Provisioning Lambda'),
        SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() }],
      });
      t.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
        GroupId: getAtt('DatabaseshopProvisionerSecurityGroup', 'GroupId'), DestinationSecurityGroupId: getAtt('DatabaseSecurityGroup', 'GroupId'), FromPort: 5432,
      });
    });

    test('lets the provisioning Lambda read the master secret and the user\'s secret, and no other', () => {
      const policy = Object.values(resourcesOf(t, 'DatabaseshopProvisionerRoleDefaultPolicy'))[0];
      const reads = policy.Properties.PolicyDocument.Statement.filter((s: any) => s.Action === 'secretsmanager:GetSecretValue').map((s: any) => s.Resource);
      expect(reads).toEqual([{ Ref: expect.stringMatching(/^DatabaseSecretAttachment/) }, { Ref: expect.stringMatching(/^DatabaseshopSecretAttachment/) }]);
    });

    test('provisions only once the database admits the Lambda (the security group rules)', () => {
      const cr = Object.values(resourcesOf(t, 'DatabaseshopProvisioning'))[0];
      expect(cr.DependsOn).toEqual(expect.arrayContaining([
        expect.stringMatching(/^DatabaseSecurityGroupfromDatabaseshopProvisionerSecurityGroup/),
        expect.stringMatching(/^DatabaseshopProvisionerSecurityGrouptoDatabaseSecurityGroup/),
      ]));
    });

    test('rotates the user\'s secret every 30 days with the hosted multi-user application, in the VPC, with the master secret', () => {
      const apps = Object.values(resourcesOf(t, 'DatabaseshopRotation')).filter((r) => r.Type === 'AWS::Serverless::Application');
      expect(apps).toHaveLength(1);
      expect(apps[0].Properties.Parameters).toEqual(expect.objectContaining({
        masterSecretArn: { Ref: expect.stringMatching(/^DatabaseSecretAttachment/) },
        kmsKeyArn: expect.anything(),
        masterSecretKmsKeyArn: expect.anything(),
        vpcSubnetIds: expect.anything(),
      }));
      const mapping = t.toJSON().Mappings[Object.keys(t.toJSON().Mappings).find((m) => m.startsWith('DatabaseshopRotationSARMapping'))!];
      expect(mapping.aws.applicationId).toMatch(/SecretsManagerRDSPostgreSQLRotationMultiUser$/);
      t.hasResource('AWS::SecretsManager::RotationSchedule', {
        Properties: { SecretId: ref('DatabaseshopSecretAttachment'), RotationLambdaARN: Match.anyValue(), RotationRules: { ScheduleExpression: 'rate(30 days)' } },
        DependsOn: [Match.stringLikeRegexp('^DatabaseshopProvisioning')],
      });
      expect(user.rotationInterval?.toDays()).toBe(30);
    });

    test('is bound like the database: its connections, the database endpoint, its own database and user, TLS required', () => {
      expect(user.connections).toBe(db.connections);
      expect(user.connectionDetails).toEqual({ ...db.connectionDetails, databaseName: 'shop_db', username: 'shop_user' });
      expect(user.isMasterUser).toBe(false);
      expect(db.isMasterUser).toBe(true);
      expect(user.preset).toBe(DatabasePreset.PRODUCTION);
    });
  });

  test('leaves every logical id and property of the database and its master secret as they were', () => {
    const before = Template.fromStack(setup().stack).toJSON().Resources;
    const { stack, db } = setup();
    db.addUser('shop');
    db.addUser('billing');
    const after = Template.fromStack(stack).toJSON().Resources;
    for (const [id, resource] of Object.entries<any>(before)) {
      // The database's security group gains the Lambda functions' ingress rules as separate resources.
      expect({ id, resource: after[id] }).toEqual({ id, resource });
    }
  });

  test('names the secret when secretName is given, and takes other names, rotation interval and removal policy', () => {
    const { stack, db } = setup();
    const user = db.addUser('orders-api', {
      username: 'orders', databaseName: 'orders', schemaName: 'api', secretName: 'prod/orders/db-app', rotationInterval: Duration.days(7), removalPolicy: RemovalPolicy.DESTROY,
    });
    const t = Template.fromStack(stack);
    expect([user.username, user.databaseName, user.schemaName, user.cloneName, user.secretName]).toEqual(['orders', 'orders', 'api', 'orders_clone', 'prod/orders/db-app']);
    t.hasResource('AWS::SecretsManager::Secret', { Properties: Match.objectLike({ Name: 'prod/orders/db-app' }), DeletionPolicy: 'Delete' });
    t.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { SecretId: ref('Databaseordersapi'), RotationRules: { ScheduleExpression: 'rate(7 days)' } });
  });

  test('derives names with "_" from an app name with "-"', () => {
    const { db } = setup();
    const user = db.addUser('orders-api');
    expect([user.username, user.databaseName, user.schemaName]).toEqual(['orders_api_user', 'orders_api_db', 'orders_api']);
  });

  test('rotation: false makes no rotation and no rotation interval', () => {
    const { stack, db } = setup();
    const user = db.addUser('shop', { rotation: false });
    const t = Template.fromStack(stack);
    expect(Object.keys(resourcesOf(t, 'DatabaseshopRotation'))).toEqual([]);
    expect(Object.keys(resourcesOf(t, 'DatabaseshopSecretAttachmentRotationSchedule'))).toEqual([]);
    expect(user.rotationInterval).toBeUndefined();
  });

  test('on Aurora PostgreSQL: attaches to the cluster, connects to the writer endpoint once the instances are up', () => {
    const { stack, db } = setup({ engine: DatabaseEngine.AURORA_POSTGRES_16, databaseName: 'shop', username: 'shop' });
    db.addUser('shop');
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', { SecretId: ref('DatabaseshopSecret'), TargetType: 'AWS::RDS::DBCluster' });
    t.hasResourceProperties('Custom::DatabaseUser', { Host: getAtt('Database', 'Endpoint.Address') });
    const cr = Object.values(resourcesOf(t, 'DatabaseshopProvisioning'))[0];
    expect(cr.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^DatabaseWriter/), expect.stringMatching(/^DatabaseReader1/)]));
  });

  test('passes cfn-lint, on an instance and on Aurora, with two users', () => {
    if (!toolOrSkip('cfn-lint')) return;
    for (const engine of [DatabaseEngine.POSTGRES_16, DatabaseEngine.AURORA_POSTGRES_16]) {
      const { stack, db } = setup({ engine, databaseName: 'shop', username: 'shop' });
      db.addUser('shop');
      db.addUser('billing', { rotation: false });
      expectCfnLintClean(synthTemplate(stack));
    }
  });

  test('can be made with new DatabaseUser() in the database\'s stack', () => {
    const { stack, db } = setup();
    const user = new DatabaseUser(stack, 'ShopUser', { database: db, appName: 'shop' });
    expect(user.username).toBe('shop_user');
    Template.fromStack(stack).resourceCountIs('Custom::DatabaseUser', 1);
  });

  test('warns that isolated subnets need a Secrets Manager endpoint', () => {
    const { stack, db } = setup();
    db.addUser('shop', { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    Annotations.fromStack(stack).hasWarning('/Database/Database/shop', Match.stringLikeRegexp('isolated subnets.*Secrets Manager interface endpoint'));
  });

  describe('errors', () => {
    const add = (options: Parameters<IndependentRds['addUser']>[1] = {}, appName = 'shop', dbProps?: Partial<IndependentRdsProps>) => {
      const { db } = setup(dbProps);
      return () => db.addUser(appName, options);
    };

    test('throws for MySQL and MariaDB, naming the engine and the fix', () => {
      expect(add({}, 'shop', { engine: DatabaseEngine.MYSQL_8_0 })).toThrow(/DatabaseUser: database must be PostgreSQL or Aurora PostgreSQL for an app user \(got mysql 8\.0\.\d+\)\. .*bind the master user/);
      expect(add({}, 'shop', { engine: DatabaseEngine.MARIADB_11_4 })).toThrow(/DatabaseUser: database must be PostgreSQL or Aurora PostgreSQL for an app user \(got mariadb/);
      expect(add({}, 'shop', { engine: DatabaseEngine.AURORA_MYSQL_3 })).toThrow(/DatabaseUser: database must be PostgreSQL or Aurora PostgreSQL for an app user \(got aurora-mysql/);
    });
    test('throws for a user name without room for "_clone"', () => {
      expect(add({ username: 'u'.repeat(58) })).toThrow(/DatabaseUser: username must be at most 57 bytes .*multi-user rotation adds '_clone'/);
    });
    test('throws for a user name ending with "_clone"', () => {
      expect(add({ username: 'shop_clone' })).toThrow(/DatabaseUser: username must not end with '_clone' \(got "shop_clone"\)/);
    });
    test('throws for the master user\'s name', () => {
      expect(add({ username: 'shop' })).toThrow(/DatabaseUser: username must differ from the master user \(got "shop"/);
    });
    test('throws for an RDS role', () => {
      expect(add({ username: 'rds_superuser' })).toThrow(/DatabaseUser: username must not be a role RDS keeps for itself/);
    });
    test('throws for a user name that is no PostgreSQL identifier', () => {
      expect(add({ username: 'shop-user' })).toThrow(/DatabaseUser: username must be a PostgreSQL identifier/);
    });
    test('throws for the database created at launch (the master\'s)', () => {
      expect(add({ databaseName: 'shop' })).toThrow(/DatabaseUser: databaseName must not be the database created at launch \(got "shop"/);
    });
    test('throws for a server database', () => {
      expect(add({ databaseName: 'postgres' })).toThrow(/DatabaseUser: databaseName must not be a reserved database \(got "postgres"\)/);
      expect(add({ databaseName: 'rdsadmin' })).toThrow(/DatabaseUser: databaseName must not be 'rdsadmin'/);
    });
    test('throws for a system schema', () => {
      expect(add({ schemaName: 'public' })).toThrow(/DatabaseUser: schemaName must not be a system schema/);
    });
    test('throws for an app name that is not lower-case letters, digits, "_" and "-"', () => {
      expect(add({}, 'Shop App')).toThrow(/DatabaseUser: appName must be 1-46 lower-case letters, digits, '_' or '-', starting with a letter/);
    });
    test('throws for a secret name that is an ARN', () => {
      expect(add({ secretName: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:x' })).toThrow(/DatabaseUser: secretName must be the secret's name, not its ARN/);
    });
    test('throws for a rotation interval outside 1-1000 days', () => {
      expect(add({ rotationInterval: Duration.hours(12) })).toThrow(/DatabaseUser: rotationInterval must be 1–1000 days \(got 0\.5\)/);
    });
    test('throws for public subnets', () => {
      expect(add({ vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } })).toThrow(/DatabaseUser: vpcSubnets selects PUBLIC subnets/);
    });
    test('throws when the subnets select nothing', () => {
      const app = new App();
      const network = plainStack(app, 'Net');
      const vpc = new ec2.Vpc(network, 'Vpc', {
        maxAzs: 2,
        natGateways: 0,
        subnetConfiguration: [
          { name: 'Public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        ],
      });
      const db = new IndependentRds(plainStack(app, 'Db'), 'Database', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
      expect(() => db.addUser('shop')).toThrow(/DatabaseUser: vpcSubnets selects no usable subnets in the database's VPC/);
    });
    test('throws for two users of one database with the same user name or database', () => {
      const { db } = setup();
      db.addUser('shop');
      expect(() => db.addUser('shop2', { username: 'shop_user' })).toThrow(/DatabaseUser: username must be unique among the users of one database \(got "shop_user", already used by Database\/Database\/shop\)/);
      expect(() => db.addUser('shop3', { databaseName: 'shop_db' })).toThrow(/DatabaseUser: databaseName must be unique among the users of one database \(got "shop_db", already owned by Database\/Database\/shop\)/);
    });
    test('throws every problem at once', () => {
      expect(add({ username: 'shop_clone', schemaName: 'public' })).toThrow(/username must not end with '_clone'.*\(and 1 more: schemaName must not be a system schema/);
    });
  });
});
