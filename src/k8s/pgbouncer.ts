import { ApiObjectMetadata } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DatabaseNetworkPolicy } from './database-network-policy';
import { GeneratedPasswordSecret } from './generated-password-secret';
import { PgBouncerProps } from './pgbouncer-props';
import { contentHash, hashedJobName } from './private/hashed-name';
import {
  pgBouncerAuthSetupScript, pgBouncerAuthSetupSql, pgBouncerIni, pgBouncerUserlistScript,
} from './private/pgbouncer-config';
import { pgBouncerExporter, STATS_USER } from './private/pgbouncer-exporter';
import { containerSecurityContext, podSecurityContext, POSTGRES_UID, resources, superuserEnv } from './private/pod-defaults';
import { claimUniqueNames } from './private/unique-names';
import * as v from '../core/private/validators';
import { throwIfAny } from '../core/private/validators';
import { SslMode } from '../core/ssl-mode';

const CONSTRUCT = 'PgBouncer';
const DEFAULT_IMAGE = 'edoburu/pgbouncer:v1.23.1-p3';
const DEFAULT_SETUP_IMAGE = 'postgres:15-alpine';
const LISTEN_PORT = 6432;
const AUTH_DIR = '/etc/pgbouncer-auth';
const CONFIG_DIR = '/etc/pgbouncer-config';
const TLS_DIR = '/etc/pgbouncer-tls';
/** Key of the auth user's password in its Secret. */
const AUTH_PASSWORD_KEY = 'password';

