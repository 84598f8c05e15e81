import {
  Annotations, RemovalPolicy, Stack, Token, Tokenization,
  aws_cloudwatch as cloudwatch, aws_ec2 as ec2, aws_iam as iam, aws_kms as kms, aws_rds as rds, aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IBindableDatabase } from './bindable-database';
import { DatabaseEngine } from './database-engine';
import { DatabasePreset } from './database-preset';
import { IndependentRdsProps } from './independent-rds-props';
import { RdsRules } from '../core/rds-validation';
import { createAlarms } from './private/rds-alarms';
import { buildCluster, buildInstance, clusterAlarms, EXCLUDED_PASSWORD_CHARACTERS, generatedSecret, instanceAlarms } from './private/rds-build';
import { managesMasterPassword } from './private/rds-managed-password';
import { resolveSettings, settingsErrors } from './private/rds-settings';

/** Attributes of a database made elsewhere, for `IndependentRds.fromDatabaseAttributes`. */
export interface BindableDatabaseAttributes {
  /** Host name clients connect to. */
  readonly endpointAddress: string;
  /** Port clients connect to. */
  readonly port: number;
  /** Name of the database to connect to. */
  readonly databaseName: string;
  /** Login user name. */
  readonly username: string;
  /** Secret holding `{engine,host,port,username,password,dbname}`. */
  readonly secret: secretsmanager.ISecret;
  /** Security groups of the database; ingress is added to them. */
  readonly securityGroups: ec2.ISecurityGroup[];
  /** Read-only host name. @default - none */
  readonly readEndpointAddress?: string;
}

/**
 * A production-safe RDS database (instance or Aurora cluster) with a lifecycle of its own:
 * meant for a stack of its own, so no application stack can delete it.
 */
export class IndependentRds extends Construct implements IBindableDatabase {
  /** A bindable view of a database created elsewhere. */
  public static fromDatabaseAttributes(scope: Construct, id: string, attrs: BindableDatabaseAttributes): IBindableDatabase {
    class Imported extends Construct implements IBindableDatabase {
      public readonly endpointAddress = attrs.endpointAddress;
      public readonly endpointPort = Tokenization.stringifyNumber(attrs.port);
      public readonly databaseName = attrs.databaseName;
      public readonly username = attrs.username;
      public readonly secret = attrs.secret;
      public readonly readEndpointAddress = attrs.readEndpointAddress;
      public readonly connections = new ec2.Connections({ securityGroups: attrs.securityGroups, defaultPort: ec2.Port.tcp(attrs.port) });
    }
    return new Imported(scope, id);
  }

