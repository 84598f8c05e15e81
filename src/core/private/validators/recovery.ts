import { intRange } from './numbers';
import { Problem, show } from './problem';
import { compareVersions, majorVersion } from '../../deploy-safety/private/engine-versions';

// ---------------------------------------------------------------------------------------------
// Restore and disaster recovery of RDS databases (IndependentRds restoreSource, backupReplication,
// backupPlan; CrossRegionReplica). Framework-free: values arrive as strings, numbers and flags.

/** An AWS region name such as `eu-west-1` or `us-gov-west-1`. */
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
/** A DB instance or DB cluster identifier: 1–63 letters, digits and hyphens, starting with a letter. */
const DB_IDENTIFIER = /^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}$/;
/** A snapshot identifier: a manual one, or an automated one (`rds:` prefix). */
const SNAPSHOT_IDENTIFIER = /^(rds:)?[A-Za-z](?!.*--)[A-Za-z0-9-]{0,254}$/;
const ACCOUNT = '\\d{12}';
const PARTITION = 'aws(-[a-z]+)*';

/** The kinds of RDS ARNs a restore or a replica names. */
export type RdsArnKind = 'db' | 'cluster' | 'snapshot' | 'cluster-snapshot';

/** The region of an ARN (`arn:partition:service:region:account:…`), or undefined when it is not one. */
export function arnRegion(arn: string): string | undefined {
  const parts = typeof arn === 'string' ? arn.split(':') : [];
  return parts.length >= 6 && parts[0] === 'arn' ? parts[3] : undefined;
}

function rdsArn(kind: RdsArnKind): RegExp {
  return new RegExp(`^arn:${PARTITION}:rds:[a-z0-9-]+:${ACCOUNT}:${kind}:[A-Za-z][A-Za-z0-9:-]*$`);
}

/** An AWS region name. */
export function regionName(prop: string, value: string): Problem {
  if (typeof value !== 'string' || !REGION.test(value)) {
    return `${prop} must be an AWS region name (got ${show(value)}). Use e.g. 'eu-west-1'.`;
  }
  return undefined;
}

/**
 * A DB instance (`kind` db) or DB cluster (`kind` cluster) identifier, or its ARN (needed when the
 * source is in another region or account).
 */
export function dbIdentifier(prop: string, value: string, kind: 'db' | 'cluster'): Problem {
  if (typeof value === 'string' && (DB_IDENTIFIER.test(value) && !value.endsWith('-') || rdsArn(kind).test(value))) return undefined;
  const what = kind === 'db' ? 'DB instance' : 'DB cluster';
  return `${prop} must be a ${what} identifier (1–63 letters, digits and single hyphens, starting with a letter) or its ARN (got ${show(value)}). `
    + `Copy it from the RDS console or \`aws rds describe-db-${kind === 'db' ? 'instances' : 'clusters'}\`, e.g. 'shop-db' or 'arn:aws:rds:eu-west-1:123456789012:${kind}:shop-db'.`;
}

/** A DB snapshot (`kind` snapshot) or DB cluster snapshot (`kind` cluster-snapshot) identifier, or its ARN. */
export function snapshotIdentifier(prop: string, value: string, kind: 'snapshot' | 'cluster-snapshot'): Problem {
  if (typeof value === 'string' && (SNAPSHOT_IDENTIFIER.test(value) && !value.endsWith('-') || rdsArn(kind).test(value))) return undefined;
  const what = kind === 'snapshot' ? 'DB snapshot' : 'DB cluster snapshot';
  return `${prop} must be a ${what} identifier (letters, digits and single hyphens, starting with a letter; 'rds:' for an automated one) or its ARN (got ${show(value)}). `
    + `Copy it from \`aws rds describe-db-${kind === 'snapshot' ? 'snapshots' : 'cluster-snapshots'}\`; a snapshot shared from another account needs its ARN.`;
}

/**
 * What the restore source restores, against the engine: a DB snapshot and an instance's point in
 * time restore an RDS instance; a cluster snapshot and a cluster's point in time restore Aurora.
 */
