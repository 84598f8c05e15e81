import { App, aws_kms as kms, aws_sns as sns } from 'aws-cdk-lib';
import { DatabaseEngine, IndependentRds } from '../../src/aws';
import { cfnGuardFindings, expectCfnGuardClean, expectCfnLintClean, expectNagClean, expectNoSecrets, synthTemplate, toolOrSkip } from '../harness';
import { databaseStack, networkStack, plainStack } from './fixtures';

/**
 * The production preset of each engine family, checked by cfn-lint, cdk-nag AwsSolutions, AWS
 * Control Tower's proactive controls (cfn-guard) and the secret scan, with no acknowledgment in the
 * test: where the library disagrees with a rule it says so on its own resources.
 */
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
    expect(db.alarmTopic).toBeDefined();
    expectNagClean(network.stack);
    expectNagClean(stack);
    expectCfnGuardClean(stack);
  });

  test.each(ENGINES)('%s: no secret in the synthesized assembly', (_name, engine) => {
    const app = new App();
    const network = networkStack(app);
    databaseStack(app, network.vpc, { engine, readReplicas: engine.isCluster ? 2 : 1 });
    const assembly = app.synth();
    expectNoSecrets(assembly.directory);
  });

  test('with read replicas and an alarm topic, the database stack stays cfn-lint, cdk-nag and cfn-guard clean', () => {
    const app = new App();
    const network = networkStack(app);
    const stack = plainStack(app, 'Database');
    const topic = new sns.Topic(stack, 'Alarms', { enforceSSL: true, masterKey: new kms.Key(stack, 'TopicKey', { enableKeyRotation: true }) });
    const db = new IndependentRds(stack, 'Database', { vpc: network.vpc, readReplicas: 1, alarmTopic: topic });
    expect(db.alarmTopic).toBe(topic);
    expectNagClean(stack);
    // The topic's key is the test's own (CT.KMS.PR.3 is the test's business): only the database's resources.
    expect(cfnGuardFindings(stack).filter((f) => f.includes(` at ${db.node.path}/`))).toEqual([]);
    if (toolOrSkip('cfn-lint')) expectCfnLintClean(synthTemplate(stack));
  });
});
