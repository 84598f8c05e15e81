import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { alternateLoginClashes, appNameClashes } from './app-name-clashes';
import { STATS_USER } from './pgbouncer-exporter';
import { ServerCertificate } from './server-certificate';
import { DatabaseServerInitApp, DatabaseServerInitJob } from './server-init-job';
import { SharedPostgresSettings } from './shared-postgres-settings';
import { AppDatabaseNames } from '../../core/app-database-names';
import { alternatingUsernameError, cloneNameOf } from '../../core/private/app-user-rules';
import * as v from '../../core/private/validators';
import { Problem } from '../../core/private/validators';
import { AppDatabaseSecret } from '../app-database-secret';
import { AppPasswordRotation } from '../app-password-rotation';
import { CaBundle } from '../ca-bundle';
import { DatabaseInitJob } from '../database-init-job';
import { GeneratedPasswordSecret } from '../generated-password-secret';
import { PgBouncer } from '../pgbouncer';
import { PostgresBackup } from '../postgres-backup';
import { PostgresMonitoring, PostgresMonitoringOptions } from '../postgres-monitoring';
import { SharedPostgresApp, SharedPostgresAppOptions } from '../shared-postgres-props';

/**
 * The optional parts of a SharedPostgres and the pieces of one app, built in the SharedPostgres
 * scope (`scope` is always the SharedPostgres itself, so construct ids and emitted names are those
 * of the construct).
 */

/** The server certificate (with TLS), and the CA bundle apps verify it with, when the library knows the CA. */
export function buildServerCertificate(scope: Construct, s: SharedPostgresSettings, pgBouncer: PgBouncer | undefined): CaBundle | undefined {
  if (s.tls === undefined) return undefined;
  const serviceNames = (service: string) => [`${service}.${s.namespace}.svc.${s.clusterDomain}`, `${service}.${s.namespace}.svc`, `${service}.${s.namespace}`, service];
  new ServerCertificate(scope, 'Tls', {
    tls: s.tls,
    name: s.name,
    namespace: s.namespace,
    dnsNames: [
      ...serviceNames(s.serviceName),
      ...serviceNames(s.headlessServiceName),
      `${s.name}-0.${s.headlessServiceName}.${s.namespace}.svc.${s.clusterDomain}`,
      ...(pgBouncer ? serviceNames(pgBouncer.serviceName) : []),
    ],
    labels: { ...s.objectLabels, 'app.kubernetes.io/component': 'server-certificate' },
  });
  const ca = s.tls.ca;
  return ca === undefined ? undefined : new CaBundle(scope, 'CaBundle', { configMapName: ca.configMapName, secretName: ca.secretName, key: 'ca.crt' });
}

/** What monitoring watches besides the server. */
export interface MonitoredParts {
  readonly options?: PostgresMonitoringOptions;
  readonly superuserSecret: GeneratedPasswordSecret;
  readonly backup?: PostgresBackup;
  readonly pgBouncer?: PgBouncer;
}

/** Exporters, PodMonitors and alerts, when monitoring is on; it watches the setup Jobs made so far. */
export function buildMonitoring(scope: Construct, s: SharedPostgresSettings, parts: MonitoredParts): PostgresMonitoring | undefined {
  if (!s.monitoring) return undefined;
  const monitoring = new PostgresMonitoring(scope, 'Monitoring', {
    ...parts.options,
    namespace: s.namespace,
    name: s.name,
    host: s.host,
    port: s.port,
    setupImage: s.image,
    superuserSecretName: s.superuserSecretName,
    sslMode: s.defaultSslMode,
    serverSelectorLabels: s.selectorLabels,
    clientLabels: s.clientLabels,
    claimNames: [`data-${s.name}-0`, ...(parts.backup ? [parts.backup.claimName] : [])],
    backupMaxAgeSeconds: parts.backup?.maxAgeSeconds,
    pgBouncerSelectorLabels: parts.pgBouncer?.selectorLabels,
  });
  const b = parts.pgBouncer;
  for (const job of [parts.superuserSecret.jobName, b?.authSecret.jobName, b?.statsSecret?.jobName, b?.authSetupJob.name]) {
    if (job !== undefined) monitoring.watchJob(job);
  }
  return monitoring;
}

/** The server's parts an app is checked against and connects through. */
export interface AppContext {
  readonly pgBouncer?: PgBouncer;
  readonly monitoring?: PostgresMonitoring;
  readonly caBundle?: CaBundle;
  /** The apps added so far, by app name. */
  readonly apps: ReadonlyMap<string, SharedPostgresApp>;
}

