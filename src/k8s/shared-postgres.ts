import { ApiObjectMetadata, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AppDatabaseSecret } from './app-database-secret';
import { DbInitJob, DbMigrationOptions } from './db-init-job';
import { PgBouncer, PgBouncerOptions } from './pgbouncer';
import { PostgresBackup, PostgresBackupOptions } from './postgres-backup';
import { SslMode } from '../core/ssl-mode';
import { bootstrapPasswordSecret, pinNamespace } from './private/postgres-password-bootstrap';
import {
  postgresContainerSecurityContext, postgresPodSecurityContext, resources,
} from './private/postgres-pod-defaults';
import {
  checkDnsLabel, checkImage, checkIntRange, checkLimitNotBelowRequest, checkSettings, checkStorageSize, parseQuantity,
} from './private/postgres-validation';

/**
 * Props of {@link SharedPostgres}.
 */
export interface SharedPostgresProps {
  /** Namespace (environment) of the database, e.g. `production`. Every object is created in it. */
  readonly namespace: string;

  /**
   * Base name of the StatefulSet, its headless Service, Secrets and Jobs.
   *
   * @default 'postgres'
   */
  readonly name?: string;

  /**
   * PostgreSQL image, pinned to a version. Must be an official-image layout (entrypoint honouring
   * POSTGRES_USER/POSTGRES_PASSWORD/PGDATA, `postgres` user with uid 70 as in the Alpine variants).
   *
   * @default 'postgres:15-alpine'
   */
  readonly image?: string;

  /**
   * Size of the data volume (a `volumeClaimTemplates` entry of the StatefulSet).
   *
   * @default '10Gi'
   */
  readonly storageSize?: string;

  /**
   * StorageClass of the data volume.
   *
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;

  /**
   * CPU request of the database container.
   *
   * @default '250m'
   */
  readonly cpuRequest?: string;

  /**
   * Memory request of the database container.
   *
   * @default '256Mi'
   */
  readonly memoryRequest?: string;

  /**
   * CPU limit of the database container.
   *
   * @default '500m'
   */
  readonly cpuLimit?: string;

  /**
   * Memory limit of the database container.
   *
   * @default '512Mi'
   */
  readonly memoryLimit?: string;

  /**
   * `max_connections` of the server (10–10000).
   *
   * @default 100
   */
  readonly maxConnections?: number;

  /**
   * Further server settings, passed as `-c key=value` (e.g. `{ shared_buffers: '128MB' }`).
   *
   * @default - none
   */
  readonly settings?: { [key: string]: string };

  /**
   * Name of the ClusterIP Service apps connect to: the host is `<serviceName>.<namespace>.svc.<clusterDomain>`.
   *
   * @default 'postgres-service'
   */
  readonly serviceName?: string;

  /**
   * DNS domain of the cluster.
   *
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;

  /**
   * Name of the superuser created at first start.
   *
   * @default 'postgres'
   */
  readonly superuser?: string;

  /**
   * Secret (type kubernetes.io/tls, keys `tls.crt` and `tls.key`) with the server certificate.
   * Setting it turns on `ssl=on` and makes `require` the apps' default sslmode. The certificate
   * should name `<serviceName>.<namespace>.svc.<clusterDomain>` so apps can use `verify-full`.
   *
   * @default - no TLS; apps default to sslmode `prefer`
   */
  readonly tlsSecretName?: string;

  /**
   * Whether to create the backup CronJob and its PersistentVolumeClaim.
   *
   * @default true
   */
  readonly backupEnabled?: boolean;

  /**
   * Backup schedule, retention and storage.
   *
   * @default - daily at 03:00, keeping 7 dumps per database on a 10Gi claim
   */
  readonly backup?: PostgresBackupOptions;

  /**
   * Adds a PgBouncer pooler (transaction mode) apps can be pointed at with `viaPgBouncer`.
   *
   * @default - no pooler
   */
  readonly pgBouncer?: PgBouncerOptions;
}

