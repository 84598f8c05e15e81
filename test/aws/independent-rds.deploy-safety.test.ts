import { App, Annotations as CoreAnnotations, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { DatabaseEngine, DatabasePreset, IndependentRds, IndependentRdsProps } from '../../src/aws';
import { checkTemplates, kinds, logicalId, rdsTemplate, theFinding } from '../core/deploy-safety/fixtures';
import { expectCfnLintClean, toolOrSkip } from '../harness';
import { networkStack, plainStack } from './fixtures';

/**
 * The deploy-safety traps IndependentRds removes itself (issue 12, part 3): each test changes one
 * prop the way a user would, then looks at the template and at what the deploy-safety checker
 * reports for the change.
 */

const INSTANCE = 'AWS::RDS::DBInstance';
const CLUSTER = 'AWS::RDS::DBCluster';
const SECRET = 'AWS::SecretsManager::Secret';
const AURORA_16 = DatabaseEngine.AURORA_POSTGRES_16;
const AURORA_17 = DatabaseEngine.auroraPostgres('17.4');

type Resources = { [id: string]: { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string; Properties?: any } };
const resources = (template: { [key: string]: unknown }) => template.Resources as Resources;
const resource = (template: { [key: string]: unknown }, type: string, prefix = '') => resources(template)[logicalId(template, type, prefix)];

describe('changing databaseName keeps the password', () => {
  test('the generated secret is byte for byte the same with another databaseName', () => {
    const shop = rdsTemplate();
    const orders = rdsTemplate({ databaseName: 'orders' });

    expect(resource(orders, SECRET)).toEqual(resource(shop, SECRET));
    expect(resource(shop, SECRET).Properties.GenerateSecretString.SecretStringTemplate).toBe('{"username":"shop"}');
    // The attachment, which writes dbname (and host, port, engine) into the secret, follows the database.
    const attachment = resource(orders, 'AWS::SecretsManager::SecretTargetAttachment').Properties;
    expect(attachment).toEqual({
      SecretId: { Ref: logicalId(orders, SECRET) }, TargetId: { Ref: logicalId(orders, INSTANCE) }, TargetType: INSTANCE,
    });
  });

  test('the checker reports the replacement of the instance, and no re-key', () => {
    const before = rdsTemplate();
    const report = checkTemplates(before, rdsTemplate({ databaseName: 'orders' }));

    const db = `Database/${logicalId(before, INSTANCE)}`;
    expect(kinds(report)).toEqual([`${db} replace`]);
    expect(theFinding(report, db, 'replace').summary).toMatch(/DBName "shop" → "orders"/);
  });

  test('on Aurora too: the cluster and its instances are replaced, the secret stays', () => {
    const before = rdsTemplate({ engine: AURORA_16 });
    const after = rdsTemplate({ engine: AURORA_16, databaseName: 'orders' });

    expect(resource(after, SECRET)).toEqual(resource(before, SECRET));
    const report = checkTemplates(before, after);
    expect(report.findings.map((f) => f.change)).toEqual(['replace', 'replace', 'replace']);
    expect(report.findings.map((f) => f.resourceType).sort()).toEqual([CLUSTER, INSTANCE, INSTANCE]);
  });

  test('a username change still re-keys: the user name must be in the template, and the database is replaced anyway', () => {
    const before = rdsTemplate();
    const report = checkTemplates(before, rdsTemplate({ username: 'owner' }));

    expect(kinds(report)).toEqual([`Database/${logicalId(before, INSTANCE)} replace`, `Database/${logicalId(before, SECRET)} re-key`]);
  });
});

describe('allowMajorVersionUpgrade', () => {
  test('is off by default: the template has no AllowMajorVersionUpgrade', () => {
    expect(resource(rdsTemplate(), INSTANCE).Properties.AllowMajorVersionUpgrade).toBeUndefined();
  });

  test('a major upgrade without it is blocked by the checker (RDS would refuse it and roll back)', () => {
    const before = rdsTemplate();
    const report = checkTemplates(before, rdsTemplate({ engine: DatabaseEngine.POSTGRES_17 }));

    expect(kinds(report)).toEqual([`Database/${logicalId(before, INSTANCE)} blocked`]);
    expect(report.findings[0].fix).toMatch(/allowMajorVersionUpgrade: true/);
  });

  test('with it, 16 → 17 sets AllowMajorVersionUpgrade, moves the instance to a postgres17 group in the same update, and passes the checker', () => {
    const before = rdsTemplate();
    const after = rdsTemplate({ engine: DatabaseEngine.POSTGRES_17, allowMajorVersionUpgrade: true });

    const instance = resource(after, INSTANCE, 'Database').Properties;
    expect(instance).toMatchObject({ EngineVersion: '17.5', AllowMajorVersionUpgrade: true });
    // Same logical id, new Family: Family is create-only, so CloudFormation creates the new group
    // (its name is generated, so there is no clash), points the instance at it in the same
    // ModifyDBInstance as the new version, and deletes the old group when the update is complete.
    const group = logicalId(after, 'AWS::RDS::DBParameterGroup');
    expect(group).toBe(logicalId(before, 'AWS::RDS::DBParameterGroup'));
    expect(resources(after)[group].Properties).toMatchObject({ Family: 'postgres17' });
    expect(resources(after)[group].Properties.DBParameterGroupName).toBeUndefined();
    expect(instance.DBParameterGroupName).toEqual({ Ref: group });

    const report = checkTemplates(before, after);
    expect(report.findings).toEqual([]);
  });

  test('the upgraded template passes cfn-lint', () => {
    if (!toolOrSkip('cfn-lint')) return;
    expectCfnLintClean(rdsTemplate({ engine: DatabaseEngine.POSTGRES_17, allowMajorVersionUpgrade: true }));
  });

  test('Aurora: an unmarked major upgrade is an outage for the checker (CloudFormation would go ahead with it)', () => {
    const before = rdsTemplate({ engine: AURORA_16 });
    const report = checkTemplates(before, rdsTemplate({ engine: AURORA_17 }));

    const cluster = `Database/${logicalId(before, CLUSTER)}`;
    expect(kinds(report)).toEqual([`${cluster} outage`]);
    const f = theFinding(report, cluster, 'outage');
    expect(f.summary).toMatch(/EngineVersion "16\.6" → "17\.4" \(major 16 → 17\), not marked as intended/);
    expect(f.consequence).toMatch(/upgrades an Aurora cluster in place whenever EngineVersion changes/);
    expect(f.fix).toMatch(/allowMajorVersionUpgrade: true.*family "aurora-postgresql17"/);
  });

  test('Aurora: with it, every instance carries AllowMajorVersionUpgrade, the cluster group is of the new family, and the checker is quiet', () => {
    const before = rdsTemplate({ engine: AURORA_16 });
    const after = rdsTemplate({ engine: AURORA_17, allowMajorVersionUpgrade: true });

    const instances = Object.values(resources(after)).filter((r) => r.Type === INSTANCE);
    expect(instances).toHaveLength(2);
    for (const i of instances) expect(i.Properties.AllowMajorVersionUpgrade).toBe(true);
    expect(resource(after, 'AWS::RDS::DBClusterParameterGroup').Properties.Family).toBe('aurora-postgresql17');
    expect(resource(after, CLUSTER).Properties.EngineVersion).toBe('17.4');
    expect(checkTemplates(before, after).findings).toEqual([]);
    if (toolOrSkip('cfn-lint')) expectCfnLintClean(after);
  });

  test('warns while it is on, with the MySQL replica ordering when there are replicas', () => {
    const { stack } = build({ engine: DatabaseEngine.MYSQL_8_4, allowMajorVersionUpgrade: true, readReplicas: 1 });
    Annotations.fromStack(stack).hasWarning('/Database/Database',
      Match.stringLikeRegexp('allowMajorVersionUpgrade is on .*cannot be undone.*readReplicas: 0.*cdk-db-platform:majorVersionUpgradeAllowed'));
  });

  test('gives no such warning when off', () => {
    const { stack } = build({ terminationProtection: true });
    Annotations.fromStack(stack).hasNoWarning('/Database/Database', Match.anyValue());
  });
});

describe('termination protection of the stack holding a production database', () => {
  test('warns when the stack has none', () => {
    const { stack } = build();
    Annotations.fromStack(stack).hasWarning('/Database/Database',
      Match.stringLikeRegexp('stack Database holds a production database but has no termination protection.*terminationProtection: true.*cdk-db-platform:terminationProtection'));
  });

  test('is quiet when the stack is protected, also when protection is turned on after the database is created', () => {
    const { stack } = build({ terminationProtection: true });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('termination protection'));

    const late = build();
    late.stack.terminationProtection = true;
    Annotations.fromStack(late.stack).hasNoWarning('*', Match.stringLikeRegexp('termination protection'));
  });

  test('is quiet for the development preset', () => {
    const { stack } = build({ preset: DatabasePreset.DEVELOPMENT });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('termination protection'));
  });

  test('can be acknowledged by its id on the stack', () => {
    const { stack } = build();
    CoreAnnotations.of(stack).acknowledgeWarning('cdk-db-platform:terminationProtection', 'a sandbox account');
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('termination protection'));
  });
});

