/**
 * Kubernetes' own name rules, written from the API reference (not from the library's validators),
 * for the manifest check: object names per kind, label keys and values, and one name per kind in
 * a namespace.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
 */

const LABEL_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const label1123 = (n: string) => n.length <= 63 && LABEL_1123.test(n);
const label1035 = (n: string) => n.length <= 63 && LABEL_1035.test(n);
const subdomain = (n: string) => n.length <= 253 && SUBDOMAIN.test(n);

/** Kinds with a rule stricter than a DNS-1123 subdomain (apimachinery's validation per kind). */
const NAME_RULES: { [kind: string]: [string, (n: string) => boolean] } = {
  Namespace: ['a DNS-1123 label', label1123],
  Service: ['a DNS-1035 label', label1035],
  // Pods of a StatefulSet are <name>-<ordinal> and get controller-revision-hash <name>-<10 chars>.
  StatefulSet: ['a DNS-1123 label of at most 52 characters', (n) => label1123(n) && n.length <= 52],
  // A CronJob's Jobs are <name>-<11 characters>.
  CronJob: ['a DNS-1123 subdomain of at most 52 characters', (n) => subdomain(n) && n.length <= 52],
  Job: ['a DNS-1123 label', label1123],
  Deployment: ['a DNS-1123 label', label1123],
};

function labelProblems(where: string, labels: unknown): string[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== 'object') return [`${where} must be a map`];
  const out: string[] = [];
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if ((prefix !== undefined && !subdomain(prefix)) || name.length > 63 || !LABEL_NAME.test(name)) out.push(`${where}: invalid label key ${JSON.stringify(key)}`);
    if (typeof value !== 'string' || (value !== '' && (value.length > 63 || !LABEL_NAME.test(value)))) out.push(`${where}: invalid label value ${JSON.stringify(value)} of ${key}`);
  }
  return out;
}

/** Label maps of an object: its own, its selector's and its pod template's. */
function labelMaps(doc: any): Array<[string, unknown]> {
  const spec = doc.spec ?? {};
  const template = spec.template ?? spec.jobTemplate?.spec?.template;
  return [
    ['metadata.labels', doc.metadata?.labels],
    ['spec.selector.matchLabels', spec.selector?.matchLabels],
    ['spec.podSelector.matchLabels', spec.podSelector?.matchLabels],
    ['spec.template.metadata.labels', template?.metadata?.labels],
    ...(doc.kind === 'Service' ? [['spec.selector', spec.selector] as [string, unknown]] : []),
  ];
}

/** Name, namespace and label problems of the manifests, and names used twice within a kind and namespace. */
export function validateK8sNames(docs: any[]): string[] {
  const out: string[] = [];
  const seen = new Map<string, number>();
  docs.forEach((doc, i) => {
    if (!doc || typeof doc !== 'object') return;
    const name = doc.metadata?.name;
    const label = `${doc.kind} ${name ?? `#${i}`}`;
    if (typeof name !== 'string') {
      out.push(`${label}: metadata.name is required`);
      return;
    }
    const [what, ok] = NAME_RULES[doc.kind] ?? ['a DNS-1123 subdomain', subdomain];
    if (!ok(name)) out.push(`${label}: metadata.name must be ${what}`);
    const ns = doc.metadata?.namespace;
    if (ns !== undefined && !label1123(ns)) out.push(`${label}: metadata.namespace must be a DNS-1123 label (got ${JSON.stringify(ns)})`);
    for (const [where, map] of labelMaps(doc)) out.push(...labelProblems(`${label} ${where}`, map));
    const group = String(doc.apiVersion ?? '').includes('/') ? String(doc.apiVersion).split('/')[0] : '';
    const key = JSON.stringify([group, doc.kind, ns ?? '', name]);
    const first = seen.get(key);
    if (first !== undefined) out.push(`${label}: the name is used twice in namespace ${JSON.stringify(ns ?? '')} (documents #${first} and #${i}); the second would overwrite the first`);
    else seen.set(key, i);
  });
  return out;
}
