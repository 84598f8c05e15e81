import { DatabaseConnection, DatabaseProvider, SslMode } from '../../src/core';
import { secretBootstrapScript, urlAroundPassword } from '../../src/core/private/secret-bootstrap';

function connection(host: string, extra: Partial<{ username: string; databaseName: string; sslMode: SslMode }> = {}): DatabaseConnection {
  return new DatabaseConnection({
    provider: DatabaseProvider.postgres({ host, port: 5432 }),
    databaseName: extra.databaseName ?? 'app_db',
    username: extra.username ?? 'app_user',
    sslMode: extra.sslMode ?? SslMode.DISABLE,
  });
}

describe('secret-bootstrap script', () => {
  test('generates 32 alphanumeric characters and writes only the password key without urlKey', () => {
    const script = secretBootstrapScript({ secretName: 'postgres-superuser', passwordKey: 'POSTGRES_PASSWORD' });
    expect(script).toContain("tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32");
    expect(script).toContain('"data":{"POSTGRES_PASSWORD":"%s"}');
    expect(script).not.toContain('url_prefix');
  });

  test('splits the connection URL around the password, so prefix + password + suffix is url(password)', () => {
    for (const c of [connection('db.example.com'), connection('::1'), connection('10.0.0.7', { username: 'User', databaseName: 'Shop_Data' })]) {
      const { prefix, suffix } = urlAroundPassword(c);
      expect(prefix + 'Passw0rdOnlyLetters' + suffix).toBe(c.url('Passw0rdOnlyLetters'));
    }
  });

  test('brackets an IPv6 host and adds connect_timeout, as every DATABASE_URL of the library does', () => {
    const { prefix, suffix } = urlAroundPassword(connection('fd00::2'));
    expect(prefix).toBe('postgresql://app_user:');
    expect(suffix).toBe('@[fd00::2]:5432/app_db?sslmode=disable&connect_timeout=10');
  });

  test('writes the URL prefix and suffix into the script, shell-quoted', () => {
    const script = secretBootstrapScript({ secretName: 's', passwordKey: 'DB_PASSWORD', urlKey: 'DATABASE_URL', connection: connection('db') });
    expect(script).toContain("url_prefix='postgresql://app_user:'");
    expect(script).toContain("url_suffix='@db:5432/app_db?sslmode=disable&connect_timeout=10'");
  });
});
