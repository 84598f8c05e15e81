import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AppDatabaseSecret } from './app-database-secret';
import { hashedJobName } from './private/hashed-name';
import { containerSecurityContext, podSecurityContext, POSTGRES_UID, resources } from './private/pod-defaults';
import { DEFAULT_BOOTSTRAP_IMAGE, SecretBootstrap } from './private/secret-bootstrap';
import { claimUniqueNames } from './private/unique-names';
import { InitSql } from '../core/init-sql';
import * as v from '../core/private/validators';
import { Problem, throwIfAny } from '../core/private/validators';
import { DatabaseSecretKeys } from '../core/secret-keys';
import { SslMode } from '../core/ssl-mode';

/**
 * Migrations (and seed data) run as the app's user after the database is initialised.
 */
export interface DatabaseMigrationOptions {
  /**
   * The app's image, which contains the migration tooling.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly image: string;
  /**
   * Shell commands run in order with `/bin/sh -c`, stopping at the first failure,
   * e.g. `['python manage.py migrate', 'python manage.py seed_initial_data']`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly commands: string[];
  /**
   * User id the migration container runs as (it must not be root).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 1000
   */
  readonly runAsUser?: number;
  /**
   * Extra plain environment variables for the migration container.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default - none; the app's Secret is available through `envFrom`
   */
  readonly envVariables?: { [name: string]: string };
}

/**
 * Properties of a {@link DatabaseInitJob}.
 */
export interface DatabaseInitJobProps {
  /** The app's connection Secret; its names, host and port drive the job. */
  readonly secret: AppDatabaseSecret;
  /**
   * Name of the Secret holding the superuser's password.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly superuserSecretName: string;
  /**
   * Namespace of the Job and its ServiceAccount, Role and RoleBinding: the app Secret's, since the
   * Job reads and patches that Secret.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default - the Secret's namespace
   */
  readonly namespace?: string;
  /**
   * Host the init job connects to, when it differs from the app's (e.g. the app goes through a
   * connection pooler that admits no superuser).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default - the Secret's `host`
   */
  readonly serverHost?: string;
  /**
   * Port the init job connects to.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default - the Secret's `port`
   */
  readonly serverPort?: number;
  /**
   * `PGSSLMODE` of the init job's connection.
   * @default - the Secret's `sslMode`
   */
  readonly serverSslMode?: SslMode;
  /**
   * Key of the superuser's password in `superuserSecretName`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 'POSTGRES_PASSWORD'
   */
  readonly superuserPasswordKey?: string;
  /**
   * The superuser's name.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 'postgres'
   */
  readonly superuserUsername?: string;
  /**
   * Database the superuser connects to first.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 'postgres'
   */
  readonly maintenanceDatabase?: string;
  /**
   * `CONNECTION LIMIT` of the app's user; -1 means unlimited.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default - no limit is set, and an existing limit is left unchanged
   */
  readonly connectionLimit?: number;
  /**
   * Image with `psql` 15 or later and `pg_isready` (runs as uid 70, the `postgres` user of the Alpine images).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 'postgres:15-alpine'
   */
  readonly image?: string;
  /**
   * Image with `kubectl` and a shell, for the password bootstrap (runs as uid 1001).
   *
   * The default is Bitnami's frozen legacy copy (the versioned `bitnami/kubectl` tags were removed
   * from Docker Hub in 2025); mirror a kubectl image with a shell into your registry and set it here.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 'bitnamilegacy/kubectl:1.28.15'
   */
  readonly bootstrapImage?: string;
  /**
   * Seconds to wait for `pg_isready` before the attempt fails.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 120
   */
  readonly waitTimeoutSeconds?: number;
  /**
   * `spec.activeDeadlineSeconds` of the Job.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 600
   */
  readonly activeDeadlineSeconds?: number;
  /**
   * `spec.ttlSecondsAfterFinished` of the Job.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 3600
   */
  readonly ttlSecondsAfterFinished?: number;
  /**
   * `spec.backoffLimit` of the Job.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 4
   */
  readonly backoffLimit?: number;
  /**
   * Migrations and seed data, run after init as the app's user.
   * @default - none
   */
  readonly migrations?: DatabaseMigrationOptions;
  /**
   * The app's role, database and schema are made by another Job (SharedPostgres's server init Job,
   * which provisions all its apps in one session). This Job then only fills in the Secret and, with
   * `migrations`, waits (up to `waitTimeoutSeconds`, then fails and retries) until the app's login
   * reaches its database before running them. Its pods get no superuser password.
   * @default false
   */
  readonly provisionedElsewhere?: boolean;
  /**
   * Extra labels on the Job's pods (e.g. for a NetworkPolicy).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default - only `app.kubernetes.io/name` and `app.kubernetes.io/component: db-init`
   */
  readonly podLabels?: { [key: string]: string };
}

