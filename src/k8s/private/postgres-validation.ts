/**
 * Framework-free checks shared by the SharedPostgres, PostgresBackup and PgBouncer constructs.
 * Every function throws an Error whose message names the construct, the prop, the bad value and
 * the fix.
 */

const QUANTITY = /^([0-9]+(?:\.[0-9]+)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const FACTORS: { [suffix: string]: number } = {
  '': 1,
  'm': 1e-3,
  'k': 1e3,
  'M': 1e6,
  'G': 1e9,
  'T': 1e12,
  'P': 1e15,
  'E': 1e18,
  'Ki': 2 ** 10,
  'Mi': 2 ** 20,
  'Gi': 2 ** 30,
  'Ti': 2 ** 40,
  'Pi': 2 ** 50,
  'Ei': 2 ** 60,
};

/**
 * Parses a Kubernetes quantity (`250m`, `512Mi`, `10Gi`, `0.5`) into a number of base units.
 * Throws when the text is not a non-negative quantity.
 */
export function parseQuantity(construct: string, prop: string, value: string, example: string): number {
  const m = QUANTITY.exec(value);
  if (!m) {
    throw new Error(
      `${construct}: ${prop} must be a Kubernetes quantity such as ${example} (got '${value}'). ` +
      'Use a plain number with an optional suffix m, k, M, G, T, Ki, Mi, Gi or Ti (for example Gi, not Gb).',
    );
  }
  return Number(m[1]) * FACTORS[m[2] ?? ''];
}

/** Throws unless `limit` (when set) is at least `request`. */
export function checkLimitNotBelowRequest(construct: string, what: string, request: string, limit: string, example: string): void {
  const r = parseQuantity(construct, `${what}Request`, request, example);
  const l = parseQuantity(construct, `${what}Limit`, limit, example);
  if (l < r) {
    throw new Error(
      `${construct}: ${what}Limit must be at least ${what}Request (got ${what}Limit '${limit}' below ${what}Request '${request}'). ` +
      `Raise ${what}Limit or lower ${what}Request.`,
    );
  }
}

/** Throws unless the storage size is a quantity of at least 1Mi. */
export function checkStorageSize(construct: string, prop: string, value: string): void {
  const bytes = parseQuantity(construct, prop, value, '10Gi');
  if (bytes < 2 ** 20) {
    throw new Error(`${construct}: ${prop} must be at least 1Mi (got '${value}'). Use a size such as 10Gi.`);
  }
}

// Reference grammar of the distribution project (docker/distribution reference/regexp.go),
// simplified: [registry[:port]/]path[:tag][@digest], lower-case path components.
const IMAGE = new RegExp(
  '^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?/)?' +
  '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*' +
  '(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$',
);

/** Throws unless `value` is an image reference pinned by a tag other than `latest`, or by digest. */
export function checkImage(construct: string, prop: string, value: string, example: string): void {
  if (!IMAGE.test(value)) {
    throw new Error(
      `${construct}: ${prop} must be a container image reference such as '${example}' (got '${value}'). ` +
      'Use [registry/]name:tag or name@sha256:digest, with a lower-case name and no spaces.',
    );
  }
  const lastPart = value.split('/').pop()!;
  const hasDigest = value.includes('@');
  const tag = lastPart.includes(':') ? lastPart.split('@')[0].split(':')[1] : undefined;
  if (!hasDigest && (tag === undefined || tag === 'latest')) {
    throw new Error(
      `${construct}: ${prop} must be pinned to a version (got '${value}'). ` +
      `Add an explicit tag such as '${example}' or a digest; 'latest' and untagged images change under you.`,
    );
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Throws unless `value` is a DNS-1123 label (Kubernetes Namespace and Service names). */
export function checkDnsLabel(construct: string, prop: string, value: string): void {
  if (value.length > 63) {
    throw new Error(
      `${construct}: ${prop} must be at most 63 characters (got '${value}', ${value.length} characters). Use a shorter name.`,
    );
  }
  if (!DNS_LABEL.test(value)) {
    throw new Error(
      `${construct}: ${prop} must be a DNS-1123 label (got '${value}'). ` +
      'Use lower-case letters, digits and hyphens, starting and ending with a letter or digit.',
    );
  }
}

/** Throws unless `value` is an integer in [min, max]. */
export function checkIntRange(construct: string, prop: string, value: number, min: number, max: number, fix: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${construct}: ${prop} must be an integer from ${min} to ${max} (got ${value}). ${fix}`);
  }
}

const CRON_FIELD = /^(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?)*$/;
const CRON_MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/** Throws unless `value` has the shape of a five-field cron schedule (or a macro such as `@daily`). */
export function checkCronSchedule(construct: string, prop: string, value: string): void {
  if (CRON_MACROS.has(value)) return;
  const fields = value.trim().split(/\s+/);
  if (fields.length !== 5 || !fields.every((f) => CRON_FIELD.test(f))) {
    throw new Error(
      `${construct}: ${prop} must be a cron schedule with five fields, minute hour day-of-month month day-of-week (got '${value}'). ` +
      "For example '0 3 * * *' for 03:00 every day, or a macro such as '@daily'.",
    );
  }
}

/** Throws unless every key of `settings` is a PostgreSQL parameter name and no value holds a newline. */
export function checkSettings(construct: string, prop: string, settings: { [key: string]: string }): void {
  for (const [key, value] of Object.entries(settings)) {
    if (!/^[a-z_][a-z0-9_.]*$/.test(key)) {
      throw new Error(
        `${construct}: ${prop} keys must be PostgreSQL parameter names such as 'shared_buffers' (got '${key}'). ` +
        'Use lower-case letters, digits, underscores and dots.',
      );
    }
    if (/[\r\n\0]/.test(value)) {
      throw new Error(`${construct}: ${prop}.${key} must be a single line (got ${JSON.stringify(value)}). Remove the line break.`);
    }
  }
}
