import { k8s } from 'cdk8s-plus-28';
import { awsCliContainer, ObjectStorageSettings } from './backup-object-storage-settings';
import { downloadScript, uploadScript } from './object-storage-scripts';
import { containerSecurityContext, podSecurityContext, POSTGRES_UID, resources } from './pod-defaults';
import { backupScript, recordBackupScript, restoreScript } from './postgres-backup-scripts';

/** The claim's mount path in backup and restore pods. */
export const BACKUP_DIR = '/backups';
/** Where a restore from the bucket downloads to (an emptyDir). */
const DOWNLOAD_DIR = '/restore';

/** What the pods of a PostgresBackup share; every value is validated. */
export interface BackupPodSettings {
  /** Image with pg_dump, pg_dumpall, pg_restore and psql. */
  readonly image: string;
  /** libpq environment of the superuser. */
  readonly superuserEnv: k8s.EnvVar[];
  readonly podLabels: { [key: string]: string };
  readonly claimName: string;
  readonly retain: number;
  /** Record a successful run in the backup status table. */
  readonly recordLastSuccess: boolean;
  readonly objectStorage?: ObjectStorageSettings;
  /** The ServiceAccount the pods run as (with object storage credentials from one). */
  readonly serviceAccountName?: string;
}

/** Which dump a restore pod restores. */
export interface RestorePodOptions {
  readonly databaseName: string;
  readonly dumpFile?: string;
  readonly restoreGlobals: boolean;
  readonly globalsFile?: string;
  /** Download from the bucket into an emptyDir, rather than read the claim. */
  readonly fromBucket: boolean;
}

/** A container with the PostgreSQL client tools, mounting the dumps at `dir` (unless none). */
function postgresContainer(s: BackupPodSettings, name: string, script: string, env: k8s.EnvVar[], dir?: string): k8s.Container {
  return {
    name,
    image: s.image,
    command: ['/bin/sh', '-c', script],
    env: [...s.superuserEnv, ...env],
    resources: resources('50m', '64Mi', '500m', '512Mi'),
    securityContext: containerSecurityContext(POSTGRES_UID),
    volumeMounts: [
      ...dir === undefined ? [] : [{ name: 'backups', mountPath: dir }],
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
}

function pod(s: BackupPodSettings, initContainers: k8s.Container[], containers: k8s.Container[], dataVolume: k8s.Volume): k8s.PodTemplateSpec {
  return {
    metadata: { labels: s.podLabels },
    spec: {
      restartPolicy: 'Never',
      serviceAccountName: s.serviceAccountName,
      // IRSA and Pod Identity mount their own token; no container needs the Kubernetes API.
      automountServiceAccountToken: false,
      securityContext: podSecurityContext(POSTGRES_UID),
      initContainers: initContainers.length > 0 ? initContainers : undefined,
      containers,
      volumes: [dataVolume, { name: 'tmp', emptyDir: {} }],
    },
  };
}

/**
 * The backup CronJob's pod. On the claim alone: one `backup` container (dump, prune, record).
 * With object storage the containers run in turn: `backup` (dump and prune on the claim), then
 * `upload` (AWS CLI: the claim's new dumps to the bucket), then, when the run is recorded,
 * `record` (psql), so a run counts as successful only once its dumps are in the bucket.
 */
export function backupPod(s: BackupPodSettings): k8s.PodTemplateSpec {
  const dumpEnv: k8s.EnvVar[] = [
    { name: 'BACKUP_DIR', value: BACKUP_DIR },
    { name: 'BACKUP_KEEP', value: String(s.retain) },
  ];
  const claim: k8s.Volume = { name: 'backups', persistentVolumeClaim: { claimName: s.claimName } };
  const o = s.objectStorage;
  if (o === undefined) {
    const env = s.recordLastSuccess ? [...dumpEnv, { name: 'BACKUP_RECORD_STATUS', value: 'true' }] : dumpEnv;
    return pod(s, [], [postgresContainer(s, 'backup', backupScript(), env, BACKUP_DIR)], claim);
  }
  const steps: k8s.Container[] = [
    postgresContainer(s, 'backup', backupScript(), dumpEnv, BACKUP_DIR),
    awsCliContainer('upload', o, uploadScript(), [
      { name: 'BACKUP_DIR', value: BACKUP_DIR },
      { name: 'BACKUP_KEEP', value: String(s.retain) },
      { name: 'S3_DELETE_OLD', value: String(o.deleteOldDumps) },
    ], [{ name: 'backups', mountPath: BACKUP_DIR, readOnly: true }]),
  ];
  if (s.recordLastSuccess) steps.push(postgresContainer(s, 'record', recordBackupScript(), []));
  return pod(s, steps.slice(0, -1), steps.slice(-1), claim);
}

/**
 * A restore pod: `restore` (pg_restore) reading the claim, or with `fromBucket` reading an emptyDir
 * that the `download` init container (AWS CLI) filled from the bucket.
 */
export function restorePod(s: BackupPodSettings, o: RestorePodOptions): k8s.PodTemplateSpec {
  const dir = o.fromBucket ? DOWNLOAD_DIR : BACKUP_DIR;
  const env: k8s.EnvVar[] = [
    { name: 'BACKUP_DIR', value: dir },
    { name: 'RESTORE_DATABASE', value: o.databaseName },
  ];
  if (o.dumpFile !== undefined) env.push({ name: 'RESTORE_FILE', value: o.dumpFile });
  if (o.restoreGlobals) env.push({ name: 'RESTORE_GLOBALS', value: 'true' });
  if (o.globalsFile !== undefined) env.push({ name: 'RESTORE_GLOBALS_FILE', value: o.globalsFile });
  const restore = postgresContainer(s, 'restore', restoreScript(), env, dir);
  if (!o.fromBucket || s.objectStorage === undefined) {
    return pod(s, [], [restore], { name: 'backups', persistentVolumeClaim: { claimName: s.claimName } });
  }
  const download = awsCliContainer('download', s.objectStorage, downloadScript(), env, [{ name: 'backups', mountPath: dir }]);
  return pod(s, [download], [restore], { name: 'backups', emptyDir: {} });
}
