import { isIPv4 } from 'node:net';
import * as v from './private/validators';
import { isToken, show, throwIfAny } from './private/validators';
import { SslMode } from './ssl-mode';

/** Where `DatabaseProvider.neon()` finds its server. */
export interface NeonProviderProps {
  /**
   * The endpoint host from the Neon console, direct or pooled, e.g.
   * `ep-cool-darkness-a1b2c3d4.us-east-2.aws.neon.tech` or
   * `ep-cool-darkness-a1b2c3d4-pooler.us-east-2.aws.neon.tech`. Both forms name the same compute;
   * `pooled` decides which one the app uses.
   * Tokens: refused (the value is checked and written into text when this is created).
   */
  readonly host: string;
  /**
   * Connect the app through Neon's pooler (PgBouncer in transaction mode, `-pooler` host).
   * Migrations always use the direct host, since session state (`SET`, advisory locks,
   * prepared statements) does not survive transaction pooling.
   * @default false
   */
  readonly pooled?: boolean;
  /**
   * Add `channel_binding=require` (SCRAM-SHA-256-PLUS), which binds the password exchange to
   * the TLS session. Needs libpq 13 or later or a driver that supports channel binding.
   * @default false
   */
  readonly channelBinding?: boolean;
}

/** Where `DatabaseProvider.awsRds()` finds its server. */
export interface AwsRdsProviderProps {
  /**
   * The RDS instance, Aurora cluster or RDS Proxy endpoint, ending in `.rds.amazonaws.com`
   * (or `.rds.amazonaws.com.cn`), e.g. `mydb.abc123xyz.eu-west-1.rds.amazonaws.com`.
   * An unresolved CDK token is accepted unchecked.
   * Tokens: accepted unchecked (e.g. an endpoint attribute); a connection then has parts() but no url().
   */
  readonly host: string;
  /**
   * TCP port of the endpoint.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default 5432
   */
  readonly port?: number;
  /**
   * Path, inside the app's container, of the RDS CA bundle used with `verify-ca`/`verify-full`.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html
   * @default '/etc/ssl/certs/rds-global-bundle.pem'
   */
  readonly caBundlePath?: string;
}

/** Where `DatabaseProvider.cloudSqlPrivateIp()` finds its server. */
export interface CloudSqlPrivateIpProviderProps {
  /**
   * The instance's private IPv4 address, e.g. `10.20.0.3`.
   * Tokens: refused (the value is checked and written into text when this is created).
   */
  readonly privateIp: string;
  /**
   * TCP port of the instance.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default 5432
   */
  readonly port?: number;
}

/** How `DatabaseProvider.cloudSqlAuthProxy()` reaches the instance. */
export interface CloudSqlAuthProxyProviderProps {
  /**
   * The instance connection name `project:region:instance`, e.g. `my-project:europe-west1:orders-db`
   * (domain-scoped projects: `example.com:my-project:europe-west1:orders-db`).
   * Tokens: refused (the value is checked and written into text when this is created).
   */
  readonly instanceConnectionName: string;
  /**
   * Port the Cloud SQL Auth Proxy v2 listens on at `127.0.0.1` (its `--port` flag).
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default 5432
   */
  readonly proxyPort?: number;
}

/** Where `DatabaseProvider.azureFlexibleServer()` finds its server. */
export interface AzureFlexibleServerProviderProps {
  /**
   * The server name: the first label of `<server>.postgres.database.azure.com`.
   * Tokens: refused (the value is checked and written into text when this is created).
   */
  readonly serverName: string;
  /**
   * TCP port of the server (6432 reaches the built-in PgBouncer when it is enabled).
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default 5432
   */
  readonly port?: number;
  /**
   * Path, inside the app's container, of a CA bundle that holds the DigiCert Global Root G2 and
   * Microsoft RSA Root Certificate Authority 2017 roots, used with `verify-ca`/`verify-full`.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @see https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-networking-ssl-tls
   * @default '/etc/ssl/certs/ca-certificates.crt'
   */
  readonly caPath?: string;
}

/** Where `DatabaseProvider.postgres()` finds its server. */
export interface PostgresProviderProps {
  /**
   * DNS name or IP address of the server.
   * Tokens: accepted unchecked (e.g. an endpoint attribute); a connection then has parts() but no url().
   */
  readonly host: string;
  /**
   * TCP port of the server.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default 5432
   */
  readonly port?: number;
}

