import { ApiObject, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DatabaseEnvironment } from './database-env';
import { claimUniqueNames } from './private/unique-names';
import { DatabaseConnection } from '../core/connection-model';
import { DatabaseEnvOptions } from '../core/database-env';
import { DatabaseProvider } from '../core/database-provider';
import { keyMappingProblems } from '../core/private/env-names';
import * as v from '../core/private/validators';
import { Problem, throwIfAny } from '../core/private/validators';
import { DatabaseSecretKeys } from '../core/secret-keys';
import { SecretsManagerSecretRef } from '../core/secret-reference';
import { SslMode } from '../core/ssl-mode';

/**
 * The External Secrets Operator store an `ExternalSecret` reads from.
 * @see https://external-secrets.io/latest/api/secretstore/
 */
export class ExternalSecretStoreRef {
  /** A namespaced `SecretStore` in the ExternalSecret's namespace. */
  public static secretStore(name: string): ExternalSecretStoreRef {
    return ExternalSecretStoreRef.of('SecretStore', name);
  }

  /** A cluster-wide `ClusterSecretStore`. */
  public static clusterSecretStore(name: string): ExternalSecretStoreRef {
    return ExternalSecretStoreRef.of('ClusterSecretStore', name);
  }

  /** A store by kind (`SecretStore` or `ClusterSecretStore`) and name. */
  public static of(kind: string, name: string): ExternalSecretStoreRef {
    throwIfAny('ExternalSecretStoreRef', [
      kind !== 'SecretStore' && kind !== 'ClusterSecretStore'
        ? `kind must be 'SecretStore' or 'ClusterSecretStore' (got ${v.show(kind)}). Use ExternalSecretStoreRef.secretStore() or clusterSecretStore().`
        : undefined,
      v.kubernetesName(kind, 'name', name),
    ]);
    return new ExternalSecretStoreRef(kind, name);
  }

  private constructor(
    /** `SecretStore` or `ClusterSecretStore`. */
    public readonly kind: string,
    /** Name of the store. */
    public readonly name: string,
  ) {}
}

/** Options for {@link DatabaseSecretSource.existingSecret}. */
export interface ExistingSecretSourceOptions {
  /**
   * Which key of the existing Secret holds each contract key, e.g.
   * `{ DATABASE_URL: 'database-url', DB_USER: 'username', DB_PASSWORD: 'password' }`.
   * Must map `DATABASE_URL`; contract keys left out are not offered to the app.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default - the Secret holds all six contract keys under their own names
   */
  readonly keyMapping?: { [contractKey: string]: string };
  /**
   * The `sslmode` the app should use (`DB_SSL_MODE`); match it to the Secret's URL.
   * @default SslMode.REQUIRE
   */
  readonly sslMode?: SslMode;
}

/** Options for {@link DatabaseSecretSource.externalSecret}. */
export interface ExternalSecretSourceOptions {
  /**
   * The AWS Secrets Manager secret with the RDS JSON document (`username`, `password`, `host`,
   * `port`, `dbname`), e.g. from `SecretReferenceFor.independentRds(rds)`.
   */
  readonly secret: SecretsManagerSecretRef;
  /** The SecretStore or ClusterSecretStore that can read `secret`. */
  readonly store: ExternalSecretStoreRef;
  /**
   * How often the operator copies the secret again. Must be shorter than the secret's rotation
   * period, so a rotated password reaches the cluster before the next rotation.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default Duration.hours(1)
   */
  readonly refreshInterval?: Duration;
  /**
   * `sslmode` of `DATABASE_URL` and `DB_SSL_MODE` (RDS rules: `require` or stronger).
   * @default SslMode.VERIFY_FULL
   */
  readonly sslMode?: SslMode;
  /**
   * The RDS CA bundle inside the app's container (`sslrootcert`), e.g. `CaBundle.path`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default '/etc/ssl/certs/rds-global-bundle.pem'
   */
  readonly caPath?: string;
  /**
   * The database in `DB_NAME` and `DATABASE_URL`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default - the secret's `dbname` field
   */
  readonly databaseName?: string;
}

