import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { AppDatabaseSecret } from './app-database-secret';
import { AppPasswordRotation } from './app-password-rotation';
import { DatabaseInitJob, DatabaseMigrationOptions } from './database-init-job';
import { PgBouncerOptions } from './pgbouncer-props';
import { PostgresBackupOptions } from './postgres-backup';
import { PostgresMonitoringOptions } from './postgres-monitoring';
import { SharedPostgresBackend } from './shared-postgres-backend';
import { SharedPostgresTls } from './shared-postgres-tls';
import { AppDatabaseNamesOptions } from '../core/app-database-names';
import { SslMode } from '../core/ssl-mode';

/**
 * Props of {@link SharedPostgres}.
 */
export interface SharedPostgresProps {
  /**
   * Namespace (environment) of the database, e.g. `production`. Every object is created in it.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly namespace: string;

  /**
   * Where PostgreSQL runs: the library's single-pod StatefulSet, or a CloudNativePG `Cluster`
   * (`SharedPostgresBackend.cloudNativePg({ instances: 3 })`). Apps, `addApp` and the app Secrets
   * are the same under both. Under CloudNativePG these props are refused, since the operator
   * decides them: `image` (use the backend's `imageName`), `initialMajorVersion`, `serviceName`
   * (apps connect to `<name>-rw`), `superuser`, `tls` and `tlsSecretName` (the operator always runs
   * TLS), `monitoring`, `blockNodeDrains`, `backup.retain`, `backup.storageSize`,
   * `backup.storageClassName`, and in `backup.objectStorage` `region`, `forcePathStyle`,
   * `deleteOldDumps`, `image` and a KMS key; `pgBouncer.image`; and the `addApp` options
   * `rotation` and `migrations`. See README "Choosing a backend".
   *
   * @default SharedPostgresBackend.statefulSet()
   */
  readonly backend?: SharedPostgresBackend;

  /**
   * Base name of the StatefulSet, its headless Service, Secrets and Jobs: a DNS-1035 label of at
   * most 39 characters.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default 'postgres'
   */
  readonly name?: string;

  /**
   * PostgreSQL image, pinned to a version. Must be an official-image layout (entrypoint honouring
   * POSTGRES_USER/POSTGRES_PASSWORD/PGDATA, `postgres` user with uid 70 as in the Alpine variants).
   * Its tag must name `postgresMajorVersion` (`postgres:16-alpine`, `postgres:16.4`); an image pinned
   * by digest only is trusted to run `postgresMajorVersion`, which must then be given.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default 'postgres:15-alpine'
   */
  readonly image?: string;

  /**
   * The PostgreSQL major version the server runs, and in which its data directory is written.
   * An image of another major version is refused: PostgreSQL cannot open the data directory of
   * another major version, so the pod would crash-loop after a plain image bump.
   *
   * Changing it on a deployed server is a major upgrade: set `initialMajorVersion` too (see there).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default 15 (the major version of the default image)
   */
  readonly postgresMajorVersion?: number;

  /**
   * The major version the server was first deployed with, when it has since been upgraded: the
   * dump-and-restore upgrade path. While it differs from `postgresMajorVersion`, the server keeps
   * its data in a new directory for that version (`pgdata-<major>` next to `pgdata` on the same
   * volume), so the new server starts empty and the old data stays untouched for a rollback.
   *
   * To upgrade a deployed server (say 15 → 16), with a maintenance window for the apps:
   * 1. take a fresh dump: `kubectl -n <ns> create job --from=cronjob/<name>-backup <name>-pre-upgrade`
   *    and wait for it (the backup claim keeps it);
   * 2. deploy `image: 'postgres:16-alpine'`, `postgresMajorVersion: 16`, `initialMajorVersion: 15`:
   *    PostgreSQL 16 initialises `pgdata-16`, and the init Jobs (new names, since their image
   *    changed) create every app's role, database and schema again;
   * 3. restore each app's database from that dump with {@link SharedPostgres.restoreJob} (in a chart
   *    applied on purpose; name the dump with `dumpFile`, since a backup run after step 2 dumps the
   *    new, empty databases), then let the apps back in;
   * 4. keep `initialMajorVersion: 15` from then on (it says where the data is); once the upgrade is
   *    proven, delete the old `pgdata` directory to free the space.
   *
   * To roll back before the restore, revert the three props: the server opens `pgdata` again.
   * The deploy-safety checker reports step 2 (k8s-major-upgrade) until it is allowed.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default - postgresMajorVersion: the server has not been upgraded
   */
  readonly initialMajorVersion?: number;

