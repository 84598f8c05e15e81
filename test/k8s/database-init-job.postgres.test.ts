import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart, Testing } from 'cdk8s';
import { Client } from 'pg';
import * as YAML from 'yaml';
import { AppDatabaseNames, PostgresNames, SslMode } from '../../src/core';
import { secretBootstrapScript } from '../../src/core/private/secret-bootstrap';
import { AppDatabaseSecret, DatabaseInitJob } from '../../src/k8s';
import { expectK8sValid, expectNoSecrets, usePostgres } from '../harness';

// Two apps on one server: "shop" uses names that need quoting (mixed case, keywords as names),
// "example_app" uses the default names and a connection limit.
const SHOP = { appName: 'shop', databaseName: 'Shop_Data', username: 'Shop_User', schemaName: 'order' };
const SUPERUSER_SECRET = 'postgres-superuser';

interface Synthesized {
  readonly yaml: string;
  readonly docs: any[];
  readonly chart: Chart;
}

function synthesize(): Synthesized {
  const app = new App();
  const chart = new Chart(app, 'shared', { namespace: 'stage' });
  const host = 'postgres-service.stage.svc.cluster.local';
  const shopNames = AppDatabaseNames.of(SHOP.appName, { databaseName: SHOP.databaseName, username: SHOP.username, schemaName: SHOP.schemaName });
  const shop = new AppDatabaseSecret(chart, 'ShopSecret', { names: shopNames, host, sslMode: SslMode.DISABLE });
  new DatabaseInitJob(chart, 'ShopInit', { secret: shop, superuserSecretName: SUPERUSER_SECRET });
  const example = new AppDatabaseSecret(chart, 'ExampleSecret', { names: AppDatabaseNames.of('example_app'), host, sslMode: SslMode.DISABLE });
  new DatabaseInitJob(chart, 'ExampleInit', { secret: example, superuserSecretName: SUPERUSER_SECRET, connectionLimit: 5 });
  const billing = new AppDatabaseSecret(chart, 'BillingSecret', { names: AppDatabaseNames.of('billing'), host, sslMode: SslMode.DISABLE });
  new DatabaseInitJob(chart, 'BillingInit', { secret: billing, superuserSecretName: SUPERUSER_SECRET });
  const yaml = app.synthYaml();
  return { yaml, docs: YAML.parseAllDocuments(yaml).map((d) => d.toJSON()), chart };
}

/** The named container of the Job whose pods carry `app.kubernetes.io/name: <resourceName>`. */
function jobContainer(docs: any[], resourceName: string, name: string): any {
  const job = docs.find((d) => d.kind === 'Job' && d.metadata.labels['app.kubernetes.io/name'] === resourceName);
  const spec = job.spec.template.spec;
  return [...(spec.initContainers ?? []), ...spec.containers].find((c: any) => c.name === name);
}

/** The keys the Secret's manifest holds (`stringData`: DB_HOST, DB_USER, …); the bootstrap adds the password. */
function manifestData(docs: any[], secretName: string): Record<string, string> {
  return docs.find((d) => d.kind === 'Secret' && d.metadata.name === secretName)?.stringData ?? {};
}

/** The container's env as the kubelet would fill it from the given Secret contents. */
function resolveEnv(container: any, secrets: Record<string, Record<string, string>>, overrides: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env) {
    if (e.value !== undefined) {
      env[e.name] = e.value;
    } else if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      const value = secrets[ref.name]?.[ref.key];
      if (value === undefined) throw new Error(`test has no value for Secret ${ref.name} key ${ref.key}`);
      env[e.name] = value;
    } else {
      throw new Error(`unexpected env entry ${JSON.stringify(e)}`);
    }
  }
  return { ...env, ...overrides };
}

