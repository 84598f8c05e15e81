import * as kplus from 'cdk8s-plus-28';
import { DatabaseEnv, DatabaseEnvOptions } from '../core/database-env';

/**
 * Environment variables for an app container that reads a database Secret following the
 * connection contract (`DatabaseSecretKeys`), plus the pool, timeout and TLS settings, each with
 * a default: the Kubernetes rendering of `DatabaseEnv`.
 */
export class DatabaseEnvironment {
  /**
   * `secretKeyRef` variables for the contract keys the Secret holds, then the plain settings
   * (see `DatabaseEnv.describe`). Pass the result to a cdk8s-plus container's `envVariables`.
   */
  public static envVariables(secret: kplus.ISecret, options: DatabaseEnvOptions = {}): { [name: string]: kplus.EnvValue } {
    const env: { [name: string]: kplus.EnvValue } = {};
    for (const v of DatabaseEnv.describe(options)) {
      env[v.name] = v.secretKey !== undefined
        ? kplus.EnvValue.fromSecretValue({ secret, key: v.secretKey })
        : kplus.EnvValue.fromValue(v.value ?? '');
    }
    return env;
  }

  private constructor() {}
}
