import { isReadReplica, restoredFrom } from './cfn-restore-rules';
import { isObject } from './json-values';
import { CfnResource } from './model';

/**
 * The CloudFormation resource types that hold data (or keys to it), and what losing or replacing
 * one means, in words for findings.
 */

/** Data-bearing resource types: a replacement, deletion or orphaning of one of these is unsafe. */
export const DATA_BEARING_TYPES = [
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::KMS::Key',
  'AWS::SecretsManager::Secret',
  'AWS::Route53::HostedZone',
  'AWS::Backup::BackupVault',
];

/** True when a resource of this type holds data. */
export function isDataBearing(type: string): boolean {
  return DATA_BEARING_TYPES.includes(type);
}

/**
 * True when the resource holds data of its own: a data-bearing type, except an Aurora cluster
 * instance (the cluster volume holds the data) and a read replica (a copy of its source). Deleting
 * one of those loses capacity, not data. An instance restored to a point in time of a source
 * (SourceDBInstanceIdentifier with a restore time) holds its own data.
 */
export function holdsOwnData(resource: CfnResource): boolean {
  if (resource.Type === 'AWS::RDS::DBInstance') {
    const props = resource.Properties ?? {};
    return props.DBClusterIdentifier === undefined && !isReadReplica(props);
  }
  return isDataBearing(resource.Type);
}

/** A short noun for the resource: "DB instance", "Aurora reader/writer instance", "read replica", "KMS key", … */
export function noun(resource: CfnResource): string {
  const props = resource.Properties ?? {};
  switch (resource.Type) {
    case 'AWS::RDS::DBInstance':
      if (props.DBClusterIdentifier !== undefined) return 'cluster instance';
      if (isReadReplica(props)) return 'read replica';
      return 'DB instance';
    case 'AWS::RDS::DBCluster': return 'DB cluster';
    case 'AWS::KMS::Key': return 'KMS key';
    case 'AWS::SecretsManager::Secret': return 'secret';
    case 'AWS::Route53::HostedZone': return 'hosted zone';
    case 'AWS::Backup::BackupVault': return 'backup vault';
    default: return resource.Type;
  }
}

/** A new resource of this kind, in a few words: "a NEW, EMPTY DB instance", "a NEW DB instance restored from snapshot …". */
export function newOne(resource: CfnResource): string {
  const restored = restoredFrom(resource);
  switch (resource.Type) {
    case 'AWS::RDS::DBInstance':
      if (resource.Properties?.DBClusterIdentifier !== undefined) return 'a new cluster instance (the cluster keeps the data)';
      if (isReadReplica(resource.Properties ?? {})) return 'a new read replica, copied again from its source';
      return restored ? `a NEW DB instance restored from ${restored}` : 'a NEW, EMPTY DB instance';
    case 'AWS::RDS::DBCluster': return restored ? `a NEW DB cluster restored from ${restored}, with new instances` : 'a NEW, EMPTY DB cluster with new instances';
    case 'AWS::SecretsManager::Secret': return 'a NEW secret with a new generated password';
    case 'AWS::Route53::HostedZone': return 'a NEW hosted zone with new name servers';
    default: return `a NEW ${noun(resource)}`;
  }
}

/** What else a replacement brings, after {@link newOne}. */
const AND_THEN: { [type: string]: string } = {
  'AWS::RDS::DBInstance': ', and the stack\'s references (endpoint, secret attachment, apps) move to it',
  'AWS::RDS::DBCluster': ', and the stack\'s references (endpoints, secret attachment, apps) move to it',
  'AWS::KMS::Key': '; data encrypted with the old key needs the old key to be read',
  'AWS::SecretsManager::Secret': ', which the database does not have',
  'AWS::Route53::HostedZone': '; the parent domain\'s NS delegation still points at the old zone',
  'AWS::Backup::BackupVault': ', empty: the recovery points stay in the old vault',
};

/** What a replacement creates, for "CloudFormation creates …". */
function freshOne(resource: CfnResource): string {
  const standaloneInstance = resource.Type !== 'AWS::RDS::DBInstance'
    || (resource.Properties?.DBClusterIdentifier === undefined && !isReadReplica(resource.Properties ?? {}));
  return `${newOne(resource)}${standaloneInstance ? AND_THEN[resource.Type] ?? '' : ''}`;
}

/** The policy CloudFormation applies when it removes a resource (DeletionPolicy and its RDS defaults). */
export function deletionPolicy(resource: CfnResource): string {
  if (resource.DeletionPolicy) return resource.DeletionPolicy;
  const standaloneRds = resource.Type === 'AWS::RDS::DBCluster'
    || (resource.Type === 'AWS::RDS::DBInstance' && resource.Properties?.DBClusterIdentifier === undefined);
  return standaloneRds ? 'Snapshot' : 'Delete';
}

