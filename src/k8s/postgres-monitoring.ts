import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DatabaseNetworkPolicy } from './database-network-policy';
import { GeneratedPasswordSecret } from './generated-password-secret';
import { hashedJobName } from './private/hashed-name';
import { EXPORTER_PORT, MonitoringSettings, PGBOUNCER_EXPORTER_PORT, resolveMonitoring } from './private/monitoring-settings';
import { MONITORING_PASSWORD_ENV, monitoringSetupScript } from './private/monitoring-setup-script';
import { containerSecurityContext, podSecurityContext, POSTGRES_UID, resources, superuserEnv } from './private/pod-defaults';
import { postgresAlertRules } from './private/postgres-alert-rules';
import { podMonitor, prometheusRule } from './private/prometheus-operator';
import * as v from '../core/private/validators';
import { throwIfAny } from '../core/private/validators';
import { SslMode } from '../core/ssl-mode';

/**
 * Metrics and alerts of a SharedPostgres (its `monitoring` prop).
 */
export interface PostgresMonitoringOptions {
  /**
   * postgres_exporter image of the database pod's sidecar.
   *
   * @default 'quay.io/prometheuscommunity/postgres-exporter:v0.17.1'
   */
  readonly exporterImage?: string;

  /**
   * pgbouncer_exporter image of the PgBouncer pods' sidecar (with `pgBouncer` only).
   *
   * @default 'quay.io/prometheuscommunity/pgbouncer-exporter:v0.11.1'
   */
  readonly pgBouncerExporterImage?: string;

  /**
   * The PostgreSQL role the exporter logs in as: a member of `pg_monitor` only.
   *
   * @default 'postgres_exporter'
   */
  readonly username?: string;

  /**
   * Labels of the PodMonitors and the PrometheusRule, so your Prometheus selects them
   * (kube-prometheus-stack: `{ release: '<its release name>' }`).
   *
   * @default - none
   */
  readonly labels?: { [key: string]: string };

  /**
   * Namespace of the Prometheus pods, let through the NetworkPolicy to the exporters' ports.
   *
   * @default 'monitoring'
   */
  readonly prometheusNamespace?: string;

  /**
   * Labels of the Prometheus pods (all must match), let through to the exporters' ports.
   *
   * @default { 'app.kubernetes.io/name': 'prometheus' } (the operator's Prometheus pods)
   */
  readonly prometheusPodLabels?: { [key: string]: string };

  /**
   * How often Prometheus scrapes the exporters.
   *
   * @default '30s'
   */
  readonly scrapeInterval?: string;

  /**
   * Labels added to every alert, for Alertmanager's routing (e.g. `{ team: 'platform' }`); each
   * alert has its own `severity`.
   *
   * @default - none
   */
  readonly alertLabels?: { [key: string]: string };
}

/**
 * Props of {@link PostgresMonitoring}: the options and the server they watch.
 */
export interface PostgresMonitoringProps extends PostgresMonitoringOptions {
  /** Namespace of every object (the server's). */
  readonly namespace: string;
  /** The server's base name: its StatefulSet, whose one pod `<name>-0` runs the exporter sidecar. */
  readonly name: string;
  /** Host of the server, for the setup Job. */
  readonly host: string;
  /**
   * Port of the server.
   *
   * @default 5432
   */
  readonly port?: number;
  /** Image with `psql` 15 or later and `pg_isready`, for the setup Job. */
  readonly setupImage: string;
  /** Secret with the superuser's name (`POSTGRES_USER`) and password (`POSTGRES_PASSWORD`). */
  readonly superuserSecretName: string;
  /**
   * libpq `sslmode` of the setup Job.
   *
   * @default SslMode.PREFER
   */
  readonly sslMode?: SslMode;
  /** Labels selecting the database pod. */
  readonly serverSelectorLabels: { [key: string]: string };
  /**
   * Labels added to the setup Job's pods (the label the database's NetworkPolicy admits).
   *
   * @default - none
   */
  readonly clientLabels?: { [key: string]: string };
  /** PersistentVolumeClaims watched for free space (the data claim, the backup claim). */
  readonly claimNames: string[];
  /**
   * How old the last successful backup may be, in seconds (`PostgresBackup.maxAgeSeconds`).
   *
   * @default - no backup alert
   */
  readonly backupMaxAgeSeconds?: number;
  /**
   * Labels selecting the PgBouncer pods whose exporter sidecar is scraped.
   *
   * @default - no PgBouncer
   */
  readonly pgBouncerSelectorLabels?: { [key: string]: string };
}

