import { BACKUP_METRIC } from '../../core/private/monitoring-steps';

/**
 * The alerting rules of a SharedPostgres, as plain data for a prometheus-operator PrometheusRule
 * (and for `promtool check rules` / `promtool test rules`, which the tests run on them).
 *
 * Metrics come from the exporter sidecar (`pg_up`, `pg_stat_activity_count`,
 * `pg_settings_max_connections`, the backup's custom query), Prometheus itself (`up`), the kubelet
 * (`kubelet_volume_stats_*`) and kube-state-metrics (`kube_job_failed`).
 */

/** A Prometheus alerting rule. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { [key: string]: string };
  readonly annotations: { [key: string]: string };
}

/** A Prometheus rule group. */
export interface RuleGroup {
  readonly name: string;
  readonly rules: AlertingRule[];
}

/** What the rules watch; every name is validated. */
export interface AlertRuleInput {
  readonly namespace: string;
  /** The StatefulSet: its one pod is `<name>-0`. */
  readonly name: string;
  /** Every PersistentVolumeClaim to watch for space (the data claim, the backup claim). */
  readonly claimNames: string[];
  /** The backup's allowance (see `PostgresBackup.maxAgeSeconds`); none without backups. */
  readonly backupMaxAgeSeconds?: number;
  /** The one-off Jobs (init, setup, password bootstrap) whose failure alerts. */
  readonly jobNames: string[];
  /** Labels added to every alert. */
  readonly alertLabels: { [key: string]: string };
}

/** Share of `max_connections` in use above which the connections alert fires. */
export const CONNECTIONS_ALERT_RATIO = 0.8;
/** Free share of a volume below which the volume alert fires. */
export const VOLUME_FREE_ALERT_RATIO = 0.1;

/** A regular expression matching exactly one of `names` (DNS names: '.' is the only metacharacter). */
function oneOf(names: string[]): string {
  return [...new Set(names)].sort().map((n) => n.replace(/\./g, '\\\\.')).join('|');
}

/** `72h`, `31h`, `1h30m`: a whole-minute duration in Prometheus's notation. */
function duration(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${h > 0 ? `${h}h` : ''}${m > 0 || h === 0 ? `${m}m` : ''}`;
}

/** The group of alerts of one SharedPostgres. */
export function postgresAlertRules(i: AlertRuleInput): RuleGroup {
  const pod = `namespace="${i.namespace}", pod="${i.name}-0"`;
  const exporter = `${pod}, container="postgres-exporter"`;
  const where = `${i.namespace}/${i.name}`;
  const rule = (alert: string, severity: string, expr: string, forDuration: string, summary: string, description: string): AlertingRule => ({
    alert,
    expr,
    for: forDuration,
    labels: { ...i.alertLabels, severity },
    annotations: { summary, description },
  });
  const rules: AlertingRule[] = [
    rule('PostgresDown', 'critical',
      `pg_up{${pod}} == 0 or up{${exporter}} == 0 or absent(up{${exporter}})`,
      '2m',
      `PostgreSQL ${where} is down`,
      `The database pod ${i.name}-0 in ${i.namespace} is not running, not scraped, or its exporter cannot log in (pg_up = 0) for 2 minutes. `
        + 'Apps using it fail. Check `kubectl -n ' + i.namespace + ' describe pod ' + i.name + '-0` and its logs.'),
    rule('PostgresConnectionsNearLimit', 'warning',
      `sum by (namespace, pod) (pg_stat_activity_count{${pod}}) / on (namespace, pod) max by (namespace, pod) (pg_settings_max_connections{${pod}}) > ${CONNECTIONS_ALERT_RATIO}`,
      '5m',
      `PostgreSQL ${where} uses over ${CONNECTIONS_ALERT_RATIO * 100}% of max_connections`,
      `{{ $value | humanizePercentage }} of max_connections are in use on ${where}. New connections fail at 100%: `
        + 'point busy apps at PgBouncer, lower their pool sizes, or raise maxConnections.'),
  ];
  if (i.backupMaxAgeSeconds !== undefined) {
    rules.push(rule('PostgresBackupTooOld', 'critical',
      `time() - max by (namespace) (${BACKUP_METRIC}{${pod}}) > ${i.backupMaxAgeSeconds}`,
      '5m',
      `The last successful backup of ${where} is older than its schedule allows`,
      `No backup of ${where} has succeeded for {{ $value | humanizeDuration }} (allowed: ${duration(i.backupMaxAgeSeconds)}, the schedule's longest interval plus the Job's deadlines). `
        + `Check the Jobs of CronJob ${i.name}-backup: kubectl -n ${i.namespace} get jobs.`));
  }
  const claims = oneOf(i.claimNames);
  rules.push(rule('PostgresVolumeNearlyFull', 'warning',
    `kubelet_volume_stats_available_bytes{namespace="${i.namespace}", persistentvolumeclaim=~"${claims}"} / kubelet_volume_stats_capacity_bytes{namespace="${i.namespace}", persistentvolumeclaim=~"${claims}"} < ${VOLUME_FREE_ALERT_RATIO}`,
    '5m',
    `Volume {{ $labels.persistentvolumeclaim }} of ${where} is nearly full`,
    'Only {{ $value | humanizePercentage }} of {{ $labels.persistentvolumeclaim }} is free. A full data volume stops PostgreSQL; a full backup volume fails the backups. '
      + 'Grow the claim (if its StorageClass allows expansion) or lower the backup retention.'));
  if (i.jobNames.length > 0) {
    rules.push(rule('PostgresSetupJobFailed', 'warning',
      `kube_job_failed{namespace="${i.namespace}", condition="true", job_name=~"${oneOf(i.jobNames)}"} > 0`,
      '1m',
      `Setup Job {{ $labels.job_name }} of ${where} failed`,
      'The Job {{ $labels.job_name }} (an app\'s init, a password bootstrap or the monitoring setup) failed for good, so what it creates is missing. '
        + `Read its logs: kubectl -n ${i.namespace} logs job/{{ $labels.job_name }} --all-containers.`));
  }
  return { name: `shared-postgres/${i.namespace}/${i.name}`, rules };
}
