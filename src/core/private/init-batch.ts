import { CLONE_SUFFIX } from './app-user-rules';
import { serverWaitLines } from './server-wait';
import { AppDatabaseNames } from '../app-database-names';
import { PostgresNames } from '../pg-names';

/**
 * The init of every app of one server in one script and one psql session (SharedPostgres's
 * server init Job), for servers with many apps: a Job per app costs a process, a TLS handshake
 * and a SCRAM exchange (or four) per app and run; this costs one session, plus one connection to
 * each app database whose schema is not made yet.
 *
 * The apps are rows of a temporary table and every step is one statement for all of them, which
 * does the same as the matching step of the one-app init ({@link initSteps}, run by
 * `DatabaseInitJob`) and writes to the catalog only what differs (a re-run writes nothing);
 * test/core/init-batch.postgres.test.ts compares the two on a real server. The script stays small
 * (a row per app), as a container's command must (one argument is at most 128 KiB).
 *
 * Passwords: instead of logging in as each app to prove its password, the session compares the
 * password with what it recorded when it last set it. The records sit in the maintenance database,
 * schema `db_init` (owned by the superuser; no privilege for anyone else): `db_init.app_login`
 * holds per login the SHA-256 of the login's verifier (`pg_authid.rolpassword`, which only
 * superusers read) followed by the password; `db_init.app_schema` holds per database OID the
 * schema made in it. A SCRAM verifier is fixed for a given password and salt, so a password
 * recorded against the verifier still in `pg_authid` still logs in; any other change (a new
 * password in the Secret, a password set by hand, a new role) makes the login get the Secret's
 * password again, and a database restored or re-created has a new OID. A lost record costs one
 * extra step on the next run (a password set again to the same value, or one connection).
 */

/** One app of the server init. */
export interface BatchInitApp {
  /** The app's names (validated when they were made). */
  readonly names: AppDatabaseNames;
  /** Name of the app's Secret (for messages). */
  readonly secretName: string;
  /** Environment variable holding the app's password (the Secret's `DB_PASSWORD`). */
  readonly passwordEnv: string;
  /** Environment variable naming the login the password belongs to (the Secret's `DB_USER`). */
  readonly userEnv: string;
  /** `ALTER ROLE ... CONNECTION LIMIT`; -1 means unlimited. @default - none */
  readonly connectionLimit?: number;
  /** The app's login alternates with `<username>_clone` (password rotation). @default false */
  readonly alternatingUsers?: boolean;
}

/** Options of the server init script. */
export interface BatchInitOptions {
  /** Database the superuser connects to (and the records are kept in). */
  readonly maintenanceDatabase: string;
  /** How long to wait for `pg_isready`, in seconds. */
  readonly waitTimeoutSeconds: number;
  /**
   * Sessions run side by side, each for every `sessions`-th app (`CREATE DATABASE` and the first
   * connection to a new database are what takes the time, and they do not wait on each other).
   */
  readonly sessions: number;
}

/** Schema of the records, in the maintenance database. */
export const RECORDS_SCHEMA = 'db_init';
const EOF = '__DB_INIT_SQL__';
const lit = PostgresNames.quoteLiteral;

/**
 * The whole script (run with `/bin/sh -c`) with the superuser connection in `PGHOST`, `PGPORT`,
 * `PGUSER`, `PGPASSWORD` (and `PGSSLMODE`), each app's password and login in its variables, and a
 * writable `/tmp` (or `TMPDIR`). An app whose Secret has no password yet, or names a login that is
 * not the app's, is skipped with a message; the others are provisioned, and then the script exits
 * 1 so that the Job runs again.
 */
