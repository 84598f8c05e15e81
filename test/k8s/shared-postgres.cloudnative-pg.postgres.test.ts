import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { cloudNativePgAppSetupScript } from '../../src/core/private/cloudnative-pg-app-setup';
import { SharedPostgres } from '../../src/k8s/shared-postgres';
import { SharedPostgresBackend } from '../../src/k8s/shared-postgres-backend';
import { makeSecretKubectl, PgHarness, SecretKubectl, toolOrSkip, usePostgres } from '../harness';

const NAMESPACE = 'production';

/**
 * Moving an app from the StatefulSet backend to the CloudNativePG backend, with the synthesized
 * scripts on two real PostgreSQL 15 servers: `old` plays the StatefulSet server, `next` the
 * CloudNativePG cluster. The operator is played by the test, from the synthesized DatabaseRole and
 * Database objects (role with the password from the app's Secret, database owned by it, the schema
 * owned by it); everything else is the library's scripts: the app's setup Job (password bootstrap
 * with a fake kubectl holding the Secret, then privileges and search_path), the old server's
 * backup, and the restore Job with `into`.
 */
function synthesize(): { docs: any[] } {
  const app = new App();
  const chart = new Chart(app, 'db', { namespace: NAMESPACE });
  const old = new SharedPostgres(chart, 'Old', { namespace: NAMESPACE });
  old.addApp('shop');
  const next = new SharedPostgres(chart, 'Next', { namespace: NAMESPACE, name: 'pg', backend: SharedPostgresBackend.cloudNativePg() });
  next.addApp('shop', { secretName: 'shop-db-secret-cnpg' });
  const ops = new Chart(app, 'move', { namespace: NAMESPACE });
  old.restoreJob(ops, 'MoveShop', { appName: 'shop', into: next });
  return { docs: YAML.parseAllDocuments(app.synthYaml()).map((d) => d.toJSON()).filter((d) => d) };
}

