import { instanceClassNotOffered, RDS_LOG_TYPES, unknownMajorVersion } from './rds-catalog';
import { intRange, isToken, reservedWordsOf, show } from './validators';

/**
 * Rules for Amazon RDS and Aurora settings, free of any framework so both the constructs and
 * their tests can use them. Each rule returns an error message (naming the prop, the bad
 * value and the fix) or `undefined` when the value is acceptable. Engine families are the RDS
 * engine names (`postgres`, `mysql`, `mariadb`, `aurora-postgresql`, `aurora-mysql`).
 *
 * Not part of the public API: the constructs apply these rules, users never call them.
 */

/** The most read replicas of an RDS instance, and the most readers of an Aurora cluster. */
export const MAX_READ_REPLICAS = 15;

/** What Secrets Manager accepts as a secret name. */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

const BACKUP_WINDOW = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;
const MAINTENANCE_WINDOW = /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)$/;
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const WEEK = 7 * 24 * 60;
const DAY = 24 * 60;

/** Minutes between two points on a circle of `period` minutes (end after start). */
function span(start: number, end: number, period: number): number {
  return (((end - start) % period) + period) % period;
}

const RESERVED_USERNAMES: { [family: string]: string[] } = {
  'postgres': ['postgres', 'rdsadmin', 'rdsrepladmin', 'rds_superuser', 'public'],
  'aurora-postgresql': ['postgres', 'rdsadmin', 'rdsrepladmin', 'rds_superuser', 'public'],
  'mysql': ['rdsadmin', 'rdsrepladmin', 'root', 'mysql.sys', 'mysql.session'],
  'mariadb': ['rdsadmin', 'rdsrepladmin', 'root'],
  'aurora-mysql': ['rdsadmin', 'rdsrepladmin', 'root'],
};

/** A time window in minutes: of the day (backup window) or of the week from Monday 00:00 (maintenance window). */
export interface RdsTimeWindow {
  /** First minute of the window. */
  readonly startMinute: number;
  /** Minute the window ends. */
  readonly endMinute: number;
}

/**
 * Rules for Amazon RDS and Aurora settings. Each `xxxError` method returns a message naming the
 * prop, the bad value and the fix, or `undefined` when the value is acceptable.
 */
export class RdsRules {
  /** Parses `hh24:mi-hh24:mi` into start/end minutes of the day, or undefined. */
  public static parseBackupWindow(window: string): RdsTimeWindow | undefined {
    const m = BACKUP_WINDOW.exec(window);
    if (!m) return undefined;
    return { startMinute: Number(m[1]) * 60 + Number(m[2]), endMinute: Number(m[3]) * 60 + Number(m[4]) };
  }

  /** Parses `ddd:hh24:mi-ddd:hh24:mi` into start/end minutes of the week (Monday 00:00 = 0), or undefined. */
  public static parseMaintenanceWindow(window: string): RdsTimeWindow | undefined {
    const m = MAINTENANCE_WINDOW.exec(window);
    if (!m) return undefined;
    return {
      startMinute: DAYS.indexOf(m[1]) * DAY + Number(m[2]) * 60 + Number(m[3]),
      endMinute: DAYS.indexOf(m[4]) * DAY + Number(m[5]) * 60 + Number(m[6]),
    };
  }

  /** The daily backup window: `hh24:mi-hh24:mi` (UTC), at least 30 minutes long. */
  public static backupWindowError(window: string): string | undefined {
    const w = RdsRules.parseBackupWindow(window);
    if (!w) {
      return `preferredBackupWindow must be 'hh24:mi-hh24:mi' in UTC (got '${window}'). Write it like '03:00-04:00'.`;
    }
    const minutes = span(w.startMinute, w.endMinute, DAY);
    if (minutes < 30) {
      return `preferredBackupWindow must be at least 30 minutes long (got '${window}', ${minutes} minutes). Widen it, e.g. '03:00-04:00'.`;
    }
    return undefined;
  }

