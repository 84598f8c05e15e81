import { DatabaseConnectionDetails } from './connection-details';
import { DatabaseProvider } from './database-provider';
import * as v from './private/validators';
import { isToken, Problem, show, throwIfAny } from './private/validators';
import { DatabaseSecretKeys } from './secret-keys';
import { SslMode } from './ssl-mode';

/** What `DatabaseConnection` connects to, as whom, and how. */
export interface DatabaseConnectionProps {
  /** The service and its connection rules, e.g. `DatabaseProvider.neon({ host })`. */
  readonly provider: DatabaseProvider;
  /**
   * Name of the database, e.g. `orders`.
   * Tokens: refused (the value is checked and written into text when this is created).
   */
  readonly databaseName: string;
  /**
   * The role the app logs in as, e.g. `orders_app`.
   * Tokens: refused (the value is checked and written into text when this is created).
   */
  readonly username: string;
  /**
   * libpq `sslmode`. Must lie between the provider's `minimumSslMode` and `maximumSslMode`.
   * @default - the provider's `defaultSslMode` (`require` for Neon, Cloud SQL private IP and
   * generic PostgreSQL, `verify-full` for RDS and Azure, `disable` through the Cloud SQL Auth Proxy)
   */
  readonly sslMode?: SslMode;
  /**
   * Absolute path of the CA bundle inside the app's container (`sslrootcert`).
   * Required for `verify-ca` and `verify-full` unless the provider has a default bundle.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default - the provider's `defaultCaPath` when the mode verifies certificates, otherwise none
   */
  readonly caPath?: string;
  /**
   * libpq `connect_timeout` in seconds.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default 10
   */
  readonly connectTimeoutSeconds?: number;
  /**
   * libpq `application_name`, shown in `pg_stat_activity` (ASCII, at most 63 characters).
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default - none (the driver's default)
   */
  readonly applicationName?: string;
  /**
   * Server `statement_timeout` in milliseconds, sent as `options=-c statement_timeout=<ms>`.
   * Not available through a transaction-mode pooler, which refuses the `options` startup parameter.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default - none (the server's setting)
   */
  readonly statementTimeoutMs?: number;
  /**
   * Further libpq URI parameters, e.g. `{ target_session_attrs: 'read-write' }`. Parameters this
   * class sets itself (`sslmode`, `sslrootcert`, `channel_binding`, `connect_timeout`,
   * `application_name`, `options`) and the credentials cannot be given here.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default - none
   */
  readonly extraParams?: { [key: string]: string };
}

/** Parameters computed from typed props; `extraParams` may not override them. */
const MANAGED_PARAMS = ['sslmode', 'sslrootcert', 'channel_binding', 'connect_timeout', 'application_name', 'options', 'user', 'password', 'host', 'hostaddr', 'port', 'dbname'];

/** Stands in for the password while the URL is built; letters only, so encoding leaves it intact. */
const PASSWORD_PLACEHOLDER = 'CDKDBPASSWORDPLACEHOLDER';

const DATABASE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_$-]*$/;
const USER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.$@-]*$/;

/**
 * A validated PostgreSQL connection: the `DATABASE_URL` (percent-encoded, built with the WHATWG
 * `URL` API) and the `DB_*` parts an app needs, following the rules of its provider.
 *
 * The password is never stored: pass it to `url()` where it is known (tests, a Secret written at
 * run time), or use `urlTemplate()` to leave an expression (e.g. an External Secrets
 * `{{ .password | urlquery }}`) in its place.
 *
 * The URL follows libpq's rules (the reference for `sslmode`). node-postgres 8 reads a bare
 * `sslmode=require` as `verify-full` against the system CAs; for libpq's meaning it needs its own
 * `uselibpqcompat=true` parameter (via `extraParams`), which libpq itself rejects, so such a URL
 * then serves node-postgres only.
 */
export class DatabaseConnection {
  /** The provider this connection follows. */
  public readonly provider: DatabaseProvider;
  /** Host the app connects to. */
  public readonly host: string;
  /** Host for migrations (the direct, unpooled host). */
  public readonly migrationHost: string;
  /** Port the app connects to. */
  public readonly port: number;
  /** Database name. */
  public readonly databaseName: string;
  /** Login role. */
  public readonly username: string;
  /** The `sslmode` in effect. */
  public readonly sslMode: SslMode;
  /**
   * CA bundle path in effect (`sslrootcert`).
   * @default - none
   */
  public readonly caPath?: string;
  /** Every libpq URI parameter of the URL, in order (`sslmode` first). */
  public readonly params: { [key: string]: string };

