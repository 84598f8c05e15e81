import { MonitoringSettings, resolveMonitoring } from './monitoring-settings';
import * as v from '../../core/private/validators';
import { Problem, throwIfAny } from '../../core/private/validators';
import { SslMode } from '../../core/ssl-mode';
import type { SharedPostgresProps } from '../shared-postgres-props';
import { SharedPostgresTls } from '../shared-postgres-tls';
import { DEFAULT_BOOTSTRAP_IMAGE } from './secret-bootstrap';

/** The server's TLS after defaults: where its certificate comes from and where apps find the CA. */
export interface ResolvedTls {
  readonly mode: 'self-signed' | 'cert-manager' | 'secret';
  /** Secret with `tls.crt` and `tls.key` the server (and PgBouncer) mount. */
  readonly secretName: string;
  /** Where apps find the CA certificate (key `ca.crt`), when it is known. */
  readonly ca?: { readonly configMapName?: string; readonly secretName?: string };
  readonly selfSigned?: {
    readonly image: string;
    readonly renewSchedule: string;
    readonly certificateDays: number;
    readonly renewBeforeDays: number;
    readonly caSecretName: string;
    readonly caConfigMapName: string;
  };
  readonly certManager?: {
    readonly issuerName: string;
    readonly issuerKind: string;
    readonly issuerGroup: string;
    readonly duration: string;
    readonly renewBefore: string;
  };
}

/** Every SharedPostgres setting after defaults are applied (the one place they are) and validated. */
export interface SharedPostgresSettings {
  readonly namespace: string;
  readonly name: string;
  readonly image: string;
  /** The PostgreSQL major version the server runs (its image agrees). */
  readonly postgresMajorVersion: number;
  /** The major version the server was first deployed with. */
  readonly initialMajorVersion: number;
  /**
   * The data directory under the volume: `pgdata` for the version the server was first deployed
   * with, `pgdata-<major>` after a major upgrade (a new, empty one; the old one stays on the volume).
   */
  readonly dataSubdirectory: string;
  readonly storageSize: string;
  readonly storageClassName?: string;
  readonly cpuRequest: string;
  readonly memoryRequest: string;
  readonly cpuLimit: string;
  readonly memoryLimit: string;
  readonly maxConnections: number;
  readonly settings: { [key: string]: string };
  readonly serviceName: string;
  readonly headlessServiceName: string;
  readonly clusterDomain: string;
  /** `<serviceName>.<namespace>.svc.<clusterDomain>`. */
  readonly host: string;
  readonly port: number;
  readonly superuser: string;
  readonly superuserSecretName: string;
  /** The server's TLS, undefined when it is disabled. */
  readonly tls?: ResolvedTls;
  /** Secret with the server certificate (`tls.secretName`), undefined without TLS. */
  readonly tlsSecretName?: string;
  /** `require` with TLS, else `prefer`. */
  readonly defaultSslMode: SslMode;
  readonly backupEnabled: boolean;
  /** The monitoring's settings, when it is on. */
  readonly monitoring?: MonitoringSettings;
  /** The PodDisruptionBudget keeps the pod (`minAvailable: 1`) rather than allowing its eviction. */
  readonly blockNodeDrains: boolean;
  /** Labels of the superuser Secret and the NetworkPolicy. */
  readonly objectLabels: { [key: string]: string };
  /** Labels selecting the database pod. */
  readonly selectorLabels: { [key: string]: string };
  /** Labels of the database pod (`app: <name>` and the selector labels), also on the StatefulSet, Services and PodDisruptionBudget. */
  readonly podLabels: { [key: string]: string };
  /** The label every platform client (backup, init Jobs, PgBouncer) carries. */
  readonly clientLabels: { [key: string]: string };
}

const OWNER = 'SharedPostgres';
export const DEFAULT_POSTGRES_IMAGE = 'postgres:15-alpine';
/** The PostgreSQL major version of {@link DEFAULT_POSTGRES_IMAGE}. */
export const DEFAULT_POSTGRES_MAJOR_VERSION = 15;
/** PostgreSQL's port, on the container and on both Services. */
export const POSTGRES_PORT = 5432;
/** Longest `name`: `<name>-pgbouncer-auth-<8 hex>` must fit in 63 characters. */
const MAX_NAME_LENGTH = 39;

/**
 * Applies the defaults to the props and checks every one of them, throwing once with every
 * problem found. `chartNamespace` is the namespace of the chart the construct is in.
 */
