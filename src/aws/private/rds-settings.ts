import { Duration, RemovalPolicy, Stack, Token, aws_ec2 as ec2, aws_logs as logs, aws_rds as rds } from 'aws-cdk-lib';
import { connectionsAlarmThreshold } from '../../core/private/rds-max-connections';
import { RdsRules as v } from '../../core/private/rds-rules';
import { isToken, knownAtSynth, knownDuration, oneOf, positiveNumber, Problem, rdsIdentifier } from '../../core/private/validators';
import { DatabaseEngine } from '../database-engine';
import { DatabaseEngineFamily } from '../database-engine-family';
import { DatabasePreset } from '../database-preset';
import { IndependentRdsProps } from '../independent-rds-props';

/** Every IndependentRds setting after the preset's defaults are applied (the one place they are). */
export interface RdsSettings {
  readonly engine: DatabaseEngine;
  readonly allowMajorVersionUpgrade: boolean;
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
  /** AZ of a single-AZ instance, when given. */
  readonly availabilityZone?: string;
  /** Provisioned IOPS, when given (instances only). */
  readonly iops?: number;
  /** Storage throughput in MiB/s, when given (gp3 instances only). */
  readonly storageThroughput?: number;
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
  /** ApplyImmediately on the instances, when given (unset keeps CloudFormation's default). */
  readonly applyImmediately?: boolean;
  /** The fixed name of the instance or cluster (`instanceIdentifier` or `clusterIdentifier`), when given. */
  readonly identifier?: string;
  /** Retention of the log groups the library creates when the identifier is known. */
  readonly cloudwatchLogsRetention: logs.RetentionDays;
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
    allowMajorVersionUpgrade: props.allowMajorVersionUpgrade ?? false,
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
    maxAllocatedStorage: props.maxAllocatedStorage ?? defaultMaxAllocatedStorage(props.allocatedStorage ?? 20),
    storageType: props.storageType ?? rds.StorageType.GP3,
    availabilityZone: props.availabilityZone,
    iops: props.iops,
    storageThroughput: props.storageThroughput,
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
    applyImmediately: props.applyImmediately,
    identifier: engine.isCluster ? props.clusterIdentifier : props.instanceIdentifier,
    cloudwatchLogsRetention: props.cloudwatchLogsRetention ?? logs.RetentionDays.INFINITE,
  };
}

const known = (value: unknown): boolean => !Token.isUnresolved(value);

/** The storage autoscaling ceiling when none is given: 100 GiB, or twice the allocated storage when that is more (at most 65536). */
function defaultMaxAllocatedStorage(allocated: number): number {
  return known(allocated) && allocated > 50 ? Math.min(65536, Math.max(100, 2 * allocated)) : 100;
}

