import * as cdk from 'aws-cdk-lib';
import { aws_ec2 as ec2 } from 'aws-cdk-lib';
import { NagSuppressions } from 'cdk-nag';
import { IndependentRds, ReplicaAutoscaling } from '../src/aws';


/**
 * A PostgreSQL instance whose read replicas follow the load. Application Auto Scaling cannot
 * scale plain RDS instances, so ReplicaAutoscaling runs a controller Lambda every minute: it
 * creates or deletes one encrypted, private replica at a time (1–3 replicas, 70% CPU, cooldowns
 * 300 s / 60 s) and keeps `reader.shop.db.internal` in a private hosted zone pointing at the
 * available replicas. Pass that name (`scaling.readerHost`) to applications as DB_READ_HOST, e.g. as
 * the `readerHost` of a BeanstalkDatabaseBinding.
 *
 * - `Network`: the VPC;
 * - `Database`: the IndependentRds (production preset) and its ReplicaAutoscaling.
 */
// Environment-agnostic stacks: availability zones resolve at deploy time (Fn::GetAZs), never hard-coded.
export function build(outdir: string): { aws?: cdk.App } {
  const app = new cdk.App({ outdir });

  const network = new cdk.Stack(app, 'Network');
  const vpc = new ec2.Vpc(network, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  vpc.addFlowLog('FlowLog');

  // Termination protection: deleting this stack must be a deliberate, two-step act.
  const data = new cdk.Stack(app, 'Database', { terminationProtection: true });
  const db = new IndependentRds(data, 'Database', { vpc, databaseName: 'shop', username: 'shop' });
  const scaling = new ReplicaAutoscaling(data, 'ReadScaling', { database: db, readerZoneName: 'shop.db.internal' });
  new cdk.CfnOutput(data, 'ReaderHost', { value: scaling.readerHost, description: 'DB_READ_HOST: one weighted record per available replica' });

  NagSuppressions.addResourceSuppressions(db, [
    {
      id: 'AwsSolutions-RDS11',
      reason: 'The standard PostgreSQL port is kept on purpose: the security group admits only bound applications; a non-standard port adds no protection here and breaks tooling defaults.',
    },
    {
      id: 'AwsSolutions-IAM4',
      reason: 'Enhanced monitoring uses the AWS-maintained AmazonRDSEnhancedMonitoringRole policy, which only writes the RDSOSMetrics log group.',
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole'],
    },
  ], true);
  NagSuppressions.addResourceSuppressions(scaling, [
    {
      id: 'AwsSolutions-IAM5',
      reason: 'The controller names replicas at run time: db:* is limited by aws:RequestTag / aws:ResourceTag conditions on its own tag, DescribeDBInstances needs db:* to list replicas, '
        + 'and CloudWatch GetMetricStatistics has no resource-level permissions.',
    },
  ], true);

  return { aws: app };
}

if (require.main === module) {
  const apps = build(process.env.CDK_OUTDIR ?? 'cdk.out');
  apps.aws?.synth();
}
