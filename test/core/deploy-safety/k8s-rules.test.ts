import { checkObjects, kinds, theFinding } from './fixtures';
import { postgresMajorOf } from '../../../src/core/private/postgres-image';

/** The Kubernetes rules on small hand-written objects. */

type Obj = { [key: string]: unknown };

const claim = (name: string, storage: string, extra: Obj = {}): Obj => ({
  metadata: { name },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } }, ...extra },
});

const sts = (spec: Obj = {}, name = 'db', image = 'postgres:15-alpine'): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name, namespace: 'prod' },
  spec: {
    serviceName: 'db-headless',
    selector: { matchLabels: { app: name } },
    replicas: 1,
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'postgres', image }] } },
    volumeClaimTemplates: [claim('data', '10Gi')],
    ...spec,
  },
});

const pvc = (spec: Obj): Obj => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...claim('backups', '5Gi', spec), metadata: { name: 'backups', namespace: 'prod' } });

describe('StatefulSet immutable fields', () => {
  test.each([
    ['selector', { selector: { matchLabels: { app: 'other' } } }, /selector \{"matchLabels":\{"app":"db"\}\} → \{"matchLabels":\{"app":"other"\}\}/],
    ['serviceName', { serviceName: 'other' }, /serviceName "db-headless" → "other"/],
    ['podManagementPolicy', { podManagementPolicy: 'Parallel' }, /podManagementPolicy "OrderedReady" → "Parallel"/],
    ['revisionHistoryLimit', { revisionHistoryLimit: 3 }, /revisionHistoryLimit \(absent\) → 3/],
    ['a claim template added', { volumeClaimTemplates: [claim('data', '10Gi'), claim('wal', '1Gi')] }, /claim template wal added/],
  ])('%s: kubectl apply fails', (_name, change, summary) => {
    const report = checkObjects([sts()], [sts(change)]);
    const f = theFinding(report, 'StatefulSet/prod/db', 'k8s-immutable');
    expect(f.summary).toMatch(summary);
    expect(f.consequence).toMatch(/kubectl apply fails/);
    expect(f.fix).toMatch(/^Revert /);
  });

  test('the mutable fields (replicas, template, updateStrategy, retention policy, minReadySeconds) give no finding', () => {
    const after = sts({
      replicas: 3,
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'postgres', image: 'postgres:15.8-alpine', resources: { limits: { memory: '1Gi' } } }] } },
      updateStrategy: { type: 'OnDelete' },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      minReadySeconds: 10,
    });
    expect(checkObjects([sts()], [after]).findings).toEqual([]);
  });

  test('the defaults the API server adds (podManagementPolicy, volumeMode, claim status) are not changes', () => {
    const live = sts({
      podManagementPolicy: 'OrderedReady',
      volumeClaimTemplates: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...claim('data', '10Gi', { volumeMode: 'Filesystem' }), status: { phase: 'Pending' } }],
    });
    expect(checkObjects([live], [sts()]).findings).toEqual([]);
  });
});

describe('PersistentVolumeClaims', () => {
  test('growing a claim gives no finding', () => {
    expect(checkObjects([pvc({})], [{ ...pvc({}), spec: claim('backups', '8Gi').spec }]).findings).toEqual([]);
  });

  test('shrinking a claim or changing its class fails', () => {
    const shrink = theFinding(checkObjects([pvc({})], [{ ...pvc({}), spec: claim('backups', '2Gi').spec }]), 'PersistentVolumeClaim/prod/backups', 'k8s-immutable');
    expect(shrink.summary).toMatch(/storage "5Gi" → "2Gi" \(a claim cannot shrink\)/);
    const cls = theFinding(checkObjects([pvc({})], [pvc({ storageClassName: 'fast' })]), 'PersistentVolumeClaim/prod/backups', 'k8s-immutable');
    expect(cls.summary).toMatch(/spec \(other than the storage request\)/);
    expect(cls.consequence).toMatch(/spec is immutable after creation/);
  });

  test('a removed claim leaves its data behind', () => {
    const f = theFinding(checkObjects([pvc({}), sts()], [sts()]), 'PersistentVolumeClaim/prod/backups', 'k8s-data-moved');
    expect(f.summary).toBe('removed from the manifests');
    expect(f.consequence).toMatch(/data in backups stays behind.*pruning deploy/);
  });
});

describe('data StatefulSets removed, and objects without data', () => {
  test('a removed data StatefulSet with no successor is reported removed', () => {
    const other = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'prod' } };
    const f = theFinding(checkObjects([sts(), other], [other]), 'StatefulSet/prod/db', 'k8s-data-moved');
    expect(f.summary).toBe('removed from the manifests');
    expect(f.consequence).toMatch(/data in data-db-0… stays behind/);
  });

  test('removing objects that hold no data (a StatefulSet without claims, a Deployment, a Secret) gives no finding', () => {
    const stateless = sts({ volumeClaimTemplates: undefined }, 'cache');
    const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace: 'prod' }, spec: {} };
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'prod' } };
    const keep = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'prod' } };
    expect(checkObjects([stateless, dep, secret, keep], [keep]).findings).toEqual([]);
  });

  test('objects without a namespace are matched in "default"', () => {
    const noNs = (image: string) => ({ ...sts({}, 'db', image), metadata: { name: 'db' } });
    expect(kinds(checkObjects([noNs('postgres:15')], [noNs('postgres:16')]))).toEqual(['StatefulSet/default/db k8s-major-upgrade']);
  });
});

describe('PostgreSQL major version of images', () => {
  test('a Deployment that mounts a claim is checked; one without a claim is not', () => {
    const dep = (image: string, claimVolume: boolean): Obj => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'pg', namespace: 'prod' },
      spec: { template: { spec: { containers: [{ name: 'pg', image }], volumes: claimVolume ? [{ name: 'd', persistentVolumeClaim: { claimName: 'pg' } }] : [] } } },
    });
    expect(kinds(checkObjects([dep('postgres:15', true)], [dep('postgres:16', true)]))).toEqual(['Deployment/prod/pg k8s-major-upgrade']);
    expect(checkObjects([dep('postgres:15', false)], [dep('postgres:16', false)]).findings).toEqual([]);
  });

  test.each([
    ['postgres:15-alpine', '15'],
    ['postgres:16.4', '16'],
    ['docker.io/library/postgres:17-bookworm', '17'],
    ['postgres:9.6', '9.6'],
    ['bitnami/postgresql:16.2.0-debian-12-r5', '16'],
    ['postgis/postgis:15-3.4', '15'],
    ['timescale/timescaledb:2.14.2-pg16', '16'],
    ['pgvector/pgvector:pg17', '17'],
    ['ghcr.io/cloudnative-pg/postgresql:16.3', '16'],
    ['registry.local:5000/postgres:15', '15'],
    ['postgres:15@sha256:' + 'a'.repeat(64), '15'],
  ])('%s runs PostgreSQL %s', (image, major) => {
    expect(postgresMajorOf(image)).toBe(major);
  });

  test.each([
    'postgres@sha256:' + 'a'.repeat(64),
    'postgres:latest',
    'redis:7',
    'ghcr.io/example/app:16.1',
    'edoburu/pgbouncer:v1.23.1-p3',
  ])('%s: no PostgreSQL major version', (image) => {
    expect(postgresMajorOf(image)).toBeUndefined();
  });
});