/** Name of the container that creates role, database and schema. */
const INIT_CONTAINER = 'db-init';
/** Name of the container that fills the app's password into its Secret. */
const BOOTSTRAP_CONTAINER = 'secret-bootstrap';
/** Name of the container that waits for the app's login (when another Job provisions it). */
const WAIT_CONTAINER = 'db-wait';
/** Name of the container that runs migrations. */
const MIGRATE_CONTAINER = 'migrate';
const OWNER = 'DatabaseInitJob';
const DEFAULT_IMAGE = 'postgres:15-alpine';

/**
 * A `batch/v1` Job that prepares one app's database on a PostgreSQL server, idempotently.
 *
 * The pod runs, in order:
 * 1. `secret-bootstrap` (init container): generates the app's password inside the cluster and
 *    patches `DB_PASSWORD` and `DATABASE_URL` (the Secret's `connection` URL) into the app's
 *    Secret, only if `DB_PASSWORD` is missing. It alone mounts an API token; the other containers
 *    get none. If the password exists but `DATABASE_URL` no longer matches the connection, it
 *    rewrites `DATABASE_URL` only. Its ServiceAccount may only `get` and `patch` that one Secret.
 *    The `db-init` container reads `DB_PASSWORD` through a `secretKeyRef`, which the kubelet
 *    resolves when that container starts, after the init container has finished.
 * 2. `db-init`: waits for `pg_isready`, then creates the role (with the password from the
 *    Secret), the database owned by the app with CONNECT revoked from PUBLIC, the app's schema and
 *    its `search_path`, and the optional connection limit. It never drops anything. The Secret is
 *    the source of truth for the password: the container logs in as the Secret's `DB_USER` with
 *    its `DB_PASSWORD`, and only when that fails (the Secret was deleted and recreated, so the
 *    bootstrap generated a new password) sets the role's password to the Secret's. The script is
 *    {@link InitSql.script}. For an app whose Secret rotates (`rotationInterval`), it also makes
 *    the alternate login `<user>_clone` and sets the `search_path` on the database, and the
 *    bootstrap fills in `DB_USER` as well.
 * 3. `migrate` (only with `migrations`): the app's commands as the app's user, with the app's
 *    Secret as environment (`envFrom`). Then `db-init` runs as an init container and `migrate` is
 *    the Job's only container.
 *
 * With `provisionedElsewhere` (SharedPostgres, whose server init Job provisions every app in one
 * session), step 2 is left out: the bootstrap is the Job's only container, or, with migrations, a
 * `db-wait` container waits until the app's login works before `migrate` runs.
 *
 * A Job's pod template cannot change, so the Job's name ends in a hash of its pod template:
 * `<app>-db-init-<8 hex>`. Any change gives a new Job; an unchanged spec keeps its name.
 *
 * After an app's Secret was deleted and recreated (re-applying the manifest creates it without a
 * password), the Job must run again: a finished Job is deleted after `ttlSecondsAfterFinished`
 * and the next apply creates it anew; before that, `kubectl delete job <app>-db-init-<hash>` and
 * apply again.
 */
export class DatabaseInitJob extends Construct {
  /** The Job's name (`<app>-db-init-<hash of the pod template>`). */
  public readonly jobName: string;
  /** Labels on the Job's pods. */
  public readonly podLabels: { [key: string]: string };
  /** The ServiceAccount the Job's pods run as. */
  public readonly serviceAccountName: string;
  /**
   * The script of the `db-init` container; with `provisionedElsewhere`, the script that waits
   * until the app's login works (the `db-wait` container, run before migrations).
   */
  public readonly initScript: string;
  /** The Job. */
  public readonly job: k8s.KubeJob;

