import {
  Aws, CfnResource, Duration, Lazy, Names, RemovalPolicy, Stack,
  aws_events as events, aws_events_targets as targets, aws_iam as iam, aws_lambda as lambda, aws_rds as rds, aws_route53 as route53,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeNag } from './acknowledgments';
import { libraryFunction } from './library-function';
import { RdsTarget } from './rds-target';
import { IRdsDatabase } from '../rds-database';
import { ReplicaControllerFunction } from '../replica-controller-function';

/** Tag key the controller puts on its replicas (kept in step with the handler). */
const MANAGED_BY_TAG = 'cdk-db-platform:replica-controller';

/** Inputs of the plain RDS controller. */
export interface ControllerSettings {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly targetCpu: number;
  readonly scaleInCooldown: Duration;
  readonly scaleOutCooldown: Duration;
  readonly readerZoneName: string;
  /** The consumer's `lambdaRuntime`, already validated. */
  readonly runtime?: lambda.Runtime;
}

/** What buildController made. */
export interface BuiltController {
  readonly fn: ReplicaControllerFunction;
  readonly zone: route53.PrivateHostedZone;
  readonly readerRecordName: string;
  readonly rule: events.Rule;
}

/**
 * The scheduled Lambda that scales read replicas of a plain RDS instance, its private hosted
 * zone (the stable reader name), and a least-privilege role.
 */
export function buildController(scope: Construct, db: IRdsDatabase, target: RdsTarget, s: ControllerSettings): BuiltController {
  const controllerId = Names.uniqueResourceName(scope, { maxLength: 128 });
  const source = sourceSettings(target, db);
  const vpc = db.vpc;
  // The database's own path when it is a construct (IndependentRds, an imported database), else its instance's.
  const dbPath = Construct.isConstruct(db) ? db.node.path : target.construct.node.path;

  const zone = new route53.PrivateHostedZone(scope, 'ReaderZone', {
    zoneName: s.readerZoneName,
    vpc,
    comment: `Reader name of ${dbPath}, kept by ${scope.node.path}`,
  });
  // The controller writes records CloudFormation does not know; a zone with records cannot be
  // deleted, so it is retained (delete it by hand after the replicas are gone).
  zone.applyRemovalPolicy(RemovalPolicy.RETAIN);
  const readerRecordName = `reader.${s.readerZoneName}`;

  let role!: iam.Role;
  const fn = libraryFunction(scope, 'Controller', {
    runtime: s.runtime,
    // The database's key also encrypts the controller's logs (a key of its own when the database's
    // key is imported and its policy cannot be extended).
    key: db.encryptionKey,
    outsideVpcReason: 'The controller only calls AWS APIs (RDS, CloudWatch, Route 53) and never connects to the database; '
      + 'inside the VPC it would need a NAT gateway or an interface endpoint per service, and gain nothing.',
  }, (base) => {
    role = new iam.Role(scope, 'ControllerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Read replica controller of ${dbPath}`,
    });
    return new ReplicaControllerFunction(scope, 'Controller', {
      role,
      logGroup: base.logGroup,
      runtime: base.runtime,
      timeout: Duration.seconds(50),
      memorySize: 256,
      reservedConcurrentExecutions: 1,
      environment: {
        SOURCE_INSTANCE_ID: target.identifier,
        CONTROLLER_ID: controllerId,
        MIN_CAPACITY: String(s.minCapacity),
        MAX_CAPACITY: String(s.maxCapacity),
        TARGET_CPU: String(s.targetCpu),
        SCALE_IN_COOLDOWN_SECONDS: String(s.scaleInCooldown.toSeconds()),
        SCALE_OUT_COOLDOWN_SECONDS: String(s.scaleOutCooldown.toSeconds()),
        HOSTED_ZONE_ID: zone.hostedZoneId,
        READER_RECORD_NAME: readerRecordName,
        ...source.environment,
      },
    });
  });

  const dbArn = (name: string) => `arn:${Aws.PARTITION}:rds:${Aws.REGION}:${Aws.ACCOUNT_ID}:db:${name}`;
  const policy = new iam.Policy(scope, 'ControllerPolicy', {
    statements: [
      new iam.PolicyStatement({
        sid: 'Logs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [fn.logGroup.logGroupArn],
      }),
      new iam.PolicyStatement({
        sid: 'ReadState',
        actions: ['rds:DescribeDBInstances', 'rds:ListTagsForResource'],
        resources: [dbArn('*')],
      }),
      new iam.PolicyStatement({
        sid: 'KeepStateOnSource',
        actions: ['rds:AddTagsToResource'],
        resources: [target.arn],
        conditions: { 'ForAllValues:StringLike': { 'aws:TagKeys': ['cdk-db-platform:last-scale-*'] } },
      }),
      new iam.PolicyStatement({
        sid: 'CreateTaggedReplicas',
        actions: ['rds:CreateDBInstanceReadReplica', 'rds:AddTagsToResource'],
        resources: [dbArn('*'), ...['subgrp', 'pg'].map((type) => `arn:${Aws.PARTITION}:rds:${Aws.REGION}:${Aws.ACCOUNT_ID}:${type}:*`)],
        conditions: { StringEquals: { [`aws:RequestTag/${MANAGED_BY_TAG}`]: controllerId } },
      }),
      new iam.PolicyStatement({
        sid: 'DeleteOwnReplicas',
        actions: ['rds:DeleteDBInstance'],
        resources: [dbArn('*')],
        conditions: { StringEquals: { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: controllerId } },
      }),
      new iam.PolicyStatement({
        sid: 'ReadCpu',
        // CloudWatch has no resource-level permissions for reading statistics.
        actions: ['cloudwatch:GetMetricStatistics'],
        resources: ['*'],
      }),
      ...source.statements(controllerId),
      new iam.PolicyStatement({
        sid: 'ReaderRecordsOnly',
        actions: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets'],
        resources: [zone.hostedZoneArn],
      }),
    ],
  });
  role.attachInlinePolicy(policy);
  acknowledgeWildcards(policy, db.alarmTopic ? controllerId : undefined);
  // Encrypted replicas are made with the database's key, on the caller's behalf.
  db.encryptionKey?.grant(role, 'kms:CreateGrant', 'kms:DescribeKey');

  // The function references the role (GetAtt) and aws-lambda also makes it depend on it
  // (cfn-lint W3005): keep the DependsOn on the role's policies only.
  const fnResource = fn.node.defaultChild as CfnResource;
  const roleResource = role.node.defaultChild as CfnResource;
  fnResource.addOverride('DependsOn', Lazy.list({
    produce: () => fnResource.obtainDependencies()
      .filter((r) => r !== roleResource)
      .map((r) => Stack.of(r).resolve((r as CfnResource).logicalId) as string)
      .sort(),
  }, { omitEmpty: true }));

  const rule = new events.Rule(scope, 'Schedule', {
    description: `Runs the read replica controller of ${dbPath} every minute`,
    schedule: events.Schedule.rate(Duration.minutes(1)),
    targets: [new targets.LambdaFunction(fn, { retryAttempts: 0 })],
  });
  return { fn, zone, readerRecordName, rule };
}

