import { createHash } from 'node:crypto';
import { ApiObjectMetadata } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  pgBouncerAuthSetupScript, pgBouncerAuthSetupSql, pgBouncerIni, pgBouncerUserlistScript,
} from './private/pgbouncer-config';
import {
  postgresContainerSecurityContext, postgresPodSecurityContext, resources, superuserEnv,
} from './private/postgres-pod-defaults';
import { checkDnsLabel, checkImage, checkIntRange } from './private/postgres-validation';

/**
 * Options of the PgBouncer connection pooler of a SharedPostgres.
 */
export interface PgBouncerOptions {
  /**
   * PgBouncer image (pinned). It must provide `pgbouncer` on the PATH and `sh`, and run as uid 70.
   *
   * @default 'edoburu/pgbouncer:v1.23.1-p3'
   */
  readonly image?: string;

  /**
   * Name of PgBouncer's Service; apps pointed at the pooler use `<serviceName>.<namespace>.svc.cluster.local`.
   *
   * @default 'pgbouncer'
   */
  readonly serviceName?: string;

  /**
   * Number of PgBouncer pods (1–10).
   *
   * @default 2
   */
  readonly replicas?: number;

  /**
   * Maximum client connections per PgBouncer pod (`max_client_conn`).
   *
   * @default 1000
   */
  readonly maxClientConn?: number;

  /**
   * Server connections per user/database pair (`default_pool_size`).
   *
   * @default 25
   */
  readonly defaultPoolSize?: number;
}

/**
 * Props of {@link PgBouncer}.
 */
export interface PgBouncerProps extends PgBouncerOptions {
  /** Namespace of every object. */
  readonly namespace: string;

  /** Host name of the PostgreSQL Service PgBouncer connects to. */
  readonly databaseHost: string;

  /**
   * Port of the PostgreSQL Service.
   *
   * @default 5432
   */
  readonly databasePort?: number;

  /** Secret holding the superuser's name and password (used only by the auth-setup Job). */
  readonly superuserSecretName: string;

  /** Secret holding the password of the auth user under `authPasswordKey` (generated inside the cluster). */
  readonly authSecretName: string;

  /**
   * Key of the auth user's password in `authSecretName`.
   *
   * @default 'password'
   */
  readonly authPasswordKey?: string;

  /**
   * PostgreSQL role PgBouncer uses to look up users (`auth_user`).
   *
   * @default 'pgbouncer_auth'
   */
  readonly authUser?: string;

  /**
   * Image with `psql` and `pg_isready` for the auth-setup Job.
   *
   * @default 'postgres:15-alpine'
   */
  readonly setupImage?: string;

  /**
   * Secret of type kubernetes.io/tls whose `tls.crt`/`tls.key` PgBouncer presents to clients; also
   * makes PgBouncer require TLS to the server.
   *
   * @default - no TLS between apps and PgBouncer; PgBouncer prefers TLS to the server
   */
  readonly tlsSecretName?: string;

  /**
   * Labels added to PgBouncer's pods and the auth-setup Job's pods (for example the label the
   * database's NetworkPolicy allows).
   *
   * @default - none beyond the component labels
   */
  readonly podLabels?: { [key: string]: string };
}

const CONSTRUCT = 'PgBouncer';
const LISTEN_PORT = 6432;
const AUTH_DIR = '/etc/pgbouncer-auth';
const CONFIG_DIR = '/etc/pgbouncer-config';
const TLS_DIR = '/etc/pgbouncer-tls';

/**
 * PgBouncer in transaction mode in front of a PostgreSQL Service (seed defaults:
 * `max_client_conn` 1000, `default_pool_size` 25).
 *
 * Authentication holds no password in any manifest: PgBouncer looks each user up with
 * `auth_query` through a SECURITY DEFINER function (`pgbouncer.get_auth`, superusers excluded),
 * logging in as an auth role whose password is generated inside the cluster and read from a
 * Secret by an init container. An auth-setup Job creates that role (only when missing) and the
 * function. Apps keep using their own user and password; clients must use SCRAM.
 *
 * Transaction pooling breaks session state (SET, advisory locks, LISTEN, session-level prepared
 * statements on old drivers): point only apps that tolerate it at PgBouncer.
 */