/**
 * Options of {@link SharedPostgres.addApp}. Every name defaults to seed 001's convention.
 */
export interface SharedPostgresAppOptions {
  /**
   * The app's database.
   *
   * @default `<app>_db`
   */
  readonly databaseName?: string;

  /**
   * The app's user.
   *
   * @default `<app>_user`
   */
  readonly username?: string;

  /**
   * The app's schema, owned by its user and first in its `search_path`.
   *
   * @default `<app>`
   */
  readonly schemaName?: string;

  /**
   * Name of the app's connection Secret.
   *
   * @default `<app>-db-secret` (underscores become hyphens)
   */
  readonly secretName?: string;

  /**
   * `CONNECTION LIMIT` of the app's user.
   *
   * @default - no limit
   */
  readonly connectionLimit?: number;

  /**
   * The sslmode written into the app's Secret.
   *
   * @default - `require` when the server has TLS, else `prefer`
   */
  readonly sslMode?: SslMode;

  /**
   * Point the app at PgBouncer: the Secret's DB_HOST (and DATABASE_URL) name the PgBouncer
   * Service. Requires the `pgBouncer` prop. The init Job still talks to the server directly.
   *
   * @default false
   */
  readonly viaPgBouncer?: boolean;

  /**
   * Labels of the app's pods, allowed through the NetworkPolicy (all must match).
   *
   * @default { app: '<app with hyphens>' }
   */
  readonly podLabels?: { [key: string]: string };

  /**
   * Migrations and seed data run by the init Job as the app's user.
   *
   * @default - none
   */
  readonly migrations?: DbMigrationOptions;
}

/**
 * What {@link SharedPostgres.addApp} created for one app.
 */
export interface SharedPostgresApp {
  /** The app's connection Secret; `secret.envVariables()` gives a container its env. */
  readonly secret: AppDatabaseSecret;
  /** The Job creating the app's role, database and schema. */
  readonly initJob: DbInitJob;
  /** Labels the app's pods must carry to pass the NetworkPolicy. */
  readonly podLabels: { [key: string]: string };
}

const CONSTRUCT = 'SharedPostgres';
const PORT = 5432;
const DATA_DIR = '/var/lib/postgresql/data';
const TLS_DIR = '/var/lib/postgresql/tls';

/** A pod selector a NetworkPolicy allows to reach the database. */
interface AllowedClient {
  readonly podLabels: { [key: string]: string };
  readonly namespace: string;
}

/** A NetworkPolicy rule admitting pods with `podLabels` in `namespace` on the PostgreSQL port. */
function ingressRule(podLabels: { [key: string]: string }, namespace: string): k8s.NetworkPolicyIngressRule {
  return {
    from: [{
      podSelector: { matchLabels: { ...podLabels } },
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
    }],
    ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(PORT) }],
  };
}

/**
 * One PostgreSQL server per namespace (environment), shared by small apps that each get their own
 * database, user and Secret (see `addApp`).
 *
 * A Construct rather than a Chart, so it can sit in any chart next to the apps that use it.
 *
 * It creates: a StatefulSet (one pod, data on a `volumeClaimTemplates` volume), a headless Service
 * for the StatefulSet and the ClusterIP Service apps connect to, a Secret holding the superuser
 * name whose password is generated inside the cluster by a bootstrap Job (it never appears in a
 * manifest), a PodDisruptionBudget, a default-deny NetworkPolicy that admits only registered
 * clients, a backup CronJob, and optionally PgBouncer.
 *
 * Pod Security: the database pod runs as uid/gid 70 with fsGroup 70, a read-only root file
 * system (emptyDirs for `/var/run/postgresql` and `/tmp`, PGDATA in `pgdata/` under the volume
 * so `lost+found` does not stop initdb), no capabilities, no privilege escalation and the
 * RuntimeDefault seccomp profile, which meets the "restricted" profile. The entrypoint's
 * `chmod` of `/var/run/postgresql` fails harmlessly under a non-root user. The bootstrap Jobs
 * mount a ServiceAccount token (allowed by "restricted"); their Role reaches one Secret only.
 *
 * Availability: one pod. The PodDisruptionBudget (`minAvailable: 1`) makes voluntary evictions
 * (node drains) wait until an operator deletes the pod on purpose, so a drain never takes the
 * database down unnoticed.
 *
 * Data: the data claims survive deletion and scale-down of the StatefulSet
 * (`persistentVolumeClaimRetentionPolicy: Retain`). The backup claim is an ordinary
 * PersistentVolumeClaim: use a StorageClass with `reclaimPolicy: Retain` for it, and copy dumps
 * off the cluster if they must outlive it.
 */
