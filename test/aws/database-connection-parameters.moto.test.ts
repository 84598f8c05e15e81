import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { App, CfnOutput, aws_elasticbeanstalk as elasticbeanstalk, aws_iam as iam } from 'aws-cdk-lib';
import { BeanstalkDatabaseBinding, DatabaseConnectionParameters } from '../../src/aws';
import { synthTemplate, useMoto } from '../harness';
import { databaseStack, networkStack, plainStack, withoutParameterGroupRef } from './fixtures';

/**
 * The loosely coupled layout deployed on moto's CloudFormation: the database stack writes its
 * connection to Parameter Store, the app stack reads it at deployment, and neither exports nor
 * imports anything from the other.
 *
 * What moto can say: the parameters are created with the deployed values (the security group id
 * of the database), the app stack's `AWS::SSM::Parameter::Value<String>` parameters resolve against
 * them (the app's ingress rule lands on the database's real security group), and an app stack
 * deployed after a parameter changed reads the new value.
 * What it cannot: Elastic Beanstalk is not modelled (the DB_* option settings are asserted on the
 * template), Secrets Manager resources are skipped (the secret-arn parameter holds whatever moto
 * makes of a Ref to a skipped resource), and a real replacement of the DB instance is not emulated
 * (the new endpoint is written to the parameter by hand, as the database stack's update would).
 * Weak references (`Fn::GetStackOutput`) are not used here; moto could not resolve them.
 */
const SKIPPED_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:skipped-by-moto-AbCdEf';

/**
 * moto's CloudFormation skips Secrets Manager resources, and a parameter whose value is a Ref to
 * one would be empty (which SSM refuses): this copy writes a placeholder ARN into such parameters.
 */
function withSkippedSecretValues(template: any): any {
  const copy = JSON.parse(JSON.stringify(template));
  const secrets = new Set(Object.entries<any>(copy.Resources).filter(([, r]) => r.Type.startsWith('AWS::SecretsManager::')).map(([id]) => id));
  for (const r of Object.values<any>(copy.Resources)) {
    if (r.Type === 'AWS::SSM::Parameter' && secrets.has(r.Properties.Value?.Ref)) r.Properties.Value = SKIPPED_SECRET_ARN;
  }
  return copy;
}

describe('DatabaseConnectionParameters (moto)', () => {
  const moto = useMoto();

  test('the app stack deploys from the parameters alone, and reads a new endpoint at its next deployment', async () => {
    if (!moto.available) return;
    // GIVEN network and database stacks, the database publishing its connection
    const app = new App();
    const network = networkStack(app, 'PubNetwork');
    const { stack: data, db } = databaseStack(app, network.vpc, {}, 'PubDatabase');
    new DatabaseConnectionParameters(data, 'Connection', { database: db, parameterPrefix: '/pub/database' });
    new CfnOutput(data, 'DbSecurityGroupId', { value: db.securityGroup.securityGroupId });
    const appStack = (id: string) => {
      const stack = plainStack(app, id);
      const instanceRole = new iam.Role(stack, 'InstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      const environment = new elasticbeanstalk.CfnEnvironment(stack, 'Environment', {
        applicationName: `${id}-app`,
        solutionStackName: '64bit Amazon Linux 2023 v6.6.0 running Node.js 22',
        optionSettings: [{ namespace: 'aws:ec2:vpc', optionName: 'VPCId', value: network.vpc.vpcId }],
      });
      const published = data.node.findChild('Connection') as DatabaseConnectionParameters;
      const binding = new BeanstalkDatabaseBinding(stack, 'Binding', {
        database: published.bindableIn(stack, 'Database'), environment, instanceRole, vpc: network.vpc, restartOnSecretRotation: false,
      });
      new CfnOutput(stack, 'AppSecurityGroupId', { value: binding.securityGroup.securityGroupId });
      new CfnOutput(stack, 'DbHost', { value: binding.environmentVariables.DB_HOST });
      return stack;
    };
    const first = appStack('PubApp');
    const secondStack = appStack('PubApp2');
    const firstTemplate = synthTemplate(first);
    const second = synthTemplate(secondStack);
    expect(JSON.stringify(firstTemplate)).not.toMatch(/Fn::ImportValue"?:"?PubDatabase/);

    await moto.deployStack('PubNetwork', synthTemplate(network.stack));
    const deployedData = await moto.deployStack('PubDatabase', withSkippedSecretValues(withoutParameterGroupRef(synthTemplate(data))));
    const ssm = new SSMClient(moto.clientConfig);
    const cfn = new CloudFormationClient(moto.clientConfig);
    try {
      // THEN the parameters hold the deployed values
      const sgParam = await ssm.send(new GetParameterCommand({ Name: '/pub/database/security-group-1' }));
      expect(sgParam.Parameter?.Value).toBe(deployedData.outputs.DbSecurityGroupId);
      const host = (await ssm.send(new GetParameterCommand({ Name: '/pub/database/host' }))).Parameter?.Value;
      expect(host).toMatch(/rds\.amazonaws\.com$/);

      // WHEN the app stack is deployed
      const deployedApp = await moto.deployStack('PubApp', firstTemplate);
      // THEN it resolved the parameters: the host, and an ingress rule on the database's real group
      expect(deployedApp.outputs.DbHost).toBe(host);
      const appResources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: 'PubApp' }))).StackResources ?? [];
      expect(appResources.filter((r) => r.ResourceType === 'AWS::EC2::SecurityGroupIngress')).toHaveLength(1);

      // WHEN the database gets a new endpoint (as a replacement or restore writes it to the parameter)
      await ssm.send(new PutParameterCommand({ Name: '/pub/database/host', Value: 'shop-restored.abcdefghijkl.us-east-1.rds.amazonaws.com', Overwrite: true, Type: 'String' }));
      // THEN an app stack deployed from the same code (the same template but for its names) reads the new endpoint
      const redeployed = await moto.deployStack('PubApp2', second);
      expect(redeployed.outputs.DbHost).toBe('shop-restored.abcdefghijkl.us-east-1.rds.amazonaws.com');
    } finally {
      ssm.destroy();
      cfn.destroy();
    }
  }, 300_000);
});
