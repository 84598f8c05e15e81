import { createHash } from 'node:crypto';
import { ApiObjectMetadata } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { backupScript, restoreScript } from './private/postgres-backup-scripts';
import { SslMode } from '../core/ssl-mode';
import {
  postgresContainerSecurityContext, postgresPodSecurityContext, resources, superuserEnv,
} from './private/postgres-pod-defaults';
import { checkCronSchedule, checkDnsLabel, checkImage, checkIntRange, checkStorageSize } from './private/postgres-validation';

/**
 * Options of the backup CronJob of a SharedPostgres.
 */
export interface PostgresBackupOptions {
  /**
   * Cron schedule of the backup (five fields, in the time zone of the kube-controller-manager,
   * usually UTC).
   *
   * @default '0 3 * * *'
   */
  readonly schedule?: string;

  /**
   * How many dumps of each database to keep (1–365). Older dumps are deleted after a successful dump.
   *
   * @default 7
   */
  readonly retain?: number;

  /**
   * Size of the PersistentVolumeClaim that holds the dumps.
   *
   * @default '10Gi'
   */
  readonly storageSize?: string;

  /**
   * StorageClass of the dumps' PersistentVolumeClaim.
   *
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
}

/**
 * Props of {@link PostgresBackup}.
 */
export interface PostgresBackupProps extends PostgresBackupOptions {
  /** Namespace of the CronJob, its PersistentVolumeClaim and restore Jobs. */
  readonly namespace: string;

  /** Base name: the CronJob is `<name>-backup`, the claim `<name>-backups`. */
  readonly name: string;

  /** Image that provides `pg_dump`/`pg_restore`; use the server's image so the versions match. */
  readonly image: string;

  /** Host name of the database Service. */
  readonly host: string;

  /**
   * TCP port of the database Service.
   *
   * @default 5432
   */
  readonly port?: number;

  /** Secret with the superuser's name and password. */
  readonly superuserSecretName: string;

  /**
   * Key of the superuser name in `superuserSecretName`.
   *
   * @default 'POSTGRES_USER'
   */
  readonly superuserUserKey?: string;

  /**
   * Key of the superuser password in `superuserSecretName`.
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
   *
   * @default - none beyond the component labels
   */
  readonly podLabels?: { [key: string]: string };
}

const CONSTRUCT = 'PostgresBackup';
const BACKUP_DIR = '/backups';

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
    checkCronSchedule(CONSTRUCT, 'schedule', schedule);
    checkIntRange(CONSTRUCT, 'retain', retain, 1, 365, 'Keep at least one dump; copy dumps off the cluster for longer retention.');
    checkStorageSize(CONSTRUCT, 'storageSize', storageSize);
    checkImage(CONSTRUCT, 'image', props.image, 'postgres:15-alpine');
    checkDnsLabel(CONSTRUCT, 'namespace', props.namespace);

    this.podLabels = {
      'app.kubernetes.io/name': 'postgres-backup',
      'app.kubernetes.io/instance': props.name,
      'app.kubernetes.io/component': 'backup',
      ...props.podLabels,
    };
    this.env = superuserEnv({
      host: props.host,
      port: props.port ?? 5432,
      secretName: props.superuserSecretName,
      userKey: props.superuserUserKey ?? 'POSTGRES_USER',
      passwordKey: props.superuserPasswordKey ?? 'POSTGRES_PASSWORD',
      sslMode: (props.sslMode ?? SslMode.PREFER).value,
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
  }

  /**
   * A Job that restores one database from the dumps of this backup.
   *
   * Restoring is an explicit operator action: the Job runs `pg_restore --clean --if-exists` in one
   * transaction, which drops and recreates every object in the dump (rows written since the dump
   * are lost in those tables). Put the Job in a chart you apply on purpose, not in the chart your
   * GitOps tooling applies continuously.
   *
   * @param scope where to create the Job
   * @param id construct id of the Job
   * @param database the database to restore
   * @param dumpFile dump file name in `<claim>/<database>/` (or an absolute path in the pod); default: the newest dump
   */
  public restoreJob(scope: Construct, id: string, database: string, dumpFile?: string): k8s.KubeJob {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_$-]{0,62}$/.test(database)) {
      throw new Error(
        `${CONSTRUCT}: restoreJob database must be a database name of letters, digits, '_', '$' or '-' (got '${database}'). ` +
        'Pass the name of a database the backup dumps.',
      );
    }
    if (dumpFile !== undefined && (dumpFile === '' || /[\r\n\0]|(^|\/)\.\.(\/|$)/.test(dumpFile))) {
      throw new Error(
        `${CONSTRUCT}: restoreJob dumpFile must be a file name from the backup claim without '..' or line breaks (got ${JSON.stringify(dumpFile)}). ` +
        'Use a name such as example_app_db-20240101T030000Z.dump, or omit it to restore the newest dump.',
      );
    }
    const hash = createHash('sha256').update(`${database}\n${dumpFile ?? ''}`).digest('hex').slice(0, 8);
    const room = Math.max(1, 63 - `${this.props.name}-restore--${hash}`.length);
    const slug = database.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, room).replace(/^-+|-+$/g, '') || 'db';
    const env: k8s.EnvVar[] = [
      { name: 'BACKUP_DIR', value: BACKUP_DIR },
      { name: 'RESTORE_DATABASE', value: database },
    ];
    if (dumpFile !== undefined) env.push({ name: 'RESTORE_FILE', value: dumpFile });
    return new k8s.KubeJob(scope, id, {
      metadata: this.metadata(`${this.props.name}-restore-${slug}-${hash}`),
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: 6 * 3600,
        ttlSecondsAfterFinished: 7 * 24 * 3600,
        template: this.podTemplate('restore', env, restoreScript()),
      },
    });
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
        securityContext: postgresPodSecurityContext(),
        containers: [{
          name: container,
          image: this.props.image,
          command: ['/bin/sh', '-c', script],
          env: [...this.env, ...env],
          resources: resources('50m', '64Mi', '500m', '512Mi'),
          securityContext: postgresContainerSecurityContext(),
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
