import { CloudWatchClient, DescribeAlarmsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateDBInstanceCommand, DescribeDBInstancesCommand, ListTagsForResourceCommand, RDSClient } from '@aws-sdk/client-rds';
import { CreateHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { ControllerClients, ControllerConfig, LAST_SCALE_OUT_TAG, MANAGED_BY_TAG, replicaAlarmNames, runController } from '../../src/aws/replica-controller.lambda';
import { ReplicaScalingAction } from '../../src/core/private/replica-scaling-decision';
import { useMoto } from '../harness';

/**
 * The replica controller's handler against moto's RDS, CloudWatch and Route 53 APIs.
 *
 * What moto cannot check here: replicas become `available` at once (so "still creating" is
 * covered by the decision's unit tests), IAM conditions are not enforced, and the hosted zone is a
 * public one because a private zone would need an EC2 VPC (the construct's zone is private; the
 * unit tests assert that). For the replicas' monitoring and alarms: moto accepts the Performance
 * Insights and enhanced monitoring settings of CreateDBInstanceReadReplica but does not check that
 * the KMS key or the monitoring role exist or may be used (nor iam:PassRole, nor the alarm ARN
 * scoping), it does not report Performance Insights back (so the request is checked), and it does
 * not evaluate alarms or notify the topic; what is checked is the request, the monitoring the
 * replica reports, and that the alarms exist with their metric, threshold and actions, and are
 * deleted with the replica.
 */
describe('replica controller handler (moto)', () => {
  const moto = useMoto();
  let clients: ControllerClients;
  let rds: RDSClient;
  let cw: CloudWatchClient;
  let r53: Route53Client;
  const base = Math.floor(Date.now() / 1000);

  async function makeSource(id: string): Promise<void> {
    await rds.send(new CreateDBInstanceCommand({
      DBInstanceIdentifier: id,
      Engine: 'postgres',
      EngineVersion: '16.9',
      DBInstanceClass: 'db.t4g.micro',
      AllocatedStorage: 20,
      MasterUsername: 'dbadmin',
      MasterUserPassword: 'not-a-real-password-1',
      StorageEncrypted: true,
    }));
  }
  async function makeZone(name: string): Promise<string> {
    const out = await r53.send(new CreateHostedZoneCommand({ Name: name, CallerReference: `${name}-${Date.now()}` }));
    return out.HostedZone!.Id!.replace('/hostedzone/', '');
  }
  /** A source instance and the hosted zone of its reader name (`<id>.example.com`); the zone's id. */
  async function sourceWithZone(id: string): Promise<string> {
    await makeSource(id);
    return makeZone(`${id}.example.com`);
  }
  async function putCpu(instanceId: string, value: number, at: number): Promise<void> {
    await cw.send(new PutMetricDataCommand({
      Namespace: 'AWS/RDS',
      MetricData: [{ MetricName: 'CPUUtilization', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: instanceId }], Value: value, Unit: 'Percent', Timestamp: new Date(at * 1000) }],
    }));
  }
  async function managedReplicas(sourceId: string): Promise<string[]> {
    const out = await rds.send(new DescribeDBInstancesCommand({}));
    const ids: string[] = [];
    for (const db of out.DBInstances ?? []) {
      if (db.ReadReplicaSourceDBInstanceIdentifier !== sourceId) continue;
      const tags = await rds.send(new ListTagsForResourceCommand({ ResourceName: db.DBInstanceArn }));
      if ((tags.TagList ?? []).some((t) => t.Key === MANAGED_BY_TAG)) ids.push(db.DBInstanceIdentifier!);
    }
    return ids.sort();
  }
  async function readerRecords(zoneId: string, name: string): Promise<string[]> {
    const out = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
    return (out.ResourceRecordSets ?? []).filter((r) => r.Name === name && r.Type === 'CNAME').map((r) => r.SetIdentifier!).sort();
  }
  const config = (sourceId: string, zoneId: string, over: Partial<ControllerConfig> = {}): ControllerConfig => ({
    sourceInstanceId: sourceId,
    controllerId: 'Test-Controller',
    minCapacity: 1,
    maxCapacity: 3,
    targetCpu: 70,
    scaleInCooldownSeconds: 0,
    scaleOutCooldownSeconds: 0,
    hostedZoneId: zoneId,
    readerRecordName: `reader.${sourceId}.example.com`,
    ...over,
  });

  beforeAll(() => {
    if (!moto.available) return;
    rds = new RDSClient(moto.clientConfig);
    cw = new CloudWatchClient(moto.clientConfig);
    r53 = new Route53Client(moto.clientConfig);
    clients = { rds, cloudwatch: cw, route53: r53 };
  });

  afterAll(() => {
    rds?.destroy();
    cw?.destroy();
    r53?.destroy();
  });

  test('creates replicas up to max under high CPU, then deletes down to min under low CPU, keeping one reader record per replica', async () => {
    if (!moto.available) return;
    // GIVEN an encrypted source instance under high CPU and an empty zone
    const source = 'scale-src';
    const zoneId = await sourceWithZone(source);
    const name = `reader.${source}.example.com.`;
    await putCpu(source, 90, base);
    const cfg = config(source, zoneId);

    // WHEN the controller runs under high CPU, each new replica busy too
    const actions: string[] = [];
    for (let i = 1; i <= 4; i++) {
      const result = await runController(cfg, clients, base + i);
      actions.push(result.decision.action);
      if (result.createdReplicaId) await putCpu(result.createdReplicaId, 90, base);
    }
    // THEN it created one replica per run up to max 3, then stopped
    expect(actions).toEqual([ReplicaScalingAction.CREATE, ReplicaScalingAction.CREATE, ReplicaScalingAction.CREATE, ReplicaScalingAction.NONE]);
    const replicas = await managedReplicas(source);
    expect(replicas).toHaveLength(3);
    expect(await readerRecords(zoneId, name)).toEqual(replicas);
    const sourceArn = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: source }))).DBInstances![0].DBInstanceArn;
    const sourceTags = (await rds.send(new ListTagsForResourceCommand({ ResourceName: sourceArn }))).TagList ?? [];
    expect(sourceTags.find((t) => t.Key === LAST_SCALE_OUT_TAG)?.Value).toBe(String(base + 3));
    // and each replica is private, in the source's parameter group, and tagged as the controller's
    const first = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: replicas[0] }))).DBInstances![0];
    const src = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: source }))).DBInstances![0];
    expect(first.PubliclyAccessible).toBe(false);
    expect(first.DBParameterGroups?.[0]?.DBParameterGroupName).toBe(src.DBParameterGroups?.[0]?.DBParameterGroupName);
    const replicaTags = (await rds.send(new ListTagsForResourceCommand({ ResourceName: first.DBInstanceArn }))).TagList ?? [];
    expect(replicaTags).toContainEqual({ Key: MANAGED_BY_TAG, Value: 'Test-Controller' });

    // WHEN the CPU drops (in a later one-minute period than the high readings)
    for (const id of replicas) await putCpu(id, 5, base + 120);
    const downActions: string[] = [];
    for (let i = 121; i <= 124; i++) downActions.push((await runController(cfg, clients, base + i)).decision.action);
    // THEN it deleted one replica per run down to min 1, then stopped
    expect(downActions).toEqual([ReplicaScalingAction.DELETE, ReplicaScalingAction.DELETE, ReplicaScalingAction.NONE, ReplicaScalingAction.NONE]);
    const left = await managedReplicas(source);
    expect(left).toHaveLength(1);
    expect(await readerRecords(zoneId, name)).toEqual(left);
  });

  test('gives each replica it makes the source\'s Performance Insights and monitoring, and a CPU and a lag alarm, deleted with it', async () => {
    if (!moto.available) return;
    // GIVEN a source under high CPU, and a controller told the source's settings and the alarm topic
    const source = 'alarm-src';
    const zoneId = await sourceWithZone(source);
    await putCpu(source, 90, base);
    const topic = 'arn:aws:sns:us-east-1:123456789012:db-alarms';
    const cfg = config(source, zoneId, {
      minCapacity: 0,
      maxCapacity: 1,
      performanceInsights: { kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/pi', retentionDays: 7 },
      monitoring: { intervalSeconds: 60, roleArn: 'arn:aws:iam::123456789012:role/monitoring' },
      alarmTopicArn: topic,
    });

    // WHEN it creates a replica (its requests to RDS recorded on the way to moto)
    const requests: Array<{ name: string; input: any }> = [];
    const recording = {
      send: (command: any) => {
        requests.push({ name: command.constructor.name, input: command.input });
        return rds.send(command);
      },
    } as unknown as RDSClient;
    const created = await runController(cfg, { ...clients, rds: recording }, base + 1);
    const replicaId = created.createdReplicaId!;
    expect(created.decision.action).toBe(ReplicaScalingAction.CREATE);

    // THEN it asked for the source's Performance Insights and enhanced monitoring (moto accepts both
    // and reports the monitoring back, but not Performance Insights)
    const create = requests.find((r) => r.name === 'CreateDBInstanceReadReplicaCommand')!.input;
    expect(create).toMatchObject({
      DBInstanceIdentifier: replicaId,
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: 'arn:aws:kms:us-east-1:123456789012:key/pi',
      PerformanceInsightsRetentionPeriod: 7,
      MonitoringInterval: 60,
      MonitoringRoleArn: 'arn:aws:iam::123456789012:role/monitoring',
    });
    const replica = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: replicaId }))).DBInstances![0];
    expect(replica).toMatchObject({ ReadReplicaSourceDBInstanceIdentifier: source, MonitoringInterval: 60, MonitoringRoleArn: 'arn:aws:iam::123456789012:role/monitoring' });
    // and two alarms named after it, notifying the topic when they fire and clear
    const names = replicaAlarmNames('Test-Controller', replicaId);
    const alarms = (await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `Test-Controller-${replicaId}` }))).MetricAlarms ?? [];
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual([names.cpu, names.replicaLag].sort());
    const byName = (n: string) => alarms.find((a) => a.AlarmName === n)!;
    expect(byName(names.cpu)).toMatchObject({
      MetricName: 'CPUUtilization', Threshold: 80, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 2, AlarmActions: [topic], OKActions: [topic],
    });
    expect(byName(names.replicaLag)).toMatchObject({ MetricName: 'ReplicaLag', Threshold: 1, Period: 60, EvaluationPeriods: 5, AlarmActions: [topic] });
    expect(byName(names.cpu).Dimensions).toEqual([{ Name: 'DBInstanceIdentifier', Value: replicaId }]);

    // WHEN the CPU drops and the controller deletes the replica
    await putCpu(replicaId, 5, base + 120);
    const deleted = await runController(cfg, clients, base + 121);
    expect(deleted.decision.action).toBe(ReplicaScalingAction.DELETE);
    // THEN its alarms are gone too
    const left = (await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `Test-Controller-${replicaId}` }))).MetricAlarms ?? [];
    expect(left).toEqual([]);
  });

  test('without an alarm topic it makes no alarms', async () => {
    if (!moto.available) return;
    const source = 'noalarm-src';
    const zoneId = await sourceWithZone(source);
    await putCpu(source, 90, base);
    const created = await runController(config(source, zoneId, { minCapacity: 0, maxCapacity: 1 }), clients, base + 1);
    expect(created.decision.action).toBe(ReplicaScalingAction.CREATE);
    const alarms = (await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `Test-Controller-${created.createdReplicaId}` }))).MetricAlarms ?? [];
    expect(alarms).toEqual([]);
  });

  test('does nothing in cooldown', async () => {
    if (!moto.available) return;
    // GIVEN one replica just created under high CPU, with a 60 s scale-out cooldown
    const source = 'cool-src';
    const zoneId = await sourceWithZone(source);
    await putCpu(source, 95, base);
    const cfg = config(source, zoneId, { scaleOutCooldownSeconds: 60 });
    const first = await runController(cfg, clients, base + 1);
    expect(first.decision.action).toBe(ReplicaScalingAction.CREATE);
    await putCpu(first.createdReplicaId!, 95, base);
    // WHEN it runs again 30 s later, still under high CPU
    const second = await runController(cfg, clients, base + 31);
    // THEN it waits for the cooldown, and runs again after it
    expect(second.decision.action).toBe(ReplicaScalingAction.NONE);
    expect(second.decision.reason).toMatch(/scale-out cooldown/);
    expect(await managedReplicas(source)).toHaveLength(1);
    const third = await runController(cfg, clients, base + 62);
    expect(third.decision.action).toBe(ReplicaScalingAction.CREATE);
  });

  test('changes nothing when an API call fails while reading the state', async () => {
    if (!moto.available) return;
    // GIVEN a source under high CPU, and a CloudWatch endpoint that fails
    const source = 'fail-src';
    const zoneId = await sourceWithZone(source);
    const failing = { send: async () => { throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }); } } as unknown as CloudWatchClient;
    // WHEN the controller runs
    const result = await runController(config(source, zoneId), { rds, cloudwatch: failing, route53: r53 }, base + 1);
    // THEN it creates nothing and leaves the records alone, even below min
    expect(result.decision.action).toBe(ReplicaScalingAction.NONE);
    expect(result.decision.reason).toMatch(/state unknown \(ThrottlingException: Rate exceeded\)/);
    expect(await managedReplicas(source)).toHaveLength(0);
    expect(await readerRecords(zoneId, `reader.${source}.example.com.`)).toEqual([]);
  });

  test('points the reader name at the source while no replica exists, and leaves replicas of others alone', async () => {
    if (!moto.available) return;
    const source = 'zero-src';
    const zoneId = await sourceWithZone(source);
    await putCpu(source, 10, base);
    const result = await runController(config(source, zoneId, { minCapacity: 0 }), clients, base + 1);
    expect(result.decision.action).toBe(ReplicaScalingAction.NONE);
    expect(await readerRecords(zoneId, `reader.${source}.example.com.`)).toEqual(['source']);
    expect(await managedReplicas(source)).toHaveLength(0);
  });
});