  /** The weekly maintenance window: `ddd:hh24:mi-ddd:hh24:mi` (UTC), at least 30 minutes long. */
  public static maintenanceWindowError(window: string): string | undefined {
    const w = RdsRules.parseMaintenanceWindow(window);
    if (!w) {
      return `preferredMaintenanceWindow must be 'ddd:hh24:mi-ddd:hh24:mi' in UTC (got '${window}'). Write it like 'sun:04:30-sun:05:30'.`;
    }
    const minutes = span(w.startMinute, w.endMinute, WEEK);
    if (minutes < 30) {
      return `preferredMaintenanceWindow must be at least 30 minutes long (got '${window}', ${minutes} minutes). Widen it, e.g. 'sun:04:30-sun:05:30'.`;
    }
    return undefined;
  }

  /** True when the daily backup window and the weekly maintenance window share a minute. */
  public static windowsOverlap(backupWindow: string, maintenanceWindow: string): boolean {
    const b = RdsRules.parseBackupWindow(backupWindow);
    const m = RdsRules.parseMaintenanceWindow(maintenanceWindow);
    if (!b || !m) return false;
    const mLen = span(m.startMinute, m.endMinute, WEEK);
    const bLen = span(b.startMinute, b.endMinute, DAY);
    for (let day = 0; day < 7; day++) {
      const bStart = day * DAY + b.startMinute;
      // Two arcs on the weekly circle overlap when either start lies inside the other arc.
      if (span(m.startMinute, bStart, WEEK) < mLen || span(bStart, m.startMinute, WEEK) < bLen) return true;
    }
    return false;
  }

  /** The backup and maintenance windows must not overlap (RDS rejects it). */
  public static windowOverlapError(backupWindow: string, maintenanceWindow: string): string | undefined {
    if (RdsRules.windowsOverlap(backupWindow, maintenanceWindow)) {
      return `preferredBackupWindow '${backupWindow}' overlaps preferredMaintenanceWindow '${maintenanceWindow}'. Move one of them, e.g. backups '03:00-04:00' and maintenance 'sun:04:30-sun:05:30'.`;
    }
    return undefined;
  }

  /** Backup retention: 0–35 days, and 0 (no automated backups) only in development. */
  public static backupRetentionError(days: number, production: boolean): string | undefined {
    if (!Number.isInteger(days) || days < 0 || days > 35) {
      return `backupRetention must be 0–35 whole days (got ${days}). Lower it to 35 or less, and keep backups longer with an AWS Backup plan: backupPlan: { retention: Duration.days(${Number.isFinite(days) && days > 35 ? Math.ceil(days) : 365}) }.`;
    }
    if (days === 0 && production) {
      return 'backupRetention of 0 days turns automated backups off, which the production preset refuses (got 0). Keep at least 1 day, or use the development preset.';
    }
    return undefined;
  }