/** Every rule the settings break, as messages naming prop, value and fix. */
export function settingsErrors(s: RdsSettings, props: IndependentRdsProps, region?: string): Problem[] {
  const errors: Problem[] = [...tokenErrors(s)];
  const family = s.engine.family.name;
  if (s.vpcSubnets.subnetType === ec2.SubnetType.PUBLIC) {
    errors.push('vpcSubnets selects PUBLIC subnets (got subnetType PUBLIC). A database is never publicly reachable: use PRIVATE_WITH_EGRESS or PRIVATE_ISOLATED subnets.');
  }
  if (known(s.instanceClass)) errors.push(v.instanceClassError(s.instanceClass, family));
  if (known(s.username)) errors.push(v.usernameError(s.username, family, s.engine.version));
  if (known(s.databaseName)) errors.push(v.databaseNameError(s.databaseName, family));
  // Refused when a token: apps get the port literally (DB_PORT), and RDS Proxy needs it.
  errors.push(v.portError(s.port));
  if (props.secretName !== undefined && props.secret !== undefined) {
    errors.push(`secretName names the secret IndependentRds generates, but secret is given (got secretName '${props.secretName}' and secret ${props.secret.node.path}). `
      + 'Remove secretName and name your own secret where you create it.');
  }
  if (props.secretName !== undefined && known(props.secretName)) errors.push(v.secretNameError(props.secretName));
  errors.push(oneOf('storageType', s.storageType, Object.values(rds.StorageType), 'Use rds.StorageType.GP3.'));
  if (!s.backupRetention.isUnresolved()) errors.push(v.backupRetentionError(s.backupRetention.toDays({ integral: false }), s.production));
  const bw = s.preferredBackupWindow;
  const mw = s.preferredMaintenanceWindow;
  const bwError = known(bw) ? v.backupWindowError(bw) : undefined;
  const mwError = known(mw) ? v.maintenanceWindowError(mw) : undefined;
  errors.push(bwError, mwError);
  if (!bwError && !mwError && known(bw) && known(mw)) errors.push(v.windowOverlapError(bw, mw));
  if (s.multiAz && props.availabilityZone !== undefined) {
    errors.push(`availabilityZone '${props.availabilityZone}' places a single-AZ instance, but multiAz is true. Remove availabilityZone, or set multiAz to false.`);
  }
  if (props.availabilityZone !== undefined && known(props.availabilityZone)) errors.push(v.availabilityZoneError(props.availabilityZone, region));
  errors.push(...v.logExportsErrors(s.cloudwatchLogsExports, family));
  errors.push(oneOf('removalPolicy', s.removalPolicy, Object.values(RemovalPolicy), 'Use RemovalPolicy.RETAIN or RemovalPolicy.SNAPSHOT.'));
  errors.push(...v.parametersErrors(s.parameters));
  if (known(s.readReplicas)) errors.push(v.readReplicasError(s.readReplicas));
  if (s.engine.isCluster) {
    errors.push(...clusterErrors(s, props));
  } else {
    errors.push(...storageErrors(s));
  }
  if (s.production && s.removalPolicy === RemovalPolicy.DESTROY) {
    errors.push('removalPolicy DESTROY would delete the production database with its stack (got DESTROY). Use RETAIN or SNAPSHOT, or the development preset.');
  }
  if (known(s.performanceInsightRetentionDays)) errors.push(v.performanceInsightsRetentionError(s.performanceInsightRetentionDays));
  if (!s.performanceInsights && props.performanceInsightRetentionDays !== undefined) {
    errors.push(`performanceInsightRetentionDays is set (got ${props.performanceInsightRetentionDays}) but performanceInsights is off. Turn performanceInsights on, or remove the retention.`);
  }
  if (!s.monitoringInterval.isUnresolved()) errors.push(v.monitoringIntervalError(s.monitoringInterval.toSeconds({ integral: false })));
  const exact = { integral: false };
  if (s.rotation && !s.rotationInterval.isUnresolved()) {
    errors.push(v.rotationIntervalError(s.rotationInterval.toDays(exact), s.rotationInterval.toHours(exact)));
  }
  if (!s.backtrackWindow.isUnresolved()) {
    errors.push(...v.backtrackWindowErrors(s.backtrackWindow.toHours(exact), family, s.backtrackWindow.toSeconds(exact)));
  }
  errors.push(...identifierErrors(s, props));
  if (known(s.connectionsAlarmThreshold)) {
    errors.push(positiveNumber('connectionsAlarmThreshold', s.connectionsAlarmThreshold, "Use a value below the engine's max_connections."));
  }
  return errors;
}

