import { Duration } from 'aws-cdk-lib';

/**
 * Cross-region replication of an RDS instance's automated backups (snapshots and transaction logs),
 * so that the instance can be restored to a point in time in another region when its own region is
 * lost. CloudFormation's `AutomaticBackupReplicationRegion`, `AutomaticBackupReplicationKmsKeyId`
 * and `AutomaticBackupReplicationRetentionPeriod` on the DB instance. RDS instances only: Aurora
 * copies recovery points with an AWS Backup plan (`backupPlan.copyToVaultArn`) or runs a
 * `CrossRegionReplica`.
 */
export interface BackupReplicationOptions {
  /** The region that receives the replicated backups, e.g. `eu-central-1` (not the database's own region). */
  readonly region: string;

  /**
   * ARN of the KMS key in `region` that encrypts the replicated backups (the database is encrypted,
   * so RDS needs a key there). Create it in a stack of that region and write its ARN here: a
   * reference to a key in a stack of another region would need cross-region references.
   */
  readonly encryptionKeyArn: string;

  /**
   * How long the replicated backups are kept, 1–35 days.
   * @default - the database's backupRetention
   */
  readonly retention?: Duration;
}
