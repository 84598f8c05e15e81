/**
 * Options of {@link SharedPostgresBackend.cloudNativePg}.
 */
export interface CloudNativePgOptions {
  /**
   * Number of PostgreSQL instances of the CloudNativePG `Cluster` (1–9): one primary, the others
   * streaming replicas the operator fails over to. With one instance a node drain stops the
   * database until the pod runs again elsewhere, as with the StatefulSet backend.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default 3
   */
  readonly instances?: number;

  /**
   * Operand image of the Cluster (`spec.imageName`): a CloudNativePG PostgreSQL image (the official
   * `postgres` images do not work with the operator). Its tag must name `postgresMajorVersion`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default 'ghcr.io/cloudnative-pg/postgresql:<postgresMajorVersion>' (e.g. 'ghcr.io/cloudnative-pg/postgresql:15')
   */
  readonly imageName?: string;

  /**
   * How long the operator keeps base backups and WAL in the object store (`spec.backup.retentionPolicy`),
   * e.g. `30d`, `8w`, `6m`. Used only with `backup.objectStorage`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default '30d'
   */
  readonly backupRetentionPolicy?: string;

  /**
   * Let the operator keep its PodDisruptionBudgets (`spec.enablePDB`): a node drain then never takes
   * the primary without a switchover first. Set false for development clusters only.
   *
   * @default true
   */
  readonly enablePodDisruptionBudget?: boolean;

  /**
   * Image with `kubectl` and a shell for the Job that generates each app's password in the cluster
   * (runs as uid 1001).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default 'bitnamilegacy/kubectl:1.28.15'
   */
  readonly bootstrapImage?: string;

  /**
   * Image with `psql` for the Job that sets each app's `search_path` and database privileges
   * (runs as uid 70, the `postgres` user of the Alpine images).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default 'postgres:<postgresMajorVersion>-alpine'
   */
  readonly clientImage?: string;
}

/**
 * Where a {@link SharedPostgres} runs PostgreSQL: the library's single-pod StatefulSet (the
 * default), or a CloudNativePG `Cluster` managed by the CloudNativePG operator (which you install
 * in the cluster, version 1.30 or later: the `DatabaseRole` kind is new there).
 *
 * Both give apps the same `addApp` and the same connection Secret (`DB_HOST`, `DB_PORT`, `DB_NAME`,
 * `DB_USER`, `DB_PASSWORD`, `DATABASE_URL`, `DB_SSL_MODE`), so app Deployments do not change.
 */
export class SharedPostgresBackend {
  /**
   * One pod in a StatefulSet, run by the library (no operator needed).
   */
  public static statefulSet(): SharedPostgresBackend {
    return new SharedPostgresBackend('statefulset', undefined);
  }

  /**
   * A CloudNativePG `Cluster` with `instances` instances (automated failover, rolling updates,
   * TLS by the operator), a `DatabaseRole` and a `Database` per app, a `Pooler` for `pgBouncer`,
   * and a `ScheduledBackup` to object storage with `backup.objectStorage`.
   *
   * Backups use the Cluster's in-tree `spec.backup.barmanObjectStore`, deprecated by CloudNativePG
   * since 1.26 (removal planned for 1.31) in favour of the Barman Cloud plugin.
   *
   * @param options instances, image, backup retention
   */
  public static cloudNativePg(options: CloudNativePgOptions = {}): SharedPostgresBackend {
    return new SharedPostgresBackend('cloudnative-pg', { ...options });
  }

  private constructor(
    /** @internal */
    public readonly _kind: string,
    /** @internal */
    public readonly _cloudNativePg: CloudNativePgOptions | undefined,
  ) {}
}