/** A kubectl that records its arguments, answers `get` from files and stores `patch` bodies. */
function makeKubectlShim(): string {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'kubectl-shim-'));
  fs.writeFileSync(path.join(dir, 'kubectl'), [
    '#!/bin/sh',
    'printf "%s\\n" "$*" >> "$SHIM_DIR/calls"',
    'case "$1" in',
    '  get) printf "%s|%s|%s" "$(cat "$SHIM_DIR/rv")" "$(cat "$SHIM_DIR/pw" 2>/dev/null || true)" "$(cat "$SHIM_DIR/url" 2>/dev/null || true)" ;;',
    '  patch) while [ $# -gt 0 ]; do if [ "$1" = "-p" ]; then printf "%s" "$2" > "$SHIM_DIR/patch"; fi; shift; done ;;',
    '  *) echo "unexpected kubectl call" >&2; exit 9 ;;',
    'esac',
    '',
  ].join('\n'), { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'rv'), '4711');
  return dir;
}

/** Runs the synthesized `secret-bootstrap` container script with the recording kubectl. */
function runBootstrap(docs: any[], resourceName: string, dir: string, env: Record<string, string> = { POD_NAMESPACE: 'stage' }) {
  const container = jobContainer(docs, resourceName, 'secret-bootstrap');
  const res = spawnSync('/bin/sh', ['-c', container.command[2]], {
    encoding: 'utf-8',
    env: { PATH: `${dir}:${process.env.PATH}`, SHIM_DIR: dir, HOME: dir, ...env },
  });
  const callsFile = path.join(dir, 'calls');
  const calls = fs.existsSync(callsFile) ? fs.readFileSync(callsFile, 'utf-8').trim().split('\n') : [];
  return { ...res, calls };
}

/** The Secret keys the last `kubectl patch` wrote, decoded. */
function patchedData(dir: string): Record<string, string> {
  const patch = JSON.parse(fs.readFileSync(path.join(dir, 'patch'), 'utf-8'));
  return Object.fromEntries(Object.entries(patch.data).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString('utf-8')]));
}