export function resolveSharedPostgresSettings(props: SharedPostgresProps, chartNamespace: string | undefined): SharedPostgresSettings {
  const namespace = props.namespace;
  const name = props.name ?? 'postgres';
  const serviceName = props.serviceName ?? 'postgres-service';
  const headlessServiceName = `${name}-headless`;
  const clusterDomain = props.clusterDomain ?? 'cluster.local';
  const image = props.image ?? DEFAULT_POSTGRES_IMAGE;
  const postgresMajorVersion = props.postgresMajorVersion ?? DEFAULT_POSTGRES_MAJOR_VERSION;
  const initialMajorVersion = props.initialMajorVersion ?? postgresMajorVersion;
  const storageSize = props.storageSize ?? '10Gi';
  const cpuRequest = props.cpuRequest ?? '250m';
  const memoryRequest = props.memoryRequest ?? '256Mi';
  const cpuLimit = props.cpuLimit ?? '500m';
  const memoryLimit = props.memoryLimit ?? '512Mi';
  const maxConnections = props.maxConnections ?? 100;
  const settings = props.settings ?? {};
  const superuser = props.superuser ?? 'postgres';
  const tlsChoice = props.tls
    ?? (props.tlsSecretName !== undefined ? SharedPostgresTls.fromSecret(props.tlsSecretName) : SharedPostgresTls.selfSigned());
  const tls = resolveTls(tlsChoice, name);

  const imageProblem = v.imageRef('image', image, DEFAULT_POSTGRES_IMAGE);
  const monitoring = props.monitoring && resolveMonitoring(props.monitoring, name);
  const problems: Problem[] = [
    v.kubernetesName('Namespace', 'namespace', namespace),
    chartNamespace !== undefined && chartNamespace !== namespace
      ? `namespace must match the namespace of its chart (got namespace ${v.show(namespace)} in a chart with namespace ${v.show(chartNamespace)}). `
        + `Create the chart with { namespace: ${v.show(namespace)} } or without a namespace.`
      : undefined,
    v.kubernetesName('StatefulSet', 'name', name) ?? (name.length > MAX_NAME_LENGTH
      ? `name must be at most ${MAX_NAME_LENGTH} characters (got ${v.show(name)}, ${name.length}), so derived names such as '<name>-pgbouncer-auth-<hash>' stay within 63. Use a shorter name.`
      : v.kubernetesName('Service', 'name (in the headless Service <name>-headless)', headlessServiceName)),
    v.kubernetesName('Service', 'serviceName', serviceName),
    serviceName === headlessServiceName
      ? `serviceName must differ from the headless Service ${v.show(headlessServiceName)} (got ${v.show(serviceName)}). Choose another serviceName.`
      : undefined,
    v.clusterDomain('clusterDomain', clusterDomain),
    imageProblem,
    // The image must run the declared major version; only once the image and the versions are valid.
    v.pgMajorVersion('postgresMajorVersion', postgresMajorVersion)
      ?? v.pgInitialMajorVersion(initialMajorVersion, postgresMajorVersion)
      ?? (imageProblem ? undefined : v.pgImageMajorVersion(image, postgresMajorVersion, props.postgresMajorVersion, initialMajorVersion)),
    v.quantity('storageSize', storageSize, '10Gi', 2 ** 20),
    props.storageClassName === undefined ? undefined : v.kubernetesName('StorageClass', 'storageClassName', props.storageClassName),
    ...limitNotBelowRequest('cpu', cpuRequest, cpuLimit, '250m'),
    ...limitNotBelowRequest('memory', memoryRequest, memoryLimit, '256Mi'),
    v.intRange('maxConnections', maxConnections, 10, 10000, 'The default is 100; use PgBouncer rather than thousands of server connections.'),
    ...v.pgSettings('settings', settings),
    'max_connections' in settings
      ? `settings must not contain max_connections (got ${v.show(settings.max_connections)}). Use the maxConnections prop instead.`
      : undefined,
    // The superuser's role is `postgres` by default; any other name follows the login-role rules.
    superuser === 'postgres' ? undefined : v.pgRoleName('superuser', superuser),
    ...(monitoring?.problems ?? []),
    props.tls !== undefined && props.tlsSecretName !== undefined
      ? `tls and tlsSecretName must not both be set (got tlsSecretName ${v.show(props.tlsSecretName)} and tls). Use tls: SharedPostgresTls.fromSecret(${v.show(props.tlsSecretName)}) alone.`
      : undefined,
    ...tlsProblems(tls, props.tls === undefined ? 'tlsSecretName' : 'tls secretName'),
  ];
  throwIfAny(OWNER, problems);

  const selectorLabels = {
    'app.kubernetes.io/name': 'postgres',
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/component': 'database',
  };
  return {
    namespace,
    name,
    image,
    postgresMajorVersion,
    initialMajorVersion,
    dataSubdirectory: postgresMajorVersion === initialMajorVersion ? 'pgdata' : `pgdata-${postgresMajorVersion}`,
    storageSize,
    storageClassName: props.storageClassName,
    cpuRequest,
    memoryRequest,
    cpuLimit,
    memoryLimit,
    maxConnections,
    settings,
    serviceName,
    headlessServiceName,
    clusterDomain,
    host: `${serviceName}.${namespace}.svc.${clusterDomain}`,
    port: POSTGRES_PORT,
    superuser,
    superuserSecretName: `${name}-superuser`,
    tls,
    tlsSecretName: tls?.secretName,
    defaultSslMode: tls !== undefined ? SslMode.REQUIRE : SslMode.PREFER,
    backupEnabled: props.backupEnabled ?? true,
    monitoring: monitoring?.settings,
    blockNodeDrains: props.blockNodeDrains ?? false,
    objectLabels: selectorLabels,
    selectorLabels,
    podLabels: { app: name, ...selectorLabels },
    clientLabels: { [`${name}.postgres.cdk-db-platform.io/client`]: 'true' },
  };
}