  /**
   * Size of the data volume (a `volumeClaimTemplates` entry of the StatefulSet).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default '10Gi'
   */
  readonly storageSize?: string;

  /**
   * StorageClass of the data volume.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;

  /**
   * CPU request of the database container.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default '250m'
   */
  readonly cpuRequest?: string;

  /**
   * Memory request of the database container.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default '256Mi'
   */
  readonly memoryRequest?: string;

  /**
   * CPU limit of the database container.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default '500m'
   */
  readonly cpuLimit?: string;

  /**
   * Memory limit of the database container.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default '512Mi'
   */
  readonly memoryLimit?: string;

  /**
   * `max_connections` of the server (10–10000).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default 100
   */
  readonly maxConnections?: number;

  /**
   * Further server settings, passed as `-c key=value` (e.g. `{ shared_buffers: '128MB' }`).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default - none
   */
  readonly settings?: { [key: string]: string };

  /**
   * Name of the ClusterIP Service apps connect to: the host is `<serviceName>.<namespace>.svc.<clusterDomain>`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default 'postgres-service'
   */
  readonly serviceName?: string;

  /**
   * DNS domain of the cluster: every host the construct writes (the database's, PgBouncer's) ends
   * in `.svc.<clusterDomain>`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;

  /**
   * Name of the superuser created at first start (a PostgreSQL role name).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default 'postgres'
   */
  readonly superuser?: string;

  /**
   * TLS of the server. On by default with a certificate made inside the cluster, so apps connect
   * with `sslmode=require` without any operator; `SharedPostgresTls.certManager(...)` for a
   * certificate from your cert-manager issuer, `SharedPostgresTls.fromSecret(...)` for your own, and
   * `SharedPostgresTls.disabled()` to opt out (apps then default to `sslmode=prefer`).
   *
   * The certificate names `<serviceName>.<namespace>.svc.<clusterDomain>` (and PgBouncer's host),
   * so apps can use `verify-full` with {@link SharedPostgres.caBundle}. A renewed certificate is
   * loaded without a restart.
   *
   * @default SharedPostgresTls.selfSigned()
   */
  readonly tls?: SharedPostgresTls;

  /**
   * Secret (keys `tls.crt` and `tls.key`) with the server certificate, e.g. `postgres-tls`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @deprecated use `tls: SharedPostgresTls.fromSecret(secretName)`
   * @default - see `tls`
   */
  readonly tlsSecretName?: string;

  /**
   * Whether to create the backup CronJob and its PersistentVolumeClaim (under the CloudNativePG
   * backend: the Cluster's backup to `backup.objectStorage` and a `ScheduledBackup`).
   *
   * @default - true; under the CloudNativePG backend, true when `backup.objectStorage` is set
   */
  readonly backupEnabled?: boolean;

  /**
   * Backup schedule, retention, storage, and the object storage dumps are copied to.
   *
   * @default - daily at 03:00, keeping 7 dumps per database on a 10Gi claim, in the cluster only
   */
  readonly backup?: PostgresBackupOptions;

  /**
   * Adds a PgBouncer pooler (transaction mode) apps can be pointed at with `viaPgBouncer`.
   *
   * @default - no pooler
   */
  readonly pgBouncer?: PgBouncerOptions;

  /**
   * Metrics and alerts for the prometheus-operator: a postgres_exporter sidecar in the database pod
   * (logging in as a `pg_monitor`-only role the setup Job creates, its password generated in the
   * cluster), a pgbouncer_exporter sidecar in the PgBouncer pods, PodMonitors, and a PrometheusRule
   * (database down, connections above 80% of `max_connections`, last successful backup older than
   * its schedule allows, volume nearly full, a setup Job failed). See {@link PostgresMonitoring}.
   *
   * Turning it on adds a container to the database pod, so the pod restarts once. The pod is Ready
   * only while the sidecar runs: mirror its image where you mirror the server's.
   *
   * @default - no exporter and no monitoring objects
   */
  readonly monitoring?: PostgresMonitoringOptions;

  /**
   * Make node drains wait for an operator: the PodDisruptionBudget keeps the one database pod
   * (`minAvailable: 1`), so `kubectl drain` blocks until someone deletes the pod on purpose.
   *
   * By default the budget allows the eviction (`maxUnavailable: 1`, and an unhealthy pod may always
   * be evicted): a drain moves the pod, and the database is down until it runs on another node,
   * which takes the pod's shutdown (up to 60 s), the volume's detach and re-attach (typically 1-6
   * minutes for cloud block storage) and PostgreSQL's start-up and recovery.
   *
   * @default false
   */
  readonly blockNodeDrains?: boolean;
}

