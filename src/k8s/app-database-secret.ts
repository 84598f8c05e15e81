import { Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DatabaseEnvironment } from './database-env';
import { rollOnSecretChange } from './private/reloader';
import { claimUniqueNames } from './private/unique-names';
import { RollOnChangeOptions } from './roll-on-change';
import { AppDatabaseNames } from '../core/app-database-names';
import { DatabaseConnection } from '../core/connection-model';
import { DatabaseEnvOptions } from '../core/database-env';
import { DatabaseProvider } from '../core/database-provider';
import { ROTATION_SLACK_SECONDS } from '../core/private/app-rotation';
import { alternatingUsernameError, cloneNameOf } from '../core/private/app-user-rules';
import * as v from '../core/private/validators';
import { throwIfAny } from '../core/private/validators';
import { DatabaseSecretKeys } from '../core/secret-keys';
import { SslMode } from '../core/ssl-mode';

/**
 * Properties of an {@link AppDatabaseSecret}.
 */
export interface AppDatabaseSecretProps {
  /** The app's names (database, user, Secret), e.g. `AppDatabaseNames.of('example_app')`. */
  readonly names: AppDatabaseNames;
  /**
   * Host name (or IP address) of the PostgreSQL server, e.g. `postgres-service.production.svc.cluster.local`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly host: string;
  /**
   * Port of the PostgreSQL server.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 5432
   */
  readonly port?: number;
  /**
   * The `sslmode` written into `DB_SSL_MODE` and `DATABASE_URL`. TLS is on by default; a server
   * without TLS (e.g. a SharedPostgres without a certificate) must pass `SslMode.DISABLE` or
   * `SslMode.PREFER` explicitly.
   * @default SslMode.REQUIRE
   */
  readonly sslMode?: SslMode;
  /**
   * Path of the CA bundle inside the app's container (`sslrootcert` in `DATABASE_URL`), e.g.
   * `CaBundle.path`. Required with `verify-ca` and `verify-full`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default - none
   */
  readonly caPath?: string;
  /**
   * Namespace of the Secret.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Extra labels on the Secret.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default - only `app.kubernetes.io/name` and `app.kubernetes.io/component`
   */
  readonly labels?: { [key: string]: string };
  /**
   * The app's password rotates with alternating users (`SharedPostgres.addApp` with `rotation`):
   * each rotation moves the Secret to the other of `<username>` and `<username>_clone` with a new
   * password, and the login it names before keeps working until the next rotation. `DB_USER`
   * then alternates too, so it is not part of the manifest (re-applying it would reset `DB_USER`
   * under the rotated password); the init Job fills it in. Whole seconds from one day to 1000 days.
   * @default - the password does not rotate
   */
  readonly rotationInterval?: Duration;
  /**
   * Make the Secret a `kubernetes.io/basic-auth` Secret as well, for an operator that sets the
   * role's password from it (CloudNativePG's `DatabaseRole` `passwordSecret`): its type is
   * `kubernetes.io/basic-auth`, `username` (the app's user) is in the manifest, and `password` is
   * filled in inside the cluster with the same password as `DB_PASSWORD`. Not with `rotationInterval`.
   * @default false
   */
  readonly basicAuth?: boolean;
}

/**
 * An app's database connection Secret (`v1 Secret`), holding only what is not secret.
 *
 * The manifest carries `DB_HOST`, `DB_PORT`, `DB_NAME`, `DB_USER` and `DB_SSL_MODE` as
 * `stringData` (the connection contract, `DatabaseSecretKeys.valuesFor`). `DB_PASSWORD` and
 * `DATABASE_URL` are added inside the cluster by the {@link DatabaseInitJob}'s `secret-bootstrap`
 * init container, which generates a password and patches it into this Secret only if
 * `DB_PASSWORD` is missing. `DATABASE_URL` is {@link connection}'s URL (`connect_timeout`, an IPv6
 * host in brackets). So no password is ever in a synthesized file, and synthesizing again
 * produces the same bytes.
 *
 * Re-applying the manifest keeps the patched keys:
 * - client-side `kubectl apply` computes a three-way merge against the
 *   `last-applied-configuration` annotation and only prunes keys that annotation lists;
 *   `DB_PASSWORD` and `DATABASE_URL` were never applied, so they stay;
 * - server-side apply removes only fields the applying manager owns; the patched keys are
 *   owned by the `kubectl-patch` field manager, so they stay.
 * GitOps tools that compare live against desired state will show the two extra keys as a
 * difference; tell them to ignore `/data/DB_PASSWORD` and `/data/DATABASE_URL` (Argo CD
 * `ignoreDifferences` with `jsonPointers`), and never enable a "replace" sync for this Secret.
 *
 * With `rotationInterval`, `DB_USER` is filled in inside the cluster too (and alternates), and
 * the rotation records its time in the annotation `db.cdk-db-platform.io/rotated-at`: ignore
 * `/data/DB_USER` as well.
 */