export class SharedPostgres extends Construct {
  /** The database StatefulSet. */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** The ClusterIP Service apps connect to. */
  public readonly service: k8s.KubeService;
  /** The headless Service governing the StatefulSet. */
  public readonly headlessService: k8s.KubeService;
  /** The NetworkPolicy admitting only registered clients. */
  public readonly networkPolicy: k8s.KubeNetworkPolicy;
  /** The PodDisruptionBudget of the database pod. */
  public readonly podDisruptionBudget: k8s.KubePodDisruptionBudget;
  /** The backup CronJob and claim, unless `backupEnabled` is false. */
  public readonly backup?: PostgresBackup;
  /** The PgBouncer pooler, when `pgBouncer` is set. */
  public readonly pgBouncer?: PgBouncer;
  /** Namespace of every object. */
  public readonly namespace: string;
  /** Base name of the objects. */
  public readonly name: string;
  /** Name of the Service apps connect to. */
  public readonly serviceName: string;
  /** In-cluster host name of the database, `<serviceName>.<namespace>.svc.<clusterDomain>`. */
  public readonly host: string;
  /** TCP port of the database. */
  public readonly port: number = PORT;
  /** Secret with POSTGRES_USER (in the manifest) and POSTGRES_PASSWORD (generated in the cluster). */
  public readonly superuserSecretName: string;
  /** The sslmode apps get by default: `require` with TLS, else `prefer`. */
  public readonly defaultSslMode: SslMode;
  /** Whether the server has TLS on. */
  public readonly tlsEnabled: boolean;
  /** Labels of the database pod. */
  public readonly podLabels: { [key: string]: string };
  /** Label every pod allowed to reach the database as a platform component carries. */
  public readonly clientLabels: { [key: string]: string };

  private readonly clusterDomain: string;
  private readonly superuser: string;
  private readonly apps = new Map<string, SharedPostgresApp>();
  private readonly image: string;
  private readonly allowed: AllowedClient[] = [];
  /** Keys of `allowed`, so adding a client stays O(1) with hundreds of apps. */
  private readonly allowedKeys = new Set<string>();
  private readonly ingressRules: k8s.NetworkPolicyIngressRule[] = [];
  private readonly poolerIngressRules: k8s.NetworkPolicyIngressRule[] = [];