/** The names of one app, and every problem with its options (names, rotation, clashes with the server's and other apps' names). */
export function resolveApp(s: SharedPostgresSettings, ctx: AppContext, appName: string, options: SharedPostgresAppOptions): {
  names: AppDatabaseNames; podLabels: { [key: string]: string }; rotationInterval?: Duration; problems: Problem[];
} {
  const problems: Problem[] = [];
  const names = AppDatabaseNames._resolve(appName, options, problems);
  const podLabels = options.podLabels ?? { app: names.resourceName };
  const rotation = options.rotation;
  const rotationInterval = rotation && (rotation.interval ?? Duration.days(30));
  const namesOk = !problems.some((p) => p !== undefined);
  const { pgBouncer, monitoring } = ctx;
  problems.push(
    rotationInterval === undefined ? undefined
      : v.durationSeconds('rotation.interval', rotationInterval.toSeconds(), 86400, 1000 * 86400, 'Use e.g. Duration.days(30).'),
    rotation?.schedule === undefined ? undefined : v.cronSchedule('rotation.schedule', rotation.schedule),
    rotation === undefined || !namesOk ? undefined : alternatingUsernameError('username', names.username),
    ctx.apps.has(appName)
      ? `addApp was called twice for app ${v.show(appName)} in namespace ${v.show(s.namespace)}. Add each app once; reuse the object addApp returned.`
      : undefined,
    options.viaPgBouncer && !pgBouncer
      ? `addApp option viaPgBouncer needs the pgBouncer prop (got viaPgBouncer: true for app ${v.show(appName)} without pgBouncer). Set pgBouncer: {} or drop viaPgBouncer.`
      : undefined,
    v.sslModeWithCa('addApp option sslMode', options.sslMode?.value, ctx.caBundle !== undefined,
      'Use tls: SharedPostgresTls.selfSigned() or certManager(...), whose CA the library knows, or sslMode require.'),
    ...v.labels('podLabels', podLabels, true),
    ...(!namesOk ? [] : appNameClashes(names, [...ctx.apps.values()].map((a) => a.secret.names), {
      secretNames: [s.superuserSecretName, pgBouncer?.authSecret.secretName, pgBouncer?.statsSecret?.secretName, monitoring?.secret.secretName],
      roles: [s.superuser, pgBouncer?.authUser, pgBouncer?.statsSecret ? STATS_USER : undefined, monitoring?.username],
    })),
    ...(!namesOk ? [] : alternateLoginClashes(
      { appName, username: names.username, alternateUsername: rotation && cloneNameOf(names.username) },
      [...ctx.apps.entries()].map(([other, a]) => ({
        appName: other, username: a.secret.names.username, alternateUsername: a.secret.alternateUsername,
      })),
      [s.superuser, pgBouncer?.authUser],
    )),
  );
  return { names, podLabels, rotationInterval, problems };
}

/**
 * The server init Job, made with the first app: it provisions the apps `apps()` returns when it is
 * synthesized (every app added by then), and monitoring watches it under its name then.
 */
export function buildServerInit(scope: Construct, s: SharedPostgresSettings, apps: () => DatabaseServerInitApp[],
  monitoring: PostgresMonitoring | undefined): DatabaseServerInitJob {
  const job = new DatabaseServerInitJob(scope, 'AppsInit', {
    name: s.name,
    namespace: s.namespace,
    apps,
    host: s.host,
    port: s.port,
    // Like the apps' Jobs, it encrypts (require) and does not mount the CA.
    sslMode: s.defaultSslMode,
    superuserSecretName: s.superuserSecretName,
    superuserUsername: s.superuser,
    image: s.image,
    podLabels: s.clientLabels,
    labels: s.objectLabels,
  });
  monitoring?._watchJobLazily(() => job.jobName);
  return job;
}

/** The Secret, the init Job and (with rotation) the rotation CronJob of one app whose options are valid. */
export function buildApp(scope: Construct, s: SharedPostgresSettings, ctx: AppContext, appName: string, options: SharedPostgresAppOptions,
  resolved: { names: AppDatabaseNames; podLabels: { [key: string]: string }; rotationInterval?: Duration },
): SharedPostgresApp & { readonly initJob: DatabaseInitJob } {
  const pooler = options.viaPgBouncer ? ctx.pgBouncer : undefined;
  const id = `App-${appName}`;
  const secret = new AppDatabaseSecret(scope, `${id}-Secret`, {
    names: resolved.names,
    host: pooler?.host ?? s.host,
    port: pooler?.port ?? s.port,
    sslMode: options.sslMode ?? s.defaultSslMode,
    caPath: options.sslMode?.verifiesCertificate ? ctx.caBundle?.path : undefined,
    namespace: s.namespace,
    rotationInterval: resolved.rotationInterval,
  });
  const initJob = new DatabaseInitJob(scope, `${id}-Init`, {
    secret,
    namespace: s.namespace,
    superuserSecretName: s.superuserSecretName,
    superuserUsername: s.superuser,
    connectionLimit: options.connectionLimit,
    image: s.image,
    migrations: options.migrations,
    podLabels: s.clientLabels,
    // The init Job does not mount the CA: it encrypts (require) and trusts the cluster network.
    serverSslMode: s.defaultSslMode,
    // The init Job talks to the server directly: PgBouncer admits no superuser and pools in transactions.
    serverHost: pooler ? s.host : undefined,
    serverPort: pooler ? s.port : undefined,
    // The server init Job makes the role, database and schema of every app in one session.
    provisionedElsewhere: true,
  });
  ctx.monitoring?.watchJob(initJob.jobName);
  // Like the init Job, the rotation talks to the server directly.
  const rotation = options.rotation && new AppPasswordRotation(scope, `${id}-Rotation`, {
    secret,
    namespace: s.namespace,
    superuserSecretName: s.superuserSecretName,
    superuserUsername: s.superuser,
    image: s.image,
    schedule: options.rotation.schedule,
    podLabels: s.clientLabels,
    serverHost: pooler ? s.host : undefined,
    serverPort: pooler ? s.port : undefined,
  });
  return { secret, initJob, podLabels: resolved.podLabels, rotation };
}
