import {
  Annotations,
  ArnFormat,
  Duration,
  Stack,
  Token,
  aws_ec2 as ec2,
  aws_elasticbeanstalk as elasticbeanstalk,
  aws_events as events,
  aws_events_targets as targets,
  aws_iam as iam,
  aws_lambda as lambda,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IBindableDatabase } from './bindable-database';
import { DatabasePreset } from './database-preset';
import { connectionsProblems, detailsProblems, jsonKeyProblem } from './private/binding-validation';
import { libraryFunction } from './private/library-function';
import { RestartAppServersFunction } from './restart-app-servers-function';
import { SecretDelivery } from './secret-delivery';
import { DatabaseConnectionDetails } from '../core/connection-details';
import { renameVariables } from '../core/private/env-names';
import { lambdaRuntimeError, Problem, throwIfAny } from '../core/private/validators';
import { DatabaseSecretKeys } from '../core/secret-keys';

const OWNER = 'BeanstalkDatabaseBinding';
const NS_ENV = 'aws:elasticbeanstalk:application:environment';
const NS_SECRETS = 'aws:elasticbeanstalk:application:environmentsecrets';
const NS_LAUNCH = 'aws:autoscaling:launchconfiguration';
const NS_COUPLED_RDS = 'aws:rds:dbinstance';
type OptionSetting = elasticbeanstalk.CfnEnvironment.OptionSettingProperty;

/** Every variable the binding may set, by contract key: the keys `envNames` may rename. */
const VARIABLE_KEYS = [
  DatabaseSecretKeys.HOST, DatabaseSecretKeys.PORT, DatabaseSecretKeys.NAME, DatabaseSecretKeys.USER,
  DatabaseSecretKeys.SSL_MODE, DatabaseSecretKeys.READ_HOST, DatabaseSecretKeys.PASSWORD, DatabaseSecretKeys.SECRET_ARN,
];

/** Properties of a {@link BeanstalkDatabaseBinding}. */
export interface BeanstalkDatabaseBindingProps {
  /**
   * The database to bind: an app's own user (a `DatabaseUser`, or `RdsProxy.forUser(user)` through
   * a proxy), or an IndependentRds, an RdsProxy, an imported database (their master user, with a
   * warning outside development), or any `IBindableDatabase`.
   */
  readonly database: IBindableDatabase;

  /**
   * The Elastic Beanstalk environment (the L1 `CfnEnvironment`, the only construct aws-cdk-lib
   * has). The binding appends its option settings to `environment.optionSettings`; settings you
   * set on the environment yourself stay as they are.
   */
  readonly environment: elasticbeanstalk.CfnEnvironment;

  /**
   * The role behind the environment's EC2 instance profile (`IamInstanceProfile` option). It is
   * granted `database.grantSecretRead()`: `secretsmanager:GetSecretValue` on the bound secret
   * (the app user's own, for a DatabaseUser) and `kms:Decrypt` on the secret's key (if it has one)
   * through Secrets Manager, and nothing else.
   */
  readonly instanceRole: iam.IRole;

  /**
   * Security group for the environment's instances. It is added to the
   * `aws:autoscaling:launchconfiguration` `SecurityGroups` option, and the database port is opened
   * from it.
   *
   * @default - a new security group is created in `vpc`
   */
  readonly securityGroup?: ec2.ISecurityGroup;

  /**
   * The VPC of the environment; used only to create the security group.
   *
   * @default - none; required when `securityGroup` is not given
   */
  readonly vpc?: ec2.IVpc;

  /**
   * How the user name and password reach the application.
   *
   * @default SecretDelivery.environmentSecret() - `DB_USER` = `<secret ARN>:username` and `DB_PASSWORD` = `<secret ARN>:password`
   */
  readonly secretDelivery?: SecretDelivery;

  /**
   * A read-only host for `DB_READ_HOST`, e.g. `replicaScaling.readerHost` (the reader name kept by
   * a ReplicaAutoscaling).
   * Tokens: accepted and passed through untouched (e.g. `replicaScaling.readerHost`).
   *
   * @default - the database's own reader host (`database.connectionDetails.readerHost`), if any
   */
  readonly readerHost?: string;

  /**
   * Renames variables: a map from contract key (`DB_HOST`, `DB_PORT`, `DB_NAME`, `DB_USER`,
   * `DB_SSL_MODE`, `DB_READ_HOST`, `DB_PASSWORD`, `DB_SECRET_ARN`) to the name the app reads, e.g.
   * `{ DB_HOST: 'PGHOST' }`. Each name must be an environment variable name, and no two
   * variables may share one.
   * Tokens: refused (variable names are checked and compared when the binding is created).
   *
   * @default - the contract keys themselves
   */
  readonly envNames?: { [contractKey: string]: string };