describe('DatabaseInitJob against a real PostgreSQL 15', () => {
  const pg = usePostgres();
  const synth = synthesize();
  const pw = { shop: 'ShopPassw0rdFirstRun1234567890ab', example: 'ExamplePassw0rdFirstRun123456789', other: 'SecondRunPassw0rdMustBeIgnored12' };

  /** Runs the `db-init` script exactly as synthesized, with cluster DNS replaced by the harness address. */
  function runInit(resourceName: string, secretName: string, appPassword: string) {
    const container = jobContainer(synth.docs, resourceName, 'db-init');
    expect(container.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    const env = resolveEnv(container, {
      [SUPERUSER_SECRET]: { POSTGRES_PASSWORD: pg.superuserPassword },
      [secretName]: { ...manifestData(synth.docs, secretName), DB_PASSWORD: appPassword },
    }, { PGHOST: pg.host, PGPORT: String(pg.port) });
    return pg.shell(container.command[2], env);
  }

  function runAll(passwords: { shop: string; example: string }) {
    const shop = runInit('shop', 'shop-db-secret', passwords.shop);
    expect(shop.stderr).toBe('');
    expect(shop.status).toBe(0);
    const example = runInit('example-app', 'example-app-db-secret', passwords.example);
    expect(example.stderr).toBe('');
    expect(example.status).toBe(0);
    return { shop, example };
  }

  test('the synthesized manifests are valid Kubernetes 1.28 and hold no password', () => {
    expectK8sValid(synth.chart);
    expectNoSecrets([{ label: 'shared.k8s.yaml', text: synth.yaml }], [pw.shop, pw.example, pw.other]);
  });

  test('first run creates roles, databases and schemas; the app connects with its password', () => {
    if (!pg.available) return;
    const first = runAll(pw);
    expect(first.shop.stdout).toMatch(/db-init: done/);
    const who = pg.psql('SELECT current_user, current_database()', { user: SHOP.username, password: pw.shop, database: SHOP.databaseName });
    expect(who.stderr).toBe('');
    expect(who.stdout.trim()).toBe(`${SHOP.username}|${SHOP.databaseName}`);
    const ex = pg.psql('SELECT current_user', { user: 'example_app_user', password: pw.example, database: 'example_app_db' });
    expect(ex.stdout.trim()).toBe('example_app_user');
  });

  test('the app owns its database and schema, and its search_path starts with its schema', () => {
    if (!pg.available) return;
    const owner = pg.psql(`SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${SHOP.databaseName}'`);
    expect(owner.stdout.trim()).toBe(SHOP.username);
    const as = { user: SHOP.username, password: pw.shop, database: SHOP.databaseName };
    expect(pg.psql('SHOW search_path', as).stdout.trim()).toBe('"order", public');
    expect(pg.psql("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'order'", as).stdout.trim()).toBe(SHOP.username);
    const created = pg.psql('CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, \'kept\')', as);
    expect(created.stderr).toBe('');
    expect(pg.psql("SELECT schemaname FROM pg_tables WHERE tablename = 'items'", as).stdout.trim()).toBe('order');
  });

  test('an app cannot connect to another app\'s database, nor can PUBLIC', () => {
    if (!pg.available) return;
    const cross = pg.psql('SELECT 1', { user: 'example_app_user', password: pw.example, database: SHOP.databaseName });
    expect(cross.status).not.toBe(0);
    expect(cross.stderr).toMatch(/permission denied for database "Shop_Data"/);
    expect(cross.stderr).toMatch(/does not have CONNECT privilege/);
    const back = pg.psql('SELECT 1', { user: SHOP.username, password: pw.shop, database: 'example_app_db' });
    expect(back.stderr).toMatch(/permission denied for database "example_app_db"/);
    const acl = pg.psql(`SELECT datacl::text FROM pg_database WHERE datname = '${SHOP.databaseName}'`).stdout.trim();
    expect(acl).not.toMatch(/(^|[{,])=[A-Za-z]*c/); // no CONNECT for PUBLIC
    expect(acl).toMatch(/[{,]Shop_User=[A-Za-z]*c[A-Za-z]*\/Shop_User[,}]/); // the owner keeps CONNECT
  });

  test('the connection limit is set', () => {
    if (!pg.available) return;
    expect(pg.psql("SELECT rolconnlimit FROM pg_roles WHERE rolname = 'example_app_user'").stdout.trim()).toBe('5');
    expect(pg.psql("SELECT rolconnlimit FROM pg_roles WHERE rolname = 'Shop_User'").stdout.trim()).toBe('-1');
  });

  test('a second run with a different DB_PASSWORD (the Secret is the source of truth) sets the role\'s password to it and keeps the data', () => {
    if (!pg.available) return;
    const hashBefore = pg.psql("SELECT rolpassword FROM pg_authid WHERE rolname = 'Shop_User'").stdout.trim();
    const second = runAll({ shop: pw.other, example: pw.other });
    expect(second.shop.stdout).toMatch(/the password in the Secret does not log in as Shop_User .*; setting it/);
    expect(second.shop.stdout).toMatch(/db-init: done/);
    expect(pg.psql("SELECT rolpassword FROM pg_authid WHERE rolname = 'Shop_User'").stdout.trim()).not.toBe(hashBefore);
    const as = { user: SHOP.username, password: pw.other, database: SHOP.databaseName };
    expect(pg.psql('SELECT name FROM items WHERE id = 1', as).stdout.trim()).toBe('kept');
    const old = pg.psql('SELECT 1', { ...as, password: pw.shop });
    expect(old.status).not.toBe(0);
    expect(old.stderr).toMatch(/password authentication failed for user "Shop_User"/);
    expect(pg.psql('SELECT 1', { user: 'example_app_user', password: pw.other, database: 'example_app_db' }).stdout.trim()).toBe('1');
    expect(pg.psql('SHOW search_path', as).stdout.trim()).toBe('"order", public');
    // A third run with the same Secret finds the password in place and rewrites nothing.
    const third = runAll({ shop: pw.other, example: pw.other });
    expect(third.shop.stdout).toMatch(/Shop_User logs in with the password in the Secret/);
    expect(third.shop.stdout).not.toMatch(/setting it/);
  });

  test('the script fails clearly when the app password is missing', () => {
    if (!pg.available) return;
    const res = runInit('shop', 'shop-db-secret', '');
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/DB_PASSWORD must hold the app password/);
  });

  test('the password generated by secret-bootstrap is the one db-init sets, and DATABASE_URL connects', () => {
    if (!pg.available) return;
    const dir = makeKubectlShim();
    try {
      // secret-bootstrap fills the Secret ...
      const boot = runBootstrap(synth.docs, 'billing', dir);
      expect(boot.status).toBe(0);
      const data = patchedData(dir);
      // ... the kubelet hands DB_PASSWORD to db-init ...
      const init = runInit('billing', 'billing-db-secret', data.DB_PASSWORD);
      expect(init.stderr).toBe('');
      expect(init.status).toBe(0);
      // ... and the app connects with DATABASE_URL (cluster DNS name swapped for the test server).
      const url = data.DATABASE_URL.replace('postgres-service.stage.svc.cluster.local:5432', `${pg.host}:${pg.port}`);
      expect(url).toMatch(/^postgresql:\/\/billing_user:[A-Za-z0-9]{32}@[^/]+\/billing_db\?sslmode=disable&connect_timeout=10$/);
      const res = pg.shell('psql "$APP_URL" -X -A -t -c "SELECT current_user || \'@\' || current_database()"', { APP_URL: url, PGPASSWORD: '' });
      expect(res.stderr).toBe('');
      expect(res.stdout.trim()).toBe('billing_user@billing_db');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a password put into the Secret beforehand, full of URL-special characters, gets a DATABASE_URL that psql and node-postgres log in with', async () => {
    if (!pg.available) return;
    const dir = makeKubectlShim();
    try {
      // GIVEN an app on the test server, whose user pre-set DB_PASSWORD in the app Secret before the init Job ran
      const chart = new Chart(new App(), 'preset', { namespace: 'stage' });
      const secret = new AppDatabaseSecret(chart, 'Secret', { names: AppDatabaseNames.of('preset_app'), host: pg.host, port: pg.port, sslMode: SslMode.DISABLE });
      new DatabaseInitJob(chart, 'Init', { secret, superuserSecretName: SUPERUSER_SECRET });
      const docs = Testing.synth(chart);
      const preset = "Pre:set/p@ss?w#rd%20&x=1+ü~!*()' \"\\;end";
      fs.writeFileSync(path.join(dir, 'pw'), Buffer.from(preset).toString('base64'));
      // WHEN secret-bootstrap completes the Secret and db-init creates the role with that password
      const boot = runBootstrap(docs, 'preset-app', dir);
      expect(boot.stderr).toBe('');
      expect(boot.status).toBe(0);
      const url = patchedData(dir).DATABASE_URL;
      expect(url).toContain(`:${encodeURIComponent(preset)}@`);
      const initContainer = jobContainer(docs, 'preset-app', 'db-init');
      const init = pg.shell(initContainer.command[2], resolveEnv(initContainer, {
        [SUPERUSER_SECRET]: { POSTGRES_PASSWORD: pg.superuserPassword }, 'preset-app-db-secret': { ...manifestData(docs, 'preset-app-db-secret'), DB_PASSWORD: preset },
      }, {}));
      expect(init.stderr).toBe('');
      expect(init.status).toBe(0);
      // THEN both clients log in as the app with the URL alone
      const viaPsql = pg.shell('psql "$APP_URL" -X -A -t -c "SELECT current_user || \'@\' || current_database()"', { APP_URL: url, PGPASSWORD: '' });
      expect(viaPsql.stderr).toBe('');
      expect(viaPsql.stdout.trim()).toBe('preset_app_user@preset_app_db');
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        expect((await client.query('SELECT current_user AS u')).rows[0]).toEqual({ u: 'preset_app_user' });
      } finally {
        await client.end();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('quoteIdent agrees with PostgreSQL quote_ident()', () => {
    if (!pg.available) return;
    const names = ['user', 'order', 'Shop_Data', 'example_app_db', 'select', 'table', 'analyze', 'name', 'text', 'data', 'between',
      'int', 'left', 'authorization', 'role', 'schema', 'value', 'cross', '_x1', 'a$b', 'A', 'xmltable', 'current_user'];
    const sql = `SELECT string_agg(quote_ident(n), ' ' ORDER BY i) FROM unnest(ARRAY[${names.map((n) => PostgresNames.quoteLiteral(n)).join(',')}]) WITH ORDINALITY AS t(n, i)`;
    const res = pg.psql(sql);
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe(names.map((n) => PostgresNames.quoteIdent(n)).join(' '));
  });
});

describe('secret-bootstrap script with a recording kubectl', () => {
  const synth = synthesize();
  let dir: string;
  beforeEach(() => {
    dir = makeKubectlShim();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('patches a generated password and URL, guarded by resourceVersion, when DB_PASSWORD is missing', () => {
    const res = runBootstrap(synth.docs, 'shop', dir);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.calls).toHaveLength(2);
    expect(res.calls[0]).toMatch(/^get secret shop-db-secret --namespace=stage -o jsonpath=/);
    expect(res.calls[1]).toMatch(/^patch secret shop-db-secret --namespace=stage --type=merge -p /);
    const patch = JSON.parse(fs.readFileSync(path.join(dir, 'patch'), 'utf-8'));
    expect(patch.metadata).toEqual({ resourceVersion: '4711' });
    expect(Object.keys(patch.data).sort()).toEqual(['DATABASE_URL', 'DB_PASSWORD']);
    const data = patchedData(dir);
    expect(data.DB_PASSWORD).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(data.DATABASE_URL).toBe(`postgresql://Shop_User:${data.DB_PASSWORD}@postgres-service.stage.svc.cluster.local:5432/Shop_Data?sslmode=disable&connect_timeout=10`);
    expect(res.stdout).not.toContain(data.DB_PASSWORD);
  });

  test('generates a different password on each fresh Secret', () => {
    runBootstrap(synth.docs, 'shop', dir);
    const first = patchedData(dir).DB_PASSWORD;
    fs.rmSync(path.join(dir, 'patch'));
    runBootstrap(synth.docs, 'shop', dir);
    expect(patchedData(dir).DB_PASSWORD).not.toBe(first);
  });

  test('does not patch when DB_PASSWORD and DATABASE_URL are already present and current', () => {
    const b64 = (t: string) => Buffer.from(t).toString('base64');
    fs.writeFileSync(path.join(dir, 'pw'), b64('ExistingPassword'));
    fs.writeFileSync(path.join(dir, 'url'), b64('postgresql://Shop_User:ExistingPassword@postgres-service.stage.svc.cluster.local:5432/Shop_Data?sslmode=disable&connect_timeout=10'));
    const res = runBootstrap(synth.docs, 'shop', dir);
    expect(res.status).toBe(0);
    expect(res.calls).toHaveLength(1);
    expect(res.calls[0]).toMatch(/^get secret/);
    expect(fs.existsSync(path.join(dir, 'patch'))).toBe(false);
    expect(res.stdout).toMatch(/already has DB_PASSWORD; leaving it unchanged/);
  });

  test('keeps an existing password but rewrites a DATABASE_URL that no longer matches the settings', () => {
    const b64 = (t: string) => Buffer.from(t).toString('base64');
    fs.writeFileSync(path.join(dir, 'pw'), b64('ExistingPassword'));
    fs.writeFileSync(path.join(dir, 'url'), b64('postgresql://Shop_User:ExistingPassword@old-host:5432/Shop_Data?sslmode=require'));
    const res = runBootstrap(synth.docs, 'shop', dir);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.calls).toHaveLength(2);
    const patch = JSON.parse(fs.readFileSync(path.join(dir, 'patch'), 'utf-8'));
    expect(patch.metadata).toEqual({ resourceVersion: '4711' });
    expect(Object.keys(patch.data)).toEqual(['DATABASE_URL']);
    expect(patchedData(dir).DATABASE_URL).toBe('postgresql://Shop_User:ExistingPassword@postgres-service.stage.svc.cluster.local:5432/Shop_Data?sslmode=disable&connect_timeout=10');
  });

  test('writes DATABASE_URL with a pre-set password percent-encoded, as encodeURIComponent does', () => {
    const preset = "p@ss/wörd %+&?#:;=!~*()' x\"\\";
    fs.writeFileSync(path.join(dir, 'pw'), Buffer.from(preset).toString('base64'));
    const res = runBootstrap(synth.docs, 'shop', dir);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.calls).toHaveLength(2);
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'patch'), 'utf-8')).data)).toEqual(['DATABASE_URL']);
    expect(patchedData(dir).DATABASE_URL).toBe(
      `postgresql://Shop_User:${encodeURIComponent(preset)}@postgres-service.stage.svc.cluster.local:5432/Shop_Data?sslmode=disable&connect_timeout=10`);
  });

  test('without urlKey (e.g. a superuser Secret) patches only the password key', () => {
    const script = secretBootstrapScript({ secretName: 'postgres-superuser', passwordKey: 'POSTGRES_PASSWORD' });
    const res = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf-8', env: { PATH: `${dir}:${process.env.PATH}`, SHIM_DIR: dir, POD_NAMESPACE: 'stage' } });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const patch = JSON.parse(fs.readFileSync(path.join(dir, 'patch'), 'utf-8'));
    expect(Object.keys(patch.data)).toEqual(['POSTGRES_PASSWORD']);
    expect(patchedData(dir).POSTGRES_PASSWORD).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  test('fails without POD_NAMESPACE and calls nothing', () => {
    const res = runBootstrap(synth.docs, 'shop', dir, {});
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/POD_NAMESPACE must name the namespace/);
    expect(res.calls).toEqual([]);
  });
});

