import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { App, Chart } from 'cdk8s';
import { SharedPostgres } from '../src/k8s';
import { startPostgres } from '../test/harness/postgres';

/** Figures of the init convergence benchmark. */
export interface InitResult {
  /** PostgreSQL server the scripts ran against. */
  readonly server: string;
  /** Number of app databases. */
  readonly apps: number;
  /** Provisioning every app from an empty server (one init script after the other), in ms. */
  readonly firstRunMs: number;
  /** Running every script again against the provisioned server (nothing to do), in ms. */
  readonly noOpRunMs: number;
  /** App databases found on the server after the first run. */
  readonly databasesAfterFirstRun: number;
  /** App databases found after the second run (must be the same). */
  readonly databasesAfterSecondRun: number;
}

/**
 * Takes the `db-init` container scripts of `apps` apps added with `SharedPostgres.addApp` (the
 * exact text the Jobs run, `DbInitJob.initScript`) and runs them, one after the other, against a
 * real PostgreSQL 15 from empty, then a second time. The secret-bootstrap init container needs
 * the Kubernetes API and is not part of this: each app's password is given in `DB_PASSWORD`.
 */
export async function initConvergence(apps: number): Promise<InitResult> {
  const chart = new Chart(new App(), 'database', { namespace: 'production', disableResourceNameHashes: true });
  const db = new SharedPostgres(chart, 'Postgres', { namespace: 'production' });
  const jobs = Array.from({ length: apps }, (_, i) => {
    const app = db.addApp(`app_${i}`);
    return { script: app.initJob.initScript, password: randomBytes(24).toString('base64url') };
  });

  const pg = await startPostgres();
  try {
    const runAll = (): number => {
      const t0 = performance.now();
      for (const job of jobs) {
        const res = pg.shell(job.script, { DB_PASSWORD: job.password, PGAPPNAME: 'db-init', PGSSLMODE: 'prefer' });
        if (res.status !== 0) throw new Error(`init script failed (${res.status}): ${res.stderr}`);
      }
      return performance.now() - t0;
    };
    const countDatabases = (): number => {
      const res = pg.psql("SELECT count(*) FROM pg_database WHERE datname LIKE 'app\\_%\\_db'");
      if (res.status !== 0) throw new Error(`psql failed: ${res.stderr}`);
      return Number(res.stdout.trim());
    };
    const firstRunMs = runAll();
    const databasesAfterFirstRun = countDatabases();
    const noOpRunMs = runAll();
    const databasesAfterSecondRun = countDatabases();
    return { server: pg.version, apps, firstRunMs, noOpRunMs, databasesAfterFirstRun, databasesAfterSecondRun };
  } finally {
    await pg.stop();
  }
}
