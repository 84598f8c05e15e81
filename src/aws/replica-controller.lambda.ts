import { CloudWatchClient, DeleteAlarmsCommand, GetMetricStatisticsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  AddTagsToResourceCommand, CreateDBInstanceReadReplicaCommand, DBInstance, DeleteDBInstanceCommand,
  DescribeDBInstancesCommand, ListTagsForResourceCommand, RDSClient,
} from '@aws-sdk/client-rds';
import { ChangeResourceRecordSetsCommand, Change, ListResourceRecordSetsCommand, ResourceRecordSet, Route53Client } from '@aws-sdk/client-route-53';
import { decideReplicaScaling, ManagedReplica, ReplicaScalingAction, ReplicaScalingDecision } from '../core/private/replica-scaling-decision';

/** Tag keys the controller writes: on its replicas, and its state on the source instance. */
export const MANAGED_BY_TAG = 'cdk-db-platform:replica-controller';
export const LAST_SCALE_OUT_TAG = 'cdk-db-platform:last-scale-out';
export const LAST_SCALE_IN_TAG = 'cdk-db-platform:last-scale-in';
/** Set identifier of the reader record that points at the source while no replica is available. */
export const SOURCE_RECORD_ID = 'source';

/** The controller's settings (from the function's environment). */
export interface ControllerConfig {
  readonly sourceInstanceId: string;
  readonly controllerId: string;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly targetCpu: number;
  readonly scaleInCooldownSeconds: number;
  readonly scaleOutCooldownSeconds: number;
  readonly hostedZoneId: string;
  readonly readerRecordName: string;
  /** The source's Performance Insights, copied to each replica: off when undefined. */
  readonly performanceInsights?: { readonly kmsKeyId?: string; readonly retentionDays?: number };
  /** The source's enhanced monitoring, copied to each replica: off when undefined. */
  readonly monitoring?: { readonly intervalSeconds: number; readonly roleArn: string };
  /** The SNS topic each replica's alarms notify: no alarms when undefined. */
  readonly alarmTopicArn?: string;
}

/**
 * The names of a replica's alarms: the controller id, the replica id, the alarm. The controller's
 * role may put and delete only alarms under `<controllerId>-`.
 */
export function replicaAlarmNames(controllerId: string, replicaId: string): { cpu: string; replicaLag: string } {
  const prefix = `${controllerId}-${replicaId}`;
  return { cpu: `${prefix}-cpu`, replicaLag: `${prefix}-replica-lag` };
}

/** The three clients the controller uses. */
export interface ControllerClients {
  readonly rds: RDSClient;
  readonly cloudwatch: CloudWatchClient;
  readonly route53: Route53Client;
}

/** What one run did. */
export interface ControllerResult {
  readonly decision: ReplicaScalingDecision;
  readonly createdReplicaId?: string;
  readonly readerTargets: string[];
}

