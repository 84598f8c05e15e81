import { DatabaseConnectionDetails } from './connection-details';
import { isToken } from './private/validators';

/**
 * The connection contract shared by every database this library connects an app to: the key
 * names of the app's Secret (and of the environment variables made from it).
 *
 * Nothing here says where the password comes from, so the same keys serve an in-cluster
 * shared PostgreSQL (password generated inside the cluster), an existing Secret, an
 * ExternalSecret fed from a cloud provider, or an Elastic Beanstalk environment.
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
  /** A read-only host, where the database has one (not secret). */
  public static readonly READ_HOST = 'DB_READ_HOST';
  /** The ARN of the secret holding the credentials, for apps that read it themselves (not secret). */
  public static readonly SECRET_ARN = 'DB_SECRET_ARN';

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

  /**
   * The non-secret values of `details`, keyed by contract key: `DB_HOST`, `DB_PORT`, `DB_NAME`,
   * `DB_USER`, then `DB_SSL_MODE` and `DB_READ_HOST` where the details have them. Every place that
   * writes these keys (a Kubernetes Secret, an Elastic Beanstalk environment) takes them from here.
   */
  public static valuesFor(details: DatabaseConnectionDetails): { [key: string]: string } {
    if (isToken(details.port)) {
      throw new Error(`DatabaseSecretKeys: port must be a concrete number, not an unresolved token (got ${details.port}). `
        + 'Pass the port the database listens on, e.g. 5432.');
    }
    const values: { [key: string]: string } = {
      [DatabaseSecretKeys.HOST]: details.host,
      [DatabaseSecretKeys.PORT]: String(details.port),
      [DatabaseSecretKeys.NAME]: details.databaseName,
      [DatabaseSecretKeys.USER]: details.username,
    };
    if (details.sslMode !== undefined) values[DatabaseSecretKeys.SSL_MODE] = details.sslMode.value;
    if (details.readerHost !== undefined) values[DatabaseSecretKeys.READ_HOST] = details.readerHost;
    return values;
  }

  private constructor() {}
}