/**
 * Options of {@link SharedPostgres.addApp}. Every name defaults to the library's convention
 * (see `AppDatabaseNamesOptions`).
 */
export interface SharedPostgresAppOptions extends AppDatabaseNamesOptions {
  /**
   * `CONNECTION LIMIT` of the app's user (-1: unlimited).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default - no limit
   */
  readonly connectionLimit?: number;

  /**
   * The sslmode written into the app's Secret. With `verify-ca` or `verify-full` the Secret's
   * `DATABASE_URL` names the CA at {@link SharedPostgres.caBundle}'s path: mount the bundle into the
   * app's container (`db.caBundle.mountInto(container)`).
   *
   * @default - `require` when the server has TLS, else `prefer`
   */
  readonly sslMode?: SslMode;

  /**
   * Point the app at PgBouncer: the Secret's DB_HOST (and DATABASE_URL) name the PgBouncer
   * Service, and PgBouncer's NetworkPolicy admits the app's pods. Requires the `pgBouncer` prop.
   * The init Job still talks to the server directly.
   *
   * @default false
   */
  readonly viaPgBouncer?: boolean;

  /**
   * Labels of the app's pods, allowed through the NetworkPolicy (all must match).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default { app: '<app with hyphens>' }
   */
  readonly podLabels?: { [key: string]: string };

  /**
   * Migrations and seed data run by the init Job as the app's user.
   *
   * @default - none
   */
  readonly migrations?: DatabaseMigrationOptions;

  /**
   * Rotate the app's password with alternating users (`rotation: {}` for the defaults): a CronJob
   * in the cluster gives the other of `<username>` and `<username>_clone` a new password and moves
   * the app's Secret to it; the previous login keeps working until the next rotation. The app must
   * read `DB_USER` from its Secret (as `secret.envVariables()` does), and its pods must pick up the
   * new Secret within one interval: roll them with `secret.rollOnChange(workload)` (Stakater
   * Reloader). See {@link AppPasswordRotation}.
   *
   * @default - the password does not rotate
   */
  readonly rotation?: SharedPostgresRotationOptions;
}

/**
 * How an app's password rotates on a {@link SharedPostgres} (`addApp` option `rotation`).
 */
export interface SharedPostgresRotationOptions {
  /**
   * How long each password is used: a rotation is due once this has passed since the last one
   * (less an hour, so that a daily check at a fixed time still rotates on time). The previous login
   * stays valid until the next rotation. Whole seconds from one day to 1000 days.
   *
   * @default Duration.days(30)
   */
  readonly interval?: Duration;

  /**
   * When the rotation CronJob looks whether a rotation is due (five-field cron, in the
   * kube-controller-manager's time zone, usually UTC).
   *
   * @default '30 3 * * *' (03:30 every day)
   */
  readonly schedule?: string;
}

/**
 * What {@link SharedPostgres.addApp} created for one app.
 */
export interface SharedPostgresApp {
  /** The app's connection Secret; `secret.envVariables()` gives a container its env. */
  readonly secret: AppDatabaseSecret;
  /**
   * The app's Job: it fills in the app's Secret (password and `DATABASE_URL`) and runs its
   * migrations; the role, database and schema come from `SharedPostgres.appsInitJob`.
   * @default - none under the CloudNativePG backend (see `setupJob`, `databaseRole` and `database`)
   */
  readonly initJob?: DatabaseInitJob;
  /**
   * Under the CloudNativePG backend, the Job that generates the app's password into its Secret,
   * then sets the database's privileges and the app's `search_path`.
   * @default - none: the StatefulSet backend
   */
  readonly setupJob?: k8s.KubeJob;
  /**
   * Under the CloudNativePG backend, the app's `DatabaseRole` (`postgresql.cnpg.io/v1`).
   * @default - none: the StatefulSet backend
   */
  readonly databaseRole?: ApiObject;
  /**
   * Under the CloudNativePG backend, the app's `Database` (`postgresql.cnpg.io/v1`) with its schema.
   * @default - none: the StatefulSet backend
   */
  readonly database?: ApiObject;
  /** Labels the app's pods must carry to pass the NetworkPolicy. */
  readonly podLabels: { [key: string]: string };
  /**
   * The CronJob rotating the app's password, with the `rotation` option.
   * @default - none: the password does not rotate
   */
  readonly rotation?: AppPasswordRotation;
}
