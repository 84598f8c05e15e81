import { App, DefaultStackSynthesizer, Stack, aws_ec2 as ec2, aws_elasticbeanstalk as elasticbeanstalk, aws_iam as iam } from 'aws-cdk-lib';

/**
 * The parts of the AWS benchmark app that are the same for the library and the baseline: one
 * network stack with the VPC, and per database one service stack holding an Elastic Beanstalk
 * environment and its instance role. Only the database and its binding differ.
 */

/** What the database-and-binding code (library or baseline) gets for service `i`. */
export interface ServiceScope {
  readonly stack: Stack;
  readonly vpc: ec2.IVpc;
  readonly environment: elasticbeanstalk.CfnEnvironment;
  readonly instanceRole: iam.Role;
  readonly index: number;
}

/** Builds an app with `n` service stacks and calls `addDatabase` for each. */
export function buildAwsApp(outdir: string, n: number, addDatabase: (s: ServiceScope) => void): App {
  const app = new App({ outdir });
  const synthesizer = () => new DefaultStackSynthesizer({ generateBootstrapVersionRule: false });
  const network = new Stack(app, 'Network', { synthesizer: synthesizer() });
  const vpc = new ec2.Vpc(network, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    ],
  });
  for (let i = 0; i < n; i++) {
    const stack = new Stack(app, `Service${i}`, { synthesizer: synthesizer() });
    const instanceRole = new iam.Role(stack, 'InstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const profile = new iam.CfnInstanceProfile(stack, 'InstanceProfile', { roles: [instanceRole.roleName] });
    const environment = new elasticbeanstalk.CfnEnvironment(stack, 'Environment', {
      applicationName: `service-${i}`,
      solutionStackName: '64bit Amazon Linux 2023 v6.6.0 running Node.js 22',
      optionSettings: [
        { namespace: 'aws:ec2:vpc', optionName: 'VPCId', value: vpc.vpcId },
        { namespace: 'aws:ec2:vpc', optionName: 'Subnets', value: vpc.privateSubnets.map((s) => s.subnetId).join(',') },
        { namespace: 'aws:autoscaling:launchconfiguration', optionName: 'IamInstanceProfile', value: profile.ref },
      ],
    });
    addDatabase({ stack, vpc, environment, instanceRole, index: i });
  }
  return app;
}
