import { Problem, show } from './problem';

// ---------------------------------------------------------------------------------------------
// Kubernetes names, keys and references

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A name in the shape `value` should have been, for the fix. */
export function suggestName(value: string, startWithLetter = false): string {
  let s = String(value).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  if (startWithLetter) s = s.replace(/^[^a-z]+/, '');
  return s.length > 0 ? s : 'my-app';
}

/** A DNS-1123 label: lower-case letters, digits and '-', starting and ending alphanumeric, at most 63. */
export function dnsLabel(prop: string, value: string): Problem {
  if (typeof value !== 'string' || value.length > 63 || !DNS1123_LABEL.test(value)) {
    return `${prop} must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters (got ${show(value)}). `
      + `Try ${show(suggestName(String(value)))}.`;
  }
  return undefined;
}

/** A DNS-1035 label (Service names): like a DNS-1123 label, but starting with a letter. */
export function dns1035Label(prop: string, value: string): Problem {
  if (typeof value !== 'string' || value.length > 63 || !DNS1035_LABEL.test(value)) {
    return `${prop} must be a DNS-1035 label: lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, at most 63 characters (got ${show(value)}). `
      + `Try ${show(suggestName(String(value), true))}.`;
  }
  return undefined;
}

/** A DNS-1123 subdomain: DNS-1123 labels joined by '.', at most 253 characters. */
export function dnsSubdomain(prop: string, value: string): Problem {
  if (typeof value !== 'string' || value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    return `${prop} must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', at most 253 characters (got ${show(value)}). `
      + `Try ${show(suggestName(String(value)))}.`;
  }
  return undefined;
}

/** The cluster's DNS domain (`cluster.local`): a DNS-1123 subdomain, the end of every in-cluster host name. */
export function clusterDomain(prop: string, value: string): Problem {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    return `${prop} must be the cluster's DNS domain, lower-case labels of letters, digits and '-' joined by '.' (got ${show(value)}). `
      + "Use the kubelet's --cluster-domain, 'cluster.local' unless your cluster was set up otherwise.";
  }
  return undefined;
}

/** Kubernetes kinds whose names follow a rule stricter than a DNS-1123 subdomain. */
const NAME_RULES: { [kind: string]: (prop: string, value: string) => Problem } = {
  Namespace: dnsLabel,
  Service: dns1035Label,
  // Pods of a StatefulSet are named `<name>-<ordinal>` and get the label
  // `controller-revision-hash: <name>-<10 characters>`: at most 52 characters.
  // A StatefulSet's pods get DNS names through its headless Service: a DNS-1035 label like a Service's.
  StatefulSet: (prop, value) => dns1035Label(prop, value) ?? (value.length > 52
    ? `${prop} must be at most 52 characters for a StatefulSet (got ${show(value)}, ${value.length}); its pods' revision label appends 11 characters. Shorten it.`
    : undefined),
  // A CronJob appends an 11-character suffix to the Jobs it creates.
  CronJob: (prop, value) => dnsSubdomain(prop, value) ?? (value.length > 52
    ? `${prop} must be at most 52 characters for a CronJob (got ${show(value)}, ${value.length}); its Jobs' names append 11 characters. Shorten it.`
    : undefined),
  // Job and Deployment names become pod labels and pod name prefixes.
  Job: dnsLabel,
  Deployment: dnsLabel,
};

/**
 * The name rule of one Kubernetes kind: a DNS-1035 label for Services, a DNS-1123 label for
 * Namespaces, Jobs and Deployments (and at most 52 characters for StatefulSets and CronJobs), a
 * DNS-1123 subdomain for everything else (Secrets, ConfigMaps, ServiceAccounts, …).
 */
export function kubernetesName(kind: string, prop: string, value: string): Problem {
  const rule = NAME_RULES[kind] ?? dnsSubdomain;
  return rule(prop, value);
}

