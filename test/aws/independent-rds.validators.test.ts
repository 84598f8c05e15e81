import { App, aws_kms as kms, aws_sns as sns } from 'aws-cdk-lib';
import { NagSuppressions } from 'cdk-nag';
import { DatabaseEngine, IndependentRds } from '../../src/aws';
import { expectCfnLintClean, expectNagClean, expectNoSecrets, synthTemplate, toolOrSkip } from '../harness';
import { databaseStack, networkStack, plainStack } from './fixtures';

/**
 * The production preset of each engine family, checked by cfn-lint, cdk-nag AwsSolutions and the
 * secret scan. The only suppressions are the two findings below, each with its reason.
 */
function suppressDocumentedFindings(db: IndependentRds): void {
  NagSuppressions.addResourceSuppressions(db, [
    {
      id: 'AwsSolutions-IAM4',
      reason: 'Enhanced monitoring uses the AWS-maintained AmazonRDSEnhancedMonitoringRole policy, which only writes to the RDSOSMetrics log group; AWS keeps it current.',
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole'],
    },
    {
      id: 'AwsSolutions-RDS11',
      reason: 'The engine default port is kept on purpose: the security group admits only bound application groups, and a non-default port adds no real protection.',
    },
  ], true);
}

const ENGINES: Array<[string, DatabaseEngine]> = [
  ['PostgreSQL', DatabaseEngine.POSTGRES_16],
  ['MySQL', DatabaseEngine.MYSQL_8_0],
  ['MariaDB', DatabaseEngine.MARIADB_11_4],
  ['Aurora PostgreSQL', DatabaseEngine.AURORA_POSTGRES_16],
  ['Aurora MySQL', DatabaseEngine.AURORA_MYSQL_3],
];

describe('IndependentRds validators (production preset)', () => {
  test('the network stack is cfn-lint clean', () => {
    if (!toolOrSkip('cfn-lint')) return;
    expectCfnLintClean(synthTemplate(networkStack(new App()).stack));
  });

  test.each(ENGINES)('%s: the database stack is cfn-lint clean', (_name, engine) => {
    if (!toolOrSkip('cfn-lint')) return;
    const app = new App();
    const network = networkStack(app);
    const { stack } = databaseStack(app, network.vpc, { engine });
    expectCfnLintClean(synthTemplate(stack));
  });

  test.each(ENGINES)('%s: cdk-nag AwsSolutions has no unsuppressed finding', (_name, engine) => {
    const app = new App();
    const network = networkStack(app);
    const { stack, db } = databaseStack(app, network.vpc, { engine });
    suppressDocumentedFindings(db);
    expectNagClean(network.stack);
    expectNagClean(stack);
  });

  test.each(ENGINES)('%s: no secret in the synthesized assembly', (_name, engine) => {
    const app = new App();
    const network = networkStack(app);
    databaseStack(app, network.vpc, { engine, readReplicas: engine.isCluster ? 2 : 1 });
    const assembly = app.synth();
    expectNoSecrets(assembly.directory);
  });

  test('with read replicas and an alarm topic, the database stack stays cfn-lint and cdk-nag clean', () => {
    const app = new App();
    const network = networkStack(app);
    const stack = plainStack(app, 'Database');
    const topic = new sns.Topic(stack, 'Alarms', { enforceSSL: true, masterKey: new kms.Key(stack, 'TopicKey', { enableKeyRotation: true }) });
    const db = new IndependentRds(stack, 'Database', { vpc: network.vpc, readReplicas: 1, alarmTopic: topic });
    suppressDocumentedFindings(db);
    expectNagClean(stack);
    if (toolOrSkip('cfn-lint')) expectCfnLintClean(synthTemplate(stack));
  });
});
