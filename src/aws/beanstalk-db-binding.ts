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
  aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IBindableDatabase } from './bindable-database';
import { RestartAppServersFunction } from './restart-app-servers-function';

const NS_ENV = 'aws:elasticbeanstalk:application:environment';
const NS_SECRETS = 'aws:elasticbeanstalk:application:environmentsecrets';
const NS_LAUNCH = 'aws:autoscaling:launchconfiguration';
const NS_COUPLED_RDS = 'aws:rds:dbinstance';
const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * How the database password reaches the application.
 */
export class SecretDelivery {
  /**
   * Elastic Beanstalk fetches one JSON key of the secret when an instance boots and sets it as an
   * environment variable (`aws:elasticbeanstalk:application:environmentsecrets`, value
   * `<secret ARN>:<jsonKey>`). Needs a platform version released on or after 2025-03-26.
   *
   * @param jsonKey the key of the secret's JSON to deliver. @default 'password'
   * @see https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/AWSHowTo.secrets.env-vars.html
   */
  public static environmentSecret(jsonKey?: string): SecretDelivery {
    return new SecretDelivery(false, jsonKey ?? 'password');
  }

  /**
   * Only the secret's ARN is passed (as a plain environment variable); the application reads the
   * secret itself with the AWS SDK, and so always sees the current value after a rotation.
   */
  public static secretArnOnly(): SecretDelivery {
    return new SecretDelivery(true, undefined);
  }

  /** True when only the secret ARN is passed. */
  public readonly arnOnly: boolean;
  /** The JSON key delivered as an environment secret (undefined in ARN-only mode). */
  public readonly jsonKey?: string;

  private constructor(arnOnly: boolean, jsonKey: string | undefined) {
    this.arnOnly = arnOnly;
    this.jsonKey = jsonKey;
  }
}

/**
 * Names of the environment variables the binding sets. Each must match `[A-Za-z_][A-Za-z0-9_]*`.
 */
export interface DbEnvironmentVariableNames {
  /** Variable holding the database host name. @default 'DB_HOST' */
  readonly host?: string;
  /** Variable holding the database port. @default 'DB_PORT' */
  readonly port?: string;
  /** Variable holding the database name. @default 'DB_NAME' */
  readonly databaseName?: string;
  /** Variable holding the login user name. @default 'DB_USER' */
  readonly username?: string;
  /** Environment secret holding the password; set only with `SecretDelivery.environmentSecret()`. @default 'DB_PASSWORD' */
  readonly password?: string;
  /** Variable holding the secret ARN; set only with `SecretDelivery.secretArnOnly()`. @default 'DB_SECRET_ARN' */
  readonly secretArn?: string;
  /** Variable holding the read-only host; set only when the database has a read endpoint. @default 'DB_READ_HOST' */
  readonly readHost?: string;
}

/** Properties of a {@link BeanstalkDbBinding}. */
export interface BeanstalkDbBindingProps {
  /** The database to bind: an IndependentRds, an RDS Proxy, or any `IBindableDatabase`. */
  readonly database: IBindableDatabase;

  /**
   * The Elastic Beanstalk environment (the L1 `CfnEnvironment`, the only construct aws-cdk-lib
   * has). The binding appends its option settings to `environment.optionSettings`; settings you
   * set on the environment yourself stay as they are.
   */
  readonly environment: elasticbeanstalk.CfnEnvironment;

  /**
   * The role behind the environment's EC2 instance profile (`IamInstanceProfile` option). It is
   * granted `secretsmanager:GetSecretValue` on the database secret and `kms:Decrypt` on the
   * secret's key (if it has one), and nothing else.
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
   * How the password reaches the application.
   *
   * @default SecretDelivery.environmentSecret() - `DB_PASSWORD` = `<secret ARN>:password`
   */
  readonly secretDelivery?: SecretDelivery;

  /**
   * Names of the environment variables.
   *
   * @default - DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD, DB_SECRET_ARN, DB_READ_HOST
   */
  readonly environmentVariableNames?: DbEnvironmentVariableNames;

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
   * Marks a development binding: the only case where an environment with a database inside it
   * (option namespace `aws:rds:dbinstance`) is accepted, with a warning.
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
 * passes the connection settings as environment variables, delivers the password as an
 * environment secret (or only the secret ARN), grants the instance role read access to that one
 * secret, and restarts the app servers when the secret rotates.
 *
 * Escape hatch: `binding.environment` is the `CfnEnvironment` you passed in.
 */
export class BeanstalkDbBinding extends Construct {
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

