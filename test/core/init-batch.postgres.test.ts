import { AppDatabaseNames } from '../../src/core/app-database-names';
import { InitSql } from '../../src/core/init-sql';
import { BatchInitApp, batchInitScript } from '../../src/core/private/init-batch';
import { usePostgres } from '../harness';

/*
 * The server init script (every app of a server in one session) against a real PostgreSQL 15:
 * it leaves the catalog exactly as the one-app init script (DatabaseInitJob) does, a re-run writes
 * nothing, and its password records never let a wrong password through.
 */

interface AppCase {
  readonly app: string;
  readonly options?: { databaseName?: string; username?: string; schemaName?: string };
  readonly connectionLimit?: number;
  readonly alternatingUsers?: boolean;
}

const CASES: AppCase[] = [
  { app: 'plain' },
  { app: 'capped', connectionLimit: 3 },
  { app: 'rotating', alternatingUsers: true, connectionLimit: 2 },
  { app: 'custom', options: { databaseName: 'custom_store', username: 'custom_login', schemaName: 'shop' } },
];

const names = (prefix: string, c: AppCase) => AppDatabaseNames.of(`${prefix}_${c.app}`, c.options && {
  databaseName: c.options.databaseName && `${prefix}_${c.options.databaseName}`,
  username: c.options.username && `${prefix}_${c.options.username}`,
  schemaName: c.options.schemaName,
});

const batchApps = (prefix: string, cases: AppCase[] = CASES): BatchInitApp[] => cases.map((c, i) => ({
  names: names(prefix, c),
  secretName: `${prefix}-${c.app}-db-secret`,
  passwordEnv: `APP_${i}_DB_PASSWORD`,
  userEnv: `APP_${i}_DB_USER`,
  connectionLimit: c.connectionLimit,
  alternatingUsers: c.alternatingUsers,
}));

const password = (prefix: string, c: AppCase, round = 0) => `pw-${prefix}-${c.app}-${round}-0123456789abcdef`;