  /**
   * Restart the environment's app servers when the secret rotates (an EventBridge rule on the
   * Secrets Manager `RotationSucceeded` event drives a Lambda function that calls
   * `RestartAppServer`). Elastic Beanstalk reads environment secrets only when an instance boots
   * or its app server restarts; without this, instances keep the old password after a rotation.
   *
   * @default true
   */
  readonly restartOnSecretRotation?: boolean;

  /**
   * Runtime of the function that restarts the app servers: a Node.js runtime, nodejs24.x or newer,
   * the Node.js version its bundled handler is built for. Set a newer one to move ahead of the
   * library. Only with restartOnSecretRotation.
   *
   * @default lambda.Runtime.NODEJS_24_X
   */
  readonly lambdaRuntime?: lambda.Runtime;

  /**
   * Marks a development binding: the only case where an environment with a database inside it
   * (option namespace `aws:rds:dbinstance`) is accepted, with a warning, and where binding the
   * database's master user draws no warning.
   *
   * @default false
   */
  readonly development?: boolean;
}

/**
 * Connects an Elastic Beanstalk environment to a database that lives outside it, so that
 * terminating or replacing the environment never touches the data.
 *
 * It gives the instances their own security group, opens the database port from that group only,
 * passes the connection settings as environment variables (`DB_HOST`, `DB_PORT`, `DB_NAME`, and
 * `DB_SSL_MODE` and `DB_READ_HOST` where known), delivers the user name and password as
 * environment secrets (`DB_USER`, `DB_PASSWORD`; or only the secret ARN), grants the instance role
 * read access to that one secret, and restarts the app servers when the secret rotates.
 *
 * Bind an app's own user (a `DatabaseUser`): its name alternates with `<user>_clone` at each
 * rotation, which is why `DB_USER` comes from the secret. Binding the master user still works, but
 * warns outside development.
 *
 * Escape hatch: `binding.environment` is the `CfnEnvironment` you passed in.
 */
export class BeanstalkDatabaseBinding extends Construct {
  /** The bound environment (the L1 escape hatch). */
  public readonly environment: elasticbeanstalk.CfnEnvironment;
  /** The security group of the environment's instances. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** The environment variables set by the binding (name to value; values may be tokens). */
  public readonly environmentVariables: { [name: string]: string };
  /** The environment secrets set by the binding (name to `<secret ARN>:<key>`). */
  public readonly environmentSecrets: { [name: string]: string };
  /** The function that restarts the app servers after a rotation. @default - none when restartOnSecretRotation is false */
  public readonly restartFunction?: lambda.IFunction;

