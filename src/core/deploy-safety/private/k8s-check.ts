import { quantityValue } from '../../private/validators';
import { DeploySafetyChange } from '../deploy-safety-change';
import { DeploySafetyFinding } from '../deploy-safety-finding';
import { display, isObject, jsonEqual, valueAt } from './json-values';
import { finding, Json, JsonObject, K8sObject, k8sId } from './model';
import { postgresMajorOf } from '../../private/postgres-image';

/**
 * The Kubernetes side of the checker: immutable StatefulSet and PersistentVolumeClaim fields, data
 * StatefulSets and claims that are renamed or removed, and PostgreSQL images whose major version
 * changes under existing data.
 */

/**
 * StatefulSet spec fields the API server lets an update change; every other field is immutable,
 * revisionHistoryLimit included (kubernetes/kubernetes#56341).
 */
const STATEFULSET_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

const FORBIDDEN = "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
  + "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

/** A claim template as written by hand or read back from the cluster (defaults and status dropped). */
function normalizedClaim(claim: Json): Json {
  if (!isObject(claim)) return claim;
  const { status: _status, apiVersion: _a, kind: _k, ...rest } = claim;
  const spec = isObject(rest.spec) ? { ...rest.spec } : rest.spec;
  if (isObject(spec) && spec.volumeMode === 'Filesystem') delete spec.volumeMode;
  return { ...rest, spec: spec ?? null };
}

/** The spec fields compared for immutability, with the API server's defaults applied. */
function immutableSpec(spec: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(spec)) if (!STATEFULSET_MUTABLE.includes(k)) out[k] = v;
  out.podManagementPolicy = out.podManagementPolicy ?? 'OrderedReady';
  out.volumeClaimTemplates = Array.isArray(out.volumeClaimTemplates) ? out.volumeClaimTemplates.map(normalizedClaim) : [];
  return out;
}

function claimName(claim: Json): string {
  const name = valueAt(claim, 'metadata/name');
  return typeof name === 'string' ? name : '?';
}

/** A claim template without its `spec.resources`, to compare everything but the size. */
function withoutResources(claim: Json): Json {
  const spec = valueAt(claim, 'spec');
  return { ...(isObject(claim) ? claim : {}), spec: { ...(isObject(spec) ? spec : {}), resources: null } };
}

/** What changed in the claim templates, claim by claim: storage size and class. */
function claimChanges(before: Json[], after: Json[]): { text: string[]; onlyGrowth: boolean } {
  const text: string[] = [];
  let onlyGrowth = before.length === after.length;
  for (const b of before) {
    const a = after.find((c) => claimName(c) === claimName(b));
    if (!a) {
      text.push(`claim template ${claimName(b)} removed`);
      onlyGrowth = false;
      continue;
    }
    const sb = valueAt(b, 'spec/resources/requests/storage');
    const sa = valueAt(a, 'spec/resources/requests/storage');
    if (!jsonEqual(sb, sa)) {
      text.push(`${claimName(b)}: storage ${display(sb)} → ${display(sa)}`);
      const grows = (quantityValue(String(sa)) ?? 0) > (quantityValue(String(sb)) ?? Infinity);
      onlyGrowth = onlyGrowth && grows;
    }
    if (!jsonEqual(withoutResources(b), withoutResources(a))) {
      const cb = valueAt(b, 'spec/storageClassName');
      const ca = valueAt(a, 'spec/storageClassName');
      text.push(jsonEqual(cb, ca) ? `${claimName(b)}: template changed` : `${claimName(b)}: storageClassName ${display(cb)} → ${display(ca)}`);
      onlyGrowth = false;
    }
  }
  for (const a of after) if (!before.some((b) => claimName(b) === claimName(a))) text.push(`claim template ${claimName(a)} added`);
  return { text, onlyGrowth: onlyGrowth && text.length > 0 };
}

function statefulSetImmutable(b: K8sObject, a: K8sObject): DeploySafetyFinding[] {
  const sb = immutableSpec(b.spec ?? {});
  const sa = immutableSpec(a.spec ?? {});
  const fields = [...new Set([...Object.keys(sb), ...Object.keys(sa)])].sort().filter((k) => !jsonEqual(sb[k], sa[k]));
  if (fields.length === 0) return [];
  const claims = claimChanges(sb.volumeClaimTemplates as Json[], sa.volumeClaimTemplates as Json[]);
  const details = fields.map((f) => (f === 'volumeClaimTemplates' ? `volumeClaimTemplates (${claims.text.join('; ') || 'changed'})` : `${f} ${display(sb[f])} → ${display(sa[f])}`));
  const name = a.metadata.name;
  const ns = a.metadata.namespace ?? 'default';
  const fix = fields.length === 1 && claims.onlyGrowth
    ? 'Grow the existing claims instead (their StorageClass must allow volume expansion): '
      + `kubectl -n ${ns} patch pvc ${(sa.volumeClaimTemplates as Json[]).map((c) => `${claimName(c)}-${name}-<ordinal>`).join(' / ')} `
      + `-p '{"spec":{"resources":{"requests":{"storage":"<new size>"}}}}' for each pod, then kubectl -n ${ns} delete statefulset ${name} --cascade=orphan `
      + 'and apply again: the pods and their volumes are kept.'
    : `Revert ${fields.join(', ')}. A claim template's storage class cannot change under existing volumes: move the data (dump and restore) into a new StatefulSet. `
      + 'For selector or serviceName, delete the StatefulSet with --cascade=orphan (pods and volumes stay) and apply again.';
  return [finding(k8sId(a), a.kind, DeploySafetyChange.K8S_IMMUTABLE, `immutable StatefulSet fields changed: ${details.join('; ')}`,
    `kubectl apply fails with "${FORBIDDEN}"; a GitOps tool keeps retrying. The StatefulSet keeps running the old spec.`, fix)];
}

