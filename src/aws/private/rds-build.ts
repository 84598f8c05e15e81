import { Duration, RemovalPolicy, Token, aws_cloudwatch as cloudwatch, aws_ec2 as ec2, aws_kms as kms, aws_rds as rds, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ALARM_PERIOD, AlarmSpec } from './rds-alarms';
import { RdsSettings } from './rds-settings';

/** Characters left out of generated passwords: CDK's defaults for RDS plus `/ " @` and quoting trouble. */
export const EXCLUDED_PASSWORD_CHARACTERS = " %+~`#$&*()|[]{}:;<>?!'/@\"\\";

/** Shared inputs for building the instance or the cluster. */
export interface BuildContext {
  readonly settings: RdsSettings;
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly key: kms.IKey;
  readonly credentials: rds.Credentials;
}

function instanceType(instanceClass: string): ec2.InstanceType {
  // A token class is written into each DB instance untouched by passInstanceClassThrough.
  return new ec2.InstanceType(Token.isUnresolved(instanceClass) ? 'm6g.large' : instanceClass.replace(/^db\./, ''));
}

/**
 * Writes an instance class given as a token into every DB instance under `scope` as it is: aws-rds
 * prefixes the class it is given with `db.`, which would turn a token for 'db.m6g.large' into
 * 'db.db.m6g.large'.
 */
export function passInstanceClassThrough(scope: Construct, s: RdsSettings): void {
  if (!Token.isUnresolved(s.instanceClass)) return;
  for (const c of scope.node.findAll()) {
    if (c instanceof rds.CfnDBInstance) c.addPropertyOverride('DBInstanceClass', s.instanceClass);
  }
}

function insightsRetention(s: RdsSettings): rds.PerformanceInsightRetention | undefined {
  return s.performanceInsights ? (s.performanceInsightRetentionDays as rds.PerformanceInsightRetention) : undefined;
}