  constructor(scope: Construct, id: string, props: SharedPostgresProps) {
    super(scope, id);
    this.namespace = props.namespace;
    this.name = props.name ?? 'postgres';
    this.image = props.image ?? 'postgres:15-alpine';
    this.serviceName = props.serviceName ?? 'postgres-service';
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';
    const storageSize = props.storageSize ?? '10Gi';
    const cpuRequest = props.cpuRequest ?? '250m';
    const memoryRequest = props.memoryRequest ?? '256Mi';
    const cpuLimit = props.cpuLimit ?? '500m';
    const memoryLimit = props.memoryLimit ?? '512Mi';
    const maxConnections = props.maxConnections ?? 100;
    const settings = props.settings ?? {};
    const superuser = props.superuser ?? 'postgres';
    this.superuser = superuser;
    const backupEnabled = props.backupEnabled ?? true;
    this.tlsEnabled = props.tlsSecretName !== undefined;
    this.defaultSslMode = this.tlsEnabled ? SslMode.REQUIRE : SslMode.PREFER;

    checkDnsLabel(CONSTRUCT, 'namespace', this.namespace);
    checkDnsLabel(CONSTRUCT, 'name', this.name);
    const chartNamespace = Chart.of(this).namespace;
    if (chartNamespace !== undefined && chartNamespace !== this.namespace) {
      throw new Error(`${CONSTRUCT}: namespace must match the namespace of its chart (got namespace '${this.namespace}' in a chart with namespace '${chartNamespace}'). ` +
        `Create the chart with { namespace: '${this.namespace}' } or without a namespace.`);
    }
    if (this.name.length > 39) {
      throw new Error(`${CONSTRUCT}: name must be at most 39 characters (got '${this.name}', ${this.name.length}), so derived names such as '<name>-pgbouncer-auth-<hash>' stay within 63. Use a shorter name.`);
    }
    checkDnsLabel(CONSTRUCT, 'serviceName', this.serviceName);
    if (this.serviceName === `${this.name}-headless`) {
      throw new Error(`${CONSTRUCT}: serviceName must differ from the headless Service '${this.name}-headless' (got '${this.serviceName}'). Choose another serviceName.`);
    }
    checkImage(CONSTRUCT, 'image', this.image, 'postgres:15-alpine');
    checkStorageSize(CONSTRUCT, 'storageSize', storageSize);
    parseQuantity(CONSTRUCT, 'cpuRequest', cpuRequest, '250m');
    parseQuantity(CONSTRUCT, 'memoryRequest', memoryRequest, '256Mi');
    checkLimitNotBelowRequest(CONSTRUCT, 'cpu', cpuRequest, cpuLimit, '500m');
    checkLimitNotBelowRequest(CONSTRUCT, 'memory', memoryRequest, memoryLimit, '512Mi');
    checkIntRange(CONSTRUCT, 'maxConnections', maxConnections, 10, 10000, 'The seed default is 100; use PgBouncer rather than thousands of server connections.');
    checkSettings(CONSTRUCT, 'settings', settings);
    if ('max_connections' in settings) {
      throw new Error(`${CONSTRUCT}: settings must not contain max_connections (got '${settings.max_connections}'). Use the maxConnections prop instead.`);
    }
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(superuser) || superuser.startsWith('pg_')) {
      throw new Error(`${CONSTRUCT}: superuser must be a lower-case PostgreSQL identifier not starting with 'pg_' (got '${superuser}'). Use 'postgres'.`);
    }
    if (props.tlsSecretName !== undefined) {
      checkDnsLabel(CONSTRUCT, 'tlsSecretName', props.tlsSecretName);
    }

    this.host = `${this.serviceName}.${this.namespace}.svc.${this.clusterDomain}`;
    const selectorLabels = {
      'app.kubernetes.io/name': 'postgres',
      'app.kubernetes.io/instance': this.name,
      'app.kubernetes.io/component': 'database',
    };
    this.podLabels = { app: this.name, ...selectorLabels };
    this.clientLabels = { [`${this.name}.postgres.cdk-db-platform.io/client`]: 'true' };

