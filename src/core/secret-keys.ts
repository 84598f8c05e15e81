/**
 * The connection contract shared by every database this library connects an app to:
 * the key names of the app's Secret and the TLS modes a client may use.
 *
 * Nothing here says where the password comes from, so the same keys serve an in-cluster
 * shared PostgreSQL (password generated inside the cluster), an existing Secret or an
 * ExternalSecret fed from a cloud provider.
 */
export class DatabaseSecretKeys {
  /** Host name of the database server. */
  public static readonly HOST = 'DB_HOST';
  /** TCP port of the database server. */
  public static readonly PORT = 'DB_PORT';
  /** Name of the app's database. */
  public static readonly NAME = 'DB_NAME';
  /** The app's database user. */
  public static readonly USER = 'DB_USER';
  /** The app's password (never written into a synthesized file). */
  public static readonly PASSWORD = 'DB_PASSWORD';
  /** `postgresql://user:password@host:port/database?sslmode=...`, password percent-encoded. */
  public static readonly URL = 'DATABASE_URL';
  /** The libpq `sslmode` the app should use (not secret). */
  public static readonly SSL_MODE = 'DB_SSL_MODE';

  /** Keys that hold no secret and may be written into a manifest. */
  public static nonSecretKeys(): string[] {
    return [DatabaseSecretKeys.HOST, DatabaseSecretKeys.PORT, DatabaseSecretKeys.NAME, DatabaseSecretKeys.USER, DatabaseSecretKeys.SSL_MODE];
  }

  /** Keys that hold the password (directly or inside the URL); they never appear in a manifest. */
  public static secretKeys(): string[] {
    return [DatabaseSecretKeys.PASSWORD, DatabaseSecretKeys.URL];
  }

  /** The six keys every app Secret provides, in the order apps usually read them. */
  public static connectionKeys(): string[] {
    return [
      DatabaseSecretKeys.HOST, DatabaseSecretKeys.PORT, DatabaseSecretKeys.NAME,
      DatabaseSecretKeys.USER, DatabaseSecretKeys.PASSWORD, DatabaseSecretKeys.URL,
    ];
  }

  private constructor() {}
}

/**
 * libpq `sslmode`: how a client negotiates TLS with PostgreSQL.
 *
 * @see https://www.postgresql.org/docs/15/libpq-ssl.html#LIBPQ-SSL-PROTECTION
 */
export class SslMode {
  /** Never use TLS. Only for servers that have no TLS at all. */
  public static readonly DISABLE = new SslMode('disable');
  /** Try plain text first, then TLS. */
  public static readonly ALLOW = new SslMode('allow');
  /** Try TLS first, fall back to plain text (libpq's default). */
  public static readonly PREFER = new SslMode('prefer');
  /** Always use TLS; do not verify the server certificate. */
  public static readonly REQUIRE = new SslMode('require');
  /** Always use TLS and verify the certificate chain against a trusted CA. */
  public static readonly VERIFY_CA = new SslMode('verify-ca');
  /** Always use TLS, verify the chain and that the host name matches the certificate. */
  public static readonly VERIFY_FULL = new SslMode('verify-full');

  /** Every mode, weakest first. */
  public static all(): SslMode[] {
    return [SslMode.DISABLE, SslMode.ALLOW, SslMode.PREFER, SslMode.REQUIRE, SslMode.VERIFY_CA, SslMode.VERIFY_FULL];
  }

  /**
   * The mode named `value` (as written in a libpq connection string).
   * Throws for anything else.
   */
  public static of(value: string): SslMode {
    const found = SslMode.all().find((m) => m.value === value);
    if (!found) {
      throw new Error(`SslMode: unknown sslmode '${value}'. Use one of ${SslMode.all().map((m) => m.value).join(', ')}.`);
    }
    return found;
  }

  private constructor(
    /** The libpq spelling, e.g. `verify-full`. */
    public readonly value: string,
  ) {}

  /** True when the connection is always encrypted (`require`, `verify-ca`, `verify-full`). */
  public get alwaysEncrypted(): boolean {
    return this === SslMode.REQUIRE || this === SslMode.VERIFY_CA || this === SslMode.VERIFY_FULL;
  }

