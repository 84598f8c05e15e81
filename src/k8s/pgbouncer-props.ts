/**
 * Options of the PgBouncer connection pooler of a SharedPostgres.
 */
export interface PgBouncerOptions {
  /**
   * PgBouncer image (pinned). It must provide `pgbouncer` on the PATH and `sh`, and run as uid 70.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 'edoburu/pgbouncer:v1.23.1-p3'
   */
  readonly image?: string;

  /**
   * Name of PgBouncer's Service; apps pointed at the pooler use `<serviceName>.<namespace>.svc.<clusterDomain>`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 'pgbouncer'
   */
  readonly serviceName?: string;

  /**
   * Number of PgBouncer pods (1–10).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 2
   */
  readonly replicas?: number;

  /**
   * Maximum client connections per PgBouncer pod (`max_client_conn`).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 1000
   */
  readonly maxClientConn?: number;

  /**
   * Server connections per user/database pair (`default_pool_size`).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 25
   */
  readonly defaultPoolSize?: number;
}

/**
 * Props of {@link PgBouncer}.
 */
export interface PgBouncerProps extends PgBouncerOptions {
  /**
   * Namespace of every object.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly namespace: string;

  /**
   * DNS domain of the cluster, the end of PgBouncer's host `<serviceName>.<namespace>.svc.<clusterDomain>`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;

  /**
   * Host name of the PostgreSQL Service PgBouncer connects to.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly databaseHost: string;

  /**
   * Port of the PostgreSQL Service.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 5432
   */
  readonly databasePort?: number;

  /**
   * Secret holding the superuser's name and password (used only by the auth-setup Job).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly superuserSecretName: string;

  /**
   * Name of the Secret PgBouncer creates for its auth user: `username` in the manifest, `password`
   * generated inside the cluster (see {@link GeneratedPasswordSecret}).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default `<serviceName>-auth`
   */
  readonly authSecretName?: string;

  /**
   * PostgreSQL role PgBouncer uses to look up users (`auth_user`).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 'pgbouncer_auth'
   */
  readonly authUser?: string;

  /**
   * Image with `psql` and `pg_isready` for the auth-setup Job.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 'postgres:15-alpine'
   */
  readonly setupImage?: string;

  /**
   * Secret of type kubernetes.io/tls whose `tls.crt`/`tls.key` PgBouncer presents to clients; also
   * makes PgBouncer require TLS to the server.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default - no TLS between apps and PgBouncer; PgBouncer prefers TLS to the server
   */
  readonly tlsSecretName?: string;

  /**
   * Labels added to PgBouncer's pods and the auth-setup Job's pods (for example the label the
   * database's NetworkPolicy admits).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default - none beyond the component labels
   */
  readonly podLabels?: { [key: string]: string };

  /**
   * Adds a pgbouncer_exporter sidecar with this image, logging in to the `pgbouncer` console as a
   * stats user PgBouncer alone knows (`stats_users`; password generated in the cluster into
   * `<serviceName>-stats`). SharedPostgres sets it with `monitoring`.
   *
   * @default - no exporter
   */
  readonly exporterImage?: string;
}
