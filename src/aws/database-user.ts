import {
  Annotations, CustomResource, Duration, RemovalPolicy, Stack, Token,
  aws_ec2 as ec2, aws_iam as iam, aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IBindableDatabase } from './bindable-database';
import { DatabasePreset } from './database-preset';
import { buildProvisioner, UserNames } from './private/database-user-build';
import { EXCLUDED_PASSWORD_CHARACTERS } from './private/rds-build';
import { rdsTarget, rdsTargetProblem } from './private/rds-target';
import { grantSecretRead } from './private/secret-grant';
import { IRdsDatabase } from './rds-database';
import { AppDatabaseNames } from '../core/app-database-names';
import { DatabaseConnectionDetails } from '../core/connection-details';
import {
  appDatabaseNameError, appSchemaNameError, appUserEngineError, appUsernameError, cloneNameOf, duplicateAppUserProblems,
} from '../core/private/app-user-rules';
import { RdsRules } from '../core/private/rds-rules';
import * as v from '../core/private/validators';
import { Problem, throwIfAny } from '../core/private/validators';

const OWNER = 'DatabaseUser';

/** Settings of a DatabaseUser, for `IndependentRds.addUser()`. */
export interface DatabaseUserOptions {
  /** The app's login role. @default - `<app>_user` (the app name with '-' as '_') */
  readonly username?: string;

  /** The app's database, owned by the user. @default - `<app>_db` */
  readonly databaseName?: string;

  /** The app's schema in its database, owned by the user and first on the search path. @default - `<app>` */
  readonly schemaName?: string;

  /**
   * Name of the user's secret in Secrets Manager, e.g. `prod/shop/db-app`, for consumers outside
   * CloudFormation that need a fixed name (a Kubernetes ExternalSecret through
   * `SecretReferenceFor.databaseUser`). Adding, changing or removing it replaces the secret with
   * a new password, which the next deployment sets on the role.
   * @default - CloudFormation names the secret
   */
  readonly secretName?: string;

  /** Rotate the user's password with the multi-user (alternating users) rotation application. @default true */
  readonly rotation?: boolean;

  /** How often the user's password rotates; the previous credentials stay valid for as long. @default Duration.days(30) */
  readonly rotationInterval?: Duration;

  /**
   * Subnets of the provisioning and rotation Lambda functions, in the database's VPC. They call
   * the Secrets Manager API: without a NAT gateway, the VPC needs a Secrets Manager endpoint.
   * @default - { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * What happens to the user's secret when the user leaves the stack. The role and its database
   * always stay (nothing is dropped), so by default their password stays too.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Properties of a DatabaseUser. */
export interface DatabaseUserProps extends DatabaseUserOptions {
  /** The PostgreSQL database (an IndependentRds, or one imported with `IndependentRds.fromDatabaseAttributes`). */
  readonly database: IRdsDatabase;