    // Superuser Secret: only the non-secret user name is in the manifest; the bootstrap Job adds
    // POSTGRES_PASSWORD inside the cluster when it is missing.
    this.superuserSecretName = `${this.name}-superuser`;
    new k8s.KubeSecret(this, 'SuperuserSecret', {
      metadata: this.metadata(this.superuserSecretName, 'database'),
      type: 'Opaque',
      stringData: { POSTGRES_USER: superuser },
    });
    bootstrapPasswordSecret(this, 'SuperuserBootstrap', {
      namespace: this.namespace,
      name: `${this.name}-superuser`,
      secretName: this.superuserSecretName,
      passwordKey: 'POSTGRES_PASSWORD',
      labels: { 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/instance': this.name },
    });

    const args: string[] = ['-c', `max_connections=${maxConnections}`];
    for (const key of Object.keys(settings).sort()) args.push('-c', `${key}=${settings[key]}`);
    const volumes: k8s.Volume[] = [
      { name: 'run', emptyDir: {} },
      { name: 'tmp', emptyDir: {} },
    ];
    const mounts: k8s.VolumeMount[] = [
      { name: 'data', mountPath: DATA_DIR },
      { name: 'run', mountPath: '/var/run/postgresql' },
      { name: 'tmp', mountPath: '/tmp' },
    ];
    const initContainers: k8s.Container[] = [];
    if (props.tlsSecretName) {
      // PostgreSQL refuses a key readable by others or not owned by its user: copy the key into
      // an in-memory emptyDir as uid 70 with mode 0600.
      args.push('-c', 'ssl=on', '-c', `ssl_cert_file=${TLS_DIR}/tls.crt`, '-c', `ssl_key_file=${TLS_DIR}/tls.key`);
      volumes.push(
        { name: 'tls-source', secret: { secretName: props.tlsSecretName, defaultMode: 0o440 } },
        { name: 'tls', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
      );
      mounts.push({ name: 'tls', mountPath: TLS_DIR, readOnly: true });
      initContainers.push({
        name: 'tls-key',
        image: this.image,
        command: ['/bin/sh', '-c', [
          'set -eu',
          `cp /tls-source/tls.crt ${TLS_DIR}/tls.crt`,
          `cp /tls-source/tls.key ${TLS_DIR}/tls.key`,
          `chmod 0644 ${TLS_DIR}/tls.crt`,
          `chmod 0600 ${TLS_DIR}/tls.key`,
          '',
        ].join('\n')],
        resources: resources('10m', '16Mi', '100m', '32Mi'),
        securityContext: postgresContainerSecurityContext(),
        volumeMounts: [
          { name: 'tls-source', mountPath: '/tls-source', readOnly: true },
          { name: 'tls', mountPath: TLS_DIR },
        ],
      });
    }

    const isReady: k8s.ExecAction = {
      command: ['/bin/sh', '-c', `exec pg_isready -q -h 127.0.0.1 -p ${PORT} -U "$POSTGRES_USER" -d postgres`],
    };
    const headlessName = `${this.name}-headless`;
    this.headlessService = new k8s.KubeService(this, 'HeadlessService', {
      metadata: this.metadata(headlessName, 'database'),
      spec: {
        clusterIp: 'None',
        selector: selectorLabels,
        ports: [{ name: 'postgres', port: PORT, targetPort: k8s.IntOrString.fromString('postgres') }],
      },
    });
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: this.metadata(this.serviceName, 'database'),
      spec: {
        type: 'ClusterIP',
        selector: selectorLabels,
        ports: [{ name: 'postgres', port: PORT, targetPort: k8s.IntOrString.fromString('postgres') }],
      },
    });