export function restoreKindError(kind: 'snapshot' | 'cluster-snapshot' | 'point-in-time', engineIsCluster: boolean, engine: string,
  sourceInstance?: string, sourceCluster?: string, sourceBackups?: string): Problem {
  if (kind === 'snapshot' && engineIsCluster) {
    return `restoreSource restores a DB snapshot, which makes an RDS instance, but the engine is ${engine} (got RestoreSource.fromSnapshot). `
      + 'Restore Aurora from a cluster snapshot: RestoreSource.fromClusterSnapshot(…).';
  }
  if (kind === 'cluster-snapshot' && !engineIsCluster) {
    return `restoreSource restores a DB cluster snapshot, which makes an Aurora cluster, but the engine is ${engine} (got RestoreSource.fromClusterSnapshot). `
      + 'Restore an RDS instance from a DB snapshot: RestoreSource.fromSnapshot(…).';
  }
  if (kind !== 'point-in-time') return undefined;
  const given = [sourceInstance, sourceCluster, sourceBackups].filter((v) => v !== undefined).length;
  if (given !== 1) {
    return `restoreSource must name exactly one of sourceInstanceIdentifier, sourceClusterIdentifier and sourceAutomatedBackupsArn (got ${given === 0 ? 'none' : given}). `
      + `Give ${engineIsCluster ? 'sourceClusterIdentifier (the engine is Aurora)' : 'sourceInstanceIdentifier, or sourceAutomatedBackupsArn for replicated backups (the engine runs on an instance)'}.`;
  }
  if (engineIsCluster && sourceCluster === undefined) {
    return `restoreSource names a source instance or its backups (got ${show(sourceInstance ?? sourceBackups)}), but the engine ${engine} is an Aurora cluster. `
      + 'Give sourceClusterIdentifier: Aurora restores a point in time of a cluster.';
  }
  if (!engineIsCluster && sourceCluster !== undefined) {
    return `restoreSource names a source cluster (got sourceClusterIdentifier ${show(sourceCluster)}), but the engine ${engine} runs on an instance. `
      + 'Give sourceInstanceIdentifier: an RDS instance restores a point in time of an instance.';
  }
  return undefined;
}

/** The ARN of replicated automated backups of a DB instance (`arn:aws:rds:<region>:<account>:auto-backup:ab-…`), in `region`. */
export function automatedBackupsArn(prop: string, value: string, region: string | undefined): Problem {
  const re = new RegExp(`^arn:${PARTITION}:rds:[a-z0-9-]+:${ACCOUNT}:auto-backup:ab-[a-z0-9]+$`);
  if (typeof value !== 'string' || !re.test(value)) {
    return `${prop} must be the ARN of replicated automated backups (got ${show(value)}). `
      + "Find it with `aws rds describe-db-instance-automated-backups --region <this region>`: 'arn:aws:rds:<region>:<account>:auto-backup:ab-…'.";
  }
  if (region !== undefined && arnRegion(value) !== region) {
    return `${prop} must be in the stack's region ${region}, where the backups were replicated to (got ${arnRegion(value)}). Deploy the restore in ${arnRegion(value)}.`;
  }
  return undefined;
}

/** Formats a time as the restore properties take it: ISO 8601 in UTC, to the second. */
export function restoreTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A restore time: a valid date, not in the future (RDS restores only to a time it has backups of). */
export function restoreTimeError(epochMs: number, nowMs: number): Problem {
  if (typeof epochMs !== 'number' || !Number.isFinite(epochMs)) {
    return `restoreTime must be a valid date (got ${show(epochMs)}). Give the moment before the damage, e.g. new Date('2025-06-01T14:01:00Z').`;
  }
  if (epochMs > nowMs) {
    return `restoreTime must be in the past (got ${restoreTimestamp(epochMs)}, after the synthesis time ${restoreTimestamp(nowMs)}). `
      + 'RDS restores only to a time its backups cover: give the moment before the damage, or omit restoreTime for the latest restorable time.';
  }
  return undefined;
}