function claimImmutable(b: K8sObject, a: K8sObject): DeploySafetyFinding[] {
  const strip = (o: K8sObject): JsonObject => {
    const spec: JsonObject = { ...(o.spec ?? {}) };
    delete spec.volumeName;
    delete spec.volumeAttributesClassName;
    if (spec.volumeMode === 'Filesystem') delete spec.volumeMode;
    return { ...spec, resources: null };
  };
  const sb = valueAt(b.spec, 'resources/requests/storage');
  const sa = valueAt(a.spec, 'resources/requests/storage');
  const shrinks = (quantityValue(String(sa)) ?? Infinity) < (quantityValue(String(sb)) ?? 0);
  const others = jsonEqual(strip(b), strip(a)) ? [] : ['spec (other than the storage request)'];
  if (!shrinks && others.length === 0) return [];
  const what = [...(shrinks ? [`storage ${display(sb)} → ${display(sa)} (a claim cannot shrink)`] : []), ...others];
  return [finding(k8sId(a), a.kind, DeploySafetyChange.K8S_IMMUTABLE, `immutable PersistentVolumeClaim fields changed: ${what.join('; ')}`,
    'kubectl apply fails: "spec is immutable after creation except resources.requests" (and requests may only grow).',
    'Revert it. To move the data to another class or a smaller volume, create a new claim, copy the data, and switch the workload to it.')];
}

/** Pod template labels of a workload. */
function podLabels(o: K8sObject): { [key: string]: string } {
  const labels = valueAt(o.spec, 'template/metadata/labels');
  return (isObject(labels) ? labels : {}) as { [key: string]: string };
}