  /** Instance class: `db.<family>.<size>`, and one the engine offers (see rds-catalog.ts). */
  public static instanceClassError(instanceClass: string, engineFamily: string): string | undefined {
    if (instanceClass === 'db.serverless') {
      return `instanceClass 'db.serverless' (Aurora Serverless v2) is not offered by IndependentRds (got '${instanceClass}'). Use a provisioned class such as 'db.r6g.large'.`;
    }
    if (typeof instanceClass !== 'string' || !/^db\.[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(instanceClass)) {
      return `instanceClass must look like 'db.<family>.<size>' (got ${show(instanceClass)}). Use e.g. 'db.t4g.micro' or 'db.r6g.large'.`;
    }
    const why = instanceClassNotOffered(instanceClass, engineFamily);
    if (why) {
      const example = engineFamily.startsWith('aurora-') ? "'db.r6g.large' or 'db.t4g.medium'" : "'db.m6g.large' or 'db.t4g.micro'";
      return `instanceClass '${instanceClass}' is not offered for ${engineFamily} (got '${instanceClass}'): ${why}. Use e.g. ${example}.`;
    }
    return undefined;
  }

  /** Engine versions must be full minor versions (cfn-lint flags a bare major version). */
  public static engineVersionError(engineFamily: string, version: string): string | undefined {
    const patterns: { [family: string]: { re: RegExp; example: string } } = {
      'postgres': { re: /^\d+\.\d+$/, example: '16.9' },
      'aurora-postgresql': { re: /^\d+\.\d+$/, example: '16.6' },
      'mysql': { re: /^\d+\.\d+\.\d+$/, example: '8.0.42' },
      'mariadb': { re: /^\d+\.\d+\.\d+$/, example: '11.4.5' },
      'aurora-mysql': { re: /^\d+\.\d+\.mysql_aurora\.\d+\.\d+\.\d+$/, example: '8.0.mysql_aurora.3.08.0' },
    };
    const rule = patterns[engineFamily];
    if (!rule) {
      return `engine family '${engineFamily}' is unknown. Use one of ${Object.keys(patterns).join(', ')}.`;
    }
    if (typeof version !== 'string' || !rule.re.test(version)) {
      return `engine version for ${engineFamily} must be a full minor version (got ${show(version)}). Pin one such as '${rule.example}'.`;
    }
    const unknown = unknownMajorVersion(engineFamily, version);
    if (unknown) return `engine version ${show(version)} does not exist: ${unknown}. Pin one such as '${rule.example}'.`;
    return undefined;
  }

  /**
   * A port known at synth time: it is written literally into what apps read (`DB_PORT`), so an
   * unresolved token (a CloudFormation parameter, an endpoint attribute) is refused.
   */
  public static knownPortError(port: number, prop = 'port'): string | undefined {
    if (isToken(port)) {
      return `${prop} must be a number known at synth time (got an unresolved token). Pass the port the database listens on as a number, e.g. 5432: apps get it literally as DB_PORT.`;
    }
    return undefined;
  }

  /** Port: known at synth time, and 1150–65535 (what RDS accepts). */
  public static portError(port: number, prop = 'port'): string | undefined {
    return RdsRules.knownPortError(port, prop)
      ?? intRange(prop, port, 1150, 65535, "RDS accepts only this range: use the engine's default port (5432 or 3306) or one in the range.");
  }

  /** The name of a Secrets Manager secret (such as the master secret): 1–512 letters, digits and `/_+=.@-`, not an ARN. */
  public static secretNameError(secretName: string, prop = 'secretName'): string | undefined {
    if (typeof secretName === 'string' && secretName.startsWith('arn:')) {
      return `${prop} must be the secret's name, not its ARN (got ${show(secretName)}). Pass the name only (the part after ':secret:' without the 6-character suffix).`;
    }
    if (typeof secretName !== 'string' || !SECRET_NAME.test(secretName)) {
      return `${prop} must be 1-512 letters, digits and '/_+=.@-' (got ${show(secretName)}). Use the name as Secrets Manager shows it, e.g. 'prod/orders/db-master'.`;
    }
    return undefined;
  }

  /** Name of the database created at launch: a letter, then letters, digits or underscores, 1–63 characters. */
  public static databaseNameError(databaseName: string, engineFamily = 'postgres'): string | undefined {
    if (typeof databaseName !== 'string' || !/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(databaseName)) {
      return `databaseName must start with a letter and hold 1–63 letters, digits or underscores (got ${show(databaseName)}). Use e.g. 'app'.`;
    }
    if (reservedWordsOf(engineFamily).has(databaseName.toLowerCase())) {
      return `databaseName '${databaseName}' is a reserved word of ${engineFamily}, which RDS refuses as the database name. Use e.g. 'app'.`;
    }
    return undefined;
  }

  /** Longest master user name each engine accepts. */
  public static maxUsernameLength(engineFamily: string, version: string): number {
    switch (engineFamily) {
      case 'postgres':
      case 'aurora-postgresql':
        return 63;
      case 'mysql':
        return version.startsWith('5.') ? 16 : 32;
      default:
        return 16;
    }
  }

  /** Master user name: starts with a letter, letters/digits/underscores, engine length limit, not reserved. */
  public static usernameError(username: string, engineFamily: string, version: string): string | undefined {
    const max = RdsRules.maxUsernameLength(engineFamily, version);
    if (typeof username !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(username)) {
      return `username must start with a letter and hold only letters, digits and underscores (got ${show(username)}). Use e.g. 'dbadmin'.`;
    }
    if (username.length > max) {
      return `username may be at most ${max} characters for ${engineFamily} ${version} (got '${username}', ${username.length}). Shorten it.`;
    }
    const lower = username.toLowerCase();
    if ((RESERVED_USERNAMES[engineFamily] ?? []).includes(lower) || reservedWordsOf(engineFamily).has(lower)) {
      return `username '${username}' is reserved by ${engineFamily} on RDS (got '${username}'). Choose another name, e.g. 'dbadmin'.`;
    }
    if (engineFamily.includes('postgres') && (lower.startsWith('pg_') || lower.startsWith('rds_'))) {
      return `username must not start with 'pg_' or 'rds_' on ${engineFamily} (got '${username}'); PostgreSQL and RDS reserve those prefixes for built-in roles. Use e.g. 'dbadmin'.`;
    }
    return undefined;
  }

  /** Engine parameters: names of letters, digits, '_', '.' and '-'; single-line string values (tokens pass). */
  public static parametersErrors(parameters: { [name: string]: string }): string[] {
    return Object.entries(parameters).flatMap(([name, value]) => (!/^[A-Za-z_][A-Za-z0-9_.-]{0,254}$/.test(name)
      ? [`parameters has the name ${show(name)}, which is not an engine parameter name (letters, digits, '_', '.' and '-'). Check its spelling.`]
      : typeof value !== 'string' || /[\r\n\0]/.test(value) ? [`parameters.${name} must be a single-line string (got ${show(value)}). Pass the value as text, e.g. '1'.`] : []));
  }

  /** Log types exported to CloudWatch Logs: each one the engine family has, none twice. */
  public static logExportsErrors(logTypes: string[], engineFamily: string): string[] {
    const known = RDS_LOG_TYPES[engineFamily] ?? [];
    if (!Array.isArray(logTypes)) return [`cloudwatchLogsExports must be a list of log types (got ${show(logTypes)}). Use e.g. ${show(known.slice(0, 1))}.`];
    const errors = logTypes.filter((t) => !isToken(t) && !known.includes(t)).map((t) =>
      `cloudwatchLogsExports has ${show(t)}, which ${engineFamily} does not export. Use only ${known.join(', ')}.`);
    const twice = logTypes.filter((t, i) => logTypes.indexOf(t) !== i);
    if (twice.length > 0) errors.push(`cloudwatchLogsExports lists ${show(twice[0])} twice (got ${show(logTypes)}). List each log type once.`);
    return errors;
  }

  /** An availability zone name such as `eu-west-1a` (or a Local Zone `us-west-2-lax-1a`), in the stack's region when known. */
  public static availabilityZoneError(zone: string, region?: string): string | undefined {
    if (typeof zone !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d+(-[a-z]+-\d+)?[a-z]$/.test(zone)) {
      return `availabilityZone must be an availability zone name such as 'eu-west-1a' (got ${show(zone)}). Use a zone of the VPC's region, or leave it unset.`;
    }
    if (region !== undefined && !zone.startsWith(`${region}-`) && !new RegExp(`^${region}[a-z]$`).test(zone)) {
      return `availabilityZone must be in the stack's region ${region} (got ${show(zone)}). Use e.g. '${region}a'.`;
    }
    return undefined;
  }

  /** Allocated storage in GiB for the given storage type (gp2/gp3: 20–65536; io1/io2: 100–65536; standard: 5–3072). */
  public static allocatedStorageError(gib: number, storageType: string): string | undefined {
    const [min, max] = storageType === 'standard' ? [5, 3072] : storageType.startsWith('io') ? [100, 65536] : [20, 65536];
    if (!Number.isInteger(gib) || gib < min || gib > max) {
      return `allocatedStorage must be ${min}–${max} GiB for ${storageType} storage (got ${gib}). Pick a size in that range.`;
    }
    return undefined;
  }

  /** Storage autoscaling ceiling: at least the allocated size, at most 65536 GiB. */
  public static maxAllocatedStorageError(maxGib: number, allocatedGib: number): string | undefined {
    if (!Number.isInteger(maxGib) || maxGib < allocatedGib || maxGib > 65536) {
      return `maxAllocatedStorage must be at least allocatedStorage (${allocatedGib} GiB) and at most 65536 GiB (got ${maxGib}). Raise it, or lower allocatedStorage.`;
    }
    return undefined;
  }

  /**
   * Provisioned IOPS (RDS for PostgreSQL, MySQL and MariaDB): io1 1000–256000 at 1–50 IOPS per GiB,
   * io2 1000–256000 at up to 1000 per GiB, gp3 from 400 GiB only and then 12000–64000 (below that
   * gp3 has a fixed baseline of 3000 IOPS and RDS rejects a value). io1/io2 need an IOPS value.
   */
  public static iopsError(storageType: string, allocatedGib: number, iops?: number): string | undefined {
    if (iops === undefined) {
      return storageType.startsWith('io') ? `iops is required for ${storageType} storage (got none). Set iops, e.g. 3000, or use gp3.` : undefined;
    }
    if (storageType !== 'gp3' && !storageType.startsWith('io')) {
      return `iops can only be set with gp3, io1 or io2 storage (got ${show(iops)} with ${storageType}). Remove iops or change storageType.`;
    }
    if (storageType === 'gp3' && allocatedGib < 400) {
      return `iops can only be set on gp3 storage of at least 400 GiB (got ${show(iops)} with ${allocatedGib} GiB); smaller volumes get a fixed 3000 IOPS. Remove iops or raise allocatedStorage to 400.`;
    }
    if (isToken(iops)) return undefined;
    const [min, max] = storageType === 'gp3' ? [12000, 64000] : [1000, 256000];
    const range = intRange('iops', iops, min, max, `RDS accepts ${min}–${max} IOPS on ${storageType}.`);
    if (range) return range;
    const [low, high] = storageType === 'io1' ? [1, 50] : storageType === 'io2' ? [0, 1000] : [0, Infinity];
    if (iops / allocatedGib < low || iops / allocatedGib > high) {
      return `iops must be ${low ? `${low}–` : 'at most '}${high} per GiB on ${storageType} (got ${iops} IOPS on ${allocatedGib} GiB). Change iops or allocatedStorage.`;
    }
    return undefined;
  }

  /** Storage throughput: gp3 only, from 400 GiB, 500–4000 MiB/s and at most 0.25 MiB/s per provisioned IOPS. */
  public static storageThroughputError(storageType: string, allocatedGib: number, throughput?: number, iops?: number): string | undefined {
    if (throughput === undefined) return undefined;
    if (storageType !== 'gp3') {
      return `storageThroughput can only be set with gp3 storage (got ${show(throughput)} MiB/s with ${storageType}). Remove it or use gp3.`;
    }
    if (allocatedGib < 400) {
      return `storageThroughput can only be set on gp3 storage of at least 400 GiB (got ${show(throughput)} MiB/s with ${allocatedGib} GiB); smaller volumes get a fixed 125 MiB/s. Remove it or raise allocatedStorage to 400.`;
    }
    if (isToken(throughput)) return undefined;
    const range = intRange('storageThroughput', throughput, 500, 4000, 'RDS accepts 500–4000 MiB/s on gp3 from 400 GiB.');
    const effectiveIops = iops === undefined || isToken(iops) ? 12000 : iops;
    if (!range && throughput > effectiveIops / 4) {
      return `storageThroughput may be at most a quarter of the IOPS (got ${throughput} MiB/s with ${effectiveIops} IOPS${iops === undefined ? ', the gp3 baseline' : ''}). Raise iops or lower storageThroughput.`;
    }
    return range;
  }

  /** Enhanced monitoring interval in seconds: one of 0, 1, 5, 10, 15, 30, 60. */
  public static monitoringIntervalError(seconds: number): string | undefined {
    if (![0, 1, 5, 10, 15, 30, 60].includes(seconds)) {
      return `monitoringInterval must be one of 0, 1, 5, 10, 15, 30 or 60 seconds (got ${seconds}). Use 60 for the usual enhanced monitoring.`;
    }
    return undefined;
  }

  /** Performance Insights retention: 7 days, or a multiple of 31 up to 731 (24 months). */
  public static performanceInsightsRetentionError(days: number): string | undefined {
    if (days === 7 || days === 731 || (Number.isInteger(days) && days % 31 === 0 && days >= 31 && days <= 713)) {
      return undefined;
    }
    return `performanceInsightRetentionDays must be 7, a multiple of 31 up to 713, or 731 (got ${days}). Use 7 for the free tier.`;
  }

  /** Read replica count for an instance, or reader count for a cluster: 0–15. */
  public static readReplicasError(count: number, prop = 'readReplicas'): string | undefined {
    return intRange(prop, count, 0, MAX_READ_REPLICAS, `RDS allows at most ${MAX_READ_REPLICAS} read replicas per instance (Aurora: readers per cluster); lower it.`);
  }

  /** The engine parameter that refuses unencrypted connections, and the value that turns it on. */
  public static tlsParameter(engineFamily: string): { readonly name: string; readonly value: string } {
    return engineFamily.endsWith('postgres') || engineFamily.endsWith('postgresql')
      ? { name: 'rds.force_ssl', value: '1' }
      : { name: 'require_secure_transport', value: 'ON' };
  }

  /** True when `parameters` make the server refuse connections without TLS. */
  public static forcesTls(engineFamily: string, parameters: { [name: string]: string }): boolean {
    const tls = RdsRules.tlsParameter(engineFamily);
    const value = String(parameters[tls.name] ?? '').toUpperCase();
    return value === tls.value || value === '1';
  }

  /** How often the master password rotates: 1–1000 days in whole hours (what Secrets Manager schedules). */
  public static rotationIntervalError(days: number, hours: number = days * 24): string | undefined {
    if (!(days >= 1 && days <= 1000)) {
      return `rotationInterval must be 1–1000 days (got ${days}). Use e.g. Duration.days(30).`;
    }
    if (!Number.isInteger(hours)) {
      return `rotationInterval must be whole hours (got ${hours} hours); Secrets Manager schedules rotation in hours or days. Use e.g. Duration.days(30).`;
    }
    return undefined;
  }

  /** The backtrack window: whole seconds (RDS takes seconds), Aurora MySQL only, at most 72 hours. */
  public static backtrackWindowErrors(hours: number, engineFamily: string, seconds: number = hours * 3600): string[] {
    const errors: string[] = [];
    if (!Number.isInteger(seconds) || seconds < 0) {
      return [`backtrackWindow must be whole seconds (got ${show(seconds)} s). Use e.g. Duration.hours(24).`];
    }
    if (hours > 0 && engineFamily !== 'aurora-mysql') {
      errors.push(`backtrackWindow is only offered by Aurora MySQL (got ${hours} hours with ${engineFamily}). Remove it, or rely on point-in-time restore.`);
    }
    if (hours > 72) errors.push(`backtrackWindow may be at most 72 hours (got ${hours}). Lower it.`);
    return errors;
  }

  /** RDS refuses a master password it manages itself on a database that has read replicas. */
  public static managedPasswordWithReplicasError(managed: boolean, replicas: number): string | undefined {
    if (managed && replicas > 0) {
      return `manageMasterUserPassword cannot be combined with read replicas (got ${replicas} replica(s)); RDS refuses it. Set readReplicas to 0, or let the construct generate and rotate the secret.`;
    }
    return undefined;
  }

  private constructor() {}
}
