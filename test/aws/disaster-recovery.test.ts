import { App, DefaultStackSynthesizer, Duration, Fn, Stack, Validations, aws_ec2 as ec2, aws_events as events, aws_kms as kms, aws_secretsmanager as secretsmanager, aws_sns as sns } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  CrossRegionReplica, CrossRegionReplicaProps, DatabaseBackupPlan, DatabaseEngine, DatabasePreset, IndependentRds, IndependentRdsProps,
} from '../../src/aws';
import { expectCfnGuardClean, expectCfnLintClean, expectNagClean, synthTemplate, toolOrSkip } from '../harness';

/**
 * Disaster recovery: cross-region replication of automated backups, the AWS Backup plan, and the
 * cross-region read replica. Stacks have an explicit region (eu-west-1 for the database,
 * eu-central-1 for the DR side), as a DR layout does.
 */

const PRIMARY = { region: 'eu-west-1', account: '123456789012' };
const DR = { region: 'eu-central-1', account: '123456789012' };
const DR_KEY_ARN = 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const DR_VAULT_ARN = 'arn:aws:backup:eu-central-1:123456789012:backup-vault:shop-dr';
const SOURCE_ARN = 'arn:aws:rds:eu-west-1:123456789012:db:shop-db';

function regionalStack(app: App, id: string, env: { region: string; account: string }): { stack: Stack; vpc: ec2.Vpc } {
  const stack = new Stack(app, id, { env, synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    // Resolved at deploy time (Fn::GetAZs), as in an environment-agnostic stack: no hard-coded AZ names.
    availabilityZones: [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())],
    natGateways: 1,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    ],
  });
  // The test's own VPC: its flow log is the consumer's choice, acknowledged here (the library's resources get none).
  Validations.of(vpc.addFlowLog('FlowLog')).acknowledge({
    id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
    reason: 'VPC flow logs hold connection metadata only; CloudWatch Logs encrypts them at rest with its own key.',
  });
  return { stack, vpc };
}

