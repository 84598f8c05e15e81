import { Annotations, CfnResource, Duration, Token, Validations, aws_kms as kms, aws_rds as rds } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import {
  automatedBackupsArn, backupReplicationErrors, dbIdentifier, kmsKeyArnIn, otherRegionError, Problem, regionName, restoreEngineError, restoreKeyError,
  restoreKindError, restoreNamesErrors, restoreTimeError, restoreTimestamp, restoreWindowError, snapshotIdentifier, sourceBackupRetentionError,
} from '../../core/private/validators';
import { BackupReplicationOptions } from '../backup-replication-options';
import { DatabaseBackupPlan, DatabaseBackupPlanOptions } from '../database-backup-plan';
import { IndependentRdsProps } from '../independent-rds-props';
import { IRdsDatabase } from '../rds-database';
import { RestoreSource, RestoreSourceKind } from '../restore-source';
import { acknowledgeGuard } from './acknowledgments';
import { backupPlanProblems } from './backup-plan-problems';
import { RdsSettings } from './rds-settings';

/**
 * The restore and disaster-recovery side of IndependentRds: the settings (defaults applied once),
 * the rules, and what they change on the DB instance or cluster.
 */

/** Id of the warning about an RDS instance restore whose storage key is not named. */
export const RESTORE_KEY_WARNING = 'cdk-db-platform:restoreKeyUnknown';

/** Cross-region backup replication with its defaults applied. */
export interface BackupReplicationSettings {
  readonly region: string;
  readonly encryptionKeyArn: string;
  readonly retention: Duration;
}

/** The recovery settings of an IndependentRds, after defaults. */
export interface RecoverySettings {
  readonly restore?: RestoreSource;
  readonly backupReplication?: BackupReplicationSettings;
  readonly backupPlan?: DatabaseBackupPlanOptions;
  /**
   * The key an RDS instance restore keeps for its storage, when the restore source names it: the
   * database's key when no `encryptionKey` is given.
   */
  readonly keptStorageKey?: kms.IKey;
}

/** Applies the defaults of the recovery props (the one place they are). */
export function resolveRecovery(props: IndependentRdsProps, s: RdsSettings): RecoverySettings {
  const restore = props.restoreSource;
  const replication: BackupReplicationOptions | undefined = props.backupReplication;
  return {
    restore,
    backupReplication: replication && {
      region: replication.region,
      encryptionKeyArn: replication.encryptionKeyArn,
      retention: replication.retention ?? s.backupRetention,
    },
    backupPlan: props.backupPlan,
    keptStorageKey: restore !== undefined && !s.engine.isCluster ? restore.sourceEncryptionKey : undefined,
  };
}

const known = (value: unknown): boolean => !Token.isUnresolved(value);

/** True when two keys are known to be the same key: the same construct, or the same literal ARN. */
function sameKey(a: kms.IKey, b: kms.IKey): boolean {
  return a === b || (known(a.keyArn) && known(b.keyArn) && a.keyArn === b.keyArn);
}

function describeKey(key: kms.IKey): string {
  return known(key.keyArn) ? key.keyArn : key.node.path;
}

function restoreProblems(restore: RestoreSource, s: RdsSettings, props: IndependentRdsProps, stackRegion: string, nowMs: number): Problem[] {
  const problems: Problem[] = [];
  const kindError = restoreKindError(restore.kind, s.engine.isCluster, s.engine.toString(),
    restore.sourceInstanceIdentifier, restore.sourceClusterIdentifier, restore.sourceAutomatedBackupsArn);
  problems.push(kindError);
  const backups = restore.sourceAutomatedBackupsArn;
  if (backups !== undefined && known(backups)) {
    problems.push(automatedBackupsArn('restoreSource sourceAutomatedBackupsArn', backups, known(stackRegion) ? stackRegion : undefined));
  }
  const id = restore.snapshotIdentifier;
  if (id !== undefined && known(id)) {
    problems.push(snapshotIdentifier('restoreSource snapshotIdentifier', id, restore.kind === RestoreSourceKind.SNAPSHOT ? 'snapshot' : 'cluster-snapshot'));
  }
  if (restore.sourceInstanceIdentifier !== undefined && known(restore.sourceInstanceIdentifier)) {
    problems.push(dbIdentifier('restoreSource sourceInstanceIdentifier', restore.sourceInstanceIdentifier, 'db'));
  }
  if (restore.sourceClusterIdentifier !== undefined && known(restore.sourceClusterIdentifier)) {
    problems.push(dbIdentifier('restoreSource sourceClusterIdentifier', restore.sourceClusterIdentifier, 'cluster'));
  }
  if (restore.restoreTime !== undefined) {
    const at = restore.restoreTime.getTime();
    const timeError = restoreTimeError(at, nowMs);
    problems.push(timeError);
    const retention = restore.sourceBackupRetention?.toDays({ integral: false });
    if (retention !== undefined && known(retention)) {
      const retentionError = sourceBackupRetentionError(retention);
      problems.push(retentionError, timeError || retentionError ? undefined : restoreWindowError(at, nowMs, retention));
    }
  }
  if (restore.sourceEngine !== undefined && !kindError) {
    const exact = s.engine.isCluster && restore.kind === RestoreSourceKind.POINT_IN_TIME;
    problems.push(restoreEngineError(
      { family: restore.sourceEngine.family.name, version: restore.sourceEngine.version },
      { family: s.engine.family.name, version: s.engine.version },
      s.allowMajorVersionUpgrade, exact));
  }
  problems.push(...restoreNamesErrors(props.username !== undefined, props.databaseName !== undefined, props.secret !== undefined));
  if (!s.engine.isCluster && props.encryptionKey && restore.sourceEncryptionKey && !sameKey(props.encryptionKey, restore.sourceEncryptionKey)) {
    problems.push(restoreKeyError(describeKey(props.encryptionKey), describeKey(restore.sourceEncryptionKey)));
  }
  return problems;
}

