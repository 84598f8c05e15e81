import { createHash } from 'node:crypto';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AppDatabaseSecret } from './app-database-secret';
import { restrictedContainerSecurity, SecretBootstrap } from './private/secret-bootstrap';
import { InitSql } from '../core/init-sql';
import { PostgresNames } from '../core/pg-names';
import { DatabaseSecretKeys } from '../core/secret-keys';
import { SslMode } from '../core/ssl-mode';

/**
 * Migrations (and seed data) run as the app's user after the database is initialised.
 */
export interface DbMigrationOptions {
  /** The app's image, which contains the migration tooling. */
  readonly image: string;
  /**
   * Shell commands run in order with `/bin/sh -c`, stopping at the first failure,
   * e.g. `['python manage.py migrate', 'python manage.py seed_initial_data']`.
   */
  readonly commands: string[];
  /**
   * User id the migration container runs as (it must not be root).
   * @default 1000
   */
  readonly runAsUser?: number;
  /**
   * Extra plain environment variables for the migration container.
   * @default - none; the app's Secret is available through `envFrom`
   */
  readonly envVariables?: { [name: string]: string };
}

/**
 * Properties of a {@link DbInitJob}.
 */
export interface DbInitJobProps {
  /** The app's connection Secret; its names, host and port drive the job. */
  readonly secret: AppDatabaseSecret;
  /** Name of the Secret holding the superuser's password. */
  readonly superuserSecretName: string;
  /**
   * Host the init job connects to, when it differs from the app's (e.g. the app goes through a
   * connection pooler that admits no superuser).
   * @default - the Secret's `host`
   */
  readonly serverHost?: string;
  /**
   * Port the init job connects to.
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
   * @default 'POSTGRES_PASSWORD'
   */
  readonly superuserPasswordKey?: string;
  /**
   * The superuser's name.
   * @default 'postgres'
   */
  readonly superuserUsername?: string;
  /**
   * Database the superuser connects to first.
   * @default 'postgres'
   */
  readonly maintenanceDatabase?: string;
  /**
   * The app's schema (created owned by the app's user, first in its `search_path`).
   * @default `<appName>` (with `-` replaced by `_`)
   */
  readonly schemaName?: string;
  /**
   * `CONNECTION LIMIT` of the app's user; -1 means unlimited.
   * @default - no limit is set, and an existing limit is left unchanged
   */
  readonly connectionLimit?: number;
  /**
   * Image with `psql` 15 or later and `pg_isready` (runs as uid 70, the `postgres` user of the Alpine images).
   * @default 'postgres:15-alpine'
   */
  readonly image?: string;
  /**
   * Image with `kubectl` and a shell, for the password bootstrap (runs as uid 1001).
   *
   * The default is Bitnami's frozen legacy copy (the versioned `bitnami/kubectl` tags were removed
   * from Docker Hub in 2025); mirror a kubectl image with a shell into your registry and set it here.
   * @default 'bitnamilegacy/kubectl:1.28.15'
   */
  readonly bootstrapImage?: string;
  /**
   * Seconds to wait for `pg_isready` before the attempt fails.
   * @default 120
   */
  readonly waitTimeoutSeconds?: number;
  /**
   * `spec.activeDeadlineSeconds` of the Job.
   * @default 600
   */
  readonly activeDeadlineSeconds?: number;
  /**
   * `spec.ttlSecondsAfterFinished` of the Job.
   * @default 3600
   */
  readonly ttlSecondsAfterFinished?: number;
  /**
   * `spec.backoffLimit` of the Job.
   * @default 4
   */
  readonly backoffLimit?: number;
  /**
   * Migrations and seed data, run after init as the app's user.
   * @default - none
   */
  readonly migrations?: DbMigrationOptions;
  /**
   * Extra labels on the Job's pods (e.g. for a NetworkPolicy).
   * @default - only `app.kubernetes.io/name` and `app.kubernetes.io/component: db-init`
   */
  readonly podLabels?: { [key: string]: string };
}

/** Name of the container that creates role, database and schema. */
const INIT_CONTAINER = 'db-init';
/** Name of the container that fills the app's password into its Secret. */
const BOOTSTRAP_CONTAINER = 'secret-bootstrap';
/** Name of the container that runs migrations. */
const MIGRATE_CONTAINER = 'migrate';

