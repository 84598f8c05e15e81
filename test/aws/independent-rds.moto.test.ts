import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { App, CfnOutput } from 'aws-cdk-lib';
import { DatabasePreset } from '../../src/aws';
import { synthTemplate, useMoto } from '../harness';
import { databaseStack, networkStack, withoutParameterGroupRef } from './fixtures';

/**
 * Lifecycle of the network and database stacks against moto's CloudFormation emulator.
 *
 * What moto cannot check here (so other tests cover it):
 * - Secrets Manager secrets and their target attachment are skipped by moto's CloudFormation, so
 *   neither the generated password nor the host/port filled in by the attachment is checked;
 *   the secret's shape is asserted in the unit tests.
 * - KMS keys made by CloudFormation break moto's DescribeKey, so encryption is asserted only on
 *   the template (unit tests and cfn-lint), not on the emulated instance.
 * - moto honours `DeletionPolicy: Retain` only; `Snapshot` acts like `Delete`, so the development
 *   preset's final snapshot cannot be observed here.
 * - Deletion protection, parameter groups, Performance Insights, enhanced monitoring and
 *   rotation do not change moto's behaviour; they are asserted on the template.
 * - moto 5.2 crashes (HTTP 500) on a DB instance whose DBParameterGroupName is a Ref to a
 *   DBParameterGroup of the same stack (its Ref yields the object, not the name). The deployed
 *   copy therefore drops that one property (see `withoutParameterGroupRef`); the parameter group
 *   itself is still created, and its settings are asserted in the unit tests and by cfn-lint.
 * - The VPC lives in its own stack because moto cannot delete a CDK VPC (no RouteTable delete);
 *   the network stack is therefore never deleted.
 */
describe('IndependentRds lifecycle (moto)', () => {
  const moto = useMoto();

  test('a production database survives the deletion of its stack', async () => {
    if (!moto.available) return;
    // GIVEN a network stack and a database stack in the production preset
    const app = new App();
    const network = networkStack(app, 'RdsLifecycleNetwork');
    const { stack, db } = databaseStack(app, network.vpc, {}, 'RdsLifecycleDatabase');
    new CfnOutput(stack, 'InstanceIdentifier', { value: db.instance!.instanceIdentifier });
    await moto.deployStack('RdsLifecycleNetwork', synthTemplate(network.stack));
    const deployed = await moto.deployStack('RdsLifecycleDatabase', withoutParameterGroupRef(synthTemplate(stack)));
    const identifier = deployed.outputs.InstanceIdentifier;
    expect(identifier).toBeTruthy();
    expect(Object.values<any>(synthTemplate(stack).Resources).find((r) => r.Type === 'AWS::RDS::DBInstance').DeletionPolicy).toBe('Retain');

    const rds = new RDSClient(moto.clientConfig);
    try {
      const before = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
      expect(before.DBInstances?.[0]?.MultiAZ).toBe(true);
      expect(before.DBInstances?.[0]?.PubliclyAccessible).toBe(false);

      // WHEN the database stack is deleted
      await moto.deleteStack('RdsLifecycleDatabase');

      // THEN the DB instance is still there (DeletionPolicy: Retain)
      const after = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
      expect(after.DBInstances?.[0]?.DBInstanceIdentifier).toBe(identifier);
      expect(after.DBInstances?.[0]?.Engine).toBe('postgres');
    } finally {
      rds.destroy();
    }
  }, 300_000);

  test('control: a development database (Snapshot, which moto treats as Delete) is gone after its stack is deleted', async () => {
    if (!moto.available) return;
    // GIVEN the same layout in the development preset, so the assertion above can fail
    const app = new App();
    const network = networkStack(app, 'RdsDevNetwork');
    const { stack, db } = databaseStack(app, network.vpc, { preset: DatabasePreset.DEVELOPMENT }, 'RdsDevDatabase');
    new CfnOutput(stack, 'InstanceIdentifier', { value: db.instance!.instanceIdentifier });
    await moto.deployStack('RdsDevNetwork', synthTemplate(network.stack));
    const deployed = await moto.deployStack('RdsDevDatabase', withoutParameterGroupRef(synthTemplate(stack)));
    const identifier = deployed.outputs.InstanceIdentifier;

    // WHEN the database stack is deleted
    await moto.deleteStack('RdsDevDatabase');

    // THEN moto has deleted the instance (on AWS a final snapshot would be taken)
    const rds = new RDSClient(moto.clientConfig);
    try {
      await expect(rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }))).rejects.toThrow(/not found|DBInstanceNotFound/i);
    } finally {
      rds.destroy();
    }
  }, 300_000);
});
