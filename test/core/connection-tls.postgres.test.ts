import { spawnSync } from 'node:child_process';
import { Client } from 'pg';
import { DatabaseConnection, DatabaseConnectionProps, DatabaseProvider, SslMode } from '../../src/core';
import { makeTestCertificates, usePostgres } from '../harness';

/*
 * Real-client proof of the connection model: a PostgreSQL 15 that serves TLS with a certificate
 * made here and rejects every non-TLS connection, reached with libpq (psql, the reference
 * implementation of sslmode) and node-postgres, using the URLs DatabaseConnection builds.
 */

const NEON_HOST = 'ep-cool-darkness-a1b2c3d4.us-east-2.aws.neon.tech';
const RDS_HOST = 'orders.abc123xyz.eu-west-1.rds.amazonaws.com';
const RDS_PROXY_HOST = 'orders-proxy.proxy-abc123xyz.eu-west-1.rds.amazonaws.com';
const AZURE_SERVER = 'orders-db';

/** Every character with a meaning in a URL, a quote, a space, and non-ASCII text. */
const SPECIAL_PASSWORD = ':/?#[]@!$&\'()*+,;=% "-é€😀%41';
const APP_USER = 'tls_app';
/** A user name that itself needs percent-encoding in the URL. */
const ODD_USER = 'tls.app$@x-1';
const ODD_PASSWORD = 'p@ss:w/rd?%2F&x=y';
const DATABASE = 'tls-db';

// The provider host names are in the certificate so their URLs can be verified against this
// server through libpq's hostaddr (name checked, address overridden). Made before beforeAll.
const certs = makeTestCertificates([
  'localhost', NEON_HOST, '*.us-east-2.aws.neon.tech', RDS_HOST, RDS_PROXY_HOST, `${AZURE_SERVER}.postgres.database.azure.com`,
]);

/** libpq as a client: `psql "<url>" -c sql`, with no PG* variables leaking in from the environment. */
function psqlUrl(url: string, sql: string): { status: number; stdout: string; stderr: string } {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG') && v !== undefined) env[k] = v;
  const res = spawnSync('psql', [url, '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf-8', env, timeout: 60_000 });
  return { status: res.status ?? -1, stdout: (res.stdout ?? '').trim(), stderr: res.stderr ?? String(res.error ?? '') };
}

