import { aws_ec2 as ec2, aws_kms as kms, aws_rds as rds, aws_sns as sns } from 'aws-cdk-lib';
import { IBindableDatabase } from './bindable-database';
import { DatabaseEngine } from './database-engine';

/**
 * An RDS database (an instance, or an Aurora cluster) that an RdsProxy or ReplicaAutoscaling can
 * be put on: an IndependentRds, or one imported with `IndependentRds.fromDatabaseAttributes`.
 * Exactly one of `instance` and `cluster` is set, matching the engine.
 */
export interface IRdsDatabase extends IBindableDatabase {
  /** The engine and its full version. */
  readonly engine: DatabaseEngine;

  /** The VPC the database lives in. */
  readonly vpc: ec2.IVpc;

  /**
   * The RDS instance, when the engine is not Aurora.
   * @default - none: the database is an Aurora cluster
   */
  readonly instance?: rds.IDatabaseInstance;

  /**
   * The Aurora cluster, when the engine is Aurora.
   * @default - none: the database is an RDS instance
   */
  readonly cluster?: rds.IDatabaseCluster;

  /**
   * The KMS key of the database storage (read replicas made later are encrypted with it).
   * @default - unknown: no key grants are made
   */
  readonly encryptionKey?: kms.IKey;

  /** Read replicas (instance) or readers (Aurora) in the template. */
  readonly readReplicaCount: number;

  /**
   * The SNS topic the database's alarms notify; the alarms of the read replicas a
   * ReplicaAutoscaling controller makes notify it too.
   * @default - none: the replicas the controller makes get no alarms
   */
  readonly alarmTopic?: sns.ITopic;
}