/**
 * A restore time inside the source's backup retention window (RDS keeps the transaction logs for
 * `retentionDays` days). Checked only when the source's retention is declared; the check reads the
 * clock, so the declaration is removed once the database is restored.
 */
export function restoreWindowError(epochMs: number, nowMs: number, retentionDays: number): Problem {
  const earliest = nowMs - retentionDays * 24 * 60 * 60 * 1000;
  if (Number.isFinite(epochMs) && epochMs < earliest) {
    return `restoreTime must be inside the source's ${retentionDays}-day backup retention window, after ${restoreTimestamp(earliest)} (got ${restoreTimestamp(epochMs)}). `
      + 'Restore an older state from a snapshot (RestoreSource.fromSnapshot) or an AWS Backup recovery point; '
      + 'if this database was already restored, remove sourceBackupRetention from the restore source (it only feeds this check).';
  }
  return undefined;
}

/** The source's declared backup retention: 1–35 whole days (a source without backups has no point in time). */
export function sourceBackupRetentionError(days: number): Problem {
  return intRange('sourceBackupRetention', days, 1, 35, 'Give the source\'s BackupRetentionPeriod in days (RDS keeps 1–35).');
}

/**
 * The engine of the restored database against the source's: the same engine, not an older version
 * (RDS cannot downgrade), and a new major version only with `allowMajorVersionUpgrade`. An Aurora
 * point-in-time restore keeps the source's version exactly.
 */
export function restoreEngineError(source: { family: string; version: string }, target: { family: string; version: string },
  allowMajorVersionUpgrade: boolean, exactVersion: boolean): Problem {
  if (source.family !== target.family) {
    return `engine must be the restore source's engine (got ${target.family} ${target.version}, the source runs ${source.family} ${source.version}). `
      + 'A restore cannot change engines: set engine to the source\'s, and migrate the data afterwards if another engine is wanted.';
  }
  const cmp = compareVersions(target.version, source.version);
  if (cmp < 0) {
    return `engine must not be older than the restore source's (got ${target.version}, the source runs ${source.version}). RDS cannot downgrade: set the engine to ${source.version} or later.`;
  }
  if (exactVersion && cmp !== 0) {
    return `engine must be the source's exact version for an Aurora point-in-time restore (got ${target.version}, the source runs ${source.version}). `
      + 'RDS restores the cluster at the source\'s version: set the engine to it, and upgrade in a later deploy.';
  }
  const majorBefore = majorVersion(source.family, source.version);
  const majorAfter = majorVersion(target.family, target.version);
  if (majorBefore !== majorAfter && !allowMajorVersionUpgrade) {
    return `engine ${target.version} is a major upgrade of the restore source's ${source.version}, which needs allowMajorVersionUpgrade (got false). `
      + 'Restore at the source\'s major version first, or set allowMajorVersionUpgrade: true to upgrade right after the restore.';
  }
  return undefined;
}

/**
 * A restore keeps the source's master user and databases: IndependentRds does not send username or
 * databaseName to RDS, but the generated secret and the connection details use them, so they must
 * be stated, not defaulted.
 */
export function restoreNamesErrors(usernameGiven: boolean, databaseNameGiven: boolean, secretGiven: boolean): Problem[] {
  const problems: Problem[] = [];
  if (!usernameGiven && !secretGiven) {
    problems.push('username must be the restore source\'s master user name (got none). A restore keeps the source\'s master user: '
      + 'state it (e.g. username: \'dbadmin\', the IndependentRds default), so that the generated secret logs in as that user.');
  }
  if (!databaseNameGiven) {
    problems.push('databaseName must be the name of the restore source\'s database the apps use (got none). A restore keeps the source\'s databases: '
      + 'state it (e.g. databaseName: \'app\', the IndependentRds default), so that the connection details point at it.');
  }
  return problems;
}

