import { DatabaseEnv, DatabaseSecretKeys, SslMode } from '../../src/core';

describe('DatabaseEnv', () => {
  test('reads the six contract keys from the Secret and adds every setting with its default, each once', () => {
    const env = DatabaseEnv.describe();
    expect(env).toEqual([
      { name: 'DB_HOST', secretKey: 'DB_HOST' },
      { name: 'DB_PORT', secretKey: 'DB_PORT' },
      { name: 'DB_NAME', secretKey: 'DB_NAME' },
      { name: 'DB_USER', secretKey: 'DB_USER' },
      { name: 'DB_PASSWORD', secretKey: 'DB_PASSWORD' },
      { name: 'DATABASE_URL', secretKey: 'DATABASE_URL' },
      { name: 'DB_SSL_MODE', value: 'require' },
      { name: 'DB_POOL_SIZE', value: '10' },
      { name: 'DB_MAX_OVERFLOW', value: '20' },
      { name: 'DB_POOL_RECYCLE', value: '3600' },
      { name: 'DB_POOL_PRE_PING', value: 'true' },
      { name: 'DB_CONNECT_TIMEOUT', value: '10' },
      { name: 'DB_COMMAND_TIMEOUT', value: '30' },
      { name: 'DB_TIMEOUT', value: '30' },
      { name: 'DB_IDLE_IN_TRANSACTION_SESSION_TIMEOUT', value: '300' },
    ]);
    expect(new Set(env.map((e) => e.name)).size).toBe(env.length);
  });

  test('renames, overrides and extends', () => {
    const env = DatabaseEnv.describe({
      sslMode: SslMode.VERIFY_FULL,
      poolSize: 5,
      commandTimeoutSeconds: 60,
      omitDatabaseUrl: true,
      envNames: { DB_HOST: 'DATABASE_HOST' },
      extraSettings: { DB_SCHEMA: 'orders' },
    });
    expect(env).toContainEqual({ name: 'DATABASE_HOST', secretKey: 'DB_HOST' });
    expect(env).toContainEqual({ name: 'DB_SSL_MODE', value: 'verify-full' });
    expect(env).toContainEqual({ name: 'DB_POOL_SIZE', value: '5' });
    expect(env).toContainEqual({ name: 'DB_TIMEOUT', value: '60' });
    expect(env).toContainEqual({ name: 'DB_COMMAND_TIMEOUT', value: '60' });
    expect(env).toContainEqual({ name: 'DB_SCHEMA', value: 'orders' });
    expect(env.map((e) => e.name)).not.toContain('DATABASE_URL');
  });

  test('reads mapped Secret keys and leaves unmapped contract keys out', () => {
    const env = DatabaseEnv.describe({ keyMapping: { [DatabaseSecretKeys.URL]: 'database-url' } });
    expect(env.filter((e) => e.secretKey !== undefined)).toEqual([{ name: 'DATABASE_URL', secretKey: 'database-url' }]);
  });

  test('throws for a pool size of 0', () => {
    expect(() => DatabaseEnv.describe({ poolSize: 0 })).toThrow(/DatabaseEnv: poolSize must be a whole number of at least 1 \(got 0\)/);
  });

  test('throws for a command timeout of 0', () => {
    expect(() => DatabaseEnv.describe({ commandTimeoutSeconds: 0 })).toThrow(/DatabaseEnv: commandTimeoutSeconds must be a whole number of at least 1 \(got 0\)/);
  });

  test('throws when two variables get the same name', () => {
    expect(() => DatabaseEnv.describe({ envNames: { DB_HOST: 'DB_PORT' } }))
      .toThrow(/DatabaseEnv: envNames gives DB_HOST and DB_PORT the same name "DB_PORT"\. Give each variable its own name\./);
  });

  test('throws when envNames renames a variable that does not exist', () => {
    expect(() => DatabaseEnv.describe({ envNames: { DB_HOSTNAME: 'HOST' } }))
      .toThrow(/DatabaseEnv: envNames renames "DB_HOSTNAME", which is not a variable here\. Rename only DB_HOST, /);
  });

  test('throws when a new name is not an environment variable name', () => {
    expect(() => DatabaseEnv.describe({ envNames: { DB_HOST: 'db-host' } }))
      .toThrow(/DatabaseEnv: envNames\.DB_HOST must be an environment variable name of letters, digits and '_', not starting with a digit \(got "db-host"\)/);
  });

  test('throws for a keyMapping without DATABASE_URL, collecting every problem in one message', () => {
    expect(() => DatabaseEnv.describe({ keyMapping: { DB_USER: 'user', DB_HOSTNAME: 'h' }, poolSize: 0 }))
      .toThrow(/^DatabaseEnv: poolSize must be a whole number of at least 1 \(got 0\)\. Use e\.g\. 10\. \(and 2 more: keyMapping has "DB_HOSTNAME", which is not a connection key\..* keyMapping must map DATABASE_URL/);
  });
});
