import { DeploySafetyChange } from '../deploy-safety-change';
import { DeploySafetyFinding } from '../deploy-safety-finding';
import { instanceRestoreReplacements, lostPointInTimeFindings } from './cfn-restore-rules';
import { compareVersions, familyFor, knownEngine, majorVersion } from './engine-versions';
import { display, isObject, isTrue, jsonEqual, numberOf, referencedIds } from './json-values';
import { CfnResource, CfnTemplate, cfnId, finding, Json, JsonObject } from './model';

/**
 * Rules judged on actual values, beyond the create-only table: conditional replacements, blocked
 * upgrades, parameter group families, storage shrink, backups turned on or off, and secrets whose
 * password would be generated again.
 */

/** A property change that makes CloudFormation replace the resource. */
export interface PropertyChange {
  readonly prop: string;
  readonly before: Json | undefined;
  readonly after: Json | undefined;
  /** Why it replaces, when it is not simply a create-only property. */
  readonly why?: string;
}

/**
 * Replacements the schemas do not mark create-only, because they depend on the values:
 * an RDS `Engine` change, and the restore properties of a DB instance (a restore source added or
 * changed restores a new instance; a removed `DBSnapshotIdentifier` creates an empty one; a
 * replica moved to another source is a new replica): see cfn-restore-rules.ts.
 */
export function conditionalReplacements(type: string, before: JsonObject, after: JsonObject): PropertyChange[] {
  const changes: PropertyChange[] = [];
  if ((type === 'AWS::RDS::DBInstance' || type === 'AWS::RDS::DBCluster') && before.Engine !== undefined && !jsonEqual(before.Engine, after.Engine)) {
    changes.push({ prop: 'Engine', before: before.Engine, after: after.Engine, why: 'an engine change replaces the database' });
  }
  if (type === 'AWS::RDS::DBInstance') changes.push(...instanceRestoreReplacements(before, after));
  return changes;
}

/** The resource a `{ Ref }` (or `{ Fn::GetAtt }`) points at in the template, when it is there. */
function target(template: CfnTemplate, value: Json | undefined): [string, CfnResource] | undefined {
  if (!isObject(value)) return undefined;
  const id = typeof value.Ref === 'string' ? value.Ref : Array.isArray(value['Fn::GetAtt']) ? value['Fn::GetAtt'][0] : undefined;
  return typeof id === 'string' && template.Resources[id] ? [id, template.Resources[id]] : undefined;
}

/** Engine and version of a DB instance or cluster; a cluster instance takes its cluster's version. */
function engineOf(template: CfnTemplate, resource: CfnResource): { engine?: string; version?: string } {
  const props = resource.Properties ?? {};
  const cluster = target(template, props.DBClusterIdentifier)?.[1].Properties ?? {};
  const engine = typeof props.Engine === 'string' ? props.Engine : typeof cluster.Engine === 'string' ? cluster.Engine : undefined;
  const version = typeof props.EngineVersion === 'string' ? props.EngineVersion : typeof cluster.EngineVersion === 'string' ? cluster.EngineVersion : undefined;
  return { engine: engine?.toLowerCase(), version };
}

const FAMILY_REFS: { [type: string]: string[] } = {
  'AWS::RDS::DBInstance': ['DBParameterGroupName'],
  'AWS::RDS::DBCluster': ['DBClusterParameterGroupName', 'DBInstanceParameterGroupName'],
};

/** Parameter groups whose family does not match the engine version of the database using them. */
function familyFindings(stack: string, after: CfnTemplate, id: string, resource: CfnResource): DeploySafetyFinding[] {
  const { engine, version } = engineOf(after, resource);
  const expected = engine !== undefined && version !== undefined ? familyFor(engine, version) : undefined;
  if (expected === undefined) return [];
  return (FAMILY_REFS[resource.Type] ?? []).flatMap((prop) => {
    const group = target(after, resource.Properties?.[prop]);
    const family = group?.[1].Properties?.Family;
    if (!group || typeof family !== 'string' || family.toLowerCase() === expected) return [];
    return [finding(cfnId(stack, group[0]), group[1].Type, DeploySafetyChange.BLOCKED,
      `Family ${display(family)} does not match EngineVersion ${display(version)} of ${cfnId(stack, id)} (which needs ${display(expected)})`,
      `RDS refuses a parameter group of another family: the update of ${cfnId(stack, id)} fails and the stack rolls back.`,
      `Give the database a parameter group of family ${display(expected)} in the same deploy (a new group, so the old one stays in use until the upgrade is done); `
      + 'with this library, set the engine and let it derive the parameter group.')];
  });
}

