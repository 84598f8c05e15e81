import {
  Duration, RemovalPolicy, Stack, Token, aws_cloudwatch as cloudwatch, aws_ec2 as ec2, aws_kms as kms, aws_rds as rds, aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DatabaseEngine } from './database-engine';
import { acknowledgeGuard, acknowledgeNag } from './private/acknowledgments';
import { crossRegionReplicaProblems } from './private/cross-region-replica-problems';
import { libraryKey } from './private/kms-policy';
import { acknowledgeRdsChoices } from './private/rds-acknowledgments';
import { createAlarms, defaultAlarmTopic } from './private/rds-alarms';
import { throwIfAny } from '../core/private/validators';

/** Properties of a CrossRegionReplica. */
export interface CrossRegionReplicaProps {
  /**
   * ARN of the source DB instance, in another region than this stack's, e.g.
   * `arn:aws:rds:eu-west-1:123456789012:db:shop-db` (a stack output of the database stack, written
   * here as text: a reference to a stack of another region would need cross-region references).
   */
  readonly sourceInstanceArn: string;

  /** The engine and version of the source (the replica runs the same; it gives the parameter group family and the port). */
  readonly engine: DatabaseEngine;

  /** The VPC of this region the replica lives in. */
  readonly vpc: ec2.IVpc;

  /**
   * Subnets for the replica (private or isolated; public subnets are refused).
   * @default - { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Instance class, `db.<family>.<size>`. Size it to take the primary's load after a promotion.
   * @default 'db.m6g.large'
   */
  readonly instanceClass?: string;

  /**
   * KMS key of this region that encrypts the replica's storage and Performance Insights (RDS
   * re-encrypts a cross-region replica with a key of its own region).
   * @default - a new key with rotation on, retained when the stack is deleted
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Standby in a second AZ of this region. A DR replica usually runs single-AZ and is made Multi-AZ
   * after a promotion.
   * @default false
   */
  readonly multiAz?: boolean;

  /**
   * Extra engine parameters, merged over the defaults (slow-query logging over 1 s, TLS forced).
   * @default - only the defaults
   */
  readonly parameters?: { [name: string]: string };

  /**
   * ReplicaLag (seconds behind the primary) above which the lag alarm fires, after 5 minutes.
   * @default Duration.minutes(5)
   */
  readonly replicaLagThreshold?: Duration;

  /**
   * SNS topic (of this region) notified when an alarm fires or clears.
   * @default - a new topic `AlarmTopic` (`CrossRegionReplica.alarmTopic`), encrypted with the replica's key and refusing publishers without TLS; subscribe to it
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Refuse deletion of the replica (it becomes the primary after a promotion).
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/** Why the replica runs in one AZ by default (AwsSolutions-RDS3, CT.RDS.PR.1). */
const SINGLE_AZ_REASON = 'CrossRegionReplica runs single-AZ by default: a disaster-recovery replica only receives replication until it is promoted, '
  + 'and the runbook makes it Multi-AZ then (modify-db-instance --multi-az), which halves its cost while it waits. Set multiAz: true to keep a standby now.';

/**
 * A read replica of an RDS instance in another region: the disaster-recovery copy that is promoted
 * to a stand-alone database (`aws rds promote-read-replica`) when the primary region is lost. Put it
 * in a stack of the DR region (with termination protection) and give it the source's ARN.
 *
 * The replica (child 'Resource') is encrypted with a key of its own region, private, monitored
 * (enhanced monitoring and Performance Insights) and alarmed: replica lag, CPU and free storage.
 * It is retained when it leaves the template, since it may be the primary by then. RDS instances
 * only: for Aurora, copy recovery points across regions with an AWS Backup plan
 * (`IndependentRds` `backupPlan.copyToVaultArn`).
 */
export class CrossRegionReplica extends Construct {
  /** The replica instance. */
  public readonly instance: rds.DatabaseInstanceReadReplica;
  /** The KMS key of the replica's storage. */
  public readonly encryptionKey: kms.IKey;
  /** The replica's security group (no ingress until something is allowed in). */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** Network access to the replica, on its port. */
  public readonly connections: ec2.Connections;
  /** The alarms: ReplicaLag, CPU, free storage. */
  public readonly alarms: cloudwatch.Alarm[];
  /** The SNS topic the alarms notify: the `alarmTopic` prop, or the topic made for this replica. Subscribe to it. */
  public readonly alarmTopic: sns.ITopic;