function replicationProblems(b: BackupReplicationSettings, s: RdsSettings, props: IndependentRdsProps, stackRegion: string): Problem[] {
  const problems: Problem[] = [];
  const regionError = known(b.region) ? regionName('backupReplication.region', b.region) : undefined;
  problems.push(regionError);
  if (!regionError && known(b.region) && known(stackRegion)) problems.push(otherRegionError('backupReplication.region', b.region, stackRegion));
  if (!regionError && known(b.region) && known(b.encryptionKeyArn)) problems.push(kmsKeyArnIn('backupReplication.encryptionKeyArn', b.encryptionKeyArn, b.region));
  const backupDays = s.backupRetention.toDays({ integral: false });
  const given = props.backupReplication?.retention?.toDays({ integral: false });
  problems.push(...backupReplicationErrors(s.engine.isCluster, s.engine.toString(), known(backupDays) ? backupDays : 1,
    given !== undefined && known(given) ? given : undefined));
  return problems;
}

/** Every rule the recovery props break, as messages naming prop, value and fix. */
export function recoveryErrors(r: RecoverySettings, s: RdsSettings, props: IndependentRdsProps, stackRegion: string, nowMs: number): Problem[] {
  return [
    ...(r.restore ? restoreProblems(r.restore, s, props, stackRegion, nowMs) : []),
    ...(r.backupReplication ? replicationProblems(r.backupReplication, s, props, stackRegion) : []),
    ...(r.backupPlan ? backupPlanProblems(r.backupPlan, 'backupPlan') : []),
  ];
}

/**
 * Turns the new DB instance into a restore: the restore properties are set, and what the restore
 * takes from the source is left out (`DBName` and `MasterUsername`, which would also replace the
 * database when changed; `KmsKeyId`, which RDS cannot apply to an instance restore, on the
 * instance and its read replicas). `MasterUserPassword` stays: CloudFormation sets it with
 * ModifyDBInstance right after the restore, so the database takes the generated secret's password.
 */
/** Why a restored instance names no storage key (CT.RDS.PR.24, CT.RDS.PR.30). */
const RESTORED_KEY_REASON = 'A restored RDS instance (and its replicas) keeps the encryption of its source, snapshot or automated backups: '
  + 'RDS encrypts it with the source\'s KMS key, and CloudFormation takes no StorageEncrypted (point in time) or other KmsKeyId for the restore.';

function applyInstanceRestore(instance: IConstruct, replicas: IConstruct[], restore: RestoreSource): void {
  const cfn = instance.node.defaultChild as rds.CfnDBInstance;
  cfn.dbName = undefined;
  cfn.masterUsername = undefined;
  cfn.kmsKeyId = undefined;
  for (const replica of replicas) (replica.node.defaultChild as rds.CfnDBInstance).kmsKeyId = undefined;
  for (const db of [instance, ...replicas]) acknowledgeGuard(db, 'rds_storage_encrypted_kms_key_check', RESTORED_KEY_REASON);
  if (restore.kind === RestoreSourceKind.SNAPSHOT) {
    cfn.dbSnapshotIdentifier = restore.snapshotIdentifier;
    return;
  }
  cfn.sourceDbInstanceIdentifier = restore.sourceInstanceIdentifier;
  cfn.sourceDbInstanceAutomatedBackupsArn = restore.sourceAutomatedBackupsArn;
  if (restore.restoreTime !== undefined) {
    cfn.restoreTime = restoreTimestamp(restore.restoreTime.getTime());
  } else {
    cfn.useLatestRestorableTime = true;
  }
  // The restored instance inherits encryption from its source (RestoreDBInstanceToPointInTime takes
  // no StorageEncrypted); the L1 keeps the value for the checks that read it.
  cfn.addPropertyDeletionOverride('StorageEncrypted');
  acknowledgeGuard(instance, 'rds_instance_storage_encrypted_check', RESTORED_KEY_REASON);
  if (restore.sourceInstanceIdentifier !== undefined) ignoreCfnLint(cfn, ['E3020'], ['F3020']);
}

