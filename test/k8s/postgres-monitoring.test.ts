import { Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { validatePrometheusOperator, PROMETHEUS_OPERATOR_SCHEMA } from './prometheus-operator-schema';
import { SharedPostgres, SharedPostgresProps } from '../../src/k8s';
import { PostgresMonitoringOptions } from '../../src/k8s/postgres-monitoring';
import { expectK8sValid, expectNoSecrets } from '../harness';

function find(manifests: any[], kind: string, name?: string): any {
  const found = manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length}`);
  return found[0];
}

describe('SharedPostgres monitoring', () => {
  let chart: Chart;
  beforeEach(() => {
    chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
  });
  const make = (props: Partial<SharedPostgresProps> = {}, monitoring: PostgresMonitoringOptions = {}) =>
    new SharedPostgres(chart, 'Db', { namespace: 'production', monitoring, ...props });
  const serverPod = () => find(chart.toJson(), 'StatefulSet').spec.template.spec;

  test('is off by default: no exporter, no monitoring objects, no status recording', () => {
    new SharedPostgres(chart, 'Db', { namespace: 'production', pgBouncer: {} });
    const m = chart.toJson();
    // TLS is on by default: the server pod has its tls-reload sidecar, and no exporter.
    expect(serverPod().containers.map((c: any) => c.name)).toEqual(['postgres', 'tls-reload']);
    expect(m.filter((o: any) => o.apiVersion === 'monitoring.coreos.com/v1')).toEqual([]);
    expect(m.find((o: any) => o.metadata.name === 'postgres-monitoring')).toBeUndefined();
    expect(find(m, 'Deployment', 'pgbouncer').spec.template.spec.containers.map((c: any) => c.name)).toEqual(['pgbouncer']);
    // The other ConfigMap is the CA of the default TLS certificate.
    expect(find(m, 'ConfigMap', m.find((o: any) => o.metadata.name.startsWith('pgbouncer-config-')).metadata.name).data['pgbouncer.ini']).toContain('stats_users =\n');
  });

  test('adds the postgres_exporter sidecar, logging in over loopback as the monitoring role from its Secret', () => {
    const db = make();
    const exporter = serverPod().containers.find((c: any) => c.name === 'postgres-exporter');
    expect(exporter.image).toBe('quay.io/prometheuscommunity/postgres-exporter:v0.17.1');
    expect(exporter.ports).toEqual([{ name: 'metrics', containerPort: 9187 }]);
    expect(exporter.env).toEqual([
      // TLS is on by default, so even the loopback connection asks for it.
      { name: 'DATA_SOURCE_URI', value: '127.0.0.1:5432/postgres?sslmode=require' },
      { name: 'DATA_SOURCE_USER', valueFrom: { secretKeyRef: { name: 'postgres-monitoring', key: 'username' } } },
      { name: 'DATA_SOURCE_PASS', valueFrom: { secretKeyRef: { name: 'postgres-monitoring', key: 'password' } } },
      { name: 'PG_EXPORTER_EXTEND_QUERY_PATH', value: '/etc/postgres-exporter/queries.yaml' },
    ]);
    expect(exporter.readinessProbe).toBeUndefined(); // a slow exporter never makes the database unready
    expect(exporter.securityContext).toMatchObject({ runAsUser: 65534, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    const queries = chart.toJson().find((o: any) => o.kind === 'ConfigMap' && 'queries.yaml' in (o.data ?? {})).metadata.name;
    expect(serverPod().volumes).toContainEqual({ name: 'exporter-queries', configMap: { name: queries } });
    expect(find(chart.toJson(), 'Secret', 'postgres-monitoring').stringData).toEqual({ username: 'postgres_exporter' });
    expect(db.monitoring!.username).toBe('postgres_exporter');
  });

  test('with TLS the exporter requires it on loopback too', () => {
    make({ tlsSecretName: 'postgres-tls' });
    const exporter = serverPod().containers.find((c: any) => c.name === 'postgres-exporter');
    expect(exporter.env[0]).toEqual({ name: 'DATA_SOURCE_URI', value: '127.0.0.1:5432/postgres?sslmode=require' });
  });

  test('a setup Job creates the monitoring role and the status table, as a platform client', () => {
    const db = make();
    const job = db.monitoring!.setupJob.toJson();
    expect(job.metadata.name).toMatch(/^postgres-metrics-setup-[0-9a-f]{8}$/);
    const c = job.spec.template.spec.containers[0];
    expect(c.command[2]).toContain('GRANT pg_monitor TO postgres_exporter;');
    expect(c.command[2]).toContain('CREATE TABLE IF NOT EXISTS cdk_db_platform.backup_status');
    expect(c.env).toContainEqual({ name: 'MONITORING_PASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-monitoring', key: 'password' } } });
    expect(job.spec.template.metadata.labels).toMatchObject(db.clientLabels);
    // The backup records its successful runs for the exporter.
    expect(find(chart.toJson(), 'CronJob', 'postgres-backup').spec.jobTemplate.spec.template.spec.containers[0].env).toContainEqual({ name: 'BACKUP_RECORD_STATUS', value: 'true' });
  });

  test('a PodMonitor scrapes the database pod\'s metrics port, with the labels Prometheus selects', () => {
    make({}, { labels: { release: 'kube-prometheus-stack' }, scrapeInterval: '15s' });
    const pm = find(chart.toJson(), 'PodMonitor', 'postgres');
    expect(pm.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    expect(pm.spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/instance': 'postgres', 'app.kubernetes.io/component': 'database' } },
      namespaceSelector: { matchNames: ['production'] },
      podMetricsEndpoints: [{ port: 'metrics', path: '/metrics', interval: '15s' }],
    });
    expect(find(chart.toJson(), 'PrometheusRule').metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
  });

  test('a NetworkPolicy lets the Prometheus pods reach the exporter port, and nothing else', () => {
    make({}, { prometheusNamespace: 'observability', prometheusPodLabels: { app: 'prometheus' } });
    const np = find(chart.toJson(), 'NetworkPolicy', 'postgres-metrics');
    expect(np.spec.podSelector.matchLabels).toMatchObject({ 'app.kubernetes.io/component': 'database' });
    expect(np.spec.ingress).toEqual([{
      from: [{ podSelector: { matchLabels: { app: 'prometheus' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } } }],
      ports: [{ protocol: 'TCP', port: 9187 }],
    }]);
    // The database port's own policy is unchanged.
    expect(find(chart.toJson(), 'NetworkPolicy', 'postgres').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 5432 }]);
  });

  test('with PgBouncer: an exporter sidecar as a stats user PgBouncer alone knows, its PodMonitor and NetworkPolicy', () => {
    const db = make({ pgBouncer: {} });
    const m = chart.toJson();
    const pod = find(m, 'Deployment', 'pgbouncer').spec.template.spec;
    const exporter = pod.containers.find((c: any) => c.name === 'pgbouncer-exporter');
    expect(exporter.image).toBe('quay.io/prometheuscommunity/pgbouncer-exporter:v0.11.1');
    expect(exporter.env).toEqual([
      { name: 'PGBOUNCER_EXPORTER_CONNECTION_STRING', value: 'postgres://pgbouncer_stats@127.0.0.1:6432/pgbouncer?sslmode=require' },
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'pgbouncer-stats', key: 'password' } } },
    ]);
    expect(find(m, 'ConfigMap', m.find((o: any) => o.metadata.name.startsWith('pgbouncer-config-')).metadata.name).data['pgbouncer.ini'])
      .toContain('stats_users = pgbouncer_stats\n');
    const userlist = pod.initContainers[0];
    expect(userlist.command[2]).toContain('"$STATS_USER"');
    expect(userlist.env).toContainEqual({ name: 'STATS_PASSWORD', valueFrom: { secretKeyRef: { name: 'pgbouncer-stats', key: 'password' } } });
    expect(find(m, 'Secret', 'pgbouncer-stats').stringData).toEqual({ username: 'pgbouncer_stats' });
    expect(find(m, 'PodMonitor', 'postgres-pgbouncer').spec.selector.matchLabels).toEqual(db.pgBouncer!.selectorLabels);
    expect(find(m, 'NetworkPolicy', 'postgres-pgbouncer-metrics').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9127 }]);
  });

  test('the alerts watch every setup Job, those of apps added later included', () => {
    const db = make({ pgBouncer: {} });
    const app = db.addApp('example_app');
    const expr = find(chart.toJson(), 'PrometheusRule').spec.groups[0].rules.find((r: any) => r.alert === 'PostgresSetupJobFailed').expr;
    for (const job of [app.initJob!.jobName, db.superuserSecret!.jobName, db.pgBouncer!.authSecret.jobName, db.pgBouncer!.statsSecret!.jobName,
      db.pgBouncer!.authSetupJob.name, db.monitoring!.secret.jobName, db.monitoring!.setupJob.name]) {
      expect(expr).toContain(job);
    }
  });

  test('without backups there is no backup alert, and only the data claim is watched', () => {
    make({ backupEnabled: false });
    const rules = find(chart.toJson(), 'PrometheusRule').spec.groups[0].rules;
    expect(rules.map((r: any) => r.alert)).not.toContain('PostgresBackupTooOld');
    expect(rules.find((r: any) => r.alert === 'PostgresVolumeNearlyFull').expr).toContain('persistentvolumeclaim=~"data-postgres-0"');
  });

  test('the backup alert allows the schedule\'s longest interval plus the Job\'s deadlines', () => {
    make({ backup: { schedule: '0 2 * * 0' } });
    const rule = find(chart.toJson(), 'PrometheusRule').spec.groups[0].rules.find((r: any) => r.alert === 'PostgresBackupTooOld');
    expect(rule.expr).toMatch(/> 630000$/); // 7 days + 7 hours
    expect(rule.annotations.description).toContain('allowed: 175h');
  });

  test('every object passes the Kubernetes and prometheus-operator schemas and holds no secret', () => {
    make({ pgBouncer: {}, tlsSecretName: 'postgres-tls' }, { labels: { release: 'prom' }, alertLabels: { team: 'platform' } }).addApp('example_app');
    expectK8sValid(chart, { customResources: PROMETHEUS_OPERATOR_SCHEMA });
    for (const o of chart.toJson().filter((d: any) => d.apiVersion === 'monitoring.coreos.com/v1')) expect(validatePrometheusOperator(o)).toEqual([]);
    expectNoSecrets([{ label: 'monitoring', text: YAML.stringify(chart.toJson()) }]);
  });

  test('the schema check catches an unknown field in a PodMonitor', () => {
    make();
    const pm = JSON.parse(JSON.stringify(find(chart.toJson(), 'PodMonitor')));
    pm.spec.podMetricsEndpoints[0].scrapeIntervall = '30s';
    expect(validatePrometheusOperator(pm)).toEqual(['PodMonitor.spec.podMetricsEndpoints[0].scrapeIntervall: unknown field']);
  });

  describe('validation', () => {
    test.each<[string, PostgresMonitoringOptions, RegExp]>([
      ['throws on an unpinned exporter image', { exporterImage: 'prometheuscommunity/postgres-exporter' },
        /SharedPostgres: monitoring.exporterImage must be pinned to a version \(got "prometheuscommunity\/postgres-exporter"\)/],
      ['throws on a PgBouncer exporter image with a space', { pgBouncerExporterImage: 'pgbouncer exporter:1' }, /SharedPostgres: monitoring.pgBouncerExporterImage must be a container image reference/],
      ['throws on a monitoring role starting with pg_', { username: 'pg_exporter' }, /SharedPostgres: monitoring.username must not start with 'pg_' \(got "pg_exporter"\)/],
      ['throws on PodMonitor labels that are not labels', { labels: { release: 'kube prometheus' } }, /SharedPostgres: monitoring.labels value "kube prometheus"/],
      ['throws on a Prometheus namespace with upper case', { prometheusNamespace: 'Monitoring' }, /SharedPostgres: monitoring.prometheusNamespace must be a DNS-1123 label/],
      ['throws on empty Prometheus pod labels', { prometheusPodLabels: {} }, /SharedPostgres: monitoring.prometheusPodLabels must not be empty \(got \{\}\)/],
      ['throws on a scrape interval that is no duration', { scrapeInterval: '30 seconds' }, /SharedPostgres: monitoring.scrapeInterval must be a Prometheus duration .* \(got "30 seconds"\)/],
      ['throws on alert labels that set severity', { alertLabels: { severity: 'page' } }, /SharedPostgres: monitoring.alertLabels must not set severity \(got "page"\); each alert has its own/],
    ])('%s', (_name, monitoring, message) => {
      expect(() => make({}, monitoring)).toThrow(message);
    });

    test('throws when an app would take the monitoring role or its Secret', () => {
      const db = make({ pgBouncer: {} });
      expect(() => db.addApp('x', { username: 'postgres_exporter' })).toThrow(/SharedPostgres: username "postgres_exporter" is a role of the server itself/);
      expect(() => db.addApp('y', { secretName: 'postgres-monitoring' })).toThrow(/SharedPostgres: secretName "postgres-monitoring" is a Secret of the server itself/);
      expect(() => db.addApp('z', { username: 'pgbouncer_stats' })).toThrow(/SharedPostgres: username "pgbouncer_stats" is a role of the server itself/);
      expect(() => db.addApp('w', { secretName: 'pgbouncer-stats' })).toThrow(/SharedPostgres: secretName "pgbouncer-stats" is a Secret of the server itself/);
    });

    test('throws on a watched Job name that is no Job name', () => {
      expect(() => make().monitoring!.watchJob('Bad_Job')).toThrow(/PostgresMonitoring: watchJob jobName must be a DNS-1123 label/);
    });
  });
});

describe('SharedPostgres availability', () => {
  let chart: Chart;
  beforeEach(() => {
    chart = Testing.chart();
  });
  const selector = { matchLabels: { 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/instance': 'postgres', 'app.kubernetes.io/component': 'database' } };

  test('by default the PodDisruptionBudget lets a node drain evict the pod, healthy or not', () => {
    new SharedPostgres(chart, 'Db', { namespace: 'production' });
    expect(find(chart.toJson(), 'PodDisruptionBudget', 'postgres').spec).toEqual({ maxUnavailable: 1, selector, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
  });

  test('blockNodeDrains keeps the pod until an operator deletes it', () => {
    new SharedPostgres(chart, 'Db', { namespace: 'production', blockNodeDrains: true });
    expect(find(chart.toJson(), 'PodDisruptionBudget', 'postgres').spec).toEqual({ minAvailable: 1, selector });
  });
});
