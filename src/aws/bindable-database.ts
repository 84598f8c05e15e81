import { aws_ec2 as ec2, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';

/** A database an application can be bound to: IndependentRds, RdsProxy, or one made elsewhere. */
export interface IBindableDatabase extends ec2.IConnectable {
  /** Host name clients connect to. */
  readonly endpointAddress: string;
  /** Port clients connect to (string, may be a token). */
  readonly endpointPort: string;
  /** Name of the database to connect to. */
  readonly databaseName: string;
  /** Login user name (not secret). */
  readonly username: string;
  /** Secret holding the JSON `{engine,host,port,username,password,dbname}`. */
  readonly secret: secretsmanager.ISecret;
  /** Optional read-only host (Aurora reader endpoint, replica DNS name). @default - none */
  readonly readEndpointAddress?: string;
}