/** Version rules of a stand-alone DB instance: downgrade, or major upgrade without AllowMajorVersionUpgrade. */
function versionFindings(stack: string, id: string, before: CfnResource, after: CfnResource): DeploySafetyFinding[] {
  const b = before.Properties ?? {};
  const a = after.Properties ?? {};
  const engine = typeof a.Engine === 'string' ? a.Engine.toLowerCase() : undefined;
  if (after.Type !== 'AWS::RDS::DBInstance' || !knownEngine(engine) || typeof b.EngineVersion !== 'string' || typeof a.EngineVersion !== 'string') return [];
  const resource = cfnId(stack, id);
  const cmp = compareVersions(a.EngineVersion, b.EngineVersion);
  if (cmp < 0) {
    return [finding(resource, after.Type, DeploySafetyChange.BLOCKED, `EngineVersion ${display(b.EngineVersion)} → ${display(a.EngineVersion)} (a downgrade)`,
      'RDS cannot downgrade an engine: the update fails and the stack rolls back.',
      `Keep EngineVersion at ${display(b.EngineVersion)} or later. To run an older version, restore a dump into a new database.`)];
  }
  const majorBefore = majorVersion(engine, b.EngineVersion);
  const majorAfter = majorVersion(engine, a.EngineVersion);
  if (cmp > 0 && majorBefore !== majorAfter && !isTrue(a.AllowMajorVersionUpgrade)) {
    return [finding(resource, after.Type, DeploySafetyChange.BLOCKED,
      `EngineVersion ${display(b.EngineVersion)} → ${display(a.EngineVersion)} (major ${majorBefore} → ${majorAfter}) without AllowMajorVersionUpgrade`,
      'RDS refuses a major version upgrade unless AllowMajorVersionUpgrade is true: the update fails and the stack rolls back.',
      `Set AllowMajorVersionUpgrade: true together with a parameter group of family ${display(familyFor(engine, a.EngineVersion))} `
      + '(IndependentRds: allowMajorVersionUpgrade: true, and the library derives the group), take a manual snapshot first, and test the upgrade on a restored copy; or keep the current major version.')];
  }
  return [];
}

/** True when an instance of the cluster `clusterId` sets `AllowMajorVersionUpgrade: true`. */
function clusterAllowsMajorUpgrade(template: CfnTemplate, clusterId: string): boolean {
  return Object.values(template.Resources).some((r) => r.Type === 'AWS::RDS::DBInstance'
    && target(template, r.Properties?.DBClusterIdentifier)?.[0] === clusterId && isTrue(r.Properties?.AllowMajorVersionUpgrade));
}

/**
 * Version rules of an Aurora cluster: a downgrade is refused; a major upgrade is not (CloudFormation
 * passes AllowMajorVersionUpgrade itself whenever EngineVersion changes), so an upgrade that the
 * template does not mark as intended, with AllowMajorVersionUpgrade on the cluster's instances, is an
 * unplanned outage.
 */
function clusterVersionFindings(
  stack: string,
  id: string,
  before: CfnResource,
  after: CfnResource,
  afterTemplate: CfnTemplate,
): DeploySafetyFinding[] {
  const b = before.Properties ?? {};
  const a = after.Properties ?? {};
  const engine = typeof a.Engine === 'string' ? a.Engine.toLowerCase() : undefined;
  if (after.Type !== 'AWS::RDS::DBCluster' || !knownEngine(engine) || typeof b.EngineVersion !== 'string' || typeof a.EngineVersion !== 'string') return [];
  const resource = cfnId(stack, id);
  const cmp = compareVersions(a.EngineVersion, b.EngineVersion);
  if (cmp < 0) {
    return [finding(resource, after.Type, DeploySafetyChange.BLOCKED, `EngineVersion ${display(b.EngineVersion)} → ${display(a.EngineVersion)} (a downgrade)`,
      'RDS cannot downgrade an engine: the update fails and the stack rolls back.',
      `Keep EngineVersion at ${display(b.EngineVersion)} or later. To run an older version, restore a dump into a new cluster.`)];
  }
  const majorBefore = majorVersion(engine, b.EngineVersion);
  const majorAfter = majorVersion(engine, a.EngineVersion);
  if (cmp > 0 && majorBefore !== majorAfter && !clusterAllowsMajorUpgrade(afterTemplate, id)) {
    return [finding(resource, after.Type, DeploySafetyChange.OUTAGE,
      `EngineVersion ${display(b.EngineVersion)} → ${display(a.EngineVersion)} (major ${majorBefore} → ${majorAfter}), not marked as intended `
      + '(no instance of the cluster sets AllowMajorVersionUpgrade)',
      'CloudFormation upgrades an Aurora cluster in place whenever EngineVersion changes (it allows the major upgrade itself): every instance of '
      + 'the cluster is down during the upgrade, and the upgrade cannot be undone.',
      'If the upgrade is intended, take a manual cluster snapshot, test the upgrade on a restored copy, and mark it: '
      + 'AllowMajorVersionUpgrade: true on the cluster\'s instances '
      + `(IndependentRds: allowMajorVersionUpgrade: true) with a cluster parameter group of family ${display(familyFor(engine, a.EngineVersion))}; `
      + 'otherwise keep the current major version.')];
  }
  return [];
}

/** Storage cannot shrink. */
function storageFindings(stack: string, id: string, before: CfnResource, after: CfnResource): DeploySafetyFinding[] {
  const b = numberOf(before.Properties?.AllocatedStorage);
  const a = numberOf(after.Properties?.AllocatedStorage);
  if (after.Type !== 'AWS::RDS::DBInstance' || b === undefined || a === undefined || a >= b) return [];
  return [finding(cfnId(stack, id), after.Type, DeploySafetyChange.BLOCKED, `AllocatedStorage ${b} → ${a} GiB`,
    'RDS cannot reduce allocated storage: the update fails and the stack rolls back.',
    `Keep AllocatedStorage at ${b} GiB or more. To use less storage, dump and restore into a new, smaller instance.`)];
}

