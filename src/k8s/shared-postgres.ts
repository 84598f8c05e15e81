import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CaBundle } from './ca-bundle';
import { DatabaseNetworkPolicy } from './database-network-policy';
import { GeneratedPasswordSecret } from './generated-password-secret';
import { PgBouncer } from './pgbouncer';
import { PostgresBackup } from './postgres-backup';
import { PostgresMonitoring } from './postgres-monitoring';
import { addCloudNativePgApp } from './private/cloudnative-pg-app';
import { CloudNativePgCluster } from './private/cloudnative-pg-cluster';
import { CloudNativePgSettings, resolveCloudNativePgSettings } from './private/cloudnative-pg-settings';
import { PostgresServer } from './private/postgres-server';
import { DatabaseServerInitJob } from './private/server-init-job';
import { buildApp, buildMonitoring, buildServerCertificate, buildServerInit, resolveApp } from './private/shared-postgres-parts';
import { resolveSharedPostgresSettings, SharedPostgresSettings } from './private/shared-postgres-settings';
import { claimUniqueNames } from './private/unique-names';
import { SharedPostgresApp, SharedPostgresAppOptions, SharedPostgresProps } from './shared-postgres-props';
import { RestoreJobOptions } from './shared-postgres-restore-options';
import * as v from '../core/private/validators';
import { throwIfAny } from '../core/private/validators';
import { SslMode } from '../core/ssl-mode';

const CONSTRUCT = 'SharedPostgres';
/** The longest single argument Linux passes to a program (MAX_ARG_STRLEN): the server init Job's script must fit. */
const MAX_ARGUMENT_BYTES = 128 * 1024;

/**
 * One PostgreSQL server per namespace (environment), shared by small apps that each get their own
 * database, user and Secret (see `addApp`).
 *
 * A Construct rather than a Chart, so it can sit in any chart next to the apps that use it.
 *
 * It composes: the server (a StatefulSet with one pod and its data on a `volumeClaimTemplates`
 * volume, a headless Service for the StatefulSet, the ClusterIP Service apps connect to, a
 * PodDisruptionBudget), the superuser's {@link GeneratedPasswordSecret} (the password is generated
 * inside the cluster and never appears in a manifest), a default-deny {@link DatabaseNetworkPolicy}
 * that admits only registered clients, a {@link PostgresBackup} CronJob (optionally copying the
 * dumps to object storage), optionally a {@link PgBouncer} with its own auth Secret and
 * NetworkPolicy, and optionally {@link PostgresMonitoring} (exporters, PodMonitors, alerts).
 *
 * Pod Security: the database pod runs as uid/gid 70 with fsGroup 70, a read-only root file
 * system (emptyDirs for `/var/run/postgresql` and `/tmp`, PGDATA in `pgdata/` under the volume
 * so `lost+found` does not stop initdb), no capabilities, no privilege escalation and the
 * RuntimeDefault seccomp profile, which meets the "restricted" profile. The entrypoint's
 * `chmod` of `/var/run/postgresql` fails harmlessly under a non-root user. The bootstrap Jobs
 * mount a ServiceAccount token (allowed by "restricted"); their Role reaches one Secret only.
 *
 * Availability: one pod. A node drain evicts it (the PodDisruptionBudget has `maxUnavailable: 1`)
 * and the database is down until it runs on another node with its volume re-attached; set
 * `blockNodeDrains` to make drains wait until an operator deletes the pod on purpose.
 *
 * Data: the data claims survive deletion and scale-down of the StatefulSet
 * (`persistentVolumeClaimRetentionPolicy: Retain`). The backup claim is an ordinary
 * PersistentVolumeClaim: use a StorageClass with `reclaimPolicy: Retain` for it, and set
 * `backup.objectStorage` so the dumps also leave the cluster.
 *
 * Backends: by default the server is the library's single-pod StatefulSet described above; with
 * `backend: SharedPostgresBackend.cloudNativePg(...)` it is a CloudNativePG `Cluster` instead (see
 * {@link SharedPostgresBackend}), and the StatefulSet-only members (`statefulSet`, `service`,
 * `headlessService`, `podDisruptionBudget`, `networkPolicy`, `superuserSecret`, `backup`,
 * `monitoring`) are undefined.
 *
 * Major versions: the image must run `postgresMajorVersion` (15 by default), since a server
 * cannot open the data directory of another major version. Upgrading is a dump and restore into a
 * new data directory on the same volume, chosen with `initialMajorVersion` (see there).
 */