export class AppDatabaseSecret extends Construct {
  /** The app's names. */
  public readonly names: AppDatabaseNames;
  /** The connection the Secret describes: host, port, database, user, sslmode, and the URL. */
  public readonly connection: DatabaseConnection;
  /** Name of the Kubernetes Secret. */
  public readonly secretName: string;
  /**
   * Namespace of the Secret.
   * @default - the chart's namespace (none when the chart has none)
   */
  public readonly namespace?: string;
  /** The Secret, for use with cdk8s-plus (`EnvValue.fromSecretValue`, `envFrom`). */
  public readonly secret: kplus.ISecret;
  /**
   * How often the password rotates with alternating users.
   * @default - it does not rotate
   */
  public readonly rotationInterval?: Duration;
  /**
   * The login the Secret alternates with (`<username>_clone`), when the password rotates.
   * @default - none: the password does not rotate
   */
  public readonly alternateUsername?: string;
  /**
   * Whether the Secret is a `kubernetes.io/basic-auth` Secret with `username` and `password` too.
   * @default false
   */
  public readonly basicAuth: boolean;

  public constructor(scope: Construct, id: string, props: AppDatabaseSecretProps) {
    super(scope, id);
    const port = props.port ?? 5432;
    const sslMode = props.sslMode ?? SslMode.REQUIRE;
    const labels = props.labels ?? {};
    const rotationSeconds = props.rotationInterval?.toSeconds();
    throwIfAny('AppDatabaseSecret', [
      rotationSeconds === undefined ? undefined
        : v.durationSeconds('rotationInterval', rotationSeconds, 86400, 1000 * 86400, 'Use e.g. Duration.days(30).')
          ?? alternatingUsernameError('username', props.names.username),
      v.host('host', props.host),
      v.port('port', port),
      props.caPath === undefined ? undefined : v.absolutePath('caPath', props.caPath, '/etc/db-ca/ca.pem'),
      props.namespace === undefined ? undefined : v.kubernetesName('Namespace', 'namespace', props.namespace),
      ...v.labels('labels', labels),
      props.basicAuth && rotationSeconds !== undefined
        ? 'basicAuth must not be combined with rotationInterval (got both). A basic-auth Secret names one login; drop one of them.'
        : undefined,
    ]);

    this.names = props.names;
    this.rotationInterval = props.rotationInterval;
    this.basicAuth = props.basicAuth ?? false;
    this.alternateUsername = props.rotationInterval === undefined ? undefined : cloneNameOf(props.names.username);
    this.secretName = props.names.secretName;
    this.namespace = props.namespace ?? Chart.of(this).namespace;
    this.connection = new DatabaseConnection({
      provider: DatabaseProvider.postgres({ host: props.host, port }),
      databaseName: props.names.databaseName,
      username: props.names.username,
      sslMode,
      caPath: props.caPath,
    });

    this.secret = new kplus.Secret(this, 'Resource', {
      metadata: {
        name: this.secretName,
        namespace: props.namespace,
        labels: {
          'app.kubernetes.io/name': props.names.resourceName,
          'app.kubernetes.io/component': 'database-credentials',
          ...labels,
        },
      },
      immutable: false,
      type: this.basicAuth ? 'kubernetes.io/basic-auth' : undefined,
      stringData: this.manifestData(),
    });
  }

  /**
   * Rolls `workload` whenever this Secret changes (a rotation, or a new password after the Secret
   * was recreated), through Stakater Reloader, which must be installed in the cluster: the
   * workload gets the annotation `secret.reloader.stakater.com/reload: <secretName>`. With
   * `rotationInterval`, `rolloutSeconds` must be shorter than the interval less an hour (the
   * time the previous login stays valid at least). See {@link RollOnChangeOptions}.
   *
   * @param workload the app's Deployment, StatefulSet or DaemonSet
   * @param options how long a rollout of it may take
   */
  public rollOnChange(workload: kplus.Workload, options: RollOnChangeOptions = {}): void {
    const rotationSeconds = this.rotationInterval?.toSeconds();
    rollOnSecretChange('AppDatabaseSecret', this.secretName, workload, options, rotationSeconds === undefined ? undefined : {
      validSeconds: rotationSeconds - ROTATION_SLACK_SECONDS,
      refreshSeconds: 0,
      fix: 'lower rolloutSeconds, or rotate less often (a longer rotation interval).',
    });
    claimUniqueNames('AppDatabaseSecret', this, 'names.secretName');
  }

  /** The `sslmode` apps should use. */
  public get sslMode(): SslMode {
    return this.connection.sslMode;
  }

  /**
   * Environment variables for the app's container: `secretKeyRef`s to `DB_HOST`, `DB_PORT`,
   * `DB_NAME`, `DB_USER`, `DB_PASSWORD`, `DATABASE_URL`, and the plain settings (`DB_SSL_MODE`,
   * this Secret's mode unless overridden, the pool sizes and timeouts; see `DatabaseEnvOptions`).
   */
  public envVariables(options: DatabaseEnvOptions = {}): { [name: string]: kplus.EnvValue } {
    return DatabaseEnvironment.envVariables(this.secret, { ...options, sslMode: options.sslMode ?? this.sslMode });
  }

  /** The manifest's keys: the non-secret connection values, without `DB_USER` when it alternates. */
  private manifestData(): { [key: string]: string } {
    const values = DatabaseSecretKeys.valuesFor(this.connection.details);
    if (this.basicAuth) return { ...values, username: this.connection.username };
    if (this.rotationInterval === undefined) return values;
    return Object.fromEntries(Object.entries(values).filter(([key]) => key !== DatabaseSecretKeys.USER));
  }
}
