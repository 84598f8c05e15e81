import { checkTemplates, kinds, theFinding, writeAssembly } from './fixtures';
import { DeploySafety, DeploySafetyInput } from '../../../src/core';
import { CREATE_ONLY_PROPERTIES } from '../../../src/core/deploy-safety/private/create-only-properties.generated';

/**
 * The CloudFormation rules on small hand-written templates: each case is one property or policy,
 * so the rule it exercises is plain.
 */

type Resources = { [id: string]: { Type: string; Properties?: { [k: string]: unknown }; DeletionPolicy?: string; UpdateReplacePolicy?: string } };

const tpl = (resources: Resources) => ({ Resources: resources });

const pgInstance = (props: { [k: string]: unknown } = {}) => ({
  Type: 'AWS::RDS::DBInstance',
  DeletionPolicy: 'Retain',
  UpdateReplacePolicy: 'Retain',
  Properties: { Engine: 'postgres', EngineVersion: '16.9', DBName: 'shop', MasterUsername: 'shop', AllocatedStorage: '20', BackupRetentionPeriod: 7, ...props },
});

describe('replace', () => {
  test.each([
    ['AWS::SecretsManager::Secret', 'Name', 'a', 'b', /creates a NEW secret with a new generated password, which the database does not have/],
    ['AWS::Route53::HostedZone', 'Name', 'a.example.com', 'b.example.com', /creates a NEW hosted zone with new name servers; the parent domain's NS delegation still points at the old zone/],
    ['AWS::RDS::DBCluster', 'StorageEncrypted', false, true, /creates a NEW, EMPTY DB cluster with new instances, and the stack's references/],
  ])('%s: a create-only %s change replaces it', (type, prop, from, to, consequence) => {
    const report = checkTemplates(tpl({ R: { Type: type, Properties: { [prop]: from } } }), tpl({ R: { Type: type, Properties: { [prop]: to } } }));
    const f = theFinding(report, 'Database/R', 'replace');
    expect(f.summary).toBe(`${prop} ${JSON.stringify(from)} → ${JSON.stringify(to)} (create-only)`);
    expect(f.consequence).toMatch(consequence);
    expect(f.consequence).toMatch(/the old .* is DELETED with its data/);
    expect(f.fix).toMatch(new RegExp(`^Revert ${prop} to ${JSON.stringify(from)}\\.`));
  });

  test('an Engine change replaces the instance (a conditional replacement, not in the create-only table)', () => {
    expect(CREATE_ONLY_PROPERTIES['AWS::RDS::DBInstance']).not.toContain('Engine');
    const report = checkTemplates(tpl({ Db: pgInstance() }), tpl({ Db: pgInstance({ Engine: 'mysql', EngineVersion: '8.0.42' }) }));
    expect(theFinding(report, 'Database/Db', 'replace').summary).toMatch(/Engine "postgres" → "mysql" \(an engine change replaces the database\)/);
  });

  test('a restored instance that loses its DBSnapshotIdentifier is replaced by an empty one', () => {
    const report = checkTemplates(tpl({ Db: pgInstance({ DBSnapshotIdentifier: 'snap-1' }) }), tpl({ Db: pgInstance() }));
    expect(theFinding(report, 'Database/Db', 'replace').summary).toMatch(/without it CloudFormation creates an empty instance/);
  });

  test('a create-only property that refers to a replaced resource changes too (the subnet group is replaced)', () => {
    const group = (name: string) => ({ Type: 'AWS::RDS::DBSubnetGroup', Properties: { DBSubnetGroupName: name } });
    const before = tpl({ Group: group('a'), Db: pgInstance({ DBSubnetGroupName: { Ref: 'Group' } }) });
    const after = tpl({ Group: group('b'), Db: pgInstance({ DBSubnetGroupName: { Ref: 'Group' } }) });
    const f = theFinding(checkTemplates(before, after), 'Database/Db', 'replace');
    expect(f.summary).toMatch(/DBSubnetGroupName \{"Ref":"Group"\} → \{"Ref":"Group"\} \(it refers to Group, which is replaced\)/);
    expect(f.fix).toMatch(/Keep the subnet group/);
  });

  test.each([
    ['AWS::RDS::DBInstance', 'DBInstanceIdentifier', undefined, 'shop-db'],
    ['AWS::RDS::DBInstance', 'DBInstanceIdentifier', 'shop-db', 'shop-db2'],
    ['AWS::RDS::DBInstance', 'DBInstanceIdentifier', 'shop-db', undefined],
    ['AWS::RDS::DBCluster', 'DBClusterIdentifier', undefined, 'shop-cluster'],
    ['AWS::RDS::DBCluster', 'DBClusterIdentifier', 'shop-cluster', 'shop-cluster2'],
  ])('%s: setting, changing or removing %s (IndependentRds instanceIdentifier / clusterIdentifier) replaces it: %j → %j', (type, prop, from, to) => {
    const db = (value: string | undefined) => (type === 'AWS::RDS::DBInstance'
      ? pgInstance(value === undefined ? {} : { [prop]: value })
      : { Type: type, DeletionPolicy: 'Retain', Properties: { Engine: 'aurora-postgresql', ...(value === undefined ? {} : { [prop]: value }) } });
    const f = theFinding(checkTemplates(tpl({ Db: db(from) }), tpl({ Db: db(to) })), 'Database/Db', 'replace');
    expect(f.summary).toMatch(new RegExp(`^${prop} .*\\(create-only\\)`));
    expect(f.consequence).toMatch(/creates a NEW, EMPTY DB (instance|cluster)/);
  });

  test('a fixed DBInstanceIdentifier makes the replacement fail on the name', () => {
    const report = checkTemplates(tpl({ Db: pgInstance({ DBInstanceIdentifier: 'shop' }) }), tpl({ Db: pgInstance({ DBInstanceIdentifier: 'shop', DBName: 'x' }) }));
    expect(theFinding(report, 'Database/Db', 'replace').consequence).toMatch(/fixed DBInstanceIdentifier.*update fails and rolls back/);
  });

  test('a fixed name that changes itself replaces without a name clash; the fix says to remove a property that was not set', () => {
    const secret = (props: { [k: string]: unknown }) => ({ Type: 'AWS::SecretsManager::Secret', Properties: { GenerateSecretString: { PasswordLength: 32 }, ...props } });
    const f = theFinding(checkTemplates(tpl({ S: secret({}) }), tpl({ S: secret({ Name: 'prod/db' }) })), 'Database/S', 'replace');
    expect(f.summary).toBe('Name (absent) → "prod/db" (create-only)');
    expect(f.consequence).not.toMatch(/fixed Name/);
    expect(f.consequence).toMatch(/old secret is kept outside the stack \(Retain\)|old secret is DELETED/);
    expect(f.fix).toMatch(/^Remove Name \(it was not set\)\./);
  });

  test('a retained resource that is not data-bearing, when replaced, leaves the old one orphaned', () => {
    const logs = (name: string) => ({ Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { LogGroupName: name } });
    const f = theFinding(checkTemplates(tpl({ Logs: logs('/a') }), tpl({ Logs: logs('/b') })), 'Database/Logs', 'orphan');
    expect(f.summary).toBe('replaced: LogGroupName "/a" → "/b" (create-only)');
    expect(f.consequence).toMatch(/kept outside the stack \(Retain\): orphaned, no longer managed/);
  });

  test('a replaced resource that is neither data-bearing nor retained gives no finding', () => {
    const sg = (d: string) => ({ Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: d } });
    expect(checkTemplates(tpl({ Sg: sg('a') }), tpl({ Sg: sg('b') })).findings).toEqual([]);
  });
});

describe('orphan and delete', () => {
  test('a data-bearing resource without Retain that leaves the template is deleted; an RDS instance gets a final snapshot by default', () => {
    const { DeletionPolicy: _d, UpdateReplacePolicy: _u, ...notRetained } = pgInstance();
    const report = checkTemplates(tpl({ Db: notRetained, Keep: { Type: 'AWS::SNS::Topic' } }), tpl({ Keep: { Type: 'AWS::SNS::Topic' } }));
    const f = theFinding(report, 'Database/Db', 'delete');
    expect(f.summary).toBe('removed from the template (DeletionPolicy Snapshot)');
    expect(f.consequence).toMatch(/deleted after a final snapshot: the data survives only in that snapshot/);
    expect(f.fix).toMatch(/--allow Database\/Db:delete/);
  });

  test('an Aurora reader or a read replica deleted with the template gives no finding: it holds no data of its own', () => {
    const reader = { Type: 'AWS::RDS::DBInstance', DeletionPolicy: 'Delete', Properties: { Engine: 'aurora-postgresql', DBClusterIdentifier: { Ref: 'C' } } };
    const replica = { Type: 'AWS::RDS::DBInstance', DeletionPolicy: 'Delete', Properties: { SourceDBInstanceIdentifier: { Ref: 'Db' } } };
    const c = { Type: 'AWS::RDS::DBCluster', DeletionPolicy: 'Retain', Properties: { Engine: 'aurora-postgresql', EngineVersion: '16.6' } };
    const report = checkTemplates(tpl({ C: c, Reader: reader, Db: pgInstance(), Replica: replica }), tpl({ C: c, Db: pgInstance() }));
    expect(report.findings).toEqual([]);
  });

  test('a KMS key without Retain that leaves the template is scheduled for deletion', () => {
    const report = checkTemplates(tpl({ Key: { Type: 'AWS::KMS::Key' }, T: { Type: 'AWS::SNS::Topic' } }), tpl({ T: { Type: 'AWS::SNS::Topic' } }));
    expect(theFinding(report, 'Database/Key', 'delete').consequence).toMatch(/scheduled for deletion: whatever it encrypted becomes unreadable/);
  });

  test('a resource that moves to another stack is recognised as moved there', () => {
    const report = DeploySafety.check(
      DeploySafetyInput.fromPath(writeAssembly({ Old: tpl({ Db: pgInstance() }), New: tpl({}) })),
      DeploySafetyInput.fromPath(writeAssembly({ Old: tpl({}), New: tpl({ Database1234: pgInstance() }) })),
    );
    const f = theFinding(report, 'Old/Db', 'orphan');
    expect(f.summary).toMatch(/Old\/Db is gone and New\/Database1234 \(same type, alike\) is new; it looks moved/);
  });

  test('a removed resource with nothing alike in the after stacks is not called moved', () => {
    const other = { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'mysql', DBName: 'x', MasterUsername: 'y', EngineVersion: '8.0.42' } };
    const f = theFinding(checkTemplates(tpl({ Db: pgInstance() }), tpl({ Other: other })), 'Database/Db', 'orphan');
    expect(f.summary).toBe('removed from the template (DeletionPolicy Retain)');
  });
});