  /**
   * The app's name, from which the user, database and schema names are derived:
   * lower-case letters, digits, '_' and '-', starting with a letter.
   */
  readonly appName: string;
}

/** Users made per database, to refuse two users sharing a login or a database. */
const USERS = new WeakMap<IRdsDatabase, DatabaseUser[]>();

/**
 * A database user for one app on RDS PostgreSQL (instance or Aurora): its own login, database and
 * schema, and its own secret, rotated with alternating users so running apps are never cut off.
 *
 * - The secret (`engine, host, port, username, password, dbname, masterarn`) is encrypted with
 *   the database's key and attached to the database.
 * - A custom resource (a Lambda in the database's VPC, logging in with the master secret over
 *   verified TLS) creates the role, the database owned by it with CONNECT for it alone, the search
 *   path on the database, the schema, and the rotation login `<username>_clone`, which acts as
 *   the user. Deleting the user drops nothing.
 * - Multi-user rotation alternates the secret between `<username>` and `<username>_clone`: the
 *   previous credentials keep working for a whole rotation interval. Read the user name from the
 *   secret, never from a literal.
 *
 * It is an IBindableDatabase: bind it to a Beanstalk environment, or hand its secret to
 * Kubernetes with `SecretReferenceFor.databaseUser`.
 */
export class DatabaseUser extends Construct implements IBindableDatabase {
  /** The database the user lives in. */
  public readonly database: IRdsDatabase;
  /** The app name the names came from. */
  public readonly appName: string;
  /** The app's login role. */
  public readonly username: string;
  /** The alternate login of multi-user rotation, `<username>_clone`. */
  public readonly cloneName: string;
  /** The app's database. */
  public readonly databaseName: string;
  /** The app's schema. */
  public readonly schemaName: string;
  /** The user's secret, attached to the database (the JSON multi-user rotation expects). */
  public readonly secret: secretsmanager.ISecret;
  /**
   * The name of the user's secret in Secrets Manager.
   * @default - undefined when the secretName option is not set
   */
  public readonly secretName?: string;
  /**
   * How often the user's password rotates.
   * @default - undefined when rotation is off
   */
  public readonly rotationInterval?: Duration;
  /** Network access to the database (the database's own connections). */
  public readonly connections: ec2.Connections;
  /**
   * The database's host, port, sslmode and reader host, with the app's database and user. The
   * user name alternates with `<username>_clone` at each rotation: apps read it from the secret.
   */
  public readonly connectionDetails: DatabaseConnectionDetails;
  /**
   * False: the secret holds an app user's credentials.
   * @default false
   */
  public readonly isMasterUser?: boolean = false;
  /**
   * The preset of the database, when it has one (an IndependentRds).
   * @default - unknown (an imported database)
   */
  public readonly preset?: DatabasePreset;
  /** The custom resource that provisions the user (`Custom::DatabaseUser`). */
  public readonly provisioning: CustomResource;

  constructor(scope: Construct, id: string, props: DatabaseUserProps) {
    super(scope, id);
    const db = props.database;
    const rotation = props.rotation ?? true;
    const rotationInterval = props.rotationInterval ?? Duration.days(30);
    const vpcSubnets = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    // The defaults of the one naming function (problems with the app name are reported below).
    const derived = AppDatabaseNames._resolve(props.appName, {}, []);
    const names: UserNames = {
      username: props.username ?? derived.username,
      cloneName: cloneNameOf(props.username ?? derived.username),
      databaseName: props.databaseName ?? derived.databaseName,
      schemaName: props.schemaName ?? derived.schemaName,
    };
    const siblings = USERS.get(db) ?? [];
    const others = siblings.map((u) => ({ path: u.node.path, username: u.username, databaseName: u.databaseName }));
    throwIfAny(OWNER, [
      ...userProblems(db, props, names, rotation ? rotationInterval : undefined),
      ...duplicateAppUserProblems({ path: this.node.path, ...names }, others),
      ...subnetProblems(db.vpc, vpcSubnets),
    ]);
    USERS.set(db, [...siblings, this]);

    this.database = db;
    this.appName = props.appName;
    this.username = names.username;
    this.cloneName = names.cloneName;
    this.databaseName = names.databaseName;
    this.schemaName = names.schemaName;
    this.secretName = props.secretName;
    this.rotationInterval = rotation ? rotationInterval : undefined;
    this.connections = db.connections;
    this.preset = (db as { preset?: DatabasePreset }).preset;
    this.connectionDetails = { ...db.connectionDetails, databaseName: names.databaseName, username: names.username };

    const target = rdsTarget(db);
    const secret = new secretsmanager.Secret(this, 'Secret', {
      description: `Credentials of the app user ${names.username} (${this.node.path}), rotated with ${names.cloneName}`,
      secretName: props.secretName,
      encryptionKey: db.encryptionKey,
      generateSecretString: {
        // engine, host and port are added when the secret is attached to the database.
        secretStringTemplate: Stack.of(this).toJsonString({ username: names.username, dbname: names.databaseName, masterarn: db.secret.secretArn }),
        generateStringKey: 'password',
        passwordLength: 32,
        excludeCharacters: EXCLUDED_PASSWORD_CHARACTERS,
      },
    });
    secret.applyRemovalPolicy(removalPolicy);
    this.secret = secret.attach(target.instance ?? target.cluster!);

    // The writer must be up: an Aurora cluster is ready before its instances are (an instance is
    // waited for through its endpoint address).
    this.provisioning = buildProvisioner(this, { database: db, names, secret: this.secret, vpcSubnets, waitFor: target.ownInstances });

    if (rotation) {
      new secretsmanager.SecretRotation(this, 'Rotation', {
        application: secretsmanager.SecretRotationApplication.POSTGRES_ROTATION_MULTI_USER,
        secret: this.secret,
        masterSecret: db.secret,
        target: db,
        vpc: db.vpc,
        vpcSubnets,
        automaticallyAfter: rotationInterval,
        excludeCharacters: EXCLUDED_PASSWORD_CHARACTERS,
      });
      // Secrets Manager rotates as soon as rotation is on: only once the role exists.
      this.secret.node.findChild('RotationSchedule').node.addDependency(this.provisioning);
    }
    if (vpcSubnets.subnetType === ec2.SubnetType.PRIVATE_ISOLATED) {
      Annotations.of(this).addWarningV2('cdk-db-platform:userLambdaIsolated',
        `${OWNER}: the provisioning and rotation Lambda functions run in isolated subnets; they need a Secrets Manager interface endpoint in the VPC to reach the Secrets Manager API.`);
    }
  }

