import {
  Annotations, Duration, RemovalPolicy, Stack, Token,
  aws_cloudwatch as cloudwatch, aws_ec2 as ec2, aws_iam as iam, aws_kms as kms, aws_rds as rds, aws_secretsmanager as secretsmanager, aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DatabaseEngine } from './database-engine';
import { DatabasePreset } from './database-preset';
import { DatabaseUser, DatabaseUserOptions } from './database-user';
import { IndependentRdsAttributes } from './independent-rds-attributes';
import { IndependentRdsProps } from './independent-rds-props';
import { ImportedRdsDatabase } from './private/imported-rds-database';
import { libraryKey } from './private/kms-policy';
import { acknowledgeRdsChoices } from './private/rds-acknowledgments';
import { createAlarms, defaultAlarmTopic } from './private/rds-alarms';
import { buildCluster, buildInstance, clusterAlarms, EXCLUDED_PASSWORD_CHARACTERS, generatedSecret, instanceAlarms, passInstanceClassThrough } from './private/rds-build';
import { createLogGroups } from './private/rds-log-groups';
import { applyRecovery, recoveryErrors, resolveRecovery } from './private/rds-recovery';
import { resolvedTokenErrors, resolveSettings, settingsErrors } from './private/rds-settings';
import { rdsTarget } from './private/rds-target';
import { addDeploySafetyWarnings } from './private/rds-warnings';
import { grantSecretRead } from './private/secret-grant';
import { IRdsDatabase } from './rds-database';
import { RdsProxy, RdsProxyOptions } from './rds-proxy';
import { ReplicaAutoscaling, ReplicaAutoscalingOptions } from './replica-autoscaling';
import { DatabaseConnectionDetails } from '../core/connection-details';
import { RdsRules } from '../core/private/rds-rules';
import { Problem, throwIfAny } from '../core/private/validators';
import { SslMode } from '../core/ssl-mode';

/**
 * A production-safe RDS database (instance or Aurora cluster) with a lifecycle of its own:
 * meant for a stack of its own, so no application stack can delete it.
 */
export class IndependentRds extends Construct implements IRdsDatabase {
  /**
   * An RDS instance or Aurora cluster made elsewhere, usable wherever an IndependentRds is:
   * with RdsProxy, ReplicaAutoscaling and BeanstalkDatabaseBinding.
   */
  public static fromDatabaseAttributes(scope: Construct, id: string, attrs: IndependentRdsAttributes): IRdsDatabase {
    return new ImportedRdsDatabase(scope, id, attrs);
  }

  /** The engine in use. */
  public readonly engine: DatabaseEngine;
  /** The preset the defaults came from. */
  public readonly preset: DatabasePreset;
  /** The VPC the database lives in. */
  public readonly vpc: ec2.IVpc;
  /**
   * The RDS instance (a `rds.DatabaseInstance`, child 'Resource'), when the engine is not Aurora.
   * @default - none: the engine is Aurora
   */
  public readonly instance?: rds.IDatabaseInstance;
  /** The read replicas of the instance. */
  public readonly readReplicas: rds.DatabaseInstanceReadReplica[];
  /** Number of read replicas (instance replicas or Aurora readers). */
  public readonly readReplicaCount: number;
  /**
   * The Aurora cluster (a `rds.DatabaseCluster`, child 'Resource'), when the engine is Aurora.
   * @default - none: the engine is not Aurora
   */
  public readonly cluster?: rds.IDatabaseCluster;
  /** The master secret (`engine, host, port, username, password, dbname`), attached to the database. */
  public readonly secret: secretsmanager.ISecret;
  /**
   * The name of the generated master secret in Secrets Manager.
   * @default - undefined when the secret is not named (no `secretName` prop) or was brought with `secret`
   */
  public readonly secretName?: string;
  /**
   * How often the master password rotates.
   * @default - undefined when rotation is off
   */
  public readonly rotationInterval?: Duration;
  /**
   * KMS key of the storage, Performance Insights and the generated secret: the `encryptionKey`
   * prop, or the key made for this database. Always set (optional only to match IRdsDatabase).
   */
  public readonly encryptionKey?: kms.IKey;
  /** The database's own security group (no ingress until something is bound). */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** Network access to the database, on its port. */
  public readonly connections: ec2.Connections;
  /**
   * Where and as whom apps connect: the instance or cluster (writer) endpoint, the port, the
   * database and master user, `sslmode=require` while the parameters force TLS, and the reader
   * host (Aurora reader endpoint, or the first replica) when there are readers.
   */
  public readonly connectionDetails: DatabaseConnectionDetails;
  /** The CloudWatch alarms (empty when alarms are off). */
  public readonly alarms: cloudwatch.Alarm[];
  /**
   * The SNS topic the alarms notify: the `alarmTopic` prop, or the topic made for this database.
   * Subscribe to it to receive the alarms.
   * @default - undefined when alarms are off
   */
  public readonly alarmTopic?: sns.ITopic;

