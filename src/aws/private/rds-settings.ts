import { Duration, RemovalPolicy, Token, aws_ec2 as ec2, aws_rds as rds } from 'aws-cdk-lib';
import { connectionsAlarmThreshold } from '../../core/private/rds-max-connections';
import { RdsRules as v } from '../../core/private/rds-rules';
import { Problem } from '../../core/private/validators';
import { DatabaseEngine } from '../database-engine';
import { DatabaseEngineFamily } from '../database-engine-family';
import { DatabasePreset } from '../database-preset';
import { IndependentRdsProps } from '../independent-rds-props';

/** Every IndependentRds setting after the preset's defaults are applied (the one place they are). */
export interface RdsSettings {
  readonly engine: DatabaseEngine;
  readonly preset: DatabasePreset;
  readonly production: boolean;
  readonly vpcSubnets: ec2.SubnetSelection;
  readonly instanceClass: string;
  readonly databaseName: string;
  readonly username: string;
  readonly rotation: boolean;
  readonly rotationInterval: Duration;
  readonly port: number;
  readonly multiAz: boolean;
  readonly readReplicas: number;
  readonly allocatedStorage: number;
  readonly maxAllocatedStorage: number;
  readonly storageType: rds.StorageType;
  readonly backupRetention: Duration;
  readonly preferredBackupWindow: string;
  readonly preferredMaintenanceWindow: string;
  readonly deletionProtection: boolean;
  readonly removalPolicy: RemovalPolicy;
  readonly performanceInsights: boolean;
  readonly performanceInsightRetentionDays: number;
  readonly monitoringInterval: Duration;
  readonly cloudwatchLogsExports: string[];
  readonly parameters: { [name: string]: string };
  /** True when the parameters (defaults and overrides) make the server refuse connections without TLS. */
  readonly tlsForced: boolean;
  readonly iamAuthentication: boolean;
  readonly alarms: boolean;
  readonly connectionsAlarmThreshold: number;
  readonly backtrackWindow: Duration;
}

/** Applies the preset's defaults to the props. */
export function resolveSettings(props: IndependentRdsProps): RdsSettings {
  const engine = props.engine ?? DatabaseEngine.POSTGRES_16;
  const preset = props.preset ?? DatabasePreset.PRODUCTION;
  const production = preset.isProduction;
  const smallClass = engine.isCluster ? 'db.t4g.medium' : 'db.t4g.micro';
  const largeClass = engine.isCluster ? 'db.r6g.large' : 'db.m6g.large';
  const multiAz = props.multiAz ?? production;
  const parameters = { ...engine.defaultParameters, ...(props.parameters ?? {}) };
  const instanceClass = props.instanceClass ?? (production ? largeClass : smallClass);
  return {
    engine,
    preset,
    production,
    vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    instanceClass,
    databaseName: props.databaseName ?? 'app',
    username: props.username ?? 'dbadmin',
    rotation: props.rotation ?? true,
    rotationInterval: props.rotationInterval ?? Duration.days(30),
    port: props.port ?? engine.defaultPort,
    multiAz,
    readReplicas: props.readReplicas ?? (engine.isCluster && multiAz ? 1 : 0),
    allocatedStorage: props.allocatedStorage ?? 20,
    maxAllocatedStorage: props.maxAllocatedStorage ?? 100,
    storageType: props.storageType ?? rds.StorageType.GP3,
    backupRetention: props.backupRetention ?? Duration.days(production ? 7 : 1),
    preferredBackupWindow: props.preferredBackupWindow ?? '03:00-04:00',
    preferredMaintenanceWindow: props.preferredMaintenanceWindow ?? 'sun:04:30-sun:05:30',
    deletionProtection: props.deletionProtection ?? production,
    removalPolicy: props.removalPolicy ?? (production ? RemovalPolicy.RETAIN : RemovalPolicy.SNAPSHOT),
    performanceInsights: props.performanceInsights ?? production,
    performanceInsightRetentionDays: props.performanceInsightRetentionDays ?? 7,
    monitoringInterval: props.monitoringInterval ?? Duration.seconds(production ? 60 : 0),
    cloudwatchLogsExports: props.cloudwatchLogsExports ?? engine.defaultLogExports,
    parameters,
    tlsForced: v.forcesTls(engine.family.name, parameters),
    iamAuthentication: props.iamAuthentication ?? true,
    alarms: props.alarms ?? true,
    connectionsAlarmThreshold: props.connectionsAlarmThreshold ?? connectionsAlarmThreshold(engine.family.name, instanceClass, parameters),
    backtrackWindow: props.backtrackWindow ?? Duration.hours(production && engine.family === DatabaseEngineFamily.AURORA_MYSQL ? 24 : 0),
  };
}

const known = (value: unknown): boolean => !Token.isUnresolved(value);

