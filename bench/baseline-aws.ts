import * as path from 'node:path';
import {
  App, Duration, RemovalPolicy, Stack,
  aws_cloudwatch as cloudwatch, aws_ec2 as ec2, aws_events as events, aws_events_targets as targets, aws_iam as iam,
  aws_cloudwatch_actions as cw_actions, aws_kms as kms, aws_lambda as lambda, aws_logs as logs, aws_rds as rds,
  aws_secretsmanager as secretsmanager, aws_sns as sns,
} from 'aws-cdk-lib';
import { buildAwsApp, ServiceScope } from './fixture-aws';

/**
 * The floor for the AWS benchmark: hand-written aws-cdk-lib L2 code that emits the same resource
 * types and counts as one IndependentRds (production defaults) plus one BeanstalkDatabaseBinding,
 * with no validation, presets or helpers.
 */

const EXCLUDED = " %+~`#$&*()|[]{}:;<>?!'/@\"\\";
/** The same bundled handler the library's restart function deploys. */
const RESTART_HANDLER = path.join(__dirname, '..', 'assets', 'aws', 'restart-app-servers.lambda');

function addDatabase({ stack, vpc, environment, instanceRole }: ServiceScope): void {
  // --- the database ---
  const key = new kms.Key(stack, 'DatabaseKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
  const dbSg = new ec2.SecurityGroup(stack, 'DatabaseSecurityGroup', { vpc, allowAllOutbound: false });
  const secret = new secretsmanager.Secret(stack, 'DatabaseSecret', {
    encryptionKey: key,
    removalPolicy: RemovalPolicy.RETAIN,
    generateSecretString: {
      secretStringTemplate: JSON.stringify({ username: 'dbadmin' }),
      generateStringKey: 'password',
      passwordLength: 32,
      excludeCharacters: EXCLUDED,
    },
  });
  const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.of('16.9', '16') });
  const instance = new rds.DatabaseInstance(stack, 'Database', {
    engine,
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    securityGroups: [dbSg],
    instanceType: new ec2.InstanceType('m6g.large'),
    credentials: rds.Credentials.fromSecret(secret, 'dbadmin'),
    databaseName: 'app',
    multiAz: true,
    storageEncrypted: true,
    storageEncryptionKey: key,
    deletionProtection: true,
    enablePerformanceInsights: true,
    performanceInsightRetention: rds.PerformanceInsightRetention.DEFAULT,
    performanceInsightEncryptionKey: key,
    monitoringInterval: Duration.seconds(60),
    cloudwatchLogsExports: ['postgresql', 'upgrade'],
    parameterGroup: new rds.ParameterGroup(stack, 'DatabaseParameterGroup', {
      engine,
      parameters: { 'rds.force_ssl': '1', 'log_min_duration_statement': '1000' },
    }),
    iamAuthentication: true,
    copyTagsToSnapshot: true,
    storageType: rds.StorageType.GP3,
    allocatedStorage: 20,
    maxAllocatedStorage: 100,
    backupRetention: Duration.days(7),
    preferredBackupWindow: '03:00-04:00',
    preferredMaintenanceWindow: 'sun:04:30-sun:05:30',
    removalPolicy: RemovalPolicy.RETAIN,
  });
  instance.addRotationSingleUser({ automaticallyAfter: Duration.days(30), excludeCharacters: EXCLUDED });
  // The alarms notify an encrypted topic whose key lets CloudWatch publish.
  const topicKey = new kms.Key(stack, 'AlarmTopicKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
  topicKey.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
  }));
  const topic = new sns.Topic(stack, 'AlarmTopic', { masterKey: topicKey, enforceSSL: true });
  const alarm = (id: string, metric: cloudwatch.IMetric, threshold: number, op: cloudwatch.ComparisonOperator, periods = 2) => {
    const a = new cloudwatch.Alarm(stack, id, {
      metric,
      threshold,
      comparisonOperator: op,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    a.addAlarmAction(new cw_actions.SnsAction(topic));
    a.addOkAction(new cw_actions.SnsAction(topic));
  };
  const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
  const LT = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;
  const period = Duration.minutes(5);
  alarm('CpuAlarm', instance.metricCPUUtilization({ period }), 80, GT);
  alarm('ConnectionsAlarm', instance.metricDatabaseConnections({ period }), 100, GT);
  alarm('FreeableMemoryAlarm', instance.metricFreeableMemory({ period, statistic: 'Minimum' }), 256 * 1024 * 1024, LT);
  alarm('ReadLatencyAlarm', instance.metric('ReadLatency', { period }), 0.02, GT);
  alarm('WriteLatencyAlarm', instance.metric('WriteLatency', { period }), 0.02, GT);
  alarm('FreeStorageSpaceAlarm', instance.metricFreeStorageSpace({ period, statistic: 'Minimum' }), 2 * 1024 * 1024 * 1024, LT, 1);

  // --- the binding ---
  const appSg = new ec2.SecurityGroup(stack, 'AppSecurityGroup', { vpc });
  dbSg.addIngressRule(appSg, ec2.Port.tcp(5432));
  const attached = instance.secret!;
  environment.optionSettings = [
    ...(environment.optionSettings as any[]),
    { namespace: 'aws:autoscaling:launchconfiguration', optionName: 'SecurityGroups', value: appSg.securityGroupId },
    { namespace: 'aws:elasticbeanstalk:application:environment', optionName: 'DB_HOST', value: instance.dbInstanceEndpointAddress },
    { namespace: 'aws:elasticbeanstalk:application:environment', optionName: 'DB_PORT', value: '5432' },
    { namespace: 'aws:elasticbeanstalk:application:environment', optionName: 'DB_NAME', value: 'app' },
    { namespace: 'aws:elasticbeanstalk:application:environment', optionName: 'DB_USER', value: 'dbadmin' },
    { namespace: 'aws:elasticbeanstalk:application:environment', optionName: 'DB_SSL_MODE', value: 'require' },
    { namespace: 'aws:elasticbeanstalk:application:environmentsecrets', optionName: 'DB_PASSWORD', value: `${attached.secretArn}:password` },
  ];
  instanceRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [attached.secretArn] }));
  instanceRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['kms:Decrypt'],
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(stack).region}.${Stack.of(stack).urlSuffix}` } },
  }));
  const logGroup = new logs.LogGroup(stack, 'RestartLogs', { retention: logs.RetentionDays.ONE_YEAR });
  const role = new iam.Role(stack, 'RestartRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    inlinePolicies: {
      RestartAppServer: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
          new iam.PolicyStatement({ actions: ['elasticbeanstalk:RestartAppServer'], resources: ['*'] }),
        ],
      }),
    },
  });
  const fn = new lambda.Function(stack, 'RestartFunction', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(RESTART_HANDLER),
    role,
    logGroup,
    timeout: Duration.seconds(30),
    memorySize: 256,
    environment: { ENVIRONMENT_NAME: environment.ref },
  });
  new events.Rule(stack, 'RestartOnRotation', {
    eventPattern: {
      source: ['aws.secretsmanager'],
      detailType: ['AWS Service Event via CloudTrail'],
      detail: { eventName: ['RotationSucceeded'], additionalEventData: { SecretId: [attached.secretArn] } },
    },
    targets: [new targets.LambdaFunction(fn)],
  });
}

/** `n` databases and bindings written with plain aws-cdk-lib. */
export function baselineAws(outdir: string, n: number): App {
  return buildAwsApp(outdir, n, addDatabase);
}