describe('Aurora engine versions', () => {
  const cluster = (version: string) => ({ Type: 'AWS::RDS::DBCluster', Properties: { Engine: 'aurora-postgresql', EngineVersion: version } });
  const member = (props: { [k: string]: unknown } = {}) => ({ Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'aurora-postgresql', DBClusterIdentifier: { Ref: 'C' }, ...props } });

  test('a cluster downgrade is blocked', () => {
    const f = theFinding(checkTemplates(tpl({ C: cluster('16.6') }), tpl({ C: cluster('16.4') })), 'Database/C', 'blocked');
    expect(f.summary).toBe('EngineVersion "16.6" → "16.4" (a downgrade)');
  });

  test('a major upgrade no instance marks with AllowMajorVersionUpgrade is an outage: CloudFormation goes ahead with it', () => {
    const report = checkTemplates(tpl({ C: cluster('16.6'), W: member() }), tpl({ C: cluster('17.4'), W: member() }));
    expect(kinds(report)).toEqual(['Database/C outage']);
    expect(theFinding(report, 'Database/C', 'outage').fix).toMatch(/family "aurora-postgresql17"/);
  });

  test('a major upgrade marked on an instance of the cluster, or a minor one, gives no finding', () => {
    expect(checkTemplates(tpl({ C: cluster('16.6'), W: member() }), tpl({ C: cluster('17.4'), W: member({ AllowMajorVersionUpgrade: true }) })).findings).toEqual([]);
    expect(checkTemplates(tpl({ C: cluster('16.6') }), tpl({ C: cluster('16.8') })).findings).toEqual([]);
  });

  test('the mark must be on an instance of that cluster', () => {
    const other = { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'aurora-postgresql', DBClusterIdentifier: { Ref: 'Other' }, AllowMajorVersionUpgrade: true } };
    const report = checkTemplates(tpl({ C: cluster('16.6'), Other: cluster('16.6') }), tpl({ C: cluster('17.4'), Other: cluster('16.6'), I: other }));
    expect(kinds(report)).toEqual(['Database/C outage']);
  });
});

