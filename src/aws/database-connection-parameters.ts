import { Stack, Stage, Token, aws_ssm as ssm } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IBindableDatabase } from './bindable-database';
import { PublishedDatabase, PublishedValue } from './private/published-database';
import { DatabaseConnectionDetails } from '../core/connection-details';
import { Problem, ssmParameterPrefix, throwIfAny } from '../core/private/validators';

const OWNER = 'DatabaseConnectionParameters';

/** Properties of a {@link DatabaseConnectionParameters}. */
export interface DatabaseConnectionParametersProps {
  /**
   * The database whose connection is published: an app's own user (a `DatabaseUser`, the usual
   * choice), an IndependentRds, an RdsProxy (or `RdsProxy.forUser(user)`), or any `IBindableDatabase`.
   */
  readonly database: IBindableDatabase;

  /**
   * Parameter Store path the parameters are written under (`<prefix>/host`, `<prefix>/secret-arn`, …).
   * Absolute, of letters, digits, `_`, `.` and `-`; not under `/aws` or `/ssm`.
   *
   * Changing it writes new parameters and deletes the old ones; app stacks read the new names at
   * their next deployment.
   * @default - `/cdk-db-platform/<stack name>/<construct path in the stack>`, e.g. `/cdk-db-platform/Database/ShopConnection`
   */
  readonly parameterPrefix?: string;
}

/**
 * Publishes where and how to reach a database as SSM parameters of the database's stack, so that
 * application stacks can bind to it without a CloudFormation export.
 *
 * An app stack that reads a value from another stack directly gets a strong `Fn::ImportValue`:
 * CloudFormation then refuses any change of the database stack that alters the exported value (a
 * replaced or restored database has a new endpoint) for as long as an app stack imports it. Here,
 * every value that is only known at deployment (host, reader host, the database's security groups,
 * the secret and its key) is written to a parameter, and {@link bindableIn} reads it back in the
 * app stack at deployment (a CloudFormation parameter of type `AWS::SSM::Parameter::Value<String>`).
 * Values known at synthesis (port, database name, user name, sslmode) are passed as they are.
 *
 * The app stack's template therefore never names a value of the database: replacing or restoring
 * the database changes the parameters, and the app stack picks the new values up at its next
 * deployment (deploy it after the database stack; `cdk deploy` always redeploys a stack with
 * parameters read from Parameter Store). Stacks in one account and region only (Parameter Store is regional).
 */
export class DatabaseConnectionParameters extends Construct {
  /** The Parameter Store path the parameters are under. */
  public readonly parameterPrefix: string;
  /** The parameters written (values known only at deployment), in a fixed order. */
  public readonly parameters: ssm.StringParameter[];

  private readonly database: IBindableDatabase;
  private readonly published: { [field: string]: PublishedValue };
  private readonly securityGroups: PublishedValue[];

  constructor(scope: Construct, id: string, props: DatabaseConnectionParametersProps) {
    super(scope, id);
    this.database = props.database;
    const prefix = props.parameterPrefix ?? defaultPrefix(this);
    const problems: Problem[] = [];
    if (Token.isUnresolved(prefix)) {
      problems.push(`parameterPrefix must be known at synthesis (got a token: ${prefix}): app stacks name the parameters in their templates. Give a literal path, e.g. '/shop/prod/database'.`);
    } else {
      problems.push(ssmParameterPrefix('parameterPrefix', prefix));
    }
    const details = props.database.connectionDetails;
    if (Token.isUnresolved(details.port)) {
      problems.push('database.connectionDetails.port must be a number known at synthesis (got a token). Bind a database whose port is set in code.');
    }
    if (props.database.connections.securityGroups.length === 0) {
      problems.push('database.connections has no security group (got 0), so apps would have no port to be admitted on. Publish a database that has its own security group.');
    }
    throwIfAny(OWNER, problems);
    this.parameterPrefix = prefix;
    this.parameters = [];

    const secret = props.database.secret;
    this.published = {
      host: this.publish('Host', 'host', details.host),
      databaseName: this.publish('DatabaseName', 'database-name', details.databaseName),
      username: this.publish('Username', 'username', details.username),
      secretArn: this.publish('SecretArn', 'secret-arn', secret.secretFullArn ?? secret.secretArn),
    };
    if (details.readerHost !== undefined) this.published.readerHost = this.publish('ReaderHost', 'reader-host', details.readerHost);
    if (secret.encryptionKey) this.published.secretKeyArn = this.publish('SecretKeyArn', 'secret-key-arn', secret.encryptionKey.keyArn);
    this.securityGroups = props.database.connections.securityGroups.map((sg, i) =>
      this.publish(`SecurityGroup${i + 1}`, `security-group-${i + 1}`, sg.securityGroupId));
  }

  /**
   * The published database as an `IBindableDatabase` in another stack (an application stack of the
   * same account and region), for `BeanstalkDatabaseBinding` or any other binding: its values are
   * read from the parameters when that stack deploys, so its template holds no reference to the
   * database stack. When both stacks are in the same app, the app stack is made to deploy after
   * the database stack.
   * @param scope where the reading happens (in the application stack)
   * @param id construct id of the imported database
   */
  public bindableIn(scope: Construct, id: string): IBindableDatabase {
    const reader = Stack.of(scope);
    const writer = Stack.of(this);
    throwIfAny(OWNER, [sameAccountAndRegionProblem(writer, reader)]);
    if (reader !== writer && Stage.of(reader) === Stage.of(writer)) {
      reader.addStackDependency(writer, `reads the connection parameters under ${this.parameterPrefix}`);
    }
    const details: DatabaseConnectionDetails = this.database.connectionDetails;
    const preset = (this.database as { readonly preset?: unknown }).preset;
    return new PublishedDatabase(scope, id, {
      values: this.published,
      securityGroups: this.securityGroups,
      port: details.port,
      sslMode: details.sslMode,
      fullSecretArn: this.database.secret.secretFullArn !== undefined,
      isMasterUser: this.database.isMasterUser,
      preset,
    });
  }

  /** A literal value as it is; a deploy-time value as a parameter `<prefix>/<name>`. */
  private publish(id: string, name: string, value: string): PublishedValue {
    if (!Token.isUnresolved(value)) return { literal: value };
    const parameterName = `${this.parameterPrefix}/${name}`;
    this.parameters.push(new ssm.StringParameter(this, id, {
      parameterName,
      stringValue: value,
      description: `${name} of the database published by ${this.node.path}`,
    }));
    return { parameterName };
  }
}

/** `/cdk-db-platform/<stack name>/<path in the stack>`, each level reduced to the characters Parameter Store allows. */
function defaultPrefix(scope: Construct): string {
  const stack = Stack.of(scope);
  const inStack = scope.node.scopes.slice(scope.node.scopes.indexOf(stack) + 1).map((c) => c.node.id);
  const clean = (level: string) => level.replace(/[^A-Za-z0-9_.-]/g, '-');
  return ['', 'cdk-db-platform', stack.stackName, ...inStack].map(clean).join('/');
}

/** Parameter Store is regional and per account: the reading stack must be where the parameters are. */
function sameAccountAndRegionProblem(writer: Stack, reader: Stack): Problem {
  for (const [what, w, r] of [['region', writer.region, reader.region], ['account', writer.account, reader.account]]) {
    if (!Token.isUnresolved(w) && !Token.isUnresolved(r) && w !== r) {
      return `bindableIn needs a stack in the ${what} of the parameters (got stack ${reader.stackName} in ${r}, parameters in ${w}). `
        + `Bind in a stack of ${what} ${w}, or publish the connection from a database in ${r}.`;
    }
  }
  return undefined;
}
