/**
 * RDS engine versions: the major version of a version string and the parameter group family it
 * needs, for the engines the library emits (PostgreSQL, MySQL, MariaDB, and their Aurora kinds).
 */

const FAMILY_PREFIX: { [engine: string]: string } = {
  'postgres': 'postgres',
  'aurora-postgresql': 'aurora-postgresql',
  'mysql': 'mysql',
  'aurora-mysql': 'aurora-mysql',
  'mariadb': 'mariadb',
};

/** True when the checker knows how versions and families work for this engine. */
export function knownEngine(engine: string | undefined): engine is string {
  return engine !== undefined && engine in FAMILY_PREFIX;
}

/**
 * The major version of an engine version: `16` for PostgreSQL 16.9, `9.6` for 9.6.24, `8.0` for
 * MySQL 8.0.42 and Aurora MySQL 8.0.mysql_aurora.3.08.0, `11.4` for MariaDB 11.4.5. Undefined
 * when the version does not look like one.
 */
export function majorVersion(engine: string, version: string): string | undefined {
  const parts = version.split('.');
  if (!/^\d+$/.test(parts[0] ?? '')) return undefined;
  const postgres = engine === 'postgres' || engine === 'aurora-postgresql';
  if (postgres && Number(parts[0]) >= 10) return parts[0];
  return /^\d+$/.test(parts[1] ?? '') ? `${parts[0]}.${parts[1]}` : undefined;
}

/** The parameter group family of an engine version: `postgres16`, `aurora-postgresql16`, `mysql8.0`, … */
export function familyFor(engine: string, version: string): string | undefined {
  const major = majorVersion(engine, version);
  return knownEngine(engine) && major !== undefined ? `${FAMILY_PREFIX[engine]}${major}` : undefined;
}

/** Compares two versions part by part (numbers numerically): negative, zero or positive. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const d = /^\d+$/.test(x) && /^\d+$/.test(y) ? Number(x) - Number(y) : x.localeCompare(y);
    if (d !== 0) return d;
  }
  return 0;
}
