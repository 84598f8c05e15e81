/**
 * How many connections an RDS or Aurora instance accepts by default (`max_connections`), estimated
 * from its instance class, and the connections alarm threshold derived from it. Framework-free.
 *
 * RDS sets `max_connections` from `DBInstanceClassMemory`, the class's memory less what the
 * operating system and the RDS processes reserve. These formulas are the engines' default
 * parameter values:
 * - PostgreSQL and Aurora PostgreSQL: `LEAST({DBInstanceClassMemory/9531392}, 5000)`;
 * - MySQL and MariaDB: `{DBInstanceClassMemory/12582880}`;
 * - Aurora MySQL: `GREATEST({log(DBInstanceClassMemory/805306368)*45}, {log(DBInstanceClassMemory/8187281408)*1000})`
 *   (log base 2).
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.MaxConnections
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Managing.Performance.html#AuroraMySQL.Managing.MaxConnections
 */

const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;

/** What RDS keeps for itself, estimated: `DBInstanceClassMemory` is the class's memory less this. */
const RESERVED_MEMORY = 256 * MiB;

/** Share of `max_connections` at which the connections alarm fires by default. */
export const CONNECTIONS_ALARM_SHARE = 0.8;

/** The threshold used when the instance class is unknown or a token. */
export const FALLBACK_CONNECTIONS_ALARM_THRESHOLD = 100;

/** The instance families RDS offers, by memory per vCPU (GiB). */
const FAMILIES_BY_GIB_PER_VCPU: ReadonlyArray<readonly [number, readonly string[]]> = [
  // Compute optimized (Multi-AZ DB clusters).
  [2, ['c6gd']],
  // General purpose.
  [4, ['m5', 'm5d', 'm6g', 'm6gd', 'm6i', 'm6id', 'm6in', 'm6idn', 'm7g', 'm7gd', 'm7i', 'm8g', 'm8gd']],
  // Memory optimized.
  [8, ['r5', 'r5b', 'r5d', 'r6g', 'r6gd', 'r6i', 'r6id', 'r6in', 'r6idn', 'r7g', 'r7gd', 'r7i', 'r8g', 'r8gd', 'z1d']],
  [16, ['x2g', 'x2idn']],
  [32, ['x2iedn']],
];
const GIB_PER_VCPU = new Map(FAMILIES_BY_GIB_PER_VCPU.flatMap(([gib, families]) => families.map((f) => [f, gib] as const)));

/** Memory (GiB) of the burstable classes by size. */
const BURSTABLE_GIB: { readonly [size: string]: number } = { 'micro': 1, 'small': 2, 'medium': 4, 'large': 8, 'xlarge': 16, '2xlarge': 32 };

/** vCPUs of a size: large 2, xlarge 4, Nxlarge 4N; undefined for other sizes. */
function vcpus(size: string): number | undefined {
  if (size === 'large') return 2;
  const m = /^(\d*)xlarge$/.exec(size);
  return m ? 4 * (m[1] === '' ? 1 : Number(m[1])) : undefined;
}

/** The memory of an instance class such as `db.m6g.large` in bytes, or undefined when unknown. */
export function instanceClassMemory(instanceClass: string): number | undefined {
  const m = /^db\.([a-z0-9-]+)\.([a-z0-9]+)$/.exec(instanceClass);
  if (!m) return undefined;
  const [, family, size] = m;
  if (family === 't3' || family === 't4g') {
    const gib = BURSTABLE_GIB[size];
    return gib === undefined ? undefined : gib * GiB;
  }
  const perVcpu = GIB_PER_VCPU.get(family);
  const n = vcpus(size);
  return perVcpu === undefined || n === undefined ? undefined : perVcpu * n * GiB;
}

/**
 * The engine's default `max_connections` on an instance class, estimated from the formulas above,
 * or undefined when the class or the engine family is unknown.
 */
export function defaultMaxConnections(engineFamily: string, instanceClass: string): number | undefined {
  const memory = instanceClassMemory(instanceClass);
  if (memory === undefined) return undefined;
  const usable = memory - RESERVED_MEMORY;
  switch (engineFamily) {
    case 'postgres':
    case 'aurora-postgresql':
      return Math.min(Math.floor(usable / 9531392), 5000);
    case 'mysql':
    case 'mariadb':
      return Math.floor(usable / 12582880);
    case 'aurora-mysql':
      return Math.floor(Math.max(Math.log2(usable / 805306368) * 45, Math.log2(usable / 8187281408) * 1000));
    default:
      return undefined;
  }
}

/**
 * The default threshold of the connections alarm: 80% of `max_connections`, taken from a literal
 * `max_connections` parameter when one is set, else estimated from the instance class. Falls back
 * to 100 when neither is known (an instance class this table does not know, or a token).
 */
export function connectionsAlarmThreshold(engineFamily: string, instanceClass: string, parameters: { readonly [name: string]: string }): number {
  const set = parameters.max_connections;
  const max = set !== undefined && /^\d+$/.test(set) ? Number(set) : defaultMaxConnections(engineFamily, instanceClass);
  return max !== undefined && max > 0 ? Math.max(1, Math.floor(max * CONNECTIONS_ALARM_SHARE)) : FALLBACK_CONNECTIONS_ALARM_THRESHOLD;
}