  /**
   * Lets `grantee` read the user's secret (and nothing else): `secretsmanager:GetSecretValue` on
   * it, and `kms:Decrypt` on its key through Secrets Manager only, in the grantee's policy.
   */
  public grantSecretRead(grantee: iam.IGrantable): iam.Grant {
    return grantSecretRead(this.secret, grantee);
  }
}

function userProblems(db: IRdsDatabase, props: DatabaseUserProps, names: UserNames, rotationInterval: Duration | undefined): Problem[] {
  const targetProblem = rdsTargetProblem(db);
  const engineProblem = appUserEngineError(db.engine.family.name, String(db.engine));
  if (targetProblem || engineProblem) return [targetProblem, engineProblem];
  const master = db.connectionDetails;
  const known = (value: string) => (Token.isUnresolved(value) ? undefined : value);
  const problems: Problem[] = [
    v.appName('appName', props.appName, AppDatabaseNames.MAX_APP_NAME_LENGTH),
    appUsernameError(names.username, known(master.username)),
    appDatabaseNameError(names.databaseName, known(master.databaseName)),
    appSchemaNameError(names.schemaName),
  ];
  if (props.secretName !== undefined && !Token.isUnresolved(props.secretName)) problems.push(RdsRules.secretNameError(props.secretName));
  const days = rotationInterval?.toDays({ integral: false });
  if (days !== undefined && !Token.isUnresolved(days)) problems.push(RdsRules.rotationIntervalError(days));
  return problems;
}

/** The Lambda functions' subnets must exist and not be public. */
function subnetProblems(vpc: ec2.IVpc, selection: ec2.SubnetSelection): Problem[] {
  if (selection.subnetType === ec2.SubnetType.PUBLIC) {
    return ['vpcSubnets selects PUBLIC subnets (got subnetType PUBLIC). The Lambda functions reach the database privately: use PRIVATE_WITH_EGRESS or PRIVATE_ISOLATED subnets.'];
  }
  try {
    vpc.selectSubnets(selection);
    return [];
  } catch (e) {
    return [`vpcSubnets selects no usable subnets in the database's VPC (${(e as Error).message}). Add private subnets with egress to the VPC, or choose vpcSubnets.`];
  }
}
