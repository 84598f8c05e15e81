import { Aws, Stack, Token, aws_iam as iam, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';

/**
 * The one secret-read grant of the library (IndependentRds, RdsProxy, imported databases and the
 * Beanstalk binding all use it): `secretsmanager:GetSecretValue` on that one secret, and
 * `kms:Decrypt` on its key only when called through Secrets Manager in the secret's region.
 *
 * Everything is written into the grantee's own policy, never into a key or resource policy, so an
 * application stack can be granted access without the database stack depending on it. A key you
 * bring must therefore let IAM policies of the account grant its use.
 *
 * A secret known only by a partial ARN (imported by name) gets the `-??????` suffix wildcard that
 * Secrets Manager appends to names.
 */
export function grantSecretRead(secret: secretsmanager.ISecret, grantee: iam.IGrantable): iam.Grant {
  const grant = iam.Grant.addToPrincipal({
    grantee,
    actions: ['secretsmanager:GetSecretValue'],
    resourceArns: [secret.secretFullArn ?? `${secret.secretArn}-??????`],
  });
  const key = secret.encryptionKey;
  if (!key) return grant;
  return grant.combine(iam.Grant.addToPrincipal({
    grantee,
    actions: ['kms:Decrypt'],
    resourceArns: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': secretsManagerService(secret) } },
  }));
}

/**
 * `secretsmanager.<region>.<domain suffix>` for the secret's region: literal when the region is
 * known (from aws-cdk-lib's RegionInfo: `secretsmanager.cn-north-1.amazonaws.com.cn` in China,
 * `amazonaws.com` in aws-us-gov), else the region and URL-suffix pseudo parameters of the stack
 * that holds the policy.
 */
export function secretsManagerService(secret: secretsmanager.ISecret): string {
  const region = Token.isUnresolved(secret.env.region) ? Stack.of(secret).region : secret.env.region;
  if (Token.isUnresolved(region)) return `secretsmanager.${Aws.REGION}.${Aws.URL_SUFFIX}`;
  // A region newer than this aws-cdk-lib's RegionInfo: its suffix is known at deploy time only.
  return `secretsmanager.${region}.${RegionInfo.get(region).domainSuffix ?? Aws.URL_SUFFIX}`;
}