/** A DatabaseInstance (id 'Resource') plus its read replicas. */
export function buildInstance(scope: Construct, ctx: BuildContext): { instance: rds.DatabaseInstance; replicas: rds.DatabaseInstanceReadReplica[] } {
  const s = ctx.settings;
  const engine = s.engine.instanceEngine();
  const parameterGroup = new rds.ParameterGroup(scope, 'ParameterGroup', {
    engine,
    description: `Parameters for ${scope.node.path}: slow-query logging and TLS forced`,
    parameters: s.parameters,
  });
  const monitoring = s.monitoringInterval.toSeconds() > 0 ? s.monitoringInterval : undefined;
  const common = {
    vpc: ctx.vpc,
    vpcSubnets: s.vpcSubnets,
    securityGroups: [ctx.securityGroup],
    instanceType: instanceType(s.instanceClass),
    port: s.port,
    multiAz: s.multiAz,
    storageEncrypted: true,
    storageEncryptionKey: ctx.key,
    deletionProtection: s.deletionProtection,
    publiclyAccessible: false,
    // The engine version in code is the version that runs: minor upgrades are deployed, never
    // applied by RDS behind the template (see MINOR_VERSION_REASON).
    autoMinorVersionUpgrade: false,
    enablePerformanceInsights: s.performanceInsights,
    performanceInsightRetention: insightsRetention(s),
    performanceInsightEncryptionKey: s.performanceInsights ? ctx.key : undefined,
    monitoringInterval: monitoring,
    cloudwatchLogsExports: s.cloudwatchLogsExports,
    parameterGroup,
    iamAuthentication: s.iamAuthentication,
    copyTagsToSnapshot: true,
    storageType: s.storageType,
    iops: s.iops,
    storageThroughput: s.storageThroughput,
    maxAllocatedStorage: s.maxAllocatedStorage,
    applyImmediately: s.applyImmediately,
  };
  const instance = new rds.DatabaseInstance(scope, 'Resource', {
    ...common,
    engine,
    // Absent rather than false when off, so that the template of a database without it stays as it was.
    allowMajorVersionUpgrade: s.allowMajorVersionUpgrade ? true : undefined,
    credentials: ctx.credentials,
    instanceIdentifier: s.identifier,
    databaseName: s.databaseName,
    availabilityZone: s.availabilityZone,
    allocatedStorage: s.allocatedStorage,
    backupRetention: s.backupRetention,
    preferredBackupWindow: s.preferredBackupWindow,
    preferredMaintenanceWindow: s.preferredMaintenanceWindow,
    removalPolicy: s.removalPolicy,
  });
  const replicas: rds.DatabaseInstanceReadReplica[] = [];
  for (let i = 1; i <= s.readReplicas; i++) {
    const replica = new rds.DatabaseInstanceReadReplica(scope, `ReadReplica${i}`, {
      ...common,
      sourceDatabaseInstance: instance,
      preferredMaintenanceWindow: s.preferredMaintenanceWindow,
      // A replica holds no data of its own (and RDS takes no final snapshot of one): one that
      // leaves the template, or is replaced, is deleted rather than left replicating and billed.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A replica inherits encryption from its source; CloudFormation refuses StorageEncrypted on it.
    (replica.node.defaultChild as rds.CfnDBInstance).addPropertyDeletionOverride('StorageEncrypted');
    replicas.push(replica);
  }
  return { instance, replicas };
}

/** A DatabaseCluster (id 'Resource') with a writer and `readReplicas` readers. */
export function buildCluster(scope: Construct, ctx: BuildContext): rds.DatabaseCluster {
  const s = ctx.settings;
  const engine = s.engine.clusterEngine();
  const parameterGroup = new rds.ParameterGroup(scope, 'ParameterGroup', {
    engine,
    description: `Cluster parameters for ${scope.node.path}: slow-query logging and TLS forced`,
    parameters: s.parameters,
  });
  const instanceProps: rds.ProvisionedClusterInstanceProps = {
    instanceType: instanceType(s.instanceClass),
    publiclyAccessible: false,
    // As for instances: minor upgrades are deployed from code (see MINOR_VERSION_REASON).
    autoMinorVersionUpgrade: false,
    enablePerformanceInsights: s.performanceInsights,
    performanceInsightRetention: insightsRetention(s),
    performanceInsightEncryptionKey: s.performanceInsights ? ctx.key : undefined,
    // CloudFormation has no AllowMajorVersionUpgrade on a cluster: on its instances it records the intent.
    allowMajorVersionUpgrade: s.allowMajorVersionUpgrade ? true : undefined,
    applyImmediately: s.applyImmediately,
  };
  const readers: rds.IClusterInstance[] = [];
  for (let i = 1; i <= s.readReplicas; i++) {
    readers.push(rds.ClusterInstance.provisioned(`Reader${i}`, { ...instanceProps, promotionTier: 1 }));
  }
  const monitoring = s.monitoringInterval.toSeconds() > 0 ? s.monitoringInterval : undefined;
  const cluster = new rds.DatabaseCluster(scope, 'Resource', {
    engine,
    credentials: ctx.credentials,
    clusterIdentifier: s.identifier,
    defaultDatabaseName: s.databaseName,
    port: s.port,
    vpc: ctx.vpc,
    vpcSubnets: s.vpcSubnets,
    securityGroups: [ctx.securityGroup],
    writer: rds.ClusterInstance.provisioned('Writer', instanceProps),
    readers,
    storageEncrypted: true,
    storageEncryptionKey: ctx.key,
    backup: { retention: s.backupRetention, preferredWindow: s.preferredBackupWindow },
    preferredMaintenanceWindow: s.preferredMaintenanceWindow,
    deletionProtection: s.deletionProtection,
    removalPolicy: s.removalPolicy,
    cloudwatchLogsExports: s.cloudwatchLogsExports,
    parameterGroup,
    iamAuthentication: s.iamAuthentication,
    copyTagsToSnapshot: true,
    monitoringInterval: monitoring,
    backtrackWindow: s.backtrackWindow.toSeconds() > 0 ? s.backtrackWindow : undefined,
  });
  // A reader holds no data of its own (the cluster volume does): one that leaves the template (fewer
  // readers, the development preset) or is replaced is deleted, not left attached, serving and billed.
  // The writer keeps the cluster's policy.
  for (let i = 1; i <= s.readReplicas; i++) {
    (cluster.node.findChild(`Reader${i}`).node.defaultChild as rds.CfnDBInstance).applyRemovalPolicy(RemovalPolicy.DESTROY);
  }
  return cluster;
}

/** The alarms of a plain instance and its replicas. */
export function instanceAlarms(s: RdsSettings, instance: rds.DatabaseInstance, replicas: rds.DatabaseInstanceReadReplica[]): AlarmSpec[] {
  const GiB = 1024 * 1024 * 1024;
  const specs: AlarmSpec[] = [
    ...commonAlarms(s, instance),
    {
      id: 'FreeStorageSpaceAlarm',
      metric: instance.metricFreeStorageSpace({ period: ALARM_PERIOD, statistic: 'Minimum' }),
      threshold: Math.round(s.allocatedStorage * GiB * 0.1),
      comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      description: `Free storage below 10% of the ${s.allocatedStorage} GiB allocated`,
      evaluationPeriods: 1,
    },
  ];
  if (s.storageType === rds.StorageType.GP2) {
    // gp2 performance rests on I/O credits: below 20% the instance is about to fall back to its baseline IOPS.
    specs.push({
      id: 'BurstBalanceAlarm',
      metric: instance.metric('BurstBalance', { period: ALARM_PERIOD, statistic: 'Minimum' }),
      threshold: 20,
      comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      description: 'gp2 burst balance (I/O credits) below 20% for 2 x 5 minutes',
    });
  }
  replicas.forEach((replica, i) => specs.push({
    id: `ReplicaLagAlarm${i + 1}`,
    metric: replica.metric('ReplicaLag', { period: Duration.minutes(1), statistic: 'Maximum' }),
    threshold: 1,
    comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    description: `Read replica ${i + 1} lags the primary by more than 1 s`,
    evaluationPeriods: 5,
  }));
  return specs;
}

/** The alarms of an Aurora cluster. */
export function clusterAlarms(s: RdsSettings, cluster: rds.DatabaseCluster): AlarmSpec[] {
  const specs: AlarmSpec[] = [
    ...commonAlarms(s, cluster),
    {
      id: 'FreeLocalStorageAlarm',
      metric: cluster.metricFreeLocalStorage({ period: ALARM_PERIOD, statistic: 'Minimum' }),
      threshold: 2 * 1024 * 1024 * 1024,
      comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      description: 'Free local (temporary) storage below 2 GiB',
      evaluationPeriods: 1,
    },
  ];
  if (s.readReplicas > 0) {
    specs.push({
      id: 'ReplicaLagAlarm',
      metric: cluster.metric('AuroraReplicaLagMaximum', { period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 1000,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: 'An Aurora reader lags the writer by more than 1 s (1000 ms)',
      evaluationPeriods: 5,
    });
  }
  return specs;
}

interface Metered {
  metricCPUUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricDatabaseConnections(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metricFreeableMemory(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  metric(name: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

function commonAlarms(s: RdsSettings, db: Metered): AlarmSpec[] {
  const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
  return [
    { id: 'CpuAlarm', metric: db.metricCPUUtilization({ period: ALARM_PERIOD }), threshold: 80, comparison: GT, description: 'CPU above 80% for 2 x 5 minutes' },
    { id: 'ConnectionsAlarm', metric: db.metricDatabaseConnections({ period: ALARM_PERIOD }), threshold: s.connectionsAlarmThreshold, comparison: GT, description: `More than ${s.connectionsAlarmThreshold} connections for 2 x 5 minutes` },
    {
      id: 'FreeableMemoryAlarm',
      metric: db.metricFreeableMemory({ period: ALARM_PERIOD, statistic: 'Minimum' }),
      threshold: 256 * 1024 * 1024,
      comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      description: 'Freeable memory below 256 MiB for 2 x 5 minutes',
    },
    { id: 'ReadLatencyAlarm', metric: db.metric('ReadLatency', { period: ALARM_PERIOD }), threshold: 0.02, comparison: GT, description: 'Read latency above 20 ms for 2 x 5 minutes' },
    { id: 'WriteLatencyAlarm', metric: db.metric('WriteLatency', { period: ALARM_PERIOD }), threshold: 0.02, comparison: GT, description: 'Write latency above 20 ms for 2 x 5 minutes' },
  ];
}

/**
 * A generated master secret (id 'Secret'): 32 characters, the JSON shape RDS rotation expects once
 * attached, named `secretName` when given.
 *
 * The generation template holds the user name only. Secrets Manager generates a new password
 * whenever `GenerateSecretString` changes, while the database keeps the old one, so nothing that
 * may change harmlessly belongs in it: the attachment (`SecretTargetAttachment`) writes `engine`,
 * `host`, `port`, `dbname` and the identifier into the secret, and writes them again when the
 * database is replaced. The user name must be there (the attachment needs `username` and
 * `password`); changing it replaces the database anyway.
 */
export function generatedSecret(scope: Construct, s: RdsSettings, key: kms.IKey, secretName?: string): secretsmanager.Secret {
  return new secretsmanager.Secret(scope, 'Secret', {
    description: `Master credentials of ${scope.node.path}`,
    secretName,
    encryptionKey: key,
    generateSecretString: {
      secretStringTemplate: JSON.stringify({ username: s.username }),
      generateStringKey: 'password',
      passwordLength: 32,
      excludeCharacters: EXCLUDED_PASSWORD_CHARACTERS,
    },
  });
}