const OWNER = 'PostgresMonitoring';
/** The monitoring role's connection limit: the exporter holds one or two connections. */
const CONNECTION_LIMIT = 3;

/**
 * The monitoring objects of a SharedPostgres (made by it when `monitoring` is set; the exporter
 * sidecars are in the database and PgBouncer pods):
 *
 * - the monitoring role's Secret (`<name>-monitoring`: `username` in the manifest, `password`
 *   generated in the cluster) and a setup Job creating the role (`pg_monitor` only) and the backup
 *   status table, from the SQL generator;
 * - the exporter's custom queries (a ConfigMap);
 * - a PodMonitor per exporter, and a NetworkPolicy letting Prometheus reach the exporter ports;
 * - a PrometheusRule: database down, connections above 80% of `max_connections`, last successful
 *   backup older than its schedule allows, volume nearly full, a setup Job failed.
 */
export class PostgresMonitoring extends Construct {
  /** The monitoring role's Secret. */
  public readonly secret: GeneratedPasswordSecret;
  /** The Job creating the monitoring role and the backup status table. */
  public readonly setupJob: k8s.KubeJob;
  /** The PodMonitor of the database pod. */
  public readonly podMonitor: ApiObject;
  /** The PodMonitor of the PgBouncer pods, with PgBouncer. */
  public readonly pgBouncerPodMonitor?: ApiObject;
  /** The PrometheusRule with the alerts. */
  public readonly prometheusRule: ApiObject;
  /** The monitoring role. */
  public readonly username: string;

  private readonly jobNames = new Set<string>();
  private readonly lazyJobNames: Array<() => string> = [];