describe('backupReplication', () => {
  let app: App;
  let stack: Stack;
  let vpc: ec2.Vpc;
  beforeEach(() => {
    app = new App();
    ({ stack, vpc } = regionalStack(app, 'Database', PRIMARY));
  });
  const make = (props: Partial<IndependentRdsProps> = {}) => new IndependentRds(stack, 'Db', { vpc, ...props });
  const instance = () => Object.values<any>(Template.fromStack(stack).findResources('AWS::RDS::DBInstance'))[0].Properties;

  test('replicates the automated backups to the other region, encrypted there, kept as long as here by default', () => {
    make({ backupReplication: { region: 'eu-central-1', encryptionKeyArn: DR_KEY_ARN } });
    expect(instance()).toMatchObject({
      AutomaticBackupReplicationRegion: 'eu-central-1',
      AutomaticBackupReplicationKmsKeyId: DR_KEY_ARN,
      AutomaticBackupReplicationRetentionPeriod: 7,
      BackupRetentionPeriod: 7,
    });
  });

  test('keeps the replicated backups for the retention asked', () => {
    make({ backupReplication: { region: 'eu-central-1', encryptionKeyArn: DR_KEY_ARN, retention: Duration.days(14) } });
    expect(instance().AutomaticBackupReplicationRetentionPeriod).toBe(14);
  });

  test('is off by default: no AutomaticBackupReplication* properties', () => {
    make();
    expect(Object.keys(instance()).filter((k) => k.startsWith('AutomaticBackupReplication'))).toEqual([]);
  });

  test('is cfn-lint, cdk-nag and cfn-guard clean, with no acknowledgment of its own', () => {
    make({ backupReplication: { region: 'eu-central-1', encryptionKeyArn: DR_KEY_ARN } });
    expectNagClean(stack);
    expectCfnGuardClean(stack);
    if (toolOrSkip('cfn-lint')) expectCfnLintClean(synthTemplate(stack));
  });

  const throwsWith = (props: Partial<IndependentRdsProps>, re: RegExp) => expect(() => make(props)).toThrow(re);
  test('throws for Aurora, which has no automated backup replication', () => throwsWith({
    engine: DatabaseEngine.AURORA_POSTGRES_16, backupReplication: { region: 'eu-central-1', encryptionKeyArn: DR_KEY_ARN },
  }, /^IndependentRds: backupReplication replicates the automated backups of an RDS instance; aurora-postgresql 16.6 is an Aurora cluster.*backupPlan.copyToVaultArn/));
  test('throws when automated backups are off', () => throwsWith({
    preset: DatabasePreset.DEVELOPMENT, backupRetention: Duration.days(0), backupReplication: { region: 'eu-central-1', encryptionKeyArn: DR_KEY_ARN },
  }, /backupReplication needs automated backups, which backupRetention 0 turns off/));
  test('throws when the region is the database\'s own', () => throwsWith({
    backupReplication: { region: 'eu-west-1', encryptionKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/abc' },
  }, /backupReplication.region must be another region than the database's \(got "eu-west-1", the stack's own region\)/));
  test('throws when the region is not a region name', () => throwsWith({
    backupReplication: { region: 'Frankfurt', encryptionKeyArn: DR_KEY_ARN },
  }, /backupReplication.region must be an AWS region name \(got "Frankfurt"\)/));
  test('throws when the key is in another region than the copies', () => throwsWith({
    backupReplication: { region: 'eu-north-1', encryptionKeyArn: DR_KEY_ARN },
  }, /backupReplication.encryptionKeyArn must be a key in eu-north-1, where the copies are encrypted \(got a key in eu-central-1/));
  test('throws when the key is an alias', () => throwsWith({
    backupReplication: { region: 'eu-central-1', encryptionKeyArn: 'arn:aws:kms:eu-central-1:123456789012:alias/dr' },
  }, /backupReplication.encryptionKeyArn must be the ARN of a KMS key, not an alias or key id/));
  test('throws when the retention is over 35 days', () => throwsWith({
    backupReplication: { region: 'eu-central-1', encryptionKeyArn: DR_KEY_ARN, retention: Duration.days(90) },
  }, /backupReplication.retention must be a whole number from 1 to 35 \(got 90\)\. RDS keeps replicated backups for 1–35 days: use backupPlan for longer/));
});

describe('backupPlan', () => {
  let app: App;
  let stack: Stack;
  let vpc: ec2.Vpc;
  beforeEach(() => {
    app = new App();
    ({ stack, vpc } = regionalStack(app, 'Database', PRIMARY));
  });
  const make = (props: Partial<IndependentRdsProps> = {}) => new IndependentRds(stack, 'Db', { vpc, ...props });

  test('keeps a daily recovery point as long as asked, in a vault encrypted with the database key, retained, that nobody empties by hand', () => {
    const db = make({ backupPlan: { retention: Duration.days(365) } });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanName: Match.stringLikeRegexp('DbBackupPlan'),
        BackupPlanRule: [Match.objectLike({ RuleName: 'Daily', ScheduleExpression: 'cron(0 6 * * ? *)', Lifecycle: { DeleteAfterDays: 365 } })],
      },
    });
    const keyId = stack.getLogicalId(db.encryptionKey!.node.defaultChild as any);
    t.hasResource('AWS::Backup::BackupVault', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        EncryptionKeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] },
        AccessPolicy: Match.objectLike({ Statement: [Match.objectLike({ Effect: 'Deny', Action: ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'] })] }),
      }),
    });
    const instanceId = Object.keys(t.findResources('AWS::RDS::DBInstance'))[0];
    t.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({ Resources: [{ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':db:$'), { Ref: instanceId }])] }] }),
    });
    expect(db.node.findChild('BackupPlan')).toBeInstanceOf(DatabaseBackupPlan);
  });

  test('backs up an Aurora cluster by its ARN', () => {
    make({ engine: DatabaseEngine.AURORA_POSTGRES_16, backupPlan: { retention: Duration.days(90) } });
    const t = Template.fromStack(stack);
    const clusterId = Object.keys(t.findResources('AWS::RDS::DBCluster'))[0];
    t.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({ Resources: [{ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':cluster:$'), { Ref: clusterId }])] }] }),
    });
  });

  test('copies every recovery point to a vault in the DR region, for copyRetention', () => {
    make({ backupPlan: { retention: Duration.days(90), copyToVaultArn: DR_VAULT_ARN, copyRetention: Duration.days(30), schedule: events.Schedule.cron({ minute: '30', hour: '7' }) } });
    Template.fromStack(stack).hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanName: Match.anyValue(),
        BackupPlanRule: [Match.objectLike({
          ScheduleExpression: 'cron(30 7 * * ? *)',
          CopyActions: [{ DestinationBackupVaultArn: DR_VAULT_ARN, Lifecycle: { DeleteAfterDays: 30 } }],
        })],
      },
    });
  });

  test('uses the vault key given', () => {
    const vaultKey = new kms.Key(stack, 'VaultKey', { enableKeyRotation: true });
    make({ backupPlan: { retention: Duration.days(90), vaultKey } });
    Template.fromStack(stack).hasResourceProperties('AWS::Backup::BackupVault', { EncryptionKeyArn: { 'Fn::GetAtt': [stack.getLogicalId(vaultKey.node.defaultChild as any), 'Arn'] } });
  });

  test('works on an imported database too', () => {
    const db = IndependentRds.fromDatabaseAttributes(stack, 'Imported', {
      engine: DatabaseEngine.POSTGRES_16,
      vpc,
      instanceIdentifier: 'shop-db',
      endpointAddress: 'shop-db.example.internal',
      port: 5432,
      databaseName: 'shop',
      username: 'dbadmin',
      secret: new secretsmanager.Secret(stack, 'S'),
      securityGroups: [new ec2.SecurityGroup(stack, 'Sg', { vpc })],
      encryptionKey: new kms.Key(stack, 'K', { enableKeyRotation: true }),
    });
    new DatabaseBackupPlan(stack, 'Backup', { database: db, retention: Duration.days(400) });
    Template.fromStack(stack).hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({ Resources: [{ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':db:shop-db$')])] }] }),
    });
  });

  test('is cfn-lint, cdk-nag and cfn-guard clean, with no acknowledgment of its own', () => {
    make({ backupPlan: { retention: Duration.days(365), copyToVaultArn: DR_VAULT_ARN } });
    expectNagClean(stack);
    expectCfnGuardClean(stack);
    if (toolOrSkip('cfn-lint')) expectCfnLintClean(synthTemplate(stack));
  });

  const throwsWith = (props: Partial<IndependentRdsProps>, re: RegExp) => expect(() => make(props)).toThrow(re);
  test('throws when the retention is not whole days', () => throwsWith({ backupPlan: { retention: Duration.hours(36) } },
    /^IndependentRds: backupPlan.retention must be whole days, at least 1 \(got 1.5\)/));
  test('throws when copyRetention is set without a vault to copy to', () => throwsWith({ backupPlan: { retention: Duration.days(90), copyRetention: Duration.days(30) } },
    /backupPlan.copyRetention is set but nothing is copied \(got copyRetention 30 days and no copyToVaultArn\)/));
  test('throws when the copy vault is not a vault ARN', () => throwsWith({ backupPlan: { retention: Duration.days(90), copyToVaultArn: 'shop-dr' } },
    /backupPlan.copyToVaultArn must be the ARN of an AWS Backup vault \(got "shop-dr"\)/));
  test('throws when a DatabaseBackupPlan is made for a database without an instance or cluster', () => {
    const db = make();
    const broken = { ...db, engine: db.engine, instance: undefined, cluster: undefined } as any;
    expect(() => new DatabaseBackupPlan(stack, 'Backup', { database: broken, retention: Duration.days(90) }))
      .toThrow(/^DatabaseBackupPlan: database must have an instance for postgres 16.9 and nothing else \(got neither an instance nor a cluster\)/);
  });
  test('throws when backupRetention is over 35 days, pointing at backupPlan', () => throwsWith({ backupRetention: Duration.days(90) },
    /backupRetention must be 0–35 whole days \(got 90\)\. Lower it to 35 or less, and keep backups longer with an AWS Backup plan: backupPlan: \{ retention: Duration.days\(90\) \}\./));
});

