import {
  CfnResource, CustomResource, Duration, Lazy, Stack,
  aws_ec2 as ec2, aws_iam as iam, aws_lambda as lambda, aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { DatabaseUserProvisionerFunction } from '../database-user-provisioner-function';
import { IRdsDatabase } from '../rds-database';
import { acknowledgeGuard, acknowledgeNag } from './acknowledgments';
import { libraryFunction } from './library-function';
import { grantSecretRead } from './secret-grant';

/** The names one app user is provisioned with. */
export interface UserNames {
  readonly username: string;
  readonly cloneName: string;
  readonly databaseName: string;
  readonly schemaName: string;
}

/** What the provisioning custom resource needs. */
export interface ProvisionerContext {
  readonly database: IRdsDatabase;
  readonly names: UserNames;
  /** The user's secret (attached to the database). */
  readonly secret: secretsmanager.ISecret;
  readonly vpcSubnets: ec2.SubnetSelection;
  /** Resources that must exist before the first connection (an Aurora cluster's instances). */
  readonly waitFor: IConstruct[];
  /** The provisioning function's runtime. @default - the library's default runtime */
  readonly runtime?: lambda.Runtime;
}

/** The database every RDS PostgreSQL instance and Aurora cluster has, where the master logs in first. */
const MAINTENANCE_DATABASE = 'postgres';

/**
 * The provisioning Lambda (in the database's VPC, with its own security group admitted on the
 * database port), its least-privilege role and log group, and the custom resource it serves
 * (id 'Provisioning', type `Custom::DatabaseUser`).
 */
export function buildProvisioner(scope: Construct, ctx: ProvisionerContext): CustomResource {
  const db = ctx.database;
  const securityGroup = new ec2.SecurityGroup(scope, 'ProvisionerSecurityGroup', {
    vpc: db.vpc,
    description: `Provisioning Lambda of ${scope.node.path}: database port and the Secrets Manager API only`,
    allowAllOutbound: false,
  });
  securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Secrets Manager API (HTTPS)');
  // Ingress on the database's groups and egress from this one, on the database port.
  db.connections.allowDefaultPortFrom(securityGroup, `Provisioning Lambda of ${scope.node.path}`);

  const role = new iam.Role(scope, 'ProvisionerRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Provisions the database user of ${scope.node.path}`,
    inlinePolicies: {
      Provisioning: new iam.PolicyDocument({
        statements: [
          // What a Lambda function in a VPC needs for its network interfaces; EC2 offers no
          // resource-level permissions for the Describe calls.
          new iam.PolicyStatement({
            actions: [
              'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
              'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
            ],
            resources: ['*'],
          }),
        ],
      }),
    },
  });
  // The master secret to log in, the user's secret for its password: nothing else.
  grantSecretRead(db.secret, role);
  grantSecretRead(ctx.secret, role);

  const fn = libraryFunction(scope, 'Provisioner', { runtime: ctx.runtime }, ({ runtime, logGroup }) => new DatabaseUserProvisionerFunction(scope, 'Provisioner', {
    runtime,
    role,
    logGroup,
    vpc: db.vpc,
    vpcSubnets: ctx.vpcSubnets,
    securityGroups: [securityGroup],
    timeout: Duration.minutes(2),
    memorySize: 256,
    // Node.js 20 and later load no CA bundle of their own; this one holds the RDS CAs.
    environment: { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' },
    description: `Provisions the database user of ${scope.node.path} (role, database, schema, rotation login)`,
  }));
  // Its log group is made by libraryFunction; the function writes there and nowhere else.
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [fn.logGroup.logGroupArn] }));
  acknowledgeNag(role, 'AwsSolutions-IAM5[Resource::*]',
    'The provisioning Lambda of the app user runs in the VPC: Lambda manages its network interfaces (ec2:CreateNetworkInterface, DescribeNetworkInterfaces, DescribeSubnets, DeleteNetworkInterface, Assign/UnassignPrivateIpAddresses), which EC2 does not scope to resources; the same grant as the AWS-managed AWSLambdaVPCAccessExecutionRole.');
  acknowledgeGuard(fn, 'lambda_inside_vpc_check',
    "The function runs in the database's VPC (VpcConfig with the database's subnets and its own security group); the rule does not read subnet ids given as cross-stack references (Fn::ImportValue).");
  keepDependsOnPoliciesOnly(fn, role);

  const resource = new CustomResource(scope, 'Provisioning', {
    serviceToken: fn.functionArn,
    resourceType: 'Custom::DatabaseUser',
    properties: {
      Host: db.connectionDetails.host,
      Port: String(db.connectionDetails.port),
      MasterSecretArn: db.secret.secretArn,
      UserSecretArn: ctx.secret.secretArn,
      DatabaseName: ctx.names.databaseName,
      Username: ctx.names.username,
      CloneName: ctx.names.cloneName,
      SchemaName: ctx.names.schemaName,
      MaintenanceDatabase: MAINTENANCE_DATABASE,
    },
  });
  // Connect only once the writer is up and the network rules let the Lambda reach it.
  const sameStack = (c: IConstruct) => Stack.of(c) === Stack.of(scope);
  resource.node.addDependency(...ctx.waitFor.filter(sameStack), securityGroup, ...db.connections.securityGroups.filter(sameStack));
  return resource;
}

/**
 * The function references its role (GetAtt) and aws-lambda also makes it depend on it (cfn-lint
 * W3005): keep the DependsOn on the role's policies (the secret grants) only.
 */
function keepDependsOnPoliciesOnly(fn: lambda.Function, role: iam.Role): void {
  const fnResource = fn.node.defaultChild as CfnResource;
  const roleResource = role.node.defaultChild as CfnResource;
  fnResource.addOverride('DependsOn', Lazy.list({
    produce: () => fnResource.obtainDependencies()
      .filter((r) => r !== roleResource && Stack.of(r) === Stack.of(fnResource))
      .map((r) => Stack.of(r).resolve((r as CfnResource).logicalId) as string)
      .sort(),
  }, { omitEmpty: true }));
}
