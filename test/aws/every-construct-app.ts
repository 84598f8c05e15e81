import {
  App, AppProps, DefaultStackSynthesizer, Duration, Stack,
  aws_ec2 as ec2, aws_elasticbeanstalk as elasticbeanstalk, aws_iam as iam, aws_logs as logs, aws_rds as rds,
} from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { networkStack, plainStack } from './fixtures';
import {
  BeanstalkDatabaseBinding, CrossRegionReplica, DatabaseBackupPlan, DatabaseConnectionParameters, DatabaseEngine, IndependentRds, RdsProxy,
  ReplicaAutoscaling,
} from '../../src/aws';

/** What {@link everyConstructApp} built. */
export interface EveryConstructApp {
  readonly app: App;
  readonly network: Stack;
  readonly database: Stack;
  readonly application: Stack;
  readonly disasterRecovery: Stack;
  /** Every construct of this library in the app: everything under them is library-created. */
  readonly libraryConstructs: IConstruct[];
}

/**
 * An app that uses every AWS construct of the library with its defaults and carries NO
 * acknowledgment or suppression of its own, the way a consumer starts:
 *
 * - `Network`: the app's VPC;
 * - `Database`: a PostgreSQL IndependentRds with ReplicaAutoscaling (the controller Lambda), and an
 *   Aurora PostgreSQL IndependentRds with an RdsProxy and ReplicaAutoscaling (Application Auto Scaling);
 *   and a named PostgreSQL IndependentRds (`instanceIdentifier`, so the library makes its log groups,
 *   with `cloudwatchLogsRetention`) on gp2 storage (its burst balance alarm);
 * - `App`: an Elastic Beanstalk environment (the app's own) bound to the proxy by a
 *   BeanstalkDatabaseBinding (security group, secret grant, the restart Lambda) to the app user
 *   `shop` of the Aurora database, through the proxy; the PostgreSQL instance has an app user too.
 */
export function everyConstructApp(props: AppProps = {}): EveryConstructApp {
  const app = new App(props);
  const network = networkStack(app);
  const vpc = network.vpc;

  const database = plainStack(app, 'Database');
  const postgres = new IndependentRds(database, 'Postgres', { vpc });
  const postgresScaling = new ReplicaAutoscaling(database, 'PostgresReadScaling', { database: postgres });
  const aurora = new IndependentRds(database, 'Aurora', { vpc, engine: DatabaseEngine.AURORA_POSTGRES_16 });
  const proxy = new RdsProxy(database, 'Proxy', { database: aurora });
  const auroraScaling = new ReplicaAutoscaling(database, 'AuroraReadScaling', { database: aurora });
  // App users: provisioned by the library's custom resource, rotated with alternating users.
  const shop = aurora.addUser('shop');
  const reports = postgres.addUser('reports');
  const reportsConnection = new DatabaseConnectionParameters(database, 'ReportsConnection', { database: reports, parameterPrefix: '/shop/reports/database' });
  const named = new IndependentRds(database, 'Named', {
    vpc, instanceIdentifier: 'shop-named', cloudwatchLogsRetention: logs.RetentionDays.ONE_YEAR, storageType: rds.StorageType.GP2,
  });
  const postgresBackups = new DatabaseBackupPlan(database, 'PostgresBackupPlan', { database: postgres, retention: Duration.days(365) });

  const application = plainStack(app, 'App');
  const instanceRole = new iam.Role(application, 'InstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const profile = new iam.CfnInstanceProfile(application, 'InstanceProfile', { roles: [instanceRole.roleName] });
  const environment = new elasticbeanstalk.CfnEnvironment(application, 'Environment', {
    applicationName: 'shop',
    solutionStackName: '64bit Amazon Linux 2023 v6.6.0 running Node.js 22',
    optionSettings: [
      { namespace: 'aws:ec2:vpc', optionName: 'VPCId', value: vpc.vpcId },
      { namespace: 'aws:ec2:vpc', optionName: 'Subnets', value: vpc.privateSubnets.map((s) => s.subnetId).join(',') },
      { namespace: 'aws:autoscaling:launchconfiguration', optionName: 'IamInstanceProfile', value: profile.ref },
    ],
  });
  const binding = new BeanstalkDatabaseBinding(application, 'DatabaseBinding', { database: proxy.forUser(shop), environment, instanceRole, vpc });

  // A stack of another region: the replica needs the VPC of its own region.
  const disasterRecovery = new Stack(app, 'Dr', {
    env: { region: 'eu-central-1' },
    synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
  });
  const drVpc = new ec2.Vpc(disasterRecovery, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    ],
  });
  const replica = new CrossRegionReplica(disasterRecovery, 'Replica', {
    vpc: drVpc,
    engine: DatabaseEngine.POSTGRES_16,
    sourceInstanceArn: 'arn:aws:rds:eu-west-1:123456789012:db:postgres',
  });

  return {
    app,
    network: network.stack,
    database,
    application,
    disasterRecovery,
    libraryConstructs: [
      postgres, postgresScaling, aurora, named, proxy, auroraScaling, shop, reports, reportsConnection, postgresBackups, binding, replica,
    ],
  };
}

/** True when the construct path lies inside one of the library's constructs. */
export function isLibraryPath(built: EveryConstructApp, constructPath: string): boolean {
  return built.libraryConstructs.some((c) => constructPath.startsWith(`${c.node.path}/`));
}
