import * as fs from 'node:fs';
import * as YAML from 'yaml';
import type { ExampleOutput } from '../../examples/catalog';
import { DATA_BEARING_TYPES } from '../../src/core/deploy-safety/private/cfn-data-bearing';

/**
 * The identities users keep of the data-bearing resources an app synthesizes: CloudFormation logical
 * IDs (with their types) and Kubernetes names. Changing one makes CloudFormation or kubectl create a
 * new, empty resource next to the old one, so test/data-bearing-ids.test.ts locks them for every
 * example.
 */

/** `<example> <identity>` → what it is, one entry per data-bearing resource. */
export interface IdList {
  [key: string]: string;
}

/** The parts of a Kubernetes object read here. */
interface K8sDoc {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: { readonly volumeClaimTemplates?: Array<{ readonly metadata?: { readonly name?: string } }> };
}

/**
 * Kubernetes kinds that hold data, or the keys to it. A CloudNativePG `Cluster` keeps its data in
 * claims named after it: renamed, it starts as an empty cluster.
 */
export const DATA_BEARING_KINDS = ['StatefulSet', 'PersistentVolumeClaim', 'Secret', 'Cluster'];

/** The data-bearing identities of one synthesized example. */
export function dataBearingIds(exampleName: string, out: ExampleOutput): IdList {
  const ids: IdList = {};
  // Stacks of nested assemblies (a pipeline's stages) included, named by their path in the app.
  for (const stack of out.assembly?.stacksRecursively ?? []) {
    const resources = (stack.template.Resources ?? {}) as { [id: string]: { Type: string } };
    for (const [logicalId, resource] of Object.entries(resources)) {
      if (DATA_BEARING_TYPES.includes(resource.Type)) ids[`${exampleName} ${stack.hierarchicalId}/${logicalId}`] = resource.Type;
    }
  }
  for (const file of out.manifests) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf-8'))) {
      const o = doc.toJS() as K8sDoc | null;
      if (!o?.kind || !DATA_BEARING_KINDS.includes(o.kind) || !o.metadata?.name) continue;
      const ns = o.metadata.namespace ?? 'default';
      ids[`${exampleName} ${o.kind}/${ns}/${o.metadata.name}`] = o.kind;
      // The claims of a StatefulSet are named <template>-<statefulset>-<ordinal>.
      for (const claim of o.spec?.volumeClaimTemplates ?? []) {
        ids[`${exampleName} PersistentVolumeClaim/${ns}/${claim.metadata?.name}-${o.metadata.name}-*`] = `volumeClaimTemplate of StatefulSet/${ns}/${o.metadata.name}`;
      }
    }
  }
  return ids;
}

/** The list sorted by key, as the committed file holds it (one line per resource). */
export function renderIdList(ids: IdList): string {
  const sorted: IdList = {};
  for (const key of Object.keys(ids).sort()) sorted[key] = ids[key];
  return `${JSON.stringify(sorted, undefined, 2)}\n`;
}

/**
 * What differs between the committed list and today's, as a message that says what to do, or
 * undefined when they are the same.
 */
export function compareIds(locked: IdList, current: IdList, listFile: string): string | undefined {
  const removed = Object.keys(locked).filter((k) => !(k in current)).sort();
  const added = Object.keys(current).filter((k) => !(k in locked)).sort();
  const changed = Object.keys(current).filter((k) => k in locked && locked[k] !== current[k]).sort();
  if (removed.length + added.length + changed.length === 0) return undefined;
  const lines = [
    ...removed.map((k) => `  - gone:    ${k} (${locked[k]})`),
    ...added.map((k) => `  + new:     ${k} (${current[k]})`),
    ...changed.map((k) => `  ~ changed: ${k} (${locked[k]} → ${current[k]})`),
  ];
  const breaking = removed.length + changed.length > 0;
  return [
    `The data-bearing resources of the examples differ from ${listFile}:`,
    ...lines,
    '',
    breaking
      ? 'A changed logical ID or Kubernetes name makes CloudFormation or kubectl create a new, EMPTY resource and orphan (or delete) the old one '
        + 'with its data, in every user\'s deployment: users keep these ids. If this is a mistake, restore the construct ids and paths.'
      : 'New data-bearing resources: add them to the list.',
    'If the change is deliberate:',
    `  1. update the list: UPDATE_DATA_BEARING_IDS=1 npx jest test/data-bearing-ids.test.ts, and commit ${listFile};`,
    ...(breaking
      ? ['  2. add a changelog entry naming every changed id and telling users how to keep their resources: CloudFormation stack refactoring '
        + '(`cdk refactor`) to move them to the new logical IDs, or overrideLogicalId to keep the old ones; for Kubernetes, the rename steps of the README.']
      : []),
  ].join('\n');
}
