import { App, Stack, aws_ec2 as ec2, aws_elasticbeanstalk as elasticbeanstalk, aws_iam as iam, aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BeanstalkDatabaseBinding, IndependentRds } from '../../src/aws';
import { grantSecretRead } from '../../src/aws/private/secret-grant';

/**
 * The one secret-read grant (IndependentRds, RdsProxy, imported databases, the Beanstalk binding):
 * least privilege, written into the grantee's policy only, and right in every partition.
 */

/** The statements of the one policy attached to `role`. */
function statementsOf(stack: Stack, role: iam.Role): any[] {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }] },
  });
  expect(Object.keys(policies)).toHaveLength(1);
  return Object.values<any>(policies)[0].Properties.PolicyDocument.Statement;
}

function viaService(statements: any[]): unknown {
  return statements.find((st) => st.Action === 'kms:Decrypt')?.Condition.StringEquals['kms:ViaService'];
}

/** A database stack and an app stack in `region`, with the app's role. */
function inRegion(region: string) {
  const app = new App();
  const env = { account: '111111111111', region };
  const data = new Stack(app, 'Data', { env });
  const vpc = new ec2.Vpc(data, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const db = new IndependentRds(data, 'Database', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
  const appStack = new Stack(app, 'App', { env });
  const role = new iam.Role(appStack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  return { app, data, vpc, db, appStack, role };
}

describe('grantSecretRead', () => {
  test.each([
    ['cn-north-1', 'secretsmanager.cn-north-1.amazonaws.com.cn'],
    ['cn-northwest-1', 'secretsmanager.cn-northwest-1.amazonaws.com.cn'],
    ['us-gov-west-1', 'secretsmanager.us-gov-west-1.amazonaws.com'],
    ['eu-west-1', 'secretsmanager.eu-west-1.amazonaws.com'],
  ])('in %s, kms:ViaService reads %s', (region, expected) => {
    // GIVEN
    const { db, appStack, role } = inRegion(region);
    // WHEN
    db.grantSecretRead(role);
    // THEN
    expect(viaService(statementsOf(appStack, role))).toBe(expected);
  });

  test('the Beanstalk binding path in cn-north-1 reads the aws-cn domain suffix too', () => {
    // GIVEN a database and an Elastic Beanstalk environment in cn-north-1
    const { db, vpc, appStack, role } = inRegion('cn-north-1');
    const environment = new elasticbeanstalk.CfnEnvironment(appStack, 'Env', { applicationName: 'shop' });
    // WHEN
    new BeanstalkDatabaseBinding(appStack, 'Binding', { database: db, environment, instanceRole: role, vpc });
    // THEN
    const statements = statementsOf(appStack, role);
    expect(viaService(statements)).toBe('secretsmanager.cn-north-1.amazonaws.com.cn');
    expect(statements.map((st) => st.Action)).toEqual(['secretsmanager:GetSecretValue', 'kms:Decrypt']);
  });

  test('the Beanstalk binding path in us-gov-west-1 reads amazonaws.com', () => {
    const { db, vpc, appStack, role } = inRegion('us-gov-west-1');
    const environment = new elasticbeanstalk.CfnEnvironment(appStack, 'Env', { applicationName: 'shop' });
    new BeanstalkDatabaseBinding(appStack, 'Binding', { database: db, environment, instanceRole: role, vpc });
    expect(viaService(statementsOf(appStack, role))).toBe('secretsmanager.us-gov-west-1.amazonaws.com');
  });

  test('an environment-agnostic stack gets the region and URL suffix pseudo parameters', () => {
    const app = new App();
    const stack = new Stack(app, 'Agnostic');
    const secret = new secretsmanager.Secret(stack, 'Secret', { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    grantSecretRead(secret, role);
    expect(viaService(statementsOf(stack, role))).toEqual({ 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] });
  });

  test('a secret imported by complete ARN from aws-cn gets the suffix of its own region', () => {
    const app = new App();
    const stack = new Stack(app, 'Agnostic');
    const secret = secretsmanager.Secret.fromSecretAttributes(stack, 'Secret', {
      secretCompleteArn: 'arn:aws-cn:secretsmanager:cn-north-1:111111111111:secret:shop/db-AbCdEf',
      encryptionKey: kms.Key.fromKeyArn(stack, 'Key', 'arn:aws-cn:kms:cn-north-1:111111111111:key/11111111-2222-3333-4444-555555555555'),
    });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    grantSecretRead(secret, role);
    expect(viaService(statementsOf(stack, role))).toBe('secretsmanager.cn-north-1.amazonaws.com.cn');
  });

  test('grants GetSecretValue only (no DescribeSecret), on that one secret', () => {
    const { db, appStack, role } = inRegion('eu-west-1');
    db.grantSecretRead(role);
    const statements = statementsOf(appStack, role);
    expect(statements[0]).toEqual({ Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { 'Fn::ImportValue': expect.stringMatching(/DatabaseSecretAttachment/) } });
    expect(statements).toHaveLength(2);
  });

  test('a secret known only by a partial ARN gets the -?????? suffix wildcard', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'shop/db');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    grantSecretRead(secret, role);
    expect(statementsOf(stack, role)).toEqual([{
      Action: 'secretsmanager:GetSecretValue',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-west-1:111111111111:secret:shop/db-??????']] },
    }]);
  });

  test('writes into the grantee policy only: the key policy is untouched and the database stack does not depend on the app', () => {
    const { data, db, appStack, role } = inRegion('cn-north-1');
    db.grantSecretRead(role);
    const keyPolicy = JSON.stringify(Object.values<any>(Template.fromStack(data).findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy);
    expect(keyPolicy).not.toMatch(/Role/);
    expect(data.dependencies).not.toContain(appStack);
    expect(appStack.dependencies).toContain(data);
  });
});