export class PgBouncer extends Construct {
  /** The PgBouncer Deployment. */
  public readonly deployment: k8s.KubeDeployment;
  /** The PgBouncer Service (port 5432 → PgBouncer's 6432). */
  public readonly service: k8s.KubeService;
  /** The Job creating the auth role and lookup function. */
  public readonly authSetupJob: k8s.KubeJob;
  /** Name of PgBouncer's Service. */
  public readonly serviceName: string;
  /** In-cluster host name of PgBouncer's Service. */
  public readonly host: string;
  /** Port apps connect to. */
  public readonly port: number = 5432;
  /** Labels of PgBouncer's pods. */
  public readonly podLabels: { [key: string]: string };
  /** Labels selecting PgBouncer's pods (for a NetworkPolicy). */
  public readonly selectorLabels: { [key: string]: string };
  /** Labels of the auth-setup Job's pods. */
  public readonly setupPodLabels: { [key: string]: string };

  constructor(scope: Construct, id: string, props: PgBouncerProps) {
    super(scope, id);
    const image = props.image ?? 'edoburu/pgbouncer:v1.23.1-p3';
    const setupImage = props.setupImage ?? 'postgres:15-alpine';
    this.serviceName = props.serviceName ?? 'pgbouncer';
    const replicas = props.replicas ?? 2;
    const maxClientConn = props.maxClientConn ?? 1000;
    const defaultPoolSize = props.defaultPoolSize ?? 25;
    const authUser = props.authUser ?? 'pgbouncer_auth';
    const authPasswordKey = props.authPasswordKey ?? 'password';
    const databasePort = props.databasePort ?? 5432;

    checkDnsLabel(CONSTRUCT, 'namespace', props.namespace);
    checkDnsLabel(CONSTRUCT, 'serviceName', this.serviceName);
    checkImage(CONSTRUCT, 'image', image, 'edoburu/pgbouncer:v1.23.1-p3');
    checkImage(CONSTRUCT, 'setupImage', setupImage, 'postgres:15-alpine');
    checkIntRange(CONSTRUCT, 'replicas', replicas, 1, 10, 'Use 2 for availability; more pods multiply server connections.');
    checkIntRange(CONSTRUCT, 'maxClientConn', maxClientConn, 1, 100000, 'The seed default is 1000.');
    checkIntRange(CONSTRUCT, 'defaultPoolSize', defaultPoolSize, 1, 10000, 'The seed default is 25; keep pods × pool size below max_connections.');
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(authUser)) {
      throw new Error(
        `${CONSTRUCT}: authUser must be a lower-case PostgreSQL identifier of letters, digits and '_' (got '${authUser}'). ` +
        "Use a name such as 'pgbouncer_auth'.",
      );
    }

    this.host = `${this.serviceName}.${props.namespace}.svc.cluster.local`;
    const baseLabels = { 'app.kubernetes.io/name': 'pgbouncer', 'app.kubernetes.io/instance': this.serviceName };
    this.selectorLabels = { ...baseLabels, 'app.kubernetes.io/component': 'pooler' };
    this.podLabels = { ...this.selectorLabels, ...props.podLabels };
    this.setupPodLabels = { ...baseLabels, 'app.kubernetes.io/component': 'pooler-auth-setup', ...props.podLabels };
    const meta = (name: string, component: string): ApiObjectMetadata => ({
      name,
      namespace: props.namespace,
      labels: { ...baseLabels, 'app.kubernetes.io/component': component },
    });

    const ini = pgBouncerIni({
      databaseHost: props.databaseHost,
      databasePort,
      listenPort: LISTEN_PORT,
      authUser,
      poolMode: 'transaction',
      maxClientConn,
      defaultPoolSize,
      serverSslMode: props.tlsSecretName ? 'require' : 'prefer',
      clientTlsDir: props.tlsSecretName ? TLS_DIR : undefined,
      authFile: `${AUTH_DIR}/userlist.txt`,
    });
    const configHash = createHash('sha256').update(ini).digest('hex').slice(0, 10);
    const configName = `${this.serviceName}-config-${configHash}`;
    new k8s.KubeConfigMap(this, 'Config', {
      metadata: meta(configName, 'pooler'),
      data: { 'pgbouncer.ini': ini },
    });