describe('CrossRegionReplica', () => {
  let app: App;
  let stack: Stack;
  let vpc: ec2.Vpc;
  beforeEach(() => {
    app = new App();
    ({ stack, vpc } = regionalStack(app, 'Dr', DR));
  });
  const make = (props: Partial<CrossRegionReplicaProps> = {}) => new CrossRegionReplica(stack, 'Replica', {
    vpc, engine: DatabaseEngine.POSTGRES_16, sourceInstanceArn: SOURCE_ARN, ...props,
  });

  test('replicates the source of the other region, re-encrypted with a key of this region, private, retained', () => {
    const replica = make();
    const t = Template.fromStack(stack);
    const keyId = stack.getLogicalId(replica.encryptionKey.node.defaultChild as any);
    t.hasResource('AWS::RDS::DBInstance', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        SourceDBInstanceIdentifier: SOURCE_ARN,
        SourceRegion: 'eu-west-1',
        KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
        PerformanceInsightsKMSKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
        StorageEncrypted: Match.absent(),
        MasterUsername: Match.absent(),
        PubliclyAccessible: false,
        MultiAZ: false,
        DeletionProtection: true,
        DBInstanceClass: 'db.m6g.large',
        MonitoringInterval: 60,
        // The library's minor-version policy (pinned minor, no automatic minor upgrades) holds here too.
        AutoMinorVersionUpgrade: false,
      }),
    });
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true }) });
    t.hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'postgres16', Parameters: Match.objectLike({ 'rds.force_ssl': '1' }) });
    expect(replica.instance.node.id).toBe('Resource');
  });

  test('alarms on replica lag (5 minutes by default), CPU and free storage, notifying the topic', () => {
    const topic = new sns.Topic(stack, 'Alarms', { enforceSSL: true, masterKey: new kms.Key(stack, 'TopicKey', { enableKeyRotation: true }) });
    const replica = make({ alarmTopic: topic });
    expect(replica.alarms).toHaveLength(3);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ReplicaLag',
      Threshold: 300,
      EvaluationPeriods: 5,
      Period: 60,
      Statistic: 'Maximum',
      AlarmActions: [{ Ref: stack.getLogicalId(topic.node.defaultChild as any) }],
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'CPUUtilization', Threshold: 80 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'FreeStorageSpace', ComparisonOperator: 'LessThanThreshold' });
  });

  test('takes the lag threshold, class and key given', () => {
    const key = new kms.Key(stack, 'Mine', { enableKeyRotation: true });
    make({ replicaLagThreshold: Duration.seconds(30), instanceClass: 'db.r6g.xlarge', encryptionKey: key, multiAz: true });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ReplicaLag', Threshold: 30 });
    t.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.r6g.xlarge', MultiAZ: true, KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as any), 'Arn'] } });
    t.resourceCountIs('AWS::KMS::Key', 1);
  });

  test('is cfn-lint, cdk-nag and cfn-guard clean, with no acknowledgment of its own', () => {
    make();
    expectNagClean(stack);
    expectCfnGuardClean(stack);
    if (toolOrSkip('cfn-lint')) expectCfnLintClean(synthTemplate(stack));
  });

  const throwsWith = (props: Partial<CrossRegionReplicaProps>, re: RegExp) => expect(() => make(props)).toThrow(re);
  test('throws for an Aurora engine', () => throwsWith({ engine: DatabaseEngine.AURORA_POSTGRES_16 },
    /^CrossRegionReplica: engine must run on an RDS instance \(got aurora-postgresql 16.6, an Aurora cluster\).*backupPlan.copyToVaultArn/));
  test('throws when the source is an identifier, not an ARN', () => throwsWith({ sourceInstanceArn: 'shop-db' },
    /sourceInstanceArn must be the source instance's ARN, which a replica in another region needs \(got "shop-db"\)/));
  test('throws when the source ARN is not a DB instance ARN', () => throwsWith({ sourceInstanceArn: 'arn:aws:rds:eu-west-1:123456789012:cluster:shop' },
    /sourceInstanceArn must be a DB instance identifier .* or its ARN \(got "arn:aws:rds:eu-west-1:123456789012:cluster:shop"\)/));
  test('throws when the source is in this region', () => throwsWith({ sourceInstanceArn: 'arn:aws:rds:eu-central-1:123456789012:db:shop-db' },
    /sourceInstanceArn must be another region than the database's \(got "eu-central-1", the stack's own region\)/));
  test('throws for public subnets', () => throwsWith({ vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }, /vpcSubnets selects PUBLIC subnets/));
  test('throws when the lag threshold is under a second', () => throwsWith({ replicaLagThreshold: Duration.millis(500) },
    /replicaLagThreshold must be at least 1 second \(got 0.5 s\)/));
  test('throws for an instance class that is not db.<family>.<size>', () => throwsWith({ instanceClass: 'r6g.large' }, /instanceClass must look like 'db.<family>.<size>'/));
});
