/**
 * Rules of RDS Proxy that need no CDK, kept apart so they are testable on their own. Each returns
 * a message without the construct name, or undefined.
 */
import { durationSeconds, intRange, isToken, Problem } from '../../core/private/validators';

/** The RDS Proxy engine family for an RDS engine name, or undefined when RDS Proxy does not support it. */
export function proxyEngineFamily(engineFamily: string): string | undefined {
  switch (engineFamily) {
    case 'postgres':
    case 'aurora-postgresql':
      return 'POSTGRESQL';
    case 'mysql':
    case 'mariadb':
    case 'aurora-mysql':
      return 'MYSQL';
    default:
      return undefined;
  }
}

/** The port an RDS Proxy listens on: fixed per engine family, whatever the database's own port. */
export function proxyPort(proxyFamily: string): number {
  return proxyFamily === 'POSTGRESQL' ? 5432 : 3306;
}

/** Problems of the numeric proxy settings. */
export function proxySettingsProblems(s: {
  readonly maxConnectionsPercent: number;
  readonly maxIdleConnectionsPercent: number;
  readonly idleClientTimeoutSeconds: number;
  readonly borrowTimeoutSeconds: number;
}): Problem[] {
  const problems: Problem[] = [];
  const max = s.maxConnectionsPercent;
  const maxProblem = isToken(max) ? undefined : intRange('maxConnectionsPercent', max, 1, 100, "Use a percentage of the database's max_connections.");
  problems.push(maxProblem);
  if (!maxProblem && !isToken(s.maxIdleConnectionsPercent)) {
    problems.push(intRange('maxIdleConnectionsPercent', s.maxIdleConnectionsPercent, 0, isToken(max) ? 100 : max,
      'It may not exceed maxConnectionsPercent: lower it.'));
  }
  if (!isToken(s.idleClientTimeoutSeconds)) {
    problems.push(durationSeconds('idleClientTimeout', s.idleClientTimeoutSeconds, 1, 8 * 3600, 'RDS Proxy accepts 1 second to 8 hours.'));
  }
  if (!isToken(s.borrowTimeoutSeconds)) {
    problems.push(durationSeconds('borrowTimeout', s.borrowTimeoutSeconds, 1, 3600, 'RDS Proxy accepts 1 second to 1 hour.'));
  }
  return problems;
}

/**
 * The physical name of a proxy: a letter, then letters, digits and single hyphens, not ending
 * with a hyphen; at most 63 characters, 60 when a read-only endpoint appends `-ro`.
 */
export function proxyNameProblem(name: string, readOnlyEndpoint: boolean): Problem {
  const limit = readOnlyEndpoint ? 60 : 63;
  if (!/^[a-zA-Z](-?[a-zA-Z0-9])*$/.test(name) || name.length > limit) {
    return `dbProxyName must start with a letter, hold only letters, digits and single hyphens, not end with a hyphen, and be at most ${limit} characters`
      + `${readOnlyEndpoint ? ' (the read-only endpoint appends "-ro")' : ''} (got "${name}"). Shorten or rename it.`;
  }
  return undefined;
}
