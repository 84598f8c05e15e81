import * as cdk from 'aws-cdk-lib';
import { Validations, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { AwsSolutionsChecks } from 'cdk-nag';
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
      // Only NAT gateways and load balancers live here; nothing gets a public IP by itself.
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const flowLog = vpc.addFlowLog('FlowLog');
  // VPC flow logs hold connection metadata only (addresses, ports, byte counts), which CloudWatch
  // Logs encrypts at rest with its own key; a customer managed key would add a key policy to keep.
  Validations.of(flowLog).acknowledge({
    id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
    reason: 'VPC flow logs hold connection metadata only; CloudWatch Logs encrypts them at rest with its own key.',
  });

  // Termination protection: deleting this stack must be a deliberate, two-step act.
  const data = new cdk.Stack(app, 'Database', { terminationProtection: true });
  const db = new IndependentRds(data, 'Database', { vpc, databaseName: 'shop', username: 'shop' });
  const scaling = new ReplicaAutoscaling(data, 'ReadScaling', { database: db, readerZoneName: 'shop.db.internal' });
  new cdk.CfnOutput(data, 'ReaderHost', { value: scaling.readerHost, description: 'DB_READ_HOST: one weighted record per available replica' });

  // Every stack is checked at synth time by cdk-nag's AwsSolutions pack and by AWS Control Tower's
  // proactive controls (cfn-guard); a finding fails the synthesis. The library acknowledges, with
  // its reasons, the rules it disagrees with on its own resources: only this app's resources need
  // acknowledgments here.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CfnGuardValidator());

  return { aws: app };
}

if (require.main === module) {
  const apps = build(process.env.CDK_OUTDIR ?? 'cdk.out');
  apps.aws?.synth();
}