async function tagsOf(rds: RDSClient, arn: string): Promise<Record<string, string>> {
  const out = await rds.send(new ListTagsForResourceCommand({ ResourceName: arn }));
  return Object.fromEntries((out.TagList ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

async function averageCpu(cw: CloudWatchClient, instanceIds: string[], nowSeconds: number): Promise<number | undefined> {
  const values: number[] = [];
  for (const id of instanceIds) {
    const out = await cw.send(new GetMetricStatisticsCommand({
      Namespace: 'AWS/RDS',
      MetricName: 'CPUUtilization',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: id }],
      StartTime: new Date((nowSeconds - 300) * 1000),
      EndTime: new Date(nowSeconds * 1000),
      Period: 60,
      Statistics: ['Average'],
    }));
    const latest = [...(out.Datapoints ?? [])].sort((a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0))[0];
    if (latest?.Average !== undefined) values.push(latest.Average);
  }
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Reads the state, decides, creates or deletes at most one replica, and syncs the reader records. */
export async function runController(
  config: ControllerConfig,
  clients: ControllerClients,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<ControllerResult> {
  const { rds } = clients;
  const sourceOut = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: config.sourceInstanceId }));
  const source = sourceOut.DBInstances?.[0] as DBInstance;
  let replicas: Array<ManagedReplica & { address?: string }> = [];
  let sourceTags: Record<string, string> = {};
  let cpu: number | undefined;
  let error: string | undefined;
  try {
    sourceTags = await tagsOf(rds, source.DBInstanceArn!);
    for (const id of source.ReadReplicaDBInstanceIdentifiers ?? []) {
      const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
      const r = out.DBInstances?.[0];
      if (!r) continue;
      const tags = await tagsOf(rds, r.DBInstanceArn!);
      if (tags[MANAGED_BY_TAG] !== config.controllerId) continue;
      replicas.push({
        id,
        status: r.DBInstanceStatus ?? 'unknown',
        address: r.Endpoint?.Address,
        createdAt: r.InstanceCreateTime ? Math.floor(r.InstanceCreateTime.getTime() / 1000) : undefined,
      });
    }
    const availableIds = replicas.filter((r) => r.status === 'available').map((r) => r.id);
    cpu = await averageCpu(clients.cloudwatch, availableIds.length > 0 ? availableIds : [config.sourceInstanceId], nowSeconds);
  } catch (e) {
    error = (e as Error).name + ': ' + (e as Error).message;
  }
  if (!error && !source.StorageEncrypted) {
    error = `source ${config.sourceInstanceId} is not encrypted; the controller creates encrypted replicas only`;
  }
  const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
  const decision = decideReplicaScaling({
    minCapacity: config.minCapacity,
    maxCapacity: config.maxCapacity,
    targetCpu: config.targetCpu,
    scaleInCooldownSeconds: config.scaleInCooldownSeconds,
    scaleOutCooldownSeconds: config.scaleOutCooldownSeconds,
    replicas,
    averageCpu: cpu,
    now: nowSeconds,
    error,
    lastScaleOutAt: num(sourceTags[LAST_SCALE_OUT_TAG]),
    lastScaleInAt: num(sourceTags[LAST_SCALE_IN_TAG]),
  });
  console.log(JSON.stringify({ source: config.sourceInstanceId, replicas: replicas.map((r) => `${r.id}:${r.status}`), cpu, decision }));

  // The controller's state lives in tags on the source instance.
  const stamp = (key: string) => rds.send(new AddTagsToResourceCommand({
    ResourceName: source.DBInstanceArn!, Tags: [{ Key: key, Value: String(nowSeconds) }],
  }));
  let createdReplicaId: string | undefined;
  if (decision.action === ReplicaScalingAction.CREATE) {
    createdReplicaId = `${config.sourceInstanceId.slice(0, 40)}-rr-${nowSeconds.toString(36)}`;
    await rds.send(new CreateDBInstanceReadReplicaCommand({
      DBInstanceIdentifier: createdReplicaId,
      SourceDBInstanceIdentifier: config.sourceInstanceId,
      DBInstanceClass: source.DBInstanceClass,
      DBSubnetGroupName: source.DBSubnetGroup?.DBSubnetGroupName,
      // The source's parameter group keeps TLS forced and slow-query logging on the replica too.
      DBParameterGroupName: source.DBParameterGroups?.[0]?.DBParameterGroupName,
      VpcSecurityGroupIds: (source.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId!),
      PubliclyAccessible: false,
      MultiAZ: false,
      // As on the source (IndependentRds): RDS never applies a minor version on its own; the replica
      // starts on the source's version. Said explicitly rather than inherited from the source.
      AutoMinorVersionUpgrade: false,
      CopyTagsToSnapshot: true,
      DeletionProtection: false,
      // As on the source: Performance Insights (with its key and retention) and enhanced monitoring.
      EnablePerformanceInsights: config.performanceInsights !== undefined,
      PerformanceInsightsKMSKeyId: config.performanceInsights?.kmsKeyId,
      PerformanceInsightsRetentionPeriod: config.performanceInsights?.retentionDays,
      MonitoringInterval: config.monitoring?.intervalSeconds,
      MonitoringRoleArn: config.monitoring?.roleArn,
      Tags: [{ Key: MANAGED_BY_TAG, Value: config.controllerId }],
    }));
    await stamp(LAST_SCALE_OUT_TAG);
    await putReplicaAlarms(clients.cloudwatch, config, createdReplicaId);
  } else if (decision.action === ReplicaScalingAction.DELETE) {
    replicas = replicas.filter((r) => r.id !== decision.replicaId);
    // Readers stop resolving to the replica before it goes away.
    await syncReaderRecords(clients.route53, config, source, replicas);
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: decision.replicaId!, SkipFinalSnapshot: true, DeleteAutomatedBackups: true }));
    await stamp(LAST_SCALE_IN_TAG);
    if (config.alarmTopicArn) {
      const names = replicaAlarmNames(config.controllerId, decision.replicaId!);
      await clients.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [names.cpu, names.replicaLag] }));
    }
  }
  const readerTargets = error ? [] : await syncReaderRecords(clients.route53, config, source, replicas);
  return { decision, createdReplicaId, readerTargets };
}

/**
 * The alarms of a new replica, as IndependentRds makes them for its own replicas: CPU above 80% for
 * 2 x 5 minutes, and replica lag above 1 s for 5 x 1 minute; each notifies the alarm topic when it
 * fires and clears.
 */