export function batchInitScript(apps: BatchInitApp[], o: BatchInitOptions): string {
  const q = PostgresNames.quoteShell;
  return [
    'set -eu',
    `echo "db-init: waiting up to ${o.waitTimeoutSeconds}s for PostgreSQL at $PGHOST:\${PGPORT:-5432}"`,
    ...serverWaitLines('db-init', o.maintenanceDatabase, o.waitTimeoutSeconds),
    `echo "db-init: ${apps.length} app(s): roles, databases, privileges, passwords and schemas"`,
    `psql -X -q -v ON_ERROR_STOP=1 -d ${q(o.maintenanceDatabase)} <<'${EOF}'`,
    ...recordsLines(),
    EOF,
    ...shards(apps, o.sessions).flatMap((shard, k) => [
      `DB_INIT_SCHEMAS_${k}="$(mktemp)"`,
      `DB_INIT_SCHEMAS="$DB_INIT_SCHEMAS_${k}" psql -X -q -v ON_ERROR_STOP=1 -d ${q(o.maintenanceDatabase)} <<'${EOF}' &`,
      ...sessionLines(shard, o.maintenanceDatabase),
      EOF,
      `pid_${k}=$!`,
    ]),
    'failed=0',
    ...shards(apps, o.sessions).flatMap((_, k) => [`wait "$pid_${k}" || failed=1`, `rm -f "$DB_INIT_SCHEMAS_${k}"`]),
    'if [ "$failed" -ne 0 ]; then',
    '  echo "db-init: failed (see above); the Job runs again" >&2',
    '  exit 1',
    'fi',
    'echo "db-init: done"',
  ].join('\n') + '\n';
}

/** The apps of each session: every `sessions`-th app, none empty. */
function shards(apps: BatchInitApp[], sessions: number): BatchInitApp[][] {
  const count = Math.max(1, Math.min(sessions, apps.length));
  return Array.from({ length: count }, (_, k) => apps.filter((_a, i) => i % count === k));
}

/** The first session: the records' schema and tables, made before the sessions that use them. */
function recordsLines(): string[] {
  const r = RECORDS_SCHEMA;
  return [
    '\\set ON_ERROR_STOP on',
    'SET client_min_messages TO warning;',
    '-- Records of what earlier runs set and made (superuser only: no privilege is granted on them).',
    `CREATE SCHEMA IF NOT EXISTS ${r};`,
    `CREATE TABLE IF NOT EXISTS ${r}.app_login (login name PRIMARY KEY, fingerprint text NOT NULL);`,
    `CREATE TABLE IF NOT EXISTS ${r}.app_schema (database oid PRIMARY KEY, schema name NOT NULL);`,
  ];
}

