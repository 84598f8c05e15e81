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
