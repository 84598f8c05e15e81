import { CfnResource } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * True when the L1 behind an RDS instance or cluster asks RDS to manage the master password
 * (`ManageMasterUserPassword`), whether set as a property or as a raw override.
 */
export function managesMasterPassword(l2: Construct | undefined): boolean {
  const resource = l2?.node.defaultChild as CfnResource | undefined;
  if (!resource) return false;
  const l1 = resource as unknown as { manageMasterUserPassword?: unknown };
  const raw = (resource as unknown as { rawOverrides?: { Properties?: { ManageMasterUserPassword?: unknown } } }).rawOverrides;
  const value = raw?.Properties?.ManageMasterUserPassword ?? l1.manageMasterUserPassword;
  return value === true || value === 'true';
}
