import { Duration, Stack, Token, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DatabaseUser } from './database-user';
import { IndependentRds } from './independent-rds';
import { SecretsManagerSecretRef } from '../core/secret-reference';

/** The name and rotation period of a secret made outside an IndependentRds, for {@link SecretReferenceFor.secret}. */
export interface SecretReferenceOptions {
  /**
   * The secret's name in Secrets Manager (not its ARN). It is checked against the secret: the
   * name of a secret created in this app, or the ARN of an imported one.
   * Tokens: refused (a Kubernetes manifest cannot resolve CDK tokens; give the secret a fixed name).
   */
  readonly secretName: string;

  /**
   * How often the secret's password rotates, in days.
   * Tokens: refused (a Kubernetes manifest cannot resolve CDK tokens; give the secret a fixed name).
   * @default - the secret does not rotate
   */
  readonly rotationPeriodDays?: number;
}

/**
 * Typed links from AWS secrets to the framework-free {@link SecretsManagerSecretRef} that the
 * Kubernetes side (an `ExternalDatabaseSecret`) consumes. They read what the constructs already
 * know and never change a secret.
 */
export class SecretReferenceFor {
  /**
   * The master secret of `db`, by the name its `secretName` prop gave it, with the stack's region
   * (when concrete) and the rotation period of the master password.
   */
  public static independentRds(db: IndependentRds): SecretsManagerSecretRef {
    return named('SecretReferenceFor.independentRds', db, db.secretName, db.rotationInterval,
      'Set the secretName prop of the IndependentRds, e.g. \'prod/orders/db-master\' (on a deployed stack that replaces the secret and its password); '
      + 'for a secret you passed as `secret`, use SecretReferenceFor.secret().');
  }

  /**
   * The secret of an app user, by the name its `secretName` option gave it, with the stack's
   * region (when concrete) and the user's rotation period. The usual bridge for an app in
   * Kubernetes: the ExternalSecret copies `username` (which alternates with `<user>_clone`) and
   * `password` from it, and must refresh more often than the rotation period.
   */
  public static databaseUser(user: DatabaseUser): SecretsManagerSecretRef {
    return named('SecretReferenceFor.databaseUser', user, user.secretName, user.rotationInterval,
      `Set the secretName option of the user, e.g. db.addUser('${user.appName}', { secretName: 'prod/${user.appName}/db-app' }) (on a deployed stack that replaces the secret and its password).`);
  }

  /**
   * A secret created or imported elsewhere (such as a `secret` you passed to an IndependentRds),
   * by its name, which must match the secret: the name given to a secret created in this app,
   * or the name in the ARN of an imported one (`Secret.fromSecretNameV2`, `fromSecretCompleteArn`).
   */
  public static secret(secret: secretsmanager.ISecret, options: SecretReferenceOptions): SecretsManagerSecretRef {
    const owner = 'SecretReferenceFor.secret';
    // Validates the name before comparing it.
    SecretsManagerSecretRef.fromName(options.secretName, { rotationPeriodDays: options.rotationPeriodDays });
    const stack = Stack.of(secret);
    const cfnSecret = secret.node.defaultChild;
    if (cfnSecret instanceof secretsmanager.CfnSecret) {
      const name = stack.resolve(cfnSecret.name);
      if (name !== options.secretName) {
        throw new Error(`${owner}: secretName ${JSON.stringify(options.secretName)} does not match the name of ${secret.node.path} (got ${JSON.stringify(name ?? null)}). `
          + 'Give the secret that secretName where you create it, and pass the same name here.');
      }
    } else {
      const arn = JSON.stringify(stack.resolve(secret.secretArn));
      const escaped = options.secretName.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      if (!new RegExp(`:secret:${escaped}(?:-[A-Za-z0-9]{6})?"`).test(arn)) {
        throw new Error(`${owner}: secretName ${JSON.stringify(options.secretName)} does not match the ARN of ${secret.node.path} (got ${arn}). `
          + 'Import the secret with Secret.fromSecretNameV2 or fromSecretCompleteArn and pass the same name.');
      }
    }
    const region = [secret.env.region, stack.region].find((r) => !Token.isUnresolved(r));
    return SecretsManagerSecretRef.fromName(options.secretName, { region, rotationPeriodDays: options.rotationPeriodDays });
  }

  private constructor() {}
}

/** The reference to a secret named by its construct's `secretName`, with the stack's region and the rotation period. */
function named(
  owner: string, scope: Construct, secretName: string | undefined, rotationInterval: Duration | undefined, fix: string,
): SecretsManagerSecretRef {
  const what = scope instanceof IndependentRds ? 'the master secret' : 'the secret';
  if (secretName === undefined) {
    throw new Error(`${owner}: ${what} of ${scope.node.path} has no fixed name (got none), so a Kubernetes manifest cannot refer to it. ${fix}`);
  }
  const stack = Stack.of(scope);
  return SecretsManagerSecretRef.fromName(secretName, {
    region: Token.isUnresolved(stack.region) ? undefined : stack.region,
    rotationPeriodDays: wholeDays(rotationInterval),
  });
}

/** The rotation interval in whole days (rounded down, at least 1), or undefined without rotation. */
function wholeDays(rotationInterval: Duration | undefined): number | undefined {
  const days = rotationInterval?.toDays({ integral: false });
  if (days === undefined || Token.isUnresolved(days)) return undefined;
  return Math.max(1, Math.floor(days));
}
