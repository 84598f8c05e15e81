// A consumer's CDK app: every public AWS construct of cdk-db-platform, imported from the package.
import * as cdk from 'aws-cdk-lib';
import { aws_ec2 as ec2, aws_elasticbeanstalk as elasticbeanstalk, aws_iam as iam } from 'aws-cdk-lib';
import {
  BeanstalkDatabaseBinding, DatabaseEngine, DatabasePreset, EbExtensions, IndependentRds, RdsProxy,
  ReplicaAutoscaling, SecretDelivery, SecretReferenceFor,
} from 'cdk-db-platform';

const app = new cdk.App();
const network = new cdk.Stack(app, 'Network');
const vpc = new ec2.Vpc(network, 'Vpc', { maxAzs: 2, natGateways: 1 });

const data = new cdk.Stack(app, 'Database', { terminationProtection: true });
const db = new IndependentRds(data, 'Database', { vpc, databaseName: 'shop', secretName: 'consumer/shop/db-master' });
db.addReplicaAutoscaling('ReadScaling', { maxCapacity: 2 });
const aurora = new IndependentRds(data, 'Aurora', { vpc, engine: DatabaseEngine.AURORA_POSTGRES_16, preset: DatabasePreset.DEVELOPMENT, readReplicas: 1 });
const proxy = new RdsProxy(data, 'AuroraProxy', { database: aurora });
new ReplicaAutoscaling(data, 'AuroraScaling', { database: aurora, minCapacity: 1, maxCapacity: 2 });

const appStack = new cdk.Stack(app, 'App');
const instanceRole = new iam.Role(appStack, 'InstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
const environment = (name: string) => new elasticbeanstalk.CfnEnvironment(appStack, name, {
  applicationName: 'shop',
  solutionStackName: '64bit Amazon Linux 2023 v6.6.0 running Node.js 22',
  optionSettings: [{ namespace: 'aws:ec2:vpc', optionName: 'VPCId', value: vpc.vpcId }],
});
new BeanstalkDatabaseBinding(appStack, 'ShopBinding', { database: db, environment: environment('Shop'), instanceRole, vpc });
new BeanstalkDatabaseBinding(appStack, 'ReportsBinding', {
  database: proxy, environment: environment('Reports'), instanceRole, vpc, secretDelivery: SecretDelivery.secretArnOnly(),
});

// The typed link to the Kubernetes side, and a file for the app's source bundle.
const ref = SecretReferenceFor.independentRds(db);
if (ref.secretName !== 'consumer/shop/db-master') throw new Error(`unexpected secret name ${ref.secretName}`);
if (!EbExtensions.migrationsConfig({ command: 'npm run migrate' }).includes('leader_only: true')) throw new Error('no leader_only');

app.synth();
