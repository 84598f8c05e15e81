import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { App, CfnOutput, Stack, aws_ec2 as ec2, aws_elasticbeanstalk as elasticbeanstalk, aws_iam as iam, aws_rds as rds } from 'aws-cdk-lib';
import { BeanstalkDatabaseBinding, IBindableDatabase } from '../../src/aws';
import { synthTemplate, useMoto } from '../harness';
import { databaseStack, networkStack, plainStack, withoutParameterGroupRef } from './fixtures';

/**
 * The inbound rules of one security group, read from moto's EC2 Query API (the project has no EC2
 * SDK client): the `<ipPermissions>` XML, without the egress rules.
 */
async function ingressXml(endpoint: string, region: string, groupId: string): Promise<string> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'Authorization': `AWS4-HMAC-SHA256 Credential=testing/20260101/${region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ 'Action': 'DescribeSecurityGroups', 'Version': '2016-11-15', 'GroupId.1': groupId }).toString(),
  });
  const xml = await res.text();
  if (!res.ok) throw new Error(`DescribeSecurityGroups ${groupId} failed: ${res.status} ${xml}`);
  const match = /<ipPermissions>([\s\S]*?)<\/ipPermissions>/.exec(xml);
  return match ? match[1] : '';
}

const SKIPPED_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:skipped-by-moto-AbCdEf';

/**
 * moto's CloudFormation skips Secrets Manager resources, so the database stack's exports of the
 * secret (attachment) ARN do not exist there. This copy of the app template imports a fixed
 * placeholder ARN instead; every other import is left as it is.
 */
function withSecretImportsReplaced(template: any): any {
  const walk = (node: any): any => {
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object') {
      const imported = node['Fn::ImportValue'];
      if (typeof imported === 'string' && /Secret/.test(imported) && Object.keys(node).length === 1) return SKIPPED_SECRET_ARN;
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    }
    return node;
  };
  return walk(template);
}

/** moto's default account id. */
const MOTO_ACCOUNT = '123456789012';
const EMPTY_ZIP = Buffer.from('504b0506000000000000000000000000000000000000', 'hex');

/**
 * Environment-agnostic stacks name their asset bucket with `Fn::Sub` (account and region); put a
 * placeholder archive at each Lambda function's code location in moto's S3 (moto never runs it).
 */
async function stageSubstitutedAssets(endpoint: string, region: string, template: any): Promise<void> {
  for (const res of Object.values<any>(template.Resources ?? {})) {
    const code = res.Type === 'AWS::Lambda::Function' ? res.Properties?.Code : undefined;
    const sub = code?.S3Bucket?.['Fn::Sub'];
    if (typeof sub !== 'string' || typeof code.S3Key !== 'string') continue;
    const bucket = sub.replace('${AWS::AccountId}', MOTO_ACCOUNT).replace('${AWS::Region}', region);
    await fetch(`${endpoint}/${bucket}`, { method: 'PUT' });
    await fetch(`${endpoint}/${bucket}/${code.S3Key}`, { method: 'PUT', body: EMPTY_ZIP });
  }
}

/** The app stack of the three-stack layout: an Elastic Beanstalk application and environment bound to the database. */
function appStack(app: App, id: string, vpc: ec2.IVpc, database: IBindableDatabase): Stack {
  const stack = plainStack(app, id);
  const ebApp = new elasticbeanstalk.CfnApplication(stack, 'Application', { applicationName: `${id}-app` });
  const instanceRole = new iam.Role(stack, 'InstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const profile = new iam.CfnInstanceProfile(stack, 'InstanceProfile', { roles: [instanceRole.roleName] });
  const environment = new elasticbeanstalk.CfnEnvironment(stack, 'Environment', {
    applicationName: ebApp.applicationName!,
    solutionStackName: '64bit Amazon Linux 2023 v6.6.0 running Node.js 22',
    optionSettings: [
      { namespace: 'aws:ec2:vpc', optionName: 'VPCId', value: vpc.vpcId },
      { namespace: 'aws:autoscaling:launchconfiguration', optionName: 'IamInstanceProfile', value: profile.ref },
    ],
  });
  environment.addResourceDependency(ebApp);
  const binding = new BeanstalkDatabaseBinding(stack, 'Binding', { database, environment, instanceRole, vpc });
  new CfnOutput(stack, 'AppSecurityGroupId', { value: binding.securityGroup.securityGroupId });
  return stack;
}

/**
 * Lifecycle of the three-stack layout (network, database, app) against moto's CloudFormation
 * emulator: deleting the app stack must leave the database alone.
 *
 * What moto cannot check here (so the unit tests and the example's cfn-lint/cdk-nag checks cover it):
 * - moto 5.2's CloudFormation has no model for AWS::ElasticBeanstalk::Application/Environment: the
 *   environment, its option settings (DB_* variables, the environment secret, SecurityGroups) and
 *   RestartAppServer are not emulated. They are asserted on the template.
 * - The Lambda function is deployed with a placeholder archive and never runs; its handler is
 *   unit-tested with an injected client. EventBridge does not deliver CloudTrail events in moto.
 * - Secrets Manager secrets are skipped by moto's CloudFormation, so the database stack's export of
 *   the secret ARN does not exist; the deployed app template imports a placeholder ARN instead
 *   (`withSecretImportsReplaced`). IAM policies are not enforced by moto, so least privilege is
 *   asserted on the template only.
 * - moto does not revoke an AWS::EC2::SecurityGroupIngress when its stack is deleted, so the removal
 *   of the app's rule is not observable; the test checks instead that the rule belongs to the app
 *   stack (CloudFormation removes it with that stack on AWS), not to the database stack.
 * - The database stack's limits (KMS, Snapshot, parameter group) are those listed in
 *   independent-rds.moto.test.ts; the network stack is never deleted (moto cannot delete a CDK VPC).
 */
describe('Beanstalk app lifecycle (moto)', () => {
  const moto = useMoto();

  test('deleting the app stack leaves the database; deleting the production database stack retains the instance', async () => {
    if (!moto.available) return;
    // GIVEN network, database (production preset) and app stacks
    const app = new App();
    const network = networkStack(app, 'EbNetwork');
    const { stack: dataStack, db } = databaseStack(app, network.vpc, {}, 'EbDatabase');
    new CfnOutput(dataStack, 'InstanceIdentifier', { value: db.instance!.instanceIdentifier });
    new CfnOutput(dataStack, 'DbSecurityGroupId', { value: db.securityGroup.securityGroupId });
    const web = appStack(app, 'EbApp', network.vpc, db);

    await moto.deployStack('EbNetwork', synthTemplate(network.stack));
    const data = await moto.deployStack('EbDatabase', withoutParameterGroupRef(synthTemplate(dataStack)));
    await stageSubstitutedAssets(moto.endpoint, moto.region, synthTemplate(web));
    const deployedApp = await moto.deployStack('EbApp', withSecretImportsReplaced(synthTemplate(web)));
    expect(deployedApp.status).toBe('CREATE_COMPLETE');
    const identifier = data.outputs.InstanceIdentifier;
    const dbSg = data.outputs.DbSecurityGroupId;
    const appSg = deployedApp.outputs.AppSecurityGroupId;

    const rdsApi = new RDSClient(moto.clientConfig);
    const cfn = new CloudFormationClient(moto.clientConfig);
    try {
      // The database port is open from the app security group (not a CIDR) while the app exists.
      const ingressBefore = await ingressXml(moto.endpoint, moto.region, dbSg);
      expect(ingressBefore).toContain(`<groupId>${appSg}</groupId>`);
      expect(ingressBefore).toMatch(/<fromPort>5432<\/fromPort>/);
      expect(ingressBefore).not.toMatch(/<cidrIp>/);
      const appResources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: 'EbApp' }))).StackResources ?? [];
      // The ingress rule belongs to the app stack (so on AWS it goes away with the app stack) ...
      expect(appResources.filter((r) => r.ResourceType === 'AWS::EC2::SecurityGroupIngress')).toHaveLength(1);
      // ... and not to the database stack, which must never depend on the app.
      const dataResources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: 'EbDatabase' }))).StackResources ?? [];
      expect(dataResources.filter((r) => r.ResourceType === 'AWS::EC2::SecurityGroupIngress').map((r) => r.LogicalResourceId)).not.toContainEqual(
        expect.stringMatching(/^Binding/),
      );

      // WHEN the app stack is deleted (the environment is terminated)
      await moto.deleteStack('EbApp');

      // THEN the DB instance is still there, untouched
      const after = await rdsApi.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
      expect(after.DBInstances?.[0]?.DBInstanceIdentifier).toBe(identifier);
      expect(after.DBInstances?.[0]?.DBInstanceStatus).toBe('available');

      // WHEN the database stack itself is deleted (production preset: RETAIN)
      await moto.deleteStack('EbDatabase');

      // THEN the DB instance is retained
      const retained = await rdsApi.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
      expect(retained.DBInstances?.[0]?.DBInstanceIdentifier).toBe(identifier);
    } finally {
      rdsApi.destroy();
      cfn.destroy();
    }
  }, 300_000);

  test('control: a database created inside the app stack (the coupled layout) is gone after the app stack is deleted', async () => {
    if (!moto.available) return;
    // GIVEN the "RDS inside Beanstalk" layout, reduced to what moto can emulate: the DB
    // instance lives in the app's own stack, with the default Delete policy
    const app = new App();
    const stack = plainStack(app, 'EbCoupledApp');
    new rds.CfnDBInstance(stack, 'AWSEBRDSDatabase', {
      dbInstanceIdentifier: 'eb-coupled-db',
      engine: 'postgres',
      engineVersion: '16.4',
      dbInstanceClass: 'db.t4g.micro',
      allocatedStorage: '20',
      masterUsername: 'app',
      manageMasterUserPassword: true,
      storageEncrypted: true,
    });
    await moto.deployStack('EbCoupledApp', synthTemplate(stack));

    // WHEN the app stack is deleted
    await moto.deleteStack('EbCoupledApp');

    // THEN the database went with it: the assertion of the test above can fail
    const rdsClient = new RDSClient(moto.clientConfig);
    try {
      await expect(rdsClient.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'eb-coupled-db' }))).rejects.toThrow(/not found|DBInstanceNotFound/i);
    } finally {
      rdsClient.destroy();
    }
  }, 120_000);
});
