import { SslMode } from './ssl-mode';

/**
 * The connection contract: where an app connects, to which database and as whom. The same fields
 * on both sides: an AWS database exposes them for a Beanstalk binding, a Kubernetes Secret carries
 * them as `DB_*` keys, and `DatabaseConnection` builds `DATABASE_URL` from them.
 */
export interface DatabaseConnectionDetails {
  /** Host name clients connect to (on AWS it may be an unresolved token, such as an endpoint attribute). */
  readonly host: string;
  /** TCP port clients connect to: a concrete number. */
  readonly port: number;
  /** Name of the database. */
  readonly databaseName: string;
  /** Login role (not secret). */
  readonly username: string;
  /**
   * The libpq `sslmode` clients should use.
   * @default - none recorded (clients use their own default)
   */
  readonly sslMode?: SslMode;
  /**
   * A read-only host (an Aurora reader endpoint, a replica's reader name, a proxy's read-only endpoint).
   * @default - none
   */
  readonly readerHost?: string;
}
