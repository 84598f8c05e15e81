import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { SslMode } from '../../src/core';
import { SecretsManagerSecretRef } from '../../src/core/secret-reference';
import { DatabaseSecretSource, ExternalDatabaseSecret, ExternalSecretStoreRef } from '../../src/k8s/external-database-secret';
import { expectK8sValid, expectNoSecrets } from '../harness';
import { EXTERNAL_SECRET_SCHEMA, validateExternalSecret } from '../harness/external-secret-schema';

function externalSource(overrides: Partial<Parameters<typeof DatabaseSecretSource.externalSecret>[0]> = {}) {
  return DatabaseSecretSource.externalSecret({
    secret: SecretsManagerSecretRef.fromName('prod/shop/db-master', { rotationPeriodDays: 30 }),
    store: ExternalSecretStoreRef.clusterSecretStore('aws-secrets-manager'),
    ...overrides,
  });
}

function externalSecretDoc(chart: Chart): any {
  return Testing.synth(chart).find((d: any) => d.kind === 'ExternalSecret');
}

describe('ExternalDatabaseSecret from an ExternalSecret', () => {
  let chart: Chart;
  beforeEach(() => {
    chart = Testing.chart();
  });

  test('writes a valid ExternalSecret that extracts the AWS secret', () => {
    // WHEN
    new ExternalDatabaseSecret(chart, 'Db', { secretName: 'shop-db-secret', source: externalSource() });
    // THEN
    const doc = externalSecretDoc(chart);
    expect(doc.apiVersion).toBe('external-secrets.io/v1');
    expect(doc.spec.dataFrom).toEqual([{ extract: { key: 'prod/shop/db-master' } }]);
    expect(doc.spec.secretStoreRef).toEqual({ name: 'aws-secrets-manager', kind: 'ClusterSecretStore' });
    expect(doc.spec.target.name).toBe('shop-db-secret');
    expect(validateExternalSecret(doc)).toEqual([]);
    expectK8sValid(chart, { customResources: EXTERNAL_SECRET_SCHEMA });
  });

  test('templates every contract key from the RDS secret fields', () => {
    new ExternalDatabaseSecret(chart, 'Db', { secretName: 'shop-db-secret', source: externalSource() });
    const data = externalSecretDoc(chart).spec.target.template.data;
    expect(data).toEqual({
      DB_HOST: '{{ .host }}',
      DB_PORT: '{{ .port }}',
      DB_NAME: '{{ .dbname }}',
      DB_USER: '{{ .username }}',
      DB_PASSWORD: '{{ .password }}',
      DB_SSL_MODE: 'verify-full',
      DATABASE_URL: 'postgresql://{{ .username | urlquery | replace "+" "%20" }}:{{ .password | urlquery | replace "+" "%20" }}@{{ .host }}:{{ .port }}'
        + '/{{ .dbname | urlquery | replace "+" "%20" }}?sslmode=verify-full&sslrootcert=%2Fetc%2Fssl%2Fcerts%2Frds-global-bundle.pem&connect_timeout=10',
    });
  });

  test('defaults refreshInterval to 1h, SecretStore kind as given, Owner/Retain policies', () => {
    new ExternalDatabaseSecret(chart, 'Db', {
      secretName: 'shop-db-secret',
      source: externalSource({ store: ExternalSecretStoreRef.secretStore('aws') }),
    });
    const doc = externalSecretDoc(chart);
    expect(doc.spec.refreshInterval).toBe('1h');
    expect(doc.spec.secretStoreRef).toEqual({ name: 'aws', kind: 'SecretStore' });
    expect(doc.spec.target.creationPolicy).toBe('Owner');
    expect(doc.spec.target.deletionPolicy).toBe('Retain');
  });

  test('writes a custom refreshInterval as a Go duration', () => {
    new ExternalDatabaseSecret(chart, 'Db', { secretName: 's', source: externalSource({ refreshInterval: Duration.minutes(90) }) });
    expect(externalSecretDoc(chart).spec.refreshInterval).toBe('1h30m');
  });

  test('uses a fixed database name, sslMode and CA path when given', () => {
    const db = new ExternalDatabaseSecret(chart, 'Db', {
      secretName: 's',
      source: externalSource({ databaseName: 'orders', sslMode: SslMode.REQUIRE, caPath: '/etc/db-ca/rds.pem' }),
    });
    const data = externalSecretDoc(chart).spec.target.template.data;
    expect(data.DB_NAME).toBe('orders');
    expect(data.DATABASE_URL).toContain('/orders?sslmode=require&connect_timeout=10');
    expect(db.sslMode).toBe(SslMode.REQUIRE);
  });

  test('puts a custom CA path into sslrootcert under verify-full', () => {
    new ExternalDatabaseSecret(chart, 'Db', { secretName: 's', source: externalSource({ caPath: '/etc/db-ca/rds.pem' }) });
    expect(externalSecretDoc(chart).spec.target.template.data.DATABASE_URL).toContain('?sslmode=verify-full&sslrootcert=%2Fetc%2Fdb-ca%2Frds.pem&');
  });

  test('the env helper reads the Secret the ExternalSecret creates', () => {
    const db = new ExternalDatabaseSecret(chart, 'Db', { secretName: 'shop-db-secret', source: externalSource() });
    const dep = new kplus.Deployment(chart, 'App', { containers: [{ image: 'app:1.0.0', envVariables: db.envVariables() }] });
    void dep;
    const env = Testing.synth(chart).find((d: any) => d.kind === 'Deployment').spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'DATABASE_URL').valueFrom.secretKeyRef).toEqual({ name: 'shop-db-secret', key: 'DATABASE_URL' });
    expect(env.find((e: any) => e.name === 'DB_SSL_MODE').value).toBe('verify-full');
    expectK8sValid(chart, { customResources: EXTERNAL_SECRET_SCHEMA });
  });

  test('no password in the manifest', () => {
    new ExternalDatabaseSecret(chart, 'Db', { secretName: 'shop-db-secret', source: externalSource() });
    expectNoSecrets([{ label: 'chart', text: JSON.stringify(Testing.synth(chart)) }]);
  });

  test('throws when refreshInterval is not shorter than the rotation period', () => {
    expect(() => new ExternalDatabaseSecret(chart, 'Db', { secretName: 's', source: externalSource({ refreshInterval: Duration.days(30) }) }))
      .toThrow(/refreshInterval must be shorter than the secret's rotation period of 30 days \(got 720h\)/);
  });

  test('throws when refreshInterval is under a minute', () => {
    expect(() => new ExternalDatabaseSecret(chart, 'Db', { secretName: 's', source: externalSource({ refreshInterval: Duration.seconds(5) }) }))
      .toThrow(/ExternalDatabaseSecret: refreshInterval must be whole seconds from 60 to 31622400 \(got 5 s\)/);
  });

  test('throws on an sslMode RDS refuses', () => {
    expect(() => new ExternalDatabaseSecret(chart, 'Db', { secretName: 's', source: externalSource({ sslMode: SslMode.DISABLE }) }))
      .toThrow(/sslMode 'disable' is refused/);
  });

  test('throws on a Secret name that is not a DNS subdomain', () => {
    expect(() => new ExternalDatabaseSecret(chart, 'Db', { secretName: 'Shop_DB', source: externalSource() }))
      .toThrow(/ExternalDatabaseSecret.*secretName/);
  });

  test('puts the ExternalSecret in the given namespace', () => {
    new ExternalDatabaseSecret(chart, 'Db', { secretName: 's', namespace: 'shop', source: externalSource() });
    expect(externalSecretDoc(chart).metadata.namespace).toBe('shop');
  });

  test('throws on a namespace that is not a DNS label', () => {
    expect(() => new ExternalDatabaseSecret(chart, 'Db', { secretName: 's', namespace: 'Shop', source: externalSource() }))
      .toThrow(/ExternalDatabaseSecret: namespace must be a DNS-1123 label/);
  });
});