/**
 * cfn-lint's own schema patch for AWS::RDS::DBInstance (`dependentExcluded` of
 * SourceDBInstanceIdentifier) and its rule W3689 for AWS::RDS::DBCluster were written for read
 * replicas and older handlers: they call MasterUserPassword (and StorageEncrypted) ignored next to a
 * source. For a point-in-time restore, CloudFormation's RDS handlers set MasterUserPassword with
 * ModifyDBInstance / ModifyDBCluster right after the restore (and the cluster handler validates
 * StorageEncrypted with KmsKeyId), so the finding is a false positive on this one resource.
 */
function ignoreCfnLint(cfn: CfnResource, cfnLintRules: string[], cdkValidateRules: string[]): void {
  cfn.addMetadata('cfn-lint', { config: { ignore_checks: cfnLintRules } });
  acknowledgeCdkValidate(cfn, cdkValidateRules);
}

/**
 * aws-cdk-lib's own template validation (its CloudFormation Validate plugin) runs cfn-lint's rules
 * at synth and would print these false positives as warnings in every consumer's `cdk synth`.
 */
function acknowledgeCdkValidate(cfn: CfnResource, rules: string[]): void {
  for (const rule of rules) {
    Validations.of(cfn).acknowledge({
      id: `CloudFormation-Validate::${rule}`,
      reason: 'CloudFormation sets MasterUserPassword with a Modify call right after a point-in-time restore, so the restored database takes the generated secret\'s password',
    });
  }
}

/**
 * Turns the new Aurora cluster into a restore. `DatabaseName` and `MasterUsername` are left out
 * (the source's are kept); `KmsKeyId` stays, as RDS re-encrypts a restored cluster with it; a
 * point-in-time restore is a full copy (`RestoreType: full-copy`), independent of the source.
 */
function applyClusterRestore(cluster: IConstruct, restore: RestoreSource): void {
  const cfn = cluster.node.defaultChild as rds.CfnDBCluster;
  cfn.databaseName = undefined;
  cfn.masterUsername = undefined;
  // MasterUserPassword stays without MasterUsername (the source's user is kept).
  acknowledgeCdkValidate(cfn, ['F3021']);
  if (restore.kind === RestoreSourceKind.CLUSTER_SNAPSHOT) {
    cfn.snapshotIdentifier = restore.snapshotIdentifier;
    return;
  }
  cfn.sourceDbClusterIdentifier = restore.sourceClusterIdentifier;
  cfn.restoreType = 'full-copy';
  if (restore.restoreTime !== undefined) {
    cfn.restoreToTime = restoreTimestamp(restore.restoreTime.getTime());
  } else {
    cfn.useLatestRestorableTime = true;
  }
  ignoreCfnLint(cfn, ['W3689'], ['W3689']);
}

/** Sets the cross-region replication of automated backups on the DB instance. */
function applyBackupReplication(instance: IConstruct, b: BackupReplicationSettings): void {
  const cfn = instance.node.defaultChild as rds.CfnDBInstance;
  cfn.automaticBackupReplicationRegion = b.region;
  cfn.automaticBackupReplicationKmsKeyId = b.encryptionKeyArn;
  cfn.automaticBackupReplicationRetentionPeriod = b.retention.toDays();
}

/**
 * Applies the recovery settings to a built IndependentRds (`db`, whose instance and replicas, or
 * cluster, exist): the restore, the backup replication, the AWS Backup plan (child 'BackupPlan')
 * and the warnings.
 */
export function applyRecovery(db: IRdsDatabase & Construct, replicas: IConstruct[], r: RecoverySettings, s: RdsSettings): void {
  if (r.restore && db.cluster) applyClusterRestore(db.cluster, r.restore);
  if (r.restore && db.instance) applyInstanceRestore(db.instance, replicas, r.restore);
  if (r.backupReplication && db.instance) applyBackupReplication(db.instance, r.backupReplication);
  if (r.backupPlan) new DatabaseBackupPlan(db, 'BackupPlan', { ...r.backupPlan, database: db });
  addRecoveryWarnings(db, r, s);
}

/** The synth-time warnings of the recovery props. */
function addRecoveryWarnings(db: IConstruct, r: RecoverySettings, s: RdsSettings): void {
  if (r.restore && !s.engine.isCluster && r.restore.sourceEncryptionKey === undefined) {
    Annotations.of(db).addWarningV2(RESTORE_KEY_WARNING,
      `IndependentRds: the instance restored from ${r.restore} keeps the source's storage key, which the restore source does not name. `
      + 'encryptionKey then encrypts only the secret and Performance Insights, and key grants (replica autoscaling) go to that key, not the storage key. '
      + 'Name the source\'s key: RestoreSource options { sourceEncryptionKey: kms.Key.fromKeyArn(this, \'SourceKey\', \'arn:aws:kms:…\') }.');
  }
}
