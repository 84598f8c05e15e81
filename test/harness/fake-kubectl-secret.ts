import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { which } from './tools';

/**
 * A `kubectl` for the Jobs' scripts, standing in for the API server with one Secret held in a JSON
 * file (as the API server stores it: `data` base64-encoded, a `resourceVersion`).
 *
 * - `get secret <name> --namespace=<ns> -o <format>` prints the Secret in that format, rendered by
 *   the real kubectl offline (`kubectl patch --local` with an empty patch), so the scripts'
 *   jsonpath expressions are evaluated by kubectl itself;
 * - `patch secret <name> --namespace=<ns> --type=merge (-p <json> | --patch-file=<file>)` applies a
 *   JSON merge patch with the real kubectl (offline), refuses it with a conflict when it carries a
 *   `metadata.resourceVersion` other than the Secret's (optimistic concurrency, as the API server
 *   does), and bumps the `resourceVersion`;
 * - anything else, another Secret or another namespace fails, like a Role that allows only `get`
 *   and `patch` on that one Secret.
 *
 * Every call is recorded. Needs the real kubectl on PATH (a client is enough; `toolOrSkip('kubectl')`).
 */
export interface SecretKubectl {
  /** Directory to put first on the scripts' PATH. */
  readonly binDir: string;
  /** Environment for a script: PATH with the fake first, and what the fake needs. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** The Secret as stored. */
  secret(): any;
  /** The Secret's data, decoded. */
  data(): Record<string, string>;
  /** Replaces the stored Secret with one made from a manifest (stringData and data merged into data, a new resourceVersion): the Secret deleted and created again. */
  recreate(manifest: any): void;
  /** Changes the stored Secret behind the scripts' back (a new resourceVersion). */
  update(change: (secret: any) => void): void;
  /** The calls so far, one line each. */
  calls(): string[];
  /** Removes the files. */
  remove(): void;
}

/** The Secret an API server would store for `manifest`: `stringData` folded into base64 `data`. */
export function storedSecret(manifest: any, resourceVersion: string): any {
  const data: Record<string, string> = { ...(manifest.data ?? {}) };
  for (const [k, v] of Object.entries<string>(manifest.stringData ?? {})) data[k] = Buffer.from(v).toString('base64');
  const { stringData: _omit, ...rest } = manifest;
  return { ...rest, metadata: { ...manifest.metadata, resourceVersion }, data };
}

const FAKE = `
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const dir = process.env.FAKE_KUBECTL_DIR;
const real = process.env.FAKE_KUBECTL_REAL;
const args = process.argv.slice(2);
fs.appendFileSync(dir + '/calls', args.join(' ') + '\\n');
const file = dir + '/secret.json';
const secret = JSON.parse(fs.readFileSync(file, 'utf-8'));
const fail = (msg, code) => { process.stderr.write(msg + '\\n'); process.exit(code || 1); };
const opt = (name) => {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) return args[i + 1];
    if (args[i].startsWith(name + '=')) return args[i].slice(name.length + 1);
  }
  return undefined;
};
const [verb, kind, name] = args;
if (kind !== 'secret' || (verb !== 'get' && verb !== 'patch')) fail('Error from server (Forbidden): only get and patch on secret ' + secret.metadata.name + ' (got ' + args.join(' ') + ')');
if (name !== secret.metadata.name || opt('--namespace') !== secret.metadata.namespace) {
  fail('Error from server (Forbidden): secrets "' + name + '" in namespace "' + opt('--namespace') + '" is not the Secret this ServiceAccount may use');
}
const kubectl = (patchArgs, output) => {
  const res = spawnSync(real, ['patch', '--local', '-f', file, '--type=merge', ...patchArgs, '-o', output], { encoding: 'utf-8' });
  if (res.status !== 0) fail(res.stderr || String(res.error));
  return res.stdout;
};
if (verb === 'get') {
  process.stdout.write(kubectl(['-p', '{}'], opt('-o')));
  process.exit(0);
}
if (opt('--type') !== 'merge') fail('fake kubectl: only --type=merge patches');
const patchText = opt('-p') ?? (opt('--patch-file') !== undefined ? fs.readFileSync(opt('--patch-file'), 'utf-8') : undefined);
if (patchText === undefined) fail('fake kubectl: no patch given');
const patch = JSON.parse(patchText);
const rv = patch.metadata && patch.metadata.resourceVersion;
if (rv !== undefined && rv !== secret.metadata.resourceVersion) {
  fail('Error from server (Conflict): Operation cannot be fulfilled on secrets "' + name + '": the object has been modified; please apply your changes to the latest version and try again');
}
if (patch.metadata) delete patch.metadata.resourceVersion;
const patchFile = dir + '/patch.json';
fs.writeFileSync(patchFile, JSON.stringify(patch));
const next = JSON.parse(kubectl(['--patch-file', patchFile], 'json'));
next.metadata.resourceVersion = String(Number(secret.metadata.resourceVersion) + 1);
fs.writeFileSync(file, JSON.stringify(next, null, 2));
fs.rmSync(patchFile);
process.stdout.write('secret/' + name + ' patched\\n');
`;

/** A fake kubectl holding `manifest` (a Secret from a synthesized manifest) as the stored Secret. */
export function makeSecretKubectl(manifest: any): SecretKubectl {
  const real = which('kubectl');
  if (!real) throw new Error('makeSecretKubectl needs the real kubectl (a client) on PATH');
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'fake-kubectl-'));
  const binDir = path.join(dir, 'bin');
  fs.mkdirSync(binDir);
  fs.writeFileSync(path.join(dir, 'fake.js'), FAKE);
  fs.writeFileSync(path.join(binDir, 'kubectl'), `#!/bin/sh\nexec '${process.execPath}' '${path.join(dir, 'fake.js')}' "$@"\n`, { mode: 0o755 });
  const file = path.join(dir, 'secret.json');
  let version = 100;
  const write = (secret: any) => fs.writeFileSync(file, JSON.stringify(secret, null, 2));
  const read = () => JSON.parse(fs.readFileSync(file, 'utf-8'));
  write(storedSecret(manifest, String(version)));
  return {
    binDir,
    env: (extra = {}) => ({
      PATH: `${binDir}:${process.env.PATH}`,
      FAKE_KUBECTL_DIR: dir,
      FAKE_KUBECTL_REAL: real,
      HOME: dir,
      POD_NAMESPACE: manifest.metadata.namespace,
      ...extra,
    }),
    secret: read,
    data: () => Object.fromEntries(Object.entries<string>(read().data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf-8')])),
    recreate: (m: any) => {
      version += 100;
      write(storedSecret(m, String(version)));
    },
    update: (change) => {
      const secret = read();
      change(secret);
      secret.metadata.resourceVersion = String(Number(secret.metadata.resourceVersion) + 1);
      write(secret);
    },
    calls: () => (fs.existsSync(path.join(dir, 'calls')) ? fs.readFileSync(path.join(dir, 'calls'), 'utf-8').trim().split('\n').filter((l) => l) : []),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