/** Where an {@link ExternalDatabaseSecret} gets its data. */
export class DatabaseSecretSource {
  /** A Secret that already exists in the namespace (made by hand, by a pipeline or an operator). */
  public static existingSecret(options: ExistingSecretSourceOptions = {}): DatabaseSecretSource {
    throwIfAny('DatabaseSecretSource.existingSecret', keyMappingProblems(options.keyMapping));
    return new DatabaseSecretSource(options, undefined);
  }

  /**
   * An External Secrets Operator `ExternalSecret` that copies an AWS Secrets Manager secret
   * (`dataFrom.extract`) into a Secret with the contract keys.
   */
  public static externalSecret(options: ExternalSecretSourceOptions): DatabaseSecretSource {
    return new DatabaseSecretSource(undefined, options);
  }

  private constructor(
    /** @internal */ public readonly _existing: ExistingSecretSourceOptions | undefined,
    /** @internal */ public readonly _external: ExternalSecretSourceOptions | undefined,
  ) {}
}

/** Properties of an {@link ExternalDatabaseSecret}. */
export interface ExternalDatabaseSecretProps {
  /**
   * Name of the Kubernetes Secret the app reads (created by the operator, or already there).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly secretName: string;
  /** Where the Secret's data comes from. */
  readonly source: DatabaseSecretSource;
  /**
   * Namespace of the ExternalSecret (and of the Secret the operator creates).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Labels on the ExternalSecret and the Secret it creates.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default - only `app.kubernetes.io/component: database-credentials`
   */
  readonly labels?: { [key: string]: string };
}

/** The manifest shape of an `external-secrets.io/v1` ExternalSecret, as far as it is used. */
interface ExternalSecretSpec {
  readonly refreshInterval: string;
  readonly secretStoreRef: { readonly name: string; readonly kind: string };
  readonly target: {
    readonly name: string;
    readonly creationPolicy: string;
    readonly deletionPolicy: string;
    readonly template: {
      readonly engineVersion: string;
      readonly type: string;
      readonly metadata: { readonly labels: { [key: string]: string } };
      readonly data: { [key: string]: string };
    };
  };
  readonly dataFrom: Array<{ readonly extract: { readonly key: string } }>;
}

const MIN_REFRESH_SECONDS = 60;
/** Placeholders for values only the operator knows; letters only, so URL encoding keeps them. */
const HOST_PLACEHOLDER = 'cdkdbhostplaceholder.rds.amazonaws.com';
const PORT_PLACEHOLDER = 59999;
const USER_PLACEHOLDER = 'cdkdbuserplaceholder';
const DB_PLACEHOLDER = 'cdkdbnameplaceholder';

/**
 * An app's database Secret for a database outside the cluster, following the same key contract
 * ({@link DatabaseSecretKeys}) and env helper as the shared-Postgres `AppDatabaseSecret`.
 *
 * - `DatabaseSecretSource.existingSecret()`: no manifest; the app reads a Secret that exists,
 *   through a key mapping.
 * - `DatabaseSecretSource.externalSecret()`: an `ExternalSecret` whose template builds
 *   `DB_HOST`, `DB_PORT`, `DB_NAME`, `DB_USER`, `DB_PASSWORD`, `DB_SSL_MODE` and a
 *   percent-encoded `DATABASE_URL` from the AWS secret's fields inside the cluster. The manifest
 *   holds only template expressions, never a password.
 */
export class ExternalDatabaseSecret extends Construct {
  /** Name of the Kubernetes Secret. */
  public readonly secretName: string;
  /** The Secret, for cdk8s-plus (`EnvValue.fromSecretValue`, volumes). */
  public readonly secret: kplus.ISecret;
  /** The `sslmode` apps should use. */
  public readonly sslMode: SslMode;
  /**
   * Which key of the Secret holds each contract key.
   * @default - every contract key under its own name
   */
  public readonly keyMapping?: { [contractKey: string]: string };
  /**
   * The ExternalSecret object.
   * @default - none, for an existing Secret
   */
  public readonly externalSecret?: ApiObject;