    const authEnv: k8s.EnvVar[] = [
      { name: 'AUTH_USER', value: authUser },
      { name: 'AUTH_PASSWORD', valueFrom: { secretKeyRef: { name: props.authSecretName, key: authPasswordKey } } },
    ];
    const volumes: k8s.Volume[] = [
      { name: 'config', configMap: { name: configName } },
      { name: 'auth', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
      { name: 'tmp', emptyDir: {} },
    ];
    const mounts: k8s.VolumeMount[] = [
      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
      { name: 'auth', mountPath: AUTH_DIR, readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ];
    if (props.tlsSecretName) {
      volumes.push({ name: 'tls', secret: { secretName: props.tlsSecretName, defaultMode: 0o440 } });
      mounts.push({ name: 'tls', mountPath: TLS_DIR, readOnly: true });
    }

    this.deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: meta(this.serviceName, 'pooler'),
      spec: {
        replicas,
        selector: { matchLabels: this.selectorLabels },
        template: {
          metadata: { labels: this.podLabels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: postgresPodSecurityContext(),
            initContainers: [{
              name: 'userlist',
              image,
              command: ['/bin/sh', '-c', pgBouncerUserlistScript(`${AUTH_DIR}/userlist.txt`)],
              env: authEnv,
              resources: resources('10m', '16Mi', '100m', '32Mi'),
              securityContext: postgresContainerSecurityContext(),
              volumeMounts: [{ name: 'auth', mountPath: AUTH_DIR }],
            }],
            containers: [{
              name: 'pgbouncer',
              image,
              command: ['pgbouncer', `${CONFIG_DIR}/pgbouncer.ini`],
              ports: [{ name: 'pgbouncer', containerPort: LISTEN_PORT }],
              resources: resources('50m', '32Mi', '500m', '128Mi'),
              securityContext: postgresContainerSecurityContext(),
              volumeMounts: mounts,
              readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromNumber(LISTEN_PORT) }, periodSeconds: 10 },
              livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromNumber(LISTEN_PORT) }, periodSeconds: 20, failureThreshold: 6 },
            }],
            volumes,
          },
        },
      },
    });

    this.service = new k8s.KubeService(this, 'Service', {
      metadata: meta(this.serviceName, 'pooler'),
      spec: {
        type: 'ClusterIP',
        selector: this.selectorLabels,
        ports: [{ name: 'postgres', port: this.port, targetPort: k8s.IntOrString.fromString('pgbouncer') }],
      },
    });

    const setupEnv: k8s.EnvVar[] = [
      ...superuserEnv({
        host: props.databaseHost,
        port: databasePort,
        secretName: props.superuserSecretName,
        userKey: 'POSTGRES_USER',
        passwordKey: 'POSTGRES_PASSWORD',
        sslMode: props.tlsSecretName ? 'require' : 'prefer',
      }),
      ...authEnv,
      { name: 'SETUP_SQL', value: pgBouncerAuthSetupSql() },
    ];
    const setupPod: k8s.PodTemplateSpec = {
      metadata: { labels: this.setupPodLabels },
      spec: {
        restartPolicy: 'OnFailure',
        automountServiceAccountToken: false,
        securityContext: postgresPodSecurityContext(),
        containers: [{
          name: 'auth-setup',
          image: setupImage,
          command: ['/bin/sh', '-c', pgBouncerAuthSetupScript()],
          env: setupEnv,
          resources: resources('10m', '32Mi', '200m', '128Mi'),
          securityContext: postgresContainerSecurityContext(),
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        }],
        volumes: [{ name: 'tmp', emptyDir: {} }],
      },
    };
    const jobHash = createHash('sha256').update(JSON.stringify(setupPod)).digest('hex').slice(0, 8);
    this.authSetupJob = new k8s.KubeJob(this, 'AuthSetup', {
      metadata: meta(`${this.serviceName}-auth-setup-${jobHash}`, 'pooler-auth-setup'),
      spec: {
        backoffLimit: 4,
        activeDeadlineSeconds: 900,
        ttlSecondsAfterFinished: 86400,
        template: setupPod,
      },
    });
  }
}