async function putReplicaAlarms(cw: CloudWatchClient, config: ControllerConfig, replicaId: string): Promise<void> {
  if (!config.alarmTopicArn) return;
  const names = replicaAlarmNames(config.controllerId, replicaId);
  const common = {
    Namespace: 'AWS/RDS',
    Dimensions: [{ Name: 'DBInstanceIdentifier', Value: replicaId }],
    ComparisonOperator: 'GreaterThanThreshold' as const,
    TreatMissingData: 'notBreaching',
    AlarmActions: [config.alarmTopicArn],
    OKActions: [config.alarmTopicArn],
  };
  await cw.send(new PutMetricAlarmCommand({
    ...common,
    AlarmName: names.cpu,
    AlarmDescription: `CPU of read replica ${replicaId} (made by the replica controller of ${config.sourceInstanceId}) above 80% for 2 x 5 minutes`,
    MetricName: 'CPUUtilization',
    Statistic: 'Average',
    Period: 300,
    EvaluationPeriods: 2,
    DatapointsToAlarm: 2,
    Threshold: 80,
  }));
  await cw.send(new PutMetricAlarmCommand({
    ...common,
    AlarmName: names.replicaLag,
    AlarmDescription: `Read replica ${replicaId} (made by the replica controller of ${config.sourceInstanceId}) lags its source by more than 1 s`,
    MetricName: 'ReplicaLag',
    Statistic: 'Maximum',
    Period: 60,
    EvaluationPeriods: 5,
    DatapointsToAlarm: 5,
    Threshold: 1,
  }));
}

/**
 * One weighted CNAME per available replica under the reader name; while none is available, one
 * record that points at the source, so the name always resolves.
 */
async function syncReaderRecords(
  r53: Route53Client,
  config: ControllerConfig,
  source: DBInstance,
  replicas: Array<ManagedReplica & { address?: string }>,
): Promise<string[]> {
  const name = config.readerRecordName.endsWith('.') ? config.readerRecordName : `${config.readerRecordName}.`;
  const wanted = new Map<string, string>();
  for (const r of replicas) if (r.status === 'available' && r.address) wanted.set(r.id, r.address);
  if (wanted.size === 0 && source.Endpoint?.Address) wanted.set(SOURCE_RECORD_ID, source.Endpoint.Address);

  const existing: ResourceRecordSet[] = [];
  const out = await r53.send(new ListResourceRecordSetsCommand({
    HostedZoneId: config.hostedZoneId, StartRecordName: name, StartRecordType: 'CNAME',
  }));
  for (const rr of out.ResourceRecordSets ?? []) {
    if (rr.Name === name && rr.Type === 'CNAME') existing.push(rr);
  }
  const changes: Change[] = [];
  for (const rr of existing) {
    if (!rr.SetIdentifier || !wanted.has(rr.SetIdentifier)) changes.push({ Action: 'DELETE', ResourceRecordSet: rr });
  }
  for (const [id, address] of wanted) {
    const current = existing.find((rr) => rr.SetIdentifier === id);
    if (current?.ResourceRecords?.[0]?.Value === address) continue;
    changes.push({
      Action: 'UPSERT',
      ResourceRecordSet: { Name: name, Type: 'CNAME', SetIdentifier: id, Weight: 1, TTL: 30, ResourceRecords: [{ Value: address }] },
    });
  }
  if (changes.length > 0) {
    await r53.send(new ChangeResourceRecordSetsCommand({
      HostedZoneId: config.hostedZoneId,
      ChangeBatch: { Comment: `replicas of ${config.sourceInstanceId}`, Changes: changes },
    }));
  }
  return [...wanted.values()];
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`replica controller: environment variable ${name} is not set`);
  return value;
}

/** Reads the configuration from the environment the construct sets. */
export function configFromEnv(): ControllerConfig {
  return {
    sourceInstanceId: required('SOURCE_INSTANCE_ID'),
    controllerId: required('CONTROLLER_ID'),
    minCapacity: Number(required('MIN_CAPACITY')),
    maxCapacity: Number(required('MAX_CAPACITY')),
    targetCpu: Number(required('TARGET_CPU')),
    scaleInCooldownSeconds: Number(required('SCALE_IN_COOLDOWN_SECONDS')),
    scaleOutCooldownSeconds: Number(required('SCALE_OUT_COOLDOWN_SECONDS')),
    hostedZoneId: required('HOSTED_ZONE_ID'),
    readerRecordName: required('READER_RECORD_NAME'),
    performanceInsights: process.env.PERFORMANCE_INSIGHTS === 'true' ? {
      kmsKeyId: optional('PERFORMANCE_INSIGHTS_KMS_KEY_ID'),
      retentionDays: optional('PERFORMANCE_INSIGHTS_RETENTION_DAYS') === undefined ? undefined : Number(optional('PERFORMANCE_INSIGHTS_RETENTION_DAYS')),
    } : undefined,
    monitoring: optional('MONITORING_INTERVAL') !== undefined && optional('MONITORING_ROLE_ARN') !== undefined
      ? { intervalSeconds: Number(optional('MONITORING_INTERVAL')), roleArn: optional('MONITORING_ROLE_ARN')! } : undefined,
    alarmTopicArn: optional('ALARM_TOPIC_ARN'),
  };
}

function optional(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** Scheduled entry point (EventBridge, every minute). */
export async function handler(): Promise<ControllerResult> {
  const clients = { rds: new RDSClient({}), cloudwatch: new CloudWatchClient({}), route53: new Route53Client({}) };
  return runController(configFromEnv(), clients);
}