/**
 * PgBouncer in transaction mode in front of a PostgreSQL Service (defaults:
 * `max_client_conn` 1000, `default_pool_size` 25).
 *
 * Authentication holds no password in any manifest: PgBouncer looks each user up with
 * `auth_query` through a SECURITY DEFINER function (`pgbouncer.get_auth`, superusers excluded),
 * logging in as an auth role whose password is generated inside the cluster into PgBouncer's own
 * Secret and read from it by an init container. An auth-setup Job creates that role (only when
 * missing) and the function. Apps keep using their own user and password; clients must use SCRAM.
 *
 * A default-deny NetworkPolicy admits only the clients added with `allowClient` or
 * `allowSelector`. PgBouncer's pods carry `podLabels`, so the database's own policy can admit them.
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
  /** The auth user's Secret, its password generated inside the cluster. */
  public readonly authSecret: GeneratedPasswordSecret;
  /** The NetworkPolicy admitting only registered clients to PgBouncer. */
  public readonly networkPolicy: DatabaseNetworkPolicy;
  /** Name of PgBouncer's Service. */
  public readonly serviceName: string;
  /** PostgreSQL role PgBouncer looks users up as. */
  public readonly authUser: string;
  /** In-cluster host name of PgBouncer's Service, `<serviceName>.<namespace>.svc.<clusterDomain>`. */
  public readonly host: string;
  /** Port apps connect to. */
  public readonly port: number = 5432;
  /** Labels of PgBouncer's pods. */
  public readonly podLabels: { [key: string]: string };
  /** Labels selecting PgBouncer's pods (for a NetworkPolicy). */
  public readonly selectorLabels: { [key: string]: string };
  /** Labels of the auth-setup Job's pods. */
  public readonly setupPodLabels: { [key: string]: string };
  /** The stats user's Secret, with `exporterImage`. */
  public readonly statsSecret?: GeneratedPasswordSecret;

  constructor(scope: Construct, id: string, props: PgBouncerProps) {
    super(scope, id);
    const image = props.image ?? DEFAULT_IMAGE;
    const setupImage = props.setupImage ?? DEFAULT_SETUP_IMAGE;
    const serviceName = props.serviceName ?? 'pgbouncer';
    const clusterDomain = props.clusterDomain ?? 'cluster.local';
    const replicas = props.replicas ?? 2;
    const maxClientConn = props.maxClientConn ?? 1000;
    const defaultPoolSize = props.defaultPoolSize ?? 25;
    const authUser = props.authUser ?? 'pgbouncer_auth';
    const authSecretName = props.authSecretName ?? `${serviceName}-auth`;
    const databasePort = props.databasePort ?? 5432;
    const podLabels = props.podLabels ?? {};

    throwIfAny(CONSTRUCT, [
      v.kubernetesName('Namespace', 'namespace', props.namespace),
      v.kubernetesName('Service', 'serviceName', serviceName),
      v.clusterDomain('clusterDomain', clusterDomain),
      v.host('databaseHost', props.databaseHost),
      v.port('databasePort', databasePort),
      v.kubernetesName('Secret', 'superuserSecretName', props.superuserSecretName),
      v.imageRef('image', image, DEFAULT_IMAGE),
      v.imageRef('setupImage', setupImage, DEFAULT_SETUP_IMAGE),
      v.intRange('replicas', replicas, 1, 10, 'Use 2 for availability; more pods multiply server connections.'),
      v.intRange('maxClientConn', maxClientConn, 1, 100000, 'The default is 1000.'),
      v.intRange('defaultPoolSize', defaultPoolSize, 1, 10000, 'The default is 25; keep pods × pool size below max_connections.'),
      v.pgRoleName('authUser', authUser),
      v.jobNamePrefix(props.authSecretName === undefined ? 'serviceName (in the auth Secret <serviceName>-auth)' : 'authSecretName', authSecretName),
      props.tlsSecretName === undefined ? undefined : v.kubernetesName('Secret', 'tlsSecretName', props.tlsSecretName),
      ...v.labels('podLabels', podLabels),
      props.exporterImage === undefined ? undefined : v.imageRef('exporterImage', props.exporterImage, 'quay.io/prometheuscommunity/pgbouncer-exporter:v0.11.1'),
    ]);

    this.serviceName = serviceName;
    this.authUser = authUser;
    this.host = `${serviceName}.${props.namespace}.svc.${clusterDomain}`;
    const baseLabels = { 'app.kubernetes.io/name': 'pgbouncer', 'app.kubernetes.io/instance': serviceName };
    this.selectorLabels = { ...baseLabels, 'app.kubernetes.io/component': 'pooler' };
    this.podLabels = { ...this.selectorLabels, ...podLabels };
    this.setupPodLabels = { ...baseLabels, 'app.kubernetes.io/component': 'pooler-auth-setup', ...podLabels };
    const meta = (name: string, component: string): ApiObjectMetadata => ({
      name,
      namespace: props.namespace,
      labels: { ...baseLabels, 'app.kubernetes.io/component': component },
    });
    const serverSslMode = props.tlsSecretName ? SslMode.REQUIRE : SslMode.PREFER;

    // The auth user's name is in the manifest; its password is generated inside the cluster.
    this.authSecret = new GeneratedPasswordSecret(this, 'AuthSecret', {
      secretName: authSecretName,
      namespace: props.namespace,
      passwordKey: AUTH_PASSWORD_KEY,
      stringData: { username: authUser },
      labels: meta(authSecretName, 'pooler').labels,
    });

    const ini = pgBouncerIni({
      databaseHost: props.databaseHost,
      databasePort,
      listenPort: LISTEN_PORT,
      authUser,
      maxClientConn,
      defaultPoolSize,
      serverSslMode,
      clientTlsDir: props.tlsSecretName ? TLS_DIR : undefined,
      authFile: `${AUTH_DIR}/userlist.txt`,
      statsUser: props.exporterImage === undefined ? undefined : STATS_USER,
    });
    const configName = `${serviceName}-config-${contentHash(ini, 10)}`;
    new k8s.KubeConfigMap(this, 'Config', {
      metadata: meta(configName, 'pooler'),
      data: { 'pgbouncer.ini': ini },
    });

    const authEnv: k8s.EnvVar[] = [
      { name: 'AUTH_USER', value: authUser },
      { name: 'AUTH_PASSWORD', valueFrom: { secretKeyRef: { name: authSecretName, key: AUTH_PASSWORD_KEY } } },
    ];
    // With the exporter: the stats user's Secret, its userlist line, and the sidecar.
    const exporter = props.exporterImage === undefined ? undefined : pgBouncerExporter(this, {
      image: props.exporterImage, serviceName, namespace: props.namespace, labels: { ...baseLabels, 'app.kubernetes.io/component': 'pooler' }, listenPort: LISTEN_PORT, tls: !!props.tlsSecretName,
    });
    this.statsSecret = exporter?.secret;
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
      metadata: meta(serviceName, 'pooler'),
      spec: {
        replicas,
        selector: { matchLabels: this.selectorLabels },
        template: {
          metadata: { labels: this.podLabels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: podSecurityContext(POSTGRES_UID),
            initContainers: [{
              name: 'userlist',
              image,
              command: ['/bin/sh', '-c', pgBouncerUserlistScript(`${AUTH_DIR}/userlist.txt`, !!exporter)],
              env: [...authEnv, ...exporter?.userlistEnv ?? []],
              resources: resources('10m', '16Mi', '100m', '32Mi'),
              securityContext: containerSecurityContext(POSTGRES_UID),
              volumeMounts: [{ name: 'auth', mountPath: AUTH_DIR }],
            }],
            containers: [{
              name: 'pgbouncer',
              image,
              command: ['pgbouncer', `${CONFIG_DIR}/pgbouncer.ini`],
              ports: [{ name: 'pgbouncer', containerPort: LISTEN_PORT }],
              resources: resources('50m', '32Mi', '500m', '128Mi'),
              securityContext: containerSecurityContext(POSTGRES_UID),
              volumeMounts: mounts,
              readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromNumber(LISTEN_PORT) }, periodSeconds: 10 },
              livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromNumber(LISTEN_PORT) }, periodSeconds: 20, failureThreshold: 6 },
            }, ...exporter ? [exporter.container] : []],
            volumes,
          },
        },
      },
    });

    this.service = new k8s.KubeService(this, 'Service', {
      metadata: meta(serviceName, 'pooler'),
      spec: {
        type: 'ClusterIP',
        selector: this.selectorLabels,
        ports: [{ name: 'postgres', port: this.port, targetPort: k8s.IntOrString.fromString('pgbouncer') }],
      },
    });

    const setupPod: k8s.PodTemplateSpec = {
      metadata: { labels: this.setupPodLabels },
      spec: {
        restartPolicy: 'OnFailure',
        automountServiceAccountToken: false,
        securityContext: podSecurityContext(POSTGRES_UID),
        containers: [{
          name: 'auth-setup',
          image: setupImage,
          command: ['/bin/sh', '-c', pgBouncerAuthSetupScript()],
          env: [
            ...superuserEnv({
              host: props.databaseHost,
              port: databasePort,
              secretName: props.superuserSecretName,
              userKey: 'POSTGRES_USER',
              passwordKey: 'POSTGRES_PASSWORD',
              sslMode: serverSslMode,
            }),
            ...authEnv,
            { name: 'SETUP_SQL', value: pgBouncerAuthSetupSql() },
          ],
          resources: resources('10m', '32Mi', '200m', '128Mi'),
          securityContext: containerSecurityContext(POSTGRES_UID),
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        }],
        volumes: [{ name: 'tmp', emptyDir: {} }],
      },
    };
    this.authSetupJob = new k8s.KubeJob(this, 'AuthSetup', {
      metadata: meta(hashedJobName(`${serviceName}-auth-setup`, setupPod), 'pooler-auth-setup'),
      spec: {
        backoffLimit: 4,
        activeDeadlineSeconds: 900,
        ttlSecondsAfterFinished: 86400,
        template: setupPod,
      },
    });

    // PgBouncer admits only the clients registered with allowClient/allowSelector, on its pods' port.
    this.networkPolicy = new DatabaseNetworkPolicy(this, 'NetworkPolicy', {
      name: serviceName,
      namespace: props.namespace,
      podLabels: this.selectorLabels,
      port: LISTEN_PORT,
      labels: meta(serviceName, 'pooler').labels,
    });
    claimUniqueNames(CONSTRUCT, this, 'serviceName and authSecretName');
  }

  /**
   * Lets pods with `podLabels` in `namespace` reach PgBouncer through its NetworkPolicy.
   *
   * @param podLabels labels the client pods carry (all must match)
   * @param namespace namespace of the client pods
   */
  public allowClient(podLabels: { [key: string]: string }, namespace: string): void {
    this.networkPolicy.allowClient(podLabels, namespace);
  }

  /**
   * Lets the pods of a cdk8s-plus pod selector (a workload or `Pods.select(...)`) reach PgBouncer.
   *
   * @param selector the client pods
   */
  public allowSelector(selector: kplus.IPodSelector): void {
    this.networkPolicy.allowSelector(selector);
  }
}