  /** The engine in use. */
  public readonly engine: DatabaseEngine;
  /** The preset the defaults came from. */
  public readonly preset: DatabasePreset;
  /** The RDS instance, when the engine is not Aurora. */
  public readonly instance?: rds.DatabaseInstance;
  /** The read replicas of the instance. */
  public readonly readReplicas: rds.DatabaseInstanceReadReplica[];
  /** Number of read replicas (instance replicas or Aurora readers). */
  public readonly readReplicaCount: number;
  /** The Aurora cluster, when the engine is Aurora. */
  public readonly cluster?: rds.DatabaseCluster;
  /** The master secret (`engine, host, port, username, password, dbname`). */
  public readonly secret: secretsmanager.ISecret;
  /** KMS key of the storage, Performance Insights and the generated secret. */
  public readonly encryptionKey: kms.IKey;
  /** The database's own security group (no ingress until something is bound). */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** Network access to the database, on its port. */
  public readonly connections: ec2.Connections;
  /** Host name clients connect to. */
  public readonly endpointAddress: string;
  /** Port clients connect to. */
  public readonly endpointPort: string;
  /** Aurora reader endpoint, or the first replica's address. */
  public readonly readEndpointAddress?: string;
  /** Name of the database created at launch. */
  public readonly databaseName: string;
  /** Master user name. */
  public readonly username: string;
  /** The CloudWatch alarms (empty when alarms are off). */
  public readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: IndependentRdsProps) {
    super(scope, id);
    const s = resolveSettings(props);
    const errors = settingsErrors(s, props);
    this.checkSubnets(props.vpc, s.vpcSubnets, errors);
    if (errors.length > 0) {
      throw new Error(`IndependentRds: ${errors[0]}${errors.length > 1 ? ` (and ${errors.length - 1} more: ${errors.slice(1).join(' ')})` : ''}`);
    }
    this.engine = s.engine;
    this.preset = s.preset;
    this.databaseName = s.databaseName;
    this.readReplicaCount = s.readReplicas;

    this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: `Encrypts ${this.node.path}: storage, Performance Insights and the master secret`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Database ${this.node.path}: no ingress until an application is bound`,
      allowAllOutbound: false,
    });
    const baseSecret = props.secret ?? generatedSecret(this, s, this.encryptionKey);
    // A retained secret keeps the password of a retained (or snapshotted) database usable.
    if (!props.secret && s.removalPolicy !== RemovalPolicy.DESTROY) {
      (baseSecret as secretsmanager.Secret).applyRemovalPolicy(RemovalPolicy.RETAIN);
    }
    this.username = props.username ?? (props.secret ? props.secret.secretValueFromJson('username').unsafeUnwrap() : s.username);
    const ctx = {
      settings: s,
      vpc: props.vpc,
      securityGroup: this.securityGroup,
      key: this.encryptionKey,
      credentials: rds.Credentials.fromSecret(baseSecret, props.secret ? props.username : s.username),
    };

    let specs;
    if (s.engine.isCluster) {
      const cluster = buildCluster(this, ctx);
      this.cluster = cluster;
      this.readReplicas = [];
      this.secret = cluster.secret!;
      this.endpointAddress = cluster.clusterEndpoint.hostname;
      this.endpointPort = Token.asString(cluster.clusterEndpoint.port);
      this.readEndpointAddress = s.readReplicas > 0 ? cluster.clusterReadEndpoint.hostname : undefined;
      if (s.rotation) cluster.addRotationSingleUser({ automaticallyAfter: s.rotationInterval, excludeCharacters: EXCLUDED_PASSWORD_CHARACTERS });
      specs = clusterAlarms(s, cluster);
    } else {
      const { instance, replicas } = buildInstance(this, ctx);
      this.instance = instance;
      this.readReplicas = replicas;
      this.secret = instance.secret!;
      this.endpointAddress = instance.dbInstanceEndpointAddress;
      this.endpointPort = instance.dbInstanceEndpointPort;
      this.readEndpointAddress = replicas[0]?.dbInstanceEndpointAddress;
      if (s.rotation) instance.addRotationSingleUser({ automaticallyAfter: s.rotationInterval, excludeCharacters: EXCLUDED_PASSWORD_CHARACTERS });
      specs = instanceAlarms(s, instance, replicas);
    }
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(s.port) });
    // RDS refuses read replicas on a database whose master password it manages. This library never
    // asks for that, but an escape hatch on the L1 could: check what will be synthesized.
    this.node.addValidation({
      validate: () => {
        const error = RdsRules.managedPasswordWithReplicasError(managesMasterPassword(this.cluster ?? this.instance), this.readReplicaCount);
        return error ? [`IndependentRds: ${error}`] : [];
      },
    });
    this.alarms = s.alarms ? createAlarms(this, specs, props.alarmTopic) : [];
    if (s.rotation && s.vpcSubnets.subnetType === ec2.SubnetType.PRIVATE_ISOLATED) {
      Annotations.of(this).addWarningV2('cdk-db-platform:rotationIsolated',
        'IndependentRds: rotation runs a Lambda in isolated subnets; it needs a Secrets Manager interface endpoint in the VPC to reach the Secrets Manager API.');
    }
  }

  /**
   * Lets `grantee` connect with IAM database authentication as `dbUser`.
   * @param grantee who connects
   * @param dbUser database user to connect as (default: the master user)
   */
  public grantConnect(grantee: iam.IGrantable, dbUser?: string): iam.Grant {
    if (this.cluster) return this.cluster.grantConnect(grantee, dbUser ?? this.username);
    return this.instance!.grantConnect(grantee, dbUser ?? this.username);
  }

  /**
   * Lets `grantee` read the master secret: `secretsmanager:GetSecretValue` and `DescribeSecret`
   * on this one secret, plus `kms:Decrypt` on its key through Secrets Manager only.
   *
   * Everything is written into the grantee's own policy (never into the key policy), so an
   * application stack can be granted access without the database stack depending on it. A key
   * you bring must therefore let IAM policies of the account grant its use.
   */
  public grantSecretRead(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resourceArns: [this.secret.secretArn],
    });
    const key = this.secret.encryptionKey;
    if (!key) return grant;
    const stack = Stack.of(this);
    return grant.combine(iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:Decrypt'],
      resourceArns: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.${stack.urlSuffix}` } },
    }));
  }

  /** Refuses subnet selections that contain a public subnet. */
  private checkSubnets(vpc: ec2.IVpc, selection: ec2.SubnetSelection, errors: string[]): void {
    if (selection.subnetType === ec2.SubnetType.PUBLIC) return; // already reported
    let selected: ec2.ISubnet[] = [];
    try {
      selected = vpc.selectSubnets(selection).subnets;
    } catch (e) {
      errors.push(`vpcSubnets selects no usable subnets in the VPC (${(e as Error).message}). Add private subnets to the VPC or change vpcSubnets.`);
      return;
    }
    const publicSubnets = new Set(vpc.publicSubnets);
    const publicIds = new Set(vpc.publicSubnets.map((sn) => sn.subnetId).filter((sid) => !Token.isUnresolved(sid)));
    const bad = selected.filter((sn) => publicSubnets.has(sn) || publicIds.has(sn.subnetId));
    if (bad.length > 0) {
      errors.push(`vpcSubnets selects public subnets (got ${bad.map((sn) => sn.node.path).join(', ')}). A database is never publicly reachable: select PRIVATE_WITH_EGRESS or PRIVATE_ISOLATED subnets.`);
    }
  }
}
