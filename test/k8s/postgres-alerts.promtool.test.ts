import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { validatePrometheusOperator } from './prometheus-operator-schema';
import { build } from '../../examples/shared-postgres';
import { SharedPostgres } from '../../src/k8s';
import { toolOrSkip, which } from '../harness';

/**
 * The synthesized PrometheusRule, proved with Prometheus's own tool: `promtool check rules` parses
 * every expression and template, and `promtool test rules` evaluates each alert on input series
 * (as postgres_exporter, Prometheus, the kubelet and kube-state-metrics name them) and checks it
 * fires, with its labels and rendered annotations, and stays silent when it should.
 */
function synthesize(): { rule: any; initJob: string } {
  const chart = new Chart(new App(), 'db', { namespace: 'production' });
  const db = new SharedPostgres(chart, 'Postgres', { namespace: 'production', pgBouncer: {}, monitoring: { alertLabels: { team: 'platform' } } });
  const app = db.addApp('example_app');
  const rule = chart.toJson().find((d: any) => d.kind === 'PrometheusRule');
  return { rule, initJob: app.initJob!.jobName };
}

describe('the PrometheusRule of SharedPostgres, under promtool', () => {
  const { rule, initJob } = synthesize();
  const rules = rule.spec.groups[0].rules as any[];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promtool-'));
  const rulesFile = path.join(dir, 'rules.yaml');
  fs.writeFileSync(rulesFile, YAML.stringify({ groups: rule.spec.groups }));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const byName = (alert: string) => rules.find((r) => r.alert === alert);
  /** The alert's annotations with each template replaced by the text Prometheus renders for it. */
  const rendered = (alert: string, values: Record<string, string>) => Object.fromEntries(Object.entries<string>(byName(alert).annotations)
    .map(([k, text]) => [k, Object.entries(values).reduce((t, [template, value]) => t.split(template).join(value), text)]));

  function promtool(...args: string[]) {
    return spawnSync(which('promtool')!, args, { encoding: 'utf-8', cwd: dir });
  }

  /** Runs `promtool test rules` with the given tests; fails with promtool's report. */
  function testRules(tests: any[]) {
    const file = path.join(dir, `test-${Math.random().toString(36).slice(2)}.yaml`);
    fs.writeFileSync(file, YAML.stringify({ rule_files: [rulesFile], evaluation_interval: '1m', tests }));
    const result = promtool('test', 'rules', file);
    expect(`${result.stdout}${result.stderr}`).toMatch(/SUCCESS/);
    expect(result.status).toBe(0);
  }

  const pod = 'namespace="production", pod="postgres-0"';
  const exporter = `${pod}, container="postgres-exporter"`;
  const podLabels = { namespace: 'production', pod: 'postgres-0' };
  const base = { severity: 'warning', team: 'platform' };

  test('has the five alerts, each with a severity and the alertLabels, and a valid prometheus-operator schema', () => {
    expect(rules.map((r) => r.alert)).toEqual(['PostgresDown', 'PostgresConnectionsNearLimit', 'PostgresBackupTooOld', 'PostgresVolumeNearlyFull', 'PostgresSetupJobFailed']);
    for (const r of rules) expect(r.labels).toEqual({ team: 'platform', severity: expect.stringMatching(/^(critical|warning)$/) });
    expect(validatePrometheusOperator(rule)).toEqual([]);
  });

  test('promtool check rules accepts every rule', () => {
    if (!toolOrSkip('promtool')) return;
    const result = promtool('check', 'rules', rulesFile);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/SUCCESS: 5 rules found/);
  });

  test('promtool check rules accepts the example\'s rules', () => {
    if (!toolOrSkip('promtool')) return;
    const out = fs.mkdtempSync(path.join(dir, 'example-'));
    build(out).k8s!.synth();
    const groups = fs.readdirSync(out).flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(out, f), 'utf-8')).map((d) => d.toJSON()))
      .filter((d: any) => d?.kind === 'PrometheusRule').flatMap((d: any) => d.spec.groups);
    expect(groups.length).toBeGreaterThanOrEqual(2);
    const file = path.join(out, 'rules.yaml');
    fs.writeFileSync(file, YAML.stringify({ groups }));
    const result = promtool('check', 'rules', file);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('PostgresDown fires when the exporter cannot log in, when the pod is not scraped, and not while all is up', () => {
    if (!toolOrSkip('promtool')) return;
    const annotations = rendered('PostgresDown', {});
    const down = { ...base, severity: 'critical', ...podLabels, container: 'postgres-exporter' };
    testRules([
      {
        interval: '1m',
        input_series: [{ series: `pg_up{${exporter}}`, values: '1x30' }, { series: `up{${exporter}}`, values: '1x30' }],
        alert_rule_test: [{ eval_time: '20m', alertname: 'PostgresDown', exp_alerts: [] }],
      },
      {
        interval: '1m',
        input_series: [{ series: `pg_up{${exporter}}`, values: '1x5 0x25' }, { series: `up{${exporter}}`, values: '1x30' }],
        alert_rule_test: [
          { eval_time: '6m', alertname: 'PostgresDown', exp_alerts: [] },
          { eval_time: '10m', alertname: 'PostgresDown', exp_alerts: [{ exp_labels: down, exp_annotations: annotations }] },
        ],
      },
      {
        // The pod is gone: no target, so no `up` at all.
        interval: '1m',
        input_series: [{ series: 'up{namespace="production", pod="other-0", container="postgres-exporter"}', values: '1x30' }],
        alert_rule_test: [{ eval_time: '10m', alertname: 'PostgresDown', exp_alerts: [{ exp_labels: down, exp_annotations: annotations }] }],
      },
    ]);
  });

  test('PostgresConnectionsNearLimit fires above 80% of max_connections for 5 minutes, not at 50%', () => {
    if (!toolOrSkip('promtool')) return;
    const series = (active: number, idle: number) => [
      { series: `pg_stat_activity_count{${exporter}, datname="example_app_db", state="active"}`, values: `${active}x30` },
      { series: `pg_stat_activity_count{${exporter}, datname="example_app_db", state="idle"}`, values: `${idle}x30` },
      { series: `pg_stat_activity_count{${exporter}, datname="postgres", state="active"}`, values: '1x30' },
      { series: `pg_settings_max_connections{${exporter}}`, values: '100x30' },
    ];
    testRules([
      { interval: '1m', input_series: series(30, 19), alert_rule_test: [{ eval_time: '20m', alertname: 'PostgresConnectionsNearLimit', exp_alerts: [] }] },
      {
        interval: '1m',
        input_series: series(60, 24),
        alert_rule_test: [
          { eval_time: '4m', alertname: 'PostgresConnectionsNearLimit', exp_alerts: [] },
          {
            eval_time: '10m',
            alertname: 'PostgresConnectionsNearLimit',
            exp_alerts: [{ exp_labels: { ...base, ...podLabels }, exp_annotations: rendered('PostgresConnectionsNearLimit', { '{{ $value | humanizePercentage }}': '85%' }) }],
          },
        ],
      },
    ]);
  });

  test('PostgresBackupTooOld fires once the last success is older than the schedule allows (31h for daily), not while backups succeed daily', () => {
    if (!toolOrSkip('promtool')) return;
    expect(byName('PostgresBackupTooOld').expr).toMatch(/> 111600$/);
    const metric = `cdkdb_backup_last_success_timestamp_seconds{${exporter}}`;
    testRules([
      {
        // The last success at time 0, then none: 31h later (1860 min) plus the 5 minutes of `for`, it fires.
        interval: '1m',
        input_series: [{ series: metric, values: '0x2000' }],
        alert_rule_test: [
          { eval_time: '1800m', alertname: 'PostgresBackupTooOld', exp_alerts: [] },
          {
            eval_time: '1870m',
            alertname: 'PostgresBackupTooOld',
            exp_alerts: [{
              exp_labels: { ...base, severity: 'critical', namespace: 'production' },
              exp_annotations: rendered('PostgresBackupTooOld', { '{{ $value | humanizeDuration }}': '1d 7h 10m 0s' }),
            }],
          },
        ],
      },
      {
        // A success every day at 03:00 (the first at 0): never older than 24h.
        interval: '1m',
        input_series: [{ series: metric, values: '0x1439 86400x1439 172800x200' }],
        alert_rule_test: [{ eval_time: '3000m', alertname: 'PostgresBackupTooOld', exp_alerts: [] }],
      },
    ]);
  });

  test('PostgresVolumeNearlyFull fires for the server\'s claims below 10% free, not for others or above', () => {
    if (!toolOrSkip('promtool')) return;
    const volume = (claim: string, available: number) => [
      { series: `kubelet_volume_stats_available_bytes{namespace="production", persistentvolumeclaim="${claim}"}`, values: `${available}x30` },
      { series: `kubelet_volume_stats_capacity_bytes{namespace="production", persistentvolumeclaim="${claim}"}`, values: '1000x30' },
    ];
    testRules([{
      interval: '1m',
      input_series: [...volume('data-postgres-0', 50), ...volume('postgres-backups', 500), ...volume('data-other-0', 10)],
      alert_rule_test: [
        { eval_time: '3m', alertname: 'PostgresVolumeNearlyFull', exp_alerts: [] },
        {
          eval_time: '10m',
          alertname: 'PostgresVolumeNearlyFull',
          exp_alerts: [{
            exp_labels: { ...base, namespace: 'production', persistentvolumeclaim: 'data-postgres-0' },
            exp_annotations: rendered('PostgresVolumeNearlyFull', { '{{ $value | humanizePercentage }}': '5%', '{{ $labels.persistentvolumeclaim }}': 'data-postgres-0' }),
          }],
        },
      ],
    }]);
  });

  test('PostgresSetupJobFailed fires for a failed init Job of an app (kube-state-metrics), not for other Jobs', () => {
    if (!toolOrSkip('promtool')) return;
    expect(byName('PostgresSetupJobFailed').expr).toContain(initJob);
    testRules([{
      interval: '1m',
      input_series: [
        { series: `kube_job_failed{namespace="production", job_name="${initJob}", condition="true"}`, values: '0x3 1x20' },
        { series: `kube_job_failed{namespace="production", job_name="${initJob}", condition="false"}`, values: '1x3 0x20' },
        { series: 'kube_job_failed{namespace="production", job_name="other-db-init-12345678", condition="true"}', values: '1x23' },
      ],
      alert_rule_test: [
        { eval_time: '3m', alertname: 'PostgresSetupJobFailed', exp_alerts: [] },
        {
          eval_time: '6m',
          alertname: 'PostgresSetupJobFailed',
          exp_alerts: [{
            exp_labels: { ...base, namespace: 'production', job_name: initJob, condition: 'true' },
            exp_annotations: rendered('PostgresSetupJobFailed', { '{{ $labels.job_name }}': initJob }),
          }],
        },
      ],
    }]);
  });
});
