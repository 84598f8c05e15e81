import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { useMoto } from '.';

describe('moto harness', () => {
  const moto = useMoto();

  test('deploys and deletes a stack through the CloudFormation API', async () => {
    if (!moto.available) return;
    // eslint-disable-next-line no-console
    console.log(`moto_server used by the tests: moto ${moto.version} at ${moto.endpoint}`);
    const template = {
      Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'harness-queue' } } },
      Outputs: { QueueName: { Value: { 'Fn::GetAtt': ['Queue', 'QueueName'] } } },
    };
    const res = await moto.deployStack('HarnessQueue', template);
    expect(res.status).toBe('CREATE_COMPLETE');
    expect(res.outputs.QueueName).toBe('harness-queue');
    await moto.deleteStack('HarnessQueue');
  });

  test('retains a DeletionPolicy Retain DB instance after its stack is deleted', async () => {
    if (!moto.available) return;
    const template = {
      Resources: {
        Db: {
          Type: 'AWS::RDS::DBInstance',
          DeletionPolicy: 'Retain',
          Properties: { DBInstanceIdentifier: 'harness-db', Engine: 'postgres', DBInstanceClass: 'db.t4g.micro', AllocatedStorage: '20', MasterUsername: 'fixture', ManageMasterUserPassword: true },
        },
      },
    };
    await moto.deployStack('HarnessDb', template);
    await moto.deleteStack('HarnessDb');
    const rdsClient = new RDSClient(moto.clientConfig);
    const found = await rdsClient.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'harness-db' }));
    expect(found.DBInstances?.[0]?.DBInstanceIdentifier).toBe('harness-db');
    rdsClient.destroy();
  });

  test('rejects a stack that fails to create', async () => {
    if (!moto.available) return;
    const template = {
      Resources: { Bad: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'harness-bad', VisibilityTimeout: 'not-a-number' } } },
    };
    await expect(moto.deployStack('HarnessBad', template)).rejects.toThrow(/HarnessBad|CREATE_FAILED|ROLLBACK/);
  });
});
