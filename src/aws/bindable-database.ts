import { aws_ec2 as ec2, aws_iam as iam, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { DatabaseConnectionDetails } from '../core/connection-details';

/**
 * A database an application can be bound to: a DatabaseUser (an app's own user, the usual
 * choice), an IndependentRds, an RdsProxy, a database imported with
 * `IndependentRds.fromDatabaseAttributes`, or your own implementation.
 *
 * Network access goes through `connections` (its default port is the database port); the
 * password is read from `secret` by whoever `grantSecretRead` allows.
 */
export interface IBindableDatabase extends ec2.IConnectable {
  /**
   * Where and as whom apps connect: host, port (a concrete number), database, user, and the
   * sslmode and reader host where known. The one connection contract of the library: the
   * `DB_*` values come from it (`DatabaseSecretKeys.valuesFor`).
   */
  readonly connectionDetails: DatabaseConnectionDetails;

  /** Secret holding the JSON `{engine,host,port,username,password,dbname}`. */
  readonly secret: secretsmanager.ISecret;

  /**
   * True when `secret` holds the database's master (administrator) credentials. Bindings warn
   * when they hand those to an app outside development: bind a `DatabaseUser` instead.
   * @default false
   */
  readonly isMasterUser?: boolean;

  /**
   * Lets `grantee` read the secret: `secretsmanager:GetSecretValue` on this one secret, and
   * `kms:Decrypt` on its key through Secrets Manager only. Written into the grantee's policy only.
   * @param grantee who reads the secret
   */
  grantSecretRead(grantee: iam.IGrantable): iam.Grant;
}
