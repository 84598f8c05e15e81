import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { SslMode } from '../../src/core';
import { AppDatabaseSecret } from '../../src/k8s';
import { DatabaseEnvironment } from '../../src/k8s/database-env';
import { expectK8sValid, expectNoSecrets } from '../harness';

const HOST = 'postgres-service.production.svc.cluster.local';

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
    new AppDatabaseSecret(chart, 'Db', { appName: 'example_app', host: HOST });
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

  test('defaults port to 5432 and sslMode to require', () => {
    const s = new AppDatabaseSecret(chart, 'Db', { appName: 'app', host: HOST });
    expect(s.port).toBe(5432);
    expect(s.sslMode).toBe(SslMode.REQUIRE);
  });

  test('takes every name, port, ssl mode and label from props', () => {
    const s = new AppDatabaseSecret(chart, 'Db', {
      appName: 'app',
      host: HOST,
      port: 6432,
      databaseName: 'Custom_Db',
      username: 'custom_user',
      secretName: 'custom-secret',
      sslMode: SslMode.DISABLE,
      labels: { team: 'a' },
    });
    const doc = secretDoc();
    expect(doc.metadata.name).toBe('custom-secret');
    expect(doc.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'app', 'app.kubernetes.io/component': 'database-credentials', 'team': 'a' });
    expect(doc.stringData).toMatchObject({ DB_PORT: '6432', DB_NAME: 'Custom_Db', DB_USER: 'custom_user', DB_SSL_MODE: 'disable' });
    expect(s.urlPrefix).toBe('postgresql://custom_user:');
    expect(s.urlSuffix).toBe(`@${HOST}:6432/Custom_Db?sslmode=disable`);
  });

  test('gives an app container secretKeyRefs for the six keys and the seed 000 settings', () => {
    // GIVEN
    const s = new AppDatabaseSecret(chart, 'Db', { appName: 'example_app', host: HOST });
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
    const s = new AppDatabaseSecret(chart, 'Db', { appName: 'app', host: HOST, sslMode: SslMode.PREFER });
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
      new AppDatabaseSecret(c, 'Db', { appName: 'example_app', host: HOST });
      return app.synthYaml();
    };
    const first = render();
    expect(render()).toBe(first);
    expect(first).not.toMatch(/DB_PASSWORD|DATABASE_URL/);
    expectNoSecrets([{ label: 'secret.yaml', text: first }]);
  });

  describe('validation', () => {
    const make = (props: any) => () => new AppDatabaseSecret(Testing.chart(), 'Db', { appName: 'app', host: HOST, ...props });
    test('throws for an app name that is not usable in names', () => {
      expect(make({ appName: 'My App' })).toThrow(/AppDatabaseSecret: appName must be lower-case letters, digits, '_' or '-'.*got "My App"/);
    });
    test('throws for an app name longer than 46 characters', () => {
      expect(make({ appName: 'a'.repeat(47) })).toThrow(/AppDatabaseSecret: appName must be at most 46 characters/);
    });
    test('throws for a host that is not a DNS name', () => {
      expect(make({ host: 'db host' })).toThrow(/AppDatabaseSecret: host must be a DNS-1123 subdomain.*got "db host"/);
    });
    test('throws for port 0', () => {
      expect(make({ port: 0 })).toThrow(/AppDatabaseSecret: port must be a whole number from 1 to 65535 \(got 0\)/);
    });
    test('throws for port 70000', () => {
      expect(make({ port: 70000 })).toThrow(/AppDatabaseSecret: port must be a whole number from 1 to 65535 \(got 70000\)/);
    });
    test('throws for the reserved database postgres', () => {
      expect(make({ databaseName: 'postgres' })).toThrow(/AppDatabaseSecret: databaseName must not be a reserved database \(got "postgres"\)/);
    });
    test('throws for the reserved database template1', () => {
      expect(make({ databaseName: 'template1' })).toThrow(/AppDatabaseSecret: databaseName must not be a reserved database \(got "template1"\)/);
    });
    test('throws for a database name longer than 63 bytes', () => {
      expect(make({ databaseName: 'd'.repeat(64) })).toThrow(/AppDatabaseSecret: databaseName must be at most 63 bytes/);
    });
    test('throws for a database name with SQL in it', () => {
      expect(make({ databaseName: 'a; DROP TABLE x' })).toThrow(/AppDatabaseSecret: databaseName must be a PostgreSQL identifier/);
    });
    test('throws for a user name with a quote', () => {
      expect(make({ username: "o'brien" })).toThrow(/AppDatabaseSecret: username must be a PostgreSQL identifier/);
    });
    test('throws for the superuser as app user', () => {
      expect(make({ username: 'postgres' })).toThrow(/AppDatabaseSecret: username must not be the reserved role name "postgres"/);
    });
    test('throws for a pg_ user name', () => {
      expect(make({ username: 'pg_read_all_data' })).toThrow(/AppDatabaseSecret: username must not start with 'pg_'/);
    });
    test('throws for a Secret name that is not DNS-1123', () => {
      expect(make({ secretName: 'App_Secret' })).toThrow(/AppDatabaseSecret: secretName must be a DNS-1123 subdomain.*got "App_Secret"/);
    });
  });
});
