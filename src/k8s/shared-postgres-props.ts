import { AppDatabaseSecret } from './app-database-secret';
import { DatabaseInitJob, DatabaseMigrationOptions } from './database-init-job';
import { PgBouncerOptions } from './pgbouncer';
import { PostgresBackupOptions } from './postgres-backup';
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
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default 'postgres:15-alpine'
   */
  readonly image?: string;

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
   * Secret (type kubernetes.io/tls, keys `tls.crt` and `tls.key`) with the server certificate, e.g.
   * `postgres-tls` or `tls.example.com`.
   * Setting it turns on `ssl=on` and makes `require` the apps' default sslmode. The certificate
   * should name `<serviceName>.<namespace>.svc.<clusterDomain>` so apps can use `verify-full`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default - no TLS; apps default to sslmode `prefer`
   */
  readonly tlsSecretName?: string;

  /**
   * Whether to create the backup CronJob and its PersistentVolumeClaim.
   *
   * @default true
   */
  readonly backupEnabled?: boolean;

  /**
   * Backup schedule, retention and storage.
   *
   * @default - daily at 03:00, keeping 7 dumps per database on a 10Gi claim
   */
  readonly backup?: PostgresBackupOptions;

  /**
   * Adds a PgBouncer pooler (transaction mode) apps can be pointed at with `viaPgBouncer`.
   *
   * @default - no pooler
   */
  readonly pgBouncer?: PgBouncerOptions;
}

/**
 * Options of {@link SharedPostgres.addApp}. Every name defaults to seed 001's convention
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
   * The sslmode written into the app's Secret.
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
}

/**
 * What {@link SharedPostgres.addApp} created for one app.
 */
export interface SharedPostgresApp {
  /** The app's connection Secret; `secret.envVariables()` gives a container its env. */
  readonly secret: AppDatabaseSecret;
  /** The Job creating the app's role, database and schema. */
  readonly initJob: DatabaseInitJob;
  /** Labels the app's pods must carry to pass the NetworkPolicy. */
  readonly podLabels: { [key: string]: string };
}

/**
 * Which database {@link SharedPostgres.restoreJob} restores, and from which dump. Give `appName`
 * or `databaseName`.
 */
export interface RestoreJobOptions {
  /**
   * An app added with `addApp`: its database is restored.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default - none: `databaseName` names the database
   */
  readonly appName?: string;

  /**
   * A database of the server (e.g. one not added with `addApp`).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default - none: `appName` names the app whose database is restored
   */
  readonly databaseName?: string;

  /**
   * A dump file name from `<claim>/<database>/`, e.g. `example_app_db-20240101T030000Z.dump`, or an
   * absolute path inside the restore pod.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default - the newest dump of the database
   */
  readonly dumpFile?: string;
}
