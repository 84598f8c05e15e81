import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart, Duration } from 'cdk8s';
import { Client } from 'pg';
import * as YAML from 'yaml';
import { SharedPostgres, SharedPostgresAppOptions } from '../../src/k8s';
import { expectK8sValid, expectNoSecrets, SecretKubectl, makeSecretKubectl, toolOrSkip, usePostgres } from '../harness';

/*
 * The credentials of SharedPostgres apps on a real PostgreSQL 15, with the exact scripts of the
 * synthesized manifests: the app Job's `secret-bootstrap` container, the server init Job's `db-init`
 * container (which provisions every app of its chart in one session), and the three
 * containers of the rotation CronJob's pod (`prepare`, `database`, `update-secret`), in the order
 * the kubelet runs them. A fake kubectl holds the app's Secret as the API server stores it (see
 * test/harness/fake-kubectl-secret.ts); each container's environment is resolved from the Secrets as the
 * kubelet resolves it when the container starts.
 */

const NAMESPACE = 'stage';
const SUPERUSER_SECRET = 'postgres-superuser';
const SERVICE = 'postgres-service.stage.svc.cluster.local:5432';
const ROTATED_AT = 'db.cdk-db-platform.io/rotated-at';

const APPS: [string, SharedPostgresAppOptions][] = [
  ['plain', {}],
  ['shop', { rotation: { interval: Duration.days(1) } }],
  ['capped', { connectionLimit: 1, rotation: { interval: Duration.days(1) } }],
];

function synthesize(apps = APPS) {
  const app = new App();
  const chart = new Chart(app, 'db', { namespace: NAMESPACE });
  const db = new SharedPostgres(chart, 'Db', { namespace: NAMESPACE, backupEnabled: false });
  for (const [name, options] of apps) db.addApp(name, options);
  return { chart, yaml: app.synthYaml(), docs: chart.toJson() };
}

/** The manifests of a server with one of the apps: its server init Job then provisions that app alone. */
const alone = Object.fromEntries(APPS.map(([name, options]) => [name, synthesize([[name, options]]).docs]));