export class SharedPostgres extends Construct {
  /**
   * The database StatefulSet.
   * @default - none under the CloudNativePG backend
   */
  public readonly statefulSet?: k8s.KubeStatefulSet;
  /**
   * The ClusterIP Service apps connect to.
   * @default - none under the CloudNativePG backend (the operator makes `<name>-rw`)
   */
  public readonly service?: k8s.KubeService;
  /**
   * The headless Service governing the StatefulSet.
   * @default - none under the CloudNativePG backend
   */
  public readonly headlessService?: k8s.KubeService;
  /**
   * The PodDisruptionBudget of the database pod.
   * @default - none under the CloudNativePG backend (the operator makes its own, see `enablePodDisruptionBudget`)
   */
  public readonly podDisruptionBudget?: k8s.KubePodDisruptionBudget;
  /**
   * The NetworkPolicy admitting only registered clients to the database.
   * @default - none under the CloudNativePG backend (its instances talk to each other and to the operator)
   */
  public readonly networkPolicy?: DatabaseNetworkPolicy;
  /**
   * The superuser's Secret: POSTGRES_USER in the manifest, POSTGRES_PASSWORD generated in the cluster.
   * @default - none under the CloudNativePG backend (the operator makes `<name>-superuser`)
   */
  public readonly superuserSecret?: GeneratedPasswordSecret;
  /**
   * The CloudNativePG `Cluster` (`postgresql.cnpg.io/v1`), under the CloudNativePG backend.
   * @default - none: the StatefulSet backend
   */
  public readonly cluster?: ApiObject;
  /**
   * The CloudNativePG `Pooler` (PgBouncer, `rw`), under the CloudNativePG backend with `pgBouncer`.
   * @default - none
   */
  public readonly pooler?: ApiObject;
  /**
   * The CloudNativePG `ScheduledBackup`, under the CloudNativePG backend with `backup.objectStorage`.
   * @default - none
   */
  public readonly scheduledBackup?: ApiObject;
  /** The backup CronJob and claim, unless `backupEnabled` is false. */
  public readonly backup?: PostgresBackup;
  /** The PgBouncer pooler, when `pgBouncer` is set. */
  public readonly pgBouncer?: PgBouncer;
  /** The monitoring objects, when `monitoring` is set. */
  public readonly monitoring?: PostgresMonitoring;
  /** Namespace of every object. */
  public readonly namespace: string;
  /** Base name of the objects. */
  public readonly name: string;
  /** Name of the Service apps connect to. */
  public readonly serviceName: string;
  /** In-cluster host name of the database, `<serviceName>.<namespace>.svc.<clusterDomain>`. */
  public readonly host: string;
  /** TCP port of the database. */
  public readonly port: number;
  /** Name of the superuser's Secret. */
  public readonly superuserSecretName: string;
  /** The sslmode apps get by default: `require` with TLS, else `prefer`. */
  public readonly defaultSslMode: SslMode;
  /** Whether the server has TLS on. */
  public readonly tlsEnabled: boolean;
  /**
   * The CA of the server certificate, for apps that verify the server (`sslmode=verify-full`):
   * mount it with `caBundle.mountInto(container)`; its `path` is the `sslrootcert` of their
   * `DATABASE_URL`. Undefined without TLS or with a certificate from `SharedPostgresTls.fromSecret`.
   */
  public readonly caBundle?: CaBundle;
  /** Name of the Secret holding the server certificate, when TLS is on. */
  public readonly tlsSecretName?: string;
  /** Labels of the database pod. */
  public readonly podLabels: { [key: string]: string };
  /** Label every pod allowed to reach the database as a platform component carries. */
  public readonly clientLabels: { [key: string]: string };

