import {
  Annotations, CfnResource, Duration, Lazy, Names, Stack, Token,
  aws_ec2 as ec2, aws_iam as iam, aws_rds as rds, aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { IBindableDatabase } from './bindable-database';
import { DatabasePreset } from './database-preset';
import { DatabaseUser } from './database-user';
import { proxyEngineFamily, proxyNameProblem, proxyPort, proxySettingsProblems } from './private/proxy-validation';
import { rdsTarget, rdsTargetProblem } from './private/rds-target';
import { resolvedLiterals } from './private/resolved-literals';
import { grantSecretRead } from './private/secret-grant';
import { IRdsDatabase } from './rds-database';
import { DatabaseConnectionDetails } from '../core/connection-details';
import { knownDuration, Problem, throwIfAny } from '../core/private/validators';
import { SslMode } from '../core/ssl-mode';

/** Settings of an RdsProxy, for `IndependentRds.addProxy()`. */
export interface RdsProxyOptions {
  /**
   * The secret the proxy logs in with. It must be the database's own secret; the prop exists so
   * that a mistaken secret is refused at synth instead of failing at connect time.
   * @default - the database's master secret
   */
  readonly secret?: secretsmanager.ISecret;

  /**
   * Subnets the proxy's network interfaces live in; they must span at least two AZs.
   * @default - { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security group of the proxy. The database admits this group only.
   * @default - a new security group with no ingress and egress only to the database port
   */
  readonly securityGroup?: ec2.ISecurityGroup;

  /** Refuse clients that do not use TLS. @default true */
  readonly requireTLS?: boolean;

  /**
   * Require IAM authentication from clients (`IAMAuth: REQUIRED`); clients then connect with a
   * token granted by `grantConnect` instead of the password.
   * @default false
   */
  readonly iamAuth?: boolean;

  /**
   * How long a client connection may stay idle before the proxy closes it.
   * Tokens: refused (a Duration of a token cannot be checked or converted).
   * @default Duration.minutes(30)
   */
  readonly idleClientTimeout?: Duration;

  /**
   * Largest share of the database's `max_connections` the proxy may open, 1–100. 90 leaves room
   * for administrators, migrations and rotation to connect directly.
   * Tokens: accepted and passed through untouched; one that resolves to a literal at synthesis (a `Lazy`) is checked then.
   * @default 90
   */
  readonly maxConnectionsPercent?: number;

  /**
   * Share of `max_connections` the proxy keeps open while idle, 0 to maxConnectionsPercent. 50
   * keeps a warm pool while returning half of the connections the database does not need.
   * Tokens: accepted and passed through untouched; one that resolves to a literal at synthesis (a `Lazy`) is checked then.
   * @default 50
   */
  readonly maxIdleConnectionsPercent?: number;

  /**
   * How long a client waits for a pooled connection before the proxy returns an error.
   * Tokens: refused (a Duration of a token cannot be checked or converted).
   * @default Duration.seconds(120)
   */
  readonly borrowTimeout?: Duration;

  /**
   * Session state the proxy ignores when deciding to pin a client to one database connection.
   * @default - none: every session-changing statement pins
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-pinning.html
   */
  readonly sessionPinningFilters?: rds.SessionPinningFilter[];

  /**
   * Add a read-only proxy endpoint (`TargetRole: READ_ONLY`) that spreads reads over the
   * Aurora readers. Aurora only.
   * @default - true for Aurora clusters; instances have no read-only proxy endpoint
   */
  readonly readOnlyEndpoint?: boolean;

  /**
   * Physical name of the proxy: a letter, then letters, digits and single hyphens; at most 63
   * characters (60 with a read-only endpoint, whose name appends `-ro`).
   * Tokens: accepted and passed through untouched (the name is then not checked).
   * @default - a unique name derived from the construct path
   */
  readonly dbProxyName?: string;
}

/** Properties of an RdsProxy. */
export interface RdsProxyProps extends RdsProxyOptions {
  /**
   * The database the proxy pools connections to: an IndependentRds, or an instance or Aurora
   * cluster imported with `IndependentRds.fromDatabaseAttributes`.
   */
  readonly database: IRdsDatabase;
}

/**
 * RDS Proxy in front of an RDS database (an IndependentRds or an imported one): secret
 * authentication with the database's secret, TLS required, its own security group, and the
 * database reachable from the proxy only. It is an IBindableDatabase, so a
 * BeanstalkDatabaseBinding to it sets DB_HOST to the proxy endpoint.
 */
export class RdsProxy extends Construct implements IBindableDatabase {
  /** The underlying aws-rds proxy. */
  public readonly proxy: rds.DatabaseProxy;
  /** The read-only endpoint (Aurora only). */
  public readonly readOnlyEndpoint?: rds.CfnDBProxyEndpoint;
  /** The proxy's security group. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** Network access to the proxy, with the proxy's port as default port. */
  public readonly connections: ec2.Connections;
  /**
   * Where apps connect through the proxy: its endpoint, its port (5432 for the PostgreSQL family,
   * 3306 for MySQL and MariaDB), the database and user behind it, `sslmode=require` while the
   * proxy requires TLS, and the read-only endpoint as reader host (Aurora).
   */
  public readonly connectionDetails: DatabaseConnectionDetails;
  /** The secret the proxy logs in with (the database's master secret). */
  public readonly secret: secretsmanager.ISecret;
  /** Whether clients must use IAM authentication. */
  public readonly iamAuth: boolean;
  /**
   * True: `secret` is the database's master secret; bind apps with `forUser` instead.
   * @default true
   */
  public readonly isMasterUser?: boolean = true;
  /**
   * The preset of the database behind the proxy, when it has one (an IndependentRds).
   * @default - unknown (an imported database)
   */
  public readonly preset?: DatabasePreset;

  private readonly database: IRdsDatabase;
  private readonly users = new Set<DatabaseUser>();

  constructor(scope: Construct, id: string, props: RdsProxyProps) {
    super(scope, id);
    const db = props.database;
    this.database = db;
    const vpcSubnets = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const requireTLS = props.requireTLS ?? true;
    this.iamAuth = props.iamAuth ?? false;
    const idleClientTimeout = props.idleClientTimeout ?? Duration.minutes(30);
    const maxConnectionsPercent = props.maxConnectionsPercent ?? 90;
    const maxIdleConnectionsPercent = props.maxIdleConnectionsPercent ?? 50;
    const borrowTimeout = props.borrowTimeout ?? Duration.seconds(120);
    const wantReadOnly = props.readOnlyEndpoint ?? db.engine.isCluster;

    const problems: Problem[] = [rdsTargetProblem(db)];
    const family = proxyEngineFamily(db.engine.family.name);
    if (!family) {
      problems.push(`the engine family must be supported by RDS Proxy (got ${db.engine.family}). Use PostgreSQL, MySQL, MariaDB, Aurora PostgreSQL or Aurora MySQL.`);
    }
    // Durations are converted to seconds, so they must be known; number tokens pass through to
    // CloudFormation and are checked again at synthesis once they resolve (see below).
    problems.push(knownDuration('idleClientTimeout', idleClientTimeout.isUnresolved()), knownDuration('borrowTimeout', borrowTimeout.isUnresolved()));
    const numbers = {
      maxConnectionsPercent,
      maxIdleConnectionsPercent,
      idleClientTimeoutSeconds: idleClientTimeout.isUnresolved() ? 1 : idleClientTimeout.toSeconds({ integral: false }),
      borrowTimeoutSeconds: borrowTimeout.isUnresolved() ? 1 : borrowTimeout.toSeconds({ integral: false }),
    };
    problems.push(...proxySettingsProblems(numbers));
    this.node.addValidation({
      validate: () => {
        const literals = resolvedLiterals(Stack.of(this), numbers);
        return literals ? proxySettingsProblems(literals).filter((p): p is string => p !== undefined).map((p) => `RdsProxy: ${p}`) : [];
      },
    });
    if (props.secret && props.secret.secretArn !== db.secret.secretArn) {
      problems.push(`secret must belong to the database (got ${props.secret.node.path}, the database's secret is ${db.secret.node.path}). Leave secret unset to use the database's secret.`);
    }
    if (wantReadOnly && !db.engine.isCluster) {
      problems.push(`readOnlyEndpoint needs an Aurora cluster (got ${db.engine}). RDS Proxy read-only endpoints serve Aurora readers only; leave readOnlyEndpoint unset.`);
    }
    if (props.dbProxyName !== undefined && !Token.isUnresolved(props.dbProxyName)) {
      problems.push(proxyNameProblem(props.dbProxyName, wantReadOnly));
    }
    const subnets = selectSubnets(db.vpc, vpcSubnets, problems);
    throwIfAny('RdsProxy', problems);
    const target = rdsTarget(db);

    this.securityGroup = props.securityGroup ?? new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: db.vpc,
      description: `RDS Proxy ${this.node.path}: clients are admitted by binding; egress to the database only`,
      allowAllOutbound: false,
    });
    const port = proxyPort(family!);
    this.proxy = new rds.DatabaseProxy(this, 'Resource', {
      proxyTarget: target.proxyTarget,
      secrets: [db.secret],
      vpc: db.vpc,
      vpcSubnets,
      securityGroups: [this.securityGroup],
      requireTLS,
      iamAuth: this.iamAuth,
      idleClientTimeout,
      maxConnectionsPercent,
      maxIdleConnectionsPercent,
      borrowTimeout,
      sessionPinningFilters: props.sessionPinningFilters,
      dbProxyName: props.dbProxyName ?? Names.uniqueResourceName(this, { maxLength: 60, separator: '-' }).toLowerCase(),
    });
    // aws-rds already opens the database port from the proxy's security group (and adds the
    // matching egress rule to it); nothing else is admitted here.
    if (target.isCluster) this.dropRedundantClusterDependency(target.construct);

    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(port) });
    this.secret = db.secret;
    this.preset = (db as { preset?: DatabasePreset }).preset;

    let readerHost: string | undefined;
    if (wantReadOnly) {
      this.readOnlyEndpoint = new rds.CfnDBProxyEndpoint(this, 'ReadOnlyEndpoint', {
        dbProxyEndpointName: `${this.proxy.dbProxyName}-ro`,
        dbProxyName: this.proxy.dbProxyName,
        vpcSubnetIds: subnets.map((sn) => sn.subnetId),
        vpcSecurityGroupIds: [this.securityGroup.securityGroupId],
        targetRole: 'READ_ONLY',
      });
      readerHost = this.readOnlyEndpoint.attrEndpoint;
      if (db.readReplicaCount === 0) {
        Annotations.of(this).addWarningV2('cdk-db-platform:proxyReadOnlyNoReaders',
          'RdsProxy: the Aurora cluster has no readers at synth time; the read-only endpoint refuses connections until a reader exists (add readReplicas or ReplicaAutoscaling).');
      }
    }
    this.connectionDetails = {
      host: this.proxy.endpoint,
      port,
      databaseName: db.connectionDetails.databaseName,
      username: db.connectionDetails.username,
      sslMode: requireTLS ? SslMode.REQUIRE : undefined,
      readerHost,
    };
  }

  /**
   * Lets `grantee` connect through the proxy with IAM authentication as `dbUser`
   * (`rds-db:connect` on the proxy). Needs `iamAuth: true`.
   * @param grantee who connects
   * @param dbUser database user to connect as (default: the master user)
   */
  public grantConnect(grantee: iam.IGrantable, dbUser?: string): iam.Grant {
    throwIfAny('RdsProxy', [this.iamAuth ? undefined
      : 'grantConnect needs iamAuth: true (got false). Set iamAuth: true on the proxy, or let the client log in with the secret instead.']);
    return this.proxy.grantConnect(grantee, dbUser ?? this.database.connectionDetails.username);
  }

  /**
   * An app user reached through this proxy, to bind like the user itself: the proxy's endpoint,
   * port and security group with the user's database, name and secret. The user's secret is added
   * to the secrets the proxy logs in with (and the proxy may read it).
   *
   * RDS Proxy accepts the credentials its secrets hold now: after a rotation, clients must log in
   * with the new ones (a Beanstalk binding restarts its app servers for that); sessions already
   * open stay open.
   * @param user a user of the database behind this proxy
   */
  public forUser(user: DatabaseUser): IBindableDatabase {
    throwIfAny('RdsProxy', [user.database === this.database ? undefined
      : `forUser needs a user of the database behind the proxy (got ${user.node.path}, a user of ${Construct.isConstruct(user.database) ? user.database.node.path : 'another database'}). Add the user to ${Construct.isConstruct(this.database) ? this.database.node.path : 'this database'}.`]);
    if (!this.users.has(user)) {
      this.users.add(user);
      const cfn = this.proxy.node.defaultChild as rds.CfnDBProxy;
      (cfn.auth as rds.CfnDBProxy.AuthFormatProperty[]).push({
        authScheme: 'SECRETS', iamAuth: this.iamAuth ? 'REQUIRED' : 'DISABLED', secretArn: user.secret.secretArn,
      });
      grantSecretRead(user.secret, this.proxy.node.findChild('IAMRole') as iam.IRole);
    }
    const bindable: IBindableDatabase & { readonly preset?: DatabasePreset } = {
      connections: this.connections,
      connectionDetails: { ...this.connectionDetails, databaseName: user.databaseName, username: user.username },
      secret: user.secret,
      isMasterUser: false,
      preset: user.preset,
      grantSecretRead: (grantee: iam.IGrantable) => user.grantSecretRead(grantee),
    };
    return bindable;
  }

  /**
   * Lets `grantee` read the secret the proxy logs in with (the database's master secret):
   * `secretsmanager:GetSecretValue` on it and `kms:Decrypt` through Secrets Manager, in the
   * grantee's policy only.
   */
  public grantSecretRead(grantee: iam.IGrantable): iam.Grant {
    return grantSecretRead(this.secret, grantee);
  }

  /**
   * The target group both references the cluster and depends on it (cfn-lint W3005): keep the
   * DependsOn on the cluster's instances, which are what makes the target reachable, and drop
   * the one on the cluster. Nothing to do for an imported cluster.
   */
  private dropRedundantClusterDependency(cluster: IConstruct): void {
    const targetGroup = this.proxy.node.tryFindChild('ProxyTargetGroup') as CfnResource | undefined;
    const clusterResource = cluster.node.defaultChild as CfnResource | undefined;
    if (!targetGroup || !clusterResource || Stack.of(targetGroup) !== Stack.of(clusterResource)) return;
    targetGroup.addOverride('DependsOn', Lazy.list({
      produce: () => targetGroup.obtainDependencies()
        .filter((r) => r !== clusterResource)
        .map((r) => Stack.of(r).resolve((r as CfnResource).logicalId) as string)
        .sort(),
    }, { omitEmpty: true }));
  }
}

/** Selects the proxy's subnets and checks they span two or more AZs. */
function selectSubnets(vpc: ec2.IVpc, selection: ec2.SubnetSelection, problems: Problem[]): ec2.ISubnet[] {
  let subnets: ec2.ISubnet[];
  try {
    subnets = vpc.selectSubnets(selection).subnets;
  } catch (e) {
    problems.push(`vpcSubnets selects no usable subnets (${(e as Error).message}). Select private subnets in two or more AZs.`);
    return [];
  }
  const azs = new Set(subnets.map((sn) => sn.availabilityZone));
  if (azs.size < 2) {
    problems.push(`vpcSubnets must span two or more availability zones (got ${azs.size}: ${[...azs].join(', ') || 'none'}). RDS Proxy refuses fewer; add subnets in a second AZ.`);
  }
  return subnets;
}