describe('readers and replicas leave the template without being stranded', () => {
  test('an Aurora reader is deleted when it leaves the template; the writer and the cluster keep the retain policy', () => {
    const t = rdsTemplate({ engine: AURORA_16 });
    expect(resource(t, INSTANCE, 'DatabaseReader')).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    expect(resource(t, INSTANCE, 'DatabaseWriter')).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(resource(t, CLUSTER)).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('preset PRODUCTION → DEVELOPMENT on Aurora deletes the reader instead of orphaning it, and the checker does not flag that', () => {
    const before = rdsTemplate({ engine: AURORA_16 });
    const after = rdsTemplate({ engine: AURORA_16, preset: DatabasePreset.DEVELOPMENT });
    const reader = logicalId(before, INSTANCE, 'DatabaseReader');

    expect(resources(after)[reader]).toBeUndefined();
    const report = checkTemplates(before, after);
    // CloudFormation deletes the reader (DeletionPolicy Delete): the cluster keeps the data.
    expect(report.findings.filter((f) => f.resource === `Database/${reader}`)).toEqual([]);
    expect(report.findings).toEqual([]);
  });

  test('fewer instance read replicas: the replica is deleted, not left replicating and billed', () => {
    const before = rdsTemplate({ readReplicas: 1 });
    const replica = logicalId(before, INSTANCE, 'DatabaseReadReplica1');
    expect(resources(before)[replica]).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    expect(checkTemplates(before, rdsTemplate({ readReplicas: 0 })).findings).toEqual([]);
  });
});

/** A production IndependentRds in stack 'Database', optionally with termination protection. */
function build(props: Partial<IndependentRdsProps> & { terminationProtection?: boolean } = {}): { stack: Stack; db: IndependentRds } {
  const { terminationProtection, ...dbProps } = props;
  const app = new App();
  const { vpc } = networkStack(app);
  const stack = plainStack(app, 'Database');
  if (terminationProtection) stack.terminationProtection = true;
  const db = new IndependentRds(stack, 'Database', { vpc, ...dbProps });
  return { stack, db };
}

describe('setting an identifier on a deployed database replaces it', () => {
  test('instanceIdentifier: the checker reports the replacement of the instance', () => {
    const before = rdsTemplate();
    const report = checkTemplates(before, rdsTemplate({ instanceIdentifier: 'shop-db' }));
    const db = `Database/${logicalId(before, INSTANCE)}`;
    expect(kinds(report)).toContain(`${db} replace`);
    expect(theFinding(report, db, 'replace').summary).toMatch(/DBInstanceIdentifier \(absent\) → "shop-db" \(create-only\)/);
  });

  test('clusterIdentifier: the checker reports the replacement of the cluster', () => {
    const before = rdsTemplate({ engine: AURORA_16 });
    const report = checkTemplates(before, rdsTemplate({ engine: AURORA_16, clusterIdentifier: 'shop-cluster' }));
    const cluster = `Database/${logicalId(before, CLUSTER)}`;
    expect(theFinding(report, cluster, 'replace').summary).toMatch(/DBClusterIdentifier \(absent\) → "shop-cluster" \(create-only\)/);
  });
});