  /** True when the server certificate is checked against a CA (`verify-ca`, `verify-full`). */
  public get verifiesCertificate(): boolean {
    return this === SslMode.VERIFY_CA || this === SslMode.VERIFY_FULL;
  }

  /** The libpq spelling. */
  public toString(): string {
    return this.value;
  }
}

/**
 * Options for the environment variables an app container gets from its database Secret.
 */
export interface DatabaseEnvOptions {
  /**
   * Value of `DB_SSL_MODE`.
   * @default SslMode.REQUIRE
   */
  readonly sslMode?: SslMode;
  /**
   * Value of `DB_POOL_SIZE` (connections in the app's pool).
   * @default 10
   */
  readonly poolSize?: number;
  /**
   * Value of `DB_TIMEOUT` in seconds.
   * @default 30
   */
  readonly timeoutSeconds?: number;
  /**
   * Rename variables: Secret key (or setting name) to the variable name the app reads,
   * e.g. `{ DB_HOST: 'DATABASE_HOST' }` for seed-style `DATABASE_*` names.
   * @default - every variable is named like its Secret key
   */
  readonly envNames?: { [key: string]: string };
  /**
   * Further non-secret settings, added after (and overriding) `DB_SSL_MODE`, `DB_POOL_SIZE`
   * and `DB_TIMEOUT`, e.g. `{ DB_MAX_OVERFLOW: '20' }`.
   * @default - none
   */
  readonly extraSettings?: { [key: string]: string };
  /**
   * Leave out `DATABASE_URL` (for apps that build their own connection from the parts).
   * @default false
   */
  readonly omitDatabaseUrl?: boolean;
}

/** One environment variable: either read from a key of the database Secret or a plain value. */
export interface DatabaseEnvVariable {
  /** Variable name in the container. */
  readonly name: string;
  /**
   * Key of the database Secret to read.
   * @default - the variable has a plain `value`
   */
  readonly secretKey?: string;
  /**
   * Plain (non-secret) value.
   * @default - the variable is read from `secretKey`
   */
  readonly value?: string;
}

/**
 * The environment an app container needs to reach its database, independent of any framework
 * and of where the password comes from.
 */
export class DatabaseEnv {
  /**
   * Secret-backed variables for `DB_HOST`, `DB_PORT`, `DB_NAME`, `DB_USER`, `DB_PASSWORD`,
   * `DATABASE_URL`, then the plain settings `DB_SSL_MODE`, `DB_POOL_SIZE`, `DB_TIMEOUT` and any extras.
   */
  public static describe(options: DatabaseEnvOptions = {}): DatabaseEnvVariable[] {
    const poolSize = options.poolSize ?? 10;
    const timeoutSeconds = options.timeoutSeconds ?? 30;
    const sslMode = options.sslMode ?? SslMode.REQUIRE;
    if (!Number.isInteger(poolSize) || poolSize < 1) {
      throw new Error(`DatabaseEnv: poolSize must be a whole number of at least 1 (got ${poolSize}). Use e.g. 10.`);
    }
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) {
      throw new Error(`DatabaseEnv: timeoutSeconds must be a whole number of seconds, at least 1 (got ${timeoutSeconds}). Use e.g. 30.`);
    }
    const rename = (key: string) => options.envNames?.[key] ?? key;
    const keys = DatabaseSecretKeys.connectionKeys().filter((k) => !(options.omitDatabaseUrl && k === DatabaseSecretKeys.URL));
    const settings: { [key: string]: string } = {
      [DatabaseSecretKeys.SSL_MODE]: sslMode.value,
      DB_POOL_SIZE: String(poolSize),
      DB_TIMEOUT: String(timeoutSeconds),
      ...options.extraSettings,
    };
    const vars: DatabaseEnvVariable[] = [
      ...keys.map((key) => ({ name: rename(key), secretKey: key })),
      ...Object.entries(settings).map(([key, value]) => ({ name: rename(key), value })),
    ];
    const seen = new Set<string>();
    for (const v of vars) {
      if (seen.has(v.name)) {
        throw new Error(`DatabaseEnv: envNames maps two variables to the same name ${JSON.stringify(v.name)}. Give each variable its own name.`);
      }
      seen.add(v.name);
    }
    return vars;
  }

  private constructor() {}
}
