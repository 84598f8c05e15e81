import { aws_kms as kms } from 'aws-cdk-lib';
import { checkTemplates, kinds, logicalId, rdsTemplate, theFinding } from './fixtures';
import { DatabaseEngine, IndependentRds, RestoreSource } from '../../../src/aws';
import { CLUSTER_RESTORE_PROPERTIES, INSTANCE_RESTORE_PROPERTIES } from '../../../src/core/deploy-safety/private/cfn-restore-rules';
import { CREATE_ONLY_PROPERTIES } from '../../../src/core/deploy-safety/private/create-only-properties.generated';

/**
 * What the deploy-safety checker says about restores: adding, changing or removing the restore
 * source of a deployed database, on templates IndependentRds emits and on hand-written ones (one
 * property each). The rules for DB instances follow CloudFormation's RDS handler; for DB clusters
 * the restore properties are create-only in the resource schema.
 */

const INSTANCE = 'AWS::RDS::DBInstance';
const CLUSTER = 'AWS::RDS::DBCluster';
const SNAPSHOT = RestoreSource.fromSnapshot('shop-before-migration');
const AT_1401 = new Date('2025-06-01T14:01:00Z');
const RUNBOOK = /Never restore in place: restore into a second database next to this one \(IndependentRds with restoreSource under a new construct id\), move the apps to it, then retire this one/;

type Resources = { [id: string]: { Type: string; Properties?: { [k: string]: unknown }; DeletionPolicy?: string; UpdateReplacePolicy?: string } };
const tpl = (resources: Resources) => ({ Resources: resources });
const instance = (props: { [k: string]: unknown } = {}) => ({
  Type: INSTANCE,
  DeletionPolicy: 'Retain',
  UpdateReplacePolicy: 'Retain',
  Properties: { Engine: 'postgres', EngineVersion: '16.9', AllocatedStorage: '20', BackupRetentionPeriod: 7, ...props },
});

describe('the table and the rules cover every restore property', () => {
  test('every restore property of a DB cluster is create-only in the schema cfn-lint ships', () => {
    expect(CREATE_ONLY_PROPERTIES[CLUSTER]).toEqual(expect.arrayContaining(CLUSTER_RESTORE_PROPERTIES));
  });

  test('the restore properties of a DB instance are not create-only (they are judged on their values)', () => {
    for (const prop of INSTANCE_RESTORE_PROPERTIES) expect(CREATE_ONLY_PROPERTIES[INSTANCE]).not.toContain(prop);
    expect(INSTANCE_RESTORE_PROPERTIES).toEqual(expect.arrayContaining(['DBSnapshotIdentifier', 'SourceDBInstanceIdentifier', 'RestoreTime', 'UseLatestRestorableTime']));
  });
});

