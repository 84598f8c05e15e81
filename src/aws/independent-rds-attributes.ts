import { aws_ec2 as ec2, aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { DatabaseEngine } from './database-engine';

/**
 * Attributes of an RDS database made elsewhere (another app, the console, another tool), for
 * `IndependentRds.fromDatabaseAttributes`. Give `instanceIdentifier` for an instance engine or
 * `clusterIdentifier` for an Aurora engine, not both.
 */
export interface IndependentRdsAttributes {
  /** The engine and its full version. */
  readonly engine: DatabaseEngine;

  /** The VPC the database lives in. */
  readonly vpc: ec2.IVpc;

  /**
   * The DB instance identifier (instance engines).
   * @default - none: give clusterIdentifier instead
   */
  readonly instanceIdentifier?: string;

  /**
   * The DB cluster identifier (Aurora engines).
   * @default - none: give instanceIdentifier instead
   */
  readonly clusterIdentifier?: string;

  /** Host name clients connect to (the instance endpoint, or the cluster's writer endpoint). */
  readonly endpointAddress: string;

  /** Port the database listens on: a number known at synth time, not a token. */
  readonly port: number;

  /** Name of the database apps connect to. */
  readonly databaseName: string;

  /** Login user name (not secret). */
  readonly username: string;

  /** Secret holding `{engine,host,port,username,password,dbname}`. */
  readonly secret: secretsmanager.ISecret;

  /** Security groups of the database; bindings and proxies add their ingress rules to them. */
  readonly securityGroups: ec2.ISecurityGroup[];

  /**
   * A read-only host: the Aurora reader endpoint, or a replica's address.
   * @default - none
   */
  readonly readerEndpointAddress?: string;

  /**
   * The KMS key of the database storage.
   * @default - unknown: no key grants are made
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Read replicas (instance) or readers (Aurora) the database has.
   * @default 0
   */
  readonly readReplicaCount?: number;
}
