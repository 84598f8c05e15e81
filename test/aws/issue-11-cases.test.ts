import { CfnParameter, Duration, Lazy, RemovalPolicy, aws_rds as rds } from 'aws-cdk-lib';
import { DatabaseEngine, DatabasePreset, IndependentRds, IndependentRdsProps } from '../../src/aws';
import { freshStack, templateOf } from '../fuzz/aws-fixtures';

/**
 * Every AWS case of issue 11 ("nothing invalid gets through"), each with the error it now gets or
 * the output it now produces, and a "throws" test for every message added with it.
 */
function synth(props: Partial<IndependentRdsProps>): any {
  const { stack, vpc } = freshStack();
  new IndependentRds(stack, 'Db', { vpc, preset: DatabasePreset.DEVELOPMENT, ...props });
  return templateOf(stack);
}
const resources = (t: any, type: string): any[] => Object.values<any>(t.Resources).filter((r) => r.Type === type).map((r) => r.Properties);
const primary = (t: any) => resources(t, 'AWS::RDS::DBInstance').find((p) => p.SourceDBInstanceIdentifier === undefined);

describe('issue 11, class 1: values checked and then dropped or mangled now reach the template', () => {
  test('io1 with 100 GiB and 3000 IOPS synthesizes Iops 3000 (not 1000)', () => {
    expect(primary(synth({ storageType: rds.StorageType.IO1, allocatedStorage: 100, iops: 3000 })).Iops).toBe(3000);
  });
  test('gp3 with iops 20000 and storageThroughput 1000 emits both, on the replicas too', () => {
    const t = synth({ allocatedStorage: 1000, iops: 20000, storageThroughput: 1000, readReplicas: 1 });
    for (const i of resources(t, 'AWS::RDS::DBInstance')) expect([i.Iops, i.StorageThroughput]).toEqual([20000, 1000]);
  });
  test('availabilityZone reaches the instance', () => {
    expect(primary(synth({ multiAz: false, availabilityZone: 'us-east-1b' })).AvailabilityZone).toBe('us-east-1b');
  });
  test('a Lazy instanceClass of db.m6g.large stays db.m6g.large (not db.db.m6g.large), on instances and Aurora instances', () => {
    expect(primary(synth({ instanceClass: Lazy.string({ produce: () => 'db.m6g.large' }) })).DBInstanceClass).toBe('db.m6g.large');
    const aurora = synth({ engine: DatabaseEngine.AURORA_POSTGRES_16, readReplicas: 1, instanceClass: Lazy.string({ produce: () => 'db.r6g.large' }) });
    for (const i of resources(aurora, 'AWS::RDS::DBInstance')) expect(i.DBInstanceClass).toBe('db.r6g.large');
  });
  test('a CloudFormation parameter as instanceClass passes through untouched', () => {
    const { stack, vpc } = freshStack();
    const param = new CfnParameter(stack, 'Class', { type: 'String', default: 'db.m6g.large' });
    new IndependentRds(stack, 'Db', { vpc, preset: DatabasePreset.DEVELOPMENT, instanceClass: param.valueAsString });
    expect(primary(templateOf(stack)).DBInstanceClass).toEqual({ Ref: 'Class' });
  });
  test('throws on a Lazy readReplicas (it decides how many replicas the template holds)', () => {
    expect(() => synth({ readReplicas: Lazy.number({ produce: () => 2 }) }))
      .toThrow(/^IndependentRds: readReplicas must be known at synth time \(got an unresolved token\): it decides how many replica resources/);
  });
  test('throws on a Lazy allocatedStorage, by name (not deep in aws-cdk-lib)', () => {
    expect(() => synth({ allocatedStorage: Lazy.number({ produce: () => 50 }) }))
      .toThrow(/^IndependentRds: allocatedStorage must be known at synth time \(got an unresolved token\)/);
  });
  test.each(['backupRetention', 'monitoringInterval', 'rotationInterval', 'backtrackWindow'])('throws on a %s of an unresolved token', (prop) => {
    expect(() => synth({ [prop]: Duration.seconds(Lazy.number({ produce: () => 60 })) }))
      .toThrow(new RegExp(`IndependentRds: ${prop} must be known at synth time \\(got a Duration of an unresolved token\\)`));
  });
  test('DatabaseEngine.postgres(<Lazy 16.9>) is accepted, with the parameter group family of 16', () => {
    const t = synth({ engine: DatabaseEngine.postgres(Lazy.string({ produce: () => '16.9' })) });
    expect(primary(t).EngineVersion).toBe('16.9');
    expect(resources(t, 'AWS::RDS::DBParameterGroup')[0].Family).toBe('postgres16');
  });
  test('throws at synthesis when a Lazy engine version resolves to one that does not exist', () => {
    expect(() => synth({ engine: DatabaseEngine.postgres(Lazy.string({ produce: () => '99.1' })) }))
      .toThrow(/IndependentRds: engine version "99.1" does not exist: major version 99 is not one RDS creates for postgres/);
  });
  test('throws at synthesis when the engine version is a CloudFormation parameter', () => {
    const { stack, vpc } = freshStack();
    const version = new CfnParameter(stack, 'Version', { type: 'String' }).valueAsString;
    new IndependentRds(stack, 'Db', { vpc, preset: DatabasePreset.DEVELOPMENT, engine: DatabaseEngine.postgres(version) });
    expect(() => templateOf(stack)).toThrow(/IndependentRds: engine version must resolve to a literal version at synthesis/);
  });
  test('throws at synthesis when a Lazy value resolves to a bad one (Lazy instanceClass db.zz9.large)', () => {
    expect(() => synth({ instanceClass: Lazy.string({ produce: () => 'db.zz9.large' }) }))
      .toThrow(/IndependentRds: instanceClass 'db.zz9.large' is not offered for postgres/);
  });
  test('throws on connectionsAlarmThreshold Infinity (it emitted Threshold: null)', () => {
    expect(() => synth({ connectionsAlarmThreshold: Infinity })).toThrow(/IndependentRds: connectionsAlarmThreshold must be a finite number above 0 \(got Infinity\)/);
  });
});

