import { AppDatabaseNames } from '../../core/app-database-names';
import { Problem, show } from '../../core/private/validators';

/** Names the server keeps for itself. */
export interface ServerOwnNames {
  /** Its own Secrets (the superuser's, PgBouncer's auth and stats Secrets, the monitoring role's). */
  readonly secretNames: Array<string | undefined>;
  /** Its own roles (the superuser, PgBouncer's auth and stats users, the monitoring role). */
  readonly roles: Array<string | undefined>;
}

/**
 * Problems when an app's `names` would reuse a name of another app on the same server, or a
 * Secret or role of the server itself (an app Secret named like the superuser's would overwrite it).
 */
export function appNameClashes(names: AppDatabaseNames, others: AppDatabaseNames[], own: ServerOwnNames): Problem[] {
  const problems: Problem[] = [];
  if (own.secretNames.includes(names.secretName)) {
    problems.push(`secretName ${show(names.secretName)} is a Secret of the server itself. Give the app its own secretName.`);
  }
  if (own.roles.includes(names.username)) {
    problems.push(`username ${show(names.username)} is a role of the server itself (the superuser, PgBouncer's auth or stats user, or the monitoring role). Give the app its own username.`);
  }
  for (const o of others) {
    const clash = (['databaseName', 'username', 'secretName', 'resourceName'] as const).find((k) => o[k] === names[k]);
    if (clash) {
      problems.push(`addApp ${show(names.appName)} ${clash} ${show(names[clash])} is already used by app ${show(o.appName)}. `
        + `Give each app its own ${clash} (pass ${clash === 'resourceName' ? 'a different app name' : `options.${clash}`}).`);
    }
  }
  return problems;
}

/** One app's logins on the server: its user, and its rotation clone when its password rotates. */
export interface AppLogins {
  readonly appName: string;
  readonly username: string;
  readonly alternateUsername?: string;
}

/**
 * Problems when the rotation clone of one app (`mine.alternateUsername`) is a login of another app
 * or of the server, or when this app's user is another app's clone. (Two users are compared by
 * {@link appNameClashes}.)
 */
export function alternateLoginClashes(mine: AppLogins, others: AppLogins[], serverRoles: Array<string | undefined>): Problem[] {
  const problems: Problem[] = [];
  const clone = mine.alternateUsername;
  if (clone !== undefined && serverRoles.includes(clone)) {
    problems.push(`username ${show(mine.username)} would rotate with ${show(clone)}, a role of the server itself. Give the app another username.`);
  }
  for (const o of others) {
    const theirs = [o.username, o.alternateUsername];
    if (clone !== undefined && theirs.includes(clone)) {
      problems.push(`addApp ${show(mine.appName)} would rotate with the login ${show(clone)}, already used by app ${show(o.appName)}. Give the app another username.`);
    } else if (o.alternateUsername === mine.username) {
      problems.push(`addApp ${show(mine.appName)} username ${show(mine.username)} is the rotation login of app ${show(o.appName)}. Give the app another username.`);
    }
  }
  return problems;
}
