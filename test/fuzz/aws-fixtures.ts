import { App, DefaultStackSynthesizer, Duration, RemovalPolicy, Stack, Token, aws_ec2 as ec2, aws_rds as rds } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as fc from 'fast-check';
import { DatabaseEngine, DatabasePreset, IndependentRdsProps } from '../../src/aws';

/** A fresh app and stack in us-east-1 with an imported two-AZ VPC (no VPC resources to synthesize). */
export function freshStack(): { stack: Stack; vpc: ec2.IVpc } {
  const app = new App();
  const stack = new Stack(app, 'Fuzz', {
    env: { account: '123456789012', region: 'us-east-1' },
    synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
  });
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
    privateSubnetRouteTableIds: ['rtb-0123456789abcdef0', 'rtb-0123456789abcdef1'],
  });
  return { stack, vpc };
}

/** The synthesized template (validations run). */
export function templateOf(stack: Stack): any {
  return Template.fromStack(stack).toJSON();
}

/** The resolved literal of a prop value (a Lazy token resolves to what it produces). */
export function literal(stack: Stack, value: unknown): unknown {
  return Token.isUnresolved(value) ? stack.resolve(value) : value;
}

export const ENGINES: DatabaseEngine[] = [
  DatabaseEngine.POSTGRES_16, DatabaseEngine.POSTGRES_17, DatabaseEngine.MYSQL_8_0, DatabaseEngine.MYSQL_8_4,
  DatabaseEngine.MARIADB_11_4, DatabaseEngine.AURORA_POSTGRES_16, DatabaseEngine.AURORA_MYSQL_3,
];

/** Log types per engine, from the RDS API reference (EnableCloudwatchLogsExports). */
const LOG_TYPES: { [family: string]: string[] } = {
  'postgres': ['postgresql', 'upgrade'],
  'aurora-postgresql': ['postgresql'],
  'mysql': ['error', 'general', 'slowquery'],
  'mariadb': ['audit', 'error', 'slowquery'],
  'aurora-mysql': ['audit', 'error', 'general', 'slowquery'],
};

/** Storage layouts RDS accepts for PostgreSQL, MySQL and MariaDB instances (RDS user guide, "DB instance storage"). */
const STORAGE: Array<Partial<IndependentRdsProps>> = [
  {},
  { allocatedStorage: 20, storageType: rds.StorageType.GP3 },
  { allocatedStorage: 400, storageType: rds.StorageType.GP3, iops: 12000, storageThroughput: 500 },
  { allocatedStorage: 1000, storageType: rds.StorageType.GP3, iops: 20000, storageThroughput: 1000, maxAllocatedStorage: 2000 },
  { allocatedStorage: 100, storageType: rds.StorageType.IO1, iops: 3000 },
  { allocatedStorage: 200, storageType: rds.StorageType.IO2, iops: 10000 },
  { allocatedStorage: 50, storageType: rds.StorageType.GP2, maxAllocatedStorage: 200 },
];

/** Valid IndependentRds props for an engine (every combination of these must synthesize). */
export function validRdsProps(engine: DatabaseEngine): fc.Arbitrary<Omit<IndependentRdsProps, 'vpc'>> {
  const aurora = engine.isCluster;
  const family = engine.family.name;
  const record = fc.record({
    preset: fc.constantFrom(DatabasePreset.PRODUCTION, DatabasePreset.DEVELOPMENT),
    instanceClass: fc.constantFrom(...(aurora ? ['db.t4g.medium', 'db.r6g.large', 'db.r7g.xlarge'] : ['db.t4g.micro', 'db.m6g.large', 'db.r6g.xlarge', 'db.m7g.2xlarge'])),
    databaseName: fc.stringMatching(/^db_[a-z0-9_]{0,20}$/),
    username: fc.stringMatching(/^app_[a-z0-9]{0,10}$/),
    port: fc.constantFrom(engine.defaultPort, 1150, 6000, 65535),
    multiAz: fc.boolean(),
    readReplicas: fc.integer({ min: 0, max: 3 }),
    storage: fc.constantFrom(...STORAGE),
    backupDays: fc.integer({ min: 1, max: 35 }),
    windows: fc.constantFrom(['03:00-04:00', 'sun:04:30-sun:05:30'], ['22:00-23:00', 'mon:00:00-mon:01:00'], ['23:30-00:15', 'wed:12:00-wed:12:30']),
    performanceInsights: fc.boolean(),
    performanceInsightRetentionDays: fc.constantFrom(7, 31, 93, 731),
    monitoringSeconds: fc.constantFrom(0, 1, 5, 10, 15, 30, 60),
    logs: fc.subarray(LOG_TYPES[family]),
    connectionsAlarmThreshold: fc.oneof(fc.integer({ min: 1, max: 10000 }), fc.double({ min: 0.5, max: 5000, noNaN: true })),
    secretName: fc.option(fc.stringMatching(/^[a-z]{1,8}\/[a-z]{1,8}\/db-master$/), { nil: undefined }),
    rotationDays: fc.integer({ min: 1, max: 1000 }),
    flags: fc.record({ rotation: fc.boolean(), alarms: fc.boolean(), iamAuthentication: fc.boolean(), deletionProtection: fc.boolean() }),
    az: fc.constantFrom(undefined, 'us-east-1a', 'us-east-1b'),
    backtrackHours: fc.integer({ min: 0, max: 72 }),
    removal: fc.constantFrom(RemovalPolicy.RETAIN, RemovalPolicy.SNAPSHOT),
  });
  return record.map((r) => {
    const props: Omit<IndependentRdsProps, 'vpc'> = {
      engine,
      preset: r.preset,
      instanceClass: r.instanceClass,
      databaseName: r.databaseName,
      username: r.username,
      port: r.port,
      multiAz: r.multiAz,
      // Aurora in Multi-AZ needs a reader in another AZ.
      readReplicas: aurora && r.multiAz ? Math.max(1, r.readReplicas) : r.readReplicas,
      ...(aurora ? {} : r.storage),
      backupRetention: Duration.days(r.backupDays),
      preferredBackupWindow: r.windows[0],
      preferredMaintenanceWindow: r.windows[1],
      performanceInsights: r.performanceInsights,
      performanceInsightRetentionDays: r.performanceInsights ? r.performanceInsightRetentionDays : undefined,
      monitoringInterval: Duration.seconds(r.monitoringSeconds),
      cloudwatchLogsExports: r.logs,
      connectionsAlarmThreshold: r.connectionsAlarmThreshold,
      secretName: r.secretName,
      rotationInterval: Duration.days(r.rotationDays),
      ...r.flags,
      availabilityZone: aurora || r.multiAz ? undefined : r.az,
      backtrackWindow: family === 'aurora-mysql' ? Duration.hours(r.backtrackHours) : undefined,
      removalPolicy: r.removal,
    };
    return props;
  });
}