  public constructor(scope: Construct, id: string, props: PostgresMonitoringProps) {
    super(scope, id);
    const { settings: m, problems } = resolveMonitoring(props, props.name);
    const port = props.port ?? 5432;
    const clientLabels = props.clientLabels ?? {};
    throwIfAny(OWNER, [
      ...problems,
      v.kubernetesName('Namespace', 'namespace', props.namespace),
      v.host('host', props.host),
      v.port('port', port),
      v.imageRef('setupImage', props.setupImage, 'postgres:15-alpine'),
      ...v.labels('clientLabels', clientLabels),
    ]);
    this.username = m.username;
    const labels = { 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/instance': props.name, 'app.kubernetes.io/component': 'monitoring' };
    const meta = (name: string, extra: { [key: string]: string } = {}): ApiObjectMetadata => ({
      name, namespace: props.namespace, labels: { ...labels, ...extra },
    });

    this.secret = new GeneratedPasswordSecret(this, 'Secret', {
      secretName: m.secretName,
      namespace: props.namespace,
      passwordKey: 'password',
      stringData: { username: m.username },
      labels,
    });
    this.watchJob(this.secret.jobName);
    new k8s.KubeConfigMap(this, 'Queries', { metadata: meta(m.queriesConfigMapName), data: { 'queries.yaml': m.queriesYaml } });
    this.setupJob = this.makeSetupJob(props, m, meta, { ...labels, ...clientLabels }, port);

    // Prometheus reaches the exporter ports; everything else stays denied.
    const metricsPolicy = (id2: string, name: string, podLabels: { [key: string]: string }, metricsPort: number) => {
      new DatabaseNetworkPolicy(this, id2, { name, namespace: props.namespace, podLabels, port: metricsPort, labels })
        .allowClient(m.prometheusPodLabels, m.prometheusNamespace);
    };
    metricsPolicy('MetricsNetworkPolicy', `${props.name}-metrics`, props.serverSelectorLabels, EXPORTER_PORT);
    const endpoints = [{ port: 'metrics', path: '/metrics', interval: m.scrapeInterval }];
    const namespaceSelector = { matchNames: [props.namespace] };
    this.podMonitor = podMonitor(this, 'PodMonitor', meta(props.name, m.labels), {
      selector: { matchLabels: props.serverSelectorLabels }, namespaceSelector, podMetricsEndpoints: endpoints,
    });
    if (props.pgBouncerSelectorLabels) {
      metricsPolicy('PgBouncerMetricsNetworkPolicy', `${props.name}-pgbouncer-metrics`, props.pgBouncerSelectorLabels, PGBOUNCER_EXPORTER_PORT);
      this.pgBouncerPodMonitor = podMonitor(this, 'PgBouncerPodMonitor', meta(`${props.name}-pgbouncer`, m.labels), {
        selector: { matchLabels: props.pgBouncerSelectorLabels }, namespaceSelector, podMetricsEndpoints: endpoints,
      });
    }
    this.prometheusRule = prometheusRule(this, 'PrometheusRule', meta(props.name, m.labels), () => postgresAlertRules({
      namespace: props.namespace,
      name: props.name,
      claimNames: props.claimNames,
      backupMaxAgeSeconds: props.backupMaxAgeSeconds,
      jobNames: [...this.jobNames, ...this.lazyJobNames.map((name) => name())],
      alertLabels: m.alertLabels,
    }));
  }

  /**
   * Alerts when the Job named `jobName` fails (kube-state-metrics' `kube_job_failed`). SharedPostgres
   * adds every app's init Job and the password bootstrap Jobs.
   *
   * @param jobName the Job's name
   */
  public watchJob(jobName: string): void {
    throwIfAny(OWNER, [v.kubernetesName('Job', 'watchJob jobName', jobName)]);
    this.jobNames.add(jobName);
  }

  /**
   * Watches a Job whose name is known only at synthesis (it ends in a hash of what is added until then).
   * @internal
   */
  public _watchJobLazily(jobName: () => string): void {
    this.lazyJobNames.push(jobName);
  }

  private makeSetupJob(props: PostgresMonitoringProps, m: MonitoringSettings, meta: (n: string) => ApiObjectMetadata,
    podLabels: { [key: string]: string }, port: number): k8s.KubeJob {
    const template: k8s.PodTemplateSpec = {
      metadata: { labels: podLabels },
      spec: {
        restartPolicy: 'OnFailure',
        automountServiceAccountToken: false,
        securityContext: podSecurityContext(POSTGRES_UID),
        containers: [{
          name: 'monitoring-setup',
          image: props.setupImage,
          command: ['/bin/sh', '-c', monitoringSetupScript(m.username, CONNECTION_LIMIT)],
          env: [
            ...superuserEnv({
              host: props.host,
              port,
              secretName: props.superuserSecretName,
              userKey: 'POSTGRES_USER',
              passwordKey: 'POSTGRES_PASSWORD',
              sslMode: props.sslMode ?? SslMode.PREFER,
            }),
            { name: MONITORING_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: m.secretName, key: 'password' } } },
          ],
          resources: resources('10m', '32Mi', '200m', '128Mi'),
          securityContext: containerSecurityContext(POSTGRES_UID),
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        }],
        volumes: [{ name: 'tmp', emptyDir: {} }],
      },
    };
    const name = hashedJobName(`${props.name}-metrics-setup`, template);
    this.watchJob(name);
    return new k8s.KubeJob(this, 'SetupJob', {
      metadata: meta(name),
      spec: { backoffLimit: 4, activeDeadlineSeconds: 900, ttlSecondsAfterFinished: 86400, template },
    });
  }
}
