import * as kplus from 'cdk8s-plus-28';
import { DatabaseEnv, DatabaseSecretKeys, SslMode } from '../core/secret-keys';

/**
 * Options for {@link DatabaseEnvironment.envVariables}: the non-secret connection settings an
 * app reads next to the secret ones (the environment block of a cloud database integration).
 */
export interface DatabaseEnvironmentOptions {
  /**
   * Value of `DB_SSL_MODE`.
   * @default SslMode.REQUIRE
   */
  readonly sslMode?: SslMode;
  /**
   * Value of `DB_POOL_SIZE`: connections kept in the app's pool.
   * @default 10
   */
  readonly poolSize?: number;
  /**
   * Value of `DB_MAX_OVERFLOW`: connections the pool may open beyond `poolSize` under load.
   * @default 20
   */
  readonly maxOverflow?: number;
  /**
   * Value of `DB_POOL_RECYCLE` in seconds: connections older than this are replaced, which also
   * picks up a rotated password.
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
   * @default 10
   */
  readonly connectTimeoutSeconds?: number;
  /**
   * Value of `DB_COMMAND_TIMEOUT` in seconds (and of `DB_TIMEOUT`, the shared-Postgres name of
   * the same setting).
   * @default 30
   */
  readonly commandTimeoutSeconds?: number;
  /**
   * Value of `DB_IDLE_IN_TRANSACTION_SESSION_TIMEOUT` in seconds.
   * @default 300
   */
  readonly idleInTransactionSessionTimeoutSeconds?: number;
  /**
   * Value of `DB_SSL_ROOT_CERT_PATH`: the CA bundle the app verifies the server with
   * (e.g. `CaBundle.path`).
   * @default - not set
   */
  readonly sslRootCertPath?: string;
  /**
   * Value of `DB_SSL_CERT_PATH`: a client certificate, for servers that require one.
   * @default - not set
   */
  readonly sslCertPath?: string;
  /**
   * Value of `DB_SSL_KEY_PATH`: the client certificate's key. Required with `sslCertPath`.
   * @default - not set
   */
  readonly sslKeyPath?: string;
  /**
   * Which key of the Secret holds each contract key (`DB_HOST`, ..., `DATABASE_URL`). Contract
   * keys left out get no variable.
   * @default - the Secret holds every contract key under its own name
   */
  readonly keyMapping?: { [contractKey: string]: string };
  /**
   * Rename variables: contract key or setting name to the variable name the app reads.
   * @default - every variable is named like its contract key or setting
   */
  readonly envNames?: { [key: string]: string };
}

/**
 * Environment variables for an app container that reads a database Secret following the
 * connection contract, plus the pool, timeout and TLS settings, each with a default.
 *
 * Builds on `DatabaseEnv` (the shared-Postgres env helper), so the variable names and the
 * Secret keys are the same for every source of the Secret.
 */
