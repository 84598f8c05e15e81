import { connectionsAlarmThreshold, defaultMaxConnections, instanceClassMemory } from '../../src/core/private/rds-max-connections';

const GiB = 1024 ** 3;

describe('instance class memory', () => {
  test.each([
    ['db.t4g.micro', 1], ['db.t3.small', 2], ['db.t4g.medium', 4], ['db.t4g.2xlarge', 32],
    ['db.m6g.large', 8], ['db.m5.xlarge', 16], ['db.m7g.4xlarge', 64],
    ['db.r6g.large', 16], ['db.r5.24xlarge', 768], ['db.x2g.large', 32],
  ])('%s has %i GiB', (instanceClass, gib) => {
    expect(instanceClassMemory(instanceClass)).toBe(gib * GiB);
  });

  test.each(['db.zz9.large', 'db.t4g.huge', 'db.m6g.metal', 'm6g.large', 'db.serverless'])('%s is unknown', (instanceClass) => {
    expect(instanceClassMemory(instanceClass)).toBeUndefined();
  });
});

/**
 * max_connections that RDS runs with in its default parameter groups (what `SHOW max_connections`
 * returns on a fresh instance, and the Aurora MySQL user guide's table). The default threshold must
 * fire before the database refuses connections, and not so early that it is noise.
 */
describe('the default threshold, against the max_connections RDS runs with', () => {
  test.each([
    ['postgres', 'db.t3.micro', 81],
    ['postgres', 'db.m5.large', 823],
    ['aurora-postgresql', 'db.r6g.large', 1600],
    ['postgres', 'db.r5.8xlarge', 5000],
    ['mysql', 'db.t3.micro', 66],
    ['mysql', 'db.m5.large', 683],
    ['aurora-mysql', 'db.t4g.medium', 90],
    ['aurora-mysql', 'db.r6g.large', 1000],
    ['aurora-mysql', 'db.r6g.xlarge', 2000],
  ])('%s on %s (max_connections %i): alarms at 70-99%% of it', (engine, instanceClass, max) => {
    const threshold = connectionsAlarmThreshold(engine, instanceClass, {});
    expect(threshold).toBeLessThan(max);
    expect(threshold).toBeGreaterThanOrEqual(Math.floor(max * 0.7));
  });

  test('the estimate is unknown for an unknown class or engine', () => {
    expect(defaultMaxConnections('postgres', 'db.zz9.large')).toBeUndefined();
    expect(defaultMaxConnections('oracle-ee', 'db.m5.large')).toBeUndefined();
  });
});

describe('the connections alarm threshold', () => {
  test('is 80% of the estimated max_connections', () => {
    expect(connectionsAlarmThreshold('postgres', 'db.m5.large', {})).toBe(Math.floor(defaultMaxConnections('postgres', 'db.m5.large')! * 0.8));
  });

  test('follows a literal max_connections parameter', () => {
    expect(connectionsAlarmThreshold('postgres', 'db.m5.large', { max_connections: '500' })).toBe(400);
  });

  test('ignores a max_connections formula and estimates instead', () => {
    expect(connectionsAlarmThreshold('postgres', 'db.m5.large', { max_connections: '{DBInstanceClassMemory/9531392}' }))
      .toBe(connectionsAlarmThreshold('postgres', 'db.m5.large', {}));
  });

  test('falls back to 100 for an instance class the library does not know', () => {
    expect(connectionsAlarmThreshold('postgres', 'db.zz9.large', {})).toBe(100);
    expect(connectionsAlarmThreshold('postgres', '${Token[TOKEN.1]}', {})).toBe(100);
  });

  test('is at least 1', () => {
    expect(connectionsAlarmThreshold('postgres', 'db.m5.large', { max_connections: '1' })).toBe(1);
  });
});
