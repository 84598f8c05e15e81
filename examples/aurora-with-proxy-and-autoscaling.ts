import * as cdk from 'aws-cdk-lib';
import { Validations, aws_ec2 as ec2, aws_elasticbeanstalk as elasticbeanstalk, aws_iam as iam } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BeanstalkDatabaseBinding, DatabaseEngine, IndependentRds, RdsProxy, ReplicaAutoscaling } from '../src/aws';


/**
 * Aurora PostgreSQL behind RDS Proxy, with readers that follow the load, bound to Elastic Beanstalk:
 *
 * - `Network`: the VPC;
 * - `Database`: an IndependentRds on Aurora PostgreSQL (production preset: RETAIN, a writer and a
 *   reader), an RdsProxy in front of it (TLS required, the cluster admits only the proxy), and
 *   ReplicaAutoscaling (Application Auto Scaling, 1–3 readers at 70% CPU);
 * - `App`: the Elastic Beanstalk environment, bound to the app's own user (`db.addUser('shop')`)
 *   through the proxy: DB_HOST is the proxy endpoint and DB_READ_HOST its read-only endpoint.
 *
 * Readers added by autoscaling are not in the template: deleting the `Database` stack leaves the
 * retained cluster and those readers alone (delete them by hand if the cluster is to go).
 */
