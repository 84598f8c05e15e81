import { App, CfnElement, Stack, aws_ec2 as ec2, aws_kms as kms, aws_sns as sns } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { networkStack } from './fixtures';
import { DatabaseEngine, DatabasePreset, IndependentRds, IndependentRdsProps } from '../../src/aws';

/**
 * What IndependentRds does for AWS Control Tower's proactive controls and cdk-nag: alarms that
 * notify an encrypted topic, a key that grants only to AWS resources, and one minor-version policy.
 */
describe('IndependentRds operations policies', () => {
  let stack: Stack;
  let vpc: ec2.Vpc;
  beforeEach(() => {
    ({ stack, vpc } = networkStack(new App(), 'Stack'));
  });
  const make = (props: Partial<IndependentRdsProps> = {}) => new IndependentRds(stack, 'Db', { vpc, ...props });
  const template = () => Template.fromStack(stack);
  const keyPolicyOf = (key: kms.IKey) => template().toJSON().Resources[stack.getLogicalId(key.node.defaultChild as CfnElement)].Properties.KeyPolicy;

  describe('alarms (CT.CLOUDWATCH.PR.1)', () => {
    test.each([['production', DatabasePreset.PRODUCTION], ['development', DatabasePreset.DEVELOPMENT]])(
      'in the %s preset, every alarm notifies a topic made for the database, when it fires and when it clears', (_n, preset) => {
        const db = make({ preset });
        const topic = { Ref: stack.getLogicalId(db.alarmTopic!.node.defaultChild as CfnElement) };
        const alarms = Object.values<any>(template().findResources('AWS::CloudWatch::Alarm'));
        expect(alarms.length).toBe(db.alarms.length);
        for (const alarm of alarms) {
          expect([alarm.Properties.AlarmActions, alarm.Properties.OKActions]).toEqual([[topic], [topic]]);
        }
      });

    test('the topic is encrypted with the database key, refuses publishers without TLS, and CloudWatch may publish to it', () => {
      const db = make();
      const t = template();
      t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(db.encryptionKey!.node.defaultChild as CfnElement), 'Arn'] } });
      t.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
      expect(keyPolicyOf(db.encryptionKey!).Statement).toEqual(expect.arrayContaining([expect.objectContaining({
        Sid: 'CloudWatchAlarmsToTopicsOfThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      })]));
    });

    test('a topic you pass replaces it', () => {
      const mine = new sns.Topic(stack, 'Mine');
      const db = make({ alarmTopic: mine });
      expect(db.alarmTopic).toBe(mine);
      template().resourceCountIs('AWS::SNS::Topic', 1);
    });

    test('no alarms, no topic', () => {
      const db = make({ alarms: false });
      expect(db.alarmTopic).toBeUndefined();
      template().resourceCountIs('AWS::SNS::Topic', 0);
    });

    test('with a key imported by ARN, whose policy the stack cannot change, the topic gets a key of its own', () => {
      const encryptionKey = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555');
      make({ encryptionKey });
      const t = template();
      t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbAlarmTopicKey'), 'Arn'] } });
      t.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
    });
  });

  describe('the key (CT.KMS.PR.3)', () => {
    test('denies kms:CreateGrant unless the grant is for an AWS resource or the caller an AWS service', () => {
      const db = make();
      expect(keyPolicyOf(db.encryptionKey!).Statement).toEqual(expect.arrayContaining([{
        Sid: 'CreateGrantOnlyForAwsResources',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      }]));
    });

    test('keeps its logical id, rotation and retention', () => {
      const db = make();
      expect(stack.getLogicalId(db.encryptionKey!.node.defaultChild as CfnElement)).toMatch(/^DbKey[0-9A-F]{8}$/);
      template().hasResource('AWS::KMS::Key', { Properties: Match.objectLike({ EnableKeyRotation: true }), DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    });

    test('a key you bring keeps its own policy', () => {
      const encryptionKey = new kms.Key(stack, 'Mine', { enableKeyRotation: true });
      make({ encryptionKey, alarms: false });
      expect(JSON.stringify(keyPolicyOf(encryptionKey))).not.toContain('CreateGrantOnlyForAwsResources');
    });
  });

  describe('minor versions: the version in code is the version that runs', () => {
    test('instances, replicas and Aurora instances never upgrade on their own', () => {
      make({ readReplicas: 1 });
      const instances = Object.values<any>(template().findResources('AWS::RDS::DBInstance'));
      expect(instances).toHaveLength(2);
      for (const i of instances) expect(i.Properties.AutoMinorVersionUpgrade).toBe(false);
    });

    test('the same for the writer and readers of an Aurora cluster', () => {
      make({ engine: DatabaseEngine.AURORA_POSTGRES_16, readReplicas: 2 });
      const instances = Object.values<any>(template().findResources('AWS::RDS::DBInstance'));
      expect(instances).toHaveLength(3);
      for (const i of instances) expect(i.Properties.AutoMinorVersionUpgrade).toBe(false);
    });

    test('a new minor version in code is the one change to the template', () => {
      make({ engine: DatabaseEngine.postgres('16.9') });
      const before = template().toJSON();
      ({ stack, vpc } = networkStack(new App(), 'Stack'));
      make({ engine: DatabaseEngine.postgres('16.10') });
      const after = template().toJSON();
      const changed = Object.keys(after.Resources).filter((id) => JSON.stringify(after.Resources[id]) !== JSON.stringify(before.Resources[id]));
      expect(changed.map((id) => after.Resources[id].Type)).toEqual(['AWS::RDS::DBInstance']);
      expect(after.Resources[changed[0]].Properties.EngineVersion).toBe('16.10');
    });
  });
});
