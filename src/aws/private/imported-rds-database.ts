import { Token, aws_ec2 as ec2, aws_iam as iam, aws_kms as kms, aws_rds as rds, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DatabaseConnectionDetails } from '../../core/connection-details';
import { RdsRules } from '../../core/private/rds-rules';
import { host, Problem, throwIfAny } from '../../core/private/validators';
import { DatabaseEngine } from '../database-engine';
import { IndependentRdsAttributes } from '../independent-rds-attributes';
import { IRdsDatabase } from '../rds-database';
import { grantSecretRead } from './secret-grant';

const OWNER = 'IndependentRds.fromDatabaseAttributes';

/** An RDS instance or Aurora cluster made elsewhere, usable wherever an IndependentRds is. */
export class ImportedRdsDatabase extends Construct implements IRdsDatabase {
  public readonly engine: DatabaseEngine;
  public readonly vpc: ec2.IVpc;
  public readonly instance?: rds.IDatabaseInstance;
  public readonly cluster?: rds.IDatabaseCluster;
  public readonly encryptionKey?: kms.IKey;
  public readonly readReplicaCount: number;
  public readonly secret: secretsmanager.ISecret;
  public readonly connections: ec2.Connections;
  public readonly connectionDetails: DatabaseConnectionDetails;
  /** The imported secret is the database's own (master) secret. */
  public readonly isMasterUser?: boolean = true;

  constructor(scope: Construct, id: string, attrs: IndependentRdsAttributes) {
    super(scope, id);
    const readReplicaCount = attrs.readReplicaCount ?? 0;
    throwIfAny(OWNER, attributeProblems(attrs, readReplicaCount));
    this.engine = attrs.engine;
    this.vpc = attrs.vpc;
    this.encryptionKey = attrs.encryptionKey;
    this.readReplicaCount = readReplicaCount;
    this.secret = attrs.secret;
    this.connections = new ec2.Connections({ securityGroups: attrs.securityGroups, defaultPort: ec2.Port.tcp(attrs.port) });
    this.connectionDetails = {
      host: attrs.endpointAddress,
      port: attrs.port,
      databaseName: attrs.databaseName,
      username: attrs.username,
      readerHost: attrs.readerEndpointAddress,
    };
    if (attrs.engine.isCluster) {
      this.cluster = rds.DatabaseCluster.fromDatabaseClusterAttributes(this, 'Cluster', {
        clusterIdentifier: attrs.clusterIdentifier!,
        clusterEndpointAddress: attrs.endpointAddress,
        readerEndpointAddress: attrs.readerEndpointAddress,
        port: attrs.port,
        securityGroups: attrs.securityGroups,
        engine: attrs.engine.clusterEngine(),
        secret: attrs.secret,
      });
    } else {
      this.instance = rds.DatabaseInstance.fromDatabaseInstanceAttributes(this, 'Instance', {
        instanceIdentifier: attrs.instanceIdentifier!,
        instanceEndpointAddress: attrs.endpointAddress,
        port: attrs.port,
        securityGroups: attrs.securityGroups,
        engine: attrs.engine.instanceEngine(),
      });
    }
  }

  public grantSecretRead(grantee: iam.IGrantable): iam.Grant {
    return grantSecretRead(this.secret, grantee);
  }
}

function attributeProblems(attrs: IndependentRdsAttributes, readReplicaCount: number): Problem[] {
  const problems: Problem[] = [];
  const cluster = attrs.engine.isCluster;
  const [wanted, other] = cluster ? ['clusterIdentifier', 'instanceIdentifier'] : ['instanceIdentifier', 'clusterIdentifier'];
  const given = cluster ? attrs.clusterIdentifier : attrs.instanceIdentifier;
  const wrong = cluster ? attrs.instanceIdentifier : attrs.clusterIdentifier;
  if (wrong !== undefined) {
    problems.push(`${other} does not apply to ${attrs.engine}, which runs as ${cluster ? 'a cluster' : 'an instance'} (got ${JSON.stringify(wrong)}). Give ${wanted} instead.`);
  } else if (given === undefined || (!Token.isUnresolved(given) && given.trim() === '')) {
    problems.push(`${wanted} must identify the ${cluster ? 'Aurora cluster' : 'DB instance'} of ${attrs.engine} (got ${JSON.stringify(given)}). Pass its identifier, e.g. 'shop-db'.`);
  }
  if (!Token.isUnresolved(attrs.endpointAddress)) problems.push(host('endpointAddress', attrs.endpointAddress));
  if (attrs.readerEndpointAddress !== undefined && !Token.isUnresolved(attrs.readerEndpointAddress)) {
    problems.push(host('readerEndpointAddress', attrs.readerEndpointAddress));
  }
  problems.push(RdsRules.portError(attrs.port));
  if (!Token.isUnresolved(readReplicaCount)) problems.push(RdsRules.readReplicasError(readReplicaCount, 'readReplicaCount'));
  if (attrs.securityGroups.length === 0) {
    problems.push('securityGroups must hold the security groups of the database (got none). Pass them: bindings and proxies open the database port on them.');
  }
  return problems;
}