  constructor(props: DatabaseConnectionProps) {
    const owner = 'DatabaseConnection';
    const provider = props.provider;
    const sslMode = props.sslMode ?? provider.defaultSslMode;
    const connectTimeoutSeconds = props.connectTimeoutSeconds ?? 10;
    const extraParams = props.extraParams ?? {};

    const problems: Problem[] = [
      databaseNameProblem(props.databaseName),
      usernameProblem(props.username, provider),
    ];
    const rank = (m: SslMode) => SslMode.all().indexOf(m);
    if (rank(sslMode) < rank(provider.minimumSslMode)) {
      problems.push(`sslMode '${sslMode.value}' is refused for provider '${provider.kind}': ${provider.sslModeReason}. `
        + `Use '${provider.minimumSslMode.value}' or stronger (recommended: '${provider.defaultSslMode.value}').`);
    }
    if (rank(sslMode) > rank(provider.maximumSslMode)) {
      problems.push(`sslMode '${sslMode.value}' cannot work with provider '${provider.kind}': ${provider.sslModeReason}. `
        + `Use '${provider.defaultSslMode.value}'.`);
    }
    const caPath = props.caPath ?? (sslMode.verifiesCertificate ? provider.defaultCaPath : undefined);
    if (sslMode.verifiesCertificate && caPath === undefined) {
      problems.push(`sslMode '${sslMode.value}' needs caPath, the CA bundle that signed the server certificate (got none). `
        + 'Mount the CA into the container and set caPath, e.g. \'/etc/ssl/certs/db-ca.pem\', or use SslMode.REQUIRE.');
    }
    if (caPath !== undefined) problems.push(v.absolutePath('caPath', caPath, '/etc/ssl/certs/db-ca.pem'));
    problems.push(v.intAtLeast('connectTimeoutSeconds', connectTimeoutSeconds, 2, 'libpq treats smaller values as 2; use e.g. 10.'));
    if (props.applicationName !== undefined && !/^[\x20-\x7e]{1,63}$/.test(props.applicationName)) {
      problems.push(`applicationName must be 1-63 printable ASCII characters (got ${show(props.applicationName)}). `
        + 'PostgreSQL truncates longer names and replaces other characters; use e.g. \'orders-api\'.');
    }
    if (props.statementTimeoutMs !== undefined) {
      problems.push(v.intAtLeast('statementTimeoutMs', props.statementTimeoutMs, 1, 'Give milliseconds, e.g. 30000, or leave it unset.'));
      if (provider.pooled) {
        problems.push(`statementTimeoutMs cannot be sent through the transaction-mode pooler of provider '${provider.kind}' (got ${props.statementTimeoutMs}). `
          + 'Set it on the role instead (ALTER ROLE ... SET statement_timeout), or connect to the direct host.');
      }
    }
    for (const key of Object.keys(extraParams)) {
      if (MANAGED_PARAMS.includes(key.toLowerCase())) {
        problems.push(`extraParams must not set '${key}' (got ${show(extraParams[key])}). Use the typed prop instead (sslMode, caPath, connectTimeoutSeconds, applicationName, statementTimeoutMs, username or the provider).`);
      } else if (!/^[a-z_][a-z0-9_]*$/.test(key)) {
        problems.push(`extraParams key ${show(key)} is not a libpq parameter name (lower-case letters, digits and '_'). Check the spelling against the libpq documentation.`);
      }
    }
    throwIfAny(owner, problems);

    const params: { [key: string]: string } = { sslmode: sslMode.value };
    if (caPath !== undefined) params.sslrootcert = caPath;
    Object.assign(params, provider.params);
    params.connect_timeout = String(connectTimeoutSeconds);
    if (props.applicationName !== undefined) params.application_name = props.applicationName;
    if (props.statementTimeoutMs !== undefined) params.options = `-c statement_timeout=${props.statementTimeoutMs}`;
    Object.assign(params, extraParams);

    this.provider = provider;
    this.host = provider.host;
    this.migrationHost = provider.migrationHost;
    this.port = provider.port;
    this.databaseName = props.databaseName;
    this.username = props.username;
    this.sslMode = sslMode;
    this.caPath = caPath;
    this.params = params;
  }

  /** `DATABASE_URL` for the app, with `password` percent-encoded. */
  public url(password: string): string {
    checkPassword(password);
    return this.build(this.host, password);
  }

  /** URL for migrations: like `url()` but on the direct host (Neon: without `-pooler`). */
  public migrationUrl(password: string): string {
    checkPassword(password);
    return this.build(this.migrationHost, password);
  }