describe('ExternalSecretStoreRef', () => {
  test('throws on a store kind other than SecretStore or ClusterSecretStore', () => {
    expect(() => ExternalSecretStoreRef.of('Vault', 'x')).toThrow(/kind must be 'SecretStore' or 'ClusterSecretStore' \(got "Vault"\)/);
  });
  test('throws on a store name that is not a DNS subdomain', () => {
    expect(() => ExternalSecretStoreRef.secretStore('AWS Store')).toThrow(/ExternalSecretStoreRef.*name/);
  });
});

describe('ExternalDatabaseSecret from an existing Secret', () => {
  let chart: Chart;
  beforeEach(() => {
    chart = Testing.chart();
  });

  test('writes no manifest and maps env vars to the mapped keys only', () => {
    const db = new ExternalDatabaseSecret(chart, 'Db', {
      secretName: 'database-credentials',
      source: DatabaseSecretSource.existingSecret({ keyMapping: { DATABASE_URL: 'database-url', DB_USER: 'username', DB_PASSWORD: 'password' } }),
    });
    new kplus.Deployment(chart, 'App', { containers: [{ image: 'app:1.0.0', envVariables: db.envVariables() }] });
    const docs = Testing.synth(chart);
    expect(docs.map((d: any) => d.kind)).toEqual(['Deployment']);
    const env = docs[0].spec.template.spec.containers[0].env;
    const refs = env.filter((e: any) => e.valueFrom).map((e: any) => [e.name, e.valueFrom.secretKeyRef.key]);
    expect(refs).toEqual([['DB_USER', 'username'], ['DB_PASSWORD', 'password'], ['DATABASE_URL', 'database-url']]);
    expect(env.find((e: any) => e.name === 'DB_SSL_MODE').value).toBe('require');
    expectK8sValid(chart);
  });

  test('defaults to all six contract keys under their own names', () => {
    const db = new ExternalDatabaseSecret(chart, 'Db', { secretName: 'shop-db-secret', source: DatabaseSecretSource.existingSecret() });
    new kplus.Deployment(chart, 'App', { containers: [{ image: 'app:1.0.0', envVariables: db.envVariables() }] });
    const env = Testing.synth(chart)[0].spec.template.spec.containers[0].env;
    expect(env.filter((e: any) => e.valueFrom).map((e: any) => e.valueFrom.secretKeyRef.key))
      .toEqual(['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASSWORD', 'DATABASE_URL']);
  });

  test('throws when keyMapping names a key outside the contract', () => {
    expect(() => DatabaseSecretSource.existingSecret({ keyMapping: { DATABASE_URL: 'url', PASSWORD: 'pw' } }))
      .toThrow(/keyMapping has "PASSWORD", which is not a connection key/);
  });
  test('throws when keyMapping maps to an invalid Secret key', () => {
    expect(() => DatabaseSecretSource.existingSecret({ keyMapping: { DATABASE_URL: 'database url' } }))
      .toThrow(/keyMapping\.DATABASE_URL must be a Secret key of 1-253 letters, digits, .* \(got "database url"\)/);
  });
  test('throws when keyMapping maps two contract keys to one Secret key', () => {
    expect(() => DatabaseSecretSource.existingSecret({ keyMapping: { DATABASE_URL: 'url', DB_HOST: 'url' } }))
      .toThrow(/maps both DATABASE_URL and DB_HOST to the Secret key "url"/);
  });
  test('throws when keyMapping leaves out DATABASE_URL', () => {
    expect(() => DatabaseSecretSource.existingSecret({ keyMapping: { DB_HOST: 'host' } }))
      .toThrow(/keyMapping must map DATABASE_URL/);
  });
});

