import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { SharedPostgres } from '../../src/k8s';
import { containerEnv, freePort, podContainers, runContainerScript, SecretValues, toolOrSkip, usePostgres, which } from '../harness';

/**
 * The monitoring path, exactly as synthesized, against a real PostgreSQL 15: the setup Job's
 * script creates the least-privilege role and the backup status table, Debian's
 * prometheus-postgres-exporter runs with the sidecar's environment and custom queries and is
 * scraped on /metrics while logged in as that role, and a backup run moves the backup metric.
 */
const MONITORING_PASSWORD = 'MonitoringPassw0rdGeneratedInTheCluster';
const APP_PASSWORD = 'ExampleAppPassw0rdGeneratedInTheCluster';

function synthesize() {
  const chart = new Chart(new App(), 'db', { namespace: 'stage' });
  const db = new SharedPostgres(chart, 'Postgres', { namespace: 'stage', monitoring: {} });
  db.addApp('example_app');
  const docs = chart.toJson();
  const podOf = (kind: string, prefix: string) => {
    const o = docs.find((d: any) => d.kind === kind && d.metadata.name.startsWith(prefix));
    return kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec;
  };
  return {
    exporter: podOf('StatefulSet', 'postgres').containers.find((c: any) => c.name === 'postgres-exporter'),
    queries: docs.find((d: any) => d.kind === 'ConfigMap' && d.metadata.name.startsWith('postgres-exporter-')).data['queries.yaml'],
    monitoringSecret: docs.find((d: any) => d.kind === 'Secret' && d.metadata.name === 'postgres-monitoring'),
    setup: podContainers(podOf('Job', 'postgres-metrics-setup-'))[0],
    init: podContainers(podOf('Job', 'postgres-apps-init-')).find((c: any) => c.name === 'db-init'),
    backup: podContainers(podOf('CronJob', 'postgres-backup'))[0],
  };
}