  constructor(scope: Construct, id: string, props: BeanstalkDbBindingProps) {
    super(scope, id);
    this.environment = props.environment;
    const database = props.database;
    const development = props.development ?? false;
    const delivery = props.secretDelivery ?? SecretDelivery.environmentSecret();
    const restart = props.restartOnSecretRotation ?? true;

    const existing = this.existingSettings();
    this.refuseCoupledDatabase(existing, development);
    this.validateDatabase(database);
    if (!delivery.arnOnly) this.validateJsonKey(delivery.jsonKey!);

    const names = this.resolveNames(props.environmentVariableNames);
    const secretArn = database.secret.secretFullArn ?? database.secret.secretArn;

    const env: { [name: string]: string } = {
      [names.host]: database.endpointAddress,
      [names.port]: database.endpointPort,
      [names.databaseName]: database.databaseName,
      [names.username]: database.username,
    };
    if (database.readEndpointAddress !== undefined) env[names.readHost] = database.readEndpointAddress;
    const secrets: { [name: string]: string } = {};
    if (delivery.arnOnly) {
      env[names.secretArn] = secretArn;
    } else {
      // Elastic Beanstalk environment secrets: the value is the secret ARN, with `:<json key>`
      // appended to extract one key of a JSON secret ("Extracting JSON keys from Secrets Manager
      // secrets", https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/AWSHowTo.secrets.env-vars.html).
      secrets[names.password] = `${secretArn}:${delivery.jsonKey}`;
    }
    this.environmentVariables = env;
    this.environmentSecrets = secrets;
    this.refuseClashes(existing, env, secrets);

    this.securityGroup = this.resolveSecurityGroup(props);
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
        'BeanstalkDbBinding: the database secret is known only by a partial ARN (imported by name), so Elastic Beanstalk and the rotation rule get that partial ARN. Import the secret with secretsmanager.Secret.fromSecretCompleteArn() instead.',
      );
    }
    // Settings added to the environment after the binding are checked again at synthesis.
    this.node.addValidation({
      validate: () => {
        const settings = this.environment.optionSettings;
        const coupled = Array.isArray(settings) && settings.some((s: any) => !Token.isUnresolved(s) && s.namespace === NS_COUPLED_RDS);
        return coupled && !development
          ? [`BeanstalkDbBinding: an option setting in namespace '${NS_COUPLED_RDS}' was added to the environment after the binding. Terminating the environment would delete that database and its data. Remove it and keep the database outside the environment.`]
          : [];
      },
    });
    this.grantSecretRead(props.instanceRole, database);

