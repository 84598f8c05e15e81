import { Duration, Names, RemovalPolicy, aws_backup as backup, aws_events as events, aws_kms as kms } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeNag } from './private/acknowledgments';
import { backupPlanProblems } from './private/backup-plan-problems';
import { rdsTarget, rdsTargetProblem } from './private/rds-target';
import { IRdsDatabase } from './rds-database';
import { throwIfAny } from '../core/private/validators';

/**
 * An AWS Backup plan for a database: recovery points kept longer than the 35 days automated
 * backups allow, in a vault of their own, optionally copied to a vault in another region.
 */
export interface DatabaseBackupPlanOptions {
  /**
   * How long each recovery point is kept, in whole days (e.g. `Duration.days(365)`). Unlike
   * automated backups (at most 35 days), AWS Backup keeps them as long as asked.
   */
  readonly retention: Duration;

  /**
   * When the plan takes a recovery point (a snapshot).
   * @default - daily at 06:00 UTC, after the default backup (03:00–04:00) and maintenance (Sunday 04:30–05:30) windows
   */
  readonly schedule?: events.Schedule;

  /**
   * The KMS key of the vault.
   * @default - the database's encryptionKey
   */
  readonly vaultKey?: kms.IKey;

  /**
   * ARN of an AWS Backup vault to copy every recovery point to, usually in the disaster-recovery
   * region (or a backup account). Its key encrypts the copies; its access policy must let this
   * account copy into it.
   * @default - no copy
   */
  readonly copyToVaultArn?: string;

  /**
   * How long the copies are kept, in whole days.
   * @default - retention
   */
  readonly copyRetention?: Duration;
}

/** Properties of a DatabaseBackupPlan. */
export interface DatabaseBackupPlanProps extends DatabaseBackupPlanOptions {
  /** The database to back up: an IndependentRds, or one imported with `IndependentRds.fromDatabaseAttributes`. */
  readonly database: IRdsDatabase;
}

/**
 * An AWS Backup plan (child 'Plan') with one daily rule, a vault (child 'Vault') encrypted with a
 * KMS key and retained when the stack is deleted (recovery points cannot be deleted from it by
 * hand), and a selection of the database's instance or cluster.
 *
 * IndependentRds makes one (child 'BackupPlan') from its `backupPlan` prop.
 */
export class DatabaseBackupPlan extends Construct {
  /** The vault holding the recovery points. */
  public readonly vault: backup.BackupVault;
  /** The plan. */
  public readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: DatabaseBackupPlanProps) {
    super(scope, id);
    throwIfAny('DatabaseBackupPlan', [rdsTargetProblem(props.database), ...backupPlanProblems(props, 'backupPlan')]);
    const target = rdsTarget(props.database);
    const key = props.vaultKey ?? props.database.encryptionKey;
    this.vault = new backup.BackupVault(this, 'Vault', {
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
      // Nobody deletes a recovery point by hand; AWS Backup still deletes it when its retention ends.
      blockRecoveryPointDeletion: true,
    });
    const copyVault = props.copyToVaultArn !== undefined ? backup.BackupVault.fromBackupVaultArn(this, 'CopyVault', props.copyToVaultArn) : undefined;
    this.plan = new backup.BackupPlan(this, 'Plan', {
      // Named after the construct path, so two databases' plans are told apart in the console.
      backupPlanName: Names.uniqueResourceName(this, { maxLength: 50 }),
      backupVault: this.vault,
      backupPlanRules: [new backup.BackupPlanRule({
        ruleName: 'Daily',
        scheduleExpression: props.schedule ?? events.Schedule.cron({ minute: '0', hour: '6' }),
        deleteAfter: props.retention,
        copyActions: copyVault ? [{ destinationBackupVault: copyVault, deleteAfter: props.copyRetention ?? props.retention }] : undefined,
      })],
    });
    const selection = this.plan.addSelection('Selection', { resources: [backup.BackupResource.fromArn(target.arn)] });
    // aws-backup gives the selection a role with the AWS-managed backup policy, named 'Role'.
    const role = selection.node.tryFindChild('Role');
    if (role) acknowledgeNag(role, `AwsSolutions-IAM4[${BACKUP_POLICY}]`, BACKUP_POLICY_REASON);
  }
}

const BACKUP_POLICY = 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup';

/** Why the AWS-managed backup policy is used (AwsSolutions-IAM4). */
const BACKUP_POLICY_REASON = 'The backup selection uses AWSBackupServiceRolePolicyForBackup, the AWS-managed policy AWS Backup documents for its '
  + 'service role: it takes and tags snapshots of the resources selected, and AWS keeps it in step with the services AWS Backup supports.';
