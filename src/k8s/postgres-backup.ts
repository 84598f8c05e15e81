import { ApiObjectMetadata } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { BackupObjectStorageOptions } from './backup-object-storage';
import { PostgresRestoreOptions } from './postgres-restore-options';
import { objectStorageProblems, ObjectStorageSettings, resolveObjectStorage, usesServiceAccount } from './private/backup-object-storage-settings';
import { backupPod, BackupPodSettings, restorePod } from './private/backup-pods';
import { hashedJobName } from './private/hashed-name';
import { superuserEnv } from './private/pod-defaults';
import { claimUniqueNames } from './private/unique-names';
import { longestCronGapSeconds } from '../core/private/cron';
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

  /**
   * Copy every dump off the cluster to S3-compatible object storage. The dumps are still written
   * to the claim first (which keeps the newest `retain`), then a second container (the AWS CLI)
   * uploads those the bucket lacks, so a dump a failed upload missed goes up with the next run,
   * and dumps already on the claim when this is turned on are uploaded too. Restore Jobs then
   * read from the bucket.
   *
   * @default - dumps stay on the claim, in the cluster
   */
  readonly objectStorage?: BackupObjectStorageOptions;
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

  /**
   * Record each successful run in the table `cdk_db_platform.backup_status` of the `postgres`
   * database (created when missing), where the monitoring's exporter reads the time of the last
   * success. SharedPostgres sets it when `monitoring` is on.
   *
   * @default false
   */
  readonly recordLastSuccess?: boolean;
}

const CONSTRUCT = 'PostgresBackup';
const DEFAULT_IMAGE = 'postgres:15-alpine';
/** How late a run may start (`startingDeadlineSeconds`) and how long it may take (`activeDeadlineSeconds`). */
const STARTING_DEADLINE_SECONDS = 3600;
const ACTIVE_DEADLINE_SECONDS = 6 * 3600;

