import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { AppDatabaseNames, DatabaseSecretKeys, SslMode } from '../../src/core';
import { AppDatabaseSecret, AppDatabaseSecretProps } from '../../src/k8s';
import { DatabaseEnvironment } from '../../src/k8s/database-env';
import { expectK8sValid, expectNoSecrets } from '../harness';

const HOST = 'postgres-service.production.svc.cluster.local';
const EXAMPLE_APP = AppDatabaseNames.of('example_app');

describe('AppDatabaseSecret', () => {
  let chart: Chart;
  beforeEach(() => {
    chart = Testing.chart();
  });

  function secretDoc(): any {
    return Testing.synth(chart).find((d: any) => d.kind === 'Secret');
  }

  test('writes only the non-secret keys, with seed 001 names by default', () => {
    // WHEN
    new AppDatabaseSecret(chart, 'Db', { names: EXAMPLE_APP, host: HOST });
    // THEN
    const doc = secretDoc();
    expect(doc.metadata.name).toBe('example-app-db-secret');
    expect(doc.stringData).toEqual({
      DB_HOST: HOST,
      DB_PORT: '5432',
      DB_NAME: 'example_app_db',
      DB_USER: 'example_app_user',
      DB_SSL_MODE: 'require',
    });
    expect(doc.data).toBeUndefined();
    expect(doc.immutable).toBe(false);
    expectK8sValid(chart);
  });

  test('defaults port to 5432, sslMode to require and the namespace to the chart\'s', () => {
    const s = new AppDatabaseSecret(chart, 'Db', { names: AppDatabaseNames.of('app'), host: HOST });
    expect(s.connection.port).toBe(5432);
    expect(s.sslMode).toBe(SslMode.REQUIRE);
    expect(s.namespace).toBeUndefined();
    const namespaced = new AppDatabaseSecret(new Chart(new App(), 'c', { namespace: 'stage' }), 'Db', { names: AppDatabaseNames.of('app'), host: HOST });
    expect(namespaced.namespace).toBe('stage');
  });

  test('takes every name, port, ssl mode, namespace and label from props', () => {
    const s = new AppDatabaseSecret(chart, 'Db', {
      names: AppDatabaseNames.of('app', { databaseName: 'Custom_Db', username: 'custom_user', secretName: 'custom-secret' }),
      host: HOST,
      port: 6432,
      sslMode: SslMode.DISABLE,
      namespace: 'stage',
      labels: { team: 'a' },
    });
    const doc = secretDoc();
    expect(doc.metadata.name).toBe('custom-secret');
    expect(doc.metadata.namespace).toBe('stage');
    expect(doc.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'app', 'app.kubernetes.io/component': 'database-credentials', 'team': 'a' });
    expect(doc.stringData).toMatchObject({ DB_PORT: '6432', DB_NAME: 'Custom_Db', DB_USER: 'custom_user', DB_SSL_MODE: 'disable' });
    expect(s.secretName).toBe('custom-secret');
    expect(s.connection.url('pw')).toBe(`postgresql://custom_user:pw@${HOST}:6432/Custom_Db?sslmode=disable&connect_timeout=10`);
  });

  test('writes the keys of the one connection contract (DatabaseSecretKeys.valuesFor)', () => {
    const s = new AppDatabaseSecret(chart, 'Db', { names: EXAMPLE_APP, host: HOST, sslMode: SslMode.PREFER });
    expect(secretDoc().stringData).toEqual(DatabaseSecretKeys.valuesFor(s.connection.details));
  });

  test('builds DATABASE_URL like every other connection: connect_timeout, and an IPv6 host in brackets', () => {
    const s = new AppDatabaseSecret(chart, 'Db', { names: EXAMPLE_APP, host: 'fd00::5', sslMode: SslMode.DISABLE });
    expect(secretDoc().stringData.DB_HOST).toBe('fd00::5');
    expect(s.connection.url('Secret1')).toBe('postgresql://example_app_user:Secret1@[fd00::5]:5432/example_app_db?sslmode=disable&connect_timeout=10');
  });

  test('verify-full with a CA path puts sslrootcert into the URL', () => {
    const s = new AppDatabaseSecret(chart, 'Db', { names: EXAMPLE_APP, host: HOST, sslMode: SslMode.VERIFY_FULL, caPath: '/etc/db-ca/ca.pem' });
    expect(s.connection.url('pw')).toContain('?sslmode=verify-full&sslrootcert=%2Fetc%2Fdb-ca%2Fca.pem&connect_timeout=10');
  });

  test('gives an app container secretKeyRefs for the six keys and the seed 000 settings', () => {
    // GIVEN
    const s = new AppDatabaseSecret(chart, 'Db', { names: EXAMPLE_APP, host: HOST });
    // WHEN
    new kplus.Deployment(chart, 'App', {
      containers: [{ image: 'example/app:1.0.0', portNumber: 8080, envVariables: s.envVariables({ envNames: { DB_HOST: 'DATABASE_HOST' } }) }],
    });
    // THEN
    const dep = Testing.synth(chart).find((d: any) => d.kind === 'Deployment');
    const env = dep.spec.template.spec.containers[0].env;
    const ref = (name: string) => env.find((e: any) => e.name === name);
    expect(ref('DATABASE_HOST').valueFrom.secretKeyRef).toEqual({ name: 'example-app-db-secret', key: 'DB_HOST' });
    for (const key of ['DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASSWORD', 'DATABASE_URL']) {
      expect(ref(key).valueFrom.secretKeyRef).toEqual({ name: 'example-app-db-secret', key });
    }
    expect(ref('DB_SSL_MODE').value).toBe('require');
    expect(ref('DB_POOL_SIZE').value).toBe('10');
    expect(ref('DB_TIMEOUT').value).toBe('30');
    expectK8sValid(chart);
  });

  test('uses its own ssl mode for DB_SSL_MODE unless overridden', () => {
    const s = new AppDatabaseSecret(chart, 'Db', { names: AppDatabaseNames.of('app'), host: HOST, sslMode: SslMode.PREFER });
    expect(s.envVariables().DB_SSL_MODE.value).toBe('prefer');
    expect(s.envVariables({ sslMode: SslMode.VERIFY_FULL }).DB_SSL_MODE.value).toBe('verify-full');
  });

  test('gives the same env for any Secret following the contract', () => {
    const existing = kplus.Secret.fromSecretName(chart, 'Existing', 'neon-credentials');
    const env = DatabaseEnvironment.envVariables(existing);
    expect(Object.keys(env)).toEqual(['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASSWORD', 'DATABASE_URL', 'DB_SSL_MODE', 'DB_POOL_SIZE',
      'DB_MAX_OVERFLOW', 'DB_POOL_RECYCLE', 'DB_POOL_PRE_PING', 'DB_CONNECT_TIMEOUT', 'DB_COMMAND_TIMEOUT', 'DB_TIMEOUT', 'DB_IDLE_IN_TRANSACTION_SESSION_TIMEOUT']);
    expect(env.DB_PASSWORD.valueFrom).toEqual({ secretKeyRef: { name: 'neon-credentials', key: 'DB_PASSWORD' } });
  });

  test('synthesizes the same bytes twice and holds no password', () => {
    const render = () => {
      const app = new App();
      const c = new Chart(app, 'c', { namespace: 'production' });
      new AppDatabaseSecret(c, 'Db', { names: EXAMPLE_APP, host: HOST });
      return app.synthYaml();
    };
    const first = render();
    expect(render()).toBe(first);
    expect(first).not.toMatch(/DB_PASSWORD|DATABASE_URL/);
    expectNoSecrets([{ label: 'secret.yaml', text: first }]);
  });

  describe('validation', () => {
    const make = (props: Partial<AppDatabaseSecretProps>) => () => new AppDatabaseSecret(Testing.chart(), 'Db', { names: AppDatabaseNames.of('app'), host: HOST, ...props });
    test('throws for a host with a space', () => {
      expect(make({ host: 'db host' })).toThrow(/AppDatabaseSecret: host must not contain spaces .*\(got "db host"\)/);
    });
    test('throws for a host with a scheme', () => {
      expect(make({ host: 'postgres://db' })).toThrow(/AppDatabaseSecret: host must be a bare host name without a scheme/);
    });
    test('throws for port 0', () => {
      expect(make({ port: 0 })).toThrow(/AppDatabaseSecret: port must be a whole number from 1 to 65535 \(got 0\)/);
    });
    test('throws for port 70000', () => {
      expect(make({ port: 70000 })).toThrow(/AppDatabaseSecret: port must be a whole number from 1 to 65535 \(got 70000\)/);
    });
    test('throws for a relative CA path', () => {
      expect(make({ caPath: 'ca.pem' })).toThrow(/AppDatabaseSecret: caPath must be an absolute file path/);
    });
    test('throws for a namespace that is not a DNS-1123 label', () => {
      expect(make({ namespace: 'Stage' })).toThrow(/AppDatabaseSecret: namespace must be a DNS-1123 label.*\(got "Stage"\)/);
    });
    test('throws for a bad label, listing every problem in one message', () => {
      expect(make({ port: 0, labels: { team: 'has space' } })).toThrow(/AppDatabaseSecret: port must be .* \(and 1 more: labels value "has space"/);
    });
    test('throws for verify-full without a CA path (the connection contract needs sslrootcert)', () => {
      expect(make({ sslMode: SslMode.VERIFY_FULL })).toThrow(/sslMode 'verify-full' needs caPath/);
    });
  });
});