  constructor(scope: Construct, id: string, props: BeanstalkDatabaseBindingProps) {
    super(scope, id);
    this.environment = props.environment;
    const database = props.database;
    const development = props.development ?? false;
    const delivery = props.secretDelivery ?? SecretDelivery.environmentSecret();
    const restart = props.restartOnSecretRotation ?? true;

    const problems: Problem[] = [];
    const existing = this.existingSettings(problems);
    problems.push(this.coupledDatabaseProblem(existing, development));
    const details: DatabaseConnectionDetails = {
      ...database.connectionDetails,
      readerHost: props.readerHost ?? database.connectionDetails.readerHost,
    };
    const databaseProblems = [...connectionsProblems(database.connections), ...detailsProblems(details, props.readerHost)];
    problems.push(...databaseProblems);
    if (!delivery.arnOnly) problems.push(jsonKeyProblem(delivery.jsonKey!));
    const renamed = renameVariables('envNames', VARIABLE_KEYS, props.envNames);
    problems.push(...renamed.problems, ...securityGroupProblems(props));
    if (props.lambdaRuntime !== undefined) {
      problems.push(restart ? lambdaRuntimeError('lambdaRuntime', props.lambdaRuntime.name)
        : `lambdaRuntime sets the runtime of the restart function, which restartOnSecretRotation: false turns off (got ${props.lambdaRuntime.name}). Remove lambdaRuntime, or turn restartOnSecretRotation on.`);
    }

    const secretArn = database.secret.secretFullArn ?? database.secret.secretArn;
    const env: { [name: string]: string } = {};
    const secrets: { [name: string]: string } = {};
    if (databaseProblems.every((p) => p === undefined)) {
      for (const [key, value] of Object.entries(DatabaseSecretKeys.valuesFor(details))) {
        // The user name comes from the secret: multi-user rotation alternates it.
        if (key !== DatabaseSecretKeys.USER) env[renamed.names[key]] = value;
      }
    }
    if (delivery.arnOnly) {
      env[renamed.names[DatabaseSecretKeys.SECRET_ARN]] = secretArn;
    } else {
      // Elastic Beanstalk environment secrets: the value is the secret ARN, with `:<json key>`
      // appended to extract one key of a JSON secret ("Extracting JSON keys from Secrets Manager
      // secrets", https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/AWSHowTo.secrets.env-vars.html).
      secrets[renamed.names[DatabaseSecretKeys.USER]] = `${secretArn}:username`;
      secrets[renamed.names[DatabaseSecretKeys.PASSWORD]] = `${secretArn}:${delivery.jsonKey}`;
    }
    problems.push(...clashProblems(existing, env, secrets));
    throwIfAny(OWNER, problems);
    this.environmentVariables = env;
    this.environmentSecrets = secrets;

    if (database.isMasterUser === true && !development && !developmentPreset(database)) {
      Annotations.of(this).addWarningV2(
        'cdk-db-platform:beanstalkMasterUser',
        `${OWNER}: the environment gets the database's master user, whose secret opens every database on the server: one leaked app credential is the whole database. `
        + 'Bind an app user instead (IndependentRds.addUser(\'<app>\'), or RdsProxy.forUser(user) through a proxy), or set development: true for a throw-away environment.',
      );
    }
    if (development && existing.some((s) => s.namespace === NS_COUPLED_RDS)) {
      Annotations.of(this).addWarningV2(
        'cdk-db-platform:beanstalkCoupledDatabase',
        `${OWNER}: DEVELOPMENT ONLY — environment has a database inside it (namespace '${NS_COUPLED_RDS}'). Terminating the environment DELETES THAT DATABASE AND ALL ITS DATA. Never use this for staging or production.`,
      );
    }
    this.securityGroup = props.securityGroup ?? new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc!,
      description: `Elastic Beanstalk instances of ${this.node.path}`,
      allowAllOutbound: true,
    });
    // Ingress only (the instances' own egress is theirs to choose), from the security group, never
    // a CIDR. `remoteRule = true` puts the rule next to the peer when the database lives in another
    // stack: the database stack then never depends on the app stack, and deleting the app stack
    // removes the rule with it.
    for (const dbSecurityGroup of database.connections.securityGroups) {
      dbSecurityGroup.addIngressRule(this.securityGroup, database.connections.defaultPort!, `Elastic Beanstalk environment ${this.node.path}`, true);
    }

    this.addSettings(existing, env, secrets);
    if (database.secret.secretFullArn === undefined) {
      Annotations.of(this).addWarningV2(
        'cdk-db-platform:beanstalkPartialSecretArn',
        `${OWNER}: the database secret is known only by a partial ARN (imported by name), so Elastic Beanstalk and the rotation rule get that partial ARN. Import the secret with secretsmanager.Secret.fromSecretCompleteArn() instead.`,
      );
    }
    // Settings added to the environment after the binding are checked again at synthesis.
    this.node.addValidation({
      validate: () => {
        const settings = this.environment.optionSettings;
        const coupled = Array.isArray(settings)
          && settings.some((s) => !Token.isUnresolved(s) && (s as OptionSetting).namespace === NS_COUPLED_RDS);
        return coupled && !development
          ? [`${OWNER}: an option setting in namespace '${NS_COUPLED_RDS}' was added to the environment after the binding. Terminating the environment would delete that database and its data. Remove it and keep the database outside the environment.`]
          : [];
      },
    });
    database.grantSecretRead(props.instanceRole);

    if (restart) {
      this.restartFunction = this.restartOnRotation(secretArn, database.secret.secretFullArn !== undefined, props.lambdaRuntime);
    } else {
      Annotations.of(this).addWarningV2(
        'cdk-db-platform:beanstalkRestartOff',
        `${OWNER}: restartOnSecretRotation is false. Elastic Beanstalk reads environment secrets only when an instance boots, so after a rotation the app servers keep the old password until you restart them. Turn it on, or use SecretDelivery.secretArnOnly() and read the secret in the app.`,
      );
    }
  }

  /** The option settings the environment already has (a token list is reported as a problem). */
  private existingSettings(problems: Problem[]): OptionSetting[] {
    const settings = this.environment.optionSettings;
    if (settings === undefined) return [];
    if (Token.isUnresolved(settings) || !Array.isArray(settings)) {
      problems.push('environment.optionSettings is an unresolved token, so the binding cannot add its settings or check them. Pass the option settings to the CfnEnvironment as a plain array.');
      return [];
    }
    return settings.filter((s): s is OptionSetting => !Token.isUnresolved(s));
  }

  private coupledDatabaseProblem(existing: OptionSetting[], development: boolean): Problem {
    if (development || !existing.some((s) => s.namespace === NS_COUPLED_RDS)) return undefined;
    return `environment has option settings in namespace '${NS_COUPLED_RDS}', i.e. a database created inside the Elastic Beanstalk environment. `
      + 'Terminating or rebuilding that environment deletes that database and its data. Remove the aws:rds:dbinstance settings and bind a database with its own lifecycle (IndependentRds), '
      + 'or set development: true for a throw-away environment.';
  }

  private addSettings(existing: OptionSetting[], env: { [name: string]: string }, secrets: { [name: string]: string }) {
    const all = (this.environment.optionSettings ?? []) as OptionSetting[];
    const sgSetting = existing.find((s) => s.namespace === NS_LAUNCH && s.optionName === 'SecurityGroups');
    const rest = all.filter((s) => s !== sgSetting);
    const sgValue = sgSetting?.value ? `${sgSetting.value},${this.securityGroup.securityGroupId}` : this.securityGroup.securityGroupId;
    this.environment.optionSettings = [
      ...rest,
      { namespace: NS_LAUNCH, optionName: 'SecurityGroups', value: sgValue },
      ...Object.entries(env).map(([optionName, value]) => ({ namespace: NS_ENV, optionName, value })),
      ...Object.entries(secrets).map(([optionName, value]) => ({ namespace: NS_SECRETS, optionName, value })),
    ];
  }

  private restartOnRotation(secretArn: string, fullArn: boolean, runtime: lambda.Runtime | undefined): lambda.IFunction {
    const stack = Stack.of(this);
    const environmentName = this.environment.ref;
    const environmentArn = stack.formatArn({
      service: 'elasticbeanstalk',
      resource: 'environment',
      resourceName: `${this.environment.applicationName}/${environmentName}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    const fn = libraryFunction(this, 'RestartFunction', {
      runtime,
      outsideVpcReason: 'The function only calls the Elastic Beanstalk API (RestartAppServer) and never connects to the database; '
        + 'inside the VPC it would need a NAT gateway or an interface endpoint, and gain nothing.',
    }, ({ runtime: fnRuntime, logGroup }) => new RestartAppServersFunction(this, 'RestartFunction', {
      runtime: fnRuntime,
      // Least privilege, inline: write its own logs, restart this one environment.
      role: new iam.Role(this, 'RestartFunctionRole', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: 'Restarts the Elastic Beanstalk app servers after the database secret rotates',
        inlinePolicies: {
          RestartAppServer: new iam.PolicyDocument({
            statements: [
              new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
              new iam.PolicyStatement({ actions: ['elasticbeanstalk:RestartAppServer'], resources: [environmentArn] }),
            ],
          }),
        },
      }),
      logGroup,
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: { ENVIRONMENT_NAME: environmentName },
      description: 'Restarts Elastic Beanstalk app servers after a database secret rotation',
    }));
    // The role's inline policy is part of the role, and `Role: !GetAtt` already orders the function
    // after it; the extra DependsOn that lambda.Function adds is redundant (cfn-lint W3005).
    (fn.node.defaultChild as lambda.CfnFunction).addDeletionOverride('DependsOn');

    // Secrets Manager logs RotationSucceeded to CloudTrail as an "AWS Service Event via CloudTrail"
    // whose additionalEventData.SecretId is the secret ARN
    // (https://docs.aws.amazon.com/secretsmanager/latest/userguide/cloudtrail_log_entries.html,
    // https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-eventbridge.html).
    new events.Rule(this, 'RestartOnRotation', {
      description: 'Restart Elastic Beanstalk app servers after the database secret rotates',
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['AWS Service Event via CloudTrail'],
        detail: {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: ['RotationSucceeded'],
          additionalEventData: { SecretId: fullArn ? [secretArn] : events.Match.prefix(secretArn) },
        },
      },
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 4, maxEventAge: Duration.hours(2) })],
    });
    return fn;
  }
}

/**
 * True when the bound database says it was made with the development preset (an IndependentRds,
 * or an RdsProxy or DatabaseUser of one); unknown counts as production.
 */
function developmentPreset(database: IBindableDatabase): boolean {
  const preset = (database as { readonly preset?: unknown }).preset;
  return preset instanceof DatabasePreset && !preset.isProduction;
}

function securityGroupProblems(props: BeanstalkDatabaseBindingProps): Problem[] {
  if (props.securityGroup && props.vpc) {
    return ['securityGroup and vpc are both set; vpc is only used to create a security group. Pass one of them.'];
  }
  if (!props.securityGroup && !props.vpc) {
    return ['neither securityGroup nor vpc is set. Pass vpc (a security group is created in it) or an existing securityGroup.'];
  }
  return [];
}

/** The binding's variables must not be set on the environment already. */
function clashProblems(existing: OptionSetting[], env: { [name: string]: string }, secrets: { [name: string]: string }): Problem[] {
  return existing
    .filter((s) => (s.namespace === NS_ENV || s.namespace === NS_SECRETS) && (s.optionName in env || s.optionName in secrets))
    .map((s) => `environment already sets '${s.optionName}' in ${s.namespace}. Remove it from the environment's optionSettings, or rename the binding's variable with envNames.`);
}
