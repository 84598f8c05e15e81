import { Client } from 'pg';
import { DatabaseConnection, DatabaseConnectionProps, DatabaseProvider, DatabaseSecretKeys, SslMode } from '../../src/core';

const NEON = 'ep-cool-darkness-a1b2c3d4.us-east-2.aws.neon.tech';
const RDS = 'orders.abc123xyz.eu-west-1.rds.amazonaws.com';
const SPECIAL_PASSWORD = ':/?#[]@!$&\'()*+,;=% "-é€😀%41';

function generic(props: Partial<DatabaseConnectionProps> = {}): DatabaseConnection {
  return new DatabaseConnection({ provider: DatabaseProvider.postgres({ host: 'db.example.com' }), databaseName: 'orders', username: 'orders_app', ...props });
}

/** How node-postgres reads a URL (its parser runs in the constructor; nothing connects). */
function parse(url: string): { user?: string; password?: string; host: string; database?: string } {
  const c = new Client({ connectionString: url });
  return { user: c.user, password: c.password as string | undefined, host: c.host, database: c.database };
}

/** Decodes the query as libpq does: percent-decoding only ('+' stays '+'). */
function libpqParams(url: string): Record<string, string> {
  const query = url.split('?')[1] ?? '';
  return Object.fromEntries(query.split('&').map((kv) => kv.split('=').map(decodeURIComponent) as [string, string]));
}