/** True for the policies that keep the resource (`Retain`, `RetainExceptOnCreate`). */
export function retains(policy: string | undefined): boolean {
  return policy === 'Retain' || policy === 'RetainExceptOnCreate';
}

/** What a retained data-bearing resource still holds. */
const HOLDS: { [type: string]: string } = {
  'AWS::RDS::DBInstance': 'the data',
  'AWS::RDS::DBCluster': 'the data',
  'AWS::KMS::Key': 'the key to whatever it encrypted',
  'AWS::SecretsManager::Secret': 'the current password',
  'AWS::Route53::HostedZone': 'the records the parent domain delegates to',
  'AWS::Backup::BackupVault': 'the recovery points',
};

/** What happens to the old resource under a policy (DeletionPolicy or UpdateReplacePolicy). */
export function fateOfOld(resource: CfnResource, policy: string): string {
  const what = `the old ${noun(resource)}`;
  const clusterMember = resource.Type === 'AWS::RDS::DBInstance' && resource.Properties?.DBClusterIdentifier !== undefined;
  if (retains(policy) && clusterMember) {
    return `${what} is kept outside the stack (${policy}): it stays attached to the cluster, serving and billed, but no stack manages it any more`;
  }
  if (retains(policy)) {
    return isDataBearing(resource.Type)
      ? `${what} is kept outside the stack (${policy}): orphaned and still billed; it holds ${HOLDS[resource.Type]}, and nothing in the stack points at it any more`
      : `${what} is kept outside the stack (${policy}): orphaned, no longer managed by any stack, and in the way of a new one with the same name`;
  }
  if (policy === 'Snapshot') return `${what} is deleted after a final snapshot: the data survives only in that snapshot`;
  if (resource.Type === 'AWS::KMS::Key') return `${what} is scheduled for deletion: whatever it encrypted becomes unreadable when the waiting period ends`;
  if (clusterMember) return `${what} is deleted (the cluster keeps the data)`;
  return `${what} is DELETED with its data`;
}

/**
 * The consequence of replacing a resource, given the UpdateReplacePolicy that applies and the
 * properties that change (a fixed name that stays the same makes the replacement fail).
 */
export function replaceConsequence(resource: CfnResource, updateReplacePolicy: string, changed: readonly string[]): string {
  const named = namedBy(resource);
  const nameClash = named !== undefined && !changed.includes(named)
    ? ` Because it has a fixed ${named}, the replacement cannot be created under the same name and the update fails and rolls back.`
    : '';
  return `CloudFormation creates ${freshOne(resource)}; then ${fateOfOld(resource, updateReplacePolicy)}.${nameClash}`;
}

/** The property that gives a resource a fixed physical name, when set. */
function namedBy(resource: CfnResource): string | undefined {
  const props = resource.Properties ?? {};
  const key = ({
    'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
    'AWS::RDS::DBCluster': 'DBClusterIdentifier',
    'AWS::SecretsManager::Secret': 'Name',
  } as { [type: string]: string })[resource.Type];
  return key !== undefined && props[key] !== undefined && !isObject(props[key]) ? key : undefined;
}

/** Advice for a create-only property change, per property. */
const PROPERTY_ADVICE: { [prop: string]: string } = {
  DBName: 'To use another database name, create that database with SQL in the existing instance (CREATE DATABASE) instead of changing DBName.',
  DatabaseName: 'To use another database name, create that database with SQL in the existing cluster (CREATE DATABASE) instead of changing DatabaseName.',
  MasterUsername: 'To log in as another user, create that role with SQL in the existing database instead of changing the master user name.',
  KmsKeyId: 'To move to another key, restore a snapshot copied with the new key into a new database next to the old one, then switch the apps.',
  StorageEncrypted: 'To encrypt an existing database, restore an encrypted copy of a snapshot into a new database next to the old one, then switch the apps.',
  DBSubnetGroupName: 'Keep the subnet group (and its logical ID); change its subnets instead of replacing it.',
  Engine: 'To change engines, migrate the data (AWS DMS, or dump and restore) into a new database next to the old one.',
};

/** The fix for a replacement of `prop` on a data-bearing resource; `advice` replaces the advice of the property. */
export function replaceFix(prop: string, before: string | undefined, advice?: string): string {
  advice ??= PROPERTY_ADVICE[prop] ?? 'To really change it, create the new resource under a new construct id next to the old one, copy the data, switch the apps, then remove the old one.';
  return `${before === undefined ? `Remove ${prop} (it was not set)` : `Revert ${prop} to ${before}`}. ${advice}`;
}
