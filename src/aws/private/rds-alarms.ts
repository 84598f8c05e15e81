import { Duration, aws_cloudwatch as cloudwatch, aws_cloudwatch_actions as cw_actions, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** One metric to watch and when it should alarm. */
export interface AlarmSpec {
  readonly id: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparison: cloudwatch.ComparisonOperator;
  readonly description: string;
  readonly evaluationPeriods?: number;
}

/** Creates one CloudWatch alarm per spec under `scope`, each notifying `topic` when given. */
export function createAlarms(scope: Construct, specs: AlarmSpec[], topic?: sns.ITopic): cloudwatch.Alarm[] {
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
    if (topic) {
      alarm.addAlarmAction(new cw_actions.SnsAction(topic));
      alarm.addOkAction(new cw_actions.SnsAction(topic));
    }
    return alarm;
  });
}

/** Five-minute averages: the period every database alarm uses. */
export const ALARM_PERIOD = Duration.minutes(5);