/** Internal description of one provider, filled in by the factories. */
interface ProviderSpec {
  readonly kind: string;
  readonly host: string;
  readonly port: number;
  readonly migrationHost: string;
  readonly defaultSslMode: SslMode;
  readonly minimumSslMode: SslMode;
  readonly maximumSslMode: SslMode;
  readonly defaultCaPath?: string;
  readonly params: { [key: string]: string };
  readonly pooled: boolean;
  readonly instanceConnectionName?: string;
  readonly sslModeReason: string;
}

const NEON_ENDPOINT_ID = /^ep-[a-z0-9]+(?:-[a-z0-9]+)*$/;
const NEON_HOST_SUFFIX = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*neon\.tech$/;
const RDS_HOST = /\.rds\.amazonaws\.com(?:\.cn)?$/;
const CLOUD_SQL_INSTANCE = /^(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]:[a-z]+-[a-z]+[0-9]+:[a-z](?:[a-z0-9-]{0,96}[a-z0-9])?$/;
const AZURE_SERVER_NAME = /^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/;

/**
 * A managed or self-run PostgreSQL service, with the rules its connections must follow:
 * host form, port, the TLS modes it accepts and its CA bundle.
 *
 * Pass it to `DatabaseConnection` to build `DATABASE_URL` and the `DB_*` values.
 */
export class DatabaseProvider {
  /**
   * Neon serverless PostgreSQL. TLS is mandatory (`sslmode=require` at least); the pooled host
   * inserts `-pooler` after the endpoint id and migrations use the direct host.
   * @see https://neon.com/docs/connect/connection-pooling
   */
  public static neon(props: NeonProviderProps): DatabaseProvider {
    const owner = 'DatabaseProvider.neon';
    const host = props.host;
    throwIfAny(owner, [v.host('host', host)]);
    const [label, ...rest] = host.toLowerCase().split('.');
    const endpointId = label.replace(/-pooler$/, '');
    const suffix = rest.join('.');
    if (!NEON_ENDPOINT_ID.test(endpointId) || !NEON_HOST_SUFFIX.test(suffix)) {
      throw new Error(`${owner}: host must be a Neon endpoint host 'ep-<name>[-pooler].<region>.<cloud>.neon.tech' (got ${show(host)}). `
        + 'Copy the host from the Neon console\'s Connect dialog, e.g. \'ep-cool-darkness-a1b2c3d4.us-east-2.aws.neon.tech\', or use DatabaseProvider.postgres() for another service.');
    }
    const pooled = props.pooled ?? false;
    const channelBinding = props.channelBinding ?? false;
    const directHost = `${endpointId}.${suffix}`;
    return new DatabaseProvider({
      kind: 'neon',
      host: pooled ? `${endpointId}-pooler.${suffix}` : directHost,
      port: 5432,
      migrationHost: directHost,
      defaultSslMode: SslMode.REQUIRE,
      minimumSslMode: SslMode.REQUIRE,
      maximumSslMode: SslMode.VERIFY_FULL,
      params: channelBinding ? { channel_binding: 'require' } : {},
      pooled,
      sslModeReason: 'Neon rejects connections without TLS',
    });
  }

  /**
   * Amazon RDS or Aurora PostgreSQL, or an RDS Proxy in front of them. Defaults to
   * `sslmode=verify-full` against the RDS CA bundle; `disable`, `allow` and `prefer` are refused.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html
   */
  public static awsRds(props: AwsRdsProviderProps): DatabaseProvider {
    const owner = 'DatabaseProvider.awsRds';
    const port = props.port ?? 5432;
    const caBundlePath = props.caBundlePath ?? '/etc/ssl/certs/rds-global-bundle.pem';
    if (!isToken(props.host)) {
      throwIfAny(owner, [v.host('host', props.host)]);
      if (!RDS_HOST.test(props.host.toLowerCase())) {
        throw new Error(`${owner}: host must be an RDS, Aurora or RDS Proxy endpoint ending in '.rds.amazonaws.com' (got ${show(props.host)}). `
          + 'Use the endpoint address RDS shows (a CNAME of your own fails verify-full, because the certificate names the RDS endpoint), or DatabaseProvider.postgres() for another server.');
      }
    }
    throwIfAny(owner, [v.port('port', port)]);
    throwIfAny(owner, [v.absolutePath('caBundlePath', caBundlePath, '/etc/ssl/certs/rds-global-bundle.pem')]);
    return new DatabaseProvider({
      kind: 'aws-rds',
      host: props.host,
      port,
      migrationHost: props.host,
      defaultSslMode: SslMode.VERIFY_FULL,
      minimumSslMode: SslMode.REQUIRE,
      maximumSslMode: SslMode.VERIFY_FULL,
      defaultCaPath: caBundlePath,
      params: {},
      pooled: false,
      sslModeReason: 'this library keeps RDS traffic encrypted (rds.force_ssl)',
    });
  }

