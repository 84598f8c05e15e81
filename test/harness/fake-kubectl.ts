import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A `kubectl` for running the library's Job scripts without a cluster: it keeps Secrets and
 * ConfigMaps as JSON files, answers `kubectl get <kind> <name> -o jsonpath=...` (the subset of
 * JSONPath the scripts use: `{.a.b}`, escaped dots in keys, `{"literal"}`), and applies
 * `kubectl patch <kind> <name> --type=merge -p <json>` as a JSON merge patch, refusing it with a
 * conflict when the patch names a `metadata.resourceVersion` other than the object's (as the API
 * server does). Every call is logged to `calls`.
 */
export interface FakeKubectl {
  /** Directory to put first on PATH. */
  readonly dir: string;
  /** Environment for a script: PATH with the fake first, and its state directory. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Creates (or replaces) an object, with resourceVersion 1. */
  put(kind: string, name: string, object: { data?: Record<string, string> }): void;
  /** The object as stored, or undefined. */
  get(kind: string, name: string): { metadata: { resourceVersion: string }; data?: Record<string, string> } | undefined;
  /** A Secret's key decoded from base64, or undefined. */
  secretValue(name: string, key: string): string | undefined;
  /** The arguments of every call so far, one string each. */
  calls(): string[];
  remove(): void;
}

const SCRIPT = String.raw`#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const dir = process.env.FAKE_KUBECTL_DIR;
const args = process.argv.slice(2);
fs.appendFileSync(path.join(dir, 'calls'), args.join(' ') + '\n');
const [verb, kind, name] = args;
const file = path.join(dir, kind + '-' + name + '.json');
const option = (flag) => {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) return args[i + 1];
    if (args[i].startsWith(flag + '=')) return args[i].slice(flag.length + 1);
  }
  return undefined;
};
if (!option('--namespace')) { console.error('fake kubectl: --namespace is required'); process.exit(2); }
if (!fs.existsSync(file)) { console.error('Error from server (NotFound): ' + kind + ' "' + name + '" not found'); process.exit(1); }
const obj = JSON.parse(fs.readFileSync(file, 'utf-8'));
if (verb === 'get') {
  const out = option('-o');
  if (!out || !out.startsWith('jsonpath=')) { console.error('fake kubectl: only -o jsonpath= is supported'); process.exit(2); }
  let text = '';
  for (const m of out.slice('jsonpath='.length).matchAll(/\{([^}]*)\}/g)) {
    const expr = m[1];
    if (expr.startsWith('"')) { text += JSON.parse(expr); continue; }
    const keys = expr.slice(1).split(/(?<!\\)\./).map((k) => k.replace(/\\\./g, '.'));
    let v = obj;
    for (const k of keys) v = v == null ? undefined : v[k];
    if (v !== undefined && v !== null) text += typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  process.stdout.write(text);
} else if (verb === 'patch') {
  if (option('--type') !== 'merge') { console.error('fake kubectl: only --type=merge is supported'); process.exit(2); }
  const patch = JSON.parse(option('-p'));
  const wanted = patch.metadata && patch.metadata.resourceVersion;
  if (wanted !== undefined && wanted !== obj.metadata.resourceVersion) {
    console.error('Error from server (Conflict): the object has been modified; please apply your changes to the latest version and try again');
    process.exit(1);
  }
  const merge = (target, p) => {
    for (const [k, v] of Object.entries(p)) {
      if (v === null) delete target[k];
      else if (typeof v === 'object' && !Array.isArray(v)) target[k] = merge(target[k] && typeof target[k] === 'object' ? target[k] : {}, v);
      else target[k] = v;
    }
    return target;
  };
  merge(obj, patch);
  obj.metadata.resourceVersion = String(Number(obj.metadata.resourceVersion) + 1);
  fs.writeFileSync(file, JSON.stringify(obj));
  process.stdout.write(kind + '/' + name + ' patched\n');
} else {
  console.error('fake kubectl: unsupported verb ' + verb);
  process.exit(2);
}
`;

/** Makes a fake kubectl in a fresh directory. */
export function makeFakeKubectl(): FakeKubectl {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'fake-kubectl-'));
  fs.writeFileSync(path.join(dir, 'kubectl'), SCRIPT, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'calls'), '');
  const read = (kind: string, name: string) => {
    const file = path.join(dir, `${kind}-${name}.json`);
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf-8')) : undefined;
  };
  return {
    dir,
    env: (extra = {}) => ({ PATH: `${dir}:${process.env.PATH ?? ''}`, FAKE_KUBECTL_DIR: dir, ...extra }),
    put: (kind, name, object) => {
      fs.writeFileSync(path.join(dir, `${kind}-${name}.json`), JSON.stringify({ ...object, metadata: { name, resourceVersion: '1' } }));
    },
    get: read,
    secretValue: (name, key) => {
      const value = read('secret', name)?.data?.[key];
      return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf-8');
    },
    calls: () => fs.readFileSync(path.join(dir, 'calls'), 'utf-8').split('\n').filter((l) => l.length > 0),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