/** instanceIdentifier or clusterIdentifier, whichever fits the engine, and what needs one. */
function identifierErrors(s: RdsSettings, props: IndependentRdsProps): Problem[] {
  const errors: Problem[] = [];
  const [right, wrong] = s.engine.isCluster ? ['clusterIdentifier', 'instanceIdentifier'] : ['instanceIdentifier', 'clusterIdentifier'];
  const wrongValue = s.engine.isCluster ? props.instanceIdentifier : props.clusterIdentifier;
  if (wrongValue !== undefined) {
    const kind = s.engine.isCluster ? `an Aurora cluster (${s.engine.family})` : `an RDS instance (${s.engine.family})`;
    errors.push(`${wrong} does not apply to ${kind} (got ${JSON.stringify(wrongValue)}). Use ${right} instead.`);
  }
  if (s.identifier !== undefined && known(s.identifier)) errors.push(rdsIdentifier(right, s.identifier));
  if (props.cloudwatchLogsRetention !== undefined && s.identifier === undefined) {
    errors.push(`cloudwatchLogsRetention needs ${right} (got ${props.cloudwatchLogsRetention} days without one): the library creates the encrypted log groups, `
      + `whose names hold the identifier, before the database. Set ${right} (on a deployed database that replaces it), or remove cloudwatchLogsRetention.`);
  }
  return errors;
}

/** Props the construct computes with: counted, compared or turned into other values, so never tokens. */
function tokenErrors(s: RdsSettings): Problem[] {
  const durations: Array<[string, Duration]> = [['backupRetention', s.backupRetention], ['monitoringInterval', s.monitoringInterval],
    ['rotationInterval', s.rotationInterval], ['backtrackWindow', s.backtrackWindow]];
  return [
    knownAtSynth('readReplicas', s.readReplicas, 'it decides how many replica resources the template holds.'),
    knownAtSynth('allocatedStorage', s.allocatedStorage, 'the storage rules and the free-storage alarm are computed from it.'),
    ...durations.map(([prop, d]) => knownDuration(prop, d.isUnresolved())),
  ];
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

function storageErrors(s: RdsSettings): Problem[] {
  const errors: Problem[] = [];
  const type = s.storageType as string;
  const allocated = s.allocatedStorage;
  if (!known(allocated) || !(Object.values(rds.StorageType) as string[]).includes(type)) return errors;
  errors.push(v.allocatedStorageError(allocated, type));
  if (known(s.maxAllocatedStorage)) errors.push(v.maxAllocatedStorageError(s.maxAllocatedStorage, allocated));
  // Which storage takes IOPS and throughput is checked for tokens too; their ranges only for literals.
  errors.push(v.iopsError(type, allocated, s.iops), v.storageThroughputError(type, allocated, s.storageThroughput, s.iops));
  return errors;
}

/**
 * The same rules once more, at synthesis, for props given as tokens that resolve to a literal by
 * then (a `Lazy`): what was accepted unchecked at construction is checked with its real value. A
 * token that stays a CloudFormation expression (a parameter, an attribute) passes through, except
 * the engine version, whose parameter group family must be known.
 */
export function resolvedTokenErrors(stack: Stack, props: IndependentRdsProps, region?: string): Problem[] {
  const errors: Problem[] = [];
  const engine = props.engine ?? DatabaseEngine.POSTGRES_16;
  if (isToken(engine.version)) {
    const version: unknown = stack.resolve(engine.version);
    errors.push(typeof version === 'string' ? v.engineVersionError(engine.family.name, version)
      : `engine version must resolve to a literal version at synthesis (got ${JSON.stringify(version)}); the parameter group family follows from it. Pass the version as text or a Lazy.string.`);
  }
  const resolved: { [prop: string]: unknown } = {};
  for (const [prop, value] of Object.entries(props)) {
    if ((typeof value !== 'string' && typeof value !== 'number') || !Token.isUnresolved(value)) continue;
    const literal: unknown = stack.resolve(value);
    if (typeof literal === 'string' || typeof literal === 'number') resolved[prop] = literal;
  }
  if (Object.keys(resolved).length > 0) {
    const literalProps = { ...props, ...resolved } as IndependentRdsProps;
    errors.push(...settingsErrors(resolveSettings(literalProps), literalProps, region));
  }
  return errors;
}
