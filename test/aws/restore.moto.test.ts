import {
  CreateDBSnapshotCommand,
  DescribeDBInstancesCommand,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import { App, CfnOutput } from 'aws-cdk-lib';
import { DatabaseEngine, RestoreSource } from '../../src/aws';
import { synthTemplate, useMoto } from '../harness';
import { databaseStack, networkStack, withoutParameterGroupRef } from './fixtures';

/**
 * Restores against moto's RDS: a database deployed by CloudFormation, a snapshot of it, and the
 * restores an IndependentRds with a `restoreSource` asks for, made with the values its template
 * holds (snapshot identifier, source instance, latest restorable time, instance class, engine).
 * Checked: the restored database is a NEW instance next to the source (which is untouched), with
 * the source's engine and version (the `sourceEngine` the template names), database name and
 * master user (the `databaseName`/`username` the restoring construct must declare).
 *
 * What moto cannot do, so the template tests (independent-rds.restore.test.ts, cfn-lint) cover it:
 * - moto's CloudFormation ignores `DBSnapshotIdentifier` on AWS::RDS::DBInstance (it creates an
 *   empty instance) and takes `SourceDBInstanceIdentifier` for a read replica even with
 *   `RestoreTime`/`UseLatestRestorableTime`; so the restores are made through the RDS API here,
 *   not by deploying the restoring stack.
 * - moto keeps no data and no real point in time: a point-in-time restore copies the source's
 *   settings as they are now; a restore time is not checked against the retention window.
 * - KMS keys made by CloudFormation break moto's DescribeKey, so the snapshot's encryption key
 *   and `SnapshotCredentials` (the new secret's password set on the restored instance) are
 *   asserted on the template only.
 * - Replicated automated backups (`SourceDBInstanceAutomatedBackupsArn`), cross-region replicas
 *   and AWS Backup plans are not emulated for restores.
 */
describe('IndependentRds restore sources (moto)', () => {
  const moto = useMoto();

  const instanceProps = (template: any): any =>
    Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::RDS::DBInstance').Properties;

  test('snapshot and latest-restorable-time restores make new instances with the source\'s engine, database and user', async () => {
    if (!moto.available) return;
    // GIVEN the shop database deployed by CloudFormation, and a snapshot of it
    const app = new App();
    const network = networkStack(app, 'RestoreNetwork');
    const engine = DatabaseEngine.POSTGRES_16;
    const source = databaseStack(app, network.vpc, { engine, databaseName: 'shop', username: 'shop' }, 'RestoreSourceDatabase');
    new CfnOutput(source.stack, 'InstanceIdentifier', { value: source.db.instance!.instanceIdentifier });
    await moto.deployStack('RestoreNetwork', synthTemplate(network.stack));
    const deployed = await moto.deployStack('RestoreSourceDatabase', withoutParameterGroupRef(synthTemplate(source.stack)));
    const sourceId = deployed.outputs.InstanceIdentifier;
    expect(sourceId).toBeTruthy();

    const rds = new RDSClient(moto.clientConfig);
    try {
      await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: sourceId, DBSnapshotIdentifier: 'shop-before-migration' }));

      // WHEN IndependentRds restores from that snapshot, and to the latest restorable time
      // (a second app: the first one is synthesized already)
      const restoreApp = new App();
      const restoreVpc = networkStack(restoreApp, 'RestoreNetwork').vpc;
      const fromSnapshot = databaseStack(restoreApp, restoreVpc, {
        engine,
        databaseName: 'shop',
        username: 'shop',
        restoreSource: RestoreSource.fromSnapshot('shop-before-migration', { sourceEngine: engine }),
      }, 'RestoredFromSnapshot');
      const pointInTime = databaseStack(restoreApp, restoreVpc, {
        engine,
        databaseName: 'shop',
        username: 'shop',
        restoreSource: RestoreSource.pointInTime({ sourceInstanceIdentifier: sourceId, sourceEngine: engine }),
      }, 'RestoredToLatest');
      const snap = instanceProps(synthTemplate(fromSnapshot.stack));
      const pitr = instanceProps(synthTemplate(pointInTime.stack));
      expect(snap.DBSnapshotIdentifier).toBe('shop-before-migration');
      expect(pitr).toMatchObject({ SourceDBInstanceIdentifier: sourceId, UseLatestRestorableTime: true });

      const restoredFromSnapshot = (await rds.send(new RestoreDBInstanceFromDBSnapshotCommand({
        DBInstanceIdentifier: 'shop-restored-snapshot',
        DBSnapshotIdentifier: snap.DBSnapshotIdentifier,
        DBInstanceClass: snap.DBInstanceClass,
        MultiAZ: snap.MultiAZ,
        PubliclyAccessible: snap.PubliclyAccessible,
        StorageType: snap.StorageType,
      }))).DBInstance!;
      const restoredToLatest = (await rds.send(new RestoreDBInstanceToPointInTimeCommand({
        SourceDBInstanceIdentifier: pitr.SourceDBInstanceIdentifier,
        TargetDBInstanceIdentifier: 'shop-restored-latest',
        UseLatestRestorableTime: pitr.UseLatestRestorableTime,
        DBInstanceClass: pitr.DBInstanceClass,
        MultiAZ: pitr.MultiAZ,
        PubliclyAccessible: pitr.PubliclyAccessible,
      }))).DBInstance!;

      // THEN both are new instances with what the restoring constructs declared
      for (const [restored, props, db] of [[restoredFromSnapshot, snap, fromSnapshot.db], [restoredToLatest, pitr, pointInTime.db]] as const) {
        expect(restored.DBInstanceIdentifier).not.toBe(sourceId);
        expect(restored.Engine).toBe(props.Engine);
        expect(restored.EngineVersion).toBe(props.EngineVersion);
        expect(restored.DBName).toBe(db.connectionDetails.databaseName);
        expect(restored.MasterUsername).toBe('shop');
        expect(restored.DBInstanceClass).toBe(props.DBInstanceClass);
        expect(restored.PubliclyAccessible).toBe(false);
      }

      // AND the source is untouched: a restore is never made in place
      const after = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: sourceId }))).DBInstances?.[0];
      expect(after?.DBInstanceStatus).toBe('available');
      const all = (await rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? [];
      expect(all.map((i) => i.DBInstanceIdentifier).sort()).toEqual([sourceId, 'shop-restored-latest', 'shop-restored-snapshot'].sort());
    } finally {
      rds.destroy();
    }
  }, 300_000);

  test('a restore from a snapshot that does not exist fails (moto answers like RDS)', async () => {
    if (!moto.available) return;
    const rds = new RDSClient(moto.clientConfig);
    try {
      await expect(rds.send(new RestoreDBInstanceFromDBSnapshotCommand({
        DBInstanceIdentifier: 'nowhere', DBSnapshotIdentifier: 'no-such-snapshot', DBInstanceClass: 'db.m6g.large',
      }))).rejects.toThrow(/not found|DBSnapshotNotFound/i);
    } finally {
      rds.destroy();
    }
  }, 60_000);
});
