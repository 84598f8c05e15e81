import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { AppDatabaseNames, DatabaseEnv, SecretsManagerSecretRef } from '../../src/core';
import {
  DatabaseNetworkPolicy, DatabaseSecretSource, ExternalDatabaseSecret, ExternalSecretStoreRef, GeneratedPasswordSecret, PgBouncer,
  SharedPostgres, SharedPostgresProps,
} from '../../src/k8s';
import { expectK8sValid, EXTERNAL_SECRET_SCHEMA } from '../harness';

/** Every Kubernetes case of issue 11, each with the error it now gets or the output it now produces. */
function shared(props: Partial<SharedPostgresProps> = {}, chart: Chart = Testing.chart()): SharedPostgres {
  return new SharedPostgres(chart, 'Db', { namespace: 'prod', ...props });
}

describe('issue 11: invalid Kubernetes values are refused, by name', () => {
  test.each<[string, Partial<SharedPostgresProps>, RegExp]>([
    ['throws on a Service name starting with a digit', { serviceName: '1abc' }, /^SharedPostgres: serviceName must be a DNS-1035 label.*\(got "1abc"\)/],
    ['throws on a StatefulSet name starting with a digit', { name: '1abc' }, /^SharedPostgres: name must be a DNS-1035 label.*\(got "1abc"\)/],
    ["throws on clusterDomain '', blaming clusterDomain", { clusterDomain: '' }, /^SharedPostgres: clusterDomain must be the cluster's DNS domain.*\(got ""\)/],
    ["throws on clusterDomain 'UPPER'", { clusterDomain: 'UPPER' }, /^SharedPostgres: clusterDomain must be the cluster's DNS domain.*\(got "UPPER"\)/],
    ['throws on a storageClassName that is not a DNS subdomain', { storageClassName: 'Fast SSD' }, /^SharedPostgres: storageClassName must be a DNS-1123 subdomain/],
    ['throws on an image with upper case', { image: 'Postgres:15' }, /^SharedPostgres: image must be a container image reference/],
    ["throws on the backup schedule '99 99 99 99 99'", { backup: { schedule: '99 99 99 99 99' } }, /^PostgresBackup: schedule must be a cron schedule .*the minute field must lie in 0-59/],
    ["throws on the backup schedule '0 25 * * *'", { backup: { schedule: '0 25 * * *' } }, /^PostgresBackup: schedule must be a cron schedule .*the hour field must lie in 0-23/],
  ])('%s', (_name, props, message) => {
    expect(() => shared(props)).toThrow(message);
  });
  test('throws on pod label keys and values that Kubernetes refuses', () => {
    expect(() => shared().addApp('shop', { podLabels: { 'bad key!': 'v' } })).toThrow(/^SharedPostgres: podLabels key "bad key!" must be \[prefix\/\]name/);
    expect(() => shared().addApp('shop', { podLabels: { app: 'bad value!' } })).toThrow(/^SharedPostgres: podLabels value "bad value!" must be at most 63/);
  });
  test('throws on connectionLimit 2147483648 (PostgreSQL takes a 32-bit integer)', () => {
    expect(() => shared().addApp('shop', { connectionLimit: 2147483648 })).toThrow(/^DatabaseInitJob: connectionLimit must be a whole number from -1 to 2147483647 \(got 2147483648\)/);
  });
  test('throws on a Secret key of 10,000 characters, showing only its start', () => {
    expect(() => new GeneratedPasswordSecret(Testing.chart(), 'S', { secretName: 's', passwordKey: 'k'.repeat(10_000) }))
      .toThrow(/^GeneratedPasswordSecret: passwordKey must be a Secret key of 1-253 .*\(got "k{40}"… \(10000 characters\)\)/);
  });
  test('throws on the app role names select, user and pg_x', () => {
    expect(() => shared().addApp('shop', { username: 'select' })).toThrow(/^SharedPostgres: username must not be a PostgreSQL reserved word \(got "select"\)/);
    expect(() => shared().addApp('shop', { username: 'user' })).toThrow(/username must not be a PostgreSQL reserved word \(got "user"\)/);
    expect(() => shared().addApp('shop', { username: 'pg_x' })).toThrow(/username must not start with 'pg_' \(got "pg_x"\)/);
  });
  test('throws on an app name whose derived role is reserved, naming the app name', () => {
    expect(() => AppDatabaseNames.of('pg_x')).toThrow(/^AppDatabaseNames: username \(derived from appName "pg_x"\) must not start with 'pg_' \(got "pg_x_user"\)/);
  });
  test('throws on a PgBouncer tlsSecretName that is not a Secret name', () => {
    expect(() => new PgBouncer(Testing.chart(), 'P', { namespace: 'prod', databaseHost: 'db', superuserSecretName: 'su', tlsSecretName: 'Bad_TLS' }))
      .toThrow(/^PgBouncer: tlsSecretName must be a DNS-1123 subdomain/);
  });
  test('throws on a PgBouncer serviceName whose auth Secret name would not fit its Job, naming serviceName', () => {
    expect(() => new PgBouncer(Testing.chart(), 'P', { namespace: 'prod', databaseHost: 'db', superuserSecretName: 'su', serviceName: `p${'a'.repeat(52)}` }))
      .toThrow(/^PgBouncer: serviceName \(in the auth Secret <serviceName>-auth\) must be at most 54 characters/);
  });
  test('throws on DatabaseEnv extraSettings keys that are not variable names', () => {
    expect(() => DatabaseEnv.describe({ extraSettings: { 'tab\there': 'x' } })).toThrow(/^DatabaseEnv: extraSettings key must be an environment variable name .*\(got "tab\\there"\)/);
  });
  test('throws on an ExternalDatabaseSecret caPath that is not a path, naming caPath', () => {
    expect(() => new ExternalDatabaseSecret(Testing.chart(), 'E', {
      secretName: 'db',
      source: DatabaseSecretSource.externalSecret({ secret: SecretsManagerSecretRef.fromName('prod/db'), store: ExternalSecretStoreRef.clusterSecretStore('aws'), caPath: 'certs/ca.pem' }),
    })).toThrow(/^ExternalDatabaseSecret: caPath must be an absolute file path/);
  });
});

describe('issue 11: valid input is accepted', () => {
  test("tlsSecretName 'tls.example.com' (Secret names may contain dots)", () => {
    const chart = Testing.chart();
    shared({ tlsSecretName: 'tls.example.com' }, chart);
    const volumes = Testing.synth(chart).find((d: any) => d.kind === 'StatefulSet').spec.template.spec.volumes;
    expect(volumes).toContainEqual({ name: 'tls-source', secret: { secretName: 'tls.example.com', defaultMode: 0o440 } });
  });
});

describe('issue 11, class 3: names that collide are refused, naming both objects', () => {
  test("throws on pgBouncer.serviceName 'postgres-service' (the database Service's name)", () => {
    expect(() => shared({ pgBouncer: { serviceName: 'postgres-service' } }))
      .toThrow(/^SharedPostgres: name, serviceName and pgBouncer.serviceName would emit Service "postgres-service" in namespace "prod" twice, by test\/Db\/PgBouncer\/Service and by test\/Db\/Server\/Service; the second object would overwrite the first/);
  });
  test("throws on pgBouncer.serviceName 'postgres-headless' (the headless Service's name)", () => {
    expect(() => shared({ pgBouncer: { serviceName: 'postgres-headless' } })).toThrow(/would emit Service "postgres-headless" in namespace "prod" twice/);
  });
  test("throws on pgBouncer.serviceName 'postgres' (its NetworkPolicy would replace the database's)", () => {
    expect(() => shared({ pgBouncer: { serviceName: 'postgres' } })).toThrow(/^DatabaseNetworkPolicy: name would emit NetworkPolicy "postgres" in namespace "prod" twice/);
  });
  test("throws on addApp('shop', { secretName: 'postgres-superuser' })", () => {
    expect(() => shared().addApp('shop', { secretName: 'postgres-superuser' })).toThrow(/^SharedPostgres: secretName "postgres-superuser" is a Secret of the server itself/);
  });
  test('throws on two SharedPostgres of one name in one namespace, naming both', () => {
    const chart = Testing.chart();
    shared({}, chart);
    expect(() => new SharedPostgres(chart, 'Again', { namespace: 'prod' })).toThrow(/^GeneratedPasswordSecret: secretName would emit Secret "postgres-superuser" in namespace "prod" twice, by test\/Db\/Superuser\/Resource and by test\/Again\/Superuser\/Resource/);
  });
  test('throws at synthesis on a clash with an object made outside the library', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    new DatabaseNetworkPolicy(chart, 'Policy', { name: 'db', namespace: 'prod', podLabels: { app: 'db' }, port: 5432 });
    new kplus.NetworkPolicy(chart, 'Mine', { metadata: { name: 'db', namespace: 'prod' } });
    expect(() => app.synth()).toThrow(/NetworkPolicy "db" in namespace "prod" is emitted twice, by c\/Policy\/Resource\/Resource and by c\/Mine\/Resource/);
  });
  test('the same names in two namespaces do not clash', () => {
    const chart = Testing.chart();
    shared({}, chart);
    new SharedPostgres(chart, 'Stage', { namespace: 'stage' });
    expectK8sValid(Testing.synth(chart), { customResources: EXTERNAL_SECRET_SCHEMA });
  });
});