/** Automated backups turned on or off (retention 0 ↔ non-zero) on a stand-alone DB instance. */
function backupFindings(stack: string, id: string, before: CfnResource, after: CfnResource): DeploySafetyFinding[] {
  if (after.Type !== 'AWS::RDS::DBInstance' || after.Properties?.DBClusterIdentifier !== undefined) return [];
  // CloudFormation's default retention for a DB instance is 1 day.
  const b = numberOf(before.Properties?.BackupRetentionPeriod ?? 1);
  const a = numberOf(after.Properties?.BackupRetentionPeriod ?? 1);
  if (b === undefined || a === undefined || (b === 0) === (a === 0)) return [];
  const off = a === 0;
  return [finding(cfnId(stack, id), after.Type, DeploySafetyChange.OUTAGE, `BackupRetentionPeriod ${b} → ${a} (automated backups turned ${off ? 'off' : 'on'})`,
    off
      ? 'RDS applies it at once with an outage (the instance restarts) and deletes every automated backup: point-in-time recovery is gone.'
      : 'RDS applies it at once with an outage: the instance restarts and takes its first backup.',
    off
      ? `Keep BackupRetentionPeriod above 0 (changing ${b} to another non-zero value is harmless). If backups must stop, take a manual snapshot first and deploy in a maintenance window.`
      : 'Deploy it in a maintenance window, when a restart is acceptable.')];
}

/** Secrets whose generated password would be generated again. */
function reKeyFindings(stack: string, id: string, before: CfnResource, after: CfnResource, replacedDatabases: string[]): DeploySafetyFinding[] {
  if (after.Type !== 'AWS::SecretsManager::Secret') return [];
  const b = before.Properties?.GenerateSecretString;
  const a = after.Properties?.GenerateSecretString;
  if (a === undefined || jsonEqual(a, b)) return [];
  const keys = [...new Set([...Object.keys(isObject(b) ? b : {}), ...Object.keys(isObject(a) ? a : {})])].sort();
  const diff = keys.filter((k) => !jsonEqual(isObject(b) ? b[k] : undefined, isObject(a) ? a[k] : undefined))
    .map((k) => `${k} ${display(isObject(b) ? b[k] : undefined)} → ${display(isObject(a) ? a[k] : undefined)}`);
  const consequence = replacedDatabases.length > 0
    ? `Secrets Manager generates a NEW password into the secret. The replacement of ${replacedDatabases.join(', ')} is created with it, but the old `
      + 'database, which holds the data, keeps the OLD password, which was only in this secret: reaching the old data needs a master password reset.'
    : 'Secrets Manager generates a NEW password into the secret. The database keeps its current password (nothing in its template changes), '
      + 'so the apps, the proxy and the rotation function that read the secret can no longer log in.';
  return [finding(cfnId(stack, id), after.Type, DeploySafetyChange.RE_KEY, `GenerateSecretString changed: ${diff.join('; ')}`, consequence,
    'Keep GenerateSecretString exactly as deployed (SecretStringTemplate included): put values that may change, such as the database name, '
    + 'somewhere else than the generated secret. To change the password, rotate it (RotationSchedule) instead.')];
}

/** Every value-judged rule for one resource present on both sides under the same logical id. */
export function rdsFindings(
  stack: string,
  id: string,
  before: CfnResource,
  after: CfnResource,
  afterTemplate: CfnTemplate,
  replaced: ReadonlySet<string>,
): DeploySafetyFinding[] {
  // Databases replaced in the same deploy whose master password comes from this secret.
  const replacedDatabases = [...replaced]
    .filter((other) => referencedIds(afterTemplate.Resources[other]?.Properties?.MasterUserPassword).includes(id))
    .map((other) => cfnId(stack, other));
  return [
    ...versionFindings(stack, id, before, after),
    ...clusterVersionFindings(stack, id, before, after, afterTemplate),
    ...storageFindings(stack, id, before, after),
    ...backupFindings(stack, id, before, after),
    // A replaced instance is reported as replaced (with the restore advice), not also as blocked.
    ...(replaced.has(id) ? [] : lostPointInTimeFindings(stack, id, before, after)),
    ...(replaced.has(id) ? [] : reKeyFindings(stack, id, before, after, replacedDatabases)),
  ];
}

/** Parameter group family checks for every database of a template (new ones included). */
export function familyFindingsOf(stack: string, after: CfnTemplate): DeploySafetyFinding[] {
  // A group used by several databases (a cluster and its instances) is reported once.
  const unique = new Map<string, DeploySafetyFinding>();
  for (const [id, r] of Object.entries(after.Resources)) {
    for (const f of familyFindings(stack, after, id, r)) if (!unique.has(f.resource)) unique.set(f.resource, f);
  }
  return [...unique.values()];
}
