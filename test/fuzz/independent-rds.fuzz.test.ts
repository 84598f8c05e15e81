import { Lazy } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { numberProp, perturb, stringProp, wildCdkDuration, wildMap, wildString } from './arbitraries';
import { ENGINES, freshStack, literal, templateOf, validRdsProps } from './aws-fixtures';
import { fuzzParameters, judge, TemplateSample } from './oracle';
import { DatabaseEngine, IndependentRds, IndependentRdsProps } from '../../src/aws';

/**
 * IndependentRds with valid props, some of them replaced by edge values, random values or CDK
 * tokens. Either the construct refuses the input with an error that names the prop, or the
 * template is sane, every given value reaches its resource untouched, and a sample passes cfn-lint.
 */
const WILD: { [prop: string]: fc.Arbitrary<unknown> } = {
  instanceClass: fc.oneof(stringProp(fc.constantFrom('db.m6g.large', 'db.r6g.large')), fc.constantFrom('db.zz9.large', 'db.m6g.metal', 'db.t4g.nano', 'db.serverless')),
  databaseName: stringProp(fc.constant('app')),
  username: stringProp(fc.constant('dbadmin')),
  port: numberProp(fc.constant(5432)),
  readReplicas: numberProp(fc.constant(2)),
  allocatedStorage: numberProp(fc.constant(100)),
  maxAllocatedStorage: numberProp(fc.constant(500)),
  storageType: wildString(),
  iops: numberProp(fc.constant(3000)),
  storageThroughput: numberProp(fc.constant(500)),
  backupRetention: wildCdkDuration(),
  preferredBackupWindow: stringProp(fc.constant('03:00-04:00')),
  preferredMaintenanceWindow: stringProp(fc.constant('sun:04:30-sun:05:30')),
  availabilityZone: stringProp(fc.constant('us-east-1a')),
  removalPolicy: wildString(),
  performanceInsightRetentionDays: numberProp(fc.constant(7)),
  monitoringInterval: wildCdkDuration(),
  rotationInterval: wildCdkDuration(),
  backtrackWindow: wildCdkDuration(),
  cloudwatchLogsExports: fc.array(fc.oneof(wildString(), fc.constantFrom('postgresql', 'error', 'audit')), { maxLength: 3 }),
  parameters: wildMap(),
  connectionsAlarmThreshold: numberProp(fc.constant(100)),
  secretName: stringProp(fc.constant('prod/db-master')),
};

/** Props that may surface in an error under another name. */
const MENTIONS: { [prop: string]: string[] } = {
  availabilityZone: ['availabilityZone'],
  allocatedStorage: ['allocatedStorage', 'maxAllocatedStorage'],
  iops: ['iops', 'storageThroughput'],
  storageType: ['storageType', 'iops', 'allocatedStorage'],
  readReplicas: ['readReplicas', 'multiAz'],
  preferredBackupWindow: ['preferredBackupWindow'],
  preferredMaintenanceWindow: ['preferredMaintenanceWindow'],
};

describe('IndependentRds under fuzzed props', () => {
  const sample = new TemplateSample();

  test('refuses bad input by name, and synthesizes what it accepts, with every value in place', () => {
    const arb = fc.constantFrom(...ENGINES).chain((engine) => perturb(validRdsProps(engine), WILD, 2));
    fc.assert(fc.property(arb, ({ props, perturbed }) => {
      const { stack, vpc } = freshStack();
      const full = { ...props, vpc } as IndependentRdsProps;
      const template = judge({ owners: ['IndependentRds'], perturbed, mentions: MENTIONS }, () => {
        new IndependentRds(stack, 'Db', full);
        return templateOf(stack);
      });
      if (template === undefined) return;
      sample.add(template);
      expectValuesInPlace(stack, full, template);
    }), fuzzParameters());
  });

  test('a sample of the accepted templates passes cfn-lint', () => {
    sample.expectCfnLintClean();
  });
});

