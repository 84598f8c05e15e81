import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DatabaseEnvironment } from './database-env';
import { DatabaseEnvOptions } from '../core/database-env';
import { PostgresNames } from '../core/pg-names';
import { DatabaseSecretKeys } from '../core/secret-keys';
import { SslMode } from '../core/ssl-mode';

/**
 * Properties of an {@link AppDatabaseSecret}.
 */
export interface AppDatabaseSecretProps {
  /**
   * The app, e.g. `example_app`: lower-case letters, digits, `_` or `-`, at most 46 characters.
   * The default database, user and Secret names derive from it.
   */
  readonly appName: string;
  /**
   * Host name of the PostgreSQL server, e.g. `postgres-service.production.svc.cluster.local`.
   */
  readonly host: string;
  /**
   * Port of the PostgreSQL server.
   * @default 5432
   */
  readonly port?: number;
  /**
   * The app's database.
   * @default `<appName>_db` (with `-` replaced by `_`)
   */
  readonly databaseName?: string;
  /**
   * The app's database user.
   * @default `<appName>_user` (with `-` replaced by `_`)
   */
  readonly username?: string;
  /**
   * Name of the Kubernetes Secret.
   * @default `<appName>-db-secret` (with `_` replaced by `-`)
   */
  readonly secretName?: string;
  /**
   * The `sslmode` written into `DB_SSL_MODE` and `DATABASE_URL`. TLS is on by default; a server
   * without TLS (e.g. a SharedPostgres without a certificate) must pass `SslMode.DISABLE` or
   * `SslMode.PREFER` explicitly.
   * @default SslMode.REQUIRE
   */
  readonly sslMode?: SslMode;
  /**
   * Extra labels on the Secret.
   * @default - only `app.kubernetes.io/name` and `app.kubernetes.io/component`
   */
  readonly labels?: { [key: string]: string };
}

/**
 * An app's database connection Secret (`v1 Secret`), holding only what is not secret.
 *
 * The manifest carries `DB_HOST`, `DB_PORT`, `DB_NAME`, `DB_USER` and `DB_SSL_MODE` as
 * `stringData`. `DB_PASSWORD` and `DATABASE_URL` are added inside the cluster by the
 * {@link DbInitJob}'s `secret-bootstrap` init container, which generates a password and patches
 * it into this Secret only if `DB_PASSWORD` is missing. So no password is ever in a synthesized
 * file, and synthesizing again produces the same bytes.
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
 */
export class AppDatabaseSecret extends Construct {
  /** Name of the Kubernetes Secret. */
  public readonly secretName: string;
  /** The app name as given. */
  public readonly appName: string;
  /** The app name as a DNS-1123 label (`_` replaced by `-`), used in derived object names. */
  public readonly resourceName: string;
  /** Host name of the PostgreSQL server. */
  public readonly host: string;
  /** Port of the PostgreSQL server. */
  public readonly port: number;
  /** The app's database. */
  public readonly databaseName: string;
  /** The app's database user. */
  public readonly username: string;
  /** The `sslmode` apps should use. */
  public readonly sslMode: SslMode;
  /** The Secret, for use with cdk8s-plus (`EnvValue.fromSecretValue`, `envFrom`). */
  public readonly secret: kplus.ISecret;

  public constructor(scope: Construct, id: string, props: AppDatabaseSecretProps) {
    super(scope, id);
    const owner = 'AppDatabaseSecret';
    PostgresNames.validateAppName(owner, 'appName', props.appName);
    const defaults = PostgresNames.appDefaults(props.appName);
    this.appName = props.appName;
    this.resourceName = defaults.resourceName;
    this.host = props.host;
    this.port = props.port ?? 5432;
    this.databaseName = props.databaseName ?? defaults.databaseName;
    this.username = props.username ?? defaults.username;
    this.secretName = props.secretName ?? defaults.secretName;
    this.sslMode = props.sslMode ?? SslMode.REQUIRE;

    PostgresNames.validateDnsSubdomain(owner, 'host', this.host);
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535) {
      throw new Error(`${owner}: port must be a whole number from 1 to 65535 (got ${this.port}). PostgreSQL listens on 5432 unless configured otherwise.`);
    }
    PostgresNames.validateDatabaseName(owner, 'databaseName', this.databaseName);
    PostgresNames.validateRoleName(owner, 'username', this.username);
    PostgresNames.validateDnsSubdomain(owner, 'secretName', this.secretName);

    const resource = new kplus.Secret(this, 'Resource', {
      metadata: {
        name: this.secretName,
        labels: {
          'app.kubernetes.io/name': this.resourceName,
          'app.kubernetes.io/component': 'database-credentials',
          ...props.labels,
        },
      },
      immutable: false,
      stringData: this.nonSecretData(),
    });
    this.secret = resource;
  }

  /**
   * The `DATABASE_URL` up to the password (`postgresql://<user>:`), percent-encoded.
   */
  public get urlPrefix(): string {
    return `postgresql://${encodeURIComponent(this.username)}:`;
  }

  /**
   * The `DATABASE_URL` after the password (`@<host>:<port>/<db>?sslmode=<mode>`), percent-encoded.
   */
  public get urlSuffix(): string {
    return `@${this.host}:${this.port}/${encodeURIComponent(this.databaseName)}?sslmode=${this.sslMode.value}`;
  }

  /**
   * Environment variables for the app's container: `secretKeyRef`s to `DB_HOST`, `DB_PORT`,
   * `DB_NAME`, `DB_USER`, `DB_PASSWORD`, `DATABASE_URL`, and the plain settings `DB_SSL_MODE`
   * (this Secret's mode unless overridden), `DB_POOL_SIZE` and `DB_TIMEOUT`.
   */
  public envVariables(options: DatabaseEnvOptions = {}): { [name: string]: kplus.EnvValue } {
    return DatabaseEnvironment.envVariables(this.secret, { ...options, sslMode: options.sslMode ?? this.sslMode });
  }

  private nonSecretData(): { [key: string]: string } {
    return {
      [DatabaseSecretKeys.HOST]: this.host,
      [DatabaseSecretKeys.PORT]: String(this.port),
      [DatabaseSecretKeys.NAME]: this.databaseName,
      [DatabaseSecretKeys.USER]: this.username,
      [DatabaseSecretKeys.SSL_MODE]: this.sslMode.value,
    };
  }
}