describe('SharedPostgres app credentials against a real PostgreSQL 15', () => {
  const pg = usePostgres();
  const synth = synthesize();
  const fakes: SecretKubectl[] = [];
  const open: Client[] = [];
  const seenPasswords: string[] = [];
  const ready = () => pg.available && toolOrSkip('kubectl');

  afterAll(async () => {
    await Promise.all(open.map((c) => c.end().catch(() => undefined)));
    fakes.forEach((f) => f.remove());
  });

  const secretManifest = (name: string) => synth.docs.find((d: any) => d.kind === 'Secret' && d.metadata.name === name);
  const fakeFor = (secretName: string) => {
    const fake = makeSecretKubectl(secretManifest(secretName));
    fakes.push(fake);
    return fake;
  };

  /** The pod spec of the app's Job or rotation CronJob, or (`server`) of the server init Job of a chart with that app alone. */
  const podSpec = (kind: 'Job' | 'CronJob' | 'server', app: string): any => {
    const doc = kind === 'server'
      ? alone[app].find((d: any) => d.kind === 'Job' && d.metadata.name.startsWith('postgres-apps-init-'))
      : synth.docs.find((d: any) => d.kind === kind && d.metadata.labels['app.kubernetes.io/name'] === app);
    return kind === 'CronJob' ? doc.spec.jobTemplate.spec.template.spec : doc.spec.template.spec;
  };
  const container = (spec: any, name: string): any => [...(spec.initContainers ?? []), ...spec.containers].find((c: any) => c.name === name);

  /** The container's environment as the kubelet fills it from the given Secrets when it starts. */
  const resolveEnv = (c: any, secrets: Record<string, Record<string, string>>, overrides: Record<string, string>): Record<string, string> => {
    const env: Record<string, string> = {};
    for (const e of c.env ?? []) {
      if (e.value !== undefined) {
        env[e.name] = e.value;
      } else if (e.valueFrom?.secretKeyRef) {
        const ref = e.valueFrom.secretKeyRef;
        const value = secrets[ref.name]?.[ref.key];
        if (value === undefined && !ref.optional) throw new Error(`container ${c.name} cannot start: Secret ${ref.name} has no key ${ref.key}`);
        if (value !== undefined) env[e.name] = value;
      } else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') {
        env[e.name] = NAMESPACE;
      } else {
        throw new Error(`unexpected env entry ${JSON.stringify(e)}`);
      }
    }
    return { ...env, ...overrides };
  };

  /** Runs one container's script: kubectl containers with the fake on PATH, psql containers against the test server. */
  const run = (c: any, fake: SecretKubectl, overrides: Record<string, string> = {}) => {
    expect(c.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    const secrets = { [SUPERUSER_SECRET]: { POSTGRES_PASSWORD: pg.superuserPassword }, [fake.secret().metadata.name]: fake.data() };
    const env = resolveEnv(c, secrets, overrides);
    if (c.image.includes('kubectl')) {
      const res = spawnSync('/bin/sh', ['-c', c.command[2]], { encoding: 'utf-8', env: fake.env(env) });
      return { status: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
    }
    return pg.shell(c.command[2], { ...env, PGHOST: pg.host, PGPORT: String(pg.port) });
  };

  /**
   * The app's Job (its only container, secret-bootstrap, fills in the Secret), then the server init
   * Job's db-init (which reads the Secret as the bootstrap left it).
   */
  const runInitJob = (app: string, fake: SecretKubectl) => {
    const spec = podSpec('Job', app);
    expect(spec.containers.map((c: any) => c.name)).toEqual(['secret-bootstrap']);
    const boot = run(container(spec, 'secret-bootstrap'), fake);
    expect(boot.stderr).toBe('');
    expect(boot.status).toBe(0);
    const init = runServerInit(app, fake);
    seenPasswords.push(fake.data().DB_PASSWORD);
    return init;
  };
  const runServerInit = (app: string, fake: SecretKubectl) => run(container(podSpec('server', app), 'db-init'), fake);

  /** The rotation CronJob's pod: prepare, database, update-secret, stopping at the first failure. */
  const runRotation = (fake: SecretKubectl, between: { afterPrepare?: () => void } = {}) => {
    const spec = podSpec('CronJob', 'shop');
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'rotation-'));
    const results: Record<string, { status: number; stdout: string; stderr: string }> = {};
    try {
      for (const name of ['prepare', 'database', 'update-secret']) {
        results[name] = run(container(spec, name), fake, { ROTATION_DIR: dir });
        if (results[name].status !== 0) break;
        if (name === 'prepare') between.afterPrepare?.();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    if (fake.data().DB_PASSWORD) seenPasswords.push(fake.data().DB_PASSWORD);
    return results;
  };

  const connect = async (user: string, password: string, database: string): Promise<Client> => {
    const client = new Client({ host: pg.host, port: pg.port, user, password, database });
    client.on('error', () => undefined);
    await client.connect();
    open.push(client);
    return client;
  };
  const canConnect = async (user: string, password: string, database: string): Promise<boolean> => {
    try {
      const c = await connect(user, password, database);
      await c.end();
      open.splice(open.indexOf(c), 1);
      return true;
    } catch (e) {
      expect(String(e)).toMatch(/password authentication failed/);
      return false;
    }
  };
  const one = async (client: Client, sql: string): Promise<string> => String(Object.values((await client.query(sql)).rows[0] ?? {})[0]);
  /** psql with the app's DATABASE_URL (cluster DNS name swapped for the test server). */
  const viaUrl = (url: string, sql: string) => pg.shell(`psql "$APP_URL" -X -A -t -v ON_ERROR_STOP=1 -c "${sql}"`,
    { APP_URL: url.replace(SERVICE, `${pg.host}:${pg.port}`), PGPASSWORD: '', PGUSER: '' });
  const passwordHash = (role: string) => pg.psql(`SELECT rolpassword FROM pg_authid WHERE rolname = '${role}'`).stdout.trim();

  describe('the init Job follows its app\'s Secret', () => {
    let fake: SecretKubectl;
    let first: string;

    test('first run: the bootstrap generates the password, db-init creates the role with it; a run with the same Secret rewrites nothing', async () => {
      if (!ready()) return;
      fake = fakeFor('plain-db-secret');
      const init = runInitJob('plain', fake);
      expect(init.stderr).toBe('');
      expect(init.status).toBe(0);
      expect(init.stdout).toMatch(/db-init: done/);
      first = fake.data().DB_PASSWORD;
      expect(first).toMatch(/^[A-Za-z0-9]{32}$/);
      const app = await connect('plain_user', first, 'plain_db');
      await app.query("CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'kept'), (2, 'also kept')");

      const hash = passwordHash('plain_user');
      const again = runInitJob('plain', fake);
      expect(again.stderr).toBe('');
      expect(again.status).toBe(0);
      expect(passwordHash('plain_user')).toBe(hash);
    });

    test('after the Secret is deleted and recreated, db-init sets the role\'s password to the new one: the app logs in with it, the old one fails, the rows survive', async () => {
      if (!ready()) return;
      const session = await connect('plain_user', first, 'plain_db');
      // kubectl delete secret plain-db-secret; kubectl apply -f (the manifest has no password); the Job runs again.
      fake.recreate(secretManifest('plain-db-secret'));
      expect(fake.data().DB_PASSWORD).toBeUndefined();
      const init = runInitJob('plain', fake);
      expect(init.stderr).toBe('');
      expect(init.status).toBe(0);
      const fresh = fake.data();
      expect(fresh.DB_PASSWORD).not.toBe(first);

      expect(await canConnect('plain_user', first, 'plain_db')).toBe(false);
      const app = await connect('plain_user', fresh.DB_PASSWORD, 'plain_db');
      expect(await one(app, 'SELECT string_agg(body, \',\' ORDER BY id) FROM notes')).toBe('kept,also kept');
      const url = viaUrl(fresh.DATABASE_URL, "SELECT current_user || '@' || current_database() || ':' || count(*) FROM notes");
      expect(url.stderr).toBe('');
      expect(url.stdout.trim()).toBe('plain_user@plain_db:2');
      // A session opened before keeps working: PostgreSQL checks passwords only at login.
      expect(await one(session, 'SELECT count(*) FROM notes')).toBe('2');
    });

    test('a Secret whose DB_USER names another role fails the Job and changes no password', () => {
      if (!ready()) return;
      const superuserHash = passwordHash('postgres');
      fake.update((s) => {
        s.data.DB_USER = Buffer.from('postgres').toString('base64');
      });
      const init = runServerInit('plain', fake);
      expect(init.status).not.toBe(0);
      expect(init.stderr).toMatch(/app plain: DB_USER in Secret plain-db-secret must name the app's login plain_user \(got postgres\)/);
      expect(passwordHash('postgres')).toBe(superuserHash);
      fake.update((s) => {
        s.data.DB_USER = Buffer.from('plain_user').toString('base64');
      });
    });
  });

  describe('an app at its connection limit', () => {
    test('the clone gets the role\'s limit; a recreated Secret\'s password is set even while the role has no free connection', async () => {
      if (!ready()) return;
      const fake = fakeFor('capped-db-secret');
      const first = runInitJob('capped', fake);
      expect(first.stderr).toBe('');
      expect(first.status).toBe(0);
      // A limit is per login: without its own, the clone would lift the app's.
      expect(pg.psql("SELECT string_agg(rolname || '=' || rolconnlimit, ',' ORDER BY rolname) FROM pg_roles WHERE rolname LIKE 'capped_user%'").stdout.trim())
        .toBe('capped_user=1,capped_user_clone=1');
      const old = fake.data().DB_PASSWORD;
      const busy = await connect('capped_user', old, 'capped_db');

      fake.recreate(secretManifest('capped-db-secret'));
      const init = runInitJob('capped', fake);
      expect(init.stderr).toBe('');
      expect(init.status).toBe(0);
      const fresh = fake.data().DB_PASSWORD;
      expect(fresh).not.toBe(old);
      expect(await one(busy, 'SELECT current_user')).toBe('capped_user');
      await busy.end();
      open.splice(open.indexOf(busy), 1);
      expect(await canConnect('capped_user', old, 'capped_db')).toBe(false);
      expect(await canConnect('capped_user', fresh, 'capped_db')).toBe(true);
    });
  });

  describe('the rotation CronJob alternates the app\'s logins', () => {
    let fake: SecretKubectl;
    let pw0: string;
    let pw1: string;
    let before: Client;
    let cloneSession: Client;

    test('the init Job of a rotating app fills in DB_USER, creates the clone without a password, and sets the search path on the database', async () => {
      if (!ready()) return;
      fake = fakeFor('shop-db-secret');
      expect(fake.data().DB_USER).toBeUndefined(); // not in the manifest: it alternates
      const init = runInitJob('shop', fake);
      expect(init.stderr).toBe('');
      expect(init.status).toBe(0);
      const data = fake.data();
      expect(data.DB_USER).toBe('shop_user');
      expect(data.DATABASE_URL).toBe(`postgresql://shop_user:${data.DB_PASSWORD}@${SERVICE}/shop_db?sslmode=require&connect_timeout=10`);
      pw0 = data.DB_PASSWORD;
      expect(pg.psql("SELECT rolcanlogin, rolpassword IS NULL FROM pg_authid WHERE rolname = 'shop_user_clone'").stdout.trim()).toBe('t|t');
      expect(pg.psql("SELECT setconfig::text FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = 'shop_db' AND s.setrole = 0").stdout.trim())
        .toBe('{"search_path=shop, public"}');
      before = await connect('shop_user', pw0, 'shop_db');
      await before.query("CREATE TABLE orders (id int PRIMARY KEY, note text); INSERT INTO orders VALUES (1, 'before')");
    });

    test('a rotation moves the Secret to the clone with a new password; the old session and the previous credentials keep working', async () => {
      if (!ready()) return;
      const rotation = runRotation(fake);
      for (const step of ['prepare', 'database', 'update-secret']) {
        expect([step, rotation[step].stderr, rotation[step].status]).toEqual([step, '', 0]);
      }
      expect(rotation.prepare.stdout).toMatch(/no rotation time yet; rotating now/);
      expect(rotation.database.stdout).toMatch(/shop_user_clone logs in with its new password and acts as shop_user/);
      const secret = fake.secret();
      const data = fake.data();
      expect(data.DB_USER).toBe('shop_user_clone');
      pw1 = data.DB_PASSWORD;
      expect(pw1).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(pw1).not.toBe(pw0);
      expect(data.DATABASE_URL).toBe(`postgresql://shop_user_clone:${pw1}@${SERVICE}/shop_db?sslmode=require&connect_timeout=10`);
      expect(Math.abs(Number(secret.metadata.annotations[ROTATED_AT]) - Date.now() / 1000)).toBeLessThan(60);

      // The session opened before the rotation, and new sessions with the previous credentials.
      expect(await one(before, 'SELECT count(*) FROM orders')).toBe('1');
      expect(await canConnect('shop_user', pw0, 'shop_db')).toBe(true);
      // The new credentials connect, through DATABASE_URL too.
      const url = viaUrl(data.DATABASE_URL, "SELECT session_user || ' as ' || current_user");
      expect(url.stderr).toBe('');
      expect(url.stdout.trim()).toBe('shop_user_clone as shop_user');
    });

    test('the clone reads and writes the app\'s tables through unqualified names, and what it creates the user can use', async () => {
      if (!ready()) return;
      cloneSession = await connect('shop_user_clone', pw1, 'shop_db');
      await cloneSession.query("INSERT INTO orders VALUES (2, 'by clone')");
      expect(await one(cloneSession, 'SELECT string_agg(note, \',\' ORDER BY id) FROM orders')).toBe('before,by clone');
      expect(await one(cloneSession, 'SELECT current_user')).toBe('shop_user');
      await cloneSession.query('CREATE TABLE made_by_clone (id int)');
      expect(await one(cloneSession, "SELECT n.nspname || '.' || pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE relname = 'made_by_clone'"))
        .toBe('shop.shop_user');
      await before.query('INSERT INTO made_by_clone VALUES (1)');
      const previous = await connect('shop_user', pw0, 'shop_db');
      await previous.query('INSERT INTO made_by_clone VALUES (2)');
      expect(await one(previous, 'SELECT count(*) FROM made_by_clone')).toBe('2');
    });

    test('a run before the interval has passed changes nothing', () => {
      if (!ready()) return;
      const rvBefore = fake.secret().metadata.resourceVersion;
      const callsBefore = fake.calls().length;
      const rotation = runRotation(fake);
      expect(rotation.prepare.stdout).toMatch(/rotated 0 h ago; the next rotation is due 2[34] h from now/);
      expect(rotation.database.status).toBe(0);
      expect(rotation['update-secret'].status).toBe(0);
      expect(fake.secret().metadata.resourceVersion).toBe(rvBefore);
      expect(fake.calls().slice(callsBefore)).toEqual([expect.stringMatching(/^get secret shop-db-secret --namespace=stage -o jsonpath=/)]);
      expect(fake.data().DB_PASSWORD).toBe(pw1);
    });

    test('the next rotation moves back to the user with a new password: the clone keeps working, the password from two rotations ago stops', async () => {
      if (!ready()) return;
      // A day (less the hour of slack) has passed since the last rotation.
      fake.update((s) => {
        s.metadata.annotations[ROTATED_AT] = String(Math.floor(Date.now() / 1000) - 86400 + 3600);
      });
      const rotation = runRotation(fake);
      expect(rotation['update-secret'].status).toBe(0);
      const data = fake.data();
      expect(data.DB_USER).toBe('shop_user');
      const pw2 = data.DB_PASSWORD;
      expect([pw0, pw1]).not.toContain(pw2);
      expect(await one(cloneSession, 'SELECT count(*) FROM made_by_clone')).toBe('2');
      expect(await one(before, 'SELECT count(*) FROM orders')).toBe('2');
      expect(await canConnect('shop_user_clone', pw1, 'shop_db')).toBe(true);
      expect(await canConnect('shop_user', pw2, 'shop_db')).toBe(true);
      expect(await canConnect('shop_user', pw0, 'shop_db')).toBe(false);
    });

    test('a Secret changed during a rotation is not overwritten (the patch carries its resourceVersion); the next run rotates', async () => {
      if (!ready()) return;
      fake.update((s) => {
        delete s.metadata.annotations[ROTATED_AT];
      });
      const login = fake.data().DB_USER;
      const rotation = runRotation(fake, {
        afterPrepare: () => fake.update((s) => {
          s.metadata.labels = { ...s.metadata.labels, touched: 'yes' };
        }),
      });
      expect(rotation.database.status).toBe(0);
      expect(rotation['update-secret'].status).not.toBe(0);
      expect(rotation['update-secret'].stderr).toMatch(/Conflict/);
      expect(fake.data().DB_USER).toBe(login);
      expect(await canConnect(login, fake.data().DB_PASSWORD, 'shop_db')).toBe(true);

      const retry = runRotation(fake);
      expect(retry['update-secret'].status).toBe(0);
      const data = fake.data();
      expect(data.DB_USER).not.toBe(login);
      expect(await canConnect(data.DB_USER, data.DB_PASSWORD, 'shop_db')).toBe(true);
    });

    test('after a rotation, a recreated Secret gets the app\'s user back with a new password, which the init Job sets', async () => {
      if (!ready()) return;
      fake.recreate(secretManifest('shop-db-secret'));
      const init = runInitJob('shop', fake);
      expect(init.stderr).toBe('');
      expect(init.status).toBe(0);
      const data = fake.data();
      expect(data.DB_USER).toBe('shop_user');
      expect(await canConnect('shop_user', data.DB_PASSWORD, 'shop_db')).toBe(true);
      expect(await one(before, 'SELECT count(*) FROM orders')).toBe('2');
    });

    test('a Secret without a password yet is not rotated', () => {
      if (!ready()) return;
      fake.recreate(secretManifest('shop-db-secret'));
      const rotation = runRotation(fake);
      expect(rotation.prepare.stdout).toMatch(/has no DB_PASSWORD yet/);
      expect(rotation['update-secret'].status).toBe(0);
      expect(fake.data().DB_PASSWORD).toBeUndefined();
    });
  });

  test('the synthesized manifests are valid Kubernetes 1.28 and hold none of the passwords', () => {
    // Runs last: every password the scripts generated above is looked for.
    if (ready()) expect(seenPasswords.length).toBeGreaterThanOrEqual(8);
    expectK8sValid(synth.chart);
    expectNoSecrets([{ label: 'db.k8s.yaml', text: synth.yaml }, { label: 'again.k8s.yaml', text: YAML.stringify(synthesize().docs) }], seenPasswords);
  });
});