  /** @internal keys of the user name and password in the superuser's Secret */
  public readonly _superuserKeys: { readonly user: string; readonly password: string };
  private readonly settings: SharedPostgresSettings;
  private readonly cloudNativePg?: CloudNativePgSettings;
  private readonly apps = new Map<string, SharedPostgresApp>();
  private readonly connectionLimits = new Map<string, number | undefined>();
  private serverInit?: DatabaseServerInitJob;

  constructor(scope: Construct, id: string, props: SharedPostgresProps) {
    super(scope, id);
    const cnpg = props.backend?._cloudNativePg;
    const c = cnpg && resolveCloudNativePgSettings(props, cnpg, Chart.of(this).namespace);
    const s = c?.base ?? resolveSharedPostgresSettings(props, Chart.of(this).namespace);
    this.settings = s;
    this.cloudNativePg = c;
    this.namespace = s.namespace;
    this.name = s.name;
    this.serviceName = s.serviceName;
    this.host = s.host;
    this.port = s.port;
    this.superuserSecretName = s.superuserSecretName;
    this.defaultSslMode = s.defaultSslMode;
    this.tlsEnabled = c !== undefined || s.tls !== undefined;
    this.tlsSecretName = s.tlsSecretName;
    this.podLabels = s.podLabels;
    this.clientLabels = s.clientLabels;
    this._superuserKeys = c ? { user: 'username', password: 'password' } : { user: 'POSTGRES_USER', password: 'POSTGRES_PASSWORD' };
    if (c) {
      const server = new CloudNativePgCluster(this, 'CloudNativePg', c);
      this.cluster = server.cluster;
      this.pooler = server.pooler;
      this.scheduledBackup = server.scheduledBackup;
      this.caBundle = new CaBundle(this, 'CaBundle', { secretName: c.caSecretName, key: 'ca.crt' });
      claimUniqueNames(CONSTRUCT, this, 'name and pgBouncer.serviceName');
      return;
    }

    // Only the non-secret user name is in the manifest; a bootstrap Job adds POSTGRES_PASSWORD inside the cluster.
    this.superuserSecret = new GeneratedPasswordSecret(this, 'Superuser', {
      secretName: s.superuserSecretName,
      namespace: s.namespace,
      passwordKey: 'POSTGRES_PASSWORD',
      stringData: { POSTGRES_USER: s.superuser },
      labels: s.objectLabels,
    });
    const server = new PostgresServer(this, 'Server', s);
    this.statefulSet = server.statefulSet;
    this.service = server.service;
    this.headlessService = server.headlessService;
    this.podDisruptionBudget = server.podDisruptionBudget;
    this.networkPolicy = new DatabaseNetworkPolicy(this, 'NetworkPolicy', {
      name: s.name,
      namespace: s.namespace,
      podLabels: s.selectorLabels,
      port: s.port,
      labels: s.objectLabels,
    });
    // Platform components (backup, restore, init Jobs, PgBouncer) carry the client label.
    this.networkPolicy.allowClient(s.clientLabels, s.namespace);

    if (s.backupEnabled) {
      this.backup = new PostgresBackup(this, 'Backup', {
        ...props.backup,
        namespace: s.namespace,
        name: s.name,
        image: s.image,
        host: s.host,
        port: s.port,
        superuserSecretName: s.superuserSecretName,
        sslMode: s.defaultSslMode,
        podLabels: s.clientLabels,
        recordLastSuccess: s.monitoring !== undefined,
      });
    }
    if (props.pgBouncer) {
      this.pgBouncer = new PgBouncer(this, 'PgBouncer', {
        ...props.pgBouncer,
        namespace: s.namespace,
        clusterDomain: s.clusterDomain,
        databaseHost: s.host,
        databasePort: s.port,
        superuserSecretName: s.superuserSecretName,
        authSecretName: `${s.name}-pgbouncer-auth`,
        setupImage: s.image,
        tlsSecretName: s.tlsSecretName,
        podLabels: s.clientLabels,
        exporterImage: s.monitoring?.pgBouncerExporterImage,
      });
    }
    this.caBundle = buildServerCertificate(this, s, this.pgBouncer);
    this.monitoring = buildMonitoring(this, s, {
      options: props.monitoring, superuserSecret: this.superuserSecret, backup: this.backup, pgBouncer: this.pgBouncer,
    });
    claimUniqueNames(CONSTRUCT, this, 'name, serviceName and pgBouncer.serviceName');
  }

