import { RdsRules } from './private/rds-rules';
import { throwIfAny } from './private/validators';

/** What a {@link SecretsManagerSecretRef} points at. */
export interface SecretsManagerSecretRefProps {
  /**
   * The secret's concrete name in AWS Secrets Manager (not an ARN, not a CDK token), e.g.
   * `prod/orders/db-master`: 1-512 characters of letters, digits and `/_+=.@-`.
   * Tokens: refused (the value is checked and written into text when this is created).
   */
  readonly secretName: string;
  /**
   * AWS region of the secret, e.g. `eu-west-1`, for a SecretStore that must point at it.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default - the region of the SecretStore that reads it
   */
  readonly region?: string;
  /**
   * How often the secret's password rotates, in days. Consumers that copy the secret (an
   * External Secrets `ExternalSecret`) must refresh more often than this.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default - the secret does not rotate
   */
  readonly rotationPeriodDays?: number;
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

/**
 * A framework-free reference to an AWS Secrets Manager secret holding an RDS-style JSON
 * document (`username`, `password`, `host`, `port`, `dbname`, `engine`).
 *
 * It links the AWS side (which knows the secret) with the Kubernetes side (which copies it into
 * the cluster) without either importing the other: create it on the AWS side with
 * `SecretReferenceFor.independentRds(db)` (or `SecretReferenceFor.secret()`), pass it to an
 * `ExternalDatabaseSecret`.
 */
export class SecretsManagerSecretRef {
  /** A reference to the secret with a known, fixed name. */
  public static fromName(secretName: string, options: SecretsManagerSecretRefOptions = {}): SecretsManagerSecretRef {
    return new SecretsManagerSecretRef({ secretName, ...options });
  }

  /** The secret's name in Secrets Manager. */
  public readonly secretName: string;
  /**
   * AWS region of the secret.
   * @default - the region of the SecretStore that reads it
   */
  public readonly region?: string;
  /**
   * Rotation period of the password, in days.
   * @default - the secret does not rotate
   */
  public readonly rotationPeriodDays?: number;

  public constructor(props: SecretsManagerSecretRefProps) {
    const owner = 'SecretsManagerSecretRef';
    if (props.secretName.includes('${Token[')) {
      throw new Error(`${owner}: secretName must be a concrete name, not an unresolved CDK token (got ${JSON.stringify(props.secretName)}). `
        + 'A Kubernetes manifest cannot resolve CDK tokens: give the secret a fixed secretName on the AWS side and use SecretReferenceFor.');
    }
    throwIfAny(owner, [RdsRules.secretNameError(props.secretName)]);
    if (props.region !== undefined && !REGION.test(props.region)) {
      throw new Error(`${owner}: region must be an AWS region code such as 'eu-west-1' (got ${JSON.stringify(props.region)}). Fix the spelling or leave it unset.`);
    }
    if (props.rotationPeriodDays !== undefined
      && (!Number.isInteger(props.rotationPeriodDays) || props.rotationPeriodDays < 1 || props.rotationPeriodDays > 1000)) {
      throw new Error(`${owner}: rotationPeriodDays must be a whole number of days from 1 to 1000 (got ${props.rotationPeriodDays}). `
        + 'Secrets Manager rotates at most every 1000 days; leave it unset if the secret does not rotate.');
    }
    this.secretName = props.secretName;
    this.region = props.region;
    this.rotationPeriodDays = props.rotationPeriodDays;
  }
}

/** Optional parts of a {@link SecretsManagerSecretRef} made with `fromName()`. */
export interface SecretsManagerSecretRefOptions {
  /**
   * AWS region of the secret.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default - the region of the SecretStore that reads it
   */
  readonly region?: string;
  /**
   * How often the secret's password rotates, in days.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default - the secret does not rotate
   */
  readonly rotationPeriodDays?: number;
}
