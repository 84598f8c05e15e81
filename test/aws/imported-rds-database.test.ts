import {
  App, CfnParameter, Stack,
  aws_ec2 as ec2, aws_elasticbeanstalk as elasticbeanstalk, aws_iam as iam, aws_kms as kms, aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  BeanstalkDatabaseBinding, DatabaseEngine, IndependentRds, IndependentRdsAttributes, IRdsDatabase, RdsProxy, ReplicaAutoscaling,
} from '../../src/aws';
import { expectCfnLintClean, synthTemplate, toolOrSkip } from '../harness';
import { networkStack, plainStack } from './fixtures';

/**
 * Databases made elsewhere, imported with IndependentRds.fromDatabaseAttributes, work wherever an
 * IndependentRds does: behind an RdsProxy, with ReplicaAutoscaling, and bound to Elastic Beanstalk.
 */

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/shop/db-master-AbCdEf';
const KEY_ARN = 'arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555';

interface Imported {
  readonly app: App;
  readonly vpc: ec2.IVpc;
  /** The stack that imports the database (and holds the proxy or scaling). */
  readonly stack: Stack;
  readonly db: IRdsDatabase;
}

function importDatabase(kind: 'instance' | 'cluster', overrides: Partial<IndependentRdsAttributes> = {}): Imported {
  const app = new App();
  const { vpc } = networkStack(app);
  const stack = plainStack(app, 'Imports');
  const secret = secretsmanager.Secret.fromSecretAttributes(stack, 'Secret', {
    secretCompleteArn: SECRET_ARN,
    encryptionKey: kms.Key.fromKeyArn(stack, 'SecretKey', KEY_ARN),
  });
  const common = {
    vpc,
    port: 5432,
    databaseName: 'shop',
    username: 'shop',
    secret,
    securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'DbSg', 'sg-0123456789abcdef0')],
    encryptionKey: kms.Key.fromKeyArn(stack, 'StorageKey', KEY_ARN),
  };
  const attrs: IndependentRdsAttributes = kind === 'instance'
    ? { ...common, engine: DatabaseEngine.POSTGRES_16, instanceIdentifier: 'shop-db', endpointAddress: 'shop-db.abcdefghijkl.us-east-1.rds.amazonaws.com' }
    : {
      ...common,
      engine: DatabaseEngine.AURORA_POSTGRES_16,
      clusterIdentifier: 'shop-cluster',
      endpointAddress: 'shop-cluster.cluster-abcdefghijkl.us-east-1.rds.amazonaws.com',
      readerEndpointAddress: 'shop-cluster.cluster-ro-abcdefghijkl.us-east-1.rds.amazonaws.com',
      readReplicaCount: 1,
    };
  const db = IndependentRds.fromDatabaseAttributes(stack, 'Database', { ...attrs, ...overrides });
  return { app, vpc, stack, db };
}

/** An app stack with an Elastic Beanstalk environment bound to `database`. */
function bindBeanstalk(app: App, vpc: ec2.IVpc, database: RdsProxy | IRdsDatabase, readerHost?: string) {
  const stack = plainStack(app, 'App');
  const instanceRole = new iam.Role(stack, 'InstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const environment = new elasticbeanstalk.CfnEnvironment(stack, 'Environment', {
    applicationName: 'shop',
    solutionStackName: '64bit Amazon Linux 2023 v6.6.0 running Node.js 22',
    optionSettings: [{ namespace: 'aws:ec2:vpc', optionName: 'VPCId', value: vpc.vpcId }],
  });
  const binding = new BeanstalkDatabaseBinding(stack, 'Binding', { database, environment, instanceRole, vpc, readerHost });
  return { stack, binding, instanceRole };
}

function settings(stack: Stack): { [name: string]: unknown } {
  const env = Object.values<any>(Template.fromStack(stack).findResources('AWS::ElasticBeanstalk::Environment'))[0];
  return Object.fromEntries((env.Properties.OptionSettings as any[])
    .filter((s) => s.Namespace.startsWith('aws:elasticbeanstalk:application:environment'))
    .map((s) => [s.OptionName, s.Value]));
}

function lint(stack: Stack): void {
  if (toolOrSkip('cfn-lint')) expectCfnLintClean(synthTemplate(stack));
}