describe('DatabaseConnection', () => {
  describe('defaults', () => {
    test('sslMode defaults to the provider default, connect_timeout to 10, and no other parameter is set', () => {
      // GIVEN / WHEN
      const c = generic();
      // THEN
      expect(c.sslMode).toBe(SslMode.REQUIRE);
      expect(c.caPath).toBeUndefined();
      expect(c.params).toEqual({ sslmode: 'require', connect_timeout: '10' });
      expect(c.url('pw')).toBe('postgresql://orders_app:pw@db.example.com:5432/orders?sslmode=require&connect_timeout=10');
    });

    test('RDS defaults to verify-full with the RDS bundle as sslrootcert', () => {
      const c = new DatabaseConnection({ provider: DatabaseProvider.awsRds({ host: RDS }), databaseName: 'orders', username: 'orders_app' });
      expect(c.params).toEqual({ sslmode: 'verify-full', sslrootcert: '/etc/ssl/certs/rds-global-bundle.pem', connect_timeout: '10' });
    });

    test('the provider CA path is used only when the mode verifies certificates', () => {
      const c = new DatabaseConnection({ provider: DatabaseProvider.awsRds({ host: RDS }), databaseName: 'orders', username: 'orders_app', sslMode: SslMode.REQUIRE });
      expect(c.caPath).toBeUndefined();
      expect(c.params.sslrootcert).toBeUndefined();
    });

    test('Azure defaults to verify-full with the system CA bundle', () => {
      const c = new DatabaseConnection({ provider: DatabaseProvider.azureFlexibleServer({ serverName: 'orders-db' }), databaseName: 'orders', username: 'orders_app' });
      expect(c.url('pw')).toBe('postgresql://orders_app:pw@orders-db.postgres.database.azure.com:5432/orders'
        + '?sslmode=verify-full&sslrootcert=%2Fetc%2Fssl%2Fcerts%2Fca-certificates.crt&connect_timeout=10');
    });

    test('the Cloud SQL Auth Proxy defaults to sslmode=disable on 127.0.0.1', () => {
      const c = new DatabaseConnection({
        provider: DatabaseProvider.cloudSqlAuthProxy({ instanceConnectionName: 'my-project:europe-west1:orders-db' }),
        databaseName: 'orders',
        username: 'orders_app',
      });
      expect(c.url('pw')).toBe('postgresql://orders_app:pw@127.0.0.1:5432/orders?sslmode=disable&connect_timeout=10');
    });
  });

  describe('URLs', () => {
    test('percent-encodes every URL-special and non-ASCII character of the password, and drivers decode it back', () => {
      const url = generic().url(SPECIAL_PASSWORD);
      expect(url).toBe(`postgresql://orders_app:${encodeURIComponent(SPECIAL_PASSWORD)}@db.example.com:5432/orders?sslmode=require&connect_timeout=10`);
      expect(decodeURIComponent(new URL(url).password)).toBe(SPECIAL_PASSWORD);
      const parsed = parse(url);
      expect(parsed.password).toBe(SPECIAL_PASSWORD);
      expect(parsed.user).toBe('orders_app');
      expect(parsed.host).toBe('db.example.com');
      expect(parsed.database).toBe('orders');
    });

    test('percent-encodes the user name', () => {
      const url = generic({ username: 'app@tenant.example' }).url('pw');
      expect(url.startsWith('postgresql://app%40tenant.example:pw@db.example.com')).toBe(true);
      expect(parse(url).user).toBe('app@tenant.example');
    });

    test('Neon pooled: the app URL uses -pooler, the migration URL the direct host, both with channel binding', () => {
      const c = new DatabaseConnection({ provider: DatabaseProvider.neon({ host: NEON, pooled: true, channelBinding: true }), databaseName: 'neondb', username: 'alex' });
      expect(c.url('pw')).toBe('postgresql://alex:pw@ep-cool-darkness-a1b2c3d4-pooler.us-east-2.aws.neon.tech:5432/neondb?sslmode=require&channel_binding=require&connect_timeout=10');
      expect(c.migrationUrl('pw')).toBe('postgresql://alex:pw@ep-cool-darkness-a1b2c3d4.us-east-2.aws.neon.tech:5432/neondb?sslmode=require&channel_binding=require&connect_timeout=10');
      expect(c.migrationHost).toBe(NEON);
    });

    test('writes spaces in parameters as %20, which libpq decodes (it does not decode +)', () => {
      const url = generic({ applicationName: 'orders api+1', statementTimeoutMs: 30000 }).url('pw');
      expect(url).toContain('application_name=orders%20api%2B1');
      expect(url).toContain('options=-c%20statement_timeout%3D30000');
      expect(libpqParams(url)).toEqual({
        sslmode: 'require', connect_timeout: '10', application_name: 'orders api+1', options: '-c statement_timeout=30000',
      });
    });

    test('caPath becomes sslrootcert and extraParams are appended', () => {
      const c = generic({ sslMode: SslMode.VERIFY_FULL, caPath: '/etc/db-ca/ca.crt', extraParams: { target_session_attrs: 'read-write' } });
      expect(libpqParams(c.url('pw'))).toEqual({
        sslmode: 'verify-full', sslrootcert: '/etc/db-ca/ca.crt', connect_timeout: '10', target_session_attrs: 'read-write',
      });
    });

    test('urlTemplate leaves the password expression verbatim for External Secrets templates', () => {
      const c = generic({ username: 'app@x' });
      expect(c.urlTemplate('{{ .password | urlquery }}'))
        .toBe('postgresql://app%40x:{{ .password | urlquery }}@db.example.com:5432/orders?sslmode=require&connect_timeout=10');
      const neon = new DatabaseConnection({ provider: DatabaseProvider.neon({ host: NEON, pooled: true }), databaseName: 'neondb', username: 'alex' });
      expect(neon.migrationUrlTemplate('{{ .p }}')).toBe(`postgresql://alex:{{ .p }}@${NEON}:5432/neondb?sslmode=require&connect_timeout=10`);
    });

    test('an IPv6 host is bracketed', () => {
      const c = new DatabaseConnection({ provider: DatabaseProvider.postgres({ host: 'fd00::5' }), databaseName: 'orders', username: 'app' });
      expect(c.url('pw')).toBe('postgresql://app:pw@[fd00::5]:5432/orders?sslmode=require&connect_timeout=10');
    });
  });

  describe('parts', () => {
    test('parts() gives the non-secret DB_* values under the shared key names', () => {
      expect(generic().parts()).toEqual({
        [DatabaseSecretKeys.HOST]: 'db.example.com',
        [DatabaseSecretKeys.PORT]: '5432',
        [DatabaseSecretKeys.NAME]: 'orders',
        [DatabaseSecretKeys.USER]: 'orders_app',
        [DatabaseSecretKeys.SSL_MODE]: 'require',
      });
    });

    test('secretData() adds DB_PASSWORD and DATABASE_URL', () => {
      const data = generic().secretData(SPECIAL_PASSWORD);
      expect(data.DB_PASSWORD).toBe(SPECIAL_PASSWORD);
      expect(parse(data.DATABASE_URL).password).toBe(SPECIAL_PASSWORD);
      expect(Object.keys(data).sort()).toEqual([...DatabaseSecretKeys.connectionKeys(), DatabaseSecretKeys.SSL_MODE].sort());
    });
  });

  describe('validation', () => {
    test('throws for an empty database name', () => {
      expect(() => generic({ databaseName: '' })).toThrow(/DatabaseConnection: databaseName must not be empty \(got ""\)\. Give the database name/);
    });

    test('throws for a database name over 63 bytes', () => {
      expect(() => generic({ databaseName: 'd'.repeat(64) })).toThrow(/DatabaseConnection: databaseName must be at most 63 bytes \(got 64: "d+"\)\. PostgreSQL truncates/);
    });

    test.each(['orders db', 'orders/db', 'orders?x', 'ordérs'])('throws for a database name with invalid characters (%s)', (database) => {
      expect(() => generic({ databaseName: database })).toThrow(/DatabaseConnection: databaseName must be letters, digits, '_', '\$' and '-' \(got ".*"\)\. Rename it/);
    });

    test('throws for an empty user', () => {
      expect(() => generic({ username: '' })).toThrow(/DatabaseConnection: username must not be empty \(got ""\)\. Give the login role/);
    });

    test('throws for a user over 63 bytes', () => {
      expect(() => generic({ username: 'u'.repeat(64) })).toThrow(/DatabaseConnection: username must be at most 63 bytes \(got 64: "u+"\)/);
    });

    test.each(['orders app', 'orders:app', 'orders/app', 'app"'])('throws for a user with invalid characters (%s)', (user) => {
      expect(() => generic({ username: user })).toThrow(/DatabaseConnection: username must be letters, digits, '_', '\.', '\$', '@' and '-' \(got ".*"\)\. Use a plain role name/);
    });

    test('throws for the single-server user@server form on Azure flexible server', () => {
      expect(() => new DatabaseConnection({ provider: DatabaseProvider.azureFlexibleServer({ serverName: 'orders-db' }), databaseName: 'orders', username: 'orders_app@orders-db' }))
        .toThrow(/DatabaseConnection: username must be the plain role name on Azure flexible server \(got "orders_app@orders-db"\)\. The 'user@server' form was for the retired single server; use 'orders_app'\./);
    });

    test.each([
      ['neon', () => DatabaseProvider.neon({ host: NEON }), SslMode.DISABLE],
      ['neon', () => DatabaseProvider.neon({ host: NEON }), SslMode.PREFER],
      ['aws-rds', () => DatabaseProvider.awsRds({ host: RDS }), SslMode.DISABLE],
      ['azure-flexible-server', () => DatabaseProvider.azureFlexibleServer({ serverName: 'orders-db' }), SslMode.ALLOW],
      ['cloud-sql-private-ip', () => DatabaseProvider.cloudSqlPrivateIp({ privateIp: '10.0.0.3' }), SslMode.DISABLE],
    ])('throws when provider %s requires TLS and sslMode is too weak', (kind, provider, sslMode) => {
      expect(() => new DatabaseConnection({ provider: provider(), databaseName: 'orders', username: 'app', sslMode }))
        .toThrow(new RegExp(`DatabaseConnection: sslMode '${sslMode.value}' is refused for provider '${kind}': .*\\. Use 'require' or stronger`));
    });

    test('generic PostgreSQL accepts disable when asked for explicitly', () => {
      expect(generic({ sslMode: SslMode.DISABLE }).params.sslmode).toBe('disable');
    });

    test('throws for sslmode require through the Cloud SQL Auth Proxy, whose local listener has no TLS', () => {
      expect(() => new DatabaseConnection({
        provider: DatabaseProvider.cloudSqlAuthProxy({ instanceConnectionName: 'my-project:europe-west1:orders-db' }),
        databaseName: 'orders',
        username: 'app',
        sslMode: SslMode.REQUIRE,
      })).toThrow(/DatabaseConnection: sslMode 'require' cannot work with provider 'cloud-sql-auth-proxy': the Cloud SQL Auth Proxy listens in plain text on 127\.0\.0\.1.*\. Use 'disable'\./);
    });

    test.each([SslMode.VERIFY_CA, SslMode.VERIFY_FULL])('throws for %s without a CA path', (sslMode) => {
      expect(() => generic({ sslMode })).toThrow(new RegExp(`DatabaseConnection: sslMode '${sslMode.value}' needs caPath, the CA bundle that signed the server certificate \\(got none\\)\\. Mount the CA`));
    });

    test('throws for a relative caPath', () => {
      expect(() => generic({ sslMode: SslMode.VERIFY_FULL, caPath: 'ca.pem' })).toThrow(/DatabaseConnection: caPath must be an absolute file path without spaces or '\.\.' \(got "ca.pem"\)/);
    });

    test('throws for an sslmode outside the six libpq values', () => {
      expect(() => generic({ sslMode: SslMode.of('strict') })).toThrow(/SslMode: unknown sslmode 'strict'\. Use one of disable, allow, prefer, require, verify-ca, verify-full\./);
    });

    test.each([0, 1, 2.5])('throws for connectTimeoutSeconds %p', (connectTimeoutSeconds) => {
      expect(() => generic({ connectTimeoutSeconds })).toThrow(new RegExp(`DatabaseConnection: connectTimeoutSeconds must be a whole number of at least 2 \\(got ${connectTimeoutSeconds}\\)\\. libpq treats smaller values as 2`));
    });

    test('throws for a non-positive statementTimeoutMs', () => {
      expect(() => generic({ statementTimeoutMs: 0 })).toThrow(/DatabaseConnection: statementTimeoutMs must be a whole number of at least 1 \(got 0\)\. Give milliseconds/);
    });

    test('throws for statementTimeoutMs through a transaction-mode pooler', () => {
      expect(() => new DatabaseConnection({ provider: DatabaseProvider.neon({ host: NEON, pooled: true }), databaseName: 'neondb', username: 'alex', statementTimeoutMs: 5000 }))
        .toThrow(/DatabaseConnection: statementTimeoutMs cannot be sent through the transaction-mode pooler of provider 'neon' \(got 5000\)\. Set it on the role instead/);
    });

    test.each(['', 'x'.repeat(64), 'orders\napi', 'ordérs'])('throws for applicationName %j', (applicationName) => {
      expect(() => generic({ applicationName })).toThrow(/DatabaseConnection: applicationName must be 1-63 printable ASCII characters \(got .*\)\. PostgreSQL truncates/);
    });

    test.each(['sslmode', 'password', 'SSLROOTCERT', 'options'])('throws for extraParams overriding %s', (key) => {
      expect(() => generic({ extraParams: { [key]: 'x' } })).toThrow(new RegExp(`DatabaseConnection: extraParams must not set '${key}' \\(got "x"\\)\\. Use the typed prop instead`));
    });

    test('throws for an extraParams key that is not a libpq parameter name', () => {
      expect(() => generic({ extraParams: { 'target session': 'x' } })).toThrow(/DatabaseConnection: extraParams key "target session" is not a libpq parameter name/);
    });

    test('throws for an empty password', () => {
      expect(() => generic().url('')).toThrow(/DatabaseConnection: password must not be empty\. Pass the role's password, or use urlTemplate\(\)/);
    });

    test('throws when building a URL for an unresolved host token', () => {
      const c = new DatabaseConnection({ provider: DatabaseProvider.awsRds({ host: '${Token[TOKEN.42]}' }), databaseName: 'orders', username: 'app' });
      expect(c.parts().DB_HOST).toBe('${Token[TOKEN.42]}');
      expect(() => c.url('pw')).toThrow(/DatabaseConnection: cannot build a URL while host is an unresolved token \(\$\{Token\[TOKEN.42\]\}\)\. Build the URL where the host is known/);
    });
  });
});