  public constructor(scope: Construct, id: string, props: DatabaseInitJobProps) {
    super(scope, id);
    const secret = props.secret;
    const names = secret.names;
    const namespace = props.namespace ?? secret.namespace;
    const superuserPasswordKey = props.superuserPasswordKey ?? 'POSTGRES_PASSWORD';
    const superuserUsername = props.superuserUsername ?? 'postgres';
    const maintenanceDatabase = props.maintenanceDatabase ?? 'postgres';
    const image = props.image ?? DEFAULT_IMAGE;
    const bootstrapImage = props.bootstrapImage ?? DEFAULT_BOOTSTRAP_IMAGE;
    const waitTimeoutSeconds = props.waitTimeoutSeconds ?? 120;
    const activeDeadlineSeconds = props.activeDeadlineSeconds ?? 600;
    const ttlSecondsAfterFinished = props.ttlSecondsAfterFinished ?? 3600;
    const backoffLimit = props.backoffLimit ?? 4;
    const serverHost = props.serverHost ?? secret.connection.host;
    const serverPort = props.serverPort ?? secret.connection.port;
    const serverSslMode = props.serverSslMode ?? secret.sslMode;
    const podLabels = props.podLabels ?? {};
    const migrations = props.migrations && { ...props.migrations, runAsUser: props.migrations.runAsUser ?? 1000 };
    const alternatingUsers = secret.rotationInterval !== undefined;
    const initOptions = {
      names,
      connectionLimit: props.connectionLimit,
      alternatingUsers,
      maintenanceDatabase,
      waitTimeoutSeconds,
      passwordEnv: DatabaseSecretKeys.PASSWORD,
      userEnv: DatabaseSecretKeys.USER,
    };

    const problems: Problem[] = [
      namespace !== undefined && secret.namespace !== undefined && namespace !== secret.namespace
        ? `namespace must be the app Secret's namespace ${v.show(secret.namespace)} (got ${v.show(namespace)}), since the Job reads and patches that Secret. Drop namespace.`
        : undefined,
      namespace === undefined ? undefined : v.kubernetesName('Namespace', 'namespace', namespace),
      v.host('serverHost', serverHost),
      v.port('serverPort', serverPort),
      v.kubernetesName('Secret', 'superuserSecretName', props.superuserSecretName),
      v.secretKey('superuserPasswordKey', superuserPasswordKey),
      v.pgIdentifier('superuserUsername', superuserUsername),
      v.imageRef('image', image, DEFAULT_IMAGE),
      v.imageRef('bootstrapImage', bootstrapImage, DEFAULT_BOOTSTRAP_IMAGE),
      ...InitSql._problems(initOptions),
      v.durationSeconds('activeDeadlineSeconds', activeDeadlineSeconds, 1, 86400, 'Use e.g. 600.'),
      v.durationSeconds('ttlSecondsAfterFinished', ttlSecondsAfterFinished, 0, 31536000, 'Use e.g. 3600.'),
      v.intRange('backoffLimit', backoffLimit, 0, 100, 'Use e.g. 4.'),
      activeDeadlineSeconds <= waitTimeoutSeconds
        ? `activeDeadlineSeconds (${activeDeadlineSeconds}) must be longer than waitTimeoutSeconds (${waitTimeoutSeconds}). `
          + 'Raise activeDeadlineSeconds or lower waitTimeoutSeconds, else the Job is killed while it waits.'
        : undefined,
      ...v.labels('podLabels', podLabels),
      ...migrationProblems(migrations),
    ];
    throwIfAny(OWNER, problems);
    const elsewhere = props.provisionedElsewhere ?? false;
    this.initScript = elsewhere ? InitSql._waitForLoginScript(initOptions) : InitSql._script(initOptions);

    const baseName = `${names.resourceName}-db-init`;
    const ownLabels = { 'app.kubernetes.io/name': names.resourceName, 'app.kubernetes.io/component': 'db-init' };
    this.podLabels = { ...ownLabels, ...podLabels };

    const bootstrap = new SecretBootstrap(this, 'Bootstrap', {
      name: baseName,
      namespace,
      secretName: secret.secretName,
      passwordKey: DatabaseSecretKeys.PASSWORD,
      urlKey: DatabaseSecretKeys.URL,
      connection: secret.connection,
      // A login that alternates is not in the manifest: the bootstrap fills it in and builds the URL for it.
      userKey: alternatingUsers ? DatabaseSecretKeys.USER : undefined,
      image: bootstrapImage,
      labels: ownLabels,
    });
    this.serviceAccountName = bootstrap.serviceAccountName;

    const initContainer: k8s.Container = {
      name: elsewhere ? WAIT_CONTAINER : INIT_CONTAINER,
      image,
      command: ['/bin/sh', '-c', this.initScript],
      env: [
        { name: 'PGHOST', value: serverHost },
        { name: 'PGPORT', value: String(serverPort) },
        ...(elsewhere ? [] : [
          { name: 'PGUSER', value: superuserUsername },
          { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: props.superuserSecretName, key: superuserPasswordKey } } },
        ]),
        { name: 'PGSSLMODE', value: serverSslMode.value },
        { name: 'PGCONNECT_TIMEOUT', value: '10' },
        { name: 'PGAPPNAME', value: elsewhere ? WAIT_CONTAINER : INIT_CONTAINER },
        { name: DatabaseSecretKeys.PASSWORD, valueFrom: { secretKeyRef: { name: secret.secretName, key: DatabaseSecretKeys.PASSWORD } } },
        { name: DatabaseSecretKeys.USER, valueFrom: { secretKeyRef: { name: secret.secretName, key: DatabaseSecretKeys.USER } } },
      ],
      resources: resources('10m', '32Mi', '200m', '128Mi'),
      securityContext: containerSecurityContext(POSTGRES_UID),
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    };

    const bootstrapContainer = bootstrap.container(BOOTSTRAP_CONTAINER, 'tmp', 'kube-api-access');
    const initContainers: k8s.Container[] = [];
    const containers: k8s.Container[] = [];
    if (migrations) {
      initContainers.push(bootstrapContainer, initContainer);
      containers.push(migrationContainer(migrations, secret.secretName));
    } else if (elsewhere) {
      // Nothing to wait for: filling in the Secret is the whole Job.
      containers.push(bootstrapContainer);
    } else {
      initContainers.push(bootstrapContainer);
      containers.push(initContainer);
    }

    const template: k8s.PodTemplateSpec = {
      metadata: { labels: this.podLabels },
      spec: {
        serviceAccountName: bootstrap.serviceAccountName,
        // Only the bootstrap container gets an API token (the projected volume below).
        automountServiceAccountToken: false,
        restartPolicy: 'OnFailure',
        securityContext: podSecurityContext(),
        initContainers: initContainers.length > 0 ? initContainers : undefined,
        containers,
        volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } }, bootstrap.tokenVolume('kube-api-access')],
      },
    };
    this.jobName = hashedJobName(baseName, template);
    this.job = new k8s.KubeJob(this, 'Resource', {
      metadata: { name: this.jobName, namespace, labels: this.podLabels },
      spec: { backoffLimit, activeDeadlineSeconds, ttlSecondsAfterFinished, template },
    });
    claimUniqueNames(OWNER, this, 'secret (the app name in its names)');
  }
}