    this.statefulSet = new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: this.metadata(this.name, 'database'),
      spec: {
        serviceName: headlessName,
        replicas: 1,
        selector: { matchLabels: selectorLabels },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          metadata: { labels: this.podLabels },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: 60,
            securityContext: postgresPodSecurityContext(),
            initContainers: initContainers.length > 0 ? initContainers : undefined,
            containers: [{
              name: 'postgres',
              image: this.image,
              args,
              ports: [{ name: 'postgres', containerPort: PORT }],
              env: [
                { name: 'POSTGRES_USER', valueFrom: { secretKeyRef: { name: this.superuserSecretName, key: 'POSTGRES_USER' } } },
                { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: this.superuserSecretName, key: 'POSTGRES_PASSWORD' } } },
                { name: 'PGDATA', value: `${DATA_DIR}/pgdata` },
              ],
              resources: resources(cpuRequest, memoryRequest, cpuLimit, memoryLimit),
              securityContext: postgresContainerSecurityContext(),
              volumeMounts: mounts,
              startupProbe: { exec: isReady, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 120 },
              readinessProbe: { exec: isReady, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
              livenessProbe: { exec: isReady, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
            }],
            volumes,
          },
        },
        volumeClaimTemplates: [{
          metadata: { name: 'data', labels: selectorLabels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: props.storageClassName,
            resources: { requests: { storage: k8s.Quantity.fromString(storageSize) } },
          },
        }],
      },
    });

    this.podDisruptionBudget = new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: this.metadata(this.name, 'database'),
      spec: {
        minAvailable: k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: selectorLabels },
      },
    });

    this.networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: this.metadata(this.name, 'database'),
      spec: {
        podSelector: { matchLabels: selectorLabels },
        policyTypes: ['Ingress'],
        ingress: this.ingressRules,
      },
    });
    // Platform components (backup, restore, PgBouncer setup) carry the client label.
    this.allowClient(this.clientLabels, this.namespace);

    if (backupEnabled) {
      this.backup = new PostgresBackup(this, 'Backup', {
        ...props.backup,
        namespace: this.namespace,
        name: this.name,
        image: this.image,
        host: this.host,
        port: PORT,
        superuserSecretName: this.superuserSecretName,
        sslMode: this.defaultSslMode,
        podLabels: this.clientLabels,
      });
    }

    if (props.pgBouncer) {
      const authSecretName = `${this.name}-pgbouncer-auth`;
      new k8s.KubeSecret(this, 'PgBouncerAuthSecret', {
        metadata: this.metadata(authSecretName, 'pooler'),
        type: 'Opaque',
        stringData: { username: 'pgbouncer_auth' },
      });
      bootstrapPasswordSecret(this, 'PgBouncerAuthBootstrap', {
        namespace: this.namespace,
        name: `${this.name}-pgbouncer-auth`,
        secretName: authSecretName,
        passwordKey: 'password',
        labels: { 'app.kubernetes.io/name': 'pgbouncer', 'app.kubernetes.io/instance': this.name },
      });
      this.pgBouncer = new PgBouncer(this, 'PgBouncer', {
        ...props.pgBouncer,
        namespace: this.namespace,
        databaseHost: this.host,
        databasePort: PORT,
        superuserSecretName: this.superuserSecretName,
        authSecretName,
        setupImage: this.image,
        tlsSecretName: props.tlsSecretName,
        podLabels: this.clientLabels,
      });
      // PgBouncer admits only the apps added with viaPgBouncer.
      new k8s.KubeNetworkPolicy(this, 'PgBouncerNetworkPolicy', {
        metadata: this.metadata(this.pgBouncer.serviceName, 'pooler'),
        spec: {
          podSelector: { matchLabels: this.pgBouncer.selectorLabels },
          policyTypes: ['Ingress'],
          ingress: this.poolerIngressRules,
        },
      });
    }
  }

  /**
   * Adds an app: its connection Secret (password generated in the cluster) and the Job that
   * creates its role, database and schema, and lets its pods through the NetworkPolicy.
   *
   * @param appName the app, e.g. `example_app` (lower-case letters, digits, `_`, `-`)
   * @param options names and settings overriding seed 001's defaults
   */
  public addApp(appName: string, options: SharedPostgresAppOptions = {}): SharedPostgresApp {
    if (this.apps.has(appName)) {
      throw new Error(`${CONSTRUCT}: addApp was called twice for app '${appName}' in namespace '${this.namespace}'. Add each app once; reuse the object addApp returned.`);
    }
    const viaPgBouncer = options.viaPgBouncer ?? false;
    if (viaPgBouncer && !this.pgBouncer) {
      throw new Error(`${CONSTRUCT}: addApp option viaPgBouncer needs the pgBouncer prop (got viaPgBouncer: true for app '${appName}' without pgBouncer). Set pgBouncer: {} or drop viaPgBouncer.`);
    }
    const host = viaPgBouncer ? this.pgBouncer!.host : this.host;
    const id = `App-${appName}`;
    const secret = new AppDatabaseSecret(this, `${id}-Secret`, {
      appName,
      host,
      port: PORT,
      databaseName: options.databaseName,
      username: options.username,
      secretName: options.secretName,
      sslMode: options.sslMode ?? this.defaultSslMode,
    });
    for (const other of this.apps.values()) {
      const clash = (
        [['databaseName', other.secret.databaseName, secret.databaseName],
          ['username', other.secret.username, secret.username],
          ['secretName', other.secret.secretName, secret.secretName],
          ['resourceName', other.secret.resourceName, secret.resourceName]] as const
      ).find(([, a, b]) => a === b);
      if (clash) {
        throw new Error(`${CONSTRUCT}: addApp '${appName}' ${clash[0]} '${clash[2]}' is already used by app '${other.secret.appName}'. ` +
          `Give each app its own ${clash[0]} (pass options.${clash[0] === 'resourceName' ? 'a different app name' : clash[0]}).`);
      }
    }
    const initJob = new DbInitJob(this, `${id}-Init`, {
      secret,
      superuserSecretName: this.superuserSecretName,
      superuserUsername: this.superuser,
      schemaName: options.schemaName,
      connectionLimit: options.connectionLimit,
      image: this.image,
      migrations: options.migrations,
      podLabels: this.clientLabels,
      // The init Job talks to the server directly: PgBouncer admits no superuser and pools in transactions.
      serverHost: viaPgBouncer ? this.host : undefined,
    });
    pinNamespace(secret, this.namespace);
    pinNamespace(initJob, this.namespace);
    const podLabels = options.podLabels ?? { app: secret.resourceName };
    if (viaPgBouncer) {
      this.poolerIngressRules.push(ingressRule(podLabels, this.namespace));
    } else {
      this.allowClient(podLabels, this.namespace);
    }
    const app: SharedPostgresApp = { secret, initJob, podLabels };
    this.apps.set(appName, app);
    return app;
  }

  /** The apps added so far, by app name. */
  public get appNames(): string[] {
    return [...this.apps.keys()];
  }

  /**
   * Lets pods with `podLabels` in `namespace` reach the database port through the NetworkPolicy.
   *
   * @param podLabels labels the client pods carry (all must match)
   * @param namespace namespace of the client pods
   */
  public allowClient(podLabels: { [key: string]: string }, namespace: string): void {
    checkDnsLabel(CONSTRUCT, 'allowClient namespace', namespace);
    if (Object.keys(podLabels).length === 0) {
      throw new Error(`${CONSTRUCT}: allowClient podLabels must not be empty (got {}). An empty selector would admit every pod of the namespace; give the app's labels, e.g. { app: 'my-app' }.`);
    }
    const key = JSON.stringify([namespace, Object.entries(podLabels).sort()]);
    if (this.allowedKeys.has(key)) return;
    this.allowedKeys.add(key);
    this.allowed.push({ podLabels: { ...podLabels }, namespace });
    this.ingressRules.push(ingressRule(podLabels, namespace));
  }

  /**
   * A Job restoring one database from this server's backups (`pg_restore --clean --if-exists`,
   * one transaction). Restoring is an explicit operator action that replaces the objects in the
   * dump: create the Job in a chart you apply on purpose.
   *
   * @param scope where to create the Job (e.g. a chart of its own)
   * @param id construct id of the Job
   * @param appOrDatabase an app added with `addApp` (its database is restored) or a database name
   * @param dumpFile a dump file name from `<claim>/<database>/`; default: the newest dump
   */
  public restoreJob(scope: Construct, id: string, appOrDatabase: string, dumpFile?: string): k8s.KubeJob {
    if (!this.backup) {
      throw new Error(`${CONSTRUCT}: restoreJob needs backups (got backupEnabled: false). Set backupEnabled to true, or restore from your own dumps.`);
    }
    const database = this.apps.get(appOrDatabase)?.secret.databaseName ?? appOrDatabase;
    return this.backup.restoreJob(scope, id, database, dumpFile);
  }

  private metadata(name: string, component: string): ApiObjectMetadata {
    return {
      name,
      namespace: this.namespace,
      labels: {
        'app.kubernetes.io/name': component === 'pooler' ? 'pgbouncer' : 'postgres',
        'app.kubernetes.io/instance': this.name,
        'app.kubernetes.io/component': component,
      },
    };
  }
}

