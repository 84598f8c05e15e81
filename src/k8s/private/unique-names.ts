import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Problem, show, throwIfAny } from '../../core/private/validators';

/** Kinds that live outside namespaces: their names must be unique in the whole cluster. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass',
  'CustomResourceDefinition', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'ClusterSecretStore',
  'ClusterExternalSecret', 'IngressClass', 'RuntimeClass', 'CSIDriver', 'VolumeSnapshotClass',
]);

/** Objects already claimed in each chart, by identity (API group, kind, namespace, name). */
const claimed = new WeakMap<Chart, Map<string, ApiObject>>();

function identity(obj: ApiObject, chart: Chart): { key: string; label: string } {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  const namespace = CLUSTER_SCOPED.has(obj.kind) ? undefined : obj.metadata.namespace ?? chart.namespace;
  return {
    key: JSON.stringify([group, obj.kind, namespace ?? '', obj.name]),
    label: `${obj.kind} ${show(obj.name)}${namespace === undefined ? '' : ` in namespace ${show(namespace)}`}`,
  };
}

function clash(label: string, first: ApiObject, second: ApiObject, props: string): string {
  return `${props} would emit ${label} twice, by ${first.node.path} and by ${second.node.path}; `
    + 'the second object would overwrite the first in the cluster. Give one of them another name.';
}

function objectsUnder(scope: IConstruct): ApiObject[] {
  return scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
}

/**
 * The one check that every object the library emits into a namespace has a name of its own among
 * the objects of its kind: a second Service, Secret or Job of the same name would silently replace
 * the first when applied.
 *
 * Each construct claims the objects under `scope` once it has built them, and an object whose
 * identity (API group, kind, namespace, name) is already taken by another object of the chart is an
 * error, thrown at once with `owner` and naming both objects; `props` names the props the names
 * come from. Objects claimed before (by a construct nested in this one) are not reported again.
 * The chart also checks all its objects at synthesis (`App.synth`), so a clash with an object
 * made outside the library is reported too.
 */
export function claimUniqueNames(owner: string, scope: IConstruct, props: string): void {
  const chart = Chart.of(scope);
  let registry = claimed.get(chart);
  if (registry === undefined) {
    registry = new Map();
    claimed.set(chart, registry);
    chart.node.addValidation({ validate: () => nameClashes(chart) });
  }
  const problems: Problem[] = [];
  for (const obj of objectsUnder(scope)) {
    const { key, label } = identity(obj, chart);
    const other = registry.get(key);
    if (other === undefined) registry.set(key, obj);
    else if (other !== obj) problems.push(clash(label, other, obj, props));
  }
  throwIfAny(owner, problems);
}

/** Every pair of objects of the chart that share an identity, as messages. */
function nameClashes(chart: Chart): string[] {
  const seen = new Map<string, ApiObject>();
  const problems: string[] = [];
  for (const obj of objectsUnder(chart)) {
    const { key, label } = identity(obj, chart);
    const other = seen.get(key);
    if (other === undefined) seen.set(key, obj);
    else problems.push(`${label} is emitted twice, by ${other.node.path} and by ${obj.node.path}; the second object would overwrite the first in the cluster. Give one of them another name.`);
  }
  return problems;
}
