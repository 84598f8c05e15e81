import { Aws, RemovalPolicy, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * Key policy statements of the keys the library makes or extends, and the one way it picks the key
 * that encrypts what an AWS service writes (log groups, alarm topics).
 */

/**
 * AWS Control Tower CT.KMS.PR.3: nobody may create a grant on the key except for an AWS resource
 * (RDS storage, Performance Insights, read replicas made by RDS) or as an AWS service. Grants are
 * how a key's use is delegated; a grant to a person or an app would bypass the key policy.
 */
export function limitCreateGrantToAwsServices(key: kms.Key): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'CreateGrantOnlyForAwsResources',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
}

/**
 * What CloudWatch Logs needs to encrypt log groups of this account and region with the key (only
 * in the encryption context of such a log group).
 */
export function cloudWatchLogsStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'CloudWatchLogsOfThisAccount',
    principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` } },
  });
}

/**
 * What CloudWatch alarms need to publish to an SNS topic encrypted with the key (only in the
 * encryption context of a topic of this account and region).
 */
export function cloudWatchAlarmsStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'CloudWatchAlarmsToTopicsOfThisAccount',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:sns:topicArn': `arn:${Aws.PARTITION}:sns:${Aws.REGION}:${Aws.ACCOUNT_ID}:*` } },
  });
}

/**
 * A new customer managed key of the library: rotated, retained with the stack (what it encrypts
 * may be retained too), and limited to grants for AWS resources.
 */
export function libraryKey(scope: Construct, id: string, description: string): kms.Key {
  const key = new kms.Key(scope, id, { description, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
  limitCreateGrantToAwsServices(key);
  return key;
}

/**
 * The key to encrypt a service's data with: `preferred` (the construct's own key) when its key
 * policy takes `statement`, which a key defined in this app does, else a new library key `id` under
 * `scope` with the statement (a key imported by ARN keeps the policy it has).
 */
export function keyForService(
  scope: Construct, id: string, preferred: kms.IKey | undefined, statement: iam.PolicyStatement, description: string,
): kms.IKey {
  if (preferred?.addToResourcePolicy(statement).statementAdded) return preferred;
  const key = libraryKey(scope, id, description);
  key.addToResourcePolicy(statement);
  return key;
}