/** The psql session of some of the apps. */
function sessionLines(apps: BatchInitApp[], maintenanceDatabase: string): string[] {
  const r = RECORDS_SCHEMA;
  const ready = 'FROM pg_temp.apps a WHERE a.ready';
  return [
    '\\set ON_ERROR_STOP on',
    'SET client_min_messages TO warning;',
    '-- The apps: names, settings, and the password and login from each app\'s Secret (environment).',
    'CREATE TEMP TABLE apps (app text, secret text, db name, usr name, schema name, alternates boolean, conn_limit int,',
    '  password text, login name, clone name, ready boolean);',
    ...apps.flatMap(appRowLines),
    `UPDATE pg_temp.apps SET login = coalesce(nullif(login, ''), usr), clone = CASE WHEN alternates THEN usr || ${lit(CLONE_SUFFIX)} END;`,
    "UPDATE pg_temp.apps SET ready = coalesce(password, '') <> '' AND coalesce(login = usr OR login = clone, false);",
    '-- Apps without a password, or with a login that is not theirs, are skipped (and the session fails at the end).',
    "SELECT string_agg(format('app %s: %s', a.app, CASE WHEN coalesce(a.password, '') = ''",
    "  THEN format('Secret %s has no DB_PASSWORD yet (its Job''s secret-bootstrap fills it in)', a.secret)",
    "  ELSE format('DB_USER in Secret %s must name the app''s login %s (got %s). Put it back, or delete DB_USER and DB_PASSWORD "
      + "from the Secret to start over with a new password', a.secret, concat_ws(' or ', a.usr, a.clone), a.login) END), '; ') AS skipped_apps",
    '  FROM pg_temp.apps a WHERE NOT a.ready \\gset',
    '-- 1. The login roles (without a password: step 7 gives the Secret\'s login its password).',
    `SELECT format('CREATE ROLE %I LOGIN', a.usr) ${ready} AND NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = a.usr)`,
    '\\gexec',
    '-- 2. The databases, owned by their apps.',
    `SELECT format('CREATE DATABASE %I OWNER %I', a.db, a.usr) ${ready} AND NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = a.db)`,
    '\\gexec',
    '-- 3. Only the app may connect to its database.',
    `SELECT format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC', a.db) ${ready} AND ${databaseAcl('x.grantee = 0')}`,
    '\\gexec',
    `SELECT format('GRANT CONNECT ON DATABASE %I TO %I', a.db, a.usr) ${ready} AND NOT ${databaseAcl('x.grantee = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = a.usr)')}`,
    '\\gexec',
    '-- 4. The app finds its own schema first: on the role in its database, or on the database for an app whose login alternates.',
    "SELECT CASE WHEN a.clone IS NULL THEN format('ALTER ROLE %I IN DATABASE %I SET search_path TO %I, public', a.usr, a.db, a.schema)",
    "  ELSE format('ALTER DATABASE %I SET search_path TO %I, public', a.db, a.schema) END",
    ` ${ready} AND NOT EXISTS (SELECT FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase`,
    '   WHERE d.datname = a.db AND s.setrole = CASE WHEN a.clone IS NULL THEN (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = a.usr) ELSE 0 END',
    "     AND format('search_path=%s, public', quote_ident(a.schema)) = ANY (s.setconfig))",
    '\\gexec',
    '-- 5. Per-app connection limits (the clone\'s too: a limit is per login).',
    "SELECT format('ALTER ROLE %I CONNECTION LIMIT %s', a.usr, a.conn_limit)",
    ` ${ready} AND a.conn_limit IS NOT NULL AND (SELECT rolconnlimit FROM pg_catalog.pg_roles WHERE rolname = a.usr) <> a.conn_limit`,
    '\\gexec',
    '-- 6. The alternate login of multi-user rotation: no password until rotation sets one, a member of the role, acting as the role.',
    `SELECT format('CREATE ROLE %I LOGIN', a.clone) ${ready} AND a.clone IS NOT NULL AND NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = a.clone)`,
    '\\gexec',
    `SELECT format('GRANT %I TO %I', a.usr, a.clone) ${ready} AND a.clone IS NOT NULL AND NOT pg_catalog.pg_has_role(a.clone, a.usr, 'MEMBER')`,
    '\\gexec',
    `SELECT format('ALTER ROLE %I SET role TO %L', a.clone, a.usr) ${ready} AND a.clone IS NOT NULL AND NOT EXISTS (SELECT FROM pg_catalog.pg_db_role_setting s`,
    "   WHERE s.setdatabase = 0 AND s.setrole = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = a.clone) AND format('role=%s', a.usr) = ANY (s.setconfig))",
    '\\gexec',
    `SELECT format('ALTER ROLE %I CONNECTION LIMIT %s', a.clone, a.conn_limit) ${ready} AND a.clone IS NOT NULL AND a.conn_limit IS NOT NULL`,
    '   AND (SELECT rolconnlimit FROM pg_catalog.pg_roles WHERE rolname = a.clone) <> a.conn_limit',
    '\\gexec',
    '-- 7. The login named in the Secret gets the Secret\'s password, unless it is the one recorded for its verifier; the other login keeps its own.',
    `SELECT format('ALTER ROLE %I PASSWORD %L', a.login, a.password) ${ready}`,
    `   AND NOT EXISTS (SELECT FROM pg_catalog.pg_authid p JOIN ${r}.app_login l ON l.login = p.rolname WHERE p.rolname = a.login AND l.fingerprint = ${fingerprint('p')})`,
    '\\gexec',
    `INSERT INTO ${r}.app_login (login, fingerprint) SELECT a.login, ${fingerprint('p')}`,
    `  ${ready.replace('WHERE', 'JOIN pg_catalog.pg_authid p ON p.rolname = a.login WHERE')}`,
    ` ON CONFLICT (login) DO UPDATE SET fingerprint = EXCLUDED.fingerprint WHERE ${r}.app_login.fingerprint <> EXCLUDED.fingerprint;`,
    '-- 8. The schemas, owned by their apps, made in each database whose record does not name its schema (psql lines written to a file,',
    '--    then run: one connection per such database, then back to this one to record them all).',
    '\\getenv schemas_file DB_INIT_SCHEMAS',
    '\\pset format unaligned',
    '\\pset tuples_only on',
    '\\o :schemas_file',
    `CREATE TEMP VIEW schemas_missing AS SELECT a.db, a.usr, a.schema, d.oid ${ready.replace('WHERE', 'JOIN pg_catalog.pg_database d ON d.datname = a.db WHERE')}`,
    `   AND NOT EXISTS (SELECT FROM ${r}.app_schema s WHERE s.database = d.oid AND s.schema = a.schema);`,
    'SELECT concat_ws(E\'\\n\', \'\\connect \' || quote_literal(m.db), \'SET client_min_messages TO warning;\',',
    "  format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I;', m.schema, m.usr)) FROM pg_temp.schemas_missing m;",
    `SELECT concat_ws(E'\\n', '\\connect ' || ${lit(lit(maintenanceDatabase))}, 'SET client_min_messages TO warning;',`,
    `  'INSERT INTO ${r}.app_schema (database, schema) VALUES ' || string_agg(format('(%s, %L)', m.oid, m.schema), ', ')`,
    "  || ' ON CONFLICT (database) DO UPDATE SET schema = EXCLUDED.schema;') FROM pg_temp.schemas_missing m HAVING count(*) > 0;",
    '\\o',
    '\\pset format aligned',
    '\\pset tuples_only off',
    '\\i :schemas_file',
    '\\if :{?skipped_apps}',
    '\\warn db-init: skipped (the Job fails so that it runs again)',
    "SELECT pg_catalog.set_config('db_init.skipped', :'skipped_apps', false) IS NULL AS never \\gset",
    "DO $$ BEGIN RAISE EXCEPTION 'db-init: %', current_setting('db_init.skipped'); END $$;",
    '\\endif',
  ];
}