  /**
   * Google Cloud SQL for PostgreSQL reached directly on its private IP (from the same VPC).
   * TLS is required; the default is `require`, since the instance's server certificate names the
   * instance rather than its IP. Use `verify-ca` with the instance's `server-ca.pem` as `caPath`
   * to check the chain.
   * @see https://cloud.google.com/sql/docs/postgres/configure-ssl-instance
   */
  public static cloudSqlPrivateIp(props: CloudSqlPrivateIpProviderProps): DatabaseProvider {
    const owner = 'DatabaseProvider.cloudSqlPrivateIp';
    const port = props.port ?? 5432;
    if (!isIPv4(props.privateIp)) {
      throw new Error(`${owner}: privateIp must be an IPv4 address such as '10.20.0.3' (got ${show(props.privateIp)}). `
        + 'Copy the private IP from the instance\'s Connections page, or use cloudSqlAuthProxy() to connect by instance connection name.');
    }
    throwIfAny(owner, [v.port('port', port)]);
    return new DatabaseProvider({
      kind: 'cloud-sql-private-ip',
      host: props.privateIp,
      port,
      migrationHost: props.privateIp,
      defaultSslMode: SslMode.REQUIRE,
      minimumSslMode: SslMode.REQUIRE,
      maximumSslMode: SslMode.VERIFY_FULL,
      params: {},
      pooled: false,
      sslModeReason: 'traffic to the private IP leaves the pod, so it must be encrypted',
    });
  }

  /**
   * Google Cloud SQL for PostgreSQL through the Cloud SQL Auth Proxy v2 running next to the app
   * (a sidecar listening on `127.0.0.1:<proxyPort>`).
   *
   * The proxy authenticates with IAM and encrypts the hop to the instance with TLS 1.3 itself; its
   * local listener speaks plain PostgreSQL, so the app uses `sslmode=disable` on the loopback hop,
   * which never leaves the pod. `require` and stronger are refused because they would fail there.
   * @see https://cloud.google.com/sql/docs/postgres/sql-proxy
   */
  public static cloudSqlAuthProxy(props: CloudSqlAuthProxyProviderProps): DatabaseProvider {
    const owner = 'DatabaseProvider.cloudSqlAuthProxy';
    const proxyPort = props.proxyPort ?? 5432;
    if (!CLOUD_SQL_INSTANCE.test(props.instanceConnectionName)) {
      throw new Error(`${owner}: instanceConnectionName must be 'project:region:instance' in lower case (got ${show(props.instanceConnectionName)}). `
        + 'Copy it from the instance\'s Overview page or `gcloud sql instances describe INSTANCE --format=\'value(connectionName)\'`, e.g. \'my-project:europe-west1:orders-db\'.');
    }
    throwIfAny(owner, [v.port('proxyPort', proxyPort)]);
    return new DatabaseProvider({
      kind: 'cloud-sql-auth-proxy',
      host: '127.0.0.1',
      port: proxyPort,
      migrationHost: '127.0.0.1',
      defaultSslMode: SslMode.DISABLE,
      minimumSslMode: SslMode.DISABLE,
      maximumSslMode: SslMode.PREFER,
      params: {},
      pooled: false,
      instanceConnectionName: props.instanceConnectionName,
      sslModeReason: 'the Cloud SQL Auth Proxy listens in plain text on 127.0.0.1 and encrypts the hop to the instance itself',
    });
  }