/**
 * The controller's policy names resources it creates at run time, so some of its statements end in
 * a wildcard; each is narrowed as far as the service allows (cdk-nag AwsSolutions-IAM5).
 */
function acknowledgeWildcards(policy: iam.Policy, alarmPrefix?: string): void {
  const arn = (type: string) => `Resource::arn:<AWS::Partition>:rds:<AWS::Region>:<AWS::AccountId>:${type}:*`;
  const reasons: Array<[string, string]> = [
    [arn('db'), 'Replicas get names picked at run time: DescribeDBInstances and ListTagsForResource read every instance of the account and region to find them, '
      + 'CreateDBInstanceReadReplica and AddTagsToResource require the request tag of this controller (aws:RequestTag), and DeleteDBInstance requires that tag on the instance (aws:ResourceTag).'],
    [arn('subgrp'), 'CreateDBInstanceReadReplica also authorizes the subnet group the replica is placed in, under the same aws:RequestTag condition on the controller\'s own tag.'],
    [arn('pg'), 'CreateDBInstanceReadReplica also authorizes the parameter group the replica uses, under the same aws:RequestTag condition on the controller\'s own tag.'],
    ['Resource::*', 'cloudwatch:GetMetricStatistics has no resource-level permissions; the controller reads the CPU of its replicas with it.'],
  ];
  if (alarmPrefix !== undefined) {
    reasons.push([`Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:${alarmPrefix}-*`,
      'Each replica the controller makes at run time gets alarms named after it; the controller may put and delete only the alarms whose names start with its own id.']);
  }
  for (const [finding, reason] of reasons) acknowledgeNag(policy, `AwsSolutions-IAM5[${finding}]`, reason);
}

/** What the controller copies from the source instance onto the replicas it makes, and the permissions for it. */
interface SourceSettings {
  readonly environment: { [key: string]: string };
  statements(controllerId: string): iam.PolicyStatement[];
}

/**
 * The source's Performance Insights and enhanced monitoring (read from its L1, when it is defined in
 * this app) and the database's alarm topic, as the controller's environment.
 */
function sourceSettings(target: RdsTarget, db: IRdsDatabase): SourceSettings {
  const l1 = target.instance?.node.defaultChild;
  const environment: { [key: string]: string } = {};
  let monitoringRole: string | undefined;
  if (l1 instanceof rds.CfnDBInstance) {
    if (l1.enablePerformanceInsights === true) {
      environment.PERFORMANCE_INSIGHTS = 'true';
      if (l1.performanceInsightsKmsKeyId !== undefined) environment.PERFORMANCE_INSIGHTS_KMS_KEY_ID = l1.performanceInsightsKmsKeyId;
      const retention = l1.performanceInsightsRetentionPeriod;
      if (retention !== undefined) environment.PERFORMANCE_INSIGHTS_RETENTION_DAYS = String(retention);
    }
    if (l1.monitoringInterval !== undefined && l1.monitoringInterval > 0 && l1.monitoringRoleArn !== undefined) {
      environment.MONITORING_INTERVAL = String(l1.monitoringInterval);
      environment.MONITORING_ROLE_ARN = l1.monitoringRoleArn;
      monitoringRole = l1.monitoringRoleArn;
    }
  }
  if (db.alarmTopic) environment.ALARM_TOPIC_ARN = db.alarmTopic.topicArn;
  return {
    environment,
    statements: (controllerId) => [
      ...(monitoringRole === undefined ? [] : [new iam.PolicyStatement({
        sid: 'PassMonitoringRole',
        actions: ['iam:PassRole'],
        resources: [monitoringRole],
      })]),
      ...(db.alarmTopic === undefined ? [] : [new iam.PolicyStatement({
        sid: 'OwnReplicaAlarms',
        actions: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms'],
        resources: [`arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${controllerId}-*`],
      })]),
    ],
  };
}