  public constructor(scope: Construct, id: string, props: ExternalDatabaseSecretProps) {
    super(scope, id);
    const owner = 'ExternalDatabaseSecret';
    const labels = { 'app.kubernetes.io/component': 'database-credentials', ...props.labels };
    const external = props.source._external;
    const refreshSeconds = (external?.refreshInterval ?? Duration.hours(1)).toMilliseconds({ integral: false }) / 1000;
    const rotationDays = external?.secret.rotationPeriodDays;
    const problems: Problem[] = [
      v.kubernetesName('Secret', 'secretName', props.secretName),
      props.namespace === undefined ? undefined : v.kubernetesName('Namespace', 'namespace', props.namespace),
      ...v.labels('labels', labels),
    ];
    if (external !== undefined) {
      problems.push(
        external.caPath === undefined ? undefined : v.absolutePath('caPath', external.caPath, '/etc/ssl/certs/rds-global-bundle.pem'),
        v.durationSeconds('refreshInterval', refreshSeconds, MIN_REFRESH_SECONDS, 366 * 86400, 'Every refresh calls Secrets Manager; use e.g. Duration.hours(1).'),
        rotationDays !== undefined && refreshSeconds >= rotationDays * 86400
          ? `refreshInterval must be shorter than the secret's rotation period of ${rotationDays} days (got ${goDuration(refreshSeconds)}). `
            + 'Otherwise the cluster keeps a rotated-out password; use e.g. Duration.hours(1).'
          : undefined,
      );
    }
    throwIfAny(owner, problems);
    this.secretName = props.secretName;

    if (external === undefined) {
      this.keyMapping = props.source._existing?.keyMapping;
      this.sslMode = props.source._existing?.sslMode ?? SslMode.REQUIRE;
      this.secret = kplus.Secret.fromSecretName(this, 'Resource', props.secretName);
      return;
    }

    const connection = new DatabaseConnection({
      provider: DatabaseProvider.awsRds({ host: HOST_PLACEHOLDER, port: PORT_PLACEHOLDER, caBundlePath: external.caPath }),
      databaseName: external.databaseName ?? DB_PLACEHOLDER,
      username: USER_PLACEHOLDER,
      sslMode: external.sslMode,
    });
    this.sslMode = connection.sslMode;
    const dbNameTemplate = external.databaseName ?? '{{ .dbname }}';
    const url = connection.urlTemplate('{{ .password | urlquery | replace "+" "%20" }}')
      .replace(`${HOST_PLACEHOLDER}:${PORT_PLACEHOLDER}`, '{{ .host }}:{{ .port }}')
      .replace(USER_PLACEHOLDER, '{{ .username | urlquery | replace "+" "%20" }}')
      .replace(`/${DB_PLACEHOLDER}?`, '/{{ .dbname | urlquery | replace "+" "%20" }}?');

    const spec: ExternalSecretSpec = {
      refreshInterval: goDuration(refreshSeconds),
      secretStoreRef: { name: external.store.name, kind: external.store.kind },
      target: {
        name: props.secretName,
        creationPolicy: 'Owner',
        deletionPolicy: 'Retain',
        template: {
          engineVersion: 'v2',
          type: 'Opaque',
          metadata: { labels },
          data: {
            [DatabaseSecretKeys.HOST]: '{{ .host }}',
            [DatabaseSecretKeys.PORT]: '{{ .port }}',
            [DatabaseSecretKeys.NAME]: dbNameTemplate,
            [DatabaseSecretKeys.USER]: '{{ .username }}',
            [DatabaseSecretKeys.PASSWORD]: '{{ .password }}',
            [DatabaseSecretKeys.URL]: url,
            [DatabaseSecretKeys.SSL_MODE]: connection.sslMode.value,
          },
        },
      },
      dataFrom: [{ extract: { key: external.secret.secretName } }],
    };
    this.externalSecret = new ApiObject(this, 'Resource', {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: props.secretName, namespace: props.namespace, labels },
      spec,
    });
    this.secret = kplus.Secret.fromSecretName(this, 'Secret', props.secretName);
    claimUniqueNames(owner, this, 'secretName');
  }

  /**
   * Environment variables for the app's container: `secretKeyRef`s to the keys this Secret
   * holds and the pool, timeout and TLS settings (`DB_SSL_MODE` defaults to this Secret's mode).
   */
  public envVariables(options: DatabaseEnvOptions = {}): { [name: string]: kplus.EnvValue } {
    return DatabaseEnvironment.envVariables(this.secret, {
      ...options,
      sslMode: options.sslMode ?? this.sslMode,
      keyMapping: options.keyMapping ?? this.keyMapping,
    });
  }
}

/** Seconds as a Go duration (`1h30m`, `45s`), the format of `refreshInterval`. */
function goDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}
