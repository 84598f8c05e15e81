import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { App, Chart } from 'cdk8s';
import { SharedPostgres } from '../src/k8s';
import { PgHarness, startPostgres } from '../test/harness/postgres';
import { PG_BIN_DIR } from '../test/harness/tools';

/** Figures of the init convergence benchmark. */
export interface InitResult {
  /** PostgreSQL server the scripts ran against. */
  readonly server: string;
  /** Number of app databases. */
  readonly apps: number;
  /** How many init scripts ran at the same time (1: one after the other). */
  readonly concurrency: number;
  /** Provisioning every app from an empty server (one init script after the other), in ms. */
  readonly firstRunMs: number;
  /** Running every script again against the provisioned server (nothing to do), in ms. */
  readonly noOpRunMs: number;
  /** App databases found on the server after the first run. */
  readonly databasesAfterFirstRun: number;
  /** App databases found after the second run (must be the same). */
  readonly databasesAfterSecondRun: number;
}

/** Runs one init script as its Job would, with the superuser connection in PG* variables. */
function runScript(pg: PgHarness, script: string, password: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script], {
      env: {
        ...process.env,
        PATH: `${PG_BIN_DIR}:${process.env.PATH ?? ''}`,
        PGHOST: pg.host,
        PGPORT: String(pg.port),
        PGUSER: pg.superuser,
        PGPASSWORD: pg.superuserPassword,
        PGSSLMODE: 'prefer',
        PGCONNECT_TIMEOUT: '10',
        PGAPPNAME: 'db-init',
        DB_PASSWORD: password,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += String(d); });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`init script failed (${code}): ${stderr}`))));
  });
}

/**
 * Takes the `db-init` container scripts of `apps` apps added with `SharedPostgres.addApp` (the
 * exact text the Jobs run, `DatabaseInitJob.initScript`) and runs them against a fresh PostgreSQL 15,
 * `concurrency` at a time (in a cluster the Jobs run side by side), from empty, then a second
 * time. The secret-bootstrap init container needs the Kubernetes API and is not part of this:
 * each app's password is given in `DB_PASSWORD`.
 */
export async function initConvergence(apps: number, concurrency: number): Promise<InitResult> {
  const chart = new Chart(new App(), 'database', { namespace: 'production', disableResourceNameHashes: true });
  const db = new SharedPostgres(chart, 'Postgres', { namespace: 'production' });
  const jobs = Array.from({ length: apps }, (_, i) => {
    const app = db.addApp(`app_${i}`);
    return { script: app.initJob!.initScript, password: randomBytes(24).toString('base64url') };
  });

  const pg = await startPostgres();
  try {
    const runAll = async (): Promise<number> => {
      const t0 = performance.now();
      let next = 0;
      const worker = async () => {
        while (next < jobs.length) {
          const job = jobs[next++];
          await runScript(pg, job.script, job.password);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return performance.now() - t0;
    };
    const countDatabases = (): number => {
      const res = pg.psql("SELECT count(*) FROM pg_database WHERE datname LIKE 'app\\_%\\_db'");
      if (res.status !== 0) throw new Error(`psql failed: ${res.stderr}`);
      return Number(res.stdout.trim());
    };
    const firstRunMs = await runAll();
    const databasesAfterFirstRun = countDatabases();
    const noOpRunMs = await runAll();
    const databasesAfterSecondRun = countDatabases();
    return { server: pg.version, apps, concurrency, firstRunMs, noOpRunMs, databasesAfterFirstRun, databasesAfterSecondRun };
  } finally {
    await pg.stop();
  }
}