describe('blocked', () => {
  test('an engine downgrade is blocked', () => {
    const f = theFinding(checkTemplates(tpl({ Db: pgInstance() }), tpl({ Db: pgInstance({ EngineVersion: '16.4' }) })), 'Database/Db', 'blocked');
    expect(f.summary).toBe('EngineVersion "16.9" → "16.4" (a downgrade)');
  });

  test('a major upgrade with AllowMajorVersionUpgrade and a matching parameter group gives no finding', () => {
    const pg = (family: string) => ({ Type: 'AWS::RDS::DBParameterGroup', Properties: { Family: family, Description: family } });
    const before = tpl({ Pg: pg('postgres16'), Db: pgInstance({ DBParameterGroupName: { Ref: 'Pg' } }) });
    const after = tpl({ Pg17: pg('postgres17'), Db: pgInstance({ EngineVersion: '17.5', AllowMajorVersionUpgrade: true, DBParameterGroupName: { Ref: 'Pg17' } }) });
    expect(checkTemplates(before, after).findings).toEqual([]);
  });

  test('an Aurora cluster parameter group of the wrong family is blocked', () => {
    const cluster = (version: string) => ({ Type: 'AWS::RDS::DBCluster', Properties: { Engine: 'aurora-postgresql', EngineVersion: version, DBClusterParameterGroupName: { Ref: 'Cpg' } } });
    const cpg = { Type: 'AWS::RDS::DBClusterParameterGroup', Properties: { Family: 'aurora-postgresql16', Description: 'x' } };
    const report = checkTemplates(tpl({ Cpg: cpg, C: cluster('16.6') }), tpl({ Cpg: cpg, C: cluster('17.4') }));
    expect(kinds(report)).toEqual(['Database/C outage', 'Database/Cpg blocked']);
    expect(theFinding(report, 'Database/Cpg', 'blocked').summary).toMatch(/Family "aurora-postgresql16" does not match EngineVersion "17\.4" of Database\/C/);
  });

  test('shrinking storage is blocked', () => {
    const f = theFinding(checkTemplates(tpl({ Db: pgInstance() }), tpl({ Db: pgInstance({ AllocatedStorage: 10 }) })), 'Database/Db', 'blocked');
    expect(f.summary).toBe('AllocatedStorage 20 → 10 GiB');
    expect(f.consequence).toMatch(/cannot reduce allocated storage/);
  });

  test('changing the type under the same logical ID is blocked', () => {
    const f = theFinding(checkTemplates(tpl({ R: { Type: 'AWS::SNS::Topic' } }), tpl({ R: { Type: 'AWS::SQS::Queue' } })), 'Database/R', 'blocked');
    expect(f.summary).toBe('Type AWS::SNS::Topic → AWS::SQS::Queue under the same logical ID');
  });
});

