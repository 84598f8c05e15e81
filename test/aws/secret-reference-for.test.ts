import { App, CfnParameter, Duration, Stack, aws_ec2 as ec2, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
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

  test('names the generated secret and returns that concrete name', () => {
    // GIVEN
    const { stack, db } = databaseStack(app, vpc);
    // WHEN
    const ref = SecretReferenceFor.independentRds(db, { secretName: 'prod/shop/db-master' });
    // THEN
    expect(ref.secretName).toBe('prod/shop/db-master');
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'prod/shop/db-master' });
  });

  test('carries the rotation period of the secret (default 30 days)', () => {
    const { db } = databaseStack(app, vpc);
    const ref = SecretReferenceFor.independentRds(db, { secretName: 'shop-db' });
    expect(ref.rotationPeriodDays).toBe(30);
  });

  test('carries a custom rotation period', () => {
    const { db } = databaseStack(app, vpc, { rotationInterval: Duration.days(7) });
    expect(SecretReferenceFor.independentRds(db, { secretName: 'shop-db' }).rotationPeriodDays).toBe(7);
  });

  test('has no rotation period when rotation is off', () => {
    const { db } = databaseStack(app, vpc, { rotation: false });
    expect(SecretReferenceFor.independentRds(db, { secretName: 'shop-db' }).rotationPeriodDays).toBeUndefined();
  });

  test('carries no region for an environment-agnostic stack', () => {
    const { db } = databaseStack(app, vpc);
    expect(SecretReferenceFor.independentRds(db, { secretName: 'shop-db' }).region).toBeUndefined();
  });

  test('carries the stack region when it is concrete', () => {
    const env = { account: '111111111111', region: 'eu-west-1' };
    const net = new Stack(app, 'Net', { env });
    const data = new Stack(app, 'Data', { env });
    const db = new IndependentRds(data, 'Database', { vpc: new ec2.Vpc(net, 'Vpc', { maxAzs: 2 }) });
    expect(SecretReferenceFor.independentRds(db, { secretName: 'shop-db' }).region).toBe('eu-west-1');
  });

  test('reads the name of a secret passed in with a fixed secretName', () => {
    // GIVEN
    const holder = new Stack(app, 'Holder');
    const own = new secretsmanager.Secret(holder, 'Own', {
      secretName: 'shop/own-master',
      generateSecretString: { secretStringTemplate: JSON.stringify({ username: 'dbadmin' }), generateStringKey: 'password', excludePunctuation: true },
    });
    const { db } = databaseStack(app, vpc, { secret: own, username: 'dbadmin' });
    // THEN
    expect(SecretReferenceFor.independentRds(db).secretName).toBe('shop/own-master');
    expect(SecretReferenceFor.independentRds(db, { secretName: 'shop/own-master' }).secretName).toBe('shop/own-master');
  });

  test('accepts an imported secret whose name matches its ARN', () => {
    const imported = secretsmanager.Secret.fromSecretNameV2(new Stack(app, 'Imports'), 'Imported', 'shop/imported');
    const { db } = databaseStack(app, vpc, { secret: imported, username: 'dbadmin' });
    expect(SecretReferenceFor.independentRds(db, { secretName: 'shop/imported' })).toBeInstanceOf(SecretsManagerSecretRef);
  });

  test('is idempotent: the second call reads the name the first one set', () => {
    const { db } = databaseStack(app, vpc);
    SecretReferenceFor.independentRds(db, { secretName: 'shop-db' });
    expect(SecretReferenceFor.independentRds(db).secretName).toBe('shop-db');
  });

  test('throws when the generated secret has no name and none is given', () => {
    const { db } = databaseStack(app, vpc);
    expect(() => SecretReferenceFor.independentRds(db)).toThrow(/has no fixed name \(got none\).*Pass secretName/);
  });

  test('throws when secretName differs from the name the secret already has', () => {
    const { db } = databaseStack(app, vpc);
    SecretReferenceFor.independentRds(db, { secretName: 'shop-db' });
    expect(() => SecretReferenceFor.independentRds(db, { secretName: 'other-db' })).toThrow(/does not match the name of the secret .*got "shop-db"/);
  });

  test('throws when the secret is named by a value known only at deploy time', () => {
    const holder = new Stack(app, 'Holder');
    const name = new CfnParameter(holder, 'SecretName', { type: 'String' });
    const own = new secretsmanager.Secret(holder, 'Own', {
      secretName: name.valueAsString,
      generateSecretString: { secretStringTemplate: JSON.stringify({ username: 'dbadmin' }), generateStringKey: 'password', excludePunctuation: true },
    });
    const { db } = databaseStack(app, vpc, { secret: own, username: 'dbadmin' });
    expect(() => SecretReferenceFor.independentRds(db)).toThrow(/named by a value known only at deploy time \(got \{"Ref":"SecretName"\}\)/);
  });

  test('throws when an imported secret is used without secretName', () => {
    const imported = secretsmanager.Secret.fromSecretNameV2(new Stack(app, 'Imports'), 'Imported', 'shop/imported');
    const { db } = databaseStack(app, vpc, { secret: imported, username: 'dbadmin' });
    expect(() => SecretReferenceFor.independentRds(db)).toThrow(/not created in this app.*Pass secretName/);
  });

  test('throws when secretName does not match an imported secret', () => {
    const imported = secretsmanager.Secret.fromSecretNameV2(new Stack(app, 'Imports'), 'Imported', 'shop/imported');
    const { db } = databaseStack(app, vpc, { secret: imported, username: 'dbadmin' });
    expect(() => SecretReferenceFor.independentRds(db, { secretName: 'shop/other' })).toThrow(/does not match the imported secret/);
  });

  test('throws on an invalid secretName before changing the template', () => {
    const { stack, db } = databaseStack(app, vpc);
    expect(() => SecretReferenceFor.independentRds(db, { secretName: 'bad name!' })).toThrow(/SecretsManagerSecretRef: secretName must be 1-512/);
    expect(Template.fromStack(stack).findResources('AWS::SecretsManager::Secret', { Properties: { Name: 'bad name!' } })).toEqual({});
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