describe('an IndependentRds that gets a restore source in place', () => {
  test('adding a snapshot to a deployed instance replaces it with one restored from the snapshot; the finding gives the runbook', () => {
    const before = rdsTemplate();
    const report = checkTemplates(before, rdsTemplate({ restoreSource: SNAPSHOT, databaseName: 'shop', username: 'shop' }));
    const db = `Database/${logicalId(before, INSTANCE)}`;
    const f = theFinding(report, db, 'replace');
    expect(f.summary).toMatch(/DBSnapshotIdentifier \(absent\) → "shop-before-migration" \(adding a restore source makes CloudFormation restore a NEW database from it in place of this one\)/);
    expect(f.consequence).toMatch(/CloudFormation creates a NEW DB instance restored from snapshot "shop-before-migration", and the stack's references .* move to it; then the old DB instance is kept outside the stack \(Retain\)/);
    expect(f.fix).toMatch(/^Remove DBSnapshotIdentifier \(it was not set\)\. /);
    expect(f.fix).toMatch(RUNBOOK);
  });

  test('adding a point in time to a deployed instance replaces it too', () => {
    const before = rdsTemplate();
    const report = checkTemplates(before, rdsTemplate({ restoreSource: RestoreSource.pointInTime({ sourceInstanceIdentifier: 'shop-db', restoreTime: AT_1401 }) }));
    const f = theFinding(report, `Database/${logicalId(before, INSTANCE)}`, 'replace');
    expect(f.summary).toMatch(/SourceDBInstanceIdentifier \(absent\) → "shop-db" \(adding a restore source/);
    expect(f.summary).toMatch(/RestoreTime \(absent\) → "2025-06-01T14:01:00Z"/);
    expect(f.consequence).toMatch(/a NEW DB instance restored from instance "shop-db" as of "2025-06-01T14:01:00Z"/);
  });

  test('restoring a deployed Aurora cluster in place replaces the cluster with one restored from the snapshot', () => {
    const aurora = { engine: DatabaseEngine.AURORA_POSTGRES_16 };
    const before = rdsTemplate(aurora);
    const report = checkTemplates(before, rdsTemplate({ ...aurora, restoreSource: RestoreSource.fromClusterSnapshot('shop-cluster-snap') }));
    const f = theFinding(report, `Database/${logicalId(before, CLUSTER)}`, 'replace');
    expect(f.summary).toMatch(/SnapshotIdentifier \(absent\) → "shop-cluster-snap" \(create-only\)/);
    expect(f.consequence).toMatch(/CloudFormation creates a NEW DB cluster restored from snapshot "shop-cluster-snap", with new instances/);
    expect(f.fix).toMatch(RUNBOOK);
  });

  test('a restore next to the old database (a second construct) leaves the old one alone: no finding', () => {
    const before = rdsTemplate();
    const after = rdsTemplate({}, {
      extras: (stack, db) => {
        new IndependentRds(stack, 'Restored', {
          vpc: db.vpc,
          username: 'shop',
          databaseName: 'shop',
          restoreSource: RestoreSource.fromSnapshot('shop-before-migration', { sourceEncryptionKey: db.encryptionKey as kms.IKey }),
        });
      },
    });
    expect(checkTemplates(before, after).findings).toEqual([]);
  });
});

describe('a restored IndependentRds', () => {
  const restored = (restoreSource: RestoreSource) => rdsTemplate({ restoreSource });

  test('keeping the restore source and changing something harmless gives no finding', () => {
    const before = restored(SNAPSHOT);
    const after = rdsTemplate({ restoreSource: SNAPSHOT, instanceClass: 'db.r6g.large' });
    expect(checkTemplates(before, after).findings).toEqual([]);
  });

  test('another snapshot restores a new database in place of this one', () => {
    const before = restored(SNAPSHOT);
    const report = checkTemplates(before, restored(RestoreSource.fromSnapshot('shop-later')));
    const f = theFinding(report, `Database/${logicalId(before, INSTANCE)}`, 'replace');
    expect(f.summary).toMatch(/DBSnapshotIdentifier "shop-before-migration" → "shop-later" \(a different restore source makes CloudFormation restore a NEW database/);
    expect(f.fix).toMatch(/^Revert DBSnapshotIdentifier to "shop-before-migration"\. Never restore in place/);
  });

  test('removing the snapshot replaces the database with an empty one; the fix says to keep the restore source', () => {
    const before = restored(SNAPSHOT);
    const f = theFinding(checkTemplates(before, rdsTemplate()), `Database/${logicalId(before, INSTANCE)}`, 'replace');
    expect(f.summary).toMatch(/without it CloudFormation creates an empty instance/);
    expect(f.consequence).toMatch(/CloudFormation creates a NEW, EMPTY DB instance/);
    expect(f.fix).toMatch(/Keep the restore source in the props for the life of the database/);
  });

  test('another restore time restores a new database in place of this one', () => {
    const pit = (restoreTime: Date) => restored(RestoreSource.pointInTime({ sourceInstanceIdentifier: 'shop-db', restoreTime }));
    const before = pit(AT_1401);
    const f = theFinding(checkTemplates(before, pit(new Date('2025-06-01T13:00:00Z'))), `Database/${logicalId(before, INSTANCE)}`, 'replace');
    expect(f.summary).toMatch(/RestoreTime "2025-06-01T14:01:00Z" → "2025-06-01T13:00:00Z" \(a different restore source/);
  });

  test('removing the point in time from a restored IndependentRds replaces it with an empty one (DBName and MasterUsername come back)', () => {
    const before = restored(RestoreSource.pointInTime({ sourceInstanceIdentifier: 'shop-db', restoreTime: AT_1401 }));
    const report = checkTemplates(before, rdsTemplate());
    const db = `Database/${logicalId(before, INSTANCE)}`;
    expect(kinds(report)).toEqual([`${db} replace`]);
    const f = theFinding(report, db, 'replace');
    expect(f.summary).toMatch(/DBName \(absent\) → "shop" \(create-only\)/);
    expect(f.consequence).toMatch(/CloudFormation creates a NEW, EMPTY DB instance/);
    expect(f.fix).toMatch(/^Revert SourceDBInstanceIdentifier to "shop-db"\. Keep the restore source in the props for the life of the database/);
  });

  test('changing the point in time of a restored cluster replaces it (create-only)', () => {
    const pit = (restoreTime: Date) => rdsTemplate({ engine: DatabaseEngine.AURORA_POSTGRES_16, restoreSource: RestoreSource.pointInTime({ sourceClusterIdentifier: 'shop-cluster', restoreTime }) });
    const before = pit(AT_1401);
    const f = theFinding(checkTemplates(before, pit(new Date('2025-06-01T13:00:00Z'))), `Database/${logicalId(before, CLUSTER)}`, 'replace');
    expect(f.summary).toMatch(/RestoreToTime "2025-06-01T14:01:00Z" → "2025-06-01T13:00:00Z" \(create-only\)/);
    expect(f.fix).toMatch(/^Revert RestoreToTime to "2025-06-01T14:01:00Z"\. Never restore in place/);
  });

  test('removing the snapshot from a restored cluster replaces it with an empty one', () => {
    const aurora = { engine: DatabaseEngine.AURORA_POSTGRES_16 };
    const before = rdsTemplate({ ...aurora, restoreSource: RestoreSource.fromClusterSnapshot('shop-cluster-snap') });
    const f = theFinding(checkTemplates(before, rdsTemplate(aurora)), `Database/${logicalId(before, CLUSTER)}`, 'replace');
    expect(f.consequence).toMatch(/a NEW, EMPTY DB cluster with new instances/);
    expect(f.fix).toMatch(/Keep the restore source in the props/);
  });
});

describe('hand-written templates', () => {
  test('a point-in-time-restored instance holds data: removing it from the template is an orphan finding, not a replica going away', () => {
    const pitr = instance({ SourceDBInstanceIdentifier: 'shop-db', UseLatestRestorableTime: true });
    const report = checkTemplates(tpl({ Db: pitr, T: { Type: 'AWS::SNS::Topic' } }), tpl({ T: { Type: 'AWS::SNS::Topic' } }));
    const f = theFinding(report, 'Database/Db', 'orphan');
    expect(f.consequence).toMatch(/CloudFormation removes the DB instance from the stack/);
  });

  test('a read replica (a source without a restore time) removed from the template still gives no finding', () => {
    const replica = { Type: INSTANCE, DeletionPolicy: 'Delete', Properties: { SourceDBInstanceIdentifier: 'shop-db' } };
    expect(checkTemplates(tpl({ R: replica, T: { Type: 'AWS::SNS::Topic' } }), tpl({ T: { Type: 'AWS::SNS::Topic' } })).findings).toEqual([]);
  });

  test('turning UseLatestRestorableTime on restores a new instance', () => {
    const on = instance({ SourceDBInstanceIdentifier: 'shop-db', UseLatestRestorableTime: true });
    const off = instance({ SourceDBInstanceIdentifier: 'shop-db', RestoreTime: '2025-06-01T14:01:00Z' });
    expect(theFinding(checkTemplates(tpl({ Db: off }), tpl({ Db: on })), 'Database/Db', 'replace').summary)
      .toMatch(/UseLatestRestorableTime \(absent\) → true \(a different restore source/);
  });

  test('replicated backups named as the source restore a new instance', () => {
    const report = checkTemplates(tpl({ Db: instance() }), tpl({ Db: instance({ SourceDBInstanceAutomatedBackupsArn: 'arn:aws:rds:eu-central-1:123456789012:auto-backup:ab-x', UseLatestRestorableTime: true }) }));
    expect(theFinding(report, 'Database/Db', 'replace').consequence).toMatch(/a NEW DB instance restored from instance "arn:aws:rds:eu-central-1:123456789012:auto-backup:ab-x" at its latest restorable time/);
  });

  test('removing only the restore time of a restored instance is blocked (read as a replica promotion), not a replacement', () => {
    const pitr = instance({ SourceDBInstanceIdentifier: 'shop-db', RestoreTime: '2025-06-01T14:01:00Z' });
    const report = checkTemplates(tpl({ Db: pitr }), tpl({ Db: instance() }));
    expect(kinds(report)).toEqual(['Database/Db blocked']);
    const f = theFinding(report, 'Database/Db', 'blocked');
    expect(f.summary).toBe('restore source removed from a restored instance: SourceDBInstanceIdentifier "shop-db" → (absent); RestoreTime "2025-06-01T14:01:00Z" → (absent)');
    expect(f.consequence).toMatch(/read replica promotion, which RDS refuses for an instance that is not a replica/);
    expect(f.fix).toMatch(/Keep the restore source exactly as deployed/);
  });

  test('a replica moved to another source is still a new replica, with the general advice (it is no restore)', () => {
    const replica = (source: string) => ({ Type: INSTANCE, Properties: { SourceDBInstanceIdentifier: source } });
    const f = theFinding(checkTemplates(tpl({ R: replica('a') }), tpl({ R: replica('b') })), 'Database/R', 'replace');
    expect(f.summary).toBe('SourceDBInstanceIdentifier "a" → "b" (a replica of another source is a new replica)');
    expect(f.consequence).toMatch(/a new read replica, copied again from its source/);
    expect(f.fix).not.toMatch(/restore/);
  });
});