describe('validateExternalSecret', () => {
  const good = () => ({
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: 'db' },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { name: 'aws', kind: 'ClusterSecretStore' },
      target: { name: 'db', template: { engineVersion: 'v2', data: { A: '{{ .a | urlquery }}' } } },
      dataFrom: [{ extract: { key: 'prod/db' } }],
    },
  });
  test('accepts a well-formed ExternalSecret', () => {
    expect(validateExternalSecret(good())).toEqual([]);
  });
  test('rejects a missing store name, a bad kind, a bad duration, an empty extract key, unknown fields and bad templates', () => {
    const doc: any = good();
    delete doc.spec.secretStoreRef.name;
    doc.spec.secretStoreRef.kind = 'Store';
    doc.spec.refreshInterval = '1 hour';
    doc.spec.dataFrom[0].extract.key = '';
    doc.spec.refreshIntervall = '1h';
    doc.spec.target.template.data.A = '{{ .a | urlencode }}';
    doc.spec.target.template.data.B = '{{ .b ';
    const problems = validateExternalSecret(doc).join('\n');
    expect(problems).toMatch(/spec.secretStoreRef.name is required/);
    expect(problems).toMatch(/spec.secretStoreRef.kind must be one of/);
    expect(problems).toMatch(/spec.refreshInterval has an invalid value/);
    expect(problems).toMatch(/spec.dataFrom\[0\].extract.key must be a non-empty string/);
    expect(problems).toMatch(/spec.refreshIntervall is not a known field/);
    expect(problems).toMatch(/unknown template function "urlencode"/);
    expect(problems).toMatch(/unbalanced template braces/);
  });
  test('rejects an ExternalSecret without data and dataFrom', () => {
    const doc: any = good();
    delete doc.spec.dataFrom;
    expect(validateExternalSecret(doc)).toContain('spec.data or spec.dataFrom must have at least one entry');
  });
  test('the v1 schema of @kubernetes-models/external-secrets rejects a creation policy it does not know', () => {
    const doc: any = good();
    doc.spec.target.creationPolicy = 'Always';
    expect(validateExternalSecret(doc).join('\n')).toMatch(/external-secrets.io\/v1 schema: .*creationPolicy must be equal to one of the allowed values/);
  });
  test('rejects the v1beta1 API, which External Secrets Operator 0.17 and later no longer serve', () => {
    expect(validateExternalSecret({ ...good(), apiVersion: 'external-secrets.io/v1beta1' }).join('\n')).toMatch(/must be external-secrets.io\/v1 ExternalSecret/);
  });
});