/**
 * Daily logical backups of every database of a PostgreSQL server: a CronJob that runs `pg_dump -Fc`
 * once per database, and `pg_dumpall --globals-only --no-role-passwords` for the roles, into a
 * PersistentVolumeClaim and keeps the newest N of each; optionally copies them off the cluster to
 * S3-compatible object storage (`objectStorage`); and a factory for a Job that restores one
 * database from those dumps.
 *
 * Roles are dumped without passwords: each role's password lives in its app Secret, and the app's
 * init Job sets it, so no dump holds a password hash.
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
  /** The cron schedule of the backup. */
  public readonly schedule: string;
  /**
   * How old the last successful backup may be while backups are healthy, in seconds: the longest
   * interval between two runs of the schedule, plus the hour a run may start late and the six hours
   * it may take (the CronJob's deadlines).
   */
  public readonly maxAgeSeconds: number;
  /** The ServiceAccount of the backup and restore pods, when object storage credentials come from one. */
  public readonly serviceAccount?: k8s.KubeServiceAccount;

  private readonly props: PostgresBackupProps;
  private readonly pods: BackupPodSettings;
  private readonly objectStorage?: ObjectStorageSettings;

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
    const objectStorage = props.objectStorage && resolveObjectStorage(props.objectStorage, props.namespace, props.name);
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
      ...(objectStorage ? objectStorageProblems(objectStorage) : []),
    ]);

    this.schedule = schedule;
    this.maxAgeSeconds = longestCronGapSeconds(schedule)! + STARTING_DEADLINE_SECONDS + ACTIVE_DEADLINE_SECONDS;
    this.objectStorage = objectStorage;
    this.podLabels = {
      'app.kubernetes.io/name': 'postgres-backup',
      'app.kubernetes.io/instance': props.name,
      'app.kubernetes.io/component': 'backup',
      ...podLabels,
    };
    this.claimName = `${props.name}-backups`;
    this.claim = new k8s.KubePersistentVolumeClaim(this, 'Claim', {
      metadata: this.metadata(this.claimName),
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: props.storageClassName,
        resources: { requests: { storage: k8s.Quantity.fromString(storageSize) } },
      },
    });

    if (objectStorage && usesServiceAccount(objectStorage)) {
      this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
        metadata: { ...this.metadata(`${props.name}-backup`), annotations: objectStorage.credentials.serviceAccountAnnotations },
        automountServiceAccountToken: false,
      });
    }
    this.pods = {
      image: props.image,
      superuserEnv: superuserEnv({
        host: props.host,
        port,
        secretName: props.superuserSecretName,
        userKey,
        passwordKey,
        sslMode: props.sslMode ?? SslMode.PREFER,
      }),
      podLabels: this.podLabels,
      claimName: this.claimName,
      retain,
      recordLastSuccess: props.recordLastSuccess ?? false,
      objectStorage,
      serviceAccountName: this.serviceAccount ? `${props.name}-backup` : undefined,
    };

    this.cronJob = new k8s.KubeCronJob(this, 'Resource', {
      metadata: this.metadata(`${props.name}-backup`),
      spec: {
        schedule,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: STARTING_DEADLINE_SECONDS,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: ACTIVE_DEADLINE_SECONDS,
            template: backupPod(this.pods),
          },
        },
      },
    });
    claimUniqueNames(CONSTRUCT, this, 'name');
  }

  /**
   * A Job that restores one database from the dumps of this backup: from the bucket when
   * `objectStorage` is set, else from the claim.
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
    const fromBucket = options.fromObjectStorage ?? this.objectStorage !== undefined;
    const restoreGlobals = options.restoreGlobals ?? false;
    const problems: Problem[] = [v.pgIdentifier('restoreJob databaseName', database)];
    if (fromBucket && this.objectStorage === undefined) {
      problems.push('restoreJob fromObjectStorage needs objectStorage (got fromObjectStorage: true without objectStorage). Set objectStorage, or restore from the claim.');
    }
    if (dumpFile !== undefined) {
      problems.push(dumpFile.startsWith('/') && !fromBucket
        ? v.absolutePath('restoreJob dumpFile', dumpFile, '/backups/example_app_db/example_app_db-20240101T030000Z.dump')
        : v.fileName('restoreJob dumpFile', dumpFile, 'example_app_db-20240101T030000Z.dump'));
    }
    if (options.globalsFile !== undefined) {
      problems.push(restoreGlobals
        ? v.fileName('restoreJob globalsFile', options.globalsFile, 'globals-20240101T030000Z.sql')
        : `restoreJob globalsFile needs restoreGlobals (got globalsFile ${v.show(options.globalsFile)} without restoreGlobals: true). Set restoreGlobals: true, or drop globalsFile.`);
    }
    const t = options.target;
    const target = t && {
      host: t.host,
      port: t.port ?? 5432,
      secretName: t.superuserSecretName,
      userKey: t.superuserUserKey ?? 'username',
      passwordKey: t.superuserPasswordKey ?? 'password',
      sslMode: t.sslMode ?? SslMode.REQUIRE,
    };
    if (target) {
      problems.push(
        v.host('restoreJob target host', target.host),
        v.port('restoreJob target port', target.port),
        v.kubernetesName('Secret', 'restoreJob target superuserSecretName', target.secretName),
        v.secretKey('restoreJob target superuserUserKey', target.userKey),
        v.secretKey('restoreJob target superuserPasswordKey', target.passwordKey),
      );
    }
    throwIfAny(CONSTRUCT, problems);
    const pods = target ? { ...this.pods, superuserEnv: superuserEnv(target) } : this.pods;
    const template = restorePod(pods, { databaseName: database, dumpFile, restoreGlobals, globalsFile: options.globalsFile, fromBucket });
    // `<name>-restore-<slug>-<8 hex>` within 63 characters.
    const room = Math.max(1, 63 - `${this.props.name}-restore--12345678`.length);
    const slug = database.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, room).replace(/^-+|-+$/g, '') || 'db';
    const job = new k8s.KubeJob(scope, id, {
      metadata: this.metadata(hashedJobName(`${this.props.name}-restore-${slug}`, template)),
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: ACTIVE_DEADLINE_SECONDS,
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
}
