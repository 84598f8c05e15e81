import { App, Lazy, Stack, aws_ec2 as ec2, aws_kms as kms, aws_logs as logs, aws_rds as rds } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { networkStack } from './fixtures';
import { DatabaseEngine, IndependentRds, IndependentRdsProps } from '../../src/aws';

/** IndependentRdsOperationsProps: applyImmediately, the identifiers, the log groups; and the gp2 burst balance alarm. */
describe('IndependentRds operations', () => {
  let stack: Stack;
  let vpc: ec2.Vpc;
  beforeEach(() => {
    ({ stack, vpc } = networkStack(new App(), 'Stack'));
  });
  const make = (props: Partial<IndependentRdsProps> = {}) => new IndependentRds(stack, 'Db', { vpc, ...props });
  const aurora = { engine: DatabaseEngine.AURORA_POSTGRES_16 };
  const template = () => Template.fromStack(stack);
  const instances = () => Object.values(template().findResources('AWS::RDS::DBInstance'));
  /** The log groups of the database (the VPC has a flow log group of its own). */
  const rdsGroups = () => Object.entries(template().findResources('AWS::Logs::LogGroup'))
    .filter(([, g]) => typeof g.Properties.LogGroupName === 'string' && g.Properties.LogGroupName.startsWith('/aws/rds/'));

  describe('defaults leave the template as it was', () => {
    test('an instance has no ApplyImmediately, no DBInstanceIdentifier and no log groups of the library', () => {
      make({ readReplicas: 1 });
      for (const i of instances()) {
        expect(i.Properties.ApplyImmediately).toBeUndefined();
        expect(i.Properties.DBInstanceIdentifier).toBeUndefined();
      }
      expect(rdsGroups()).toHaveLength(0);
    });
    test('an Aurora cluster has no DBClusterIdentifier, and its instances no ApplyImmediately', () => {
      make(aurora);
      template().hasResourceProperties('AWS::RDS::DBCluster', { DBClusterIdentifier: Match.absent() });
      for (const i of instances()) expect(i.Properties.ApplyImmediately).toBeUndefined();
      expect(rdsGroups()).toHaveLength(0);
    });
  });

  describe('applyImmediately', () => {
    test('is set on the instance and its read replicas', () => {
      make({ applyImmediately: false, readReplicas: 1 });
      const all = instances();
      expect(all).toHaveLength(2);
      for (const i of all) expect(i.Properties.ApplyImmediately).toBe(false);
    });
    test('is set on the Aurora instances (the cluster has no such property)', () => {
      make({ ...aurora, applyImmediately: true });
      const all = instances();
      expect(all).toHaveLength(2);
      for (const i of all) expect(i.Properties.ApplyImmediately).toBe(true);
      template().hasResourceProperties('AWS::RDS::DBCluster', { ApplyImmediately: Match.absent() });
    });
  });

  describe('identifiers', () => {
    test('instanceIdentifier names the instance, not its replicas', () => {
      make({ instanceIdentifier: 'shop-db', readReplicas: 1 });
      const names = instances().map((i) => i.Properties.DBInstanceIdentifier);
      expect(names.filter((n) => n !== undefined)).toEqual(['shop-db']);
    });
    test('clusterIdentifier names the Aurora cluster', () => {
      make({ ...aurora, clusterIdentifier: 'shop-cluster' });
      template().hasResourceProperties('AWS::RDS::DBCluster', { DBClusterIdentifier: 'shop-cluster' });
    });
    test.each([
      ['1shop', /instanceIdentifier must be 1-63 letters, digits and hyphens starting with a letter \(got "1shop"\)\. Use e\.g\. 'shop-orders-db'/],
      ['shop_db', /instanceIdentifier must be 1-63 letters, digits and hyphens starting with a letter \(got "shop_db"\)/],
      ['', /instanceIdentifier must be 1-63 letters, digits and hyphens starting with a letter \(got ""\)/],
      ['a'.repeat(64), /instanceIdentifier must be 1-63 letters, digits and hyphens starting with a letter \(got "a{64}"\)/],
      ['shop--db', /instanceIdentifier must not contain two consecutive hyphens or end in a hyphen \(got "shop--db"\)/],
      ['shop-', /instanceIdentifier must not contain two consecutive hyphens or end in a hyphen \(got "shop-"\)/],
    ])('throws on instanceIdentifier %j', (value, message) => {
      expect(() => make({ instanceIdentifier: value })).toThrow(message);
    });
    test('throws on a clusterIdentifier that breaks the naming rule', () => {
      expect(() => make({ ...aurora, clusterIdentifier: 'shop--cluster' }))
        .toThrow(/IndependentRds: clusterIdentifier must not contain two consecutive hyphens or end in a hyphen \(got "shop--cluster"\)/);
    });
    test('accepts 63 characters', () => {
      expect(() => make({ instanceIdentifier: 'a'.repeat(63) })).not.toThrow();
    });
    test('accepts a token, and throws at synthesis when it resolves to a bad literal (a Lazy)', () => {
      expect(() => make({ instanceIdentifier: Lazy.string({ produce: () => 'x--' }) })).not.toThrow();
      expect(() => template()).toThrow(/instanceIdentifier must not contain two consecutive hyphens or end in a hyphen \(got "x--"\)/);
    });
    test('throws on clusterIdentifier for an RDS instance', () => {
      expect(() => make({ clusterIdentifier: 'shop' }))
        .toThrow(/IndependentRds: clusterIdentifier does not apply to an RDS instance \(postgres\) \(got "shop"\)\. Use instanceIdentifier instead\./);
    });
    test('throws on instanceIdentifier for an Aurora cluster', () => {
      expect(() => make({ ...aurora, instanceIdentifier: 'shop' }))
        .toThrow(/IndependentRds: instanceIdentifier does not apply to an Aurora cluster \(aurora-postgresql\) \(got "shop"\)\. Use clusterIdentifier instead\./);
    });
  });

  describe('log groups of the exported logs', () => {
    const groupNames = () => rdsGroups().map(([, g]) => g.Properties.LogGroupName).sort();

    test('with an identifier: one per log type, kept forever, encrypted with the database key, retained, made before the instance', () => {
      const db = make({ instanceIdentifier: 'Shop-DB' });
      // RDS stores the identifier in lower case and names the log groups after it.
      expect(groupNames()).toEqual(['/aws/rds/instance/shop-db/postgresql', '/aws/rds/instance/shop-db/upgrade']);
      const t = template();
      const keyId = stack.getLogicalId(db.encryptionKey!.node.defaultChild as kms.CfnKey);
      for (const [, g] of rdsGroups()) {
        expect(g.Properties.RetentionInDays).toBeUndefined();
        expect(g.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
        expect([g.DeletionPolicy, g.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
      }
      const groups = rdsGroups().map(([id]) => id);
      const [instance] = Object.values(t.findResources('AWS::RDS::DBInstance'));
      expect(instance.DependsOn).toEqual(expect.arrayContaining(groups));
      t.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'CloudWatchLogsOfThisAccount', Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } })]) },
      });
    });
    test('cloudwatchLogsRetention sets their retention', () => {
      make({ instanceIdentifier: 'shop', cloudwatchLogsRetention: logs.RetentionDays.ONE_MONTH, cloudwatchLogsExports: ['postgresql'] });
      expect(groupNames()).toEqual(['/aws/rds/instance/shop/postgresql']);
      template().hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    });
    test('Aurora: under /aws/rds/cluster/<id>, made before the cluster', () => {
      make({ ...aurora, clusterIdentifier: 'shop', cloudwatchLogsRetention: logs.RetentionDays.ONE_YEAR });
      expect(groupNames()).toEqual(['/aws/rds/cluster/shop/postgresql']);
      const t = template();
      const [cluster] = Object.values(t.findResources('AWS::RDS::DBCluster'));
      expect(cluster.DependsOn).toEqual(expect.arrayContaining(rdsGroups().map(([id]) => id)));
      t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    });
    test('a key imported by ARN cannot take the logs statement: the log groups get a key of their own', () => {
      make({ instanceIdentifier: 'shop', encryptionKey: kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:eu-west-1:111111111111:key/abc') });
      const groups = rdsGroups();
      expect(groups).toHaveLength(2);
      for (const [, g] of groups) expect(g.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DbLogsKey/), 'Arn'] });
    });
    test('no log exports: no log groups', () => {
      make({ instanceIdentifier: 'shop', cloudwatchLogsExports: [] });
      expect(rdsGroups()).toHaveLength(0);
    });
    test('throws on cloudwatchLogsRetention without an identifier', () => {
      expect(() => make({ cloudwatchLogsRetention: logs.RetentionDays.ONE_WEEK })).toThrow(
        /IndependentRds: cloudwatchLogsRetention needs instanceIdentifier \(got 7 days without one\): .* Set instanceIdentifier \(on a deployed database that replaces it\), or remove cloudwatchLogsRetention\./,
      );
      const other = networkStack(new App(), 'Other');
      expect(() => new IndependentRds(other.stack, 'Db', { vpc: other.vpc, ...aurora, cloudwatchLogsRetention: logs.RetentionDays.ONE_WEEK }))
        .toThrow(/cloudwatchLogsRetention needs clusterIdentifier/);
    });
  });

  describe('burst balance alarm', () => {
    const burstAlarms = () => template().findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'BurstBalance' } });
    test('gp2 storage: alarms when the burst balance is below 20% for 2 x 5 minutes', () => {
      const db = make({ storageType: rds.StorageType.GP2 });
      template().hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'BurstBalance',
        Namespace: 'AWS/RDS',
        Threshold: 20,
        ComparisonOperator: 'LessThanThreshold',
        Period: 300,
        EvaluationPeriods: 2,
        Statistic: 'Minimum',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('DbAlarmTopic') }],
      });
      expect(db.node.tryFindChild('BurstBalanceAlarm')).toBeDefined();
    });
    test('gp3 storage (the default): no burst balance alarm', () => {
      make();
      expect(Object.keys(burstAlarms())).toHaveLength(0);
    });
    test('alarms off: none', () => {
      make({ storageType: rds.StorageType.GP2, alarms: false });
      expect(Object.keys(burstAlarms())).toHaveLength(0);
    });
  });
});
