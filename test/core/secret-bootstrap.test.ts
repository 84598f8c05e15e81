import { spawnSync } from 'node:child_process';
import { DatabaseConnection, DatabaseProvider, SslMode } from '../../src/core';
import { secretBootstrapScript, urlAroundCredentials, urlAroundPassword } from '../../src/core/private/secret-bootstrap';
import { makeSecretKubectl, toolOrSkip } from '../harness';

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

  test('with mirrorPasswordKey generates one password into both keys, and copies an existing one to the mirror when they differ', () => {
    const script = secretBootstrapScript({ secretName: 's', passwordKey: 'DB_PASSWORD', mirrorPasswordKey: 'password', urlKey: 'DATABASE_URL', connection: connection('db') });
    expect(script).toContain('"data":{"DB_PASSWORD":"%s","password":"%s","DATABASE_URL":"%s"}}\' "$rv" "$(b64 "$password")" "$(b64 "$password")"');
    expect(script).toContain('if [ "$current" != "$current_mirror" ]');
  });

  test('writes the URL prefix and suffix into the script, shell-quoted', () => {
    const script = secretBootstrapScript({ secretName: 's', passwordKey: 'DB_PASSWORD', urlKey: 'DATABASE_URL', connection: connection('db') });
    expect(script).toContain("url_prefix='postgresql://app_user:'");
    expect(script).toContain("url_suffix='@db:5432/app_db?sslmode=disable&connect_timeout=10'");
  });
});

describe('secret-bootstrap script for a login that alternates (userKey), run with a fake kubectl', () => {
  const conn = connection('postgres-service.stage.svc.cluster.local', { username: 'shop_user', databaseName: 'shop_db' });
  const script = secretBootstrapScript({ secretName: 'shop-db-secret', passwordKey: 'DB_PASSWORD', urlKey: 'DATABASE_URL', connection: conn, userKey: 'DB_USER' });
  const url = (user: string, password: string) => `postgresql://${user}:${password}@postgres-service.stage.svc.cluster.local:5432/shop_db?sslmode=disable&connect_timeout=10`;
  const b64 = (t: string) => Buffer.from(t).toString('base64');
  const withSecret = (data: Record<string, string>) => makeSecretKubectl({
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 'shop-db-secret', namespace: 'stage' }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  });
  const run = (fake: ReturnType<typeof makeSecretKubectl>) => spawnSync('/bin/sh', ['-c', script], { encoding: 'utf-8', env: fake.env() });

  test('splits the URL around user and password, so scheme + user + \':\' + password + suffix is the URL of that login', () => {
    const { scheme, suffix } = urlAroundCredentials(conn);
    expect(scheme).toBe('postgresql://');
    const clone = connection('postgres-service.stage.svc.cluster.local', { username: 'shop_user_clone', databaseName: 'shop_db' });
    expect(`${scheme}shop_user_clone:Pw0rd${suffix}`).toBe(clone.url('Pw0rd'));
  });

  test('fills in DB_USER with the app\'s user, a new password and its URL when the Secret has none of them', () => {
    if (!toolOrSkip('kubectl')) return;
    const fake = withSecret({ DB_HOST: 'postgres-service.stage.svc.cluster.local' });
    try {
      const res = run(fake);
      expect(res.stderr).toBe('');
      const data = fake.data();
      expect(data.DB_USER).toBe('shop_user');
      expect(data.DATABASE_URL).toBe(url('shop_user', data.DB_PASSWORD));
      expect(res.stdout).toBe('secret-bootstrap: generated DB_PASSWORD for login shop_user in Secret shop-db-secret.\n');
    } finally {
      fake.remove();
    }
  });

  test('keeps the login and password a rotation left, and rewrites only a stale URL', () => {
    if (!toolOrSkip('kubectl')) return;
    const fake = withSecret({ DB_USER: 'shop_user_clone', DB_PASSWORD: 'RotatedPassw0rd', DATABASE_URL: 'postgresql://shop_user_clone:RotatedPassw0rd@old-host:5432/shop_db' });
    try {
      expect(run(fake).stderr).toBe('');
      expect(fake.data()).toEqual({ DB_USER: 'shop_user_clone', DB_PASSWORD: 'RotatedPassw0rd', DATABASE_URL: url('shop_user_clone', 'RotatedPassw0rd') });
      const rv = fake.secret().metadata.resourceVersion;
      expect(run(fake).stdout).toBe('secret-bootstrap: Secret shop-db-secret already has DB_PASSWORD; leaving it unchanged.\n');
      expect(fake.secret().metadata.resourceVersion).toBe(rv);
    } finally {
      fake.remove();
    }
  });

  test('gives the login the Secret names a new password when only the password was removed', () => {
    if (!toolOrSkip('kubectl')) return;
    const fake = withSecret({ DB_USER: 'shop_user_clone' });
    try {
      expect(run(fake).stderr).toBe('');
      const data = fake.data();
      expect(data.DB_USER).toBe('shop_user_clone');
      expect(data.DATABASE_URL).toBe(url('shop_user_clone', data.DB_PASSWORD));
    } finally {
      fake.remove();
    }
  });

  test('writes the URL of a pre-set password percent-encoded, as encodeURIComponent does', () => {
    if (!toolOrSkip('kubectl')) return;
    const preset = "p@ss/wörd %+&?#:;=!~*()' x\"\\";
    const fake = withSecret({ DB_USER: 'shop_user', DB_PASSWORD: preset });
    try {
      expect(run(fake).stderr).toBe('');
      expect(fake.data()).toEqual({ DB_USER: 'shop_user', DB_PASSWORD: preset, DATABASE_URL: url('shop_user', encodeURIComponent(preset)) });
      expect(new URL(fake.data().DATABASE_URL).password).toBe(encodeURIComponent(preset));
    } finally {
      fake.remove();
    }
  });

  test('fills in a missing DB_USER next to a kept password, with the URL for the app\'s user', () => {
    if (!toolOrSkip('kubectl')) return;
    const fake = withSecret({ DB_PASSWORD: 'KeptPassw0rd', DATABASE_URL: url('shop_user', 'KeptPassw0rd') });
    try {
      expect(run(fake).stderr).toBe('');
      expect(fake.data()).toEqual({ DB_USER: 'shop_user', DB_PASSWORD: 'KeptPassw0rd', DATABASE_URL: url('shop_user', 'KeptPassw0rd') });
    } finally {
      fake.remove();
    }
  });
});
