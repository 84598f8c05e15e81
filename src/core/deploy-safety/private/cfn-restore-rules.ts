import { DeploySafetyChange } from '../deploy-safety-change';
import { DeploySafetyFinding } from '../deploy-safety-finding';
import { display, isTrue, jsonEqual } from './json-values';
import { CfnResource, cfnId, finding, Json, JsonObject } from './model';

/**
 * Restores of RDS databases: which properties make a DB instance or cluster a restore, and what a
 * change to them does. For DB clusters the restore properties are create-only (the table covers
 * them). For DB instances they are "conditionally create-only"; the rules below follow
 * CloudFormation's RDS resource handler (ImmutabilityHelper in aws-cloudformation-resource-providers-rds):
 * a new or different value restores a new database in place of the old one; a removed value is
 * not a replacement.
 */

/** Properties that make an AWS::RDS::DBInstance a point-in-time restore (as the RDS handler decides). */
const INSTANCE_PITR = ['RestoreTime', 'UseLatestRestorableTime', 'SourceDBInstanceAutomatedBackupsArn', 'SourceDbiResourceId'];
/** Every restore property of an AWS::RDS::DBInstance. */
export const INSTANCE_RESTORE_PROPERTIES = ['DBSnapshotIdentifier', 'DBClusterSnapshotIdentifier', 'SourceDBInstanceIdentifier', ...INSTANCE_PITR];
/** Every restore property of an AWS::RDS::DBCluster (all create-only). */
export const CLUSTER_RESTORE_PROPERTIES = ['SnapshotIdentifier', 'SourceDBClusterIdentifier', 'SourceDbClusterResourceId', 'RestoreToTime', 'RestoreType', 'UseLatestRestorableTime'];

const set = (value: Json | undefined): boolean => value !== undefined && value !== null && value !== '' && value !== false;

/** True when a DB instance's properties make it a point-in-time restore. */
export function isPointInTimeRestore(props: JsonObject): boolean {
  return isTrue(props.UseLatestRestorableTime) || INSTANCE_PITR.filter((p) => p !== 'UseLatestRestorableTime').some((p) => set(props[p]));
}

/** True for a read replica: a DB instance with a source that is not a point-in-time restore. */
export function isReadReplica(props: JsonObject): boolean {
  return props.SourceDBInstanceIdentifier !== undefined && !isPointInTimeRestore(props);
}

/** What a DB instance or cluster is restored from, in a few words, or undefined when it is not a restore. */
export function restoredFrom(resource: CfnResource): string | undefined {
  const p = resource.Properties ?? {};
  const when = (time: Json | undefined) => (set(time) ? `as of ${display(time)}` : 'at its latest restorable time');
  if (resource.Type === 'AWS::RDS::DBInstance') {
    if (set(p.DBSnapshotIdentifier)) return `snapshot ${display(p.DBSnapshotIdentifier)}`;
    if (set(p.DBClusterSnapshotIdentifier)) return `cluster snapshot ${display(p.DBClusterSnapshotIdentifier)}`;
    if (!isPointInTimeRestore(p)) return undefined;
    const source = p.SourceDBInstanceIdentifier ?? p.SourceDbiResourceId ?? p.SourceDBInstanceAutomatedBackupsArn;
    return `instance ${display(source)} ${when(p.RestoreTime)}`;
  }
  if (resource.Type === 'AWS::RDS::DBCluster') {
    if (set(p.SnapshotIdentifier)) return `snapshot ${display(p.SnapshotIdentifier)}`;
    const source = p.SourceDBClusterIdentifier ?? p.SourceDbClusterResourceId;
    return source !== undefined ? `cluster ${display(source)} ${when(p.RestoreToTime)}` : undefined;
  }
  return undefined;
}

/** A restore property change that makes CloudFormation replace a DB instance. */
export interface RestoreReplacement {
  readonly prop: string;
  readonly before: Json | undefined;
  readonly after: Json | undefined;
  readonly why: string;
}

/**
 * The restore properties of a DB instance whose change makes CloudFormation restore a new instance
 * in place of this one: a value added or changed (for UseLatestRestorableTime: turned on). A
 * removed DBSnapshotIdentifier is reported too: CloudFormation documents that the instance is then
 * replaced by an empty one.
 */
