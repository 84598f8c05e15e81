import { App, CfnParameter, Duration, Stack, aws_ec2 as ec2, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { databaseStack, networkStack } from './fixtures';
import { IndependentRds } from '../../src/aws/independent-rds';
import { SecretReferenceFor } from '../../src/aws/secret-reference-for';
import { SecretsManagerSecretRef } from '../../src/core/secret-reference';

describe('SecretReferenceFor.independentRds', () => {
  let app: App;
  let vpc: ReturnType<typeof networkStack>['vpc'];
  beforeEach(() => {
    app = new App();
    vpc = networkStack(app).vpc;
  });

  test('returns the name the secretName prop gave the generated secret', () => {
    // GIVEN
    const { stack, db } = databaseStack(app, vpc, { secretName: 'prod/shop/db-master' });
    // WHEN
    const ref = SecretReferenceFor.independentRds(db);
    // THEN
    expect(ref.secretName).toBe('prod/shop/db-master');
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'prod/shop/db-master' });
  });

  test('carries the rotation period of the secret (default 30 days)', () => {
    const { db } = databaseStack(app, vpc, { secretName: 'shop-db' });
    expect(SecretReferenceFor.independentRds(db).rotationPeriodDays).toBe(30);
  });

  test('carries a custom rotation period', () => {
    const { db } = databaseStack(app, vpc, { secretName: 'shop-db', rotationInterval: Duration.days(7) });
    expect(SecretReferenceFor.independentRds(db).rotationPeriodDays).toBe(7);
  });

  test('rounds a rotation period in hours down to whole days', () => {
    const { db } = databaseStack(app, vpc, { secretName: 'shop-db', rotationInterval: Duration.hours(36) });
    expect(SecretReferenceFor.independentRds(db).rotationPeriodDays).toBe(1);
  });

  test('has no rotation period when rotation is off', () => {
    const { db } = databaseStack(app, vpc, { secretName: 'shop-db', rotation: false });
    expect(SecretReferenceFor.independentRds(db).rotationPeriodDays).toBeUndefined();
  });

  test('carries no region for an environment-agnostic stack', () => {
    const { db } = databaseStack(app, vpc, { secretName: 'shop-db' });
    expect(SecretReferenceFor.independentRds(db).region).toBeUndefined();
  });

  test('carries the stack region when it is concrete', () => {
    const env = { account: '111111111111', region: 'eu-west-1' };
    const net = new Stack(app, 'Net', { env });
    const data = new Stack(app, 'Data', { env });
    const db = new IndependentRds(data, 'Database', { vpc: new ec2.Vpc(net, 'Vpc', { maxAzs: 2 }), secretName: 'shop-db' });
    expect(SecretReferenceFor.independentRds(db).region).toBe('eu-west-1');
  });

  test('throws when the secret has no fixed name, naming the secretName prop, and leaves the template alone', () => {
    const { stack, db } = databaseStack(app, vpc);
    expect(() => SecretReferenceFor.independentRds(db)).toThrow(
      /SecretReferenceFor.independentRds: the master secret of Database\/Database has no fixed name \(got none\).*Set the secretName prop of the IndependentRds/,
    );
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::Secret', { Name: Match.absent() });
  });

  test('throws for a secret brought with `secret`, pointing at SecretReferenceFor.secret()', () => {
    const imported = secretsmanager.Secret.fromSecretNameV2(new Stack(app, 'Imports'), 'Imported', 'shop/imported');
    const { db } = databaseStack(app, vpc, { secret: imported, username: 'dbadmin' });
    expect(() => SecretReferenceFor.independentRds(db)).toThrow(/has no fixed name.*use SecretReferenceFor.secret\(\)/);
  });

  test('throws when secretName is a value known only at deploy time', () => {
    const name = new CfnParameter(new Stack(app, 'Params'), 'SecretName', { type: 'String' });
    const { db } = databaseStack(app, vpc, { secretName: name.valueAsString });
    expect(() => SecretReferenceFor.independentRds(db)).toThrow(/SecretsManagerSecretRef: secretName must be a concrete name, not an unresolved CDK token/);
  });
});