describe('issue 11, class 2: invalid values are refused', () => {
  test.each<[string, Partial<IndependentRdsProps>, RegExp]>([
    ['throws on io1 with less than 100 GiB', { storageType: rds.StorageType.IO1, allocatedStorage: 50, iops: 1000 }, /allocatedStorage must be 100–65536 GiB for io1 storage \(got 50\)/],
    ['throws on an instance class that does not exist', { instanceClass: 'db.zz9.large' }, /instanceClass 'db.zz9.large' is not offered for postgres .*the class family 'zz9' is not offered by RDS for postgres/],
    ['throws on an Aurora cluster on db.m6g.large', { engine: DatabaseEngine.AURORA_POSTGRES_16, instanceClass: 'db.m6g.large' }, /instanceClass 'db.m6g.large' is not offered for aurora-postgresql .*Aurora \(memory-optimized and burstable classes only\)/],
    ['throws on a size RDS does not have', { instanceClass: 'db.m6g.metal' }, /'metal' is not an RDS instance size/],
    ['throws on an Aurora burstable class other than medium or large', { engine: DatabaseEngine.AURORA_MYSQL_3, instanceClass: 'db.t4g.xlarge' }, /Aurora offers burstable classes in sizes medium and large only/],
    ['throws on the user name pg_x', { username: 'pg_x' }, /username must not start with 'pg_' or 'rds_' on postgres \(got 'pg_x'\)/],
    ['throws on the user name select', { username: 'select' }, /username 'select' is reserved by postgres on RDS/],
    ['throws on the user name user', { username: 'user' }, /username 'user' is reserved by postgres on RDS/],
    ['throws on a MySQL reserved word as user name', { engine: DatabaseEngine.MYSQL_8_0, username: 'database' }, /username 'database' is reserved by mysql on RDS/],
    ['throws on a reserved word as database name', { databaseName: 'select' }, /databaseName 'select' is a reserved word of postgres, which RDS refuses/],
    ['throws on a free-form availability zone', { multiAz: false, availabilityZone: 'the first one' }, /availabilityZone must be an availability zone name such as 'eu-west-1a' \(got "the first one"\)/],
    ['throws on an availability zone of another region', { multiAz: false, availabilityZone: 'eu-west-1a' }, /availabilityZone must be in the stack's region us-east-1 \(got "eu-west-1a"\)/],
    ['throws on a log type the engine does not export', { cloudwatchLogsExports: ['slowquery'] }, /cloudwatchLogsExports has "slowquery", which postgres does not export\. Use only postgresql, upgrade, iam-db-auth-error/],
    ['throws on a log type listed twice', { cloudwatchLogsExports: ['postgresql', 'postgresql'] }, /cloudwatchLogsExports lists "postgresql" twice/],
    ['throws on a storage type that does not exist', { storageType: 'gp9' as rds.StorageType }, /storageType must be one of "standard", "gp2", "gp3", "io1", "io2" \(got "gp9"\)/],
    ['throws on a parameter name that is not one', { parameters: { 'log connections': '1' } }, /parameters has the name "log connections", which is not an engine parameter name/],
    ['throws on a parameter value over two lines', { parameters: { log_connections: '1\n2' } }, /parameters.log_connections must be a single-line string/],
    ['throws on io1 IOPS above 50 per GiB', { storageType: rds.StorageType.IO1, allocatedStorage: 100, iops: 6000 }, /iops must be 1–50 per GiB on io1 \(got 6000 IOPS on 100 GiB\)/],
    ['throws on io1 IOPS below 1000', { storageType: rds.StorageType.IO1, allocatedStorage: 100, iops: 500 }, /iops must be a whole number from 1000 to 256000 \(got 500\)/],
    ['throws on gp3 IOPS below the 12000 baseline of 400 GiB', { allocatedStorage: 400, iops: 3000 }, /iops must be a whole number from 12000 to 64000 \(got 3000\)/],
    ['throws on gp3 throughput above a quarter of the IOPS', { allocatedStorage: 400, iops: 12000, storageThroughput: 4000 }, /storageThroughput may be at most a quarter of the IOPS \(got 4000 MiB\/s with 12000 IOPS\)/],
    ['throws on gp3 throughput below 500 MiB/s', { allocatedStorage: 400, storageThroughput: 200 }, /storageThroughput must be a whole number from 500 to 4000 \(got 200\)/],
    ['throws on a storage type that takes no throughput, even for a token', { storageType: rds.StorageType.GP2, allocatedStorage: 400, storageThroughput: Lazy.number({ produce: () => 500 }) }, /storageThroughput can only be set with gp3 storage \(got an unresolved token MiB\/s with gp2\)/],
  ])('%s', (_name, props, message) => {
    expect(() => synth(props)).toThrow(new RegExp(`^IndependentRds: .*${message.source}`));
  });
  test('throws on DatabaseEngine.postgres(99.1)', () => {
    expect(() => DatabaseEngine.postgres('99.1')).toThrow(/^DatabaseEngine: engine version "99.1" does not exist: major version 99 is not one RDS creates for postgres \(known: 11, 12/);
  });
  test('throws on an Aurora MySQL version whose release line does not match its MySQL version', () => {
    expect(() => DatabaseEngine.auroraMysql('8.0.mysql_aurora.2.11.0')).toThrow(/Aurora MySQL 3.x is the release line of MySQL 8.0 compatibility \(got release line 2\)/);
  });
  test('a large allocatedStorage gets a storage autoscaling ceiling of twice its size by default', () => {
    expect(primary(synth({ allocatedStorage: 400 })).MaxAllocatedStorage).toBe(800);
    expect(primary(synth({})).MaxAllocatedStorage).toBe(100);
  });
});

describe('issue 11, class 4: vague errors now name the prop', () => {
  test("throws on removalPolicy 'bogus', by name (not aws-cdk-lib's 'Invalid removal policy')", () => {
    expect(() => synth({ removalPolicy: 'bogus' as RemovalPolicy }))
      .toThrow(/^IndependentRds: removalPolicy must be one of "destroy", "retain", "snapshot", "retain-on-update-or-delete" \(got "bogus"\)/);
  });
  test('throws on a NaN monitoringInterval, by name', () => {
    expect(() => synth({ monitoringInterval: Duration.seconds(NaN) })).toThrow(/^IndependentRds: monitoringInterval must be one of 0, 1, 5, 10, 15, 30 or 60 seconds \(got NaN\)/);
  });
});
