import { ApiObjectMetadata } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { hashedJobName } from './private/hashed-name';
import { containerSecurityContext, podSecurityContext, POSTGRES_UID, resources, superuserEnv } from './private/pod-defaults';
import { backupScript, restoreScript } from './private/postgres-backup-scripts';
import { claimUniqueNames } from './private/unique-names';
import * as v from '../core/private/validators';
import { Problem, throwIfAny } from '../core/private/validators';
import { SslMode } from '../core/ssl-mode';

/**
 * Options of the backup CronJob of a SharedPostgres.
 */
export interface PostgresBackupOptions {
  /**
   * Cron schedule of the backup (five fields, in the time zone of the kube-controller-manager,
   * usually UTC).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default '0 3 * * *'
   */
  readonly schedule?: string;

  /**
   * How many dumps of each database to keep (1–365). Older dumps are deleted after a successful dump.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default 7
   */
  readonly retain?: number;

  /**
   * Size of the PersistentVolumeClaim that holds the dumps.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default '10Gi'
   */
  readonly storageSize?: string;

  /**
   * StorageClass of the dumps' PersistentVolumeClaim.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
}

/**
 * Which dump {@link PostgresBackup.restoreJob} restores.
 */
export interface PostgresRestoreOptions {
  /**
   * The database to restore (a PostgreSQL identifier, e.g. `example_app_db`).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly databaseName: string;

  /**
   * A dump file name from `<claim>/<database>/`, e.g. `example_app_db-20240101T030000Z.dump`, or an
   * absolute path inside the restore pod.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default - the newest dump of the database
   */
  readonly dumpFile?: string;
}

/**
 * Props of {@link PostgresBackup}.
 */
export interface PostgresBackupProps extends PostgresBackupOptions {
  /**
   * Namespace of the CronJob, its PersistentVolumeClaim and restore Jobs.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly namespace: string;

  /**
   * Base name: the CronJob is `<name>-backup`, the claim `<name>-backups` (a DNS-1123 label of at most 45 characters).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly name: string;

  /**
   * Image that provides `pg_dump`/`pg_restore`; use the server's image so the versions match.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly image: string;

  /**
   * Host name of the database Service.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly host: string;

  /**
   * TCP port of the database Service.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default 5432
   */
  readonly port?: number;

  /**
   * Secret with the superuser's name and password.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly superuserSecretName: string;

  /**
   * Key of the superuser name in `superuserSecretName`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default 'POSTGRES_USER'
   */
  readonly superuserUserKey?: string;

  /**
   * Key of the superuser password in `superuserSecretName`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default 'POSTGRES_PASSWORD'
   */
  readonly superuserPasswordKey?: string;

  /**
   * libpq `sslmode` of the backup and restore clients.
   *
   * @default SslMode.PREFER
   */
  readonly sslMode?: SslMode;

  /**
   * Labels added to the backup and restore pods (for example the label a NetworkPolicy allows).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default - none beyond the component labels
   */
  readonly podLabels?: { [key: string]: string };
}

const CONSTRUCT = 'PostgresBackup';
const BACKUP_DIR = '/backups';
const DEFAULT_IMAGE = 'postgres:15-alpine';

/**
 * Daily logical backups of every database of a PostgreSQL server: a CronJob that runs `pg_dump -Fc`
 * once per database into a PersistentVolumeClaim and keeps the newest N dumps of each, and a
 * factory for a Job that restores one database from those dumps.
 *
 * Roles and their passwords are not dumped (the app's init Job recreates roles from the app
 * Secrets); copy the claim's contents off the cluster if the dumps must outlive it.
 */
export class PostgresBackup extends Construct {
  /** The backup CronJob. */
  public readonly cronJob: k8s.KubeCronJob;
  /** The PersistentVolumeClaim holding the dumps (kept when the chart is deleted only if your tooling does so; see README). */
  public readonly claim: k8s.KubePersistentVolumeClaim;
  /** Name of the dumps' PersistentVolumeClaim. */
  public readonly claimName: string;
  /** Labels carried by backup and restore pods. */
  public readonly podLabels: { [key: string]: string };

  private readonly props: PostgresBackupProps;
  private readonly env: k8s.EnvVar[];