describe('SecretReferenceFor.secret', () => {
  let app: App;
  let stack: Stack;
  beforeEach(() => {
    app = new App();
    stack = new Stack(app, 'Holder');
  });
  const secretNamed = (secretName?: string) => new secretsmanager.Secret(stack, 'Own', {
    secretName,
    generateSecretString: { secretStringTemplate: JSON.stringify({ username: 'dbadmin' }), generateStringKey: 'password', excludePunctuation: true },
  });

  test('reads back a secret created in the app with that name', () => {
    const ref = SecretReferenceFor.secret(secretNamed('shop/own-master'), { secretName: 'shop/own-master', rotationPeriodDays: 14 });
    expect([ref.secretName, ref.rotationPeriodDays, ref.region]).toEqual(['shop/own-master', 14, undefined]);
  });

  test('accepts an imported secret whose name matches its ARN', () => {
    const imported = secretsmanager.Secret.fromSecretNameV2(stack, 'Imported', 'shop/imported');
    expect(SecretReferenceFor.secret(imported, { secretName: 'shop/imported' })).toBeInstanceOf(SecretsManagerSecretRef);
  });

  test('takes the region from a complete ARN', () => {
    const imported = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Imported', 'arn:aws:secretsmanager:eu-central-1:111111111111:secret:shop/imported-AbCdEf');
    expect(SecretReferenceFor.secret(imported, { secretName: 'shop/imported' }).region).toBe('eu-central-1');
  });

  test('throws when the name differs from the name of the secret', () => {
    expect(() => SecretReferenceFor.secret(secretNamed('shop/own-master'), { secretName: 'shop/other' }))
      .toThrow(/SecretReferenceFor.secret: secretName "shop\/other" does not match the name of Holder\/Own \(got "shop\/own-master"\)/);
  });

  test('throws when the secret created in the app has no name', () => {
    expect(() => SecretReferenceFor.secret(secretNamed(), { secretName: 'shop/db' })).toThrow(/does not match the name of Holder\/Own \(got null\)/);
  });

  test('throws when the secret is named by a value known only at deploy time', () => {
    const name = new CfnParameter(stack, 'SecretName', { type: 'String' });
    expect(() => SecretReferenceFor.secret(secretNamed(name.valueAsString), { secretName: 'shop/db' })).toThrow(/does not match .*got \{"Ref":"SecretName"\}/);
  });

  test('throws when secretName does not match an imported secret', () => {
    const imported = secretsmanager.Secret.fromSecretNameV2(stack, 'Imported', 'shop/imported');
    expect(() => SecretReferenceFor.secret(imported, { secretName: 'shop/other' })).toThrow(/SecretReferenceFor.secret: secretName "shop\/other" does not match the ARN of Holder\/Imported/);
  });

  test('throws on an invalid secretName', () => {
    const imported = secretsmanager.Secret.fromSecretNameV2(stack, 'Imported', 'shop/imported');
    expect(() => SecretReferenceFor.secret(imported, { secretName: 'bad name!' })).toThrow(/SecretsManagerSecretRef: secretName must be 1-512/);
  });
});

describe('SecretsManagerSecretRef', () => {
  test('keeps name, region and rotation period', () => {
    const ref = SecretsManagerSecretRef.fromName('prod/db', { region: 'eu-west-1', rotationPeriodDays: 30 });
    expect([ref.secretName, ref.region, ref.rotationPeriodDays]).toEqual(['prod/db', 'eu-west-1', 30]);
  });
  test('throws on an unresolved CDK token', () => {
    expect(() => SecretsManagerSecretRef.fromName('${Token[TOKEN.123]}')).toThrow(/not an unresolved CDK token/);
  });
  test('throws on an ARN', () => {
    expect(() => SecretsManagerSecretRef.fromName('arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf')).toThrow(/not its ARN/);
  });
  test('throws on characters Secrets Manager refuses', () => {
    expect(() => SecretsManagerSecretRef.fromName('db name')).toThrow(/secretName must be 1-512 letters/);
  });
  test('throws on a malformed region', () => {
    expect(() => SecretsManagerSecretRef.fromName('db', { region: 'Europe' })).toThrow(/region must be an AWS region code/);
  });
  test('throws on a rotation period outside 1-1000 days', () => {
    expect(() => SecretsManagerSecretRef.fromName('db', { rotationPeriodDays: 0 })).toThrow(/rotationPeriodDays must be a whole number of days from 1 to 1000 \(got 0\)/);
  });
});