export function instanceRestoreReplacements(before: JsonObject, after: JsonObject): RestoreReplacement[] {
  const out: RestoreReplacement[] = [];
  const wasRestore = restoredFrom({ Type: 'AWS::RDS::DBInstance', Properties: before }) !== undefined;
  for (const prop of INSTANCE_RESTORE_PROPERTIES) {
    const b = before[prop];
    const a = after[prop];
    if (jsonEqual(b, a)) continue;
    const added = prop === 'UseLatestRestorableTime' ? isTrue(a) && !isTrue(b) : set(a);
    if (prop === 'SourceDBInstanceIdentifier' && !isPointInTimeRestore(after)) {
      // Replicas: a replica moved to another source is a new replica (kept from the checker's replica rule).
      if (set(a) && set(b)) out.push({ prop, before: b, after: a, why: 'a replica of another source is a new replica' });
      continue;
    }
    if (added) {
      out.push({
        prop,
        before: b,
        after: a,
        why: wasRestore
          ? 'a different restore source makes CloudFormation restore a NEW database from it in place of this one'
          : 'adding a restore source makes CloudFormation restore a NEW database from it in place of this one',
      });
    } else if (prop === 'DBSnapshotIdentifier' && set(b)) {
      out.push({ prop, before: b, after: a, why: 'once restored from a snapshot, the instance must keep DBSnapshotIdentifier; without it CloudFormation creates an empty instance' });
    }
  }
  return out;
}

/**
 * A point-in-time-restored DB instance that loses its restore properties. CloudFormation's RDS
 * handler reads a SourceDBInstanceIdentifier that disappears as a read replica promotion, which RDS
 * refuses for an instance that is not a replica; without RestoreTime / UseLatestRestorableTime the
 * remaining SourceDBInstanceIdentifier reads as a read replica's source.
 */
export function lostPointInTimeFindings(stack: string, id: string, before: CfnResource, after: CfnResource): DeploySafetyFinding[] {
  const b = before.Properties ?? {};
  const a = after.Properties ?? {};
  if (after.Type !== 'AWS::RDS::DBInstance' || !isPointInTimeRestore(b)) return [];
  const lost = ['SourceDBInstanceIdentifier', ...INSTANCE_PITR].filter((p) => set(b[p]) && !set(a[p]));
  if (lost.length === 0) return [];
  return [finding(cfnId(stack, id), after.Type, DeploySafetyChange.BLOCKED,
    `restore source removed from a restored instance: ${lost.map((p) => `${p} ${display(b[p])} → (absent)`).join('; ')}`,
    'CloudFormation\'s RDS handler reads a SourceDBInstanceIdentifier that disappears as a read replica promotion, which RDS refuses for an '
    + 'instance that is not a replica (the update fails and rolls back); and a SourceDBInstanceIdentifier without its restore time reads as a read replica\'s source.',
    'Keep the restore source exactly as deployed for the life of the database (IndependentRds: keep restoreSource in the props).')];
}

/** The restore property a replacement is about, when the resource is (or was) a restore. */
export interface RestoreChange {
  readonly prop: string;
  readonly before: Json | undefined;
  /** True when the restore source was removed (rather than added or changed). */
  readonly removed: boolean;
}

/**
 * Which restore property explains the replacement of a DB instance or cluster that is, or was, a
 * restore: a changed restore property, or the first one that disappeared. Undefined for other
 * resources (a read replica moved to another source is not a restore).
 */
export function restoreChangeOf(before: CfnResource, after: CfnResource, changedProps: readonly string[]): RestoreChange | undefined {
  const wasRestore = restoredFrom(before) !== undefined;
  const isRestore = restoredFrom(after) !== undefined;
  if (!wasRestore && !isRestore) return undefined;
  const b = before.Properties ?? {};
  const a = after.Properties ?? {};
  const all = after.Type === 'AWS::RDS::DBCluster' ? CLUSTER_RESTORE_PROPERTIES : INSTANCE_RESTORE_PROPERTIES;
  const changed = changedProps.find((p) => all.includes(p));
  if (changed !== undefined) return { prop: changed, before: b[changed], removed: !set(a[changed]) };
  const lost = wasRestore && !isRestore ? all.find((p) => set(b[p]) && !set(a[p])) : undefined;
  return lost !== undefined ? { prop: lost, before: b[lost], removed: true } : undefined;
}

/** Advice for a replacement through a restore property: never restore in place. */
export function restoreAdvice(removed: boolean): string {
  return removed
    ? 'Keep the restore source in the props for the life of the database (IndependentRds: restoreSource), exactly as deployed.'
    : 'Never restore in place: restore into a second database next to this one (IndependentRds with restoreSource under a new construct id), '
      + 'move the apps to it, then retire this one (README: "Restore and disaster recovery").';
}
