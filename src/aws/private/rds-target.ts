import { CfnResource, aws_iam as iam, aws_rds as rds } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Problem } from '../../core/private/validators';
import { IRdsDatabase } from '../rds-database';
import { managesMasterPassword } from './rds-managed-password';

/**
 * The one place that tells an RDS instance from an Aurora cluster for RdsProxy,
 * ReplicaAutoscaling and IndependentRds: what the proxy targets, the identifier and ARN, the
 * reader endpoint, the instances to wait for, and whether RDS manages the master password.
 */
export interface RdsTarget {
  /** True for an Aurora cluster. */
  readonly isCluster: boolean;
  /** The instance (instance engines only). */
  readonly instance?: rds.IDatabaseInstance;
  /** The cluster (Aurora only). */
  readonly cluster?: rds.IDatabaseCluster;
  /** The DB instance or DB cluster identifier. */
  readonly identifier: string;
  /** The ARN of the DB instance or DB cluster. */
  readonly arn: string;
  /** What an RDS Proxy points at. */
  readonly proxyTarget: rds.ProxyTarget;
  /** The L2 construct whose L1 is the DB instance or DB cluster. */
  readonly construct: IConstruct;
  /**
   * The DB instances of the database defined in this app (an Aurora cluster's writer and readers);
   * empty for an imported database.
   */
  readonly ownInstances: CfnResource[];
  /** True when the L1 asks RDS to manage the master password (`ManageMasterUserPassword`), read when called. */
  managesMasterPassword(): boolean;
  /** `rds-db:connect` for `dbUser` on the instance or cluster. */
  grantConnect(grantee: iam.IGrantable, dbUser: string): iam.Grant;
}

/**
 * Why `db` is not a usable RDS target (exactly one of `instance` and `cluster`, matching the
 * engine), or undefined.
 */
export function rdsTargetProblem(db: IRdsDatabase): Problem {
  const has = db.instance !== undefined ? (db.cluster !== undefined ? 'both' : 'instance') : (db.cluster !== undefined ? 'cluster' : 'neither');
  const want = db.engine.isCluster ? 'cluster' : 'instance';
  if (has !== want) {
    return `database must have ${want === 'cluster' ? 'a cluster' : 'an instance'} for ${db.engine} and nothing else (got ${has === 'neither' ? 'neither an instance nor a cluster' : has === 'both' ? 'both an instance and a cluster' : `an ${has}`}). `
      + 'Pass an IndependentRds, or import the database with IndependentRds.fromDatabaseAttributes.';
  }
  return undefined;
}

/** The target of `db`; call only after {@link rdsTargetProblem} found nothing. */
export function rdsTarget(db: IRdsDatabase): RdsTarget {
  const cluster = db.cluster;
  if (cluster) {
    return {
      isCluster: true,
      cluster,
      identifier: cluster.clusterIdentifier,
      arn: cluster.clusterArn,
      proxyTarget: rds.ProxyTarget.fromCluster(cluster),
      construct: cluster,
      managesMasterPassword: () => managesMasterPassword(cluster),
      ownInstances: cluster.node.findAll().filter((c): c is rds.CfnDBInstance => c instanceof rds.CfnDBInstance),
      grantConnect: (grantee, dbUser) => cluster.grantConnect(grantee, dbUser),
    };
  }
  const instance = db.instance!;
  return {
    isCluster: false,
    instance,
    identifier: instance.instanceIdentifier,
    arn: instance.instanceArn,
    proxyTarget: rds.ProxyTarget.fromInstance(instance),
    construct: instance,
    managesMasterPassword: () => managesMasterPassword(instance),
    ownInstances: [],
    grantConnect: (grantee, dbUser) => instance.grantConnect(grantee, dbUser),
  };
}

/**
 * The reader endpoint of an Aurora cluster, or undefined when it is unknown (a cluster imported
 * without its reader endpoint address).
 */
export function clusterReaderHost(cluster: rds.IDatabaseCluster): string | undefined {
  try {
    return cluster.clusterReadEndpoint.hostname;
  } catch {
    // aws-rds refuses `clusterReadEndpoint` of a cluster imported without readerEndpointAddress.
    return undefined;
  }
}