describe('DatabaseEngine under fuzzed versions', () => {
  const factories: Array<[string, (v: string) => DatabaseEngine]> = [
    ['postgres', DatabaseEngine.postgres], ['mysql', DatabaseEngine.mysql], ['mariadb', DatabaseEngine.mariadb],
    ['aurora-postgresql', DatabaseEngine.auroraPostgres], ['aurora-mysql', DatabaseEngine.auroraMysql],
  ];
  test('refuses versions that do not exist by name, and accepts a Lazy version checked at synthesis', () => {
    const version = fc.oneof(wildString(), fc.constantFrom('99.1', '16', '16.9', '8.0.42', '5.6.51', '11.4.5', '8.0.mysql_aurora.3.08.0', '8.0.mysql_aurora.2.11.0', '12.22'));
    fc.assert(fc.property(fc.constantFrom(...factories), version, fc.boolean(), ([family, factory], v, lazy) => {
      const { stack, vpc } = freshStack();
      judge({ owners: ['DatabaseEngine', 'IndependentRds'], perturbed: ['version'], mentions: { version: ['version'] } }, () => {
        const engine = factory(lazy ? Lazy.string({ produce: () => v }) : v);
        const isAurora = family.startsWith('aurora');
        new IndependentRds(stack, 'Db', { vpc, engine, readReplicas: isAurora ? 1 : 0 });
        const t = templateOf(stack);
        const type = isAurora ? 'AWS::RDS::DBCluster' : 'AWS::RDS::DBInstance';
        const db = Object.values<any>(t.Resources).find((r) => r.Type === type);
        expect(db.Properties.EngineVersion).toBe(v);
        return t;
      });
    }), fuzzParameters());
  });
});

/** Every value given (or the literal a Lazy token produced) is in the template as given. */
function expectValuesInPlace(stack: ReturnType<typeof freshStack>['stack'], props: IndependentRdsProps, template: any): void {
  const resources = Object.entries<any>(template.Resources);
  const instances = resources.filter(([, r]) => r.Type === 'AWS::RDS::DBInstance').map(([, r]) => r.Properties);
  const cluster = resources.find(([, r]) => r.Type === 'AWS::RDS::DBCluster')?.[1].Properties;
  const primary = cluster ?? instances.find((p) => p.SourceDBInstanceIdentifier === undefined);
  const lit = (v: unknown) => literal(stack, v);
  if (props.instanceClass !== undefined) for (const i of instances) expect(i.DBInstanceClass).toBe(lit(props.instanceClass));
  if (props.port !== undefined) expect(String(primary.Port)).toBe(String(lit(props.port)));
  if (props.databaseName !== undefined) expect(primary.DBName ?? primary.DatabaseName).toBe(lit(props.databaseName));
  if (props.readReplicas !== undefined) expect(instances.length).toBe(Number(lit(props.readReplicas)) + 1);
  if (cluster === undefined) {
    const main = primary;
    if (props.allocatedStorage !== undefined) expect(main.AllocatedStorage).toBe(String(lit(props.allocatedStorage)));
    if (props.iops !== undefined) expect(main.Iops).toBe(lit(props.iops));
    if (props.storageThroughput !== undefined) expect(main.StorageThroughput).toBe(lit(props.storageThroughput));
    if (props.maxAllocatedStorage !== undefined) expect(main.MaxAllocatedStorage).toBe(lit(props.maxAllocatedStorage));
    if (props.availabilityZone !== undefined) expect(main.AvailabilityZone).toBe(lit(props.availabilityZone));
  }
  if (props.engine !== undefined) expect(primary.EngineVersion).toBe(lit(props.engine.version));
  if (props.cloudwatchLogsExports !== undefined && props.cloudwatchLogsExports.length > 0) {
    expect(primary.EnableCloudwatchLogsExports).toEqual(props.cloudwatchLogsExports.map(lit));
  }
}
