import { BackupReplicationOptions } from './backup-replication-options';
import { DatabaseBackupPlanOptions } from './database-backup-plan';
import { RestoreSource } from './restore-source';

/**
 * The restore and disaster-recovery props of an IndependentRds (part of IndependentRdsProps).
 * See the README section "Restore and disaster recovery" for the runbooks.
 */
export interface IndependentRdsRecoveryProps {
  /**
   * Create the database from a snapshot, or from a point in time of another database, instead of
   * empty. The restored database keeps the source's data, master user and databases; its password
   * becomes the one in the generated secret (CloudFormation sets it right after the restore), so
   * the secret, rotation, alarms and bindings work as for a new database.
   *
   * `username` and `databaseName` must then be stated: they are the source's (a restore cannot
   * change them) and they are not sent to RDS. An RDS instance restore keeps the source's storage
   * key (see `RestoreSource` `sourceEncryptionKey`); an Aurora restore is re-encrypted with
   * `encryptionKey`.
   *
   * Restore next to the old database (a second IndependentRds with a new construct id), move the
   * apps, then retire the old one. Adding, changing or removing the restore source of a deployed
   * database replaces it: the deploy-safety checker (`cdk-db-safety`) reports it.
   * @default - a new, empty database
   */
  readonly restoreSource?: RestoreSource;

  /**
   * Replicate the instance's automated backups (snapshots and transaction logs) to another region,
   * for a point-in-time restore there when this region is lost. RDS instances only.
   * @default - automated backups stay in this region
   */
  readonly backupReplication?: BackupReplicationOptions;

  /**
   * Also back the database up with an AWS Backup plan (child 'BackupPlan'), for retention beyond
   * the 35 days of automated backups and copies to another region or account.
   * @default - automated backups only
   */
  readonly backupPlan?: DatabaseBackupPlanOptions;
}