  /**
   * Adds an app: its connection Secret (password generated in the cluster) and the Job that
   * creates its role, database and schema, and lets its pods through the NetworkPolicy (the
   * database's, or PgBouncer's with `viaPgBouncer`). With `rotation`, also the CronJob that
   * rotates its password with alternating users ({@link AppPasswordRotation}). The app's names are
   * derived and checked once, here, and passed to the Secret, the Job and the CronJob.
   *
   * @param appName the app, e.g. `example_app` (lower-case letters, digits, `_`, `-`)
   * @param options names and settings overriding the default naming convention
   */
  public addApp(appName: string, options: SharedPostgresAppOptions = {}): SharedPostgresApp {
    const s = this.settings;
    if (this.cloudNativePg) {
      const cnpgApp = addCloudNativePgApp(this, this.cloudNativePg, { caBundle: this.caBundle, apps: this.apps }, appName, options);
      this.apps.set(appName, cnpgApp);
      return cnpgApp;
    }
    const ctx = { pgBouncer: this.pgBouncer, monitoring: this.monitoring, caBundle: this.caBundle, apps: this.apps };
    const resolved = resolveApp(s, ctx, appName, options);
    throwIfAny(CONSTRUCT, resolved.problems);
    const app = buildApp(this, s, ctx, appName, options, resolved);
    if (options.viaPgBouncer) {
      this.pgBouncer!.allowClient(app.podLabels, s.namespace);
    } else {
      this.allowClient(app.podLabels, s.namespace);
    }
    for (const part of [app.secret, app.initJob, ...(app.rotation ? [app.rotation] : [])]) {
      claimUniqueNames(CONSTRUCT, part, `addApp ${v.show(appName)} (its name and its secretName option)`);
    }
    this.apps.set(appName, app);
    this.connectionLimits.set(appName, options.connectionLimit);
    if (this.serverInit === undefined) {
      const serverInit = buildServerInit(this, s, () => [...this.apps.entries()].map(([name, a]) => ({
        secret: a.secret, connectionLimit: this.connectionLimits.get(name),
      })), this.monitoring);
      this.serverInit = serverInit;
      claimUniqueNames(CONSTRUCT, serverInit, 'name (the server init Job\'s name)');
      // Checked when the apps are all there: the script lists every app.
      this.node.addValidation({
        validate: () => {
          const bytes = Buffer.byteLength(serverInit.initScript);
          return bytes <= MAX_ARGUMENT_BYTES ? [] : [`${CONSTRUCT}: the server init Job's script is ${bytes} bytes for ${this.apps.size} apps, `
            + `more than a container argument holds (${MAX_ARGUMENT_BYTES}). Put some of the apps on another SharedPostgres, or give them shorter names.`];
        },
      });
    }
    return app;
  }

  /**
   * The Job that makes the role, database, schema and password of every app added so far, in one
   * psql session (`<name>-apps-init-<hash>`); undefined before the first `addApp`. Each app's own
   * Job (`SharedPostgresApp.initJob`) fills in its Secret and runs its migrations.
   */
  public get appsInitJob(): k8s.KubeJob | undefined {
    return this.serverInit?.job;
  }

  /** The apps added so far, by app name. */
  public get appNames(): string[] {
    return [...this.apps.keys()];
  }

  /**
   * Lets pods with `podLabels` in `namespace` reach the database port through the NetworkPolicy.
   * Does nothing under the CloudNativePG backend, which has no NetworkPolicy of the library's.
   *
   * @param podLabels labels the client pods carry (all must match)
   * @param namespace namespace of the client pods
   */
  public allowClient(podLabels: { [key: string]: string }, namespace: string): void {
    this.networkPolicy?.allowClient(podLabels, namespace);
  }

