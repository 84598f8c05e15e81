import { Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { EDGE_NUMBERS, perturb, wildMap, wildNumber, wildString } from './arbitraries';
import { expectManifestsValid, fuzzParameters, judge } from './oracle';
import { SslMode } from '../../src/core';
import { SharedPostgres, SharedPostgresAppOptions, SharedPostgresProps } from '../../src/k8s';

/**
 * SharedPostgres with its PgBouncer, backup and apps under fuzzed props. Either an error names the
 * prop, or every manifest is valid Kubernetes (schema, names, labels, one name per kind and
 * namespace) and the names given are the names emitted.
 */
interface Fuzzable extends SharedPostgresProps {
  readonly apps: Array<[string, SharedPostgresAppOptions]>;
}

const OWNERS = ['SharedPostgres', 'PgBouncer', 'PostgresBackup', 'DatabaseNetworkPolicy', 'GeneratedPasswordSecret', 'AppDatabaseSecret', 'DatabaseInitJob'];

const appName = fc.stringMatching(/^app[a-z0-9]{0,10}$/);
const validApps = (withPgBouncer: boolean) => fc.uniqueArray(fc.tuple(appName, fc.record({
  connectionLimit: fc.option(fc.integer({ min: -1, max: 2147483647 }), { nil: undefined }),
  sslMode: fc.option(fc.constantFrom(SslMode.DISABLE, SslMode.PREFER, SslMode.REQUIRE), { nil: undefined }),
  viaPgBouncer: fc.constant(withPgBouncer ? true : undefined),
  podLabels: fc.option(fc.constantFrom<{ [key: string]: string }>({ app: 'shop' }, { 'app.kubernetes.io/name': 'orders', 'tier': 'web' }), { nil: undefined }),
}, { requiredKeys: [] })), { maxLength: 3, selector: ([name]) => name });

const valid: fc.Arbitrary<Fuzzable> = fc.boolean().chain((withPgBouncer) => fc.record({
  namespace: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/),
  name: fc.option(fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/), { nil: undefined }),
  image: fc.option(fc.constantFrom('postgres:15-alpine', 'postgres:16.4-alpine', 'registry.example.com:5000/db/postgres:15.8'), { nil: undefined }),
  storageSize: fc.option(fc.constantFrom('10Gi', '1Gi', '500Mi', '2Ti'), { nil: undefined }),
  storageClassName: fc.option(fc.constantFrom('gp3', 'fast.ssd', 'standard-rwo'), { nil: undefined }),
  maxConnections: fc.option(fc.integer({ min: 10, max: 10000 }), { nil: undefined }),
  settings: fc.option(fc.constantFrom<{ [key: string]: string }>({}, { shared_buffers: '128MB' }, { 'pg_stat_statements.max': '5000' }), { nil: undefined }),
  serviceName: fc.option(fc.stringMatching(/^svc-[a-z0-9]{1,6}$/), { nil: undefined }),
  clusterDomain: fc.option(fc.constantFrom('cluster.local', 'k8s.internal'), { nil: undefined }),
  superuser: fc.option(fc.constantFrom('postgres', 'dbowner'), { nil: undefined }),
  tlsSecretName: fc.option(fc.constantFrom('postgres-tls', 'tls.example.com'), { nil: undefined }),
  backupEnabled: fc.option(fc.boolean(), { nil: undefined }),
  backup: fc.option(fc.record({
    schedule: fc.constantFrom('0 3 * * *', '@daily', '*/15 * * * 1-5', '30 2 1 jan,jul *'),
    retain: fc.integer({ min: 1, max: 365 }),
    storageSize: fc.constantFrom('10Gi', '100Gi'),
  }), { nil: undefined }),
  pgBouncer: withPgBouncer ? fc.record({
    serviceName: fc.option(fc.stringMatching(/^pgb-[a-z0-9]{1,6}$/), { nil: undefined }),
    replicas: fc.integer({ min: 1, max: 10 }),
    maxClientConn: fc.integer({ min: 1, max: 100000 }),
    defaultPoolSize: fc.integer({ min: 1, max: 10000 }),
  }) : fc.constant(undefined),
  apps: validApps(withPgBouncer),
  // A server of another major version than the default (15) says so; see postgresMajorVersion.
}).map((props) => (props.image?.includes(':16') ? { ...props, postgresMajorVersion: 16 } : props)));

