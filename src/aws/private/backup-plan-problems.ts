import { Token } from 'aws-cdk-lib';
import { backupPlanRetentionError, backupVaultArnError, Problem } from '../../core/private/validators';
import { DatabaseBackupPlanOptions } from '../database-backup-plan';

/** What is wrong with AWS Backup plan options; `prefix` names them as the user wrote them (`backupPlan`). */
export function backupPlanProblems(options: DatabaseBackupPlanOptions, prefix: string): Problem[] {
  const problems: Problem[] = [];
  const days = options.retention.toDays({ integral: false });
  if (!Token.isUnresolved(days)) problems.push(backupPlanRetentionError(`${prefix}.retention`, days));
  if (options.copyRetention !== undefined) {
    const copyDays = options.copyRetention.toDays({ integral: false });
    if (!Token.isUnresolved(copyDays)) problems.push(backupPlanRetentionError(`${prefix}.copyRetention`, copyDays));
    if (options.copyToVaultArn === undefined) {
      problems.push(`${prefix}.copyRetention is set but nothing is copied (got copyRetention ${copyDays} days and no copyToVaultArn). Add copyToVaultArn, or remove copyRetention.`);
    }
  }
  if (options.copyToVaultArn !== undefined && !Token.isUnresolved(options.copyToVaultArn)) {
    problems.push(backupVaultArnError(`${prefix}.copyToVaultArn`, options.copyToVaultArn));
  }
  return problems;
}
