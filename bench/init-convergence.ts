import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { App, Chart } from 'cdk8s';
import { SharedPostgres } from '../src/k8s';
import { PgHarness, startPostgres } from '../test/harness/postgres';
import { PG_BIN_DIR } from '../test/harness/tools';

/** Figures of the init convergence benchmark (one repetition, on a fresh server). */
export interface InitResult {
  /** PostgreSQL server the script ran against. */
  readonly server: string;
  /** Number of app databases. */
  readonly apps: number;
  /** Provisioning every app from an empty server, in ms. */
  readonly firstRunMs: number;
  /** Running the same Job again against the provisioned server (nothing to do), in ms. */
  readonly noOpRunMs: number;
  /** The Job after one more app was added: the new app provisioned, the others checked, in ms. */
  readonly oneMoreAppMs: number;
  /** App databases found on the server after the first run. */
  readonly databasesAfterFirstRun: number;
  /** App databases found after the no-op run (must be the same). */
  readonly databasesAfterSecondRun: number;
}

/** The server init Job's `db-init` container of a SharedPostgres with `apps` apps. */
function serverInitContainer(apps: number): any {
  const chart = new Chart(new App(), 'database', { namespace: 'production', disableResourceNameHashes: true });
  const db = new SharedPostgres(chart, 'Postgres', { namespace: 'production' });
  for (let i = 0; i < apps; i++) db.addApp(`app_${i}`);
  return db.appsInitJob!.toJson().spec.template.spec.containers[0];
}

/**
 * Runs the container's script as the kubelet would start it: its plain environment, the
 * superuser's password, and each app's password and login from its Secret (`passwords`, by
 * Secret name); the Service's host and port are the harness server's.
 */
function runContainer(pg: PgHarness, container: any, passwords: Map<string, string>): Promise<void> {
  const env: Record<string, string> = {};
  for (const e of container.env) {
    const ref = e.valueFrom?.secretKeyRef;
    if (e.value !== undefined) env[e.name] = e.value;
    else if (ref?.key === 'POSTGRES_PASSWORD') env[e.name] = pg.superuserPassword;
    else if (ref?.key === 'DB_PASSWORD') env[e.name] = passwords.get(ref.name)!;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(container.command[0], container.command.slice(1), {
      env: { ...process.env, ...env, PATH: `${PG_BIN_DIR}:${process.env.PATH ?? ''}`, PGHOST: pg.host, PGPORT: String(pg.port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += String(d); });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`server init script failed (${code}): ${stderr}`))));
  });
}

/**
 * Takes the `db-init` container of the server init Job of a SharedPostgres with `apps` apps
 * (exactly as synthesized) and runs it against a fresh PostgreSQL 15 with the production
 * setting `fsync = on`: from empty, again (no-op), and as the Job becomes after one more app is
 * added. The apps' own Jobs (which fill in their Secrets with kubectl) are not part of this: each
 * app's password is given as its Secret would hold it.
 */
export async function initConvergence(apps: number): Promise<InitResult> {
  const container = serverInitContainer(apps);
  const bigger = serverInitContainer(apps + 1);
  const passwords = new Map<string, string>();
  for (const e of bigger.env) {
    const ref = e.valueFrom?.secretKeyRef;
    if (ref?.key === 'DB_PASSWORD') passwords.set(ref.name, randomBytes(24).toString('base64url'));
  }
  const pg = await startPostgres({ settings: { fsync: 'on' } });
  try {
    const timed = async (c: any): Promise<number> => {
      const t0 = performance.now();
      await runContainer(pg, c, passwords);
      return performance.now() - t0;
    };
    const countDatabases = (): number => {
      const res = pg.psql("SELECT count(*) FROM pg_database WHERE datname LIKE 'app\\_%\\_db'");
      if (res.status !== 0) throw new Error(`psql failed: ${res.stderr}`);
      return Number(res.stdout.trim());
    };
    const firstRunMs = await timed(container);
    const databasesAfterFirstRun = countDatabases();
    const noOpRunMs = await timed(container);
    const databasesAfterSecondRun = countDatabases();
    const oneMoreAppMs = await timed(bigger);
    return { server: pg.version, apps, firstRunMs, noOpRunMs, oneMoreAppMs, databasesAfterFirstRun, databasesAfterSecondRun };
  } finally {
    await pg.stop();
  }
}