describe('DATABASE_URL of an app on an IPv6 host, against a real PostgreSQL 15 listening on ::1', () => {
  const pg = usePostgres({ settings: { listen_addresses: '127.0.0.1,::1' } });

  test('secret-bootstrap writes a bracketed URL that psql and node-postgres connect with, after db-init created the role', async () => {
    if (!pg.available) return;
    // GIVEN an app whose server is reached by its IPv6 address
    const chart = new Chart(new App(), 'ipv6', { namespace: 'stage' });
    const secret = new AppDatabaseSecret(chart, 'Secret', { names: AppDatabaseNames.of('ipv6_app'), host: '::1', port: pg.port, sslMode: SslMode.DISABLE });
    new DatabaseInitJob(chart, 'Init', { secret, superuserSecretName: SUPERUSER_SECRET });
    const docs = Testing.synth(chart);
    expect(docs.find((d: any) => d.kind === 'Secret').stringData.DB_HOST).toBe('::1');
    const dir = makeKubectlShim();
    try {
      // WHEN the bootstrap fills the Secret and db-init runs exactly as synthesized (PGHOST is ::1)
      const boot = runBootstrap(docs, 'ipv6-app', dir);
      expect(boot.stderr).toBe('');
      const data = patchedData(dir);
      const init = jobContainer(docs, 'ipv6-app', 'db-init');
      const env = resolveEnv(init, { [SUPERUSER_SECRET]: { POSTGRES_PASSWORD: pg.superuserPassword }, 'ipv6-app-db-secret': { ...manifestData(docs, 'ipv6-app-db-secret'), ...data } }, {});
      expect(env.PGHOST).toBe('::1');
      const res = pg.shell(init.command[2], env);
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);

      // THEN the URL has the host in brackets, and both clients connect with it as the app
      expect(data.DATABASE_URL).toBe(`postgresql://ipv6_app_user:${data.DB_PASSWORD}@[::1]:${pg.port}/ipv6_app_db?sslmode=disable&connect_timeout=10`);
      const viaPsql = pg.shell('psql "$APP_URL" -X -A -t -c "SELECT current_user || \'@\' || current_database() || \' \' || host(inet_server_addr())"', { APP_URL: data.DATABASE_URL, PGPASSWORD: '' });
      expect(viaPsql.stderr).toBe('');
      expect(viaPsql.stdout.trim()).toBe('ipv6_app_user@ipv6_app_db ::1');
      const client = new Client({ connectionString: data.DATABASE_URL });
      await client.connect();
      try {
        const row = (await client.query('SELECT current_user AS u, host(inet_server_addr()) AS addr')).rows[0];
        expect(row).toEqual({ u: 'ipv6_app_user', addr: '::1' });
      } finally {
        await client.end();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