describe('IndependentRds.fromDatabaseAttributes', () => {
  describe('an imported PostgreSQL instance', () => {
    test('is an RDS database with an instance, its connection details and its security groups', () => {
      const { stack, db } = importDatabase('instance');
      expect(db.instance!.instanceIdentifier).toBe('shop-db');
      expect(db.cluster).toBeUndefined();
      expect(db.connectionDetails.port).toBe(5432);
      expect(db.connections.securityGroups.map((sg) => sg.securityGroupId)).toEqual(['sg-0123456789abcdef0']);
      Template.fromStack(stack).resourceCountIs('AWS::RDS::DBInstance', 0);
    });

    test('works behind an RdsProxy: the proxy targets the instance by identifier and is admitted on its security group', () => {
      // GIVEN
      const { stack, db } = importDatabase('instance');
      // WHEN
      const proxy = new RdsProxy(stack, 'Proxy', { database: db });
      // THEN
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::RDS::DBProxy', { EngineFamily: 'POSTGRESQL', Auth: [Match.objectLike({ SecretArn: SECRET_ARN })] });
      t.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', { DBInstanceIdentifiers: ['shop-db'] });
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: 'sg-0123456789abcdef0', FromPort: 5432, SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProxySecurityGroup'), 'GroupId'] },
      });
      t.resourceCountIs('AWS::RDS::DBProxyEndpoint', 0);
      expect(proxy.connectionDetails.databaseName).toBe('shop');
      lint(stack);
    });

    test('can be bound to Elastic Beanstalk: literal DB_* values, user and password from the secret, the port opened on its security group, the secret granted', () => {
      const { app, vpc, db } = importDatabase('instance');
      const { stack } = bindBeanstalk(app, vpc, db);
      expect(settings(stack)).toEqual({
        DB_HOST: 'shop-db.abcdefghijkl.us-east-1.rds.amazonaws.com',
        DB_PORT: '5432',
        DB_NAME: 'shop',
        DB_USER: `${SECRET_ARN}:username`,
        DB_PASSWORD: `${SECRET_ARN}:password`,
      });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0123456789abcdef0', FromPort: 5432, ToPort: 5432 });
      t.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [
            { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: SECRET_ARN },
            { Action: 'kms:Decrypt', Effect: 'Allow', Resource: KEY_ARN, Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } } },
          ],
        },
      });
      lint(stack);
    });

    test('takes ReplicaAutoscaling: the controller scales replicas of the instance by identifier, with the storage key', () => {
      const { stack, db } = importDatabase('instance');
      const scaling = new ReplicaAutoscaling(stack, 'ReadScaling', { database: db, readerZoneName: 'shop.db.internal' });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ SOURCE_INSTANCE_ID: 'shop-db' }) } });
      const policy = Object.values<any>(t.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p).includes('KeepStateOnSource'));
      const keepState = policy.Properties.PolicyDocument.Statement.find((st: any) => st.Sid === 'KeepStateOnSource');
      expect(JSON.stringify(keepState.Resource)).toContain(':db:shop-db');
      t.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['kms:CreateGrant', 'kms:DescribeKey'], Resource: KEY_ARN })]) },
      });
      expect(scaling.readerHost).toBe('reader.shop.db.internal');
      lint(stack);
    });
  });

  describe('an imported Aurora PostgreSQL cluster', () => {
    test('is an RDS database with a cluster and its reader endpoint as reader host', () => {
      const { db } = importDatabase('cluster');
      expect(db.cluster!.clusterIdentifier).toBe('shop-cluster');
      expect(db.instance).toBeUndefined();
      expect(db.connectionDetails.readerHost).toBe('shop-cluster.cluster-ro-abcdefghijkl.us-east-1.rds.amazonaws.com');
      expect(db.readReplicaCount).toBe(1);
    });

    test('works behind an RdsProxy, with a read-only endpoint, and the proxy can be bound', () => {
      // GIVEN
      const { app, vpc, stack, db } = importDatabase('cluster');
      // WHEN
      const proxy = new RdsProxy(stack, 'Proxy', { database: db });
      const { stack: appStack } = bindBeanstalk(app, vpc, proxy);
      // THEN
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', { DBClusterIdentifiers: ['shop-cluster'] });
      t.hasResourceProperties('AWS::RDS::DBProxyEndpoint', { TargetRole: 'READ_ONLY' });
      const env = settings(appStack);
      expect(env.DB_PORT).toBe('5432');
      expect(env.DB_SSL_MODE).toBe('require');
      expect(JSON.stringify(env.DB_HOST)).toContain('ExportsOutputFnGetAttProxy');
      expect(JSON.stringify(env.DB_READ_HOST)).toContain('ReadOnlyEndpoint');
      lint(stack);
      lint(appStack);
    });

    test('can be bound directly: DB_READ_HOST is the reader endpoint', () => {
      const { app, vpc, db } = importDatabase('cluster');
      const { stack } = bindBeanstalk(app, vpc, db);
      expect(settings(stack).DB_READ_HOST).toBe('shop-cluster.cluster-ro-abcdefghijkl.us-east-1.rds.amazonaws.com');
      lint(stack);
    });

    test('takes ReplicaAutoscaling: Application Auto Scaling on the cluster by identifier, the reader endpoint as reader host', () => {
      const { stack, db } = importDatabase('cluster');
      const scaling = new ReplicaAutoscaling(stack, 'ReadScaling', { database: db });
      Template.fromStack(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        ResourceId: 'cluster:shop-cluster', ScalableDimension: 'rds:cluster:ReadReplicaCount',
      });
      expect(scaling.readerHost).toBe('shop-cluster.cluster-ro-abcdefghijkl.us-east-1.rds.amazonaws.com');
      lint(stack);
    });

    test('the scaling reader host can be passed to a binding as readerHost', () => {
      const { app, vpc, stack, db } = importDatabase('instance');
      const scaling = new ReplicaAutoscaling(stack, 'ReadScaling', { database: db, readerZoneName: 'shop.db.internal' });
      const { stack: appStack } = bindBeanstalk(app, vpc, db, scaling.readerHost);
      expect(settings(appStack).DB_READ_HOST).toBe('reader.shop.db.internal');
    });
  });

  describe('validation', () => {
    test('throws when the instance engine is given a clusterIdentifier', () => {
      expect(() => importDatabase('instance', { clusterIdentifier: 'shop-cluster' })).toThrow(
        /IndependentRds.fromDatabaseAttributes: clusterIdentifier does not apply to postgres 16.9, which runs as an instance \(got "shop-cluster"\)\. Give instanceIdentifier instead/,
      );
    });

    test('throws when an Aurora engine is given an instanceIdentifier', () => {
      expect(() => importDatabase('cluster', { instanceIdentifier: 'shop-db' })).toThrow(/instanceIdentifier does not apply to aurora-postgresql 16.6, which runs as a cluster/);
    });

    test('throws when the identifier is missing', () => {
      expect(() => importDatabase('instance', { instanceIdentifier: undefined })).toThrow(
        /IndependentRds.fromDatabaseAttributes: instanceIdentifier must identify the DB instance of postgres 16.9 \(got undefined\)/,
      );
    });

    test('throws when the port is an unresolved token', () => {
      const app = new App();
      const port = new CfnParameter(new Stack(app, 'P'), 'Port', { type: 'Number' }).valueAsNumber;
      expect(() => importDatabase('instance', { port })).toThrow(/IndependentRds.fromDatabaseAttributes: port must be a number known at synth time \(got an unresolved token\)/);
    });

    test('throws when the port is out of range', () => {
      expect(() => importDatabase('instance', { port: 80 })).toThrow(/port must be a whole number from 1150 to 65535 \(got 80\)/);
    });

    test('throws when the endpoint address is not a host name', () => {
      expect(() => importDatabase('instance', { endpointAddress: 'shop-db:5432' })).toThrow(/endpointAddress must not include a port/);
    });

    test('throws when there is no security group', () => {
      expect(() => importDatabase('instance', { securityGroups: [] })).toThrow(/securityGroups must hold the security groups of the database \(got none\)/);
    });

    test('throws when readReplicaCount is out of range', () => {
      expect(() => importDatabase('cluster', { readReplicaCount: 16 })).toThrow(/readReplicaCount must be a whole number from 0 to 15 \(got 16\)/);
    });

    test('throws listing every problem at once', () => {
      expect(() => importDatabase('instance', { port: 80, securityGroups: [] })).toThrow(/port must be .*\(and 1 more: securityGroups must hold/);
    });

    test('ReplicaAutoscaling throws on a cluster imported without its reader endpoint', () => {
      const { stack, db } = importDatabase('cluster', { readerEndpointAddress: undefined });
      expect(() => new ReplicaAutoscaling(stack, 'ReadScaling', { database: db })).toThrow(
        /ReplicaAutoscaling: database must know the cluster's reader endpoint \(got none on aurora-postgresql 16.6\)\. Import the cluster with readerEndpointAddress/,
      );
    });

    test('RdsProxy and ReplicaAutoscaling throw on a database with both an instance and a cluster', () => {
      const instance = importDatabase('instance');
      const cluster = importDatabase('cluster');
      const both: IRdsDatabase = Object.assign(Object.create(instance.db), { cluster: cluster.db.cluster });
      expect(() => new RdsProxy(instance.stack, 'Proxy', { database: both })).toThrow(
        /RdsProxy: database must have an instance for postgres 16.9 and nothing else \(got both an instance and a cluster\)/,
      );
      expect(() => new ReplicaAutoscaling(instance.stack, 'ReadScaling', { database: both })).toThrow(/ReplicaAutoscaling: database must have an instance/);
    });

    test('RdsProxy throws on an Aurora database without its cluster', () => {
      const { stack, db } = importDatabase('cluster');
      const neither: IRdsDatabase = Object.assign(Object.create(db), { cluster: undefined });
      expect(() => new RdsProxy(stack, 'Proxy', { database: neither })).toThrow(/RdsProxy: database must have a cluster for aurora-postgresql 16.6 and nothing else \(got neither an instance nor a cluster\)/);
    });
  });
});