/**
 * A name that also prefixes a Job named `<name>-<8 hex>` (a hash of its pod template): a DNS-1123
 * label of at most 54 characters, so the Job's name stays within 63.
 */
export function jobNamePrefix(prop: string, value: string): Problem {
  return dnsLabel(prop, value) ?? (value.length > 54
    ? `${prop} must be at most 54 characters (got ${show(value)}, ${value.length}), since a Job named '<name>-<8 hex>' is derived from it. Shorten it.`
    : undefined);
}

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** A Secret or ConfigMap key: letters, digits, '-', '_' and '.', at most 253 characters. */
export function secretKey(prop: string, value: string): Problem {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253 || !SECRET_KEY.test(value) || value === '.' || value === '..') {
    return `${prop} must be a Secret key of 1-253 letters, digits, '-', '_' and '.' (got ${value !== undefined && String(value).length > 80 ? `${show(String(value).slice(0, 40))}… (${String(value).length} characters)` : show(value)}). `
      + "Use e.g. 'DB_PASSWORD'.";
  }
  return undefined;
}

/** A plain file name (no directory): letters, digits, '-', '_' and '.', not '.' or '..'. */
export function fileName(prop: string, value: string, example: string): Problem {
  if (typeof value === 'string' && /^[-._a-zA-Z0-9]{1,255}$/.test(value) && value !== '.' && value !== '..') return undefined;
  return `${prop} must be a plain file name of letters, digits, '-', '_' and '.' (got ${show(value)}). Use e.g. ${show(example)}.`;
}

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** A label (or annotation) key: an optional DNS-1123 subdomain prefix and '/', then a name of at most 63 characters. */
export function labelKey(prop: string, key: string): Problem {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const badPrefix = prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix));
  if (badPrefix || name.length > 63 || !LABEL_NAME.test(name)) {
    return `${prop} key ${show(key)} must be [prefix/]name: an optional DNS-1123 subdomain prefix, and a name of at most 63 letters, digits, '-', '_' and '.', starting and ending alphanumeric. `
      + "Use e.g. 'app.kubernetes.io/name'.";
  }
  return undefined;
}

/** A label value: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending alphanumeric. */
export function labelValue(prop: string, value: string): Problem {
  if (typeof value !== 'string' || (value !== '' && (value.length > 63 || !LABEL_NAME.test(value)))) {
    return `${prop} value ${show(value)} must be at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit. Use e.g. 'my-app'.`;
  }
  return undefined;
}

/** Every key and value of a label map, and a non-empty map when `nonEmpty`. */
export function labels(prop: string, map: { [key: string]: string }, nonEmpty = false): Problem[] {
  const entries = Object.entries(map ?? {});
  if (nonEmpty && entries.length === 0) {
    return [`${prop} must not be empty (got {}). An empty selector matches every pod; give the app's labels, e.g. { app: 'my-app' }.`];
  }
  return entries.flatMap(([k, v]) => [labelKey(prop, k), labelValue(prop, v)]);
}

// Reference grammar of the distribution project (docker/distribution reference/regexp.go):
// [registry[:port]/]path[:tag][@digest], with lower-case path components.
const IMAGE = new RegExp(
  '^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?/)?'
  + '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*'
  + '(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$',
);

/** A container image reference pinned to a tag other than `latest`, or to a digest. */
export function imageRef(prop: string, value: string, example: string): Problem {
  if (typeof value !== 'string' || value.length > 512 || !IMAGE.test(value)) {
    return `${prop} must be a container image reference such as ${show(example)} (got ${show(value)}). `
      + 'Use [registry/]name:tag or name@sha256:digest, with a lower-case name and no spaces.';
  }
  const lastPart = value.split('/').pop()!;
  const tag = lastPart.includes(':') ? lastPart.split('@')[0].split(':')[1] : undefined;
  if (!value.includes('@') && (tag === undefined || tag === 'latest')) {
    return `${prop} must be pinned to a version (got ${show(value)}). `
      + `Add an explicit tag such as ${show(example)} or a digest; 'latest' and untagged images change under you.`;
  }
  return undefined;
}

