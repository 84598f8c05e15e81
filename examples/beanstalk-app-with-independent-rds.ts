import * as cdk from 'aws-cdk-lib';
import { Validations, aws_ec2 as ec2, aws_elasticbeanstalk as elasticbeanstalk, aws_iam as iam } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { BeanstalkDatabaseBinding, DatabaseConnectionParameters, IndependentRds } from '../src/aws';

/**
 * The recommended layout for a database outside Elastic Beanstalk, as three stacks with three lifecycles:
 *
 * - `Network`: the VPC, shared by everything else;
 * - `Database`: an IndependentRds (production preset: Multi-AZ, deletion protection, RETAIN) and
 *   the app's own database user (`db.addUser('shop')`), rotated with alternating users;
 * - `App`: the Elastic Beanstalk application and environment, bound to that user.
 *
 * Deleting or rebuilding the `App` stack (or terminating the environment) leaves the database
 * and its data alone. The other way round, the `App` stack holds no export of the `Database` stack:
 * the database stack publishes the user's connection in Parameter Store
 * (DatabaseConnectionParameters) and the app stack reads it when it deploys, so replacing or
 * restoring the database (a new endpoint) is never blocked by the app stack.
 */
// Environment-agnostic stacks: availability zones resolve at deploy time (Fn::GetAZs), never hard-coded.
export function build(outdir: string): { aws?: cdk.App } {
  const app = new cdk.App({ outdir });
  addShopStacks(app);
  return { aws: app };
}

/** The three stacks of the layout, created in `scope` (an App, or a Stage of a pipeline: see pipeline.ts). */
export interface ShopStacks {
  readonly network: cdk.Stack;
  readonly database: cdk.Stack;
  readonly app: cdk.Stack;
}

/** Creates the `Network`, `Database` and `App` stacks in `scope`. */
export function addShopStacks(scope: Construct): ShopStacks {
  const app = scope;

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
  const db = new IndependentRds(data, 'Database', { vpc, databaseName: 'shop', username: 'shop' });
  // The app's own user (shop_user, database shop_db, schema shop), rotated with alternating users;
  // the master user 'shop' stays for administration.
  const shopUser = db.addUser('shop');
  // Host, security group and secret of the app user, as SSM parameters under /shop/prod/database:
  // the app stack reads them at deployment instead of importing CloudFormation exports.
  const shopConnection = new DatabaseConnectionParameters(data, 'ShopConnection', { database: shopUser, parameterPrefix: '/shop/prod/database' });

  // --- app ---
  const appStack = new cdk.Stack(app, 'App');
  const ebApp = new elasticbeanstalk.CfnApplication(appStack, 'Application', { applicationName: 'shop' });

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
    environmentName: 'shop-prod',
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

  // One line: security group, DB_* variables, DB_USER and DB_PASSWORD from the app user's secret,
  // read access to that secret alone, and app-server restarts when it rotates. The user is read
  // from the published parameters, so the App stack has no Fn::ImportValue of a database value.
  const shopDatabase = shopConnection.bindableIn(appStack, 'ShopDatabase');
  new BeanstalkDatabaseBinding(appStack, 'DatabaseBinding', { database: shopDatabase, environment, instanceRole, vpc });

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

  return { network, database: data, app: appStack };
}

if (require.main === module) {
  const apps = build(process.env.CDK_OUTDIR ?? 'cdk.out');
  apps.aws?.synth();
}