describe('the server init script against a real PostgreSQL 15', () => {
  const pg = usePostgres();
  const base = () => ({ PGHOST: pg.host, PGPORT: String(pg.port), PGUSER: pg.superuser, PGPASSWORD: pg.superuserPassword, PGSSLMODE: 'require' });

  /** Runs the server init script for `apps` with the given environment (each app's password and login). */
  const runBatch = (apps: BatchInitApp[], env: Record<string, string>) =>
    pg.shell(batchInitScript(apps, { maintenanceDatabase: 'postgres', waitTimeoutSeconds: 30, sessions: 2 }), { ...base(), ...env });
  const envOf = (prefix: string, round = 0, cases: AppCase[] = CASES) =>
    Object.fromEntries(cases.map((c, i) => [`APP_${i}_DB_PASSWORD`, password(prefix, c, round)]));
  const q = (sql: string, database = 'postgres') => {
    const r = pg.psql(sql, { database });
    expect(r.stderr).toBe('');
    return r.stdout.trim();
  };
  const canLogin = (user: string, pw: string, database: string) => pg.psql('SELECT 1', { user, password: pw, database }).status === 0;

  /** What the init leaves in the catalog for the apps of `prefix`, with the prefix taken out of every name. */
  const catalog = (prefix: string): string => {
    const like = `'${prefix}\\_%'`;
    const rows = [
      q(`SELECT string_agg(format('%s login=%s limit=%s password=%s', rolname, rolcanlogin, rolconnlimit, rolpassword IS NOT NULL), E'\\n' ORDER BY rolname)
         FROM pg_authid WHERE rolname LIKE ${like}`),
      q(`SELECT string_agg(format('%s member of %s', m.rolname, r.rolname), E'\\n' ORDER BY m.rolname)
         FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member JOIN pg_roles r ON r.oid = a.roleid WHERE m.rolname LIKE ${like}`),
      q(`SELECT string_agg(format('%s owner=%s acl=%s', datname, pg_get_userbyid(datdba),
           (SELECT string_agg(g, ',' ORDER BY g) FROM (SELECT format('%s:%s', CASE x.grantee WHEN 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee) END, x.privilege_type) AS g
              FROM aclexplode(coalesce(datacl, acldefault('d', datdba))) x) acl)), E'\\n' ORDER BY datname)
         FROM pg_database WHERE datname LIKE ${like}`),
      q(`SELECT string_agg(format('%s in %s: %s', coalesce(pg_get_userbyid(NULLIF(setrole, 0)), '*'), coalesce(d.datname, '*'), setconfig), E'\\n' ORDER BY 1)
         FROM pg_db_role_setting s LEFT JOIN pg_database d ON d.oid = s.setdatabase
         WHERE d.datname LIKE ${like} OR pg_get_userbyid(NULLIF(setrole, 0)) LIKE ${like}`),
      ...CASES.map((c) => {
        const n = names(prefix, c);
        return q(`SELECT string_agg(format('%s.%s owner=%s', current_database(), nspname, pg_get_userbyid(nspowner)), ',') FROM pg_namespace WHERE nspname = '${n.schemaName}'`, n.databaseName);
      }),
    ];
    return rows.join('\n').split(`${prefix}_`).join('X_').split('\n').sort().join('\n');
  };

  test('leaves the catalog as the one-app init script does, and the Secret\'s password logs in', () => {
    if (!pg.available) return;
    // The one-app script (DatabaseInitJob's db-init) for the "one_" apps, one after the other.
    for (const c of CASES) {
      const script = InitSql.script({ names: names('one', c), connectionLimit: c.connectionLimit, alternatingUsers: c.alternatingUsers });
      const r = pg.shell(script, { ...base(), DB_PASSWORD: password('one', c) });
      expect([c.app, r.stderr, r.status]).toEqual([c.app, '', 0]);
    }
    const r = runBatch(batchApps('bat'), envOf('bat'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/db-init: 4 app\(s\)/);

    const one = catalog('one');
    expect(catalog('bat')).toBe(one);
    // What the comparison covered, so that an empty catalog cannot pass.
    expect(one.split('\n')).toEqual(expect.arrayContaining([
      'X_capped_user login=t limit=3 password=t',
      'X_rotating_user_clone login=t limit=2 password=f',
      'X_rotating_user_clone member of X_rotating_user',
      'X_rotating_user_clone in *: {role=X_rotating_user}',
      'X_custom_store owner=X_custom_login acl=PUBLIC:TEMPORARY,X_custom_login:CONNECT,X_custom_login:CREATE,X_custom_login:TEMPORARY',
      'X_custom_login in X_custom_store: {"search_path=shop, public"}',
      '* in X_rotating_db: {"search_path=X_rotating, public"}',
      'X_custom_store.shop owner=X_custom_login',
    ]));
    expect(one.split('\n')).toHaveLength(19);
    for (const [i, c] of CASES.entries()) {
      const n = names('bat', c);
      expect([c.app, canLogin(n.username, password('bat', c), n.databaseName)]).toEqual([c.app, true]);
      expect([c.app, canLogin(n.username, password('bat', CASES[(i + 1) % CASES.length]), n.databaseName)]).toEqual([c.app, false]);
    }
  });

  test('a re-run with the same Secrets writes nothing to the catalog', () => {
    if (!pg.available) return;
    const rows = () => q(`SELECT string_agg(x, ',' ORDER BY x) FROM (
      SELECT 'authid:' || rolname || ':' || xmin AS x FROM pg_authid WHERE rolname LIKE 'bat\\_%'
      UNION ALL SELECT 'database:' || datname || ':' || xmin FROM pg_database WHERE datname LIKE 'bat\\_%'
      UNION ALL SELECT 'setting:' || setdatabase || ':' || setrole || ':' || xmin FROM pg_db_role_setting
      UNION ALL SELECT 'record:' || login || ':' || xmin FROM db_init.app_login
      UNION ALL SELECT 'schema-record:' || database || ':' || xmin FROM db_init.app_schema) t`);
    const before = rows();
    expect(before).toMatch(/authid:bat_plain_user:\d+/);
    const r = runBatch(batchApps('bat'), envOf('bat'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(rows()).toBe(before);
  });

  test('a new password in a Secret, or a password changed by hand, is set; the other apps\' passwords stay', () => {
    if (!pg.available) return;
    const plain = names('bat', CASES[0]);
    const capped = names('bat', CASES[1]);
    const cappedHash = q(`SELECT rolpassword FROM pg_authid WHERE rolname = '${capped.username}'`);
    // The plain app's Secret was recreated with a new password; the capped app's password was changed by hand.
    q(`ALTER ROLE ${capped.username} PASSWORD 'set-by-hand-0123456789'`);
    const env = { ...envOf('bat'), APP_0_DB_PASSWORD: password('bat', CASES[0], 1) };
    const r = runBatch(batchApps('bat'), env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(canLogin(plain.username, password('bat', CASES[0], 1), plain.databaseName)).toBe(true);
    expect(canLogin(plain.username, password('bat', CASES[0], 0), plain.databaseName)).toBe(false);
    expect(canLogin(capped.username, password('bat', CASES[1]), capped.databaseName)).toBe(true);
    expect(canLogin(capped.username, 'set-by-hand-0123456789', capped.databaseName)).toBe(false);
    expect(q(`SELECT rolpassword FROM pg_authid WHERE rolname = '${capped.username}'`)).not.toBe(cappedHash);
  });

  test('with its records lost, or a database re-created without its schema, a run sets and makes them again', () => {
    if (!pg.available) return;
    const custom = names('bat', CASES[3]);
    q('SET client_min_messages TO warning; DROP SCHEMA db_init CASCADE');
    q(`DROP DATABASE ${custom.databaseName}`);
    q(`CREATE DATABASE ${custom.databaseName} OWNER ${custom.username}`);
    const r = runBatch(batchApps('bat'), envOf('bat'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(q(`SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = '${custom.schemaName}'`, custom.databaseName)).toBe(custom.username);
    // One record per app: the login its Secret names (the rotating app's clone has no password yet).
    expect(q('SELECT count(*) FROM db_init.app_login')).toBe('4');
    expect(canLogin(custom.username, password('bat', CASES[3]), custom.databaseName)).toBe(true);
  });

  test('an app without a password yet, or whose Secret names another login, is skipped; the others are provisioned and the run fails', () => {
    if (!pg.available) return;
    const cases: AppCase[] = [{ app: 'early' }, { app: 'tampered' }, { app: 'fine' }];
    const superuserHash = q(`SELECT rolpassword FROM pg_authid WHERE rolname = '${pg.superuser}'`);
    const env = { ...envOf('skip', 0, cases), APP_1_DB_USER: pg.superuser };
    delete (env as Record<string, string>).APP_0_DB_PASSWORD;
    const r = runBatch(batchApps('skip', cases), env);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('app skip_early: Secret skip-early-db-secret has no DB_PASSWORD yet');
    expect(r.stderr).toContain(`app skip_tampered: DB_USER in Secret skip-tampered-db-secret must name the app's login skip_tampered_user (got ${pg.superuser})`);
    expect(q(`SELECT rolpassword FROM pg_authid WHERE rolname = '${pg.superuser}'`)).toBe(superuserHash);
    expect(q("SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database WHERE datname LIKE 'skip\\_%'")).toBe('skip_fine_db');
    expect(canLogin('skip_fine_user', password('skip', cases[2]), 'skip_fine_db')).toBe(true);
  });

  test('an app\'s Job waits for its login (db-wait): it gives up while the server init has not provisioned it, and passes once it has', () => {
    if (!pg.available) return;
    const wait = (c: AppCase, prefix: string) => pg.shell(InitSql._waitForLoginScript({ names: names(prefix, c), waitTimeoutSeconds: 1 }),
      { PGHOST: pg.host, PGPORT: String(pg.port), PGSSLMODE: 'require', DB_PASSWORD: password(prefix, c) });
    const early = wait(CASES[0], 'later');
    expect(early.status).toBe(1);
    expect(early.stderr).toMatch(/^db-wait: later_plain_user cannot log in to later_plain_db yet \(.*\); the server's init Job provisions it\n$/);
    const ready = wait(CASES[0], 'bat');
    expect([ready.status, ready.stderr]).toEqual([0, '']);
    expect(ready.stdout).toContain('db-wait: bat_plain_user logs in to bat_plain_db');
  });

  test('an app\'s login cannot read the records', () => {
    if (!pg.available) return;
    const plain = names('bat', CASES[0]);
    q(`GRANT CONNECT ON DATABASE postgres TO ${plain.username}`);
    const r = pg.psql('SELECT * FROM db_init.app_login', { user: plain.username, password: password('bat', CASES[0]), database: 'postgres' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/permission denied for schema db_init/);
    q(`REVOKE CONNECT ON DATABASE postgres FROM ${plain.username}`);
  });
});

describe('the server init script', () => {
  test('stays small: 300 apps with long names fit in one container argument (128 KiB)', () => {
    const apps = Array.from({ length: 300 }, (_, i): BatchInitApp => ({
      names: AppDatabaseNames.of(`app_with_a_longer_name_${i}`),
      secretName: `app-with-a-longer-name-${i}-db-secret`,
      passwordEnv: `APP_${i}_DB_PASSWORD`,
      userEnv: `APP_${i}_DB_USER`,
      alternatingUsers: true,
      connectionLimit: 10,
    }));
    const bytes = Buffer.byteLength(batchInitScript(apps, { maintenanceDatabase: 'postgres', waitTimeoutSeconds: 120, sessions: 2 }));
    expect(bytes).toBeGreaterThan(300 * 200);
    expect(bytes).toBeLessThan(128 * 1024);
  });
});