  constructor(scope: Construct, id: string, props: CrossRegionReplicaProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const instanceClass = props.instanceClass ?? 'db.m6g.large';
    const lag = props.replicaLagThreshold ?? Duration.minutes(5);
    const vpcSubnets = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    throwIfAny('CrossRegionReplica', crossRegionReplicaProblems(props, instanceClass, vpcSubnets, region, lag));

    this.encryptionKey = props.encryptionKey
      ?? libraryKey(this, 'Key', `Encrypts ${this.node.path}: the cross-region replica's storage and Performance Insights`);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Cross-region replica ${this.node.path}: no ingress until an application is allowed in`,
      allowAllOutbound: false,
    });
    const engine = props.engine.instanceEngine();
    const parameterGroup = new rds.ParameterGroup(this, 'ParameterGroup', {
      engine,
      description: `Parameters for ${this.node.path}: slow-query logging and TLS forced`,
      parameters: { ...props.engine.defaultParameters, ...(props.parameters ?? {}) },
    });
    // The source, as aws-rds sees it; the L1 then points at the ARN in the other region.
    const source = rds.DatabaseInstance.fromDatabaseInstanceAttributes(this, 'Source', {
      instanceIdentifier: Token.isUnresolved(props.sourceInstanceArn) ? props.sourceInstanceArn : props.sourceInstanceArn.split(':').slice(6).join(':'),
      instanceEndpointAddress: 'source.invalid',
      port: props.engine.defaultPort,
      securityGroups: [],
      engine,
    });
    this.instance = new rds.DatabaseInstanceReadReplica(this, 'Resource', {
      sourceDatabaseInstance: source,
      instanceType: new ec2.InstanceType(instanceClass.replace(/^db\./, '')),
      vpc: props.vpc,
      vpcSubnets,
      securityGroups: [this.securityGroup],
      port: props.engine.defaultPort,
      multiAz: props.multiAz ?? false,
      storageEncryptionKey: this.encryptionKey,
      storageType: rds.StorageType.GP3,
      deletionProtection: props.deletionProtection ?? true,
      publiclyAccessible: false,
      autoMinorVersionUpgrade: false, // the library's minor-version policy: the version in code is the version that runs
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: this.encryptionKey,
      monitoringInterval: Duration.seconds(60),
      cloudwatchLogsExports: props.engine.defaultLogExports,
      parameterGroup,
      iamAuthentication: true,
      copyTagsToSnapshot: true,
      // After a promotion this is the primary: keep it when it leaves the template.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const cfn = this.instance.node.defaultChild as rds.CfnDBInstance;
    cfn.sourceDbInstanceIdentifier = props.sourceInstanceArn;
    if (!Token.isUnresolved(props.sourceInstanceArn)) cfn.sourceRegion = props.sourceInstanceArn.split(':')[3];
    // A replica inherits encryption from its source; CloudFormation refuses StorageEncrypted on it.
    cfn.addPropertyDeletionOverride('StorageEncrypted');
    acknowledgeRdsChoices({ databases: [this.instance], defaultPort: true });
    if (props.multiAz === undefined) {
      acknowledgeNag(this.instance, 'AwsSolutions-RDS3', SINGLE_AZ_REASON);
      acknowledgeGuard(this.instance, 'rds_instance_multi_az_support_check', SINGLE_AZ_REASON);
    }
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(props.engine.defaultPort) });

    this.alarmTopic = props.alarmTopic ?? defaultAlarmTopic(this, this.encryptionKey);
    const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    const period = Duration.minutes(1);
    this.alarms = createAlarms(this, [
      {
        id: 'ReplicaLagAlarm',
        metric: this.instance.metric('ReplicaLag', { period, statistic: 'Maximum' }),
        threshold: lag.toSeconds(),
        comparison: GT,
        description: `The cross-region replica lags the primary by more than ${lag.toSeconds()} s for 5 x 1 minute: the recovery point of a promotion is that old`,
        evaluationPeriods: 5,
      },
      {
        id: 'CpuAlarm',
        metric: this.instance.metricCPUUtilization({ period: Duration.minutes(5) }),
        threshold: 80,
        comparison: GT,
        description: 'Cross-region replica CPU above 80% for 2 x 5 minutes: it falls behind',
      },
      {
        id: 'FreeStorageSpaceAlarm',
        metric: this.instance.metricFreeStorageSpace({ period: Duration.minutes(5), statistic: 'Minimum' }),
        threshold: 2 * 1024 * 1024 * 1024,
        comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        description: 'Cross-region replica free storage below 2 GiB',
        evaluationPeriods: 1,
      },
    ], this.alarmTopic);
  }
}
