import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { DatabaseEnvOptions, SslMode } from '../../src/core';
import { DatabaseEnvironment } from '../../src/k8s/database-env';

describe('DatabaseEnvironment', () => {
  let chart: Chart;
  let secret: kplus.ISecret;
  beforeEach(() => {
    chart = Testing.chart();
    secret = kplus.Secret.fromSecretName(chart, 'Secret', 'app-db-secret');
  });

  /** Synthesized env of a container using the helper, as name -> value or `secret:<key>`. */
  function env(options: DatabaseEnvOptions = {}): Record<string, string> {
    new kplus.Deployment(chart, 'App', { containers: [{ image: 'app:1.0.0', envVariables: DatabaseEnvironment.envVariables(secret, options) }] });
    const vars = Testing.synth(chart)[0].spec.template.spec.containers[0].env;
    return Object.fromEntries(vars.map((v: any) => [v.name, v.value ?? `secret:${v.valueFrom.secretKeyRef.key}`]));
  }

  test('gives the contract keys as secretKeyRefs and the seed environment block with its defaults', () => {
    expect(env()).toEqual({
      DB_HOST: 'secret:DB_HOST',
      DB_PORT: 'secret:DB_PORT',
      DB_NAME: 'secret:DB_NAME',
      DB_USER: 'secret:DB_USER',
      DB_PASSWORD: 'secret:DB_PASSWORD',
      DATABASE_URL: 'secret:DATABASE_URL',
      DB_SSL_MODE: 'require',
      DB_POOL_SIZE: '10',
      DB_TIMEOUT: '30',
      DB_MAX_OVERFLOW: '20',
      DB_POOL_RECYCLE: '3600',
      DB_POOL_PRE_PING: 'true',
      DB_CONNECT_TIMEOUT: '10',
      DB_COMMAND_TIMEOUT: '30',
      DB_IDLE_IN_TRANSACTION_SESSION_TIMEOUT: '300',
    });
  });

  test('overrides every setting and sets the certificate paths', () => {
    const e = env({
      sslMode: SslMode.VERIFY_FULL,
      poolSize: 4,
      maxOverflow: 0,
      poolRecycleSeconds: 600,
      poolPrePing: false,
      connectTimeoutSeconds: 5,
      commandTimeoutSeconds: 15,
      idleInTransactionSessionTimeoutSeconds: 60,
      sslRootCertPath: '/etc/db-ca/ca.pem',
      sslCertPath: '/etc/db-client/tls.crt',
      sslKeyPath: '/etc/db-client/tls.key',
    });
    expect(e).toMatchObject({
      DB_SSL_MODE: 'verify-full',
      DB_POOL_SIZE: '4',
      DB_TIMEOUT: '15',
      DB_MAX_OVERFLOW: '0',
      DB_POOL_RECYCLE: '600',
      DB_POOL_PRE_PING: 'false',
      DB_CONNECT_TIMEOUT: '5',
      DB_COMMAND_TIMEOUT: '15',
      DB_IDLE_IN_TRANSACTION_SESSION_TIMEOUT: '60',
      DB_SSL_ROOT_CERT_PATH: '/etc/db-ca/ca.pem',
      DB_SSL_CERT_PATH: '/etc/db-client/tls.crt',
      DB_SSL_KEY_PATH: '/etc/db-client/tls.key',
    });
  });

  test('maps contract keys to the Secret keys and leaves unmapped keys out', () => {
    const e = env({ keyMapping: { DATABASE_URL: 'database-url', DB_PASSWORD: 'password' } });
    expect(e.DATABASE_URL).toBe('secret:database-url');
    expect(e.DB_PASSWORD).toBe('secret:password');
    expect(e.DB_HOST).toBeUndefined();
  });

  test('renames variables with envNames', () => {
    expect(env({ envNames: { DATABASE_URL: 'SQLALCHEMY_DATABASE_URI' } }).SQLALCHEMY_DATABASE_URI).toBe('secret:DATABASE_URL');
  });

  test('throws on a negative maxOverflow', () => {
    expect(() => DatabaseEnvironment.envVariables(secret, { maxOverflow: -1 })).toThrow(/maxOverflow must be a whole number of at least 0 \(got -1\)/);
  });
  test('throws on a zero poolRecycleSeconds', () => {
    expect(() => DatabaseEnvironment.envVariables(secret, { poolRecycleSeconds: 0 })).toThrow(/poolRecycleSeconds must be a whole number of at least 1 \(got 0\)/);
  });
  test('throws on a fractional connectTimeoutSeconds', () => {
    expect(() => DatabaseEnvironment.envVariables(secret, { connectTimeoutSeconds: 2.5 })).toThrow(/connectTimeoutSeconds must be a whole number of at least 1 \(got 2.5\)/);
  });
  test('throws on a zero commandTimeoutSeconds', () => {
    expect(() => DatabaseEnvironment.envVariables(secret, { commandTimeoutSeconds: 0 })).toThrow(/commandTimeoutSeconds must be a whole number of at least 1/);
  });
  test('throws on a zero idleInTransactionSessionTimeoutSeconds', () => {
    expect(() => DatabaseEnvironment.envVariables(secret, { idleInTransactionSessionTimeoutSeconds: 0 })).toThrow(/idleInTransactionSessionTimeoutSeconds must be a whole number/);
  });
  test('throws on a client certificate without its key', () => {
    expect(() => DatabaseEnvironment.envVariables(secret, { sslCertPath: '/etc/c.crt' })).toThrow(/sslCertPath and sslKeyPath go together/);
  });
  test('throws on a relative certificate path', () => {
    expect(() => DatabaseEnvironment.envVariables(secret, { sslRootCertPath: 'ca.pem' })).toThrow(/DatabaseEnv: sslRootCertPath must be an absolute file path without spaces or '\.\.' \(got "ca.pem"\)/);
  });
  test('throws on a pool size below 1 (the shared env helper rule)', () => {
    expect(() => DatabaseEnvironment.envVariables(secret, { poolSize: 0 })).toThrow(/DatabaseEnv: poolSize must be a whole number of at least 1/);
  });
});