/**
 * A `batch/v1` Job that prepares one app's database on a PostgreSQL server, idempotently.
 *
 * The pod runs, in order:
 * 1. `secret-bootstrap` (init container): generates the app's password inside the cluster and
 *    patches `DB_PASSWORD` and `DATABASE_URL` into the app's Secret, only if `DB_PASSWORD` is
 *    missing. It alone mounts an API token; the other containers get none. If the password exists but `DATABASE_URL` no longer matches the host, port, names or
 *    `sslmode`, it rewrites `DATABASE_URL` only. Its ServiceAccount may only `get` and `patch` that
 *    one Secret. The `db-init` container reads `DB_PASSWORD` through a `secretKeyRef`, which the
 *    kubelet resolves when that container starts, after the init container has finished.
 * 2. `db-init`: waits for `pg_isready`, then creates the role (with the password from the
 *    Secret), the database owned by the app with CONNECT revoked from PUBLIC, the app's schema and
 *    its `search_path`, and the optional connection limit. It never drops anything and never
 *    changes an existing password. The script is {@link InitSql.script}.
 * 3. `migrate` (only with `migrations`): the app's commands as the app's user, with the app's
 *    Secret as environment (`envFrom`). Then `db-init` runs as an init container and `migrate` is
 *    the Job's only container.
 *
 * A Job's pod template cannot change, so the Job's name ends in a hash of its pod template:
 * `<app>-db-init-<8 hex>`. Any change gives a new Job; an unchanged spec keeps its name.
 */
export class DbInitJob extends Construct {
  /** The Job's name (`<app>-db-init-<hash of the pod template>`). */
  public readonly jobName: string;
  /** Labels on the Job's pods. */
  public readonly podLabels: { [key: string]: string };
  /** The ServiceAccount the Job's pods run as. */
  public readonly serviceAccountName: string;
  /** The script of the `db-init` container. */
  public readonly initScript: string;