describe('outage and re-key', () => {
  test('turning automated backups on (0 → 7) is an outage; CloudFormation\'s default retention counts as 1', () => {
    const on = checkTemplates(tpl({ Db: pgInstance({ BackupRetentionPeriod: 0 }) }), tpl({ Db: pgInstance() }));
    expect(theFinding(on, 'Database/Db', 'outage').summary).toBe('BackupRetentionPeriod 0 → 7 (automated backups turned on)');
    const { BackupRetentionPeriod: _b, ...noRetention } = pgInstance().Properties;
    const unset = checkTemplates(tpl({ Db: pgInstance() }), tpl({ Db: { ...pgInstance(), Properties: noRetention } }));
    expect(unset.findings).toEqual([]);
  });

  test('a secret whose generated password would be generated again, with nothing else replaced', () => {
    const secret = (length: number) => ({ Type: 'AWS::SecretsManager::Secret', Properties: { GenerateSecretString: { PasswordLength: length, GenerateStringKey: 'password' } } });
    const f = theFinding(checkTemplates(tpl({ S: secret(30) }), tpl({ S: secret(32) })), 'Database/S', 're-key');
    expect(f.summary).toBe('GenerateSecretString changed: PasswordLength 30 → 32');
    expect(f.consequence).toMatch(/The database keeps its current password .* can no longer log in/);
  });

  test('a secret description change is harmless', () => {
    const secret = (d: string) => ({ Type: 'AWS::SecretsManager::Secret', Properties: { Description: d, GenerateSecretString: { PasswordLength: 32 } } });
    expect(checkTemplates(tpl({ S: secret('a') }), tpl({ S: secret('b') })).findings).toEqual([]);
  });
});

