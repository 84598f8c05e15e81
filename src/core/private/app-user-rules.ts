import { pgDatabaseName, pgRoleName, pgSchemaName, Problem, show } from './validators';

/**
 * Rules for an application user on RDS PostgreSQL (`DatabaseUser`), free of any framework. Like the
 * RDS rules, each returns a message naming the prop, the value and the fix, or undefined.
 *
 * The user's secret is rotated by AWS's hosted multi-user rotation function, which alternates
 * between `<username>` and `<username>_clone` (and strips a trailing `_clone` to find the other
 * one), so the user name must leave room for that suffix and must not end with it.
 */

/** The suffix AWS's multi-user rotation function appends to make the alternate login. */
export const CLONE_SUFFIX = '_clone';

/** Longest PostgreSQL identifier, in bytes. */
const MAX_IDENTIFIER_BYTES = 63;

/** Roles RDS keeps for itself. */
const RDS_ROLES = ['rdsadmin', 'rdsrepladmin', 'rds_superuser', 'rds_iam', 'rds_replication', 'rds_password'];

/** The alternate login multi-user rotation makes of `username`. */
export function cloneNameOf(username: string): string {
  return `${username}${CLONE_SUFFIX}`;
}

/** Engines that have app users: PostgreSQL and Aurora PostgreSQL. */
export function appUserEngineError(engineFamily: string, engine: string): Problem {
  if (engineFamily === 'postgres' || engineFamily === 'aurora-postgresql') return undefined;
  return `database must be PostgreSQL or Aurora PostgreSQL for an app user (got ${engine}). `
    + 'App users are provisioned and rotated on the PostgreSQL family only for now: bind the master user of a MySQL or MariaDB database instead (the binding warns), or use PostgreSQL.';
}

/**
 * A login that alternates with `<username>_clone` (multi-user rotation, on RDS or SharedPostgres):
 * room for the suffix within PostgreSQL's 63 bytes, and not ending with it. The name must already
 * be a valid role name.
 */
export function alternatingUsernameError(prop: string, username: string): Problem {
  const max = MAX_IDENTIFIER_BYTES - CLONE_SUFFIX.length;
  if (Buffer.byteLength(username, 'utf-8') > max) {
    return `${prop} must be at most ${max} bytes (got ${show(username)}, ${Buffer.byteLength(username, 'utf-8')}): multi-user rotation adds '${CLONE_SUFFIX}' and PostgreSQL names stop at ${MAX_IDENTIFIER_BYTES}. Shorten it.`;
  }
  if (username.toLowerCase().endsWith(CLONE_SUFFIX)) {
    return `${prop} must not end with '${CLONE_SUFFIX}' (got ${show(username)}): multi-user rotation reads that suffix as the alternate login of another user. Choose another name, e.g. ${show(username.slice(0, -CLONE_SUFFIX.length) + '_app')}.`;
  }
  return undefined;
}

/** The app's login: a PostgreSQL role name with room for `_clone`, not ending with it, not the master's or an RDS role. */
export function appUsernameError(username: string, masterUsername: string | undefined): Problem {
  const base = pgRoleName('username', username) ?? alternatingUsernameError('username', username);
  if (base) return base;
  if (RDS_ROLES.includes(username.toLowerCase())) {
    return `username must not be a role RDS keeps for itself (got ${show(username)}). Choose an app-specific name such as 'shop_user'.`;
  }
  if (masterUsername !== undefined && username.toLowerCase() === masterUsername.toLowerCase()) {
    return `username must differ from the master user (got ${show(username)}, the master user's name). The master is for administration only: give the app its own name, e.g. 'shop_user'.`;
  }
  return undefined;
}

/** The app's database: an identifier of its own, not a server database and not the one the master owns. */
export function appDatabaseNameError(databaseName: string, masterDatabaseName: string | undefined): Problem {
  const base = pgDatabaseName('databaseName', databaseName);
  if (base) return base;
  if (databaseName.toLowerCase() === 'rdsadmin') {
    return `databaseName must not be 'rdsadmin' (got ${show(databaseName)}): RDS keeps that database for itself. Use e.g. 'shop_db'.`;
  }
  if (masterDatabaseName !== undefined && databaseName === masterDatabaseName) {
    return `databaseName must not be the database created at launch (got ${show(databaseName)}, which the master user owns). `
      + "An app user owns a database of its own: choose another name, e.g. 'shop_db'.";
  }
  return undefined;
}

/** The app's schema. */
export function appSchemaNameError(schemaName: string): Problem {
  return pgSchemaName('schemaName', schemaName);
}

/** Two users of one database may share neither a login nor a database (each owns its database alone). */
export function duplicateAppUserProblems(
  mine: { readonly path: string; readonly username: string; readonly databaseName: string },
  others: ReadonlyArray<{ readonly path: string; readonly username: string; readonly databaseName: string }>,
): Problem[] {
  const problems: Problem[] = [];
  const sameUser = others.find((o) => o.username.toLowerCase() === mine.username.toLowerCase());
  if (sameUser) {
    problems.push(`username must be unique among the users of one database (got ${show(mine.username)}, already used by ${sameUser.path}). Give each app its own user.`);
  }
  const sameDb = others.find((o) => o.databaseName === mine.databaseName);
  if (sameDb) {
    problems.push(`databaseName must be unique among the users of one database (got ${show(mine.databaseName)}, already owned by ${sameDb.path}). `
      + 'Each app user owns its database alone; give each app its own database.');
  }
  return problems;
}