    if (restart) {
      this.restartFunction = this.restartOnRotation(secretArn, database.secret.secretFullArn !== undefined);
    } else {
      Annotations.of(this).addWarningV2(
        'cdk-db-platform:beanstalkRestartOff',
        'BeanstalkDbBinding: restartOnSecretRotation is false. Elastic Beanstalk reads environment secrets only when an instance boots, so after a rotation the app servers keep the old password until you restart them. Turn it on, or use SecretDelivery.secretArnOnly() and read the secret in the app.',
      );
    }
  }

  private existingSettings(): elasticbeanstalk.CfnEnvironment.OptionSettingProperty[] {
    const settings = this.environment.optionSettings;
    if (settings === undefined) return [];
    if (Token.isUnresolved(settings) || !Array.isArray(settings)) {
      throw new Error(
        'BeanstalkDbBinding: environment.optionSettings is an unresolved token, so the binding cannot add its settings or check them. Pass the option settings to the CfnEnvironment as a plain array.',
      );
    }
    return settings.filter((s): s is elasticbeanstalk.CfnEnvironment.OptionSettingProperty => !Token.isUnresolved(s));
  }

  private refuseCoupledDatabase(existing: elasticbeanstalk.CfnEnvironment.OptionSettingProperty[], development: boolean) {
    if (!existing.some((s) => s.namespace === NS_COUPLED_RDS)) return;
    if (!development) {
      throw new Error(
        `BeanstalkDbBinding: environment has option settings in namespace '${NS_COUPLED_RDS}', i.e. a database created inside the Elastic Beanstalk environment. ` +
          'Terminating or rebuilding that environment deletes that database and its data. Remove the aws:rds:dbinstance settings and bind a database with its own lifecycle (IndependentRds), ' +
          'or set development: true for a throw-away environment.',
      );
    }
    Annotations.of(this).addWarningV2(
      'cdk-db-platform:beanstalkCoupledDatabase',
      `BeanstalkDbBinding: DEVELOPMENT ONLY — environment has a database inside it (namespace '${NS_COUPLED_RDS}'). Terminating the environment DELETES THAT DATABASE AND ALL ITS DATA. Never use this for staging or production.`,
    );
  }

  private validateDatabase(database: IBindableDatabase) {
    if (database.connections.defaultPort === undefined) {
      throw new Error(
        'BeanstalkDbBinding: database.connections has no defaultPort (got undefined), so the binding cannot open the database port. Give the database connections a defaultPort (ec2.Port.tcp(<port>)).',
      );
    }
    if (database.connections.securityGroups.length === 0) {
      throw new Error(
        'BeanstalkDbBinding: database.connections has no security group (got 0), so there is nothing to open the database port on. Bind a database that has its own security group.',
      );
    }
    const port = database.endpointPort;
    if (!Token.isUnresolved(port) && !/^\d{1,5}$/.test(port)) {
      throw new Error(`BeanstalkDbBinding: database.endpointPort must be a port number (got '${port}'). Expose the numeric port as a string, e.g. '5432'.`);
    }
    for (const [prop, value] of [['databaseName', database.databaseName], ['username', database.username], ['endpointAddress', database.endpointAddress]]) {
      if (!Token.isUnresolved(value) && value.trim() === '') {
        throw new Error(`BeanstalkDbBinding: database.${prop} must not be empty (got '${value}'). Bind a database that exposes its ${prop}.`);
      }
    }
  }

  private validateJsonKey(jsonKey: string) {
    if (jsonKey.trim() === '' || jsonKey.includes(':')) {
      throw new Error(
        `BeanstalkDbBinding: secretDelivery jsonKey must be a non-empty JSON key without ':' (got '${jsonKey}'). Use the key of the password in the secret, e.g. 'password'.`,
      );
    }
  }

  private resolveNames(given: DbEnvironmentVariableNames | undefined): Required<DbEnvironmentVariableNames> {
    const names: Required<DbEnvironmentVariableNames> = {
      host: given?.host ?? 'DB_HOST',
      port: given?.port ?? 'DB_PORT',
      databaseName: given?.databaseName ?? 'DB_NAME',
      username: given?.username ?? 'DB_USER',
      password: given?.password ?? 'DB_PASSWORD',
      secretArn: given?.secretArn ?? 'DB_SECRET_ARN',
      readHost: given?.readHost ?? 'DB_READ_HOST',
    };
    const seen = new Map<string, string>();
    for (const [prop, name] of Object.entries(names)) {
      if (!ENV_VAR_NAME.test(name)) {
        throw new Error(
          `BeanstalkDbBinding: environmentVariableNames.${prop} must match [A-Za-z_][A-Za-z0-9_]* (got '${name}'). Use letters, digits and '_', not starting with a digit.`,
        );
      }
      const other = seen.get(name);
      if (other !== undefined) {
        throw new Error(
          `BeanstalkDbBinding: environmentVariableNames.${prop} and environmentVariableNames.${other} are both '${name}'. Give each variable its own name.`,
        );
      }
      seen.set(name, prop);
    }
    return names;
  }

  private refuseClashes(
    existing: elasticbeanstalk.CfnEnvironment.OptionSettingProperty[],
    env: { [name: string]: string },
    secrets: { [name: string]: string },
  ) {
    for (const s of existing) {
      if ((s.namespace === NS_ENV || s.namespace === NS_SECRETS) && (s.optionName in env || s.optionName in secrets)) {
        throw new Error(
          `BeanstalkDbBinding: environment already sets '${s.optionName}' in ${s.namespace}. Remove it from the environment's optionSettings, or rename the binding's variable with environmentVariableNames.`,
        );
      }
    }
  }

  private resolveSecurityGroup(props: BeanstalkDbBindingProps): ec2.ISecurityGroup {
    if (props.securityGroup && props.vpc) {
      throw new Error('BeanstalkDbBinding: securityGroup and vpc are both set; vpc is only used to create a security group. Pass one of them.');
    }
    if (props.securityGroup) return props.securityGroup;
    if (!props.vpc) {
      throw new Error('BeanstalkDbBinding: neither securityGroup nor vpc is set. Pass vpc (a security group is created in it) or an existing securityGroup.');
    }
    return new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Elastic Beanstalk instances of ${this.node.path}`,
      allowAllOutbound: true,
    });
  }

  private addSettings(
    existing: elasticbeanstalk.CfnEnvironment.OptionSettingProperty[],
    env: { [name: string]: string },
    secrets: { [name: string]: string },
  ) {
    const all = (this.environment.optionSettings ?? []) as Array<elasticbeanstalk.CfnEnvironment.OptionSettingProperty>;
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

  /**
   * Exactly two permissions. `secret.grantRead()` is not used because it also grants
   * `secretsmanager:DescribeSecret`, which neither Elastic Beanstalk's environment secrets nor an
   * app calling GetSecretValue needs.
   */
  private grantSecretRead(role: iam.IRole, database: IBindableDatabase) {
    const secret = database.secret;
    // A secret known only by its partial ARN (imported by name) needs the 6-character suffix wildcard.
    const arn = secret.secretFullArn ?? `${secret.secretArn}-??????`;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [arn] }));
    if (secret.encryptionKey) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [secret.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
    }
  }

  private restartOnRotation(secretArn: string, fullArn: boolean): lambda.IFunction {
    const stack = Stack.of(this);
    const environmentName = this.environment.ref;
    const environmentArn = stack.formatArn({
      service: 'elasticbeanstalk',
      resource: 'environment',
      resourceName: `${this.environment.applicationName}/${environmentName}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    const logGroup = new logs.LogGroup(this, 'RestartFunctionLogs', { retention: logs.RetentionDays.ONE_YEAR });
    // Least privilege, inline: write its own logs, restart this one environment.
    const role = new iam.Role(this, 'RestartFunctionRole', {
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
    });
    const fn = new RestartAppServersFunction(this, 'RestartFunction', {
      // Pinned to the bundle's esbuild target (node22) rather than a per-region lookup map, so the
      // template is the same in every region and the runtime is checkable before deployment.
      runtime: lambda.Runtime.NODEJS_22_X,
      role,
      logGroup,
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: { ENVIRONMENT_NAME: environmentName },
      description: 'Restarts Elastic Beanstalk app servers after a database secret rotation',
    });
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
