/**
 * Rules of RDS Proxy that need no CDK, kept apart so they are testable on their own.
 */

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

/** Errors in numeric proxy settings (each message without the construct name). */
export function proxySettingsErrors(s: {
  readonly maxConnectionsPercent: number;
  readonly maxIdleConnectionsPercent: number;
  readonly idleClientTimeoutSeconds: number;
  readonly borrowTimeoutSeconds: number;
}): string[] {
  const errors: string[] = [];
  if (!Number.isInteger(s.maxConnectionsPercent) || s.maxConnectionsPercent < 1 || s.maxConnectionsPercent > 100) {
    errors.push(`maxConnectionsPercent must be an integer 1–100 (got ${s.maxConnectionsPercent}). Use a percentage of the database's max_connections.`);
  } else if (!Number.isInteger(s.maxIdleConnectionsPercent)
    || s.maxIdleConnectionsPercent < 0 || s.maxIdleConnectionsPercent > s.maxConnectionsPercent) {
    errors.push(`maxIdleConnectionsPercent must be an integer from 0 to maxConnectionsPercent (${s.maxConnectionsPercent})`
      + ` (got ${s.maxIdleConnectionsPercent}). Lower it.`);
  }
  if (s.idleClientTimeoutSeconds < 1 || s.idleClientTimeoutSeconds > 28800) {
    errors.push(`idleClientTimeout must be 1 second to 8 hours (got ${s.idleClientTimeoutSeconds} s). RDS Proxy refuses other values.`);
  }
  if (s.borrowTimeoutSeconds < 1 || s.borrowTimeoutSeconds > 3600) {
    errors.push(`borrowTimeout must be 1 second to 1 hour (got ${s.borrowTimeoutSeconds} s). RDS Proxy refuses other values.`);
  }
  return errors;
}