  public constructor(scope: Construct, id: string, props: DbInitJobProps) {
    super(scope, id);
    const owner = 'DbInitJob';
    const secret = props.secret;
    const defaults = PostgresNames.appDefaults(secret.appName);
    const superuserPasswordKey = props.superuserPasswordKey ?? 'POSTGRES_PASSWORD';
    const superuserUsername = props.superuserUsername ?? 'postgres';
    const maintenanceDatabase = props.maintenanceDatabase ?? 'postgres';
    const schemaName = props.schemaName ?? defaults.schemaName;
    const image = props.image ?? 'postgres:15-alpine';
    const waitTimeoutSeconds = props.waitTimeoutSeconds ?? 120;
    const activeDeadlineSeconds = props.activeDeadlineSeconds ?? 600;
    const ttlSecondsAfterFinished = props.ttlSecondsAfterFinished ?? 3600;
    const backoffLimit = props.backoffLimit ?? 4;
    const serverHost = props.serverHost ?? secret.host;
    const serverPort = props.serverPort ?? secret.port;
    const serverSslMode = props.serverSslMode ?? secret.sslMode;

    PostgresNames.validateDnsSubdomain(owner, 'serverHost', serverHost);
    validateWhole(owner, 'serverPort', serverPort, 1, 65535, 'PostgreSQL listens on 5432 unless configured otherwise.');
    PostgresNames.validateDnsSubdomain(owner, 'superuserSecretName', props.superuserSecretName);
    validateSecretKey(owner, 'superuserPasswordKey', superuserPasswordKey);
    PostgresNames.validateIdentifier(owner, 'superuserUsername', superuserUsername);
    PostgresNames.validateIdentifier(owner, 'maintenanceDatabase', maintenanceDatabase);
    validateImage(owner, 'image', image);
    validateWhole(owner, 'waitTimeoutSeconds', waitTimeoutSeconds, 1, 3600, 'Use e.g. 120.');
    validateWhole(owner, 'activeDeadlineSeconds', activeDeadlineSeconds, 1, 86400, 'Use e.g. 600.');
    validateWhole(owner, 'ttlSecondsAfterFinished', ttlSecondsAfterFinished, 0, 31536000, 'Use e.g. 3600.');
    validateWhole(owner, 'backoffLimit', backoffLimit, 0, 100, 'Use e.g. 4.');
    if (activeDeadlineSeconds <= waitTimeoutSeconds) {
      throw new Error(`${owner}: activeDeadlineSeconds (${activeDeadlineSeconds}) must be longer than waitTimeoutSeconds (${waitTimeoutSeconds}). `
        + 'Raise activeDeadlineSeconds or lower waitTimeoutSeconds, else the Job is killed while it waits.');
    }
    const sqlOptions = {
      databaseName: secret.databaseName,
      username: secret.username,
      schemaName,
      connectionLimit: props.connectionLimit,
    };
    InitSql.validate(owner, sqlOptions);
    this.initScript = InitSql.script({ ...sqlOptions, maintenanceDatabase, waitTimeoutSeconds, passwordEnv: DatabaseSecretKeys.PASSWORD });

    const baseName = `${secret.resourceName}-db-init`;
    this.podLabels = {
      'app.kubernetes.io/name': secret.resourceName,
      'app.kubernetes.io/component': 'db-init',
      ...props.podLabels,
    };

    const bootstrap = new SecretBootstrap(this, 'Bootstrap', {
      name: baseName,
      secretName: secret.secretName,
      passwordKey: DatabaseSecretKeys.PASSWORD,
      urlKey: DatabaseSecretKeys.URL,
      urlPrefix: secret.urlPrefix,
      urlSuffix: secret.urlSuffix,
      image: props.bootstrapImage,
      labels: { 'app.kubernetes.io/name': secret.resourceName, 'app.kubernetes.io/component': 'db-init' },
    });
    this.serviceAccountName = bootstrap.serviceAccountName;

    const initContainer = {
      name: INIT_CONTAINER,
      image,
      command: ['/bin/sh', '-c', this.initScript],
      env: [
        { name: 'PGHOST', value: serverHost },
        { name: 'PGPORT', value: String(serverPort) },
        { name: 'PGUSER', value: superuserUsername },
        { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: props.superuserSecretName, key: superuserPasswordKey } } },
        { name: 'PGSSLMODE', value: serverSslMode.value },
        { name: 'PGCONNECT_TIMEOUT', value: '10' },
        { name: 'PGAPPNAME', value: 'db-init' },
        { name: DatabaseSecretKeys.PASSWORD, valueFrom: { secretKeyRef: { name: secret.secretName, key: DatabaseSecretKeys.PASSWORD } } },
      ],
      resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
      securityContext: restrictedContainerSecurity(70, 70),
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    };

    const initContainers: any[] = [bootstrap.container(BOOTSTRAP_CONTAINER, 'tmp', 'kube-api-access')];
    let containers: any[];
    if (props.migrations) {
      initContainers.push(initContainer);
      containers = [this.migrationContainer(props.migrations, secret.secretName)];
    } else {
      containers = [initContainer];
    }

    const podTemplate = {
      metadata: { labels: this.podLabels },
      spec: {
        serviceAccountName: bootstrap.serviceAccountName,
        // Only the bootstrap container gets an API token (the projected volume below).
        automountServiceAccountToken: false,
        restartPolicy: 'OnFailure',
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        initContainers,
        containers,
        volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }, bootstrap.tokenVolume('kube-api-access')],
      },
    };
    this.jobName = `${baseName}-${specHash(podTemplate)}`;

    new ApiObject(this, 'Resource', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: this.jobName, labels: this.podLabels },
      spec: {
        backoffLimit,
        activeDeadlineSeconds,
        ttlSecondsAfterFinished,
        template: podTemplate,
      },
    });
  }

  private migrationContainer(m: DbMigrationOptions, secretName: string): any {
    const owner = 'DbInitJob';
    validateImage(owner, 'migrations.image', m.image);
    const runAsUser = m.runAsUser ?? 1000;
    validateWhole(owner, 'migrations.runAsUser', runAsUser, 1, 2147483647, 'Use the non-root user id of the app image, e.g. 1000.');
    const script = InitSql.migrationScript(owner, m.commands);
    const env = Object.entries(m.envVariables ?? {}).map(([name, value]) => ({ name, value }));
    return {
      name: MIGRATE_CONTAINER,
      image: m.image,
      command: ['/bin/sh', '-c', script],
      envFrom: [{ secretRef: { name: secretName } }],
      ...(env.length > 0 ? { env } : {}),
      securityContext: { ...restrictedContainerSecurity(runAsUser, runAsUser), readOnlyRootFilesystem: false },
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    };
  }
}

function validateWhole(owner: string, prop: string, value: number, min: number, max: number, fix: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${owner}: ${prop} must be a whole number from ${min} to ${max} (got ${value}). ${fix}`);
  }
}

function validateImage(owner: string, prop: string, image: string): void {
  if (image.trim().length === 0 || /\s/.test(image)) {
    throw new Error(`${owner}: ${prop} must be a container image reference without spaces (got ${JSON.stringify(image)}). Use e.g. 'postgres:15-alpine'.`);
  }
}

function validateSecretKey(owner: string, prop: string, key: string): void {
  if (!/^[-._a-zA-Z0-9]+$/.test(key)) {
    throw new Error(`${owner}: ${prop} must be a Secret key of letters, digits, '-', '_' and '.' (got ${JSON.stringify(key)}). Use e.g. 'POSTGRES_PASSWORD'.`);
  }
}

/** First 8 hex digits of the sha256 of a JSON value with sorted object keys. */
function specHash(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 8);
}

/** JSON with object keys sorted (the native serializer, with a replacer that sorts keys). */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v as Record<string, unknown>).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}
