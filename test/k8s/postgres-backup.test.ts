import { Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { BackupCredentials, BackupEncryption, BackupObjectStorageOptions } from '../../src/k8s/backup-object-storage';
import { PostgresBackup, PostgresBackupProps } from '../../src/k8s/postgres-backup';
import { downloadScript, uploadScript } from '../../src/k8s/private/object-storage-scripts';
import { backupScript, recordBackupScript, restoreScript } from '../../src/k8s/private/postgres-backup-scripts';
import { expectK8sValid, expectNoSecrets } from '../harness';

const BASE: PostgresBackupProps = {
  namespace: 'production',
  name: 'postgres',
  image: 'postgres:15-alpine',
  host: 'postgres-service.production.svc.cluster.local',
  superuserSecretName: 'postgres-superuser',
};

describe('PostgresBackup', () => {
  let chart: Chart;
  beforeEach(() => {
    chart = Testing.chart();
  });

  function cronJob(): any {
    return chart.toJson().find((m: any) => m.kind === 'CronJob');
  }

  test('runs daily at 03:00, never overlapping, keeping 7 dumps by default', () => {
    new PostgresBackup(chart, 'Backup', BASE);
    const cj = cronJob();
    expect(cj.metadata.name).toBe('postgres-backup');
    expect(cj.spec.schedule).toBe('0 3 * * *');
    expect(cj.spec.concurrencyPolicy).toBe('Forbid');
    const pod = cj.spec.jobTemplate.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.containers[0].env).toContainEqual({ name: 'BACKUP_KEEP', value: '7' });
    expect(pod.containers[0].command).toEqual(['/bin/sh', '-c', backupScript()]);
  });

  test('dumps with pg_dump -Fc per database into a 10Gi claim', () => {
    new PostgresBackup(chart, 'Backup', BASE);
    expect(backupScript()).toContain('pg_dump -Fc');
    const pvc = chart.toJson().find((m: any) => m.kind === 'PersistentVolumeClaim');
    expect(pvc.metadata.name).toBe('postgres-backups');
    expect(pvc.spec.resources.requests.storage).toBe('10Gi');
    const pod = cronJob().spec.jobTemplate.spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'backups', persistentVolumeClaim: { claimName: 'postgres-backups' } });
  });

  test('connects as the superuser from its Secret, never with a literal password', () => {
    new PostgresBackup(chart, 'Backup', BASE);
    const env = cronJob().spec.jobTemplate.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-superuser', key: 'POSTGRES_PASSWORD' } } });
    expect(env).toContainEqual({ name: 'PGHOST', value: 'postgres-service.production.svc.cluster.local' });
  });

  test('honours schedule, retention and storage options', () => {
    new PostgresBackup(chart, 'Backup', { ...BASE, schedule: '30 1 * * 0', retain: 14, storageSize: '50Gi', storageClassName: 'backup' });
    const cj = cronJob();
    expect(cj.spec.schedule).toBe('30 1 * * 0');
    expect(cj.spec.jobTemplate.spec.template.spec.containers[0].env).toContainEqual({ name: 'BACKUP_KEEP', value: '14' });
    const pvc = chart.toJson().find((m: any) => m.kind === 'PersistentVolumeClaim');
    expect(pvc.spec).toMatchObject({ storageClassName: 'backup', resources: { requests: { storage: '50Gi' } } });
  });

  test('restoreJob makes a one-shot Job running pg_restore --clean --if-exists for one database', () => {
    const backup = new PostgresBackup(chart, 'Backup', BASE);
    const job = backup.restoreJob(chart, 'Restore', { databaseName: 'example_app_db', dumpFile: 'example_app_db-20240101T030000Z.dump' }).toJson();
    expect(job.metadata.name).toMatch(/^postgres-restore-example-app-db-[0-9a-f]{8}$/);
    expect(job.spec.backoffLimit).toBe(0);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.template.spec.containers[0].env).toEqual(expect.arrayContaining([
      { name: 'RESTORE_DATABASE', value: 'example_app_db' },
      { name: 'RESTORE_FILE', value: 'example_app_db-20240101T030000Z.dump' },
    ]));
    expect(restoreScript()).toContain('pg_restore --clean --if-exists --single-transaction --exit-on-error');
    expectK8sValid(chart);
  });

  test('names restore Jobs after their pod template: another dump file gives another Job', () => {
    const backup = new PostgresBackup(chart, 'Backup', BASE);
    const a = backup.restoreJob(chart, 'A', { databaseName: 'example_app_db' }).name;
    const b = backup.restoreJob(chart, 'B', { databaseName: 'example_app_db', dumpFile: 'example_app_db-20240101T030000Z.dump' }).name;
    expect(a).toMatch(/^postgres-restore-example-app-db-[0-9a-f]{8}$/);
    expect(b).not.toBe(a);
  });

  test.each<[string, Partial<PostgresBackupProps>, RegExp]>([
    ['throws on a schedule with six fields', { schedule: '0 0 3 * * *' }, /PostgresBackup: schedule must be a cron schedule with five fields.*\(got "0 0 3 \* \* \*"\)/],
    ['throws on a retention above 365', { retain: 400 }, /PostgresBackup: retain must be a whole number from 1 to 365 \(got 400\)/],
    ['throws on a storage size in GB', { storageSize: '10GB' }, /PostgresBackup: storageSize must be a Kubernetes quantity such as "10Gi" \(got "10GB"\)/],
    ['throws on a storage size below 1Mi', { storageSize: '100k' }, /PostgresBackup: storageSize must be at least 1048576 base units \(got "100k"\)/],
    ['throws on an untagged image', { image: 'postgres' }, /PostgresBackup: image must be pinned to a version \(got "postgres"\)/],
    ['throws on a namespace with upper case', { namespace: 'Prod' }, /PostgresBackup: namespace must be a DNS-1123 label.*\(got "Prod"\)/],
    ['throws on a name whose CronJob name would be too long', { name: 'p'.repeat(46) }, /PostgresBackup: name \(in the CronJob name <name>-backup\) must be at most 52 characters for a CronJob/],
    ['throws on a host with a scheme', { host: 'postgres://db' }, /PostgresBackup: host must be a bare host name without a scheme/],
    ['throws on a superuser password key with a space', { superuserPasswordKey: 'pass word' }, /PostgresBackup: superuserPasswordKey must be a Secret key/],
  ])('%s', (_name, props, message) => {
    expect(() => new PostgresBackup(chart, 'Backup', { ...BASE, ...props })).toThrow(message);
  });

  test('accepts cron macros', () => {
    new PostgresBackup(chart, 'Backup', { ...BASE, schedule: '@daily' });
    expect(cronJob().spec.schedule).toBe('@daily');
  });

  test('throws on a restore of a database name with a quote', () => {
    const backup = new PostgresBackup(chart, 'Backup', BASE);
    expect(() => backup.restoreJob(chart, 'R', { databaseName: "x'; DROP" })).toThrow(/PostgresBackup: restoreJob databaseName must be a PostgreSQL identifier .*\(got "x'; DROP"\)/);
  });

  test('restoreJob with a target logs in there (username/password keys and sslmode require by default), reading the same dumps', () => {
    const backup = new PostgresBackup(chart, 'Backup', BASE);
    const job = backup.restoreJob(chart, 'R', { databaseName: 'x_db', target: { host: 'pg-rw.stage.svc.cluster.local', superuserSecretName: 'pg-superuser' } }).toJson();
    const env = job.spec.template.spec.containers[0].env;
    expect(env).toEqual(expect.arrayContaining([
      { name: 'PGHOST', value: 'pg-rw.stage.svc.cluster.local' },
      { name: 'PGPORT', value: '5432' },
      { name: 'PGUSER', valueFrom: { secretKeyRef: { name: 'pg-superuser', key: 'username' } } },
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'pg-superuser', key: 'password' } } },
      { name: 'PGSSLMODE', value: 'require' },
    ]));
  });

  test.each([
    ['host', { host: 'bad host', superuserSecretName: 's' }, /restoreJob target host/],
    ['port', { host: 'db', port: 0, superuserSecretName: 's' }, /restoreJob target port/],
    ['superuserSecretName', { host: 'db', superuserSecretName: 'Bad_Name' }, /restoreJob target superuserSecretName/],
    ['superuserUserKey', { host: 'db', superuserSecretName: 's', superuserUserKey: 'a b' }, /restoreJob target superuserUserKey/],
    ['superuserPasswordKey', { host: 'db', superuserSecretName: 's', superuserPasswordKey: 'a/b' }, /restoreJob target superuserPasswordKey/],
  ] as Array<[string, any, RegExp]>)('throws on a restore target with a bad %s', (_what, target, message) => {
    const backup = new PostgresBackup(chart, 'Backup', BASE);
    expect(() => backup.restoreJob(chart, 'R', { databaseName: 'x_db', target })).toThrow(message);
  });

  test('throws on a restore dump file that climbs out of the claim', () => {
    const backup = new PostgresBackup(chart, 'Backup', BASE);
    expect(() => backup.restoreJob(chart, 'R', { databaseName: 'x_db', dumpFile: '../other/x.dump' }))
      .toThrow(/PostgresBackup: restoreJob dumpFile must be a plain file name of letters, digits, '-', '_' and '\.' \(got "\.\.\/other\/x\.dump"\)/);
  });

  test('throws on an absolute restore dump path with ..', () => {
    const backup = new PostgresBackup(chart, 'Backup', BASE);
    expect(() => backup.restoreJob(chart, 'R', { databaseName: 'x_db', dumpFile: '/backups/../etc/passwd' }))
      .toThrow(/PostgresBackup: restoreJob dumpFile must be an absolute file path without spaces or '\.\.'/);
  });

  test('accepts an absolute dump path inside the pod', () => {
    const backup = new PostgresBackup(chart, 'Backup', BASE);
    const job = backup.restoreJob(chart, 'R', { databaseName: 'x_db', dumpFile: '/backups/x_db/x_db-20240101T030000Z.dump' }).toJson();
    expect(job.spec.template.spec.containers[0].env).toContainEqual({ name: 'RESTORE_FILE', value: '/backups/x_db/x_db-20240101T030000Z.dump' });
  });

  test('dumps the roles too, without passwords, and records no run unless asked', () => {
    new PostgresBackup(chart, 'Backup', BASE);
    expect(backupScript()).toContain('pg_dumpall --globals-only --no-role-passwords --database=postgres');
    const env = cronJob().spec.jobTemplate.spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'BACKUP_RECORD_STATUS')).toBeUndefined();
  });

  test('recordLastSuccess records a successful run in the backup status table', () => {
    new PostgresBackup(chart, 'Backup', { ...BASE, recordLastSuccess: true });
    const env = cronJob().spec.jobTemplate.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'BACKUP_RECORD_STATUS', value: 'true' });
    expect(backupScript()).toContain("UPDATE cdk_db_platform.backup_status SET last_success = now() WHERE id = 'backup';");
  });

  test('maxAgeSeconds is the longest interval of the schedule plus the hour a run may start late and the six it may take', () => {
    expect(new PostgresBackup(chart, 'Daily', BASE).maxAgeSeconds).toBe((24 + 1 + 6) * 3600);
    expect(new PostgresBackup(chart, 'Weekdays', { ...BASE, name: 'weekdays', schedule: '0 3 * * 1-5' }).maxAgeSeconds).toBe((72 + 7) * 3600);
  });

  describe('objectStorage', () => {
    const S3: BackupObjectStorageOptions = { bucket: 'acme-db-backups', credentials: BackupCredentials.irsa('arn:aws:iam::111122223333:role/db-backups') };
    const pod = () => cronJob().spec.jobTemplate.spec.template.spec;
    const envOf = (c: any) => Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

    test('dumps to the claim, then uploads with the AWS CLI v2 image in a second container, to <namespace>/<name> in us-east-1 with SSE-S3', () => {
      new PostgresBackup(chart, 'Backup', { ...BASE, objectStorage: S3 });
      const spec = pod();
      expect(spec.initContainers.map((c: any) => c.name)).toEqual(['backup']);
      expect(spec.containers.map((c: any) => c.name)).toEqual(['upload']);
      const upload = spec.containers[0];
      expect(upload.image).toBe('amazon/aws-cli:2.27.9');
      expect(upload.command).toEqual(['/bin/sh', '-c', uploadScript()]);
      expect(envOf(upload)).toMatchObject({
        S3_BUCKET: 'acme-db-backups', S3_PREFIX: 'production/postgres', AWS_REGION: 'us-east-1', S3_SSE: 'AES256', S3_DELETE_OLD: 'true', BACKUP_KEEP: '7', BACKUP_DIR: '/backups',
      });
      expect(envOf(upload).S3_ENDPOINT).toBeUndefined();
      expect(envOf(upload).PGPASSWORD).toBeUndefined(); // the uploader never sees the database's credentials
      expect(upload.volumeMounts).toContainEqual({ name: 'backups', mountPath: '/backups', readOnly: true });
      expect(upload.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 70, readOnlyRootFilesystem: true });
      expect(spec.volumes).toContainEqual({ name: 'backups', persistentVolumeClaim: { claimName: 'postgres-backups' } });
      expectK8sValid(chart);
    });

    test('IRSA: the pods run as a ServiceAccount annotated with the role, with no API token', () => {
      const backup = new PostgresBackup(chart, 'Backup', { ...BASE, objectStorage: S3 });
      const sa = chart.toJson().find((m: any) => m.kind === 'ServiceAccount');
      expect(sa.metadata.name).toBe('postgres-backup');
      expect(sa.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/db-backups' });
      expect(sa.automountServiceAccountToken).toBe(false);
      expect(pod().serviceAccountName).toBe('postgres-backup');
      expect(pod().automountServiceAccountToken).toBe(false);
      expect(backup.serviceAccount).toBeDefined();
    });

    test('a ServiceAccount for Pod Identity needs no annotation, and carries those given', () => {
      new PostgresBackup(chart, 'Backup', { ...BASE, objectStorage: { ...S3, credentials: BackupCredentials.fromServiceAccount() } });
      expect(chart.toJson().find((m: any) => m.kind === 'ServiceAccount').metadata.annotations).toBeUndefined();
      expect(pod().serviceAccountName).toBe('postgres-backup');
      const other = Testing.chart();
      new PostgresBackup(other, 'Backup', { ...BASE, objectStorage: { ...S3, credentials: BackupCredentials.fromServiceAccount({ 'iam.gke.io/gcp-service-account': 'backups@p.iam.gserviceaccount.com' }) } });
      expect(other.toJson().find((m: any) => m.kind === 'ServiceAccount').metadata.annotations)
        .toEqual({ 'iam.gke.io/gcp-service-account': 'backups@p.iam.gserviceaccount.com' });
    });

    test('keys from a Secret reach only the upload container, through secretKeyRef', () => {
      new PostgresBackup(chart, 'Backup', { ...BASE, objectStorage: { ...S3, credentials: BackupCredentials.fromSecret('minio-keys', { accessKeyIdKey: 'user', secretAccessKeyKey: 'pass' }) } });
      const spec = pod();
      expect(envOf(spec.containers[0])).toMatchObject({
        AWS_ACCESS_KEY_ID: { secretKeyRef: { name: 'minio-keys', key: 'user' } },
        AWS_SECRET_ACCESS_KEY: { secretKeyRef: { name: 'minio-keys', key: 'pass' } },
      });
      expect(envOf(spec.initContainers[0]).AWS_SECRET_ACCESS_KEY).toBeUndefined();
      expect(spec.serviceAccountName).toBeUndefined();
      expect(chart.toJson().filter((m: any) => m.kind === 'ServiceAccount')).toEqual([]);
      expectNoSecrets([{ label: 'backup', text: YAML.stringify(chart.toJson()) }]);
    });

    test('an S3-compatible endpoint with path-style requests, SSE-KMS, a prefix, a region and lifecycle retention', () => {
      new PostgresBackup(chart, 'Backup', {
        ...BASE,
        objectStorage: {
          ...S3,
          endpoint: 'https://minio.storage.svc:9000',
          forcePathStyle: true,
          prefix: 'prod/db',
          region: 'eu-west-1',
          encryption: BackupEncryption.kms('alias/db-backups'),
          deleteOldDumps: false,
          image: 'registry.example.com/aws-cli:2.27.9',
        },
      });
      const upload = pod().containers[0];
      expect(upload.image).toBe('registry.example.com/aws-cli:2.27.9');
      expect(envOf(upload)).toMatchObject({
        S3_ENDPOINT: 'https://minio.storage.svc:9000',
        S3_PATH_STYLE: 'true',
        S3_PREFIX: 'prod/db',
        AWS_REGION: 'eu-west-1',
        AWS_DEFAULT_REGION: 'eu-west-1',
        S3_SSE: 'aws:kms',
        S3_SSE_KMS_KEY_ID: 'alias/db-backups',
        S3_DELETE_OLD: 'false',
        AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
      });
    });

    test('BackupEncryption.BUCKET_DEFAULT sends no encryption header', () => {
      new PostgresBackup(chart, 'Backup', { ...BASE, objectStorage: { ...S3, encryption: BackupEncryption.BUCKET_DEFAULT } });
      expect(envOf(pod().containers[0]).S3_SSE).toBeUndefined();
    });

    test('with recordLastSuccess a third container records the run after the upload', () => {
      new PostgresBackup(chart, 'Backup', { ...BASE, objectStorage: S3, recordLastSuccess: true });
      const spec = pod();
      expect(spec.initContainers.map((c: any) => c.name)).toEqual(['backup', 'upload']);
      expect(spec.containers.map((c: any) => c.name)).toEqual(['record']);
      expect(spec.containers[0].command[2]).toBe(recordBackupScript());
      expect(envOf(spec.initContainers[0]).BACKUP_RECORD_STATUS).toBeUndefined();
    });

    test('restore Jobs download from the bucket into an emptyDir, then restore from it', () => {
      const backup = new PostgresBackup(chart, 'Backup', { ...BASE, objectStorage: S3 });
      const spec = backup.restoreJob(chart, 'Restore', { databaseName: 'example_app_db', restoreGlobals: true }).toJson().spec.template.spec;
      expect(spec.initContainers.map((c: any) => [c.name, c.image])).toEqual([['download', 'amazon/aws-cli:2.27.9']]);
      expect(spec.initContainers[0].command[2]).toBe(downloadScript());
      expect(spec.containers.map((c: any) => c.name)).toEqual(['restore']);
      expect(spec.volumes).toContainEqual({ name: 'backups', emptyDir: {} });
      expect(envOf(spec.containers[0])).toMatchObject({ BACKUP_DIR: '/restore', RESTORE_DATABASE: 'example_app_db', RESTORE_GLOBALS: 'true' });
      expect(spec.serviceAccountName).toBe('postgres-backup');
      expectK8sValid(chart);
    });

    test('fromObjectStorage: false restores from the claim', () => {
      const backup = new PostgresBackup(chart, 'Backup', { ...BASE, objectStorage: S3 });
      const spec = backup.restoreJob(chart, 'Restore', { databaseName: 'example_app_db', fromObjectStorage: false }).toJson().spec.template.spec;
      expect(spec.initContainers).toBeUndefined();
      expect(spec.volumes).toContainEqual({ name: 'backups', persistentVolumeClaim: { claimName: 'postgres-backups' } });
    });

    test.each<[string, Partial<BackupObjectStorageOptions>, RegExp]>([
      ['throws on a bucket given as a URL', { bucket: 's3://acme' }, /PostgresBackup: objectStorage.bucket must be an S3 bucket name of 3-63 lower-case letters.*\(got "s3:\/\/acme"\)/],
      ['throws on a bucket with upper case', { bucket: 'Acme' }, /objectStorage.bucket must be an S3 bucket name/],
      ['throws on a prefix with a leading slash', { prefix: '/prod' }, /PostgresBackup: objectStorage.prefix must be a key prefix .* \(got "\/prod"\)/],
      ['throws on a prefix with ..', { prefix: 'prod/../x' }, /objectStorage.prefix must be a key prefix/],
      ['throws on an endpoint with a path', { endpoint: 'https://minio:9000/bucket' }, /PostgresBackup: objectStorage.endpoint must be an http:\/\/ or https:\/\/ URL of the endpoint alone/],
      ['throws on an endpoint with credentials', { endpoint: 'https://key:secret@minio:9000' }, /objectStorage.endpoint must be an http:\/\/ or https:\/\/ URL/],
      ['throws on an endpoint without a scheme', { endpoint: 'minio:9000' }, /objectStorage.endpoint must be an http:\/\/ or https:\/\/ URL/],
      ['throws on a region with upper case', { region: 'EU-WEST-1' }, /PostgresBackup: objectStorage.region must be a region name .* \(got "EU-WEST-1"\)/],
      ['throws on an unpinned CLI image', { image: 'amazon/aws-cli:latest' }, /PostgresBackup: objectStorage.image must be pinned to a version/],
      ['throws on a KMS key with a space', { encryption: BackupEncryption.kms('alias/db backups') }, /PostgresBackup: objectStorage.encryption key must be a KMS key id/],
      ['throws on a role that is not an IAM role ARN', { credentials: BackupCredentials.irsa('db-backups') }, /PostgresBackup: objectStorage.credentials roleArn must be an IAM role ARN \(got "db-backups"\)/],
      ['throws on a credentials Secret name with upper case', { credentials: BackupCredentials.fromSecret('S3Keys') }, /objectStorage.credentials secretName must be a DNS-1123 subdomain/],
      ['throws on a credentials key with a space', { credentials: BackupCredentials.fromSecret('s3-keys', { secretAccessKeyKey: 'secret key' }) }, /objectStorage.credentials secretAccessKeyKey must be a Secret key/],
      ['throws on a ServiceAccount annotation key that is no key', { credentials: BackupCredentials.fromServiceAccount({ 'bad key': 'x' }) }, /objectStorage.credentials annotations key "bad key" must be \[prefix\/\]name/],
      ['throws without credentials', { credentials: undefined as any }, /PostgresBackup: objectStorage.credentials must be given \(got undefined\)/],
    ])('%s', (_name, options, message) => {
      expect(() => new PostgresBackup(chart, 'Backup', { ...BASE, objectStorage: { ...S3, ...options } })).toThrow(message);
    });

    test('throws on a restore dump file given as a path when restoring from the bucket', () => {
      const backup = new PostgresBackup(chart, 'Backup', { ...BASE, objectStorage: S3 });
      expect(() => backup.restoreJob(chart, 'R', { databaseName: 'x_db', dumpFile: '/backups/x_db/x.dump' }))
        .toThrow(/PostgresBackup: restoreJob dumpFile must be a plain file name/);
    });
  });

  test('throws on a restore from object storage without objectStorage', () => {
    const backup = new PostgresBackup(chart, 'Backup', BASE);
    expect(() => backup.restoreJob(chart, 'R', { databaseName: 'x_db', fromObjectStorage: true }))
      .toThrow(/PostgresBackup: restoreJob fromObjectStorage needs objectStorage \(got fromObjectStorage: true without objectStorage\)/);
  });

  test('throws on a globals file without restoreGlobals', () => {
    const backup = new PostgresBackup(chart, 'Backup', BASE);
    expect(() => backup.restoreJob(chart, 'R', { databaseName: 'x_db', globalsFile: 'globals-20240101T030000Z.sql' }))
      .toThrow(/PostgresBackup: restoreJob globalsFile needs restoreGlobals \(got globalsFile "globals-20240101T030000Z.sql" without restoreGlobals: true\)/);
  });

  test('throws on a globals file that climbs out of the directory', () => {
    const backup = new PostgresBackup(chart, 'Backup', BASE);
    expect(() => backup.restoreJob(chart, 'R', { databaseName: 'x_db', restoreGlobals: true, globalsFile: '../globals.sql' }))
      .toThrow(/PostgresBackup: restoreJob globalsFile must be a plain file name/);
  });

  test('throws on a schedule that never runs', () => {
    expect(() => new PostgresBackup(chart, 'Backup', { ...BASE, schedule: '0 3 30 2 *' }))
      .toThrow(/PostgresBackup: schedule must run at least once \(got "0 3 30 2 \*", which names no day of the calendar\)/);
  });
});