/** Both quantities, and the limit at least the request. */
function limitNotBelowRequest(what: string, request: string, limit: string, example: string): Problem[] {
  const problems: Problem[] = [v.quantity(`${what}Request`, request, example), v.quantity(`${what}Limit`, limit, example)];
  if (!problems.some((p) => p !== undefined) && v.quantityValue(limit)! < v.quantityValue(request)!) {
    problems.push(`${what}Limit must be at least ${what}Request (got ${what}Limit ${v.show(limit)} below ${what}Request ${v.show(request)}). `
      + `Raise ${what}Limit or lower ${what}Request.`);
  }
  return problems;
}

/** The TLS choice with its defaults applied (the one place they are), undefined when disabled. */
function resolveTls(choice: SharedPostgresTls, name: string): ResolvedTls | undefined {
  const secretName = `${name}-tls`;
  switch (choice._mode) {
    case 'disabled':
      return undefined;
    case 'secret':
      return { mode: 'secret', secretName: choice._secretName! };
    case 'cert-manager': {
      const o = choice._certManager!;
      return {
        mode: 'cert-manager',
        secretName,
        ca: { secretName },
        certManager: {
          issuerName: o.issuerName,
          issuerKind: o.issuerKind ?? 'ClusterIssuer',
          issuerGroup: o.issuerGroup ?? 'cert-manager.io',
          duration: o.duration ?? '2160h',
          renewBefore: o.renewBefore ?? '360h',
        },
      };
    }
    default: {
      const o = choice._selfSigned ?? {};
      const caConfigMapName = `${name}-ca`;
      return {
        mode: 'self-signed',
        secretName,
        ca: { configMapName: caConfigMapName },
        selfSigned: {
          image: o.image ?? DEFAULT_BOOTSTRAP_IMAGE,
          renewSchedule: o.renewSchedule ?? '17 4 * * 1',
          certificateDays: o.certificateDays ?? 365,
          renewBeforeDays: o.renewBeforeDays ?? 30,
          caSecretName: `${name}-tls-ca`,
          caConfigMapName,
        },
      };
    }
  }
}

/** Problems of the TLS options, named `tls.<option>`. */
function tlsProblems(tls: ResolvedTls | undefined, secretProp: string): Problem[] {
  if (tls === undefined) return [];
  if (tls.mode === 'secret') return [v.kubernetesName('Secret', secretProp, tls.secretName)];
  const m = tls.certManager;
  if (m !== undefined) {
    const duration = v.goDurationSeconds(m.duration);
    const renewBefore = v.goDurationSeconds(m.renewBefore);
    return [
      v.kubernetesName('Issuer', 'tls issuerName', m.issuerName),
      v.dnsSubdomain('tls issuerGroup', m.issuerGroup),
      v.certManagerIssuerKind('tls issuerKind', m.issuerKind, m.issuerGroup),
      v.goDuration('tls duration', m.duration, 3600, '2160h'),
      v.goDuration('tls renewBefore', m.renewBefore, 300, '360h'),
      duration !== undefined && renewBefore !== undefined ? v.renewBeforeLifetime('tls renewBefore', renewBefore / 3600, duration / 3600, 'duration', 'h') : undefined,
    ];
  }
  const o = tls.selfSigned!;
  const days = v.intRange('tls certificateDays', o.certificateDays, 7, 825, 'Use e.g. 365; browsers and many clients refuse longer server certificates.');
  return [
    v.imageRef('tls image', o.image, DEFAULT_BOOTSTRAP_IMAGE),
    v.cronSchedule('tls renewSchedule', o.renewSchedule),
    days,
    v.intAtLeast('tls renewBeforeDays', o.renewBeforeDays, 1, 'Use e.g. 30.')
      ?? (days === undefined ? v.renewBeforeLifetime('tls renewBeforeDays', o.renewBeforeDays, o.certificateDays, 'certificateDays', ' days') : undefined),
  ];
}