/** node-postgres as a client; returns the first column of the first row, or throws. */
async function nodePg(url: string, sql: string): Promise<string> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const res = await client.query(sql);
    return String(Object.values(res.rows[0])[0]);
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('DatabaseConnection URLs against a TLS-only PostgreSQL 15', () => {
  const pg = usePostgres(certs ? { ssl: { certFile: certs.certFile, keyFile: certs.keyFile }, hbaRequireSsl: true } : {});
  const ready = () => certs !== undefined && pg.available;

  /** Points a model URL at the test server: same URL, only the port swapped and (for provider hosts) hostaddr added. */
  const atServer = (url: string, opts: { hostaddr?: boolean } = {}) => {
    const swapped = url.replace(/:(\d+)\//, `:${pg.port}/`);
    return opts.hostaddr ? `${swapped}&hostaddr=127.0.0.1` : swapped;
  };
  const conn = (props: Partial<DatabaseConnectionProps> & { provider: DatabaseProvider }) =>
    new DatabaseConnection({ databaseName: DATABASE, username: APP_USER, ...props });
  const local = (host = 'localhost') => DatabaseProvider.postgres({ host, port: 5432 });

  beforeAll(() => {
    if (!ready()) return;
    const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
    const sql = [
      `CREATE ROLE ${APP_USER} LOGIN PASSWORD ${lit(SPECIAL_PASSWORD)}`,
      `CREATE ROLE "${ODD_USER}" LOGIN PASSWORD ${lit(ODD_PASSWORD)}`,
      `CREATE DATABASE "${DATABASE}"`,
    ];
    for (const s of sql) {
      const res = pg.psql(s, { sslmode: 'require' });
      if (res.status !== 0) throw new Error(`setup failed: ${s}: ${res.stderr}`);
    }
  });

  afterAll(() => {
    certs?.remove();
  });

  test('the server rejects a connection without TLS (sanity check of the set-up)', () => {
    if (!ready()) return;
    const res = pg.psql('SELECT 1', { sslmode: 'disable' });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/no encryption/);
  });

  describe('libpq (psql)', () => {
    test('sslmode=require with a password of every URL-special character connects as the user', () => {
      if (!ready()) return;
      const url = conn({ provider: local() }).url(SPECIAL_PASSWORD);
      expect(url).toContain('sslmode=require');
      const res = psqlUrl(atServer(url), 'SELECT current_user || \'|\' || current_database() || \'|\' || (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid())');
      expect(res.stderr).toBe('');
      expect(res.stdout).toBe(`${APP_USER}|${DATABASE}|true`);
    });

    test('a user name that needs encoding connects', () => {
      if (!ready()) return;
      const url = conn({ provider: local(), username: ODD_USER }).url(ODD_PASSWORD);
      const res = psqlUrl(atServer(url), 'SELECT current_user');
      expect(res.stderr).toBe('');
      expect(res.stdout).toBe(ODD_USER);
    });

    test('a wrong password is refused (the password really is checked)', () => {
      if (!ready()) return;
      const res = psqlUrl(atServer(conn({ provider: local() }).url(`${SPECIAL_PASSWORD}x`)), 'SELECT 1');
      expect(res.status).not.toBe(0);
      expect(res.stderr).toMatch(/password authentication failed for user "tls_app"/);
    });

    test('verify-full against the right CA connects', () => {
      if (!ready()) return;
      const url = conn({ provider: local(), sslMode: SslMode.VERIFY_FULL, caPath: certs!.caFile }).url(SPECIAL_PASSWORD);
      expect(url).toContain('sslmode=verify-full');
      const res = psqlUrl(atServer(url), 'SELECT current_user');
      expect(res.stderr).toBe('');
      expect(res.stdout).toBe(APP_USER);
    });

    test('verify-full against a wrong CA fails', () => {
      if (!ready()) return;
      const url = conn({ provider: local(), sslMode: SslMode.VERIFY_FULL, caPath: certs!.wrongCaFile }).url(SPECIAL_PASSWORD);
      const res = psqlUrl(atServer(url), 'SELECT 1');
      expect(res.status).not.toBe(0);
      expect(res.stderr).toMatch(/certificate verify failed/);
    });

    test('verify-full against a host name the certificate does not name fails', () => {
      if (!ready()) return;
      const url = conn({ provider: local('127.0.0.1'), sslMode: SslMode.VERIFY_FULL, caPath: certs!.caFile }).url(SPECIAL_PASSWORD);
      const res = psqlUrl(atServer(url), 'SELECT 1');
      expect(res.status).not.toBe(0);
      expect(res.stderr).toMatch(/does not match host name "127\.0\.0\.1"/);
    });

    test('verify-ca checks the chain only, so the IP address connects with the right CA', () => {
      if (!ready()) return;
      const url = conn({ provider: local('127.0.0.1'), sslMode: SslMode.VERIFY_CA, caPath: certs!.caFile }).url(SPECIAL_PASSWORD);
      expect(psqlUrl(atServer(url), 'SELECT current_user').stdout).toBe(APP_USER);
      const wrong = conn({ provider: local('127.0.0.1'), sslMode: SslMode.VERIFY_CA, caPath: certs!.wrongCaFile }).url(SPECIAL_PASSWORD);
      expect(psqlUrl(atServer(wrong), 'SELECT 1').stderr).toMatch(/certificate verify failed/);
    });

    test('sslmode=disable is rejected by the server that requires TLS', () => {
      if (!ready()) return;
      const url = conn({ provider: local(), sslMode: SslMode.DISABLE }).url(SPECIAL_PASSWORD);
      expect(url).toContain('sslmode=disable');
      const res = psqlUrl(atServer(url), 'SELECT 1');
      expect(res.status).not.toBe(0);
      expect(res.stderr).toMatch(/pg_hba\.conf rejects connection .* no encryption/);
    });

    test('application_name, connect_timeout and statement_timeout reach the server', () => {
      if (!ready()) return;
      const url = conn({ provider: local(), applicationName: 'orders api', connectTimeoutSeconds: 5, statementTimeoutMs: 1234 }).url(SPECIAL_PASSWORD);
      const res = psqlUrl(atServer(url), "SELECT current_setting('application_name') || '|' || current_setting('statement_timeout')");
      expect(res.stderr).toBe('');
      expect(res.stdout).toBe('orders api|1234ms');
    });

    test('extra libpq parameters reach libpq', () => {
      if (!ready()) return;
      const url = conn({ provider: local(), extraParams: { target_session_attrs: 'read-write' } }).url(SPECIAL_PASSWORD);
      expect(psqlUrl(atServer(url), 'SELECT current_user').stdout).toBe(APP_USER);
      const standby = conn({ provider: local(), extraParams: { target_session_attrs: 'standby' } }).url(SPECIAL_PASSWORD);
      expect(psqlUrl(atServer(standby), 'SELECT 1').stderr).toMatch(/is not a hot standby|read-only|standby/);
    });

    test.each([
      ['Neon direct, channel binding', () => conn({ provider: DatabaseProvider.neon({ host: NEON_HOST, channelBinding: true }), sslMode: SslMode.VERIFY_FULL, caPath: certs!.caFile })],
      ['Neon pooled', () => conn({ provider: DatabaseProvider.neon({ host: NEON_HOST, pooled: true }), sslMode: SslMode.VERIFY_FULL, caPath: certs!.caFile })],
      ['Neon require (default)', () => conn({ provider: DatabaseProvider.neon({ host: NEON_HOST }) })],
      ['RDS verify-full', () => conn({ provider: DatabaseProvider.awsRds({ host: RDS_HOST, caBundlePath: certs!.caFile }) })],
      ['RDS Proxy verify-full', () => conn({ provider: DatabaseProvider.awsRds({ host: RDS_PROXY_HOST, caBundlePath: certs!.caFile }) })],
      ['Azure flexible server verify-full', () => conn({ provider: DatabaseProvider.azureFlexibleServer({ serverName: AZURE_SERVER, caPath: certs!.caFile }) })],
      ['Cloud SQL private IP require', () => conn({ provider: DatabaseProvider.cloudSqlPrivateIp({ privateIp: '127.0.0.1' }) })],
    ])('the %s URL connects (host name verified, address overridden with hostaddr)', (_name, make) => {
      if (!ready()) return;
      const c = make();
      const res = psqlUrl(atServer(c.url(SPECIAL_PASSWORD), { hostaddr: true }), 'SELECT current_user');
      expect(res.stderr).toBe('');
      expect(res.stdout).toBe(APP_USER);
      const migration = psqlUrl(atServer(c.migrationUrl(SPECIAL_PASSWORD), { hostaddr: true }), 'SELECT current_user');
      expect(migration.stderr).toBe('');
      expect(migration.stdout).toBe(APP_USER);
    });

    test('channel_binding=require really binds: the session authenticated with SCRAM-SHA-256-PLUS', () => {
      if (!ready()) return;
      const c = conn({ provider: DatabaseProvider.neon({ host: NEON_HOST, channelBinding: true }) });
      expect(c.url('x')).toContain('channel_binding=require');
      // libpq refuses channel_binding=require unless the server offered SCRAM-SHA-256-PLUS,
      // so a connection over TLS with it proves the binding was used.
      const res = psqlUrl(atServer(c.url(SPECIAL_PASSWORD), { hostaddr: true }), 'SELECT current_user');
      expect(res.stderr).toBe('');
      expect(res.stdout).toBe(APP_USER);
    });

    test('an RDS endpoint the certificate does not name fails verify-full', () => {
      if (!ready()) return;
      const c = conn({ provider: DatabaseProvider.awsRds({ host: 'other.abc123xyz.eu-west-1.rds.amazonaws.com', caBundlePath: certs!.caFile }) });
      const res = psqlUrl(atServer(c.url(SPECIAL_PASSWORD), { hostaddr: true }), 'SELECT 1');
      expect(res.status).not.toBe(0);
      expect(res.stderr).toMatch(/does not match host name "other\.abc123xyz\.eu-west-1\.rds\.amazonaws\.com"/);
    });

    test('the Cloud SQL Auth Proxy URL (sslmode=disable on loopback) is plain text, so this TLS-only server refuses it', () => {
      if (!ready()) return;
      const c = conn({ provider: DatabaseProvider.cloudSqlAuthProxy({ instanceConnectionName: 'my-project:europe-west1:orders-db', proxyPort: 5432 }) });
      const res = psqlUrl(atServer(c.url(SPECIAL_PASSWORD)), 'SELECT 1');
      expect(res.status).not.toBe(0);
      expect(res.stderr).toMatch(/no encryption/);
    });
  });

  describe('node-postgres (pg)', () => {
    test('verify-full against the right CA connects with the special-character password', async () => {
      if (!ready()) return;
      const url = conn({ provider: local(), sslMode: SslMode.VERIFY_FULL, caPath: certs!.caFile }).url(SPECIAL_PASSWORD);
      await expect(nodePg(atServer(url), 'SELECT current_user')).resolves.toBe(APP_USER);
    });

    test('a user name that needs encoding connects', async () => {
      if (!ready()) return;
      const url = conn({ provider: local(), username: ODD_USER, sslMode: SslMode.VERIFY_FULL, caPath: certs!.caFile }).url(ODD_PASSWORD);
      await expect(nodePg(atServer(url), 'SELECT current_user')).resolves.toBe(ODD_USER);
    });

    test('verify-full against a wrong CA fails', async () => {
      if (!ready()) return;
      const url = conn({ provider: local(), sslMode: SslMode.VERIFY_FULL, caPath: certs!.wrongCaFile }).url(SPECIAL_PASSWORD);
      await expect(nodePg(atServer(url), 'SELECT 1')).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    });

    test('verify-full against a host name the certificate does not name fails', async () => {
      if (!ready()) return;
      const url = conn({ provider: local('127.0.0.1'), sslMode: SslMode.VERIFY_FULL, caPath: certs!.caFile }).url(SPECIAL_PASSWORD);
      await expect(nodePg(atServer(url), 'SELECT 1')).rejects.toThrow(/IP: 127\.0\.0\.1 is not in the cert's list|does not match/);
    });

    test('sslmode=require with uselibpqcompat=true (libpq meaning: encrypt, do not verify) connects', async () => {
      if (!ready()) return;
      // node-postgres treats a bare sslmode=require as verify-full against the system CAs;
      // uselibpqcompat=true (a node-postgres-only parameter, which libpq would reject) restores libpq's meaning.
      const url = conn({ provider: local() }).url(SPECIAL_PASSWORD);
      await expect(nodePg(`${atServer(url)}&uselibpqcompat=true`, 'SELECT current_user')).resolves.toBe(APP_USER);
      await expect(nodePg(atServer(url), 'SELECT 1')).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    });

    test('sslmode=disable is rejected by the server that requires TLS', async () => {
      if (!ready()) return;
      const url = conn({ provider: local(), sslMode: SslMode.DISABLE }).url(SPECIAL_PASSWORD);
      await expect(nodePg(atServer(url), 'SELECT 1')).rejects.toThrow(/pg_hba\.conf rejects connection .*no encryption/);
    });
  });
});
