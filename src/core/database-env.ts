import { keyMappingProblems, renameVariables } from './private/env-names';
import { absolutePath, envVarName, intAtLeast, Problem, show, throwIfAny } from './private/validators';
import { DatabaseSecretKeys } from './secret-keys';
import { SslMode } from './ssl-mode';

/**
 * Options for the environment variables an app container gets from its database Secret: the
 * contract keys read from the Secret, and the pool, timeout and TLS settings next to them.
 */
export interface DatabaseEnvOptions {
  /**
   * Value of `DB_SSL_MODE`.
   * @default - the Secret's own `sslmode` where the construct knows it, else SslMode.REQUIRE
   */
  readonly sslMode?: SslMode;
  /**
   * Value of `DB_POOL_SIZE`: connections kept in the app's pool.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default 10
   */
  readonly poolSize?: number;
  /**
   * Value of `DB_MAX_OVERFLOW`: connections the pool may open beyond `poolSize` under load.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default 20
   */
  readonly maxOverflow?: number;
  /**
   * Value of `DB_POOL_RECYCLE` in seconds: connections older than this are replaced, which also
   * picks up a rotated password.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default 3600
   */
  readonly poolRecycleSeconds?: number;
  /**
   * Value of `DB_POOL_PRE_PING`: test a pooled connection before handing it out.
   * @default true
   */
  readonly poolPrePing?: boolean;
  /**
   * Value of `DB_CONNECT_TIMEOUT` in seconds.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default 10
   */
  readonly connectTimeoutSeconds?: number;
  /**
   * Value of `DB_COMMAND_TIMEOUT` in seconds, also written as `DB_TIMEOUT` (the name the shared
   * PostgreSQL apps read).
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default 30
   */
  readonly commandTimeoutSeconds?: number;
  /**
   * Value of `DB_IDLE_IN_TRANSACTION_SESSION_TIMEOUT` in seconds.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default 300
   */
  readonly idleInTransactionSessionTimeoutSeconds?: number;
  /**
   * Value of `DB_SSL_ROOT_CERT_PATH`: the CA bundle the app verifies the server with (e.g. `CaBundle.path`).
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default - not set
   */
  readonly sslRootCertPath?: string;
  /**
   * Value of `DB_SSL_CERT_PATH`: a client certificate, for servers that require one.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default - not set
   */
  readonly sslCertPath?: string;
  /**
   * Value of `DB_SSL_KEY_PATH`: the client certificate's key. Required with `sslCertPath`.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default - not set
   */
  readonly sslKeyPath?: string;
  /**
   * Further non-secret settings, added after (and overriding) the ones above, e.g. `{ DB_SCHEMA: 'orders' }`.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default - none
   */
  readonly extraSettings?: { [key: string]: string };
  /**
   * Which key of the Secret holds each contract key (`DB_HOST`, …, `DATABASE_URL`). Contract keys
   * left out get no variable; `DATABASE_URL` must be mapped.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default - the Secret holds every contract key under its own name
   */
  readonly keyMapping?: { [contractKey: string]: string };
  /**
   * Rename variables: contract key or setting name to the variable name the app reads, e.g.
   * `{ DB_HOST: 'DATABASE_HOST' }`. The same option renames the variables of a Beanstalk binding.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default - every variable is named like its contract key or setting
   */
  readonly envNames?: { [key: string]: string };
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
 * The environment an app container needs to reach its database, independent of any framework and
 * of where the password comes from. The Kubernetes side renders it with `DatabaseEnvironment`.
 */
export class DatabaseEnv {
  /**
   * Secret-backed variables for the contract keys the Secret holds (`DB_HOST`, `DB_PORT`,
   * `DB_NAME`, `DB_USER`, `DB_PASSWORD`, `DATABASE_URL`), then the plain settings `DB_SSL_MODE`,
   * `DB_POOL_SIZE`, `DB_MAX_OVERFLOW`, `DB_POOL_RECYCLE`, `DB_POOL_PRE_PING`, `DB_CONNECT_TIMEOUT`,
   * `DB_COMMAND_TIMEOUT`, `DB_TIMEOUT`, `DB_IDLE_IN_TRANSACTION_SESSION_TIMEOUT`, the
   * `DB_SSL_*_PATH`s that are set, and any extras. Each variable appears once.
   */
  public static describe(options: DatabaseEnvOptions = {}): DatabaseEnvVariable[] {
    const owner = 'DatabaseEnv';
    const o = {
      sslMode: options.sslMode ?? SslMode.REQUIRE,
      poolSize: options.poolSize ?? 10,
      maxOverflow: options.maxOverflow ?? 20,
      poolRecycleSeconds: options.poolRecycleSeconds ?? 3600,
      poolPrePing: options.poolPrePing ?? true,
      connectTimeoutSeconds: options.connectTimeoutSeconds ?? 10,
      commandTimeoutSeconds: options.commandTimeoutSeconds ?? 30,
      idleInTransactionSessionTimeoutSeconds: options.idleInTransactionSessionTimeoutSeconds ?? 300,
    };
    const problems: Problem[] = [
      intAtLeast('poolSize', o.poolSize, 1, 'Use e.g. 10.'),
      intAtLeast('maxOverflow', o.maxOverflow, 0, 'Use e.g. 20, or 0 for no overflow.'),
      intAtLeast('poolRecycleSeconds', o.poolRecycleSeconds, 1, 'Use e.g. 3600.'),
      intAtLeast('connectTimeoutSeconds', o.connectTimeoutSeconds, 1, 'Use e.g. 10.'),
      intAtLeast('commandTimeoutSeconds', o.commandTimeoutSeconds, 1, 'Use e.g. 30.'),
      intAtLeast('idleInTransactionSessionTimeoutSeconds', o.idleInTransactionSessionTimeoutSeconds, 1, 'Use e.g. 300.'),
      ...keyMappingProblems(options.keyMapping),
    ];
    if ((options.sslCertPath === undefined) !== (options.sslKeyPath === undefined)) {
      problems.push(`sslCertPath and sslKeyPath go together (got sslCertPath ${show(options.sslCertPath)}, sslKeyPath ${show(options.sslKeyPath)}). `
        + 'Give both for a client certificate, or neither.');
    }
    const settings: { [key: string]: string } = {
      [DatabaseSecretKeys.SSL_MODE]: o.sslMode.value,
      DB_POOL_SIZE: String(o.poolSize),
      DB_MAX_OVERFLOW: String(o.maxOverflow),
      DB_POOL_RECYCLE: String(o.poolRecycleSeconds),
      DB_POOL_PRE_PING: String(o.poolPrePing),
      DB_CONNECT_TIMEOUT: String(o.connectTimeoutSeconds),
      DB_COMMAND_TIMEOUT: String(o.commandTimeoutSeconds),
      DB_TIMEOUT: String(o.commandTimeoutSeconds),
      DB_IDLE_IN_TRANSACTION_SESSION_TIMEOUT: String(o.idleInTransactionSessionTimeoutSeconds),
    };
    const paths: Array<[string, string, string | undefined]> = [
      ['sslRootCertPath', 'DB_SSL_ROOT_CERT_PATH', options.sslRootCertPath],
      ['sslCertPath', 'DB_SSL_CERT_PATH', options.sslCertPath],
      ['sslKeyPath', 'DB_SSL_KEY_PATH', options.sslKeyPath],
    ];
    for (const [prop, name, path] of paths) {
      if (path === undefined) continue;
      problems.push(absolutePath(prop, path, '/etc/db-ca/ca.pem'));
      settings[name] = path;
    }
    for (const key of Object.keys(options.extraSettings ?? {})) problems.push(envVarName('extraSettings key', key));
    Object.assign(settings, options.extraSettings);

    const mapping = options.keyMapping;
    const secretBacked = DatabaseSecretKeys.connectionKeys()
      .filter((k) => !(options.omitDatabaseUrl && k === DatabaseSecretKeys.URL))
      .filter((k) => mapping === undefined || mapping[k] !== undefined);
    const { names, problems: renameProblems } = renameVariables('envNames', [...secretBacked, ...Object.keys(settings)], options.envNames);
    throwIfAny(owner, [...problems, ...renameProblems]);
    return [
      ...secretBacked.map((key) => ({ name: names[key], secretKey: mapping?.[key] ?? key })),
      ...Object.entries(settings).map(([key, value]) => ({ name: names[key], value })),
    ];
  }

  private constructor() {}
}
