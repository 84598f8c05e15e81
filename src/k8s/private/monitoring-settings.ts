import { k8s } from 'cdk8s-plus-28';
import { contentHash } from './hashed-name';
import { containerSecurityContext, resources } from './pod-defaults';
import { exporterQueriesYaml } from '../../core/private/monitoring-steps';
import * as v from '../../core/private/validators';
import { Problem } from '../../core/private/validators';
import type { PostgresMonitoringOptions } from '../postgres-monitoring';

export const DEFAULT_EXPORTER_IMAGE = 'quay.io/prometheuscommunity/postgres-exporter:v0.17.1';
export const DEFAULT_PGBOUNCER_EXPORTER_IMAGE = 'quay.io/prometheuscommunity/pgbouncer-exporter:v0.11.1';
/** postgres_exporter's and pgbouncer_exporter's default ports. */
export const EXPORTER_PORT = 9187;
export const PGBOUNCER_EXPORTER_PORT = 9127;
/** The exporter images' user (`nobody`). */
const EXPORTER_UID = 65534;
const QUERIES_DIR = '/etc/postgres-exporter';

/** {@link PostgresMonitoringOptions} with the defaults applied (the one place they are), plus derived names. */
export interface MonitoringSettings {
  readonly exporterImage: string;
  readonly pgBouncerExporterImage: string;
  readonly username: string;
  readonly labels: { [key: string]: string };
  readonly prometheusNamespace: string;
  readonly prometheusPodLabels: { [key: string]: string };
  readonly scrapeInterval: string;
  readonly alertLabels: { [key: string]: string };
  /** The monitoring role's Secret: `username` in the manifest, `password` generated in the cluster. */
  readonly secretName: string;
  /** The ConfigMap with the exporter's custom queries (named after their hash). */
  readonly queriesConfigMapName: string;
  readonly queriesYaml: string;
}

/** Applies the defaults for the server `name`, and returns the settings with every problem. */
export function resolveMonitoring(o: PostgresMonitoringOptions, name: string): { settings: MonitoringSettings; problems: Problem[] } {
  const queriesYaml = exporterQueriesYaml();
  const settings: MonitoringSettings = {
    exporterImage: o.exporterImage ?? DEFAULT_EXPORTER_IMAGE,
    pgBouncerExporterImage: o.pgBouncerExporterImage ?? DEFAULT_PGBOUNCER_EXPORTER_IMAGE,
    username: o.username ?? 'postgres_exporter',
    labels: o.labels ?? {},
    prometheusNamespace: o.prometheusNamespace ?? 'monitoring',
    prometheusPodLabels: o.prometheusPodLabels ?? { 'app.kubernetes.io/name': 'prometheus' },
    scrapeInterval: o.scrapeInterval ?? '30s',
    alertLabels: o.alertLabels ?? {},
    secretName: `${name}-monitoring`,
    queriesConfigMapName: `${name}-exporter-${contentHash(queriesYaml, 10)}`,
    queriesYaml,
  };
  const problems: Problem[] = [
    v.imageRef('monitoring.exporterImage', settings.exporterImage, DEFAULT_EXPORTER_IMAGE),
    v.imageRef('monitoring.pgBouncerExporterImage', settings.pgBouncerExporterImage, DEFAULT_PGBOUNCER_EXPORTER_IMAGE),
    v.pgRoleName('monitoring.username', settings.username),
    ...v.labels('monitoring.labels', settings.labels),
    v.kubernetesName('Namespace', 'monitoring.prometheusNamespace', settings.prometheusNamespace),
    ...v.labels('monitoring.prometheusPodLabels', settings.prometheusPodLabels, true),
    v.promDuration('monitoring.scrapeInterval', settings.scrapeInterval),
    ...v.labels('monitoring.alertLabels', settings.alertLabels),
    'severity' in settings.alertLabels
      ? `monitoring.alertLabels must not set severity (got ${v.show(settings.alertLabels.severity)}); each alert has its own. Route on another label, e.g. { team: 'platform' }.`
      : undefined,
  ];
  return { settings, problems };
}

/**
 * The postgres_exporter sidecar of the database pod: it logs in over loopback as the monitoring
 * role (user and password from its Secret, never in the manifest), runs the custom query for the
 * backup's last success, and serves `/metrics` on port `metrics` (9187). It has no probes, so a
 * slow scrape can never make the database pod unready.
 */
export function postgresExporterContainer(m: MonitoringSettings, port: number, tls: boolean): k8s.Container {
  const fromSecret = (key: string): k8s.EnvVarSource => ({ secretKeyRef: { name: m.secretName, key } });
  return {
    name: 'postgres-exporter',
    image: m.exporterImage,
    ports: [{ name: 'metrics', containerPort: EXPORTER_PORT }],
    env: [
      { name: 'DATA_SOURCE_URI', value: `127.0.0.1:${port}/postgres?sslmode=${tls ? 'require' : 'disable'}` },
      { name: 'DATA_SOURCE_USER', valueFrom: fromSecret('username') },
      { name: 'DATA_SOURCE_PASS', valueFrom: fromSecret('password') },
      { name: 'PG_EXPORTER_EXTEND_QUERY_PATH', value: `${QUERIES_DIR}/queries.yaml` },
    ],
    resources: resources('10m', '32Mi', '200m', '128Mi'),
    securityContext: containerSecurityContext(EXPORTER_UID),
    volumeMounts: [{ name: 'exporter-queries', mountPath: QUERIES_DIR, readOnly: true }],
  };
}

/** The volume of the exporter's custom queries. */
export function exporterQueriesVolume(m: MonitoringSettings): k8s.Volume {
  return { name: 'exporter-queries', configMap: { name: m.queriesConfigMapName } };
}
