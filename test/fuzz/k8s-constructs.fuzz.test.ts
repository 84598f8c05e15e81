import { Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { EDGE_STRINGS, perturb, wildK8sDuration, wildMap, wildNumber, wildString } from './arbitraries';
import { expectManifestsValid, ExternalSecretBatch, fuzzParameters, judge } from './oracle';
import { AppDatabaseNames, DatabaseProvider, SecretsManagerSecretRef, SslMode } from '../../src/core';
import {
  AppDatabaseSecret, CaBundle, CloudSqlAuthProxy, DatabaseInitJob, DatabaseNetworkPolicy, DatabaseSecretSource, ExternalDatabaseSecret,
  ExternalSecretStoreRef, GeneratedPasswordSecret, PgBouncer, PostgresBackup, WaitForDatabase,
} from '../../src/k8s';

/**
 * Every Kubernetes construct on its own under fuzzed props: an error that names the prop, or valid,
 * uniquely named manifests. Each case builds the construct into a fresh chart from its props.
 */
interface Case<T extends object> {
  readonly owners: string[];
  readonly valid: fc.Arbitrary<T>;
  readonly wild: { [K in keyof T]?: fc.Arbitrary<unknown> };
  readonly build: (chart: Construct, props: T) => void;
  readonly mentions?: { [prop: string]: string[] };
}

const dnsLabel = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}[a-z0-9]$/);
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const names = (app: string) => AppDatabaseNames.of(app);

function podOf(chart: Construct): kplus.Deployment {
  return new kplus.Deployment(chart, 'App', { containers: [{ image: 'ghcr.io/example/app:1.0.0', securityContext: { user: 1000 } }] });
}

