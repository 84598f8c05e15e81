/**
 * How the database user name and password reach the application.
 */
export class SecretDelivery {
  /**
   * Elastic Beanstalk fetches JSON keys of the secret when an instance boots and sets them as
   * environment variables (`aws:elasticbeanstalk:application:environmentsecrets`, value
   * `<secret ARN>:<key>`): `DB_PASSWORD` from `jsonKey`, and `DB_USER` from `username` (which
   * multi-user rotation alternates). Needs a platform version released on or after 2025-03-26.
   *
   * @param jsonKey the key of the secret's JSON to deliver. @default 'password'
   * @see https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/AWSHowTo.secrets.env-vars.html
   */
  public static environmentSecret(jsonKey?: string): SecretDelivery {
    return new SecretDelivery(false, jsonKey ?? 'password');
  }

  /**
   * Only the secret's ARN is passed (as a plain environment variable, with no `DB_USER`); the
   * application reads the user name and password from the secret itself with the AWS SDK, and so
   * always sees the current value after a rotation.
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