const wildApps = fc.array(fc.tuple(fc.oneof(wildString(), appName), fc.record({
  secretName: fc.oneof(wildString(), fc.constantFrom('postgres-superuser', 'postgres-pgbouncer-auth', 'postgres-service')),
  databaseName: wildString(),
  username: fc.oneof(wildString(), fc.constantFrom('select', 'user', 'pg_x', 'postgres', 'pgbouncer_auth')),
  schemaName: wildString(),
  connectionLimit: fc.oneof(wildNumber(), fc.constant(2147483648)),
  podLabels: wildMap(),
  viaPgBouncer: fc.boolean(),
}, { requiredKeys: [] })), { minLength: 1, maxLength: 3 });

const WILD = {
  namespace: wildString(),
  name: wildString(),
  image: fc.oneof(wildString(), fc.constantFrom('Postgres:15', 'postgres', 'postgres:latest')),
  storageSize: wildString(),
  storageClassName: wildString(),
  cpuRequest: wildString(),
  memoryLimit: wildString(),
  maxConnections: wildNumber(),
  settings: wildMap(),
  serviceName: fc.oneof(wildString(), fc.constantFrom('postgres-headless', '1abc')),
  clusterDomain: fc.oneof(wildString(), fc.constantFrom('', 'UPPER')),
  superuser: wildString(),
  tlsSecretName: wildString(),
  backup: fc.record({ schedule: fc.oneof(wildString(), fc.constantFrom('99 99 99 99 99', '0 25 * * *')), retain: wildNumber(), storageSize: wildString(), storageClassName: wildString() }, { requiredKeys: [] }),
  pgBouncer: fc.record({
    serviceName: fc.oneof(wildString(), fc.constantFrom('postgres-service', 'postgres-headless', 'postgres')),
    replicas: wildNumber(),
    maxClientConn: fc.constantFrom(...EDGE_NUMBERS),
    defaultPoolSize: wildNumber(),
    image: wildString(),
  }, { requiredKeys: [] }),
  apps: wildApps,
};

const MENTIONS: { [prop: string]: string[] } = {
  name: ['name'],
  cpuRequest: ['cpuRequest', 'cpuLimit'],
  memoryLimit: ['memoryLimit', 'memoryRequest'],
  backup: ['schedule', 'retain', 'storageSize', 'storageClassName', 'name'],
  pgBouncer: ['pgBouncer', 'serviceName', 'replicas', 'maxClientConn', 'defaultPoolSize', 'image', 'name'],
  apps: ['addApp', 'appName', 'secretName', 'databaseName', 'username', 'schemaName', 'connectionLimit', 'podLabels', 'viaPgBouncer'],
  settings: ['settings'],
  superuser: ['superuser', 'username'],
  serviceName: ['serviceName'],
};

describe('SharedPostgres under fuzzed props', () => {
  test('refuses bad input by name, and emits only valid, uniquely named objects', () => {
    fc.assert(fc.property(perturb(valid, WILD, 2), ({ props, perturbed }) => {
      const chart = Testing.chart();
      const docs = judge({ owners: OWNERS, perturbed, mentions: MENTIONS }, () => {
        const db = new SharedPostgres(chart, 'Db', props);
        for (const [app, options] of props.apps) db.addApp(app, options);
        return Testing.synth(chart);
      });
      if (docs === undefined) return;
      expectManifestsValid(docs);
      const services = docs.filter((d: any) => d.kind === 'Service').map((d: any) => d.metadata.name);
      expect(services).toContain(props.serviceName ?? 'postgres-service');
      for (const svc of docs.filter((d: any) => d.kind === 'Service' && d.metadata.labels['app.kubernetes.io/name'] === 'postgres')) {
        expect(svc.metadata.labels.app).toBe(props.name ?? 'postgres');
      }
      const sts = docs.find((d: any) => d.kind === 'StatefulSet');
      expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBe(props.storageClassName);
      const secrets = docs.filter((d: any) => d.kind === 'Secret').map((d: any) => d.metadata.name);
      for (const [app, options] of props.apps) expect(secrets).toContain(options.secretName ?? `${app.replace(/_/g, '-')}-db-secret`);
    }), fuzzParameters());
  });
});
