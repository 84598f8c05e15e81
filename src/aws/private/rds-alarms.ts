import { Duration, aws_cloudwatch as cloudwatch, aws_cloudwatch_actions as cw_actions, aws_kms as kms, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { cloudWatchAlarmsStatement, keyForService } from './kms-policy';

/** One metric to watch and when it should alarm. */
export interface AlarmSpec {
  readonly id: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparison: cloudwatch.ComparisonOperator;
  readonly description: string;
  readonly evaluationPeriods?: number;
}

/**
 * The SNS topic the alarms notify when no `alarmTopic` is given (id 'AlarmTopic'): encrypted with
 * the database's key (or a key of its own when that key's policy cannot be extended) and refusing
 * publishers that do not use TLS. An alarm without an action is one nobody sees (AWS Control Tower
 * CT.CLOUDWATCH.PR.1); subscribe to this topic to receive them.
 */
export function defaultAlarmTopic(scope: Construct, key: kms.IKey): sns.Topic {
  return new sns.Topic(scope, 'AlarmTopic', {
    displayName: `Alarms of ${scope.node.path}`,
    masterKey: keyForService(scope, 'AlarmTopicKey', key, cloudWatchAlarmsStatement(), `Encrypts the alarm topic of ${scope.node.path}`),
    enforceSSL: true,
  });
}

/** Creates one CloudWatch alarm per spec under `scope`, each notifying `topic` when it fires and clears. */
export function createAlarms(scope: Construct, specs: AlarmSpec[], topic: sns.ITopic): cloudwatch.Alarm[] {
  return specs.map((spec) => {
    const alarm = new cloudwatch.Alarm(scope, spec.id, {
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison,
      evaluationPeriods: spec.evaluationPeriods ?? 2,
      datapointsToAlarm: spec.evaluationPeriods ?? 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: spec.description,
    });
    alarm.addAlarmAction(new cw_actions.SnsAction(topic));
    alarm.addOkAction(new cw_actions.SnsAction(topic));
    return alarm;
  });
}

/** Five-minute averages: the period every database alarm uses. */
export const ALARM_PERIOD = Duration.minutes(5);