describe('postgres_exporter as the monitoring role against a real PostgreSQL 15', () => {
  const pg = usePostgres();
  const synth = synthesize();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-monitoring-'));
  let exporter: ChildProcess | undefined;
  let metricsUrl = '';

  const secrets = (): SecretValues => ({
    'postgres-superuser': { POSTGRES_USER: pg.superuser, POSTGRES_PASSWORD: pg.superuserPassword },
    'postgres-monitoring': { ...synth.monitoringSecret.stringData, password: MONITORING_PASSWORD },
    // The server init Job reads the app's password and login from its Secret.
    'example-app-db-secret': { DB_USER: 'example_app_user', DB_PASSWORD: APP_PASSWORD },
  });
  const run = (container: any, overrides: Record<string, string> = {}) => runContainerScript(container,
    containerEnv(container, secrets(), { PGHOST: pg.host, PGPORT: String(pg.port), PGSSLMODE: 'disable', ...overrides }));

  /** /metrics of the running exporter, as Prometheus would scrape it. */
  async function scrape(): Promise<string> {
    const res = await fetch(metricsUrl);
    expect(res.status).toBe(200);
    return res.text();
  }
  /** The value of one sample, by metric name and optional label filter. */
  function sample(text: string, name: string, labels: string = ''): number | undefined {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `)
      ? labels.split(',').filter(Boolean).every((kv) => l.includes(kv)) : false);
    return line === undefined ? undefined : Number(line.trim().split(/\s+/).pop());
  }

  afterAll(() => {
    if (exporter && exporter.exitCode === null) exporter.kill('SIGTERM');
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('the setup Job creates a login role that is a member of pg_monitor only, read-only, and kept idempotent', () => {
    if (!pg.available) return;
    expect(run(synth.init).status).toBe(0); // the app's database, CONNECT revoked from PUBLIC
    for (let i = 0; i < 2; i++) {
      const result = run(synth.setup);
      expect([result.status, result.stderr]).toEqual([0, '']);
      expect(result.stdout).toMatch(/monitoring-setup: role and backup status table ready/);
    }
    const user = synth.monitoringSecret.stringData.username;
    expect(user).toBe('postgres_exporter');
    const attrs = pg.psql(`SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolconnlimit FROM pg_roles WHERE rolname = '${user}'`);
    expect(attrs.stdout.trim()).toBe('t|f|f|f|f|f|3');
    const memberOf = pg.psql(`SELECT string_agg(r.rolname, ',') FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid WHERE m.member = '${user}'::regrole`);
    expect(memberOf.stdout.trim()).toBe('pg_monitor');
    // It reads statistics, but cannot enter an app's database nor write.
    const asMonitor = { user, password: MONITORING_PASSWORD };
    expect(pg.psql("SELECT count(*) > 0 FROM pg_stat_activity WHERE backend_type = 'client backend'", asMonitor).stdout.trim()).toBe('t');
    expect(pg.psql('SELECT 1', { ...asMonitor, database: 'example_app_db' }).stderr).toMatch(/permission denied for database "example_app_db"/);
    expect(pg.psql('CREATE TABLE x (id int)', asMonitor).stderr).toMatch(/cannot execute CREATE TABLE in a read-only transaction/);
    expect(pg.psql('SELECT * FROM cdk_db_platform.backup_status', asMonitor).stdout.trim()).toMatch(/^backup\|\d{4}-\d\d-\d\d .*\|$/);
  });

  test('a new password in the Secret reaches the role on the next setup run', () => {
    if (!pg.available) return;
    const user = synth.monitoringSecret.stringData.username;
    expect(run(synth.setup, { MONITORING_PASSWORD: 'RotatedMonitoringPassw0rd' }).status).toBe(0);
    expect(pg.psql('SELECT 1', { user, password: 'RotatedMonitoringPassw0rd' }).stdout.trim()).toBe('1');
    expect(run(synth.setup).status).toBe(0);
    expect(pg.psql('SELECT 1', { user, password: MONITORING_PASSWORD }).stdout.trim()).toBe('1');
  });

  test('prometheus-postgres-exporter with the sidecar env and custom queries logs in as the role and serves /metrics', async () => {
    if (!pg.available || !toolOrSkip('prometheus-postgres-exporter')) return;
    const queries = path.join(root, 'queries.yaml');
    fs.writeFileSync(queries, synth.queries);
    const env = containerEnv(synth.exporter, secrets());
    // The sidecar reaches the server on the pod's loopback; here the server listens on the harness port.
    // TLS is on by default, so even the loopback connection asks for it.
    expect(env.DATA_SOURCE_URI).toBe('127.0.0.1:5432/postgres?sslmode=require');
    env.DATA_SOURCE_URI = `127.0.0.1:${pg.port}/postgres?sslmode=require`;
    expect(env.PG_EXPORTER_EXTEND_QUERY_PATH).toBe('/etc/postgres-exporter/queries.yaml');
    env.PG_EXPORTER_EXTEND_QUERY_PATH = queries;
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    exporter = spawn(which('prometheus-postgres-exporter')!, [`--web.listen-address=127.0.0.1:${port}`], { env: { PATH: '/usr/bin:/bin', ...env }, stdio: 'ignore' });
    const deadline = Date.now() + 60_000;
    let text = '';
    for (;;) {
      try {
        text = await scrape();
        if (sample(text, 'pg_up') !== undefined) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error('postgres_exporter did not serve /metrics in time');
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(sample(text, 'pg_up')).toBe(1);
    expect(sample(text, 'pg_settings_max_connections')).toBe(100);
    expect(sample(text, 'pg_stat_activity_count', 'datname="postgres",state="active"')).toBeGreaterThanOrEqual(1);
    // Before any backup the metric holds the time the status table was made.
    const since = sample(text, 'cdkdb_backup_last_success_timestamp_seconds');
    expect(since).toBeGreaterThan(Date.now() / 1000 - 900);
    expect(since).toBeLessThanOrEqual(Date.now() / 1000);
  });

  test('a successful backup run moves cdkdb_backup_last_success_timestamp_seconds', async () => {
    if (!pg.available || exporter === undefined) return;
    const before = sample(await scrape(), 'cdkdb_backup_last_success_timestamp_seconds')!;
    await new Promise((r) => setTimeout(r, 1100));
    const claim = fs.mkdtempSync(path.join(root, 'claim-'));
    expect(synth.backup.env).toContainEqual({ name: 'BACKUP_RECORD_STATUS', value: 'true' });
    const result = run(synth.backup, { BACKUP_DIR: claim });
    expect([result.status, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toMatch(/backup: recorded the successful run/);
    const after = sample(await scrape(), 'cdkdb_backup_last_success_timestamp_seconds')!;
    expect(after).toBeGreaterThan(before);
    const recorded = pg.psql("SELECT extract(epoch FROM last_success) FROM cdk_db_platform.backup_status WHERE id = 'backup'").stdout.trim();
    expect(after).toBeCloseTo(Number(recorded), 3);
  });
});