const CASES: { [name: string]: Case<any> } = {
  AppDatabaseSecret: {
    owners: ['AppDatabaseSecret', 'AppDatabaseNames'],
    valid: fc.record({ app: fc.stringMatching(/^app[a-z0-9]{0,8}$/), host: fc.constantFrom('db.example.com', '10.0.0.7', '::1'), port: opt(fc.integer({ min: 1, max: 65535 })), namespace: opt(dnsLabel), labels: opt(fc.constant({ team: 'orders' })) }),
    wild: { host: wildString(), port: wildNumber(), namespace: wildString(), labels: wildMap(), app: wildString() },
    build: (chart, p) => new AppDatabaseSecret(chart, 'Secret', { names: names(p.app), host: p.host, port: p.port, namespace: p.namespace, labels: p.labels, sslMode: SslMode.DISABLE }),
    mentions: { app: ['appName'] },
  },
  DatabaseInitJob: {
    owners: ['DatabaseInitJob'],
    valid: fc.record({
      superuserSecretName: dnsLabel,
      superuserPasswordKey: opt(fc.constantFrom('POSTGRES_PASSWORD', 'password')),
      connectionLimit: opt(fc.integer({ min: -1, max: 2147483647 })),
      waitTimeoutSeconds: opt(fc.integer({ min: 1, max: 300 })),
      activeDeadlineSeconds: opt(fc.integer({ min: 301, max: 86400 })),
      backoffLimit: opt(fc.integer({ min: 0, max: 100 })),
      podLabels: opt(fc.constant({ 'postgres.example.com/client': 'true' })),
      migrations: opt(fc.record({ image: fc.constant('ghcr.io/example/app:1.2.3'), commands: fc.constant(['python manage.py migrate']) })),
    }),
    wild: {
      superuserSecretName: wildString(),
      superuserPasswordKey: fc.oneof(wildString(), fc.constant('K'.repeat(10_000))),
      connectionLimit: fc.oneof(wildNumber(), fc.constant(2147483648)),
      waitTimeoutSeconds: wildNumber(),
      activeDeadlineSeconds: wildNumber(),
      backoffLimit: wildNumber(),
      podLabels: wildMap(),
      ttlSecondsAfterFinished: wildNumber(),
      serverHost: wildString(),
      maintenanceDatabase: wildString(),
      image: wildString(),
      bootstrapImage: wildString(),
      migrations: fc.record({
        image: wildString(), commands: fc.array(wildString(), { maxLength: 2 }), runAsUser: wildNumber(), envVariables: wildMap(),
      }),
    },
    build: (chart, p) => {
      const secret = new AppDatabaseSecret(chart, 'Secret', { names: names('shop'), host: 'db.example.com', sslMode: SslMode.DISABLE });
      new DatabaseInitJob(chart, 'Init', { secret, ...p });
    },
    mentions: { activeDeadlineSeconds: ['activeDeadlineSeconds'], waitTimeoutSeconds: ['waitTimeoutSeconds', 'activeDeadlineSeconds'], migrations: ['migrations'] },
  },
  ExternalDatabaseSecret: {
    owners: ['ExternalDatabaseSecret', 'ExternalSecretStoreRef', 'SecretsManagerSecretRef', 'DatabaseConnection', 'DatabaseProvider.awsRds', 'DatabaseSecretSource.existingSecret'],
    valid: fc.record({
      secretName: dnsLabel,
      namespace: opt(dnsLabel),
      store: fc.constantFrom('aws', 'aws-secrets'),
      awsName: fc.stringMatching(/^[a-z]{1,6}\/[a-z]{1,6}\/db$/),
      refreshMinutes: fc.integer({ min: 1, max: 600 }),
      sslMode: opt(fc.constantFrom(SslMode.REQUIRE, SslMode.VERIFY_FULL)),
      existing: fc.boolean(),
    }),
    wild: {
      secretName: wildString(),
      namespace: wildString(),
      store: wildString(),
      awsName: wildString(),
      labels: wildMap(),
      refresh: wildK8sDuration(),
      databaseName: wildString(),
      caPath: wildString(),
    },
    build: (chart, p) => new ExternalDatabaseSecret(chart, 'Db', {
      secretName: p.secretName,
      namespace: p.namespace,
      labels: p.labels,
      source: p.existing ? DatabaseSecretSource.existingSecret() : DatabaseSecretSource.externalSecret({
        secret: SecretsManagerSecretRef.fromName(p.awsName, { rotationPeriodDays: 30 }),
        store: ExternalSecretStoreRef.clusterSecretStore(p.store),
        refreshInterval: p.refresh ?? Duration.minutes(p.refreshMinutes),
        sslMode: p.sslMode,
        databaseName: p.databaseName,
        caPath: p.caPath,
      }),
    }),
    mentions: { store: ['name'], awsName: ['secretName'], refresh: ['refreshInterval'] },
  },
  GeneratedPasswordSecret: {
    owners: ['GeneratedPasswordSecret'],
    valid: fc.record({ secretName: dnsLabel, namespace: opt(dnsLabel), passwordKey: opt(fc.constantFrom('password', 'POSTGRES_PASSWORD')), stringData: opt(fc.constant({ username: 'app' })) }),
    wild: { secretName: wildString(), namespace: wildString(), passwordKey: fc.oneof(wildString(), fc.constant('k'.repeat(10_000))), stringData: wildMap(), labels: wildMap(), bootstrapImage: wildString() },
    build: (chart, p) => new GeneratedPasswordSecret(chart, 'Secret', p),
    mentions: { stringData: ['stringData'] },
  },
  DatabaseNetworkPolicy: {
    owners: ['DatabaseNetworkPolicy'],
    valid: fc.record({ name: dnsLabel, namespace: opt(dnsLabel), podLabels: fc.constant({ app: 'postgres' }), port: fc.integer({ min: 1, max: 65535 }), client: fc.constant({ app: 'shop' }) }),
    wild: { name: wildString(), namespace: wildString(), podLabels: wildMap(), port: wildNumber(), labels: wildMap(), client: wildMap() },
    build: (chart, p) => new DatabaseNetworkPolicy(chart, 'Policy', p).allowClient(p.client, 'prod'),
    mentions: { client: ['allowClient podLabels'] },
  },
  CaBundle: {
    owners: ['CaBundle'],
    valid: fc.record({ configMapName: fc.constantFrom('rds-ca', 'ca.example.com'), key: fc.constantFrom('rds-global-bundle.pem', 'ca.crt'), mountDirectory: opt(fc.constantFrom('/etc/db-ca', '/var/run/ca')), fileName: opt(fc.constant('ca.pem')) }),
    wild: { configMapName: wildString(), secretName: wildString(), key: fc.oneof(wildString(), fc.constant('k'.repeat(10_000))), mountDirectory: wildString(), fileName: wildString() },
    build: (chart, p) => new CaBundle(chart, 'Ca', p).mountInto(podOf(chart).containers[0]),
    mentions: { configMapName: ['configMapName', 'CA source'], secretName: ['secretName', 'CA source'] },
  },
  WaitForDatabase: {
    owners: ['WaitForDatabase'],
    valid: fc.record({ timeoutSeconds: fc.integer({ min: 3, max: 86400 }), image: opt(fc.constantFrom('postgres:16-alpine')), urlKey: opt(fc.constantFrom('DATABASE_URL', 'url')) }),
    wild: { timeout: wildK8sDuration(), interval: wildK8sDuration(), image: wildString(), urlKey: wildString() },
    build: (chart, p) => WaitForDatabase.addTo(podOf(chart), {
      secret: kplus.Secret.fromSecretName(chart, 'S', 'shop-db-secret'), timeout: p.timeout ?? Duration.seconds(p.timeoutSeconds), interval: p.interval, image: p.image, urlKey: p.urlKey,
    }),
    mentions: { interval: ['interval'], timeout: ['timeout', 'interval'] },
  },
  CloudSqlAuthProxy: {
    owners: ['CloudSqlAuthProxy', 'DatabaseProvider.cloudSqlAuthProxy'],
    valid: fc.record({ instance: fc.constantFrom('my-project:europe-west1:orders-db', 'example.com:my-project:us-central1:db1'), healthCheckPort: opt(fc.integer({ min: 1024, max: 5000 })), privateIp: fc.boolean() }),
    wild: { instance: wildString(), healthCheckPort: wildNumber(), image: wildString(), proxyPort: wildNumber() },
    build: (chart, p) => CloudSqlAuthProxy.addTo(podOf(chart), {
      provider: DatabaseProvider.cloudSqlAuthProxy({ instanceConnectionName: p.instance, proxyPort: p.proxyPort }),
      healthCheckPort: p.healthCheckPort,
      image: p.image,
      privateIp: p.privateIp,
    }),
    mentions: { instance: ['instanceConnectionName'], proxyPort: ['proxyPort', 'healthCheckPort'] },
  },
  PgBouncer: {
    owners: ['PgBouncer', 'GeneratedPasswordSecret', 'DatabaseNetworkPolicy'],
    valid: fc.record({
      namespace: dnsLabel,
      databaseHost: fc.constant('postgres-service.prod.svc.cluster.local'),
      superuserSecretName: fc.constant('postgres-superuser'),
      serviceName: opt(fc.stringMatching(/^pgb-[a-z0-9]{1,8}$/)),
      replicas: opt(fc.integer({ min: 1, max: 10 })),
      tlsSecretName: opt(fc.constantFrom('pgbouncer-tls', 'tls.example.com')),
    }),
    wild: {
      namespace: wildString(),
      databaseHost: wildString(),
      serviceName: wildString(),
      clusterDomain: fc.oneof(wildString(), fc.constantFrom('', 'UPPER')),
      databasePort: wildNumber(),
      superuserSecretName: wildString(),
      authSecretName: wildString(),
      authUser: fc.oneof(wildString(), fc.constantFrom('select', 'pg_x')),
      image: wildString(),
      tlsSecretName: wildString(),
      replicas: wildNumber(),
      maxClientConn: wildNumber(),
      defaultPoolSize: wildNumber(),
      podLabels: wildMap(),
    },
    build: (chart, p) => new PgBouncer(chart, 'Pooler', p),
    mentions: { serviceName: ['serviceName'], authSecretName: ['authSecretName'] },
  },
  PostgresBackup: {
    owners: ['PostgresBackup'],
    valid: fc.record({
      namespace: dnsLabel,
      name: fc.stringMatching(/^[a-z][a-z0-9]{0,20}$/),
      image: fc.constant('postgres:15-alpine'),
      host: fc.constant('postgres-service'),
      superuserSecretName: fc.constant('postgres-superuser'),
      schedule: opt(fc.constantFrom('0 3 * * *', '@hourly', '15,45 */2 * * mon-fri')),
      retain: opt(fc.integer({ min: 1, max: 365 })),
      restore: fc.constantFrom('app_db', 'Shop_Data'),
    }),
    wild: {
      namespace: wildString(),
      name: wildString(),
      image: wildString(),
      host: wildString(),
      schedule: fc.oneof(wildString(), fc.constantFrom('99 99 99 99 99', '0 25 * * *', '* * * * * *')),
      retain: wildNumber(),
      storageSize: wildString(),
      storageClassName: wildString(),
      superuserUserKey: wildString(),
      port: wildNumber(),
      restore: wildString(),
      dumpFile: wildString(),
    },
    build: (chart, p) => new PostgresBackup(chart, 'Backup', p).restoreJob(chart, 'Restore', { databaseName: p.restore, dumpFile: p.dumpFile }),
    mentions: { restore: ['databaseName'], dumpFile: ['dumpFile'], name: ['name'] },
  },
};

describe.each(Object.entries(CASES))('%s under fuzzed props', (_name, c) => {
  const externalSecrets = new ExternalSecretBatch();
  test('refuses bad input by name, and emits only valid, uniquely named objects', () => {
    fc.assert(fc.property(perturb(c.valid, c.wild, 2), ({ props, perturbed }) => {
      const chart = Testing.chart();
      const docs = judge({ owners: c.owners, perturbed, mentions: c.mentions }, () => {
        c.build(chart, props);
        return Testing.synth(chart);
      });
      if (docs === undefined) return;
      expectManifestsValid(docs);
      externalSecrets.add(docs);
    }), fuzzParameters());
  });
  test('the ExternalSecrets among them pass the external-secrets.io/v1 schema', () => externalSecrets.expectValid());
});

test('the edge strings include the issue\'s cases', () => {
  expect(EDGE_STRINGS).toEqual(expect.arrayContaining(['', 'UPPER', '1abc', 'tls.example.com', 'select', 'user', 'pg_x']));
});