/** Migration options with the default user applied. */
interface Migrations extends DatabaseMigrationOptions {
  readonly runAsUser: number;
}

/** Problems of the migration options, named `migrations.<option>`. */
function migrationProblems(m: Migrations | undefined): Problem[] {
  if (m === undefined) return [];
  return [
    v.imageRef('migrations.image', m.image, 'ghcr.io/example/app:1.0.0'),
    v.intRange('migrations.runAsUser', m.runAsUser, 1, 2147483647, 'Use the non-root user id of the app image, e.g. 1000.'),
    ...InitSql._migrationProblems('migrations.commands', m.commands),
    ...Object.keys(m.envVariables ?? {}).map((name) => v.envVarName('migrations.envVariables key', name)),
  ];
}

/** The `migrate` container: the app's commands as the app's (non-root) user, with the app's Secret as environment. */
function migrationContainer(m: Migrations, secretName: string): k8s.Container {
  const env = Object.entries(m.envVariables ?? {}).map(([name, value]) => ({ name, value }));
  return {
    name: MIGRATE_CONTAINER,
    image: m.image,
    command: ['/bin/sh', '-c', InitSql._migrationScript(m.commands)],
    envFrom: [{ secretRef: { name: secretName } }],
    env: env.length > 0 ? env : undefined,
    securityContext: containerSecurityContext(m.runAsUser, true),
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}