/**
 * An RDS instance restore keeps the source's storage key (RDS cannot re-encrypt it while
 * restoring), so an `encryptionKey` other than the source's declared key cannot apply.
 */
export function restoreKeyError(keyDescription: string, sourceKeyDescription: string): Problem {
  return `encryptionKey must be the restore source's key for an RDS instance restore (got ${keyDescription}; the source is encrypted with ${sourceKeyDescription}). `
    + 'RDS keeps the source\'s key when it restores an instance: remove encryptionKey (the source\'s key is then used), '
    + 'or restore from a snapshot copied with the other key (aws rds copy-db-snapshot --kms-key-id).';
}

// ---------------------------------------------------------------------------------------------
// Cross-region replication of automated backups, AWS Backup plans, cross-region replicas

/** A KMS key ARN (not an alias) in `region`: what RDS needs to encrypt in another region. */
export function kmsKeyArnIn(prop: string, value: string, region: string): Problem {
  const re = new RegExp(`^arn:${PARTITION}:kms:[a-z0-9-]+:${ACCOUNT}:key/[A-Za-z0-9-]+$`);
  if (typeof value !== 'string' || !re.test(value)) {
    return `${prop} must be the ARN of a KMS key, not an alias or key id (got ${show(value)}). `
      + `Create the key in ${region} (e.g. in a stack of that region) and pass its ARN, 'arn:aws:kms:${region}:123456789012:key/…'.`;
  }
  if (arnRegion(value) !== region) {
    return `${prop} must be a key in ${region}, where the copies are encrypted (got a key in ${arnRegion(value)}: ${show(value)}). Use a key made in ${region}.`;
  }
  return undefined;
}

/** Replicated automated backups go to another region than the database's. */
export function otherRegionError(prop: string, region: string, ownRegion: string): Problem {
  if (region === ownRegion) {
    return `${prop} must be another region than the database's (got ${show(region)}, the stack's own region). Choose the disaster-recovery region, e.g. 'eu-central-1'.`;
  }
  return undefined;
}

/** Cross-region replication of automated backups: RDS instances only, with automated backups on. */
export function backupReplicationErrors(engineIsCluster: boolean, engine: string, backupRetentionDays: number, retentionDays?: number): Problem[] {
  const problems: Problem[] = [];
  if (engineIsCluster) {
    problems.push(`backupReplication replicates the automated backups of an RDS instance; ${engine} is an Aurora cluster (got backupReplication). `
      + 'For Aurora, copy recovery points to another region with backupPlan.copyToVaultArn, or run a CrossRegionReplica of the cluster.');
  }
  if (backupRetentionDays === 0) {
    problems.push('backupReplication needs automated backups, which backupRetention 0 turns off (got backupRetention 0). Keep backups for at least 1 day.');
  }
  if (retentionDays !== undefined) {
    problems.push(intRange('backupReplication.retention', retentionDays, 1, 35, 'RDS keeps replicated backups for 1–35 days: use backupPlan for longer.'));
  }
  return problems;
}

/** An AWS Backup plan: whole days, at least 1 (AWS Backup deletes recovery points after it). */
export function backupPlanRetentionError(prop: string, days: number): Problem {
  if (!Number.isInteger(days) || days < 1) {
    return `${prop} must be whole days, at least 1 (got ${show(days)}). Use e.g. Duration.days(365) for a year.`;
  }
  return undefined;
}

/** The ARN of an AWS Backup vault (usually in another region or account) to copy recovery points to. */
export function backupVaultArnError(prop: string, value: string): Problem {
  const re = new RegExp(`^arn:${PARTITION}:backup:[a-z0-9-]+:${ACCOUNT}:backup-vault:[A-Za-z0-9_.-]{2,50}$`);
  if (typeof value !== 'string' || !re.test(value)) {
    return `${prop} must be the ARN of an AWS Backup vault (got ${show(value)}). Use e.g. 'arn:aws:backup:eu-central-1:123456789012:backup-vault:shop-dr'.`;
  }
  return undefined;
}