export class DatabaseEnvironment {
  /**
   * `secretKeyRef` variables for the contract keys the Secret holds, then the plain settings
   * `DB_SSL_MODE`, `DB_POOL_SIZE`, `DB_TIMEOUT`, `DB_MAX_OVERFLOW`, `DB_POOL_RECYCLE`,
   * `DB_POOL_PRE_PING`, `DB_CONNECT_TIMEOUT`, `DB_COMMAND_TIMEOUT`,
   * `DB_IDLE_IN_TRANSACTION_SESSION_TIMEOUT` and the `DB_SSL_*_PATH`s that are set.
   * Pass the result to a cdk8s-plus container's `envVariables`.
   */
  public static envVariables(secret: kplus.ISecret, options: DatabaseEnvironmentOptions = {}): { [name: string]: kplus.EnvValue } {
    const owner = 'DatabaseEnvironment';
    const commandTimeoutSeconds = options.commandTimeoutSeconds ?? 30;
    const settings: { [key: string]: string } = {
      DB_MAX_OVERFLOW: String(wholeNumber(owner, 'maxOverflow', options.maxOverflow ?? 20, 0)),
      DB_POOL_RECYCLE: String(wholeNumber(owner, 'poolRecycleSeconds', options.poolRecycleSeconds ?? 3600, 1)),
      DB_POOL_PRE_PING: String(options.poolPrePing ?? true),
      DB_CONNECT_TIMEOUT: String(wholeNumber(owner, 'connectTimeoutSeconds', options.connectTimeoutSeconds ?? 10, 1)),
      DB_COMMAND_TIMEOUT: String(wholeNumber(owner, 'commandTimeoutSeconds', commandTimeoutSeconds, 1)),
      DB_IDLE_IN_TRANSACTION_SESSION_TIMEOUT: String(wholeNumber(owner, 'idleInTransactionSessionTimeoutSeconds',
        options.idleInTransactionSessionTimeoutSeconds ?? 300, 1)),
    };
    if ((options.sslCertPath === undefined) !== (options.sslKeyPath === undefined)) {
      throw new Error(`${owner}: sslCertPath and sslKeyPath go together (got sslCertPath ${JSON.stringify(options.sslCertPath)}, sslKeyPath ${JSON.stringify(options.sslKeyPath)}). `
        + 'Give both for a client certificate, or neither.');
    }
    const paths: Array<[string, string, string | undefined]> = [
      ['sslRootCertPath', 'DB_SSL_ROOT_CERT_PATH', options.sslRootCertPath],
      ['sslCertPath', 'DB_SSL_CERT_PATH', options.sslCertPath],
      ['sslKeyPath', 'DB_SSL_KEY_PATH', options.sslKeyPath],
    ];
    for (const [prop, name, path] of paths) {
      if (path === undefined) continue;
      if (!path.startsWith('/') || /\s/.test(path)) {
        throw new Error(`${owner}: ${prop} must be an absolute path without spaces inside the container (got ${JSON.stringify(path)}). Use e.g. '/etc/db-ca/ca.pem'.`);
      }
      settings[name] = path;
    }
    DatabaseEnvironment.checkKeyMapping(owner, options.keyMapping);

    const env: { [name: string]: kplus.EnvValue } = {};
    const described = DatabaseEnv.describe({
      sslMode: options.sslMode,
      poolSize: options.poolSize,
      timeoutSeconds: commandTimeoutSeconds,
      envNames: options.envNames,
      extraSettings: settings,
    });
    for (const v of described) {
      if (v.secretKey === undefined) {
        env[v.name] = kplus.EnvValue.fromValue(v.value ?? '');
        continue;
      }
      const key = options.keyMapping ? options.keyMapping[v.secretKey] : v.secretKey;
      if (key === undefined) continue;
      env[v.name] = kplus.EnvValue.fromSecretValue({ secret, key });
    }
    return env;
  }

  /**
   * Checks a contract-key-to-Secret-key mapping: contract keys only, valid Secret keys, no key
   * used twice, and `DATABASE_URL` present.
   */
  public static checkKeyMapping(owner: string, keyMapping?: { [contractKey: string]: string }): void {
    if (keyMapping === undefined) return;
    const contract = DatabaseSecretKeys.connectionKeys();
    const used = new Map<string, string>();
    for (const [contractKey, key] of Object.entries(keyMapping)) {
      if (!contract.includes(contractKey)) {
        throw new Error(`${owner}: keyMapping has ${JSON.stringify(contractKey)}, which is not a connection key. Map only ${contract.join(', ')}.`);
      }
      if (!/^[-._a-zA-Z0-9]{1,253}$/.test(key)) {
        throw new Error(`${owner}: keyMapping maps ${contractKey} to ${JSON.stringify(key)}, which is not a valid Secret key (letters, digits, '-', '_' and '.'). Use the key exactly as the Secret has it, e.g. 'database-url'.`);
      }
      const previous = used.get(key);
      if (previous !== undefined) {
        throw new Error(`${owner}: keyMapping maps both ${previous} and ${contractKey} to the Secret key ${JSON.stringify(key)}. Each connection key needs its own Secret key.`);
      }
      used.set(key, contractKey);
    }
    if (keyMapping[DatabaseSecretKeys.URL] === undefined) {
      throw new Error(`${owner}: keyMapping must map ${DatabaseSecretKeys.URL} (got ${JSON.stringify(Object.keys(keyMapping))}). `
        + `Name the Secret key that holds the connection URL, e.g. { ${DatabaseSecretKeys.URL}: 'database-url' }.`);
    }
  }

  private constructor() {}
}

function wholeNumber(owner: string, prop: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${owner}: ${prop} must be a whole number of at least ${min} (got ${value}). Use the default or a larger whole number.`);
  }
  return value;
}
