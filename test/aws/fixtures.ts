import { App, DefaultStackSynthesizer, Stack, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { IndependentRds, IndependentRdsProps } from '../../src/aws';

/**
 * Shared builders for the three-stack layout (network, database, app) used by the AWS tests.
 * Stacks use a synthesizer without the bootstrap version rule, so moto can deploy them.
 */

/** A stack that moto and cfn-lint both accept. */
export function plainStack(app: App, id: string): Stack {
  return new Stack(app, id, { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) });
}

/** The network stack: a two-AZ VPC with public, private-with-egress and isolated subnets and a flow log. */
export function networkStack(app: App, id = 'Network'): { stack: Stack; vpc: ec2.Vpc } {
  const stack = plainStack(app, id);
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  vpc.addFlowLog('FlowLog');
  return { stack, vpc };
}

/** The database stack: one IndependentRds (id 'Database') in the given VPC. */
export function databaseStack(
  app: App,
  vpc: ec2.IVpc,
  props: Partial<IndependentRdsProps> = {},
  id = 'Database',
): { stack: Stack; db: IndependentRds } {
  const stack = plainStack(app, id);
  const db = new IndependentRds(stack, 'Database', { vpc, ...props });
  return { stack, db };
}

/**
 * The template moto 5.2 can deploy: DB instances without their DBParameterGroupName reference
 * (moto crashes on a Ref to a DBParameterGroup of the same stack). For moto tests only.
 */
export function withoutParameterGroupRef(template: any): any {
  const copy = JSON.parse(JSON.stringify(template));
  for (const resource of Object.values<any>(copy.Resources ?? {})) {
    if (resource.Type === 'AWS::RDS::DBInstance' && resource.Properties?.DBParameterGroupName?.Ref) {
      delete resource.Properties.DBParameterGroupName;
    }
  }
  return copy;
}
