import { App, Chart, Duration, Testing } from 'cdk8s';
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

  test('writes only the non-secret keys, with the default names', () => {
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

  test('gives an app container secretKeyRefs for the six keys and the default connection settings', () => {
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

  test('with rotationInterval leaves DB_USER out of the manifest (it alternates and is filled in the cluster) and names the alternate login', () => {
    const s = new AppDatabaseSecret(chart, 'Db', { names: EXAMPLE_APP, host: HOST, rotationInterval: Duration.days(30) });
    expect(Object.keys(secretDoc().stringData).sort()).toEqual(['DB_HOST', 'DB_NAME', 'DB_PORT', 'DB_SSL_MODE']);
    expect(s.alternateUsername).toBe('example_app_user_clone');
    expect(s.rotationInterval?.toDays()).toBe(30);
    // The app still reads DB_USER from the Secret.
    expect(s.envVariables().DB_USER.valueFrom).toBeDefined();
    expect(new AppDatabaseSecret(chart, 'Plain', { names: AppDatabaseNames.of('plain'), host: HOST }).alternateUsername).toBeUndefined();
  });

  test('with basicAuth is a kubernetes.io/basic-auth Secret with username next to the DB_* keys, and no password', () => {
    const s = new AppDatabaseSecret(chart, 'Db', { names: EXAMPLE_APP, host: HOST, basicAuth: true });
    const m = chart.toJson()[0];
    expect(m.type).toBe('kubernetes.io/basic-auth');
    expect(m.stringData.username).toBe('example_app_user');
    expect(m.stringData.DB_USER).toBe('example_app_user');
    expect(Object.keys(m.stringData)).not.toContain('password');
    expect(s.basicAuth).toBe(true);
  });

  test('without basicAuth writes no type and no username (an Opaque Secret, as before)', () => {
    new AppDatabaseSecret(chart, 'Db', { names: EXAMPLE_APP, host: HOST });
    const m = chart.toJson()[0];
    expect(m.type).toBeUndefined();
    expect(m.stringData.username).toBeUndefined();
  });

  test('throws for basicAuth with rotationInterval', () => {
    expect(() => new AppDatabaseSecret(chart, 'Db', { names: EXAMPLE_APP, host: HOST, basicAuth: true, rotationInterval: Duration.days(30) }))
      .toThrow(/AppDatabaseSecret: basicAuth must not be combined with rotationInterval/);
  });

  describe('rollOnChange', () => {
    const deployment = (id: string) => new kplus.Deployment(chart, id, { containers: [{ image: 'ghcr.io/example/app:1.0.0' }] });
    const annotations = (name: string) => Testing.synth(chart).find((d: any) => d.kind === 'Deployment' && d.metadata.name.includes(name)).metadata.annotations;

    test('annotates the workload for Stakater Reloader with the Secret\'s name', () => {
      const s = new AppDatabaseSecret(chart, 'Db', { names: EXAMPLE_APP, host: HOST });
      s.rollOnChange(deployment('App'));
      expect(annotations('app')).toEqual({ 'secret.reloader.stakater.com/reload': 'example-app-db-secret' });
      expectK8sValid(chart);
    });

    test('keeps Secrets already listed, and lists each one once', () => {
      const d = deployment('App');
      d.metadata.addAnnotation('secret.reloader.stakater.com/reload', 'tls-cert');
      const a = new AppDatabaseSecret(chart, 'A', { names: AppDatabaseNames.of('a'), host: HOST });
      const b = new AppDatabaseSecret(chart, 'B', { names: AppDatabaseNames.of('b'), host: HOST });
      a.rollOnChange(d);
      b.rollOnChange(d);
      a.rollOnChange(d);
      expect(annotations('app')['secret.reloader.stakater.com/reload']).toBe('tls-cert,a-db-secret,b-db-secret');
    });

    test('takes a StatefulSet and a DaemonSet too', () => {
      const s = new AppDatabaseSecret(chart, 'Db', { names: EXAMPLE_APP, host: HOST });
      const containers = [{ image: 'ghcr.io/example/app:1.0.0' }];
      const set = new kplus.StatefulSet(chart, 'Set', { containers, service: new kplus.Service(chart, 'Svc', { ports: [{ port: 80 }] }) });
      const daemons = new kplus.DaemonSet(chart, 'Daemons', { containers });
      s.rollOnChange(set);
      s.rollOnChange(daemons);
      const annotated = Testing.synth(chart).filter((d: any) => d.metadata.annotations?.['secret.reloader.stakater.com/reload'] === 'example-app-db-secret');
      expect(annotated.map((d: any) => d.kind).sort()).toEqual(['DaemonSet', 'StatefulSet']);
    });

    test('accepts a rollout shorter than the rotation interval less an hour', () => {
      const s = new AppDatabaseSecret(chart, 'Db', { names: EXAMPLE_APP, host: HOST, rotationInterval: Duration.days(1) });
      expect(() => s.rollOnChange(deployment('App'), { rolloutSeconds: 86400 - 3600 - 1 })).not.toThrow();
    });

    test('throws when the rollout does not fit inside the time the previous login stays valid', () => {
      const s = new AppDatabaseSecret(chart, 'Db', { names: EXAMPLE_APP, host: HOST, rotationInterval: Duration.days(1) });
      expect(() => s.rollOnChange(deployment('App'), { rolloutSeconds: 86400 - 3600 })).toThrow(
        /AppDatabaseSecret: rolloutSeconds must let every pod move to the new credentials before the previous ones stop working \(got a rollout of 82800 s, while the previous credentials stay valid for 82800 s\).*rotate less often/,
      );
    });

    test('throws for a Job, which Reloader does not roll', () => {
      const s = new AppDatabaseSecret(chart, 'Db', { names: EXAMPLE_APP, host: HOST });
      const job = new kplus.Job(chart, 'Migrate', { containers: [{ image: 'ghcr.io/example/app:1.0.0' }] });
      expect(() => s.rollOnChange(job)).toThrow(/AppDatabaseSecret: rollOnChange needs a Deployment, StatefulSet or DaemonSet \(got a Job ".*"\)/);
    });

    test('throws for a rollout of 0 seconds', () => {
      const s = new AppDatabaseSecret(chart, 'Db', { names: EXAMPLE_APP, host: HOST });
      expect(() => s.rollOnChange(deployment('App'), { rolloutSeconds: 0 })).toThrow(/AppDatabaseSecret: rolloutSeconds must be whole seconds from 1 to 604800 \(got 0 s\)/);
    });
  });

  describe('validation', () => {
    test('throws for a rotation interval under a day', () => {
      expect(() => new AppDatabaseSecret(chart, 'Db', { names: EXAMPLE_APP, host: HOST, rotationInterval: Duration.hours(12) }))
        .toThrow(/AppDatabaseSecret: rotationInterval must be whole seconds from 86400 to 86400000 \(got 43200 s\)/);
    });

    test('throws for a rotating user name with no room for _clone', () => {
      const names = AppDatabaseNames.of('long', { username: 'u'.repeat(58) });
      expect(() => new AppDatabaseSecret(chart, 'Db', { names, host: HOST, rotationInterval: Duration.days(30) }))
        .toThrow(/AppDatabaseSecret: username must be at most 57 bytes \(got "u{58}", 58\): multi-user rotation adds '_clone'/);
    });

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