/** Every rule the settings break, as messages naming prop, value and fix. */
export function settingsErrors(s: RdsSettings, props: IndependentRdsProps): Problem[] {
  const errors: Problem[] = [];
  const family = s.engine.family.name;
  if (s.vpcSubnets.subnetType === ec2.SubnetType.PUBLIC) {
    errors.push('vpcSubnets selects PUBLIC subnets (got subnetType PUBLIC). A database is never publicly reachable: use PRIVATE_WITH_EGRESS or PRIVATE_ISOLATED subnets.');
  }
  if (known(s.instanceClass)) errors.push(v.instanceClassError(s.instanceClass, family));
  if (known(s.username)) errors.push(v.usernameError(s.username, family, s.engine.version));
  if (known(s.databaseName)) errors.push(v.databaseNameError(s.databaseName));
  // Refused when a token: apps get the port literally (DB_PORT), and RDS Proxy needs it.
  errors.push(v.portError(s.port));
  if (props.secretName !== undefined && props.secret !== undefined) {
    errors.push(`secretName names the secret IndependentRds generates, but secret is given (got secretName '${props.secretName}' and secret ${props.secret.node.path}). `
      + 'Remove secretName and name your own secret where you create it.');
  }
  if (props.secretName !== undefined && known(props.secretName)) errors.push(v.secretNameError(props.secretName));
  const retention = s.backupRetention.toDays({ integral: false });
  if (known(retention)) errors.push(v.backupRetentionError(retention, s.production));
  const bw = s.preferredBackupWindow;
  const mw = s.preferredMaintenanceWindow;
  const bwError = known(bw) ? v.backupWindowError(bw) : undefined;
  const mwError = known(mw) ? v.maintenanceWindowError(mw) : undefined;
  errors.push(bwError, mwError);
  if (!bwError && !mwError && known(bw) && known(mw)) errors.push(v.windowOverlapError(bw, mw));
  if (s.multiAz && props.availabilityZone !== undefined) {
    errors.push(`availabilityZone '${props.availabilityZone}' places a single-AZ instance, but multiAz is true. Remove availabilityZone, or set multiAz to false.`);
  }
  if (known(s.readReplicas)) errors.push(v.readReplicasError(s.readReplicas));
  if (s.engine.isCluster) {
    errors.push(...clusterErrors(s, props));
  } else {
    errors.push(...storageErrors(s, props));
  }
  if (s.production && s.removalPolicy === RemovalPolicy.DESTROY) {
    errors.push('removalPolicy DESTROY would delete the production database with its stack (got DESTROY). Use RETAIN or SNAPSHOT, or the development preset.');
  }
  if (known(s.performanceInsightRetentionDays)) errors.push(v.performanceInsightsRetentionError(s.performanceInsightRetentionDays));
  if (!s.performanceInsights && props.performanceInsightRetentionDays !== undefined) {
    errors.push(`performanceInsightRetentionDays is set (got ${props.performanceInsightRetentionDays}) but performanceInsights is off. Turn performanceInsights on, or remove the retention.`);
  }
  const interval = s.monitoringInterval.toSeconds({ integral: false });
  if (known(interval)) errors.push(v.monitoringIntervalError(interval));
  const rotationDays = s.rotationInterval.toDays({ integral: false });
  if (s.rotation && known(rotationDays)) errors.push(v.rotationIntervalError(rotationDays));
  const backtrackHours = s.backtrackWindow.toHours({ integral: false });
  if (known(backtrackHours)) errors.push(...v.backtrackWindowErrors(backtrackHours, family));
  if (known(s.connectionsAlarmThreshold) && !(s.connectionsAlarmThreshold > 0)) {
    errors.push(`connectionsAlarmThreshold must be positive (got ${s.connectionsAlarmThreshold}). Use a value below the engine's max_connections.`);
  }
  return errors;
}

function clusterErrors(s: RdsSettings, props: IndependentRdsProps): Problem[] {
  const errors: Problem[] = [];
  const storageProps: Array<[string, unknown]> = [
    ['allocatedStorage', props.allocatedStorage], ['maxAllocatedStorage', props.maxAllocatedStorage],
    ['storageType', props.storageType], ['iops', props.iops], ['storageThroughput', props.storageThroughput],
  ];
  for (const [name, value] of storageProps) {
    if (value !== undefined) {
      errors.push(`${name} does not apply to ${s.engine.family}, whose storage grows on its own (got ${value}). Remove ${name}.`);
    }
  }
  if (props.availabilityZone !== undefined) {
    errors.push(`availabilityZone does not apply to ${s.engine.family} clusters (got '${props.availabilityZone}'). Remove it; Aurora spreads instances over the subnets' AZs.`);
  }
  if (s.multiAz && s.readReplicas < 1) {
    errors.push(`multiAz needs at least one Aurora reader in another AZ (got readReplicas ${s.readReplicas}). Set readReplicas to 1 or more, or multiAz to false.`);
  }
  return errors;
}

function storageErrors(s: RdsSettings, props: IndependentRdsProps): Problem[] {
  const errors: Problem[] = [];
  const type = s.storageType as string;
  const allocated = s.allocatedStorage;
  if (!known(allocated)) return errors;
  errors.push(v.allocatedStorageError(allocated, type));
  if (known(s.maxAllocatedStorage)) errors.push(v.maxAllocatedStorageError(s.maxAllocatedStorage, allocated));
  if (known(props.iops)) errors.push(v.iopsError(type, allocated, props.iops));
  if (known(props.storageThroughput)) errors.push(v.storageThroughputError(type, allocated, props.storageThroughput));
  return errors;
}