  /**
   * True: `secret` holds the master user, for administration; give apps a `DatabaseUser` (`addUser`).
   * @default true
   */
  public readonly isMasterUser?: boolean = true;

  constructor(scope: Construct, id: string, props: IndependentRdsProps) {
    super(scope, id);
    const s = resolveSettings(props);
    const stack = Stack.of(this);
    const region = Token.isUnresolved(stack.region) ? undefined : stack.region;
    const r = resolveRecovery(props, s);
    throwIfAny('IndependentRds', [
      ...settingsErrors(s, props, region), ...subnetProblems(props.vpc, s.vpcSubnets), ...recoveryErrors(r, s, props, stack.region, Date.now()),
    ]);
    this.engine = s.engine;
    this.preset = s.preset;
    this.vpc = props.vpc;
    this.readReplicaCount = s.readReplicas;
    this.rotationInterval = s.rotation ? s.rotationInterval : undefined;
    this.secretName = props.secret ? undefined : props.secretName;

    // An RDS instance restore keeps its source's storage key: the database's key, when the source names it.
    const key = props.encryptionKey ?? r.keptStorageKey ?? ownKey(this);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Database ${this.node.path}: no ingress until an application is bound`,
      allowAllOutbound: false,
    });
    this.encryptionKey = key;
    const baseSecret = props.secret ?? generatedSecret(this, s, key, props.secretName);
    // A retained secret keeps the password of a retained (or snapshotted) database usable.
    if (!props.secret && s.removalPolicy !== RemovalPolicy.DESTROY) {
      (baseSecret as secretsmanager.Secret).applyRemovalPolicy(RemovalPolicy.RETAIN);
    }
    const username = props.username ?? (props.secret ? props.secret.secretValueFromJson('username').unsafeUnwrap() : s.username);
    const ctx = {
      settings: s,
      vpc: props.vpc,
      securityGroup: this.securityGroup,
      key,
      credentials: rds.Credentials.fromSecret(baseSecret, props.secret ? props.username : s.username),
    };

    let specs;
    let host: string;
    let readerHost: string | undefined;
    if (s.engine.isCluster) {
      const cluster = buildCluster(this, ctx);
      this.cluster = cluster;
      this.readReplicas = [];
      this.secret = cluster.secret!;
      host = cluster.clusterEndpoint.hostname;
      readerHost = s.readReplicas > 0 ? cluster.clusterReadEndpoint.hostname : undefined;
      if (s.rotation) cluster.addRotationSingleUser({ automaticallyAfter: s.rotationInterval, excludeCharacters: EXCLUDED_PASSWORD_CHARACTERS });
      specs = clusterAlarms(s, cluster);
    } else {
      const { instance, replicas } = buildInstance(this, ctx);
      this.instance = instance;
      this.readReplicas = replicas;
      this.secret = instance.secret!;
      host = instance.dbInstanceEndpointAddress;
      readerHost = replicas[0]?.dbInstanceEndpointAddress;
      if (s.rotation) instance.addRotationSingleUser({ automaticallyAfter: s.rotationInterval, excludeCharacters: EXCLUDED_PASSWORD_CHARACTERS });
      specs = instanceAlarms(s, instance, replicas);
    }
    createLogGroups(this, s, this.cluster ?? this.instance!, key);
    passInstanceClassThrough(this, s);
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(s.port) });
    this.connectionDetails = {
      host,
      port: s.port,
      databaseName: s.databaseName,
      username,
      // The parameter group refuses connections without TLS (unless a parameter override turned that off).
      sslMode: s.tlsForced ? SslMode.REQUIRE : undefined,
      readerHost,
    };
    // RDS refuses read replicas on a database whose master password it manages. This library never
    // asks for that, but an escape hatch on the L1 could: check what will be synthesized.
    this.node.addValidation({
      validate: () => [RdsRules.managedPasswordWithReplicasError(rdsTarget(this).managesMasterPassword(), this.readReplicaCount),
        ...resolvedTokenErrors(stack, props, region)].filter((e): e is string => e !== undefined).map((e) => `IndependentRds: ${e}`),
    });
    acknowledgeRdsChoices({
      databases: this.cluster ? [this.cluster] : [this.instance!, ...this.readReplicas],
      defaultPort: s.port === s.engine.defaultPort,
      development: s.production ? undefined : {
        singleAz: props.multiAz === undefined,
        noDeletionProtection: props.deletionProtection === undefined,
        noMonitoring: props.monitoringInterval === undefined,
        shortBackups: props.backupRetention === undefined,
      },
    });
    this.alarmTopic = s.alarms ? props.alarmTopic ?? defaultAlarmTopic(this, key) : undefined;
    this.alarms = this.alarmTopic ? createAlarms(this, specs, this.alarmTopic) : [];
    if (s.rotation && s.vpcSubnets.subnetType === ec2.SubnetType.PRIVATE_ISOLATED) {
      Annotations.of(this).addWarningV2('cdk-db-platform:rotationIsolated',
        'IndependentRds: rotation runs a Lambda in isolated subnets; it needs a Secrets Manager interface endpoint in the VPC to reach the Secrets Manager API.');
    }
    addDeploySafetyWarnings(this, s);
    // Restore and disaster recovery (IndependentRdsRecoveryProps).
    applyRecovery(this, this.readReplicas, r, s);
  }

  /**
   * Puts an RDS Proxy in front of this database (a child construct with id `id`).
   * @param id construct id of the proxy
   * @param options the proxy's settings
   */
  public addProxy(id: string, options: RdsProxyOptions = {}): RdsProxy {
    return new RdsProxy(this, id, { ...options, database: this });
  }

  /**
   * Adds a database user for one app (a child construct with id `appName`): its own login
   * (`<app>_user`), database (`<app>_db`) and schema (`<app>`), and its own secret, rotated with
   * alternating users. PostgreSQL and Aurora PostgreSQL only.
   *
   * The construct id is the app name, so the user's resources keep their logical ids as long as
   * the app name stays; a new app name is a new user (the old one's role and data are kept).
   * @param appName the app's name: lower-case letters, digits, '_' and '-', starting with a letter
   * @param options names, secret name and rotation of the user
   */
  public addUser(appName: string, options: DatabaseUserOptions = {}): DatabaseUser {
    return new DatabaseUser(this, appName, { ...options, database: this, appName });
  }

  /**
   * Makes the read replicas of this database follow the load (a child construct with id `id`).
   * @param id construct id of the autoscaling
   * @param options the scaling settings
   */
  public addReplicaAutoscaling(id: string, options: ReplicaAutoscalingOptions = {}): ReplicaAutoscaling {
    return new ReplicaAutoscaling(this, id, { ...options, database: this });
  }

  /**
   * Lets `grantee` connect with IAM database authentication as `dbUser`.
   * @param grantee who connects
   * @param dbUser database user to connect as (default: the master user)
   */
  public grantConnect(grantee: iam.IGrantable, dbUser?: string): iam.Grant {
    return rdsTarget(this).grantConnect(grantee, dbUser ?? this.connectionDetails.username);
  }

  /**
   * Lets `grantee` read the master secret: `secretsmanager:GetSecretValue` on this one secret,
   * plus `kms:Decrypt` on its key through Secrets Manager only.
   *
   * Everything is written into the grantee's own policy (never into the key policy), so an
   * application stack can be granted access without the database stack depending on it. A key
   * you bring must therefore let IAM policies of the account grant its use.
   */
  public grantSecretRead(grantee: iam.IGrantable): iam.Grant {
    return grantSecretRead(this.secret, grantee);
  }
}

/**
 * The key made for a database (id 'Key'): rotated, retained with the stack, and allowing grants for
 * AWS resources only (AWS Control Tower CT.KMS.PR.3).
 */
function ownKey(scope: Construct): kms.Key {
  return libraryKey(scope, 'Key', `Encrypts ${scope.node.path}: storage, Performance Insights and the master secret`);
}

/** Refuses subnet selections that select nothing or contain a public subnet. */
function subnetProblems(vpc: ec2.IVpc, selection: ec2.SubnetSelection): Problem[] {
  if (selection.subnetType === ec2.SubnetType.PUBLIC) return []; // already reported by settingsErrors
  let selected: ec2.ISubnet[] = [];
  try {
    selected = vpc.selectSubnets(selection).subnets;
  } catch (e) {
    return [`vpcSubnets selects no usable subnets in the VPC (${(e as Error).message}). Add private subnets to the VPC or change vpcSubnets.`];
  }
  const publicSubnets = new Set(vpc.publicSubnets);
  const publicIds = new Set(vpc.publicSubnets.map((sn) => sn.subnetId).filter((sid) => !Token.isUnresolved(sid)));
  const bad = selected.filter((sn) => publicSubnets.has(sn) || publicIds.has(sn.subnetId));
  if (bad.length > 0) {
    return [`vpcSubnets selects public subnets (got ${bad.map((sn) => sn.node.path).join(', ')}). A database is never publicly reachable: select PRIVATE_WITH_EGRESS or PRIVATE_ISOLATED subnets.`];
  }
  return [];
}