describe('allow', () => {
  const before = tpl({ Db: pgInstance() });
  const after = tpl({ Db: pgInstance({ DBName: 'orders' }) });

  test('an allow entry moves the finding to allowed; a bare logical id matches in any stack', () => {
    for (const allow of ['Database/Db:replace', 'Db:replace']) {
      const report = checkTemplates(before, after, { allow: [allow] });
      expect(report.findings).toEqual([]);
      expect(report.allowed.map((f) => f.resource)).toEqual(['Database/Db']);
      expect(report.unusedAllows).toEqual([]);
    }
  });

  test('an allow entry for another change or resource does not accept the finding, and is reported unused', () => {
    const report = checkTemplates(before, after, { allow: ['Database/Db:orphan', 'Other/Db:replace'] });
    expect(kinds(report)).toEqual(['Database/Db replace']);
    expect(report.unusedAllows).toEqual(['Database/Db:orphan', 'Other/Db:replace']);
  });

  test('throws on a malformed allow entry', () => {
    expect(() => checkTemplates(before, after, { allow: ['Database/Db'] }))
      .toThrow(/^DeploySafety: allow\[0\] must be <resource>:<change> with a change of replace, orphan, delete, re-key, blocked, outage, k8s-immutable, k8s-data-moved, k8s-major-upgrade \(got "Database\/Db"\)\. Copy it from/);
    expect(() => checkTemplates(before, after, { allow: ['Database/Db:replaced'] })).toThrow(/\(got "Database\/Db:replaced"\)/);
  });

  test('assertSafe throws with every finding, its consequence and fix; it passes once the finding is allowed', () => {
    const b = DeploySafetyInput.fromTemplate(before, 'Database');
    const a = DeploySafetyInput.fromTemplate(after, 'Database');
    expect(() => DeploySafety.assertSafe(b, a)).toThrow(/template Database → template Database is not safe to deploy[\s\S]*UNSAFE replace: Database\/Db[\s\S]*consequence:[\s\S]*fix:[\s\S]*allow with:  --allow Database\/Db:replace/);
    expect(DeploySafety.assertSafe(b, a, { allow: ['Database/Db:replace'] }).allowed).toHaveLength(1);
  });
});