  constructor(scope: Construct, id: string, props: PostgresBackupProps) {
    super(scope, id);
    this.props = props;
    const schedule = props.schedule ?? '0 3 * * *';
    const retain = props.retain ?? 7;
    const storageSize = props.storageSize ?? '10Gi';
    const port = props.port ?? 5432;
    const userKey = props.superuserUserKey ?? 'POSTGRES_USER';
    const passwordKey = props.superuserPasswordKey ?? 'POSTGRES_PASSWORD';
    const podLabels = props.podLabels ?? {};
    throwIfAny(CONSTRUCT, [
      v.kubernetesName('Namespace', 'namespace', props.namespace),
      v.kubernetesName('Job', 'name', props.name) ?? v.kubernetesName('CronJob', 'name (in the CronJob name <name>-backup)', `${props.name}-backup`),
      v.cronSchedule('schedule', schedule),
      v.intRange('retain', retain, 1, 365, 'Keep at least one dump; copy dumps off the cluster for longer retention.'),
      v.quantity('storageSize', storageSize, '10Gi', 2 ** 20),
      v.imageRef('image', props.image, DEFAULT_IMAGE),
      v.host('host', props.host),
      v.port('port', port),
      v.kubernetesName('Secret', 'superuserSecretName', props.superuserSecretName),
      v.secretKey('superuserUserKey', userKey),
      v.secretKey('superuserPasswordKey', passwordKey),
      ...v.labels('podLabels', podLabels),
    ]);

    this.podLabels = {
      'app.kubernetes.io/name': 'postgres-backup',
      'app.kubernetes.io/instance': props.name,
      'app.kubernetes.io/component': 'backup',
      ...podLabels,
    };
    this.env = superuserEnv({
      host: props.host,
      port,
      secretName: props.superuserSecretName,
      userKey,
      passwordKey,
      sslMode: props.sslMode ?? SslMode.PREFER,
    });

    this.claimName = `${props.name}-backups`;
    this.claim = new k8s.KubePersistentVolumeClaim(this, 'Claim', {
      metadata: this.metadata(this.claimName),
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: props.storageClassName,
        resources: { requests: { storage: k8s.Quantity.fromString(storageSize) } },
      },
    });

    this.cronJob = new k8s.KubeCronJob(this, 'Resource', {
      metadata: this.metadata(`${props.name}-backup`),
      spec: {
        schedule,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: 6 * 3600,
            template: this.podTemplate('backup', [
              { name: 'BACKUP_DIR', value: BACKUP_DIR },
              { name: 'BACKUP_KEEP', value: String(retain) },
            ], backupScript()),
          },
        },
      },
    });
    claimUniqueNames(CONSTRUCT, this, 'name');
  }

  /**
   * A Job that restores one database from the dumps of this backup.
   *
   * Restoring is an explicit operator action: the Job runs `pg_restore --clean --if-exists` in one
   * transaction, which drops and recreates every object in the dump (rows written since the dump
   * are lost in those tables). Put the Job in a chart you apply on purpose, not in the chart your
   * GitOps tooling applies continuously. The Job is named `<name>-restore-<database>-<hash>`.
   *
   * @param scope where to create the Job
   * @param id construct id of the Job
   * @param options the database and, optionally, the dump to restore
   */
  public restoreJob(scope: Construct, id: string, options: PostgresRestoreOptions): k8s.KubeJob {
    const database = options.databaseName;
    const dumpFile = options.dumpFile;
    const problems: Problem[] = [v.pgIdentifier('restoreJob databaseName', database)];
    if (dumpFile !== undefined) {
      problems.push(dumpFile.startsWith('/')
        ? v.absolutePath('restoreJob dumpFile', dumpFile, '/backups/example_app_db/example_app_db-20240101T030000Z.dump')
        : v.fileName('restoreJob dumpFile', dumpFile, 'example_app_db-20240101T030000Z.dump'));
    }
    throwIfAny(CONSTRUCT, problems);
    const env: k8s.EnvVar[] = [
      { name: 'BACKUP_DIR', value: BACKUP_DIR },
      { name: 'RESTORE_DATABASE', value: database },
    ];
    if (dumpFile !== undefined) env.push({ name: 'RESTORE_FILE', value: dumpFile });
    const template = this.podTemplate('restore', env, restoreScript());
    // `<name>-restore-<slug>-<8 hex>` within 63 characters.
    const room = Math.max(1, 63 - `${this.props.name}-restore--12345678`.length);
    const slug = database.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, room).replace(/^-+|-+$/g, '') || 'db';
    const job = new k8s.KubeJob(scope, id, {
      metadata: this.metadata(hashedJobName(`${this.props.name}-restore-${slug}`, template)),
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: 6 * 3600,
        ttlSecondsAfterFinished: 7 * 24 * 3600,
        template,
      },
    });
    claimUniqueNames(CONSTRUCT, job, 'restoreJob databaseName');
    return job;
  }

  private metadata(name: string): ApiObjectMetadata {
    return {
      name,
      namespace: this.props.namespace,
      labels: {
        'app.kubernetes.io/name': 'postgres-backup',
        'app.kubernetes.io/instance': this.props.name,
        'app.kubernetes.io/component': 'backup',
      },
    };
  }

  private podTemplate(container: string, env: k8s.EnvVar[], script: string): k8s.PodTemplateSpec {
    return {
      metadata: { labels: this.podLabels },
      spec: {
        restartPolicy: 'Never',
        automountServiceAccountToken: false,
        securityContext: podSecurityContext(POSTGRES_UID),
        containers: [{
          name: container,
          image: this.props.image,
          command: ['/bin/sh', '-c', script],
          env: [...this.env, ...env],
          resources: resources('50m', '64Mi', '500m', '512Mi'),
          securityContext: containerSecurityContext(POSTGRES_UID),
          volumeMounts: [
            { name: 'backups', mountPath: BACKUP_DIR },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        }],
        volumes: [
          { name: 'backups', persistentVolumeClaim: { claimName: this.claimName } },
          { name: 'tmp', emptyDir: {} },
        ],
      },
    };
  }
}
