import { App, Duration, Stack, aws_rds as rds } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { DatabaseEngine, IndependentRds, IndependentRdsProps, ReplicaAutoscaling, ReplicaAutoscalingProps } from '../../src/aws';
import { expectCfnGuardClean, expectCfnLintClean, expectNagClean, synthTemplate, toolOrSkip } from '../harness';
import { networkStack, plainStack } from './fixtures';

function setup(dbProps: Partial<IndependentRdsProps> = {}) {
  const app = new App();
  const network = networkStack(app);
  const stack = plainStack(app, 'Database');
  const db = new IndependentRds(stack, 'Database', { vpc: network.vpc, engine: DatabaseEngine.AURORA_POSTGRES_16, ...dbProps });
  return { app, stack, db };
}

describe('ReplicaAutoscaling', () => {
  describe('defaults, on Aurora PostgreSQL', () => {
    let stack: Stack;
    let scaling: ReplicaAutoscaling;
    let t: Template;
    beforeAll(() => {
      let db: IndependentRds;
      ({ stack, db } = setup());
      scaling = new ReplicaAutoscaling(stack, 'ReadScaling', { database: db });
      t = Template.fromStack(stack);
    });
    test('registers the cluster as a scalable target (child "Resource") on rds:cluster:ReadReplicaCount', () => {
      expect(scaling.scalableTarget!.node.id).toBe('Resource');
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        ServiceNamespace: 'rds',
        ScalableDimension: 'rds:cluster:ReadReplicaCount',
        ResourceId: { 'Fn::Join': ['', ['cluster:', { Ref: Match.stringLikeRegexp('^Database') }]] },
      });
    });
    test('keeps 1 to 3 readers', () => {
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 3 });
    });
    test('acts through the Aurora service-linked role, creating no role of its own', () => {
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        RoleARN: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('AWSServiceRoleForApplicationAutoScaling_RDSCluster')])] },
      });
      t.resourceCountIs('AWS::IAM::Role', Object.keys(Template.fromStack(setup().stack).findResources('AWS::IAM::Role')).length);
    });
    test('tracks RDSReaderAverageCPUUtilization at 70%', () => {
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          PredefinedMetricSpecification: { PredefinedMetricType: 'RDSReaderAverageCPUUtilization' },
          TargetValue: 70,
        }),
      });
    });
    test('cools down 300 s after scale-in and 60 s after scale-out', () => {
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({ ScaleInCooldown: 300, ScaleOutCooldown: 60 }),
      });
    });
    test('the reader host is the cluster reader endpoint', () => {
      const clusterId = Object.keys(t.findResources('AWS::RDS::DBCluster'))[0];
      expect(stack.resolve(scaling.readerHost)).toEqual({ 'Fn::GetAtt': [clusterId, 'ReadEndpoint.Address'] });
    });
    test('registers only after the cluster instances exist', () => {
      const target = Object.values(t.findResources('AWS::ApplicationAutoScaling::ScalableTarget'))[0] as any;
      const instances = Object.keys(t.findResources('AWS::RDS::DBInstance'));
      expect(target.DependsOn).toEqual(expect.arrayContaining(instances));
    });
    test('leaves the RETAIN cluster to CloudFormation: the cluster stays retained, the target is deletable', () => {
      t.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Retain' });
      t.hasResource('AWS::ApplicationAutoScaling::ScalableTarget', { DeletionPolicy: Match.absent() });
    });
  });

  describe('options', () => {
    test('targetConnections tracks RDSReaderAverageDatabaseConnections instead', () => {
      const { stack, db } = setup();
      new ReplicaAutoscaling(stack, 'ReadScaling', { database: db, targetConnections: 200 });
      Template.fromStack(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          PredefinedMetricSpecification: { PredefinedMetricType: 'RDSReaderAverageDatabaseConnections' },
          TargetValue: 200,
        }),
      });
    });
    test('min, max, target and cooldowns can be set', () => {
      const { stack, db } = setup();
      new ReplicaAutoscaling(stack, 'ReadScaling', {
        database: db, minCapacity: 2, maxCapacity: 15, targetCpu: 50, scaleInCooldown: Duration.minutes(10), scaleOutCooldown: Duration.seconds(30),
      });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 15 });
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 50, ScaleInCooldown: 600, ScaleOutCooldown: 30 }),
      });
    });
    test('warns when the template already holds more readers than maxCapacity', () => {
      const { stack, db } = setup({ readReplicas: 3 });
      new ReplicaAutoscaling(stack, 'ReadScaling', { database: db, maxCapacity: 2 });
      Annotations.fromStack(stack).hasWarning('/Database/ReadScaling', Match.stringLikeRegexp('already has 3 readers'));
    });
  });

  describe('on a plain PostgreSQL instance (controller)', () => {
    let stack: Stack;
    let scaling: ReplicaAutoscaling;
    let t: Template;
    beforeAll(() => {
      let db: IndependentRds;
      ({ stack, db } = setup({ engine: DatabaseEngine.POSTGRES_16 }));
      scaling = new ReplicaAutoscaling(stack, 'ReadScaling', { database: db });
      t = Template.fromStack(stack);
    });
    test('creates no Application Auto Scaling target (it cannot scale instances)', () => {
      t.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
      expect(scaling.scalableTarget).toBeUndefined();
    });
    test('runs the controller every minute, one run at a time', () => {
      t.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 minute)',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ReadScalingController'), 'Arn'] } })],
      });
      t.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 1 });
    });
    test('passes min 1, max 3, target 70, cooldowns 300 s / 60 s to the controller', () => {
      t.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            SOURCE_INSTANCE_ID: { Ref: Match.stringLikeRegexp('^Database') },
            MIN_CAPACITY: '1',
            MAX_CAPACITY: '3',
            TARGET_CPU: '70',
            SCALE_IN_COOLDOWN_SECONDS: '300',
            SCALE_OUT_COOLDOWN_SECONDS: '60',
            READER_RECORD_NAME: Match.stringLikeRegexp('^reader\\..*\\.db\\.internal$'),
          }),
        },
      });
    });
    test('keeps a private hosted zone in the database VPC, retained, for the reader name', () => {
      t.hasResource('AWS::Route53::HostedZone', {
        Properties: { Name: Match.stringLikeRegexp('db\\.internal\\.$'), VPCs: [Match.objectLike({ VPCId: Match.anyValue() })] },
        DeletionPolicy: 'Retain',
      });
      expect(scaling.readerHost).toMatch(/^reader\..*\.db\.internal$/);
    });
    test('creates and deletes only replicas carrying its tag, and changes records in its zone only', () => {
      const policy = Object.values(t.findResources('AWS::IAM::Policy')).find((p: any) => JSON.stringify(p).includes('CreateTaggedReplicas')) as any;
      const statements = policy.Properties.PolicyDocument.Statement as any[];
      const sid = (id: string) => statements.find((st) => st.Sid === id);
      expect(Object.keys(sid('CreateTaggedReplicas').Condition.StringEquals)).toEqual(['aws:RequestTag/cdk-db-platform:replica-controller']);
      expect(Object.keys(sid('DeleteOwnReplicas').Condition.StringEquals)).toEqual(['aws:ResourceTag/cdk-db-platform:replica-controller']);
      expect(JSON.stringify(sid('ReaderRecordsOnly').Resource)).toContain('hostedzone/');
      expect(JSON.stringify(sid('ReaderRecordsOnly').Resource)).toContain('ReadScalingReaderZone');
      expect(sid('KeepStateOnSource').Resource).toEqual({ 'Fn::Join': expect.anything() });
    });
  });

  describe('replicas made by the controller get the source\'s monitoring and alarms', () => {
    const build = (dbProps: Partial<IndependentRdsProps>) => {
      const { stack, db } = setup({ engine: DatabaseEngine.POSTGRES_16, ...dbProps });
      const scaling = new ReplicaAutoscaling(stack, 'ReadScaling', { database: db });
      const t = Template.fromStack(stack);
      const fn = Object.values(t.findResources('AWS::Lambda::Function', { Properties: { Description: 'src/aws/replica-controller.lambda.ts' } }))[0] as any;
      const policy = Object.values(t.findResources('AWS::IAM::Policy')).find((p: any) => JSON.stringify(p).includes('CreateTaggedReplicas')) as any;
      const statements = policy.Properties.PolicyDocument.Statement as any[];
      return { stack, db, scaling, env: fn.Properties.Environment.Variables, sid: (id: string) => statements.find((st) => st.Sid === id) };
    };

    test('production: Performance Insights (key, retention), enhanced monitoring and the alarm topic reach the controller', () => {
      const { env, sid, stack, db } = build({ performanceInsightRetentionDays: 31 });
      const id = (c: any) => stack.getLogicalId(c.node.defaultChild);
      expect(env).toMatchObject({
        PERFORMANCE_INSIGHTS: 'true',
        PERFORMANCE_INSIGHTS_KMS_KEY_ID: { 'Fn::GetAtt': [id(db.encryptionKey), 'Arn'] },
        PERFORMANCE_INSIGHTS_RETENTION_DAYS: '31',
        MONITORING_INTERVAL: '60',
        MONITORING_ROLE_ARN: { 'Fn::GetAtt': [id(db.instance!.node.findChild('MonitoringRole')), 'Arn'] },
        ALARM_TOPIC_ARN: { Ref: id(db.alarmTopic) },
      });
      // iam:PassRole on the monitoring role only; alarms only under the controller's own prefix.
      expect(sid('PassMonitoringRole')).toMatchObject({ Action: 'iam:PassRole', Resource: env.MONITORING_ROLE_ARN });
      const alarms = sid('OwnReplicaAlarms');
      expect([...alarms.Action].sort()).toEqual(['cloudwatch:DeleteAlarms', 'cloudwatch:PutMetricAlarm']);
      const resource = JSON.stringify(alarms.Resource);
      expect(resource).toMatch(/:cloudwatch:.*:alarm:DatabaseReadScaling[A-Za-z0-9]*-\*"/);
    });

    test('without Performance Insights, enhanced monitoring or alarms: nothing to copy, no PassRole, no alarm permissions', () => {
      const { env, sid } = build({ performanceInsights: false, monitoringInterval: Duration.seconds(0), alarms: false });
      for (const key of ['PERFORMANCE_INSIGHTS', 'PERFORMANCE_INSIGHTS_KMS_KEY_ID', 'MONITORING_INTERVAL', 'MONITORING_ROLE_ARN', 'ALARM_TOPIC_ARN']) {
        expect(env[key]).toBeUndefined();
      }
      expect(sid('PassMonitoringRole')).toBeUndefined();
      expect(sid('OwnReplicaAlarms')).toBeUndefined();
    });
  });

  describe('validation', () => {
    const make = (props: Partial<ReplicaAutoscalingProps>, dbProps: Partial<IndependentRdsProps> = {}) => {
      const { stack, db } = setup(dbProps);
      return new ReplicaAutoscaling(stack, 'ReadScaling', { database: db, ...props });
    };
    test('throws when maxCapacity exceeds 15', () => {
      expect(() => make({ maxCapacity: 16 })).toThrow(/ReplicaAutoscaling: maxCapacity must be a whole number from 1 to 15 \(got 16\)\. Aurora allows at most 15/);
    });
    test('throws when maxCapacity is 0', () => {
      expect(() => make({ maxCapacity: 0, minCapacity: 0 })).toThrow(/ReplicaAutoscaling: maxCapacity must be a whole number from 1 to 15 \(got 0\)/);
    });
    test('throws when minCapacity exceeds maxCapacity', () => {
      expect(() => make({ minCapacity: 4, maxCapacity: 3 })).toThrow(/ReplicaAutoscaling: minCapacity must not exceed maxCapacity \(got 4 > 3\)/);
    });
    test('throws when minCapacity is negative or fractional', () => {
      expect(() => make({ minCapacity: -1 })).toThrow(/ReplicaAutoscaling: minCapacity must be a whole number of at least 0 \(got -1\)/);
      expect(() => make({ minCapacity: 1.5 })).toThrow(/minCapacity must be a whole number of at least 0 \(got 1.5\)/);
    });
    test('throws when targetCpu is not between 0 and 100', () => {
      expect(() => make({ targetCpu: 100 })).toThrow(/ReplicaAutoscaling: targetCpu must be above 0 and below 100 percent \(got 100\)/);
      expect(() => make({ targetCpu: 0 })).toThrow(/targetCpu must be above 0 and below 100 percent \(got 0\)/);
    });
    test('throws when targetConnections is not positive', () => {
      expect(() => make({ targetConnections: 0 })).toThrow(/ReplicaAutoscaling: targetConnections must be a finite number above 0 \(got 0\)/);
    });
    test('throws when targetCpu and targetConnections are both set', () => {
      expect(() => make({ targetCpu: 60, targetConnections: 100 })).toThrow(/ReplicaAutoscaling: targetCpu and targetConnections cannot both be set/);
    });
    test('throws when a cooldown is not whole seconds', () => {
      expect(() => make({ scaleInCooldown: Duration.millis(1500) })).toThrow(/ReplicaAutoscaling: scaleInCooldown must be whole seconds \(got 1.5 s\)/);
      expect(() => make({ scaleOutCooldown: Duration.millis(2500) })).toThrow(/ReplicaAutoscaling: scaleOutCooldown must be whole seconds \(got 2.5 s\)/);
    });
    test('throws when the cluster has an RDS-managed master password', () => {
      const { stack, db } = setup();
      (db.cluster!.node.defaultChild as rds.CfnDBCluster).manageMasterUserPassword = true;
      expect(() => new ReplicaAutoscaling(stack, 'ReadScaling', { database: db }))
        .toThrow(/ReplicaAutoscaling: the database has an RDS-managed master password \(ManageMasterUserPassword\), which RDS refuses together with read replicas/);
    });
    test('throws when an override asks RDS to manage the master password', () => {
      const { stack, db } = setup();
      (db.cluster!.node.defaultChild as rds.CfnDBCluster).addPropertyOverride('ManageMasterUserPassword', true);
      expect(() => new ReplicaAutoscaling(stack, 'ReadScaling', { database: db })).toThrow(/RDS-managed master password/);
    });
    test('throws on targetConnections for a plain RDS instance', () => {
      expect(() => make({ targetConnections: 100 }, { engine: DatabaseEngine.POSTGRES_16 }))
        .toThrow(/ReplicaAutoscaling: targetConnections is available on Aurora only \(got postgres 16.9\)/);
    });
    test('throws on readerZoneName for Aurora', () => {
      expect(() => make({ readerZoneName: 'db.internal' })).toThrow(/ReplicaAutoscaling: readerZoneName is for plain RDS instances only \(got db.internal on aurora-postgresql 16.6\)/);
    });
    test('throws when the instance has an RDS-managed master password', () => {
      const { stack, db } = setup({ engine: DatabaseEngine.POSTGRES_16 });
      (db.instance!.node.defaultChild as rds.CfnDBInstance).manageMasterUserPassword = true;
      expect(() => new ReplicaAutoscaling(stack, 'ReadScaling', { database: db })).toThrow(/ReplicaAutoscaling: the database has an RDS-managed master password/);
    });
    test('reports every error at once, the first in full', () => {
      expect(() => make({ maxCapacity: 20, targetCpu: 0 })).toThrow(/maxCapacity must be a whole number from 1 to 15 \(got 20\).*\(and 1 more: targetCpu/);
    });
  });

  describe('validators', () => {
    test.each([
      ['Aurora PostgreSQL', DatabaseEngine.AURORA_POSTGRES_16],
      ['Aurora MySQL', DatabaseEngine.AURORA_MYSQL_3],
      ['PostgreSQL (controller)', DatabaseEngine.POSTGRES_16],
    ])('%s: the stack is cfn-lint, cdk-nag and cfn-guard clean with no acknowledgment of its own', (_n, engine) => {
      const { stack, db } = setup({ engine });
      const scaling = new ReplicaAutoscaling(stack, 'ReadScaling', { database: db });
      expect(scaling.readerHost).toBeDefined();
      expectNagClean(stack);
      expectCfnGuardClean(stack);
      if (toolOrSkip('cfn-lint')) expectCfnLintClean(synthTemplate(stack));
    });
  });
});
