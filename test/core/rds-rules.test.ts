import { RdsRules } from '../../src/core/private/rds-rules';
import { isToken } from '../../src/core/private/validators';

const {
  allocatedStorageError, backtrackWindowErrors, backupRetentionError, backupWindowError, databaseNameError,
  engineVersionError, forcesTls, instanceClassError, iopsError, knownPortError, maintenanceWindowError,
  managedPasswordWithReplicasError, maxAllocatedStorageError, maxUsernameLength, monitoringIntervalError,
  parseBackupWindow, parseMaintenanceWindow, performanceInsightsRetentionError, portError, readReplicasError,
  rotationIntervalError, secretNameError, storageThroughputError, tlsParameter, usernameError, windowOverlapError,
  windowsOverlap,
} = RdsRules;

describe('rds-rules', () => {
  describe('backup window', () => {
    test('accepts 03:00-04:00', () => expect(backupWindowError('03:00-04:00')).toBeUndefined());
    test('accepts a window across midnight', () => expect(backupWindowError('23:45-00:15')).toBeUndefined());
    test('rejects a missing leading zero', () => expect(backupWindowError('3:00-04:00')).toMatch(/hh24:mi-hh24:mi.*got '3:00-04:00'/));
    test('rejects hour 24', () => expect(backupWindowError('24:00-01:00')).toMatch(/hh24:mi/));
    test('rejects 29 minutes', () => expect(backupWindowError('03:00-03:29')).toMatch(/at least 30 minutes.*29 minutes/));
    test('parses start and end minutes', () => expect(parseBackupWindow('03:00-04:30')).toEqual({ startMinute: 180, endMinute: 270 }));
  });

  describe('maintenance window', () => {
    test('accepts sun:04:30-sun:05:30', () => expect(maintenanceWindowError('sun:04:30-sun:05:30')).toBeUndefined());
    test('accepts a window across the week boundary', () => expect(maintenanceWindowError('sun:23:30-mon:00:30')).toBeUndefined());
    test('rejects upper-case days', () => expect(maintenanceWindowError('Sun:04:30-Sun:05:30')).toMatch(/ddd:hh24:mi/));
    test('rejects under 30 minutes', () => expect(maintenanceWindowError('sun:04:30-sun:04:45')).toMatch(/at least 30 minutes.*15 minutes/));
    test('parses minutes of the week from Monday', () => expect(parseMaintenanceWindow('tue:01:00-tue:02:00')).toEqual({ startMinute: 1500, endMinute: 1560 }));
  });

  describe('window overlap', () => {
    test('the defaults do not overlap', () => expect(windowsOverlap('03:00-04:00', 'sun:04:30-sun:05:30')).toBe(false));
    test('touching windows do not overlap', () => expect(windowsOverlap('03:00-04:00', 'sun:04:00-sun:05:00')).toBe(false));
    test('maintenance inside the backup window overlaps on that day', () => expect(windowsOverlap('03:00-04:00', 'wed:03:15-wed:03:45')).toBe(true));
    test('backups inside a long maintenance window overlap', () => expect(windowsOverlap('03:00-04:00', 'fri:01:00-fri:06:00')).toBe(true));
    test('a backup window across midnight overlaps a maintenance window just after midnight', () => {
      expect(windowsOverlap('23:30-00:30', 'mon:00:00-mon:01:00')).toBe(true);
    });
    test('a maintenance window across the week boundary is checked', () => expect(windowsOverlap('00:00-00:45', 'sun:23:30-mon:00:30')).toBe(true));
    test('the error names both windows', () => expect(windowOverlapError('03:00-04:00', 'mon:03:30-mon:04:30')).toMatch(/'03:00-04:00' overlaps preferredMaintenanceWindow 'mon:03:30-mon:04:30'/));
    test('malformed windows are reported elsewhere, not as an overlap', () => expect(windowsOverlap('bad', 'sun:04:30-sun:05:30')).toBe(false));
  });

  describe('backup retention', () => {
    test('accepts 7 in production', () => expect(backupRetentionError(7, true)).toBeUndefined());
    test('accepts 0 in development', () => expect(backupRetentionError(0, false)).toBeUndefined());
    test('rejects 0 in production', () => expect(backupRetentionError(0, true)).toMatch(/production preset refuses/));
    test('rejects 36', () => expect(backupRetentionError(36, false)).toMatch(/0–35 whole days \(got 36\)/));
    test('rejects fractions', () => expect(backupRetentionError(1.5, false)).toMatch(/got 1.5/));
  });

  describe('instance class', () => {
    test('accepts db.r6g.large for Aurora', () => expect(instanceClassError('db.r6g.large', 'aurora-postgresql')).toBeUndefined());
    test('accepts db.t4g.micro for PostgreSQL', () => expect(instanceClassError('db.t4g.micro', 'postgres')).toBeUndefined());
    test('rejects a class without db.', () => expect(instanceClassError('t4g.micro', 'postgres')).toMatch(/db.<family>.<size>/));
    test('rejects db.t3.small for Aurora MySQL', () => expect(instanceClassError('db.t3.small', 'aurora-mysql')).toMatch(/not offered for aurora-mysql/));
    test('rejects db.serverless', () => expect(instanceClassError('db.serverless', 'aurora-postgresql')).toMatch(/Serverless v2/));
  });

  describe('engine versions', () => {
    test.each([
      ['postgres', '16.9'], ['aurora-postgresql', '16.6'], ['mysql', '8.0.42'], ['mariadb', '11.4.5'], ['aurora-mysql', '8.0.mysql_aurora.3.08.0'],
    ])('accepts %s %s', (family, version) => expect(engineVersionError(family, version)).toBeUndefined());
    test.each([
      ['postgres', '16'], ['aurora-postgresql', '16'], ['mysql', '8.0'], ['mariadb', '11.4'], ['aurora-mysql', '8.0'],
    ])('rejects %s %s', (family, version) => expect(engineVersionError(family, version)).toMatch(/full minor version/));
    test('rejects an unknown family', () => expect(engineVersionError('oracle-ee', '19.0')).toMatch(/engine family 'oracle-ee' is unknown/));
  });

  describe('port', () => {
    test('accepts 5432', () => expect(portError(5432)).toBeUndefined());
    test('rejects 1149', () => expect(portError(1149)).toMatch(/port must be a whole number from 1150 to 65535 \(got 1149\)/));
    test('rejects 65536', () => expect(portError(65536)).toMatch(/got 65536/));
    test('rejects an unresolved token, naming the prop', () => {
      const token = -1.8881545897087626e+289;
      expect(isToken(token)).toBe(true);
      expect(portError(token, 'attrs.port')).toMatch(/^attrs.port must be a number known at synth time \(got an unresolved token\)/);
      expect(knownPortError(token)).toMatch(/DB_PORT/);
      expect(knownPortError(5432)).toBeUndefined();
    });
  });

  describe('database name', () => {
    test('accepts app', () => expect(databaseNameError('app')).toBeUndefined());
    test('rejects a hyphen', () => expect(databaseNameError('my-db')).toMatch(/databaseName must start with a letter .*got "my-db"/));
    test('rejects 64 characters', () => expect(databaseNameError('a'.repeat(64))).toMatch(/1–63/));
  });

  describe('secret names', () => {
    test('accepts prod/shop/db-master', () => expect(secretNameError('prod/shop/db-master')).toBeUndefined());
    test('rejects a space', () => expect(secretNameError('db name')).toMatch(/secretName must be 1-512 letters, digits and '\/_\+=\.@-' \(got "db name"\)/));
    test('rejects an ARN', () => expect(secretNameError('arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf')).toMatch(/not its ARN/));
    test('rejects 513 characters', () => expect(secretNameError('a'.repeat(513))).toMatch(/1-512/));
  });

  describe('TLS', () => {
    test('PostgreSQL forces TLS with rds.force_ssl, MySQL and MariaDB with require_secure_transport', () => {
      expect(tlsParameter('postgres')).toEqual({ name: 'rds.force_ssl', value: '1' });
      expect(tlsParameter('aurora-postgresql')).toEqual({ name: 'rds.force_ssl', value: '1' });
      expect(tlsParameter('mariadb')).toEqual({ name: 'require_secure_transport', value: 'ON' });
    });
    test('reads whether parameters force TLS', () => {
      expect(forcesTls('postgres', { 'rds.force_ssl': '1' })).toBe(true);
      expect(forcesTls('postgres', { 'rds.force_ssl': '0' })).toBe(false);
      expect(forcesTls('mysql', { require_secure_transport: 'on' })).toBe(true);
      expect(forcesTls('aurora-mysql', {})).toBe(false);
    });
  });

  describe('user names', () => {
    test('PostgreSQL allows 63 characters', () => expect(maxUsernameLength('postgres', '16.9')).toBe(63));
    test('MySQL 8 allows 32, MySQL 5.7 16', () => {
      expect(maxUsernameLength('mysql', '8.0.42')).toBe(32);
      expect(maxUsernameLength('mysql', '5.7.44')).toBe(16);
    });
    test('accepts dbadmin everywhere', () => {
      for (const f of ['postgres', 'aurora-postgresql', 'mysql', 'mariadb', 'aurora-mysql']) expect(usernameError('dbadmin', f, '8.0.42')).toBeUndefined();
    });
    test('rejects rdsadmin on MySQL', () => expect(usernameError('rdsadmin', 'mysql', '8.0.42')).toMatch(/reserved by mysql/));
    test('rejects postgres on Aurora PostgreSQL, whatever the case', () => expect(usernameError('Postgres', 'aurora-postgresql', '16.6')).toMatch(/reserved/));
    test('rejects a hyphen', () => expect(usernameError('db-admin', 'postgres', '16.9')).toMatch(/letters, digits and underscores/));
    test('rejects 17 characters on Aurora MySQL', () => expect(usernameError('a'.repeat(17), 'aurora-mysql', '8.0.mysql_aurora.3.08.0')).toMatch(/at most 16/));
  });

  describe('storage', () => {
    test('accepts 20 GiB gp3', () => expect(allocatedStorageError(20, 'gp3')).toBeUndefined());
    test('accepts 5 GiB standard', () => expect(allocatedStorageError(5, 'standard')).toBeUndefined());
    test('rejects 65537 GiB gp3', () => expect(allocatedStorageError(65537, 'gp3')).toMatch(/20–65536 GiB/));
    test('max must reach allocated', () => expect(maxAllocatedStorageError(50, 100)).toMatch(/at least allocatedStorage \(100 GiB\)/));
    test('max may equal allocated', () => expect(maxAllocatedStorageError(100, 100)).toBeUndefined());
    test('gp3 iops from 400 GiB', () => expect(iopsError('gp3', 400, 12000)).toBeUndefined());
    test('gp3 iops under 400 GiB', () => expect(iopsError('gp3', 399, 12000)).toMatch(/at least 400 GiB/));
    test('io2 iops at any size', () => expect(iopsError('io2', 100, 3000)).toBeUndefined());
    test('io2 needs iops', () => expect(iopsError('io2', 100)).toMatch(/required for io2/));
    test('no iops on standard', () => expect(iopsError('standard', 100, 1000)).toMatch(/only be set with gp3, io1 or io2/));
    test('throughput on gp3 from 400 GiB', () => expect(storageThroughputError('gp3', 400, 500)).toBeUndefined());
    test('no throughput on io2', () => expect(storageThroughputError('io2', 400, 500)).toMatch(/only be set with gp3/));
    test('no throughput on small gp3', () => expect(storageThroughputError('gp3', 100, 500)).toMatch(/at least 400 GiB/));
    test('no throughput given is fine', () => expect(storageThroughputError('gp2', 20)).toBeUndefined());
  });

  describe('monitoring and Performance Insights', () => {
    test.each([0, 1, 5, 10, 15, 30, 60])('accepts a %d s monitoring interval', (s) => expect(monitoringIntervalError(s)).toBeUndefined());
    test('rejects 20 s', () => expect(monitoringIntervalError(20)).toMatch(/got 20/));
    test.each([7, 31, 62, 713, 731])('accepts %d days of Performance Insights', (d) => expect(performanceInsightsRetentionError(d)).toBeUndefined());
    test.each([0, 8, 30, 744])('rejects %d days of Performance Insights', (d) => expect(performanceInsightsRetentionError(d)).toMatch(/must be 7/));
  });

  describe('rotation and backtrack', () => {
    test('accepts a 30-day rotation', () => expect(rotationIntervalError(30)).toBeUndefined());
    test('rejects rotation under a day or over 1000 days', () => {
      expect(rotationIntervalError(0.5)).toMatch(/rotationInterval must be 1–1000 days \(got 0.5\)/);
      expect(rotationIntervalError(1001)).toMatch(/got 1001/);
    });
    test('throws on a rotation interval that is not whole hours (Secrets Manager schedules in hours or days)', () => {
      expect(rotationIntervalError(1.5)).toBeUndefined();
      expect(rotationIntervalError(90000.5 / 86400, 90000.5 / 3600)).toMatch(/^rotationInterval must be whole hours \(got 25.0001\d* hours\)/);
    });
    test('accepts 24 hours of backtrack on Aurora MySQL', () => expect(backtrackWindowErrors(24, 'aurora-mysql')).toEqual([]));
    test('rejects backtrack elsewhere and over 72 hours', () => {
      expect(backtrackWindowErrors(4, 'postgres')).toEqual([expect.stringMatching(/only offered by Aurora MySQL \(got 4 hours with postgres\)/)]);
      expect(backtrackWindowErrors(100, 'aurora-mysql')).toEqual([expect.stringMatching(/at most 72 hours \(got 100\)/)]);
    });
    test('throws on a backtrack window that is not whole seconds, or NaN', () => {
      expect(backtrackWindowErrors(0, 'aurora-mysql', 5e-323)).toEqual([expect.stringMatching(/^backtrackWindow must be whole seconds \(got 5e-323 s\)/)]);
      expect(backtrackWindowErrors(NaN, 'aurora-mysql')).toEqual([expect.stringMatching(/^backtrackWindow must be whole seconds \(got NaN s\)/)]);
    });
  });

  describe('replicas', () => {
    test('accepts 0–15 replicas', () => expect(readReplicasError(15)).toBeUndefined());
    test('rejects -1 replicas', () => expect(readReplicasError(-1)).toMatch(/readReplicas must be a whole number from 0 to 15 \(got -1\)/));
    test('refuses an RDS-managed master password with replicas', () => {
      expect(managedPasswordWithReplicasError(true, 1)).toMatch(/manageMasterUserPassword cannot be combined with read replicas \(got 1 replica/);
    });
    test('allows an RDS-managed master password without replicas', () => expect(managedPasswordWithReplicasError(true, 0)).toBeUndefined());
    test('allows replicas with a generated secret', () => expect(managedPasswordWithReplicasError(false, 3)).toBeUndefined());
  });
});
