import { Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { SslMode } from '../../src/core';
import { BackupCredentials, BackupEncryption } from '../../src/k8s/backup-object-storage';
import { SharedPostgres } from '../../src/k8s/shared-postgres';
import { CloudNativePgOptions, SharedPostgresBackend } from '../../src/k8s/shared-postgres-backend';
import { SharedPostgresProps } from '../../src/k8s/shared-postgres-props';
import { SharedPostgresTls } from '../../src/k8s/shared-postgres-tls';
import { CUSTOM_RESOURCE_SCHEMAS, expectK8sValid, expectNoSecrets, validateK8s } from '../harness';
import { validateCloudNativePg } from '../harness/cloudnative-pg-schema';

function find(manifests: any[], kind: string, name?: string): any {
  const found = manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length}`);
  return found[0];
}

function decode(secret: any): { [key: string]: string } {
  return secret.stringData;
}

const S3 = {
  bucket: 'acme-db-backups',
  credentials: BackupCredentials.fromSecret('backup-keys'),
};

describe('SharedPostgres on CloudNativePG', () => {
  let chart: Chart;
  beforeEach(() => {
    chart = Testing.chart();
  });

  function make(props: Partial<SharedPostgresProps> = {}, options: CloudNativePgOptions = {}): SharedPostgres {
    return new SharedPostgres(chart, 'Db', { namespace: 'production', backend: SharedPostgresBackend.cloudNativePg(options), ...props });
  }

  describe('the Cluster', () => {
    test('has 3 instances of the CloudNativePG PostgreSQL 15 image, 10Gi, superuser access and the operator\'s PodDisruptionBudgets by default', () => {
      // GIVEN / WHEN
      const db = make();
      // THEN
      const cluster = find(chart.toJson(), 'Cluster', 'postgres');
      expect(cluster.apiVersion).toBe('postgresql.cnpg.io/v1');
      expect(cluster.metadata.namespace).toBe('production');
      expect(cluster.spec).toEqual({
        instances: 3,
        imageName: 'ghcr.io/cloudnative-pg/postgresql:15',
        enableSuperuserAccess: true,
        enablePDB: true,
        postgresql: { parameters: { max_connections: '100' } },
        storage: { size: '10Gi' },
        resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
      });
      expect(db.cluster).toBeDefined();
      expect(db.statefulSet).toBeUndefined();
      expect(db.networkPolicy).toBeUndefined();
    });

    test('emits no StatefulSet, Service, NetworkPolicy, PodDisruptionBudget or backup CronJob', () => {
      make();
      const kinds = chart.toJson().map((m: any) => m.kind);
      for (const kind of ['StatefulSet', 'Service', 'NetworkPolicy', 'PodDisruptionBudget', 'CronJob']) expect(kinds).not.toContain(kind);
    });

    test('apps connect to the <name>-rw Service with sslmode require, as the operator runs TLS', () => {
      const db = make({ name: 'main', clusterDomain: 'example.internal' });
      expect(db.host).toBe('main-rw.production.svc.example.internal');
      expect(db.serviceName).toBe('main-rw');
      expect(db.superuserSecretName).toBe('main-superuser');
      expect(db.defaultSslMode).toBe(SslMode.REQUIRE);
      expect(db.tlsEnabled).toBe(true);
    });

    test('takes instances, image, storage, resources and settings', () => {
      make({
        postgresMajorVersion: 16,
        storageSize: '50Gi',
        storageClassName: 'gp3',
        cpuLimit: '2',
        memoryLimit: '4Gi',
        maxConnections: 200,
        settings: { work_mem: '8MB' },
      }, { instances: 2, imageName: 'ghcr.io/cloudnative-pg/postgresql:16.4', enablePodDisruptionBudget: false });
      const spec = find(chart.toJson(), 'Cluster').spec;
      expect(spec).toMatchObject({
        instances: 2,
        imageName: 'ghcr.io/cloudnative-pg/postgresql:16.4',
        enablePDB: false,
        storage: { size: '50Gi', storageClass: 'gp3' },
        resources: { limits: { cpu: '2', memory: '4Gi' } },
        postgresql: { parameters: { max_connections: '200', work_mem: '8MB' } },
      });
    });

    test('the default image follows postgresMajorVersion', () => {
      make({ postgresMajorVersion: 17 });
      expect(find(chart.toJson(), 'Cluster').spec.imageName).toBe('ghcr.io/cloudnative-pg/postgresql:17');
    });

    test('the CA bundle for verify-full is the operator\'s <name>-ca Secret', () => {
      const db = make();
      expect(db.caBundle).toBeDefined();
      const app = db.addApp('shop', { sslMode: SslMode.VERIFY_FULL });
      expect(app.secret.connection.urlTemplate('PASSWORD')).toContain('sslrootcert=');
      expect(find(chart.toJson(), 'Secret', 'shop-db-secret').stringData.DB_SSL_MODE).toBe('verify-full');
    });
  });

  describe('addApp', () => {
    test('makes a basic-auth Secret with the DB_* contract, username, the reload label, and no password', () => {
      // GIVEN
      const db = make();
      // WHEN
      const app = db.addApp('example_app');
      // THEN
      const secret = find(chart.toJson(), 'Secret', 'example-app-db-secret');
      expect(secret.type).toBe('kubernetes.io/basic-auth');
      expect(secret.metadata.labels['cnpg.io/reload']).toBe('true');
      expect(decode(secret)).toEqual({
        DB_HOST: 'postgres-rw.production.svc.cluster.local',
        DB_PORT: '5432',
        DB_NAME: 'example_app_db',
        DB_USER: 'example_app_user',
        DB_SSL_MODE: 'require',
        username: 'example_app_user',
      });
      expect(app.secret.basicAuth).toBe(true);
      expect(app.initJob).toBeUndefined();
    });

    test('makes a DatabaseRole with the Secret as passwordSecret, and a Database with the app\'s schema, both retained', () => {
      make().addApp('example_app', { connectionLimit: 20 });
      const m = chart.toJson();
      expect(find(m, 'DatabaseRole', 'postgres-example-app').spec).toEqual({
        cluster: { name: 'postgres' },
        name: 'example_app_user',
        ensure: 'present',
        login: true,
        inherit: true,
        connectionLimit: 20,
        passwordSecret: { name: 'example-app-db-secret' },
        databaseRoleReclaimPolicy: 'retain',
      });
      expect(find(m, 'Database', 'postgres-example-app').spec).toEqual({
        cluster: { name: 'postgres' },
        name: 'example_app_db',
        owner: 'example_app_user',
        ensure: 'present',
        databaseReclaimPolicy: 'retain',
        schemas: [{ name: 'example_app', owner: 'example_app_user', ensure: 'present' }],
      });
    });

    test('the setup Job generates the password into DB_PASSWORD and password, then sets search_path as the superuser', () => {
      const app = make().addApp('shop', { schemaName: 'store' });
      const job = find(chart.toJson(), 'Job', app.setupJob!.metadata.name);
      const [bootstrap] = job.spec.template.spec.initContainers;
      const script = bootstrap.command.join(' ');
      expect(script).toContain('"DB_PASSWORD":"%s","password":"%s","DATABASE_URL":"%s"');
      const setup = job.spec.template.spec.containers[0];
      expect(setup.image).toBe('postgres:15-alpine');
      expect(setup.command[2]).toContain('ALTER ROLE shop_user IN DATABASE shop_db SET search_path TO store, public;');
      expect(setup.env).toEqual(expect.arrayContaining([
        { name: 'PGHOST', value: 'postgres-rw.production.svc.cluster.local' },
        { name: 'PGUSER', valueFrom: { secretKeyRef: { name: 'postgres-superuser', key: 'username' } } },
        { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-superuser', key: 'password' } } },
        { name: 'PGSSLMODE', value: 'require' },
      ]));
      // The bootstrap's Role reaches the app's Secret only.
      const role = find(chart.toJson(), 'Role', 'shop-db-setup');
      expect(role.rules).toEqual([expect.objectContaining({ resourceNames: ['shop-db-secret'] })]);
    });

    test('viaPgBouncer points DB_HOST at the Pooler\'s Service', () => {
      make({ pgBouncer: {} }).addApp('shop', { viaPgBouncer: true });
      expect(decode(find(chart.toJson(), 'Secret', 'shop-db-secret')).DB_HOST).toBe('pgbouncer.production.svc.cluster.local');
    });
  });

  describe('Pooler and ScheduledBackup', () => {
    test('pgBouncer makes a rw Pooler in transaction mode', () => {
      make({ pgBouncer: { replicas: 3, maxClientConn: 500, defaultPoolSize: 10 } });
      const pooler = find(chart.toJson(), 'Pooler', 'pgbouncer');
      expect(pooler.spec).toEqual({
        cluster: { name: 'postgres' },
        instances: 3,
        type: 'rw',
        pgbouncer: { poolMode: 'transaction', parameters: { max_client_conn: '500', default_pool_size: '10' } },
      });
    });

    test('no backup without object storage', () => {
      const db = make();
      expect(db.scheduledBackup).toBeUndefined();
      expect(find(chart.toJson(), 'Cluster').spec.backup).toBeUndefined();
    });

    test('backup.objectStorage with a Secret configures barman-cloud and a ScheduledBackup with a six-field schedule', () => {
      make({ backup: { schedule: '30 2 * * *', objectStorage: { ...S3, endpoint: 'https://minio.storage.svc:9000', prefix: 'prod/pg' } } },
        { backupRetentionPolicy: '14d' });
      const m = chart.toJson();
      expect(find(m, 'Cluster').spec.backup).toEqual({
        retentionPolicy: '14d',
        barmanObjectStore: {
          destinationPath: 's3://acme-db-backups/prod/pg',
          endpointURL: 'https://minio.storage.svc:9000',
          s3Credentials: {
            accessKeyId: { name: 'backup-keys', key: 'AWS_ACCESS_KEY_ID' },
            secretAccessKey: { name: 'backup-keys', key: 'AWS_SECRET_ACCESS_KEY' },
          },
          data: { compression: 'gzip', encryption: 'AES256' },
          wal: { compression: 'gzip', encryption: 'AES256' },
        },
      });
      expect(find(m, 'ScheduledBackup', 'postgres-backup').spec).toEqual({
        cluster: { name: 'postgres' }, schedule: '0 30 2 * * *', method: 'barmanObjectStore', backupOwnerReference: 'self', immediate: true,
      });
    });

    test('IRSA credentials annotate the instances\' ServiceAccount and inherit the role; the default prefix is <namespace>/<name>', () => {
      make({ backup: { objectStorage: { bucket: 'b-1', credentials: BackupCredentials.irsa('arn:aws:iam::111122223333:role/pg'), encryption: BackupEncryption.BUCKET_DEFAULT } } });
      const spec = find(chart.toJson(), 'Cluster').spec;
      expect(spec.serviceAccountTemplate).toEqual({ metadata: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/pg' } } });
      expect(spec.backup.barmanObjectStore).toMatchObject({
        destinationPath: 's3://b-1/production/postgres', s3Credentials: { inheritFromIAMRole: true }, data: { compression: 'gzip' },
      });
      expect(find(chart.toJson(), 'ScheduledBackup').spec.schedule).toBe('0 0 3 * * *');
    });
  });

  describe('schema and secret scan', () => {
    test('every object passes the Kubernetes schema check, the CloudNativePG objects against their CRDs with unknown fields as errors', () => {
      const db = make({ pgBouncer: {}, backup: { objectStorage: S3 } });
      db.addApp('example_app', { connectionLimit: 5 });
      db.addApp('shop', { viaPgBouncer: true });
      const manifests = chart.toJson();
      expect(manifests.filter((m: any) => m.apiVersion === 'postgresql.cnpg.io/v1').map((m: any) => m.kind).sort())
        .toEqual(['Cluster', 'Database', 'Database', 'DatabaseRole', 'DatabaseRole', 'Pooler', 'ScheduledBackup']);
      expectK8sValid(manifests, { customResources: CUSTOM_RESOURCE_SCHEMAS });
    });

    test('no synthesized object holds a secret', () => {
      const db = make({ pgBouncer: {}, backup: { objectStorage: S3 } });
      db.addApp('example_app');
      expectNoSecrets([{ label: 'cnpg.k8s.yaml', text: Testing.synth(chart).map((m) => YAML.stringify(m)).join('---\n') }]);
    });

    test('the validator rejects an unknown field and a wrong type, so it can fail', () => {
      make().addApp('shop');
      const manifests = chart.toJson();
      const cluster = find(manifests, 'Cluster');
      const role = find(manifests, 'DatabaseRole');
      expect(validateCloudNativePg(cluster)).toEqual([]);
      expect(validateCloudNativePg({ ...cluster, spec: { ...cluster.spec, instance: 3 } }).join('\n')).toMatch(/instance: unknown field/);
      expect(validateCloudNativePg({ ...cluster, spec: { ...cluster.spec, storage: { size: '1Gi', sise: '1Gi' } } }).join('\n')).toMatch(/sise: unknown field/);
      expect(validateCloudNativePg({ ...cluster, spec: { ...cluster.spec, instances: 'three' } }).join('\n')).toMatch(/instances.*integer/);
      expect(validateCloudNativePg({ ...role, spec: { ...role.spec, login: 'yes' } }).join('\n')).toMatch(/login.*boolean/);
      expect(validateK8s([{ ...cluster, spec: { ...cluster.spec, instance: 3 } }], { customResources: CUSTOM_RESOURCE_SCHEMAS }).join('\n'))
        .toMatch(/Cluster postgres: .*instance: unknown field/);
    });
  });

  describe('errors', () => {
    test.each([
      ['instances 0', {}, { instances: 0 }, /backend instances must be a whole number from 1 to 9 \(got 0\)/],
      ['instances 10', {}, { instances: 10 }, /backend instances must be a whole number from 1 to 9 \(got 10\)/],
      ['an image of another major version', {}, { imageName: 'ghcr.io/cloudnative-pg/postgresql:16.4' }, /image must run PostgreSQL 15/],
      ['an unpinned image', {}, { imageName: 'ghcr.io/cloudnative-pg/postgresql' }, /backend imageName must be pinned/],
      ['a bad retention policy', { backup: { objectStorage: S3 } }, { backupRetentionPolicy: '30 days' }, /backupRetentionPolicy must be a number of days, weeks or months/],
      ['image', { image: 'postgres:15-alpine' }, {}, /image has no meaning under the CloudNativePG backend .*imageName/],
      ['initialMajorVersion', { initialMajorVersion: 15 }, {}, /initialMajorVersion has no meaning under the CloudNativePG backend/],
      ['serviceName', { serviceName: 'db' }, {}, /serviceName has no meaning .*"postgres-rw"/],
      ['superuser', { superuser: 'admin' }, {}, /superuser has no meaning/],
      ['tls', { tls: SharedPostgresTls.selfSigned() }, {}, /tls has no meaning .*always runs TLS/],
      ['tlsSecretName', { tlsSecretName: 'x' }, {}, /tlsSecretName has no meaning/],
      ['monitoring', { monitoring: {} }, {}, /monitoring has no meaning/],
      ['blockNodeDrains', { blockNodeDrains: true }, {}, /blockNodeDrains has no meaning .*enablePodDisruptionBudget/],
      ['backup.retain', { backup: { retain: 3, objectStorage: S3 } }, {}, /backup.retain has no meaning .*backupRetentionPolicy/],
      ['backup.storageSize', { backup: { storageSize: '5Gi' } }, {}, /backup.storageSize has no meaning/],
      ['backup.storageClassName', { backup: { storageClassName: 'gp3' } }, {}, /backup.storageClassName has no meaning/],
      ['objectStorage.region', { backup: { objectStorage: { ...S3, region: 'eu-west-1' } } }, {}, /backup.objectStorage.region has no meaning/],
      ['objectStorage.forcePathStyle', { backup: { objectStorage: { ...S3, forcePathStyle: true } } }, {}, /forcePathStyle has no meaning/],
      ['objectStorage.deleteOldDumps', { backup: { objectStorage: { ...S3, deleteOldDumps: false } } }, {}, /deleteOldDumps has no meaning/],
      ['objectStorage.image', { backup: { objectStorage: { ...S3, image: 'amazon/aws-cli:2.27.9' } } }, {}, /backup.objectStorage.image has no meaning/],
      ['a KMS key', { backup: { objectStorage: { ...S3, encryption: BackupEncryption.kms('alias/db') } } }, {}, /a KMS key\) has no meaning/],
      ['pgBouncer.image', { pgBouncer: { image: 'edoburu/pgbouncer:v1.23.1-p3' } }, {}, /pgBouncer.image has no meaning/],
      ['pgBouncer.serviceName clashing with the Cluster', { pgBouncer: { serviceName: 'postgres-ro' } }, {}, /pgBouncer.serviceName must differ from the Cluster's Services/],
      ['pgBouncer.replicas 0', { pgBouncer: { replicas: 0 } }, {}, /pgBouncer.replicas must be a whole number from 1 to 10/],
      ['backupEnabled without object storage', { backupEnabled: true }, {}, /backupEnabled needs backup.objectStorage under the CloudNativePG backend/],
      ['a bad backup schedule', { backup: { schedule: '0 0 3 * * *', objectStorage: S3 } }, {}, /backup.schedule must be a cron schedule with five fields/],
      ['a bad shared prop (storageSize)', { storageSize: 'lots' }, {}, /storageSize/],
    ] as Array<[string, Partial<SharedPostgresProps>, CloudNativePgOptions, RegExp]>)('throws for %s', (_what, props, options, message) => {
      expect(() => make(props, options)).toThrow(message);
    });

    test('throws for every problem at once, in one message naming SharedPostgres', () => {
      expect(() => make({ image: 'postgres:15-alpine', monitoring: {} }, { instances: 0 }))
        .toThrow(/^SharedPostgres: image has no meaning .*\(and 2 more: monitoring has no meaning .*instances must be/);
    });

    test.each([
      ['rotation', { rotation: {} }, /addApp option rotation has no meaning under the CloudNativePG backend/],
      ['migrations', { migrations: { image: 'shop:1.0.0', commands: ['migrate'] } }, /addApp option migrations is not supported under the CloudNativePG backend/],
      ['viaPgBouncer without pgBouncer', { viaPgBouncer: true }, /viaPgBouncer needs the pgBouncer prop/],
      ['a username the operator reserves', { username: 'cnpg_shop' }, /must not be streaming_replica or start with cnpg_/],
    ] as Array<[string, any, RegExp]>)('addApp throws for %s', (_what, options, message) => {
      const db = make();
      expect(() => db.addApp('shop', options)).toThrow(message);
    });

    test('addApp throws for an app added twice', () => {
      const db = make();
      db.addApp('shop');
      expect(() => db.addApp('shop')).toThrow(/addApp was called twice for app "shop"/);
    });

    test('restoreJob throws on the CloudNativePG backend, and points to restoring into it', () => {
      const db = make();
      db.addApp('shop');
      expect(() => db.restoreJob(chart, 'Restore', { appName: 'shop' })).toThrow(/restoreJob reads the dumps of the StatefulSet backend .*into: this one/);
    });
  });

  describe('moving an app from the StatefulSet backend', () => {
    test('restoreJob into the CloudNativePG SharedPostgres logs in as its superuser at its -rw Service', () => {
      // GIVEN the old server and the new one in the same namespace
      const old = new SharedPostgres(chart, 'Old', { namespace: 'production' });
      old.addApp('shop');
      const next = make({ name: 'pg' });
      // While both run, the new Secret needs another name (the app switches to it when its data has moved).
      next.addApp('shop', { secretName: 'shop-db-secret-cnpg' });
      // WHEN
      const job = old.restoreJob(chart, 'MoveShop', { appName: 'shop', into: next });
      // THEN
      const restore = job.toJson().spec.template.spec.containers[0];
      expect(restore.env).toEqual(expect.arrayContaining([
        { name: 'PGHOST', value: 'pg-rw.production.svc.cluster.local' },
        { name: 'PGUSER', valueFrom: { secretKeyRef: { name: 'pg-superuser', key: 'username' } } },
        { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'pg-superuser', key: 'password' } } },
        { name: 'PGSSLMODE', value: 'require' },
        { name: 'RESTORE_DATABASE', value: 'shop_db' },
      ]));
      // The dumps are still read from the old server's claim.
      expect(job.toJson().spec.template.spec.volumes[0]).toEqual({ name: 'backups', persistentVolumeClaim: { claimName: 'postgres-backups' } });
      expectK8sValid(chart.toJson(), { customResources: CUSTOM_RESOURCE_SCHEMAS });
    });

    test('throws when the app is not on the target, when restoring globals into CloudNativePG, or into another namespace', () => {
      const old = new SharedPostgres(chart, 'Old', { namespace: 'production' });
      old.addApp('shop');
      const next = make({ name: 'pg' });
      expect(() => old.restoreJob(chart, 'A', { appName: 'shop', into: next })).toThrow(/restoreJob into needs the app "shop" added there too/);
      next.addApp('shop', { secretName: 'shop-db-secret-cnpg' });
      expect(() => old.restoreJob(chart, 'B', { appName: 'shop', into: next, restoreGlobals: true })).toThrow(/restoreGlobals must not be set with into a CloudNativePG/);
      const other = new SharedPostgres(Testing.chart(), 'Other', { namespace: 'stage', backend: SharedPostgresBackend.cloudNativePg() });
      expect(() => old.restoreJob(chart, 'C', { databaseName: 'shop_db', into: other })).toThrow(/restoreJob into must be a SharedPostgres in namespace "production"/);
      expect(() => old.restoreJob(chart, 'D', { databaseName: 'shop_db', into: old })).toThrow(/restoreJob into must be another SharedPostgres/);
    });
  });

  test('the StatefulSet backend is the default, and SharedPostgresBackend.statefulSet() is the same', () => {
    const a = Testing.chart();
    new SharedPostgres(a, 'Db', { namespace: 'production' }).addApp('shop');
    const b = Testing.chart();
    new SharedPostgres(b, 'Db', { namespace: 'production', backend: SharedPostgresBackend.statefulSet() }).addApp('shop');
    expect(b.toJson()).toEqual(a.toJson());
  });
});