const QUANTITY = /^([0-9]+(?:\.[0-9]+)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const QUANTITY_FACTORS: { [suffix: string]: number } = { '': 1, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18, 'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60 };

/** The value of a Kubernetes quantity (`250m`, `512Mi`, `10Gi`) in base units, or undefined when it is not one. */
export function quantityValue(value: string): number | undefined {
  const m = typeof value === 'string' ? QUANTITY.exec(value) : null;
  return m ? Number(m[1]) * QUANTITY_FACTORS[m[2] ?? ''] : undefined;
}

/** A non-negative Kubernetes quantity, at least `min` base units when given. */
export function quantity(prop: string, value: string, example: string, min?: number): Problem {
  const v = quantityValue(value);
  if (v === undefined) {
    return `${prop} must be a Kubernetes quantity such as ${show(example)} (got ${show(value)}). `
      + 'Use a plain number with an optional suffix m, k, M, G, T, Ki, Mi, Gi or Ti (for example Gi, not Gb).';
  }
  if (min !== undefined && v < min) {
    return `${prop} must be at least ${min} base units (got ${show(value)}). Use a size such as ${show(example)}.`;
  }
  return undefined;
}

const CRON_MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const CRON_FIELDS: Array<{ name: string; min: number; max: number; names?: string[] }> = [
  { name: 'minute', min: 0, max: 59 }, { name: 'hour', min: 0, max: 23 }, { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day-of-week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

function cronFieldOk(field: string, spec: typeof CRON_FIELDS[number]): boolean {
  const value = (text: string): number | undefined => {
    if (/^\d{1,2}$/.test(text)) return Number(text);
    const i = spec.names?.indexOf(text.toLowerCase()) ?? -1;
    return i >= 0 ? i + (spec.name === 'month' ? 1 : 0) : undefined;
  };
  return field.split(',').every((part) => {
    const m = /^(\*|\?|([0-9A-Za-z]+)(?:-([0-9A-Za-z]+))?)(?:\/(\d{1,2}))?$/.exec(part);
    if (!m) return false;
    if (m[4] !== undefined && Number(m[4]) < 1) return false;
    if (m[1] === '*' || m[1] === '?') return m[1] === '*' || spec.name.startsWith('day');
    const from = value(m[2]);
    const to = m[3] === undefined ? from : value(m[3]);
    return from !== undefined && to !== undefined && from >= spec.min && to <= spec.max && from <= to;
  });
}

/** A five-field cron schedule (minute hour day-of-month month day-of-week) with values in range, or a macro such as `@daily`. */
export function cronSchedule(prop: string, value: string): Problem {
  if (typeof value === 'string' && CRON_MACROS.has(value)) return undefined;
  const fields = typeof value === 'string' ? value.trim().split(/\s+/) : [];
  const bad = fields.length === 5 ? CRON_FIELDS.find((spec, i) => !cronFieldOk(fields[i], spec)) : undefined;
  if (fields.length !== 5 || bad) {
    const where = bad ? ` (the ${bad.name} field must lie in ${bad.min}-${bad.max})` : '';
    return `${prop} must be a cron schedule with five fields, minute hour day-of-month month day-of-week${where} (got ${show(value)}). `
      + "For example '0 3 * * *' for 03:00 every day, or a macro such as '@daily'.";
  }
  return undefined;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An environment variable name: letters, digits and '_', not starting with a digit. */
export function envVarName(prop: string, value: string): Problem {
  if (typeof value !== 'string' || value.length > 255 || !ENV_NAME.test(value)) {
    return `${prop} must be an environment variable name of letters, digits and '_', not starting with a digit (got ${show(value)}). Use e.g. 'DB_HOST'.`;
  }
  return undefined;
}
