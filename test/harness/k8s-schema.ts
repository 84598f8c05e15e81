import * as fs from 'node:fs';
import { App, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { validateK8sNames } from './k8s-names';

/**
 * Kubernetes 1.28 manifest validation without a cluster.
 *
 * 1. Types, required fields, quantities and formats: the `kubernetes-models` JSON schemas.
 * 2. Unknown fields (which those schemas let through): a field tree of the Kubernetes 1.28 API,
 *    read from the generated 1.28 bindings that ship in `cdk8s-plus-28` (`lib/imports/k8s.js`:
 *    one `toJson_<Type>` function per API type, listing every JSON field and its type).
 * 3. The API group/version/kind must be served by Kubernetes 1.28 (same source).
 * 4. A Job (or a CronJob's job template) must use restartPolicy Never or OnFailure.
 * 5. Names, namespaces and labels follow Kubernetes' rules per kind, and no two objects of one kind
 *    share a name in a namespace (k8s-names.ts).
 */

interface FieldType {
  /** JSON field name -> nested type info. */
  readonly fields: Map<string, FieldRef>;
}
interface FieldRef {
  /** Name of the nested API type, when the field is an object (or array/map of objects). */
  readonly type?: string;
  /** The field is a map whose values have `type`. */
  readonly map: boolean;
}

let typeTable: Map<string, FieldType> | undefined;
let kindTable: Map<string, string> | undefined; // "apiVersion/kind" -> props type name

function loadTables(): void {
  if (typeTable && kindTable) return;
  const file = require.resolve('cdk8s-plus-28/lib/imports/k8s.js');
  const src = fs.readFileSync(file, 'utf-8');
  typeTable = new Map();
  const fnRe = /function toJson_(\w+)\(obj\) \{[\s\S]*?const result = \{\n([\s\S]*?)\n\s*\};/g;
  for (const m of src.matchAll(fnRe)) {
    const fields = new Map<string, FieldRef>();
    for (const line of m[2].split('\n')) {
      const fm = /^\s*'([^']+)': (.*),$/.exec(line);
      if (!fm) continue;
      const nested = /toJson_(\w+)\(/.exec(fm[2]);
      fields.set(fm[1], { type: nested?.[1], map: fm[2].includes('Object.entries') });
    }
    typeTable.set(m[1], { fields });
  }
  kindTable = new Map();
  const gvkRe = /(Kube\w+)\.GVK = \{\s*apiVersion: '([^']+)',\s*kind: '([^']+)',\s*\};/g;
  for (const m of src.matchAll(gvkRe)) {
    kindTable.set(`${m[2]}/${m[3]}`, `${m[1]}Props`);
  }
}

function unknownFields(value: unknown, typeName: string, where: string, out: string[]): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => unknownFields(v, typeName, `${where}[${i}]`, out));
    return;
  }
  if (typeof value !== 'object') return;
  const t = typeTable!.get(typeName);
  if (!t) return;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const ref = t.fields.get(key);
    if (!ref) {
      out.push(`${where}.${key}: unknown field (not in Kubernetes 1.28 ${typeName})`);
      continue;
    }
    if (!ref.type) continue;
    if (ref.map && child && typeof child === 'object') {
      for (const [k, v] of Object.entries(child as Record<string, unknown>)) unknownFields(v, ref.type, `${where}.${key}.${k}`, out);
    } else {
      unknownFields(child, ref.type, `${where}.${key}`, out);
    }
  }
}

function modelFor(apiVersion: string, kind: string): any {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const modulePath = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(modulePath)[kind];
  } catch {
    return undefined;
  }
}

function checkRestartPolicy(doc: any, label: string, out: string[]): void {
  const check = (podSpec: any, where: string) => {
    const policy = podSpec?.restartPolicy;
    if (policy !== 'Never' && policy !== 'OnFailure') {
      out.push(`${label}${where}.restartPolicy: a Job's pods must use Never or OnFailure (got ${policy ?? 'unset, which defaults to Always'})`);
    }
  };
  if (doc.apiVersion === 'batch/v1' && doc.kind === 'Job') check(doc.spec?.template?.spec, ' spec.template.spec');
  if (doc.apiVersion === 'batch/v1' && doc.kind === 'CronJob') check(doc.spec?.jobTemplate?.spec?.template?.spec, ' spec.jobTemplate.spec.template.spec');
}

/** Anything that holds Kubernetes manifests. */
export type K8sInput = Chart | App | object[] | string;

/** Turns a chart, an app, parsed objects or YAML text (one or more documents) into objects. */
export function manifestsOf(input: K8sInput): any[] {
  if (typeof input === 'string') {
    return YAML.parseAllDocuments(input).map((d) => d.toJSON()).filter((d) => d !== null && d !== undefined);
  }
  if (Array.isArray(input)) return input;
  if (input instanceof App) return input.charts.flatMap((c) => c.toJson());
  return (input as Chart).toJson();
}

/**
 * Options for {@link validateK8s}.
 */
export interface ValidateK8sOptions {
  /**
   * Custom resource kinds ("apiVersion/kind") that are allowed without a schema check, with a
   * validator of their own.
   */
  readonly customResources?: { [apiVersionKind: string]: (doc: any) => string[] };
}

/** Validates manifests against Kubernetes 1.28; returns one line per problem. */
export function validateK8s(input: K8sInput, options: ValidateK8sOptions = {}): string[] {
  loadTables();
  const out: string[] = [];
  const docs = manifestsOf(input);
  out.push(...validateK8sNames(docs));
  docs.forEach((doc, i) => {
    const label = `${doc?.kind ?? '?'} ${doc?.metadata?.name ?? `#${i}`}`;
    if (!doc || typeof doc !== 'object' || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string') {
      out.push(`document #${i}: not a Kubernetes object (apiVersion and kind are required)`);
      return;
    }
    const gvk = `${doc.apiVersion}/${doc.kind}`;
    const custom = options.customResources?.[gvk];
    if (custom) {
      out.push(...custom(doc).map((p) => `${label}: ${p}`));
      return;
    }
    const propsType = kindTable!.get(gvk);
    const Model = modelFor(doc.apiVersion, doc.kind);
    if (!propsType || !Model) {
      out.push(`${label}: ${gvk} is not served by Kubernetes 1.28`);
      return;
    }
    try {
      new Model(doc).validate();
    } catch (e: any) {
      out.push(`${label}: ${e.message ?? e}`);
    }
    const rest = { ...doc };
    delete rest.apiVersion;
    delete rest.kind;
    const unknown: string[] = [];
    unknownFields(rest, propsType, label, unknown);
    out.push(...unknown);
    checkRestartPolicy(doc, label, out);
  });
  return out;
}

/** Fails unless every manifest is valid Kubernetes 1.28. */
export function expectK8sValid(input: K8sInput, options: ValidateK8sOptions = {}): void {
  const problems = validateK8s(input, options);
  if (problems.length > 0) {
    throw new Error(`Kubernetes schema check found ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  }
}
