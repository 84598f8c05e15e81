import { Duration, Lazy } from 'aws-cdk-lib';
import { DatabaseEngine, DatabasePreset, IndependentRds, RdsProxyOptions, ReplicaAutoscalingOptions } from '../../src/aws';
import { freshStack, templateOf } from '../fuzz/aws-fixtures';

/** The RdsProxy and ReplicaAutoscaling cases of issue 11, each with its error or its output. */
function withDatabase(engine: DatabaseEngine, attach: (db: IndependentRds) => void): any {
  const { stack, vpc } = freshStack();
  const db = new IndependentRds(stack, 'Db', { vpc, engine, preset: DatabasePreset.DEVELOPMENT, readReplicas: engine.isCluster ? 1 : 0 });
  attach(db);
  return templateOf(stack);
}
const proxy = (options: RdsProxyOptions) => withDatabase(DatabaseEngine.POSTGRES_16, (db) => db.addProxy('Proxy', options));
const scaling = (engine: DatabaseEngine, options: ReplicaAutoscalingOptions) => withDatabase(engine, (db) => db.addReplicaAutoscaling('Scaling', options));

describe('RdsProxy (issue 11)', () => {
  test.each<[string, RdsProxyOptions, RegExp]>([
    ['throws on idleClientTimeout Duration.millis(1500), by name', { idleClientTimeout: Duration.millis(1500) }, /^RdsProxy: idleClientTimeout must be whole seconds from 1 to 28800 \(got 1.5 s\)/],
    ['throws on a NaN idleClientTimeout, by name', { idleClientTimeout: Duration.seconds(NaN) }, /^RdsProxy: idleClientTimeout must be whole seconds from 1 to 28800 \(got NaN s\)/],
    ['throws on borrowTimeout Duration.millis(1500), by name', { borrowTimeout: Duration.millis(1500) }, /^RdsProxy: borrowTimeout must be whole seconds from 1 to 3600 \(got 1.5 s\)/],
    ['throws on a borrowTimeout of an unresolved token', { borrowTimeout: Duration.seconds(Lazy.number({ produce: () => 60 })) }, /^RdsProxy: borrowTimeout must be known at synth time \(got a Duration of an unresolved token\)/],
    ['throws at synthesis when a Lazy maxConnectionsPercent resolves to 150', { maxConnectionsPercent: Lazy.number({ produce: () => 150 }) }, /RdsProxy: maxConnectionsPercent must be a whole number from 1 to 100 \(got 150\)/],
  ])('%s', (_name, options, message) => {
    expect(() => proxy(options)).toThrow(message);
  });
  test('a Lazy maxConnectionsPercent that resolves to 80 passes through', () => {
    const t = proxy({ maxConnectionsPercent: Lazy.number({ produce: () => 80 }) });
    const group = Object.values<any>(t.Resources).find((r) => r.Type === 'AWS::RDS::DBProxyTargetGroup').Properties;
    expect(group.ConnectionPoolConfigurationInfo.MaxConnectionsPercent).toBe(80);
  });
});

describe('ReplicaAutoscaling (issue 11)', () => {
  test('throws on targetConnections Infinity (it dropped TargetValue)', () => {
    expect(() => scaling(DatabaseEngine.AURORA_POSTGRES_16, { targetConnections: Infinity }))
      .toThrow(/^ReplicaAutoscaling: targetConnections must be a finite number above 0 \(got Infinity\)/);
  });
  test.each(['', 'UPPER_x.internal', 'trailing.dot.', 'a..b'])('throws on the reader zone name %j, by name', (zone) => {
    expect(() => scaling(DatabaseEngine.POSTGRES_16, { readerZoneName: zone }))
      .toThrow(/^ReplicaAutoscaling: readerZoneName must be a DNS zone name of lower-case letters, digits, '-' and '\.'/);
  });
  test('throws on a Lazy maxCapacity for a plain instance, whose controller computes with it', () => {
    expect(() => scaling(DatabaseEngine.POSTGRES_16, { maxCapacity: Lazy.number({ produce: () => 3 }) }))
      .toThrow(/^ReplicaAutoscaling: maxCapacity must be known at synth time \(got an unresolved token\): the replica controller of a plain RDS instance computes with it/);
  });
  test('throws on a scaleInCooldown of an unresolved token', () => {
    expect(() => scaling(DatabaseEngine.AURORA_POSTGRES_16, { scaleInCooldown: Duration.seconds(Lazy.number({ produce: () => 60 })) }))
      .toThrow(/^ReplicaAutoscaling: scaleInCooldown must be known at synth time/);
  });
  test('on Aurora a Lazy maxCapacity passes through, and is checked once it resolves', () => {
    const t = scaling(DatabaseEngine.AURORA_POSTGRES_16, { maxCapacity: Lazy.number({ produce: () => 5 }) });
    expect(Object.values<any>(t.Resources).find((r) => r.Type === 'AWS::ApplicationAutoScaling::ScalableTarget').Properties.MaxCapacity).toBe(5);
    expect(() => scaling(DatabaseEngine.AURORA_POSTGRES_16, { maxCapacity: Lazy.number({ produce: () => 16 }) }))
      .toThrow(/ReplicaAutoscaling: maxCapacity must be a whole number from 1 to 15 \(got 16\)/);
  });
});
