import { AppDatabaseNames, DatabaseSecretKeys, InitSql, SslMode } from '../../src/core';

const OPTS = { names: AppDatabaseNames.of('example_app') };
const SHOP = { names: AppDatabaseNames.of('shop', { databaseName: 'Shop_Data', username: 'Shop_User', schemaName: 'order' }) };

describe('InitSql', () => {
  test('creates the role only if missing, with the password read from the environment', () => {
    const sql = InitSql.serverSql(OPTS);
    expect(sql).toContain('\\getenv app_password DB_PASSWORD');
    expect(sql).toContain("SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', 'example_app_user', :'app_password')");
    expect(sql).toContain("WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'example_app_user')");
    expect(sql).toContain('\\unset app_password');
  });

  test('creates the database owned by the app, only if missing, and limits CONNECT to the app', () => {
    const sql = InitSql.serverSql(OPTS);
    expect(sql).toContain("SELECT format('CREATE DATABASE %I OWNER %I', 'example_app_db', 'example_app_user')");
    expect(sql).toContain('REVOKE CONNECT ON DATABASE example_app_db FROM PUBLIC;');
    expect(sql).toContain('GRANT CONNECT ON DATABASE example_app_db TO example_app_user;');
    expect(sql).toContain('ALTER ROLE example_app_user IN DATABASE example_app_db SET search_path TO example_app, public;');
  });

  test('quotes names that need it', () => {
    const sql = InitSql.serverSql(SHOP);
    expect(sql).toContain('REVOKE CONNECT ON DATABASE "Shop_Data" FROM PUBLIC;');
    expect(sql).toContain('ALTER ROLE "Shop_User" IN DATABASE "Shop_Data" SET search_path TO "order", public;');
    expect(InitSql.databaseSql(SHOP))
      .toContain('CREATE SCHEMA IF NOT EXISTS "order" AUTHORIZATION "Shop_User";');
  });

  test('sets no connection limit by default', () => {
    expect(InitSql.serverSql(OPTS)).not.toContain('CONNECTION LIMIT');
  });

  test('sets the connection limit when given', () => {
    expect(InitSql.serverSql({ ...OPTS, connectionLimit: 20 })).toContain('ALTER ROLE example_app_user CONNECTION LIMIT 20;');
  });

  test('never drops anything and never alters a password', () => {
    const all = InitSql.script({ ...OPTS, connectionLimit: 3 });
    expect(all).not.toMatch(/\bDROP\b/i);
    expect(all).not.toMatch(/ALTER ROLE[^;]*PASSWORD/i);
  });

  test('waits for pg_isready with the default 120 s timeout against the postgres database', () => {
    const script = InitSql.script(OPTS);
    expect(script).toContain('deadline=$(( $(date +%s) + 120 ))');
    expect(script).toContain("until pg_isready -q -t 5 -d 'postgres'; do");
    expect(script).toContain("psql -X -q -v ON_ERROR_STOP=1 -d 'postgres' <<'__DB_INIT_SQL__'");
    expect(script).toContain("psql -X -q -v ON_ERROR_STOP=1 -d 'example_app_db' <<'__DB_INIT_SQL__'");
  });

  test('throws for a connection limit below -1 or above 2147483647 (PostgreSQL takes a 32-bit integer)', () => {
    expect(() => InitSql.script({ ...OPTS, connectionLimit: -2 })).toThrow(/InitSql: connectionLimit must be a whole number from -1 to 2147483647 \(got -2\)/);
    expect(() => InitSql.script({ ...OPTS, connectionLimit: 2147483648 })).toThrow(/InitSql: connectionLimit must be a whole number from -1 to 2147483647 \(got 2147483648\)/);
    expect(InitSql.serverSql({ ...OPTS, connectionLimit: 2147483647 })).toContain('CONNECTION LIMIT 2147483647;');
    expect(() => InitSql.serverSql({ ...OPTS, connectionLimit: 1.5 })).toThrow(/InitSql: connectionLimit must be a whole number/);
  });

  test('throws for a wait timeout of 0', () => {
    expect(() => InitSql.script({ ...OPTS, waitTimeoutSeconds: 0 })).toThrow(/InitSql: waitTimeoutSeconds must be whole seconds from 1 to 3600 \(got 0 s\)/);
  });

  test('throws for a maintenance database that is not an identifier', () => {
    expect(() => InitSql.script({ ...OPTS, maintenanceDatabase: 'postgres; --' })).toThrow(/InitSql: maintenanceDatabase must be a PostgreSQL identifier/);
  });

  test('throws for a password variable that is not an environment variable name', () => {
    expect(() => InitSql.script({ ...OPTS, passwordEnv: 'DB PASSWORD' })).toThrow(/InitSql: passwordEnv must be an environment variable name/);
  });

  test('throws for an empty migration command list', () => {
    expect(() => InitSql.migrationScript([])).toThrow(/InitSql: commands must list at least one command \(got \[\]\)/);
  });

  test('throws for a blank migration command', () => {
    expect(() => InitSql.migrationScript(['python manage.py migrate', '  '])).toThrow(/InitSql: commands\[1\] must not be empty/);
  });

  test('runs migration commands in order and stops at the first failure', () => {
    expect(InitSql.migrationScript(['a', 'b'])).toBe("set -eu\necho 'migrate: step 1/2'\na\necho 'migrate: step 2/2'\nb\n");
  });
});

describe('connection contract', () => {
  test('keeps password-bearing keys apart from the rest', () => {
    expect(DatabaseSecretKeys.secretKeys()).toEqual(['DB_PASSWORD', 'DATABASE_URL']);
    expect(DatabaseSecretKeys.nonSecretKeys()).toEqual(['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_SSL_MODE']);
  });

  test('knows the six libpq ssl modes', () => {
    expect(SslMode.all().map((m) => m.value)).toEqual(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']);
    expect(SslMode.of('verify-full')).toBe(SslMode.VERIFY_FULL);
    expect(SslMode.REQUIRE.alwaysEncrypted).toBe(true);
    expect(SslMode.PREFER.alwaysEncrypted).toBe(false);
    expect(SslMode.VERIFY_CA.verifiesCertificate).toBe(true);
  });

  test('throws for an unknown ssl mode', () => {
    expect(() => SslMode.of('on')).toThrow(/SslMode: unknown sslmode 'on'. Use one of disable, allow, prefer, require, verify-ca, verify-full/);
  });
});
