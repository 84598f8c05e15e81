/**
 * What Amazon RDS offers, per engine family, as far as the library checks it at synth time: the
 * instance class families, the major versions that can still be created, and the log types that
 * can be exported to CloudWatch Logs. Kept small on purpose: a family or major version AWS adds
 * later must be added here (a user meanwhile gets a clear error naming this table).
 *
 * Sources (checked November 2025):
 * - instance classes: "Supported DB engines for DB instance classes" in the RDS and Aurora user
 *   guides, and the per-engine class lists cfn-lint 1.x ships (`aws_rds_dbinstance/db_instance_class.json`);
 * - versions: the engine version lists cfn-lint ships (`engine_version.json`), without the majors
 *   RDS no longer creates;
 * - log types: `EnableCloudwatchLogsExports` in the RDS API reference (CreateDBInstance, CreateDBCluster).
 */

/** Instance class families of RDS for PostgreSQL, MySQL and MariaDB (single instances; not the Multi-AZ DB cluster-only `c6gd`). */
const INSTANCE_FAMILIES = [
  't3', 't4g',
  'm5', 'm5d', 'm6g', 'm6gd', 'm6i', 'm6id', 'm6idn', 'm6in', 'm7g', 'm7i', 'm8g', 'm8gd',
  'r5', 'r5b', 'r5d', 'r6g', 'r6gd', 'r6i', 'r6id', 'r6idn', 'r6in', 'r7g', 'r7i', 'r8g', 'r8gd',
  'x2g', 'x2iedn',
];

/** Instance class families of Aurora (provisioned instances): memory-optimized and burstable only, no `m` classes. */
const AURORA_FAMILIES = ['t3', 't4g', 'r5', 'r6g', 'r6gd', 'r6i', 'r6id', 'r7g', 'r7i', 'r8g', 'r8gd', 'x2g'];

/** Sizes an RDS class can have (`metal` excepted: RDS offers no bare-metal classes). */
const SIZE = /^(micro|small|medium|large|xlarge|(2|4|8|12|16|24|32|48)xlarge)$/;

/** Burstable classes on Aurora: only medium and large. */
const AURORA_BURSTABLE_SIZES = ['medium', 'large'];

/** Major versions RDS still creates, per engine family. */
export const RDS_MAJOR_VERSIONS: { readonly [family: string]: readonly string[] } = {
  'postgres': ['11', '12', '13', '14', '15', '16', '17', '18'],
  'aurora-postgresql': ['11', '12', '13', '14', '15', '16', '17'],
  'mysql': ['5.7', '8.0', '8.4'],
  'mariadb': ['10.5', '10.6', '10.11', '11.4', '11.8'],
  // Aurora MySQL 2 is MySQL 5.7 compatible, Aurora MySQL 3 is MySQL 8.0 compatible.
  'aurora-mysql': ['5.7', '8.0'],
};

/** The Aurora MySQL release line that goes with each MySQL compatibility version. */
const AURORA_MYSQL_LINE: { readonly [mysql: string]: string } = { '5.7': '2', '8.0': '3' };

/** Log types each engine family can export to CloudWatch Logs. */
export const RDS_LOG_TYPES: { readonly [family: string]: readonly string[] } = {
  'postgres': ['postgresql', 'upgrade', 'iam-db-auth-error'],
  'aurora-postgresql': ['postgresql', 'instance', 'iam-db-auth-error'],
  'mysql': ['audit', 'error', 'general', 'slowquery', 'iam-db-auth-error'],
  'mariadb': ['audit', 'error', 'general', 'slowquery', 'iam-db-auth-error'],
  'aurora-mysql': ['audit', 'error', 'general', 'instance', 'slowquery', 'iam-db-auth-error'],
};

/** The families an engine family's instances can run on. */
export function instanceFamilies(engineFamily: string): readonly string[] {
  return engineFamily.startsWith('aurora-') ? AURORA_FAMILIES : INSTANCE_FAMILIES;
}

/**
 * Why an instance class is not offered for the engine family, or undefined when it is. The class
 * is already known to look like `db.<family>.<size>`.
 */
export function instanceClassNotOffered(instanceClass: string, engineFamily: string): string | undefined {
  const [, family, size] = instanceClass.split('.');
  const families = instanceFamilies(engineFamily);
  if (!families.includes(family)) {
    const kind = engineFamily.startsWith('aurora-') ? 'Aurora (memory-optimized and burstable classes only)' : `RDS for ${engineFamily}`;
    return `the class family '${family}' is not offered by ${kind}; it offers ${families.join(', ')}`;
  }
  if (!SIZE.test(size)) return `'${size}' is not an RDS instance size (micro, small, medium, large, xlarge, 2xlarge … 48xlarge)`;
  if (engineFamily.startsWith('aurora-') && family.startsWith('t') && !AURORA_BURSTABLE_SIZES.includes(size)) {
    return `Aurora offers burstable classes in sizes ${AURORA_BURSTABLE_SIZES.join(' and ')} only`;
  }
  return undefined;
}

/** The major version of a full version (`16.9` → `16`, `8.0.42` → `8.0`, `8.0.mysql_aurora.3.08.0` → `8.0`). */
export function majorVersionOf(engineFamily: string, version: string): string {
  return engineFamily === 'postgres' || engineFamily === 'aurora-postgresql'
    ? version.split('.')[0]
    : version.split('.').slice(0, 2).join('.');
}

/** Why a full version (already of the right shape) does not exist for the family, or undefined. */
export function unknownMajorVersion(engineFamily: string, version: string): string | undefined {
  const majors = RDS_MAJOR_VERSIONS[engineFamily] ?? [];
  const major = majorVersionOf(engineFamily, version);
  if (!majors.includes(major)) {
    return `major version ${major} is not one RDS creates for ${engineFamily} (known: ${majors.join(', ')})`;
  }
  if (engineFamily === 'aurora-mysql') {
    const line = version.split('.')[3];
    if (line !== AURORA_MYSQL_LINE[major]) {
      return `Aurora MySQL ${AURORA_MYSQL_LINE[major]}.x is the release line of MySQL ${major} compatibility (got release line ${line})`;
    }
  }
  return undefined;
}
