import { Chart, Testing } from 'cdk8s';
import { PostgresBackup, PostgresBackupProps } from '../../src/k8s/postgres-backup';
import { backupScript, restoreScript } from '../../src/k8s/private/postgres-backup-scripts';
import { expectK8sValid } from '../harness';

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
});
