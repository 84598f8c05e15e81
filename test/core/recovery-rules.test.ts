import * as v from '../../src/core/private/validators';

/**
 * The restore and disaster-recovery rules on their own (the constructs' tests cover each message
 * through the props): what they accept, and the boundaries.
 */

const NOW = Date.parse('2025-06-10T12:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

describe('recovery rules', () => {
  test('arnRegion reads the region of an ARN, and nothing else', () => {
    expect(v.arnRegion('arn:aws:rds:eu-west-1:123456789012:db:shop')).toBe('eu-west-1');
    expect(v.arnRegion('shop')).toBeUndefined();
  });

  test.each(['eu-west-1', 'us-gov-west-1', 'ap-southeast-4', 'cn-north-1'])('regionName accepts %s', (region) => {
    expect(v.regionName('region', region)).toBeUndefined();
  });

  test.each([
    ['shop-db', 'db'], ['arn:aws:rds:eu-west-1:123456789012:db:shop-db', 'db'], ['shop-cluster', 'cluster'],
    ['arn:aws-cn:rds:cn-north-1:123456789012:cluster:shop', 'cluster'],
  ] as const)('dbIdentifier accepts %s', (id, kind) => expect(v.dbIdentifier('source', id, kind)).toBeUndefined());

  test.each(['shop-', '1shop', 'a'.repeat(64), 'arn:aws:rds:eu-west-1:123456789012:snapshot:x'])('dbIdentifier refuses %s', (id) => {
    expect(v.dbIdentifier('source', id, 'db')).toMatch(/^source must be a DB instance identifier/);
  });

  test.each([
    ['shop-before-migration', 'snapshot'], ['rds:shop-db-2025-06-01-03-00', 'snapshot'],
    ['arn:aws:rds:eu-west-1:123456789012:snapshot:rds:shop-db-2025-06-01-03-00', 'snapshot'],
    ['arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:shop', 'cluster-snapshot'],
  ] as const)('snapshotIdentifier accepts %s', (id, kind) => expect(v.snapshotIdentifier('snapshot', id, kind)).toBeUndefined());

  test('restoreTimestamp is ISO 8601 in UTC, to the second', () => {
    expect(v.restoreTimestamp(Date.parse('2025-06-01T16:01:00.999+02:00'))).toBe('2025-06-01T14:01:00Z');
  });

  test('restoreTimeError accepts now and the past, refuses the future', () => {
    expect(v.restoreTimeError(NOW, NOW)).toBeUndefined();
    expect(v.restoreTimeError(NOW - DAY, NOW)).toBeUndefined();
    expect(v.restoreTimeError(NOW + 1000, NOW)).toMatch(/^restoreTime must be in the past \(got 2025-06-10T12:00:01Z, after the synthesis time 2025-06-10T12:00:00Z\)/);
  });

  test('restoreWindowError: the first moment of the window is inside, the one before is not', () => {
    expect(v.restoreWindowError(NOW - 7 * DAY, NOW, 7)).toBeUndefined();
    expect(v.restoreWindowError(NOW - 7 * DAY - 1000, NOW, 7)).toMatch(/^restoreTime must be inside the source's 7-day backup retention window, after 2025-06-03T12:00:00Z/);
  });

  test('restoreEngineError accepts the same engine and a newer minor', () => {
    const pg = (version: string) => ({ family: 'postgres', version });
    expect(v.restoreEngineError(pg('16.9'), pg('16.9'), false, true)).toBeUndefined();
    expect(v.restoreEngineError(pg('16.3'), pg('16.9'), false, false)).toBeUndefined();
    expect(v.restoreEngineError(pg('16.3'), pg('16.9'), false, true)).toMatch(/exact version/);
  });

  test('restoreNamesErrors asks for what is missing only', () => {
    expect(v.restoreNamesErrors(true, true, false)).toEqual([]);
    expect(v.restoreNamesErrors(false, true, true)).toEqual([]);
    expect(v.restoreNamesErrors(false, false, false)).toHaveLength(2);
  });

  test('kmsKeyArnIn accepts a key ARN of the region', () => {
    expect(v.kmsKeyArnIn('key', 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', 'eu-central-1')).toBeUndefined();
  });

  test('automatedBackupsArn accepts replicated backups of the region', () => {
    expect(v.automatedBackupsArn('arn', 'arn:aws:rds:eu-central-1:123456789012:auto-backup:ab-abc123', 'eu-central-1')).toBeUndefined();
    expect(v.automatedBackupsArn('arn', 'arn:aws:rds:eu-central-1:123456789012:auto-backup:ab-abc123', undefined)).toBeUndefined();
  });

  test('backupVaultArnError accepts a vault ARN; backupPlanRetentionError whole days from 1', () => {
    expect(v.backupVaultArnError('vault', 'arn:aws:backup:eu-central-1:123456789012:backup-vault:shop-dr')).toBeUndefined();
    expect(v.backupPlanRetentionError('retention', 1)).toBeUndefined();
    expect(v.backupPlanRetentionError('retention', 0)).toMatch(/^retention must be whole days, at least 1 \(got 0\)/);
  });

  test('backupReplicationErrors accepts an instance with backups and a retention of 1–35 days', () => {
    expect(v.backupReplicationErrors(false, 'postgres 16.9', 7, 35).filter((p) => p !== undefined)).toEqual([]);
  });
});
