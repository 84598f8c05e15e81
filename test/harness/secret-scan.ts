import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';

/**
 * Passwords that appear in the seed documents and in this project's tests. None of them may ever
 * reach a synthesized file.
 */
export const KNOWN_TEST_PASSWORDS: readonly string[] = [
  'MyDevPassword123',
  'SecurePassword123!',
  'YourSecurePassword123!',
  'harness-known-test-password',
];

/** Keys whose value is a credential when it is a literal string. */
const PASSWORD_KEY = /^(master_?)?(user_?)?pass(word)?$|^(db|postgres|pg|mysql|mariadb|root|admin|superuser)_?pass(word)?$|^masteruserpassword$|^secret_?key$|^api_?key$|^auth_?token$/i;

/** Values that are references or placeholders, not literal secrets. */
function isReference(value: string): boolean {
  return (
    value === '' ||
    value.startsWith('{{resolve:') ||
    /\$\([A-Za-z_][A-Za-z0-9_]*\)/.test(value) || // Kubernetes $(VAR)
    /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(value) || // a whole shell ${VAR} / $VAR
    /\{\{.*\}\}/.test(value) // template placeholders
  );
}

const PRIVATE_KEY = /-----BEGIN ([A-Z0-9]+ )*PRIVATE[ ]KEY-----/;
const AWS_ACCESS_KEY = /\b(AK[I]A|ASIA)[0-9A-Z]{16}\b/;
const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]*:\/\/([^:/?#@\s"']+):([^@/?#\s"']+)@/gi;

/** One piece of text to scan. */
export interface ScanInput {
  readonly label: string;
  readonly text: string;
}

function walk(value: unknown, where: string, out: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, `${where}[${i}]`, out));
    return;
  }
  if (!value || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  // Kubernetes env entry: { name: DB_PASSWORD, value: "literal" }
  if (typeof obj.name === 'string' && typeof obj.value === 'string' && PASSWORD_KEY.test(obj.name) && !isReference(obj.value)) {
    out.push(`${where}: env ${obj.name} has a literal value`);
  }
  for (const [key, child] of Object.entries(obj)) {
    if (typeof child === 'string' && PASSWORD_KEY.test(key) && !isReference(child)) {
      out.push(`${where}.${key}: literal credential value`);
    } else if (key === 'data' && child && typeof child === 'object' && obj.kind === 'Secret') {
      for (const [k, v] of Object.entries(child as Record<string, unknown>)) {
        if (typeof v === 'string' && PASSWORD_KEY.test(k)) out.push(`${where}.data.${k}: Secret carries a credential`);
      }
      walk(child, `${where}.${key}`, out);
    } else {
      walk(child, `${where}.${key}`, out);
    }
  }
}

/** Scans one text for secrets; returns one line per finding. */
export function scanTextForSecrets(input: ScanInput, extraSecrets: readonly string[] = []): string[] {
  const out: string[] = [];
  const { label, text } = input;
  for (const secret of [...KNOWN_TEST_PASSWORDS, ...extraSecrets]) {
    if (secret && text.includes(secret)) out.push(`${label}: contains a known test password`);
  }
  if (PRIVATE_KEY.test(text)) out.push(`${label}: contains a private key`);
  if (AWS_ACCESS_KEY.test(text)) out.push(`${label}: contains an AWS access key id`);
  for (const m of text.matchAll(URL_CREDENTIALS)) {
    if (!isReference(m[2])) out.push(`${label}: URL with an inline password (${m[1]}:***@)`);
  }
  let docs: unknown[] = [];
  try {
    if (/\.json$/i.test(label) || text.trimStart().startsWith('{')) docs = [JSON.parse(text)];
    else if (/\.ya?ml$/i.test(label)) docs = YAML.parseAllDocuments(text).map((d) => d.toJSON());
  } catch {
    docs = [];
  }
  docs.forEach((d, i) => walk(d, `${label}${docs.length > 1 ? `#${i}` : ''}`, out));
  return out;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else if (entry.isFile()) out.push(p);
  }
  return out.sort();
}

/** Scans every file under a directory, or a list of texts. */
export function scanForSecrets(inputs: string | readonly ScanInput[], extraSecrets: readonly string[] = []): string[] {
  const list: ScanInput[] = typeof inputs === 'string'
    ? filesUnder(inputs)
      .filter((f) => !/\.(zip|jar|png|gz)$/i.test(f))
      .map((f) => ({ label: path.relative(inputs, f), text: fs.readFileSync(f, 'utf-8') }))
    : [...inputs];
  return list.flatMap((i) => scanTextForSecrets(i, extraSecrets));
}

/** Fails if any input contains a known test password, a private key or a literal password. */
export function expectNoSecrets(inputs: string | readonly ScanInput[], extraSecrets: readonly string[] = []): void {
  const findings = scanForSecrets(inputs, extraSecrets);
  if (findings.length > 0) {
    throw new Error(`secret scan found ${findings.length} problem(s):\n  ${findings.join('\n  ')}`);
  }
}
