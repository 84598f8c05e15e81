import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PGBOUNCER_EXPORTER_PORT } from './monitoring-settings';
import { containerSecurityContext, resources } from './pod-defaults';
import { GeneratedPasswordSecret } from '../generated-password-secret';

/** The exporter's user: in PgBouncer's auth file and `stats_users` only, no PostgreSQL role. */
export const STATS_USER = 'pgbouncer_stats';
/** Key of the stats user's password in its Secret. */
const STATS_PASSWORD_KEY = 'password';

/** What a PgBouncer with an exporter adds. */
export interface PgBouncerExporter {
  /** The stats user's Secret: `username` in the manifest, `password` generated in the cluster. */
  readonly secret: GeneratedPasswordSecret;
  /** The userlist init container's extra env: `STATS_USER`, `STATS_PASSWORD`. */
  readonly userlistEnv: k8s.EnvVar[];
  /** The sidecar. */
  readonly container: k8s.Container;
}

/** Settings of {@link pgBouncerExporter}; every value is validated. */
export interface PgBouncerExporterSettings {
  readonly image: string;
  /** The stats Secret is `<serviceName>-stats`. */
  readonly serviceName: string;
  readonly namespace: string;
  readonly labels: { [key: string]: string };
  readonly listenPort: number;
  /** PgBouncer requires TLS of its clients. */
  readonly tls: boolean;
}

/**
 * The pgbouncer_exporter of a PgBouncer pod: a sidecar that logs in over loopback to PgBouncer's
 * `pgbouncer` console as the stats user (allowed only `SHOW`), with the password from the stats
 * Secret in `PGPASSWORD` (read by lib/pq, never in the manifest), serving `/metrics` on port
 * `metrics` (9127). No probes, so the pooler's readiness never depends on it.
 */
export function pgBouncerExporter(scope: Construct, s: PgBouncerExporterSettings): PgBouncerExporter {
  const secretName = `${s.serviceName}-stats`;
  const secret = new GeneratedPasswordSecret(scope, 'StatsSecret', {
    secretName, namespace: s.namespace, passwordKey: STATS_PASSWORD_KEY, stringData: { username: STATS_USER }, labels: s.labels,
  });
  const password: k8s.EnvVarSource = { secretKeyRef: { name: secretName, key: STATS_PASSWORD_KEY } };
  return {
    secret,
    userlistEnv: [{ name: 'STATS_USER', value: STATS_USER }, { name: 'STATS_PASSWORD', valueFrom: password }],
    container: {
      name: 'pgbouncer-exporter',
      image: s.image,
      ports: [{ name: 'metrics', containerPort: PGBOUNCER_EXPORTER_PORT }],
      env: [
        // lib/pq knows no sslmode=prefer: disable on loopback, require when PgBouncer requires TLS of clients.
        { name: 'PGBOUNCER_EXPORTER_CONNECTION_STRING', value: `postgres://${STATS_USER}@127.0.0.1:${s.listenPort}/pgbouncer?sslmode=${s.tls ? 'require' : 'disable'}` },
        { name: 'PGPASSWORD', valueFrom: password },
      ],
      resources: resources('10m', '16Mi', '100m', '64Mi'),
      securityContext: containerSecurityContext(65534),
    },
  };
}