  /**
   * `DATABASE_URL` with `passwordExpression` written verbatim where the encoded password goes,
   * for templates that fill it in later, e.g. `{{ .password | urlquery }}` in an External Secrets
   * template. The expression must itself produce a percent-encoded password. Go's `urlquery`
   * writes a space as `+`, which libpq reads as a plus sign, so passwords rendered that way must
   * not contain spaces (generated RDS and Secrets Manager passwords can exclude them).
   */
  public urlTemplate(passwordExpression: string): string {
    return this.build(this.host, PASSWORD_PLACEHOLDER).replace(PASSWORD_PLACEHOLDER, passwordExpression);
  }

  /** Like `urlTemplate()` on the migration host. */
  public migrationUrlTemplate(passwordExpression: string): string {
    return this.build(this.migrationHost, PASSWORD_PLACEHOLDER).replace(PASSWORD_PLACEHOLDER, passwordExpression);
  }

  /** The connection details this URL is built from. */
  public get details(): DatabaseConnectionDetails {
    return { host: this.host, port: this.port, databaseName: this.databaseName, username: this.username, sslMode: this.sslMode };
  }

  /**
   * The non-secret parts, keyed by the Secret key names: `DB_HOST`, `DB_PORT`, `DB_NAME`,
   * `DB_USER` and `DB_SSL_MODE`.
   */
  public parts(): { [key: string]: string } {
    return DatabaseSecretKeys.valuesFor(this.details);
  }

  /** Every key of the app's Secret, including `DB_PASSWORD` and `DATABASE_URL`, for `password`. */
  public secretData(password: string): { [key: string]: string } {
    return {
      ...this.parts(),
      [DatabaseSecretKeys.PASSWORD]: password,
      [DatabaseSecretKeys.URL]: this.url(password),
    };
  }

  private build(host: string, password: string): string {
    if (isToken(host)) {
      throw new Error(`DatabaseConnection: cannot build a URL while host is an unresolved token (${host}). `
        + 'Build the URL where the host is known, e.g. in a template fed from the RDS secret\'s \'host\' field, or use parts() and params.');
    }
    const url = new URL('postgresql://placeholder');
    // The URL setters leave '%' and several sub-delimiters as they are, so encode every
    // reserved character first; encodeURIComponent output passes the setters unchanged.
    url.hostname = host.includes(':') ? `[${host}]` : host;
    url.port = String(this.port);
    url.username = encodeURIComponent(this.username);
    url.password = encodeURIComponent(password);
    // '$' stays literal (RFC 3986 allows it in a path): node-postgres decodes the database with
    // decodeURI, which leaves '%24' as it is, while libpq reads both forms.
    url.pathname = `/${encodeURIComponent(this.databaseName).replace(/%24/g, '$')}`;
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(this.params)) query.append(key, value);
    // URLSearchParams writes a space as '+', which libpq does not decode; use '%20'.
    url.search = query.toString().replace(/\+/g, '%20');
    return url.toString();
  }
}

function databaseNameProblem(database: string): Problem {
  if (database.length === 0) return "databaseName must not be empty (got \"\"). Give the database name, e.g. 'orders'.";
  if (Buffer.byteLength(database, 'utf-8') > 63) {
    return `databaseName must be at most 63 bytes (got ${Buffer.byteLength(database, 'utf-8')}: ${show(database)}). PostgreSQL truncates longer names; shorten it.`;
  }
  if (!DATABASE_NAME.test(database)) {
    return `databaseName must be letters, digits, '_', '$' and '-' (got ${show(database)}). Rename it, e.g. 'orders_db'.`;
  }
  return undefined;
}

function usernameProblem(user: string, provider: DatabaseProvider): Problem {
  if (user.length === 0) return "username must not be empty (got \"\"). Give the login role, e.g. 'orders_app'.";
  if (Buffer.byteLength(user, 'utf-8') > 63) {
    return `username must be at most 63 bytes (got ${Buffer.byteLength(user, 'utf-8')}: ${show(user)}). PostgreSQL truncates longer role names; shorten it.`;
  }
  if (!USER_NAME.test(user)) {
    return `username must be letters, digits, '_', '.', '$', '@' and '-' (got ${show(user)}). Use a plain role name such as 'orders_app'.`;
  }
  if (provider.kind === 'azure-flexible-server' && user.includes('@')) {
    return `username must be the plain role name on Azure flexible server (got ${show(user)}). `
      + `The 'user@server' form was for the retired single server; use '${user.split('@')[0]}'.`;
  }
  return undefined;
}

function checkPassword(password: string): void {
  if (password.length === 0) {
    throw new Error('DatabaseConnection: password must not be empty. Pass the role\'s password, or use urlTemplate() to leave a placeholder.');
  }
}