/**
 * The lines of one app: its password and login from the environment (reset first: `\\getenv`
 * leaves a variable as it was when the environment has no such variable), and its row.
 */
function appRowLines(app: BatchInitApp): string[] {
  const n = app.names;
  const limit = app.connectionLimit === undefined ? 'NULL' : String(app.connectionLimit);
  return [
    `\\set p '' \\set l '' \\getenv p ${app.passwordEnv} \\getenv l ${app.userEnv}`,
    `INSERT INTO pg_temp.apps VALUES (${[n.appName, app.secretName, n.databaseName, n.username, n.schemaName].map(lit).join(', ')}, `
      + `${app.alternatingUsers ? 'true' : 'false'}, ${limit}, :'p', :'l');`,
  ];
}

/** Whether the database's ACL (or the default one) gives CONNECT to the grantee the condition picks. */
function databaseAcl(grantee: string): string {
  return 'EXISTS (SELECT FROM pg_catalog.pg_database d, LATERAL pg_catalog.aclexplode(coalesce(d.datacl, pg_catalog.acldefault(\'d\', d.datdba))) x'
    + ` WHERE d.datname = a.db AND ${grantee} AND x.privilege_type = 'CONNECT')`;
}

/** The SHA-256 of the login's verifier followed by the app's password (`p` is the login's pg_authid row). */
function fingerprint(p: string): string {
  return `encode(pg_catalog.sha256(convert_to(${p}.rolpassword || a.password, 'UTF8')), 'hex')`;
}