describe('moving an app from the StatefulSet backend to CloudNativePG, on real PostgreSQL 15', () => {
  const old = usePostgres();
  const next = usePostgres();
  const { docs } = synthesize();
  const fakes: SecretKubectl[] = [];
  let backups: string;
  const ready = () => old.available && next.available && toolOrSkip('kubectl');

  beforeAll(() => {
    backups = fs.mkdtempSync(path.join(os.tmpdir(), 'move-backups-'));
  });
  afterAll(() => {
    fs.rmSync(backups, { recursive: true, force: true });
    fakes.forEach((f) => f.remove());
  });

  const doc = (kind: string, pred: (d: any) => boolean = () => true) => {
    const found = docs.filter((d) => d.kind === kind && pred(d));
    if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
    return found[0];
  };
  const plainEnv = (c: any) => Object.fromEntries((c.env ?? []).filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
  const superuserOf = (pg: PgHarness) => ({ PGHOST: pg.host, PGPORT: String(pg.port), PGUSER: pg.superuser, PGPASSWORD: pg.superuserPassword });
  const rows = (pg: PgHarness, opts: { user?: string; password?: string } = {}) =>
    pg.psql('SELECT id, name FROM items ORDER BY id', { database: 'shop_db', ...opts });

  let fake: SecretKubectl;
  test('the setup Job\'s bootstrap puts one generated password into DB_PASSWORD, password and DATABASE_URL of the basic-auth Secret', () => {
    if (!ready()) return;
    const secret = doc('Secret', (d) => d.metadata.name === 'shop-db-secret-cnpg');
    expect(secret.type).toBe('kubernetes.io/basic-auth');
    fake = makeSecretKubectl(secret);
    fakes.push(fake);
    const job = doc('Job', (d) => d.metadata.name.startsWith('shop-db-setup-'));
    const boot = job.spec.template.spec.initContainers[0];
    const run = () => spawnSync('/bin/sh', ['-c', boot.command[2]], { encoding: 'utf-8', env: fake.env({ POD_NAMESPACE: NAMESPACE }) });
    const first = run();
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const data = fake.data();
    expect(data.DB_PASSWORD).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(data.password).toBe(data.DB_PASSWORD);
    expect(data.username).toBe('shop_user');
    expect(data.DATABASE_URL).toBe(`postgresql://shop_user:${data.DB_PASSWORD}@pg-rw.production.svc.cluster.local:5432/shop_db?sslmode=require&connect_timeout=10`);
    // A second run keeps the password; a `password` that drifted is set back to DB_PASSWORD's.
    fake.update((s) => { s.data.password = Buffer.from('drifted').toString('base64'); });
    const again = run();
    expect(again.status).toBe(0);
    expect(fake.data().DB_PASSWORD).toBe(data.DB_PASSWORD);
    expect(fake.data().password).toBe(data.DB_PASSWORD);
  });

  test('on the CloudNativePG side, the setup Job sets privileges and search_path once the operator made the role, database and schema', () => {
    if (!ready()) return;
    // The operator's part, from the synthesized objects.
    const role = doc('DatabaseRole').spec;
    const database = doc('Database').spec;
    expect(role.passwordSecret.name).toBe('shop-db-secret-cnpg');
    const password = fake.data().password;
    expect(next.psql(`CREATE ROLE ${role.name} LOGIN INHERIT PASSWORD '${password}'`).stderr).toBe('');
    expect(next.psql(`CREATE DATABASE ${database.name} OWNER ${database.owner}`).stderr).toBe('');
    const schema = database.schemas[0];
    expect(next.psql(`CREATE SCHEMA ${schema.name} AUTHORIZATION ${schema.owner}`, { database: database.name }).stderr).toBe('');
    // The library's part.
    const job = doc('Job', (d) => d.metadata.name.startsWith('shop-db-setup-'));
    const setup = job.spec.template.spec.containers[0];
    expect(setup.env.find((e: any) => e.name === 'PGPASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'pg-superuser', key: 'password' });
    const result = next.shell(setup.command[2], { ...plainEnv(setup), ...superuserOf(next), PGSSLMODE: 'require' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(next.psql("SELECT setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = 'shop_user'").stdout.trim())
      .toBe('{"search_path=shop, public"}');
    expect(next.psql("SELECT has_database_privilege('public', 'shop_db', 'CONNECT')").stdout.trim()).toBe('f');
    // Running it again changes nothing and succeeds.
    expect(next.shell(setup.command[2], { ...plainEnv(setup), ...superuserOf(next), PGSSLMODE: 'require' }).status).toBe(0);
  });

  test('the setup script fails with a clear message when the operator has not made the role, database and schema in time', () => {
    if (!ready()) return;
    const script = cloudNativePgAppSetupScript({ databaseName: 'postgres', username: 'missing_user', schemaName: 'missing', waitSeconds: 0 });
    const result = next.shell(script, superuserOf(next));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/app-setup: the operator has not created role missing_user, database postgres and schema missing within 0 s/);
  });

  test('the old server\'s dump, restored with restoreJob into the CloudNativePG SharedPostgres, brings the rows, owned by the app', () => {
    if (!ready()) return;
    // GIVEN the app's data on the old (StatefulSet) server, as its init Job made it
    expect(old.psql("CREATE ROLE shop_user LOGIN PASSWORD 'old-password-123'").stderr).toBe('');
    expect(old.psql('CREATE DATABASE shop_db OWNER shop_user').stderr).toBe('');
    expect(old.psql('CREATE SCHEMA shop AUTHORIZATION shop_user', { database: 'shop_db' }).stderr).toBe('');
    expect(old.psql('ALTER ROLE shop_user IN DATABASE shop_db SET search_path TO shop, public').stderr).toBe('');
    const made = old.psql("CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'kettle'), (2, 'teapot')",
      { database: 'shop_db', user: 'shop_user', password: 'old-password-123' });
    expect(made.stderr).toBe('');
    const before = rows(old, { user: 'shop_user', password: 'old-password-123' }).stdout.trim();
    expect(before).toBe('1|kettle\n2|teapot');
    // WHEN the old server's backup runs, then the restore Job into the new one
    const backup = doc('CronJob', (d) => d.metadata.name === 'postgres-backup').spec.jobTemplate.spec.template.spec.containers[0];
    const dumped = old.shell(backup.command[2], { ...plainEnv(backup), ...superuserOf(old), PGSSLMODE: 'require', BACKUP_DIR: backups });
    expect(dumped.stderr).toBe('');
    expect(dumped.status).toBe(0);
    const restore = doc('Job', (d) => d.metadata.name.startsWith('postgres-restore-shop-db-')).spec.template.spec.containers[0];
    expect(plainEnv(restore)).toMatchObject({ PGHOST: 'pg-rw.production.svc.cluster.local', PGSSLMODE: 'require', RESTORE_DATABASE: 'shop_db' });
    expect(restore.env.find((e: any) => e.name === 'PGUSER').valueFrom.secretKeyRef).toEqual({ name: 'pg-superuser', key: 'username' });
    const restored = next.shell(restore.command[2], { ...plainEnv(restore), ...superuserOf(next), BACKUP_DIR: backups });
    expect(restored.stderr).toBe('');
    expect(restored.status).toBe(0);
    // THEN the rows are there, and the app reads them with its new password and its search_path
    const password = fake.data().DB_PASSWORD;
    const asApp = rows(next, { user: 'shop_user', password });
    expect(asApp.stderr).toBe('');
    expect(asApp.stdout.trim()).toBe(before);
    expect(next.psql("SELECT tableowner FROM pg_tables WHERE tablename = 'items'", { database: 'shop_db' }).stdout.trim()).toBe('shop_user');
    expect(next.psql('SELECT current_schema()', { database: 'shop_db', user: 'shop_user', password }).stdout.trim()).toBe('shop');
  });
});