// Environment-agnostic stacks: availability zones resolve at deploy time (Fn::GetAZs), never hard-coded.
export function build(outdir: string): { aws?: cdk.App } {
  const app = new cdk.App({ outdir });

  // --- network ---
  const network = new cdk.Stack(app, 'Network');
  const vpc = new ec2.Vpc(network, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    subnetConfiguration: [
      // Only NAT gateways and load balancers live here; nothing gets a public IP by itself.
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const flowLog = vpc.addFlowLog('FlowLog');
  // VPC flow logs hold connection metadata only (addresses, ports, byte counts), which CloudWatch
  // Logs encrypts at rest with its own key; a customer managed key would add a key policy to keep.
  Validations.of(flowLog).acknowledge({
    id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
    reason: 'VPC flow logs hold connection metadata only; CloudWatch Logs encrypts them at rest with its own key.',
  });

  // --- database (its own stack, its own lifecycle) ---
  // Termination protection: deleting this stack must be a deliberate, two-step act.
  const data = new cdk.Stack(app, 'Database', { terminationProtection: true });
  const db = new IndependentRds(data, 'Database', {
    vpc, engine: DatabaseEngine.AURORA_POSTGRES_16, databaseName: 'shop', username: 'shop',
  });
  // The app's own user; the proxy logs in with its secret too (forUser, below).
  const shopUser = db.addUser('shop');
  const proxy = new RdsProxy(data, 'Proxy', { database: db });
  new ReplicaAutoscaling(data, 'ReadScaling', { database: db });

  // --- app ---
  const appStack = new cdk.Stack(app, 'App');
  const ebApp = new elasticbeanstalk.CfnApplication(appStack, 'Application', { applicationName: 'shop-proxy' });

  const instanceRole = new iam.Role(appStack, 'InstanceRole', {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    description: 'Elastic Beanstalk instances of the shop environment',
    inlinePolicies: {
      // LogPublicationControl: instances upload rotated logs to the Elastic Beanstalk bucket.
      PublishLogs: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            actions: ['s3:PutObject'],
            resources: [`arn:${cdk.Aws.PARTITION}:s3:::elasticbeanstalk-${cdk.Aws.REGION}-${cdk.Aws.ACCOUNT_ID}/resources/environments/logs/*`],
          }),
        ],
      }),
    },
  });
  const instanceProfile = new iam.CfnInstanceProfile(appStack, 'InstanceProfile', { roles: [instanceRole.roleName] });

  const serviceRole = new iam.Role(appStack, 'ServiceRole', {
    assumedBy: new iam.ServicePrincipal('elasticbeanstalk.amazonaws.com'),
    description: 'Elastic Beanstalk service role: enhanced health and managed platform updates',
    managedPolicies: [
      iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSElasticBeanstalkEnhancedHealth'),
      iam.ManagedPolicy.fromAwsManagedPolicyName('AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy'),
    ],
  });

  const environment = new elasticbeanstalk.CfnEnvironment(appStack, 'Environment', {
    applicationName: ebApp.applicationName!,
    environmentName: 'shop-proxy-prod',
    solutionStackName: '64bit Amazon Linux 2023 v6.6.0 running Node.js 22',
    optionSettings: [
      // EB1: instances and load balancer in the VPC.
      { namespace: 'aws:ec2:vpc', optionName: 'VPCId', value: vpc.vpcId },
      { namespace: 'aws:ec2:vpc', optionName: 'Subnets', value: vpc.privateSubnets.map((s) => s.subnetId).join(',') },
      { namespace: 'aws:ec2:vpc', optionName: 'ELBSubnets', value: vpc.publicSubnets.map((s) => s.subnetId).join(',') },
      { namespace: 'aws:ec2:vpc', optionName: 'AssociatePublicIpAddress', value: 'false' },
      { namespace: 'aws:autoscaling:launchconfiguration', optionName: 'IamInstanceProfile', value: instanceProfile.ref },
      { namespace: 'aws:autoscaling:launchconfiguration', optionName: 'DisableIMDSv1', value: 'true' },
      { namespace: 'aws:elasticbeanstalk:environment', optionName: 'EnvironmentType', value: 'LoadBalanced' },
      { namespace: 'aws:elasticbeanstalk:environment', optionName: 'LoadBalancerType', value: 'application' },
      { namespace: 'aws:elasticbeanstalk:environment', optionName: 'ServiceRole', value: serviceRole.roleArn },
      { namespace: 'aws:elasticbeanstalk:healthreporting:system', optionName: 'SystemType', value: 'enhanced' },
      // EB3: managed platform updates.
      { namespace: 'aws:elasticbeanstalk:managedactions', optionName: 'ManagedActionsEnabled', value: 'true' },
      { namespace: 'aws:elasticbeanstalk:managedactions', optionName: 'PreferredStartTime', value: 'Sun:02:00' },
      { namespace: 'aws:elasticbeanstalk:managedactions:platformupdate', optionName: 'UpdateLevel', value: 'minor' },
      // EB4: instance logs published to S3, and streamed to CloudWatch Logs.
      { namespace: 'aws:elasticbeanstalk:hostmanager', optionName: 'LogPublicationControl', value: 'true' },
      { namespace: 'aws:elasticbeanstalk:cloudwatch:logs', optionName: 'StreamLogs', value: 'true' },
      { namespace: 'aws:elasticbeanstalk:cloudwatch:logs', optionName: 'RetentionInDays', value: '365' },
    ],
  });

  // Bound to the app user through the proxy: DB_HOST is the proxy endpoint, DB_READ_HOST its
  // read-only endpoint, DB_USER and DB_PASSWORD come from the user's secret, and only the proxy
  // admits the Beanstalk instances.
  new BeanstalkDatabaseBinding(appStack, 'DatabaseBinding', { database: proxy.forUser(shopUser), environment, instanceRole, vpc });

  Validations.of(instanceRole).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::elasticbeanstalk-<AWS::Region>-<AWS::AccountId>/resources/environments/logs/*]',
    reason: 'Log publication writes objects with generated names under the environment log prefix of the Elastic Beanstalk bucket; the prefix is as narrow as Elastic Beanstalk allows.',
  });
  for (const policy of ['service-role/AWSElasticBeanstalkEnhancedHealth', 'AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy']) {
    Validations.of(serviceRole).acknowledge({
      id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}]`,
      reason: 'The AWS-maintained Elastic Beanstalk service policies for enhanced health and managed platform updates; AWS keeps them in step with what the service calls.',
    });
  }

  // Every stack is checked at synth time by cdk-nag's AwsSolutions pack and by AWS Control Tower's
  // proactive controls (cfn-guard); a finding fails the synthesis. The library acknowledges, with
  // its reasons, the rules it disagrees with on its own resources: only this app's resources need
  // acknowledgments here.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CfnGuardValidator());

  return { aws: app };
}

if (require.main === module) {
  const apps = build(process.env.CDK_OUTDIR ?? 'cdk.out');
  apps.aws?.synth();
}
