import { SslMode } from '../core/ssl-mode';

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
   * A dump file name from `<claim>/<database>/` (or the bucket's `<prefix>/<database>/`), e.g.
   * `example_app_db-20240101T030000Z.dump`, or, from the claim, an absolute path inside the restore pod.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default - the newest dump of the database
   */
  readonly dumpFile?: string;

  /**
   * Replay the roles from a globals dump first (roles, their attributes and memberships, without
   * passwords), so the roles that own or are granted objects in the dump exist. Roles that exist
   * keep their passwords; a role created here has none until its app's init Job sets it.
   *
   * @default false
   */
  readonly restoreGlobals?: boolean;

  /**
   * With `restoreGlobals`, the globals dump to replay, e.g. `globals-20240101T030000Z.sql`.
   *
   * @default - the newest globals dump
   */
  readonly globalsFile?: string;

  /**
   * Read the dump from the bucket (downloaded into an emptyDir of the restore pod) rather than
   * from the claim. Requires `objectStorage`.
   *
   * @default - true with `objectStorage`, else false
   */
  readonly fromObjectStorage?: boolean;

  /**
   * Restore into another server than the one the backup dumps (e.g. a CloudNativePG cluster an app
   * moves to): the restore pod logs in there with that server's superuser Secret.
   *
   * @default - the backup's own server
   */
  readonly target?: PostgresRestoreTarget;
}

/**
 * The server a restore Job writes into, when it is not the backup's own ({@link PostgresRestoreOptions.target}).
 */
export interface PostgresRestoreTarget {
  /**
   * Host name of the server.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly host: string;

  /**
   * TCP port of the server.
   *
   * @default 5432
   */
  readonly port?: number;

  /**
   * Secret (in the Job's namespace) with a superuser's name and password, e.g. CloudNativePG's `<cluster>-superuser`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly superuserSecretName: string;

  /**
   * Key of the superuser name in `superuserSecretName`.
   *
   * @default 'username'
   */
  readonly superuserUserKey?: string;

  /**
   * Key of the superuser password in `superuserSecretName`.
   *
   * @default 'password'
   */
  readonly superuserPasswordKey?: string;

  /**
   * libpq `sslmode` of the restore client.
   *
   * @default SslMode.REQUIRE
   */
  readonly sslMode?: SslMode;
}