  /**
   * Azure Database for PostgreSQL flexible server at `<serverName>.postgres.database.azure.com`.
   * TLS is required; the default is `verify-full` against the system CA bundle. Users are plain
   * role names (the `user@server` form belonged to the retired single server).
   * @see https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-networking-ssl-tls
   */
  public static azureFlexibleServer(props: AzureFlexibleServerProviderProps): DatabaseProvider {
    const owner = 'DatabaseProvider.azureFlexibleServer';
    const port = props.port ?? 5432;
    const caPath = props.caPath ?? '/etc/ssl/certs/ca-certificates.crt';
    if (!AZURE_SERVER_NAME.test(props.serverName)) {
      throw new Error(`${owner}: serverName must be 3-63 lower-case letters, digits and '-', not starting or ending with '-' (got ${show(props.serverName)}). `
        + 'Give only the first label of \'<server>.postgres.database.azure.com\', e.g. \'orders-db\'.');
    }
    throwIfAny(owner, [v.port('port', port)]);
    throwIfAny(owner, [v.absolutePath('caPath', caPath, '/etc/ssl/certs/rds-global-bundle.pem')]);
    const host = `${props.serverName}.postgres.database.azure.com`;
    return new DatabaseProvider({
      kind: 'azure-flexible-server',
      host,
      port,
      migrationHost: host,
      defaultSslMode: SslMode.VERIFY_FULL,
      minimumSslMode: SslMode.REQUIRE,
      maximumSslMode: SslMode.VERIFY_FULL,
      defaultCaPath: caPath,
      params: {},
      pooled: port === 6432,
      sslModeReason: 'Azure flexible server requires TLS (require_secure_transport)',
    });
  }

  /**
   * Any PostgreSQL server. TLS is on by default (`require`); `disable`, `allow` and `prefer` are
   * accepted only when asked for explicitly.
   */
  public static postgres(props: PostgresProviderProps): DatabaseProvider {
    const owner = 'DatabaseProvider.postgres';
    const port = props.port ?? 5432;
    if (!isToken(props.host)) throwIfAny(owner, [v.host('host', props.host)]);
    throwIfAny(owner, [v.port('port', port)]);
    return new DatabaseProvider({
      kind: 'postgres',
      host: props.host,
      port,
      migrationHost: props.host,
      defaultSslMode: SslMode.REQUIRE,
      minimumSslMode: SslMode.DISABLE,
      maximumSslMode: SslMode.VERIFY_FULL,
      params: {},
      pooled: false,
      sslModeReason: '',
    });
  }

  /** Short name of the provider: `neon`, `aws-rds`, `cloud-sql-private-ip`, `cloud-sql-auth-proxy`, `azure-flexible-server` or `postgres`. */
  public readonly kind: string;
  /** Host the app connects to (the pooled host where pooling is chosen). */
  public readonly host: string;
  /** Port the app connects to. */
  public readonly port: number;
  /** Host for migrations and other session-level work (the direct, unpooled host). */
  public readonly migrationHost: string;
  /** `sslmode` used when the connection does not choose one. */
  public readonly defaultSslMode: SslMode;
  /** Weakest `sslmode` the provider accepts. */
  public readonly minimumSslMode: SslMode;
  /** Strongest `sslmode` that can work with the provider. */
  public readonly maximumSslMode: SslMode;
  /**
   * CA bundle path used for `verify-ca`/`verify-full` when the connection gives none.
   * @default - none: the connection must give `caPath` to verify certificates
   */
  public readonly defaultCaPath?: string;
  /** libpq parameters the provider adds to every URL (e.g. `channel_binding`). */
  public readonly params: { [key: string]: string };
  /** True when `host` goes through a transaction-mode pooler (PgBouncer). */
  public readonly pooled: boolean;
  /**
   * Cloud SQL instance connection name, for the Auth Proxy sidecar.
   * @default - not a Cloud SQL Auth Proxy provider
   */
  public readonly instanceConnectionName?: string;
  /** Why `minimumSslMode`/`maximumSslMode` are what they are, for error messages. */
  public readonly sslModeReason: string;

  private constructor(spec: ProviderSpec) {
    this.kind = spec.kind;
    this.host = spec.host;
    this.port = spec.port;
    this.migrationHost = spec.migrationHost;
    this.defaultSslMode = spec.defaultSslMode;
    this.minimumSslMode = spec.minimumSslMode;
    this.maximumSslMode = spec.maximumSslMode;
    this.defaultCaPath = spec.defaultCaPath;
    this.params = { ...spec.params };
    this.pooled = spec.pooled;
    this.instanceConnectionName = spec.instanceConnectionName;
    this.sslModeReason = spec.sslModeReason;
  }
}
