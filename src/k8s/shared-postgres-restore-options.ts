import type { SharedPostgres } from './shared-postgres';

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
   * A dump file name from `<claim>/<database>/` (or the bucket's `<prefix>/<database>/`), e.g.
   * `example_app_db-20240101T030000Z.dump`, or, from the claim, an absolute path inside the restore pod.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default - the newest dump of the database
   */
  readonly dumpFile?: string;

  /**
   * Replay the roles from a globals dump first (roles, attributes and memberships, without
   * passwords), so the roles that own or are granted objects in the dump exist.
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
   * Read the dump from the bucket rather than the claim. Requires `backup.objectStorage`.
   *
   * @default - true with `backup.objectStorage`, else false
   */
  readonly fromObjectStorage?: boolean;

  /**
   * Restore into another SharedPostgres in the same namespace (e.g. on the CloudNativePG backend)
   * rather than this one: to move an app between backends. The app (or database) must exist there.
   *
   * @default - this SharedPostgres
   */
  readonly into?: SharedPostgres;
}