function selects(service: K8sObject, labels: { [key: string]: string }): boolean {
  const selector = valueAt(service.spec, 'selector');
  return isObject(selector) && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function claimTemplates(o: K8sObject): Json[] {
  const t = valueAt(o.spec, 'volumeClaimTemplates');
  return Array.isArray(t) ? t : [];
}

function dataMoved(removed: K8sObject, before: K8sObject[], after: K8sObject[], beforeIds: Set<string>): DeploySafetyFinding {
  const ns = removed.metadata.namespace ?? 'default';
  const isClaim = removed.kind === 'PersistentVolumeClaim';
  const claims = isClaim ? [removed.metadata.name] : claimTemplates(removed).map((c) => `${claimName(c)}-${removed.metadata.name}-0…`);
  const successor = isClaim ? undefined : after.find((o) => o.kind === 'StatefulSet' && (o.metadata.namespace ?? 'default') === ns
    && !beforeIds.has(k8sId(o)) && claimTemplates(o).some((c) => claimTemplates(removed).some((r) => claimName(r) === claimName(c))));
  const services = successor
    ? after.filter((s) => s.kind === 'Service' && (s.metadata.namespace ?? 'default') === ns && selects(s, podLabels(successor))
      && before.some((old) => k8sId(old) === k8sId(s) && selects(old, podLabels(removed)))).map((s) => s.metadata.name)
    : [];
  const summary = successor
    ? `renamed: ${k8sId(removed)} is gone and ${k8sId(successor)} is new`
    : 'removed from the manifests';
  const moved = successor
    ? ` ${k8sId(successor)} starts with NEW, EMPTY volumes (claims are named <template>-<statefulset>-<ordinal>)`
      + (services.length > 0 ? `, and Service ${services.join(', ')} now sends the apps to it` : '') + '.'
    : '';
  return finding(k8sId(removed), removed.kind, DeploySafetyChange.K8S_DATA_MOVED, summary,
    `The data in ${claims.join(', ')} stays behind: \`kubectl apply\` leaves the old ${removed.kind} in place, and a pruning deploy `
    + `(kubectl apply --prune, Argo CD, Flux) deletes it${isClaim ? ', and with it the volume if its reclaim policy is Delete' : ' (its claims stay unless the retention policy deletes them)'}.${moved}`,
    isClaim
      ? `Keep the name ${removed.metadata.name}. To really rename it, copy the data into the new claim before switching the workload, `
        + 'or bind a new claim to the old volume (set its PersistentVolume\'s reclaim policy to Retain first).'
      : `Keep the name ${removed.metadata.name}. To really rename it, dump the database and restore it into the new one before switching the apps, `
        + 'or pre-create the new claims bound to the old volumes (set the PersistentVolumes\' reclaim policy to Retain first).');
}

/**
 * Pod spec containers of a workload that keeps data (a StatefulSet, or a Deployment mounting a
 * claim) that mount its data (a claim template's or a claim's volume): the server, not its sidecars.
 */
function dataContainers(o: K8sObject): JsonObject[] {
  const volumes = valueAt(o.spec, 'template/spec/volumes');
  const claimVolumes = (Array.isArray(volumes) ? volumes : []).filter((v) => isObject(v) && v.persistentVolumeClaim !== undefined);
  if (!(o.kind === 'StatefulSet' || (o.kind === 'Deployment' && claimVolumes.length > 0))) return [];
  const dataVolumes = new Set([...claimVolumes.map((v) => (v as JsonObject).name), ...claimTemplates(o).map(claimName)]);
  const containers = valueAt(o.spec, 'template/spec/containers');
  const all = Array.isArray(containers) ? containers.filter(isObject) : [];
  const mountsData = (c: JsonObject) => Array.isArray(c.volumeMounts) && c.volumeMounts.some((m) => isObject(m) && dataVolumes.has(m.name as string));
  return all.some(mountsData) ? all.filter(mountsData) : all;
}

/** The value of a container's `PGDATA` environment variable, when it is given literally. */
function pgdata(container: JsonObject): string | undefined {
  const env = Array.isArray(container.env) ? container.env : [];
  const entry = env.find((e) => isObject(e) && e.name === 'PGDATA');
  return isObject(entry) && typeof entry.value === 'string' ? entry.value : undefined;
}

function majorUpgrade(b: K8sObject, a: K8sObject): DeploySafetyFinding[] {
  const before = dataContainers(b);
  return dataContainers(a).flatMap((c) => {
    const old = before.find((o) => o.name === c.name);
    if (!old || typeof old.image !== 'string' || typeof c.image !== 'string') return [];
    const from = postgresMajorOf(old.image);
    const to = postgresMajorOf(c.image);
    if (from === undefined || to === undefined || from === to) return [];
    const summary = `container ${display(c.name)} image ${display(old.image)} → ${display(c.image)} (PostgreSQL ${from} → ${to})`;
    const [dirBefore, dirAfter] = [pgdata(old), pgdata(c)];
    if (dirBefore !== undefined && dirAfter !== undefined && dirBefore !== dirAfter) {
      // The dump-and-restore path: a new data directory for the new version.
      return [finding(k8sId(a), a.kind, DeploySafetyChange.K8S_MAJOR_UPGRADE, `${summary}, PGDATA ${display(dirBefore)} → ${display(dirAfter)}`,
        `PostgreSQL ${to} starts on a NEW, EMPTY data directory: the apps see empty databases until each one is restored from its dump. `
        + `The PostgreSQL ${from} data stays in ${dirBefore} on the volume, untouched.`,
        'Take a fresh dump first (kubectl create job --from=cronjob/<name>-backup), deploy in a maintenance window, restore every database '
        + '(SharedPostgres.restoreJob), then let the apps back in; to roll back before the restore, revert the image and PGDATA. Allow this finding for that deploy.')];
    }
    return [finding(k8sId(a), a.kind, DeploySafetyChange.K8S_MAJOR_UPGRADE, summary,
      `The update applies cleanly, then PostgreSQL ${to} refuses the PostgreSQL ${from} data directory ("database files are incompatible with server") `
      + 'and the pod crash-loops: the database is down until the image is reverted.',
      `Keep a PostgreSQL ${from} image. To upgrade, dump the database (pg_dumpall) and restore it into a new PostgreSQL ${to} StatefulSet `
      + '(SharedPostgres: the initialMajorVersion upgrade path), or run pg_upgrade in a Job against a copy of the volume, then switch the apps.')];
  });
}

/** Every Kubernetes finding between two sets of objects, matched by kind, namespace and name. */
export function checkKubernetes(before: K8sObject[], after: K8sObject[]): DeploySafetyFinding[] {
  const afterById = new Map(after.map((o) => [k8sId(o), o]));
  const beforeIds = new Set(before.map(k8sId));
  return before.flatMap((b) => {
    const a = afterById.get(k8sId(b));
    const holdsData = b.kind === 'PersistentVolumeClaim' || (b.kind === 'StatefulSet' && claimTemplates(b).length > 0);
    if (!a) return holdsData ? [dataMoved(b, before, after, beforeIds)] : [];
    return [
      ...(b.kind === 'StatefulSet' ? statefulSetImmutable(b, a) : []),
      ...(b.kind === 'PersistentVolumeClaim' ? claimImmutable(b, a) : []),
      ...majorUpgrade(b, a),
    ];
  });
}