  /**
   * Lets the pods of a cdk8s-plus pod selector reach the database port: a workload
   * (`Deployment`, `StatefulSet`, `Job`, `Pod`) or `Pods.select(...)`. Does nothing under the
   * CloudNativePG backend, which has no NetworkPolicy of the library's.
   *
   * @param selector the client pods
   */
  public allowSelector(selector: kplus.IPodSelector): void {
    this.networkPolicy?.allowSelector(selector);
  }

  /**
   * A Job restoring one database from this server's backups (`pg_restore --clean --if-exists`,
   * one transaction). Restoring is an explicit operator action that replaces the objects in the
   * dump: create the Job in a chart you apply on purpose.
   *
   * With `into`, the Job restores this server's dump into another SharedPostgres in the same
   * namespace (e.g. one on the CloudNativePG backend), to move an app between backends: the
   * database must exist there (add the app there first), and the Job logs in as its superuser.
   *
   * @param scope where to create the Job (e.g. a chart of its own)
   * @param id construct id of the Job
   * @param options the app or database, and optionally the dump file
   */
  public restoreJob(scope: Construct, id: string, options: RestoreJobOptions): k8s.KubeJob {
    const app = options.appName === undefined ? undefined : this.apps.get(options.appName);
    const into = options.into;
    throwIfAny(CONSTRUCT, [
      this.cloudNativePg
        ? 'restoreJob reads the dumps of the StatefulSet backend (got a SharedPostgres on the CloudNativePG backend). '
          + 'Recover a CloudNativePG cluster from its base backups with a new Cluster (bootstrap.recovery); to move an app here, call restoreJob on the old SharedPostgres with into: this one.'
        : this.backup ? undefined : 'restoreJob needs backups (got backupEnabled: false). Set backupEnabled to true, or restore from your own dumps.',
      into !== undefined && into.namespace !== this.namespace
        ? `restoreJob into must be a SharedPostgres in namespace ${v.show(this.namespace)} (got one in ${v.show(into.namespace)}): the Job reads this server's dumps and the other's superuser Secret. Move the dump, or restore from that namespace.`
        : undefined,
      into !== undefined && into === this ? 'restoreJob into must be another SharedPostgres (got this one). Drop into to restore here.' : undefined,
      into !== undefined && options.appName !== undefined && app !== undefined && !into.appNames.includes(options.appName)
        ? `restoreJob into needs the app ${v.show(options.appName)} added there too (got a SharedPostgres without it), so its database and role exist. Call addApp(${v.show(options.appName)}) on it first.`
        : undefined,
      into !== undefined && into.cluster !== undefined && options.restoreGlobals
        ? 'restoreJob restoreGlobals must not be set with into a CloudNativePG SharedPostgres (got restoreGlobals: true): the operator manages the roles (DatabaseRole). Drop restoreGlobals.'
        : undefined,
      (options.appName === undefined) === (options.databaseName === undefined)
        ? `restoreJob needs exactly one of appName and databaseName (got ${options.appName === undefined ? 'neither' : 'both'}). Name the app added with addApp, or the database.`
        : undefined,
      options.appName !== undefined && app === undefined
        ? `restoreJob appName must be an app added with addApp (got ${v.show(options.appName)}; apps: ${this.appNames.map((n) => v.show(n)).join(', ') || 'none'}). Add the app first, or pass databaseName.`
        : undefined,
    ]);
    const databaseName = app?.secret.names.databaseName ?? options.databaseName!;
    const job = this.backup!.restoreJob(scope, id, {
      databaseName,
      dumpFile: options.dumpFile,
      restoreGlobals: options.restoreGlobals,
      globalsFile: options.globalsFile,
      fromObjectStorage: options.fromObjectStorage,
      target: into && {
        host: into.host,
        port: into.port,
        superuserSecretName: into.superuserSecretName,
        superuserUserKey: into._superuserKeys.user,
        superuserPasswordKey: into._superuserKeys.password,
        sslMode: into.defaultSslMode,
      },
    });
    claimUniqueNames(CONSTRUCT, job, 'restoreJob');
    return job;
  }
}
