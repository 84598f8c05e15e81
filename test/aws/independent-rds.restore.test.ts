import { App, Duration, Stack, aws_ec2 as ec2, aws_kms as kms, aws_rds as rds, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { DatabaseEngine, IndependentRds, IndependentRdsProps, RestoreSource, RestoreSourceKind } from '../../src/aws';
import { expectCfnGuardClean, expectCfnLintClean, expectNagClean, synthTemplate, toolOrSkip } from '../harness';
import { networkStack, plainStack } from './fixtures';

/**
 * IndependentRds restoreSource: what each kind of restore puts in the template (checked against
 * CloudFormation's RDS resource schema by cfn-lint), what the restored database keeps (its
 * construct and logical ids, generated secret, rotation, alarms), and every rule.
 */

const DAY = 24 * 60 * 60 * 1000;
const SOURCE_KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const INSTANCE = 'AWS::RDS::DBInstance';
const CLUSTER = 'AWS::RDS::DBCluster';
/** The names a restore must state: the source's (here the IndependentRds defaults). */
const NAMES = { username: 'dbadmin', databaseName: 'app' };

describe('IndependentRds restoreSource', () => {
  let app: App;
  let stack: Stack;
  let vpc: ec2.Vpc;
  beforeEach(() => {
    app = new App();
    ({ vpc } = networkStack(app));
    stack = plainStack(app, 'Database');
  });
  const make = (props: Partial<IndependentRdsProps> = {}, id = 'Db') => new IndependentRds(stack, id, { vpc, ...NAMES, ...props });
  const props = (type: string) => {
    const found = Object.values<any>(Template.fromStack(stack).findResources(type)).filter((r) => r.Properties?.DBClusterIdentifier === undefined
      && r.Properties?.SourceDBInstanceIdentifier?.['Fn::Join'] === undefined);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const sourceKey = () => kms.Key.fromKeyArn(stack, 'SourceKey', SOURCE_KEY_ARN);

  describe('from a DB snapshot', () => {
    test('restores the instance from the snapshot; DBName, MasterUsername and KmsKeyId are left to the source', () => {
      make({ restoreSource: RestoreSource.fromSnapshot('shop-before-migration') });
      const p = props(INSTANCE).Properties;
      expect(p.DBSnapshotIdentifier).toBe('shop-before-migration');
      expect(p.DBName).toBeUndefined();
      expect(p.MasterUsername).toBeUndefined();
      expect(p.KmsKeyId).toBeUndefined();
      expect(p.StorageEncrypted).toBe(true);
      expect(p.Engine).toBe('postgres');
    });

    test('sets the master password from the generated secret, which holds the stated user name', () => {
      make({ restoreSource: RestoreSource.fromSnapshot('shop-before-migration') });
      const t = Template.fromStack(stack);
      const secretId = Object.keys(t.findResources('AWS::SecretsManager::Secret'))[0];
      expect(props(INSTANCE).Properties.MasterUserPassword).toEqual({
        'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:password::}}']],
      });
      t.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"dbadmin"}' }) });
      t.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', { SecretId: { Ref: secretId }, TargetType: INSTANCE });
    });

    test('keeps the construct: the same logical ids as a new database, the rotation and the alarms', () => {
      // The same layout in another app: a stack of the same name, so every logical id can be compared.
      const other = new App();
      const fresh = new IndependentRds(plainStack(other, 'Database'), 'Db', { vpc: networkStack(other).vpc, ...NAMES });
      const restored = make({ restoreSource: RestoreSource.fromSnapshot('shop-before-migration') });
      const ids = (s: Stack) => Object.entries(Template.fromStack(s).toJSON().Resources as { [id: string]: { Type: string } })
        .map(([id, r]) => `${r.Type} ${id}`).sort();
      expect(ids(stack)).toEqual(ids(Stack.of(fresh)));
      expect(restored.alarms).toHaveLength(fresh.alarms.length);
      Template.fromStack(stack).resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
      const resolved = (db: IndependentRds) => Stack.of(db).resolve({ ...db.connectionDetails, sslMode: db.connectionDetails.sslMode?.toString() });
      expect(resolved(restored)).toEqual(resolved(fresh));
    });

    test('a declared source key becomes the database key: no new database key; storage, secret and Performance Insights share it', () => {
      const key = sourceKey();
      const db = make({ restoreSource: RestoreSource.fromSnapshot('shop-before-migration', { sourceEncryptionKey: key }) });
      expect(db.encryptionKey).toBe(key);
      const t = Template.fromStack(stack);
      // The one new key is the default alarm topic's: the imported source key's policy cannot admit CloudWatch.
      const keys = Object.keys(t.findResources('AWS::KMS::Key'));
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatch(/^DbAlarmTopicKey/);
      expect(props(INSTANCE).Properties.PerformanceInsightsKMSKeyId).toBe(SOURCE_KEY_ARN);
      t.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: SOURCE_KEY_ARN });
      Annotations.fromStack(stack).hasNoWarning('/Database/Db', Match.stringLikeRegexp('keeps the source\'s storage key'));
    });

    test('warns when the source key is not named: the own key cannot encrypt the restored storage', () => {
      make({ restoreSource: RestoreSource.fromSnapshot('shop-before-migration') });
      Annotations.fromStack(stack).hasWarning('/Database/Db', Match.stringLikeRegexp(
        'the instance restored from snapshot shop-before-migration keeps the source\'s storage key, which the restore source does not name'));
    });

    test('read replicas of a restored instance inherit its key (no KmsKeyId)', () => {
      make({ restoreSource: RestoreSource.fromSnapshot('shop-before-migration'), readReplicas: 1 });
      const replica = Object.values<any>(Template.fromStack(stack).findResources(INSTANCE)).find((r) => r.Properties.SourceDBInstanceIdentifier);
      expect(replica.Properties.KmsKeyId).toBeUndefined();
      expect(replica.Properties.SourceDBInstanceIdentifier['Fn::Join']).toBeDefined();
    });

    test('accepts an encryptionKey that is the declared source key', () => {
      const key = sourceKey();
      expect(() => make({ encryptionKey: key, restoreSource: RestoreSource.fromSnapshot('snap', { sourceEncryptionKey: key }) })).not.toThrow();
    });

    test('a bring-your-own secret needs no username: the secret has it', () => {
      const secret = new secretsmanager.Secret(stack, 'Mine', { generateSecretString: { secretStringTemplate: '{"username":"owner"}', generateStringKey: 'password' } });
      const db = new IndependentRds(stack, 'Db', { vpc, secret, databaseName: 'shop', restoreSource: RestoreSource.fromSnapshot('snap') });
      expect(db.secret).toBeDefined();
      expect(props(INSTANCE).Properties.MasterUsername).toBeUndefined();
    });
  });

  describe('to a point in time of an instance', () => {
    test('restores the source as of restoreTime, in UTC to the second', () => {
      make({ restoreSource: RestoreSource.pointInTime({ sourceInstanceIdentifier: 'shop-db', restoreTime: new Date('2025-06-01T14:01:00.500Z') }) });
      const p = props(INSTANCE).Properties;
      expect(p.SourceDBInstanceIdentifier).toBe('shop-db');
      expect(p.RestoreTime).toBe('2025-06-01T14:01:00Z');
      expect(p.UseLatestRestorableTime).toBeUndefined();
      expect(p.DBName).toBeUndefined();
      expect(p.MasterUsername).toBeUndefined();
    });

    test('restores the latest restorable time when no restoreTime is given', () => {
      const source = RestoreSource.pointInTime({ sourceInstanceIdentifier: 'shop-db' });
      expect(source.useLatestRestorableTime).toBe(true);
      make({ restoreSource: source });
      const p = props(INSTANCE).Properties;
      expect(p.UseLatestRestorableTime).toBe(true);
      expect(p.RestoreTime).toBeUndefined();
    });

    test('keeps MasterUserPassword (set right after the restore) and leaves StorageEncrypted to the source, telling cfn-lint why', () => {
      make({ restoreSource: RestoreSource.pointInTime({ sourceInstanceIdentifier: 'shop-db' }) });
      const r = props(INSTANCE);
      expect(r.Properties.MasterUserPassword).toBeDefined();
      expect(r.Properties.StorageEncrypted).toBeUndefined();
      expect(r.Metadata['cfn-lint']).toEqual({ config: { ignore_checks: ['E3020'] } });
    });

    test('restores replicated automated backups in the disaster-recovery region', () => {
      const dr = new Stack(app, 'Dr', { env: { region: 'eu-central-1', account: '123456789012' } });
      const drVpc = new ec2.Vpc(dr, 'Vpc', { maxAzs: 2, natGateways: 1 });
      const arn = 'arn:aws:rds:eu-central-1:123456789012:auto-backup:ab-abcdefghij0123456789';
      new IndependentRds(dr, 'Db', { vpc: drVpc, ...NAMES, restoreSource: RestoreSource.pointInTime({ sourceAutomatedBackupsArn: arn, restoreTime: new Date('2025-06-01T14:01:00Z') }) });
      const restored = Object.values<any>(Template.fromStack(dr).findResources(INSTANCE))[0];
      expect(restored.Properties.SourceDBInstanceAutomatedBackupsArn).toBe(arn);
      expect(restored.Properties.SourceDBInstanceIdentifier).toBeUndefined();
      expect(restored.Properties.RestoreTime).toBe('2025-06-01T14:01:00Z');
    });
  });

  describe('Aurora', () => {
    const aurora = { engine: DatabaseEngine.AURORA_POSTGRES_16 };

    test('restores the cluster from a cluster snapshot, re-encrypted with the database key', () => {
      const db = make({ ...aurora, restoreSource: RestoreSource.fromClusterSnapshot('shop-cluster-before-migration') });
      const p = props(CLUSTER).Properties;
      expect(p.SnapshotIdentifier).toBe('shop-cluster-before-migration');
      expect(p.DatabaseName).toBeUndefined();
      expect(p.MasterUsername).toBeUndefined();
      expect(p.MasterUserPassword).toBeDefined();
      expect(p.StorageEncrypted).toBe(true);
      expect(p.KmsKeyId).toEqual({ 'Fn::GetAtt': [Stack.of(db).getLogicalId(db.encryptionKey!.node.defaultChild as any), 'Arn'] });
    });

    test('restores a point in time of a cluster as a full copy', () => {
      make({ ...aurora, restoreSource: RestoreSource.pointInTime({ sourceClusterIdentifier: 'shop-cluster', restoreTime: new Date('2025-06-01T14:01:00Z') }) });
      const r = props(CLUSTER);
      expect(r.Properties).toMatchObject({ SourceDBClusterIdentifier: 'shop-cluster', RestoreType: 'full-copy', RestoreToTime: '2025-06-01T14:01:00Z' });
      expect(r.Properties.UseLatestRestorableTime).toBeUndefined();
      expect(r.Metadata['cfn-lint']).toEqual({ config: { ignore_checks: ['W3689'] } });
    });

    test('an Aurora restore accepts a key other than the source\'s (RDS re-encrypts the cluster)', () => {
      const key = new kms.Key(stack, 'Mine', { enableKeyRotation: true });
      expect(() => make({ ...aurora, encryptionKey: key, restoreSource: RestoreSource.fromClusterSnapshot('snap', { sourceEncryptionKey: sourceKey() }) })).not.toThrow();
    });
  });

  describe('describes itself', () => {
    test.each([
      [RestoreSource.fromSnapshot('a'), RestoreSourceKind.SNAPSHOT, 'snapshot a'],
      [RestoreSource.fromClusterSnapshot('b'), RestoreSourceKind.CLUSTER_SNAPSHOT, 'cluster snapshot b'],
      [RestoreSource.pointInTime({ sourceInstanceIdentifier: 'c', restoreTime: new Date('2025-06-01T14:01:00Z') }), RestoreSourceKind.POINT_IN_TIME, 'instance c at 2025-06-01T14:01:00Z'],
      [RestoreSource.pointInTime({ sourceClusterIdentifier: 'd' }), RestoreSourceKind.POINT_IN_TIME, 'cluster d at its latest restorable time'],
    ])('%s', (source, kind, text) => {
      expect(source.kind).toBe(kind);
      expect(source.toString()).toBe(text);
    });
  });

  describe('validation', () => {
    const throwsWith = (p: Partial<IndependentRdsProps>, re: RegExp) => expect(() => make(p)).toThrow(re);
    const pit = (o: object) => RestoreSource.pointInTime(o);

    test('throws when a DB snapshot would restore Aurora', () => throwsWith({ engine: DatabaseEngine.AURORA_POSTGRES_16, restoreSource: RestoreSource.fromSnapshot('snap') },
      /^IndependentRds: restoreSource restores a DB snapshot, which makes an RDS instance, but the engine is aurora-postgresql 16.6.*RestoreSource.fromClusterSnapshot/));
    test('throws when a cluster snapshot would restore an instance', () => throwsWith({ restoreSource: RestoreSource.fromClusterSnapshot('snap') },
      /restoreSource restores a DB cluster snapshot, which makes an Aurora cluster, but the engine is postgres 16.9/));
    test('throws when a point in time names no source', () => throwsWith({ restoreSource: pit({}) },
      /restoreSource must name exactly one of sourceInstanceIdentifier, sourceClusterIdentifier and sourceAutomatedBackupsArn \(got none\)/));
    test('throws when a point in time names two sources', () => throwsWith({ restoreSource: pit({ sourceInstanceIdentifier: 'a', sourceClusterIdentifier: 'b' }) },
      /exactly one of .* \(got 2\)/));
    test('throws when an instance engine is given a source cluster', () => throwsWith({ restoreSource: pit({ sourceClusterIdentifier: 'shop-cluster' }) },
      /restoreSource names a source cluster \(got sourceClusterIdentifier "shop-cluster"\), but the engine postgres 16.9 runs on an instance/));
    test('throws when Aurora is given a source instance', () => throwsWith({ engine: DatabaseEngine.AURORA_POSTGRES_16, restoreSource: pit({ sourceInstanceIdentifier: 'shop-db' }) },
      /restoreSource names a source instance or its backups \(got "shop-db"\), but the engine aurora-postgresql 16.6 is an Aurora cluster/));
    test('throws when the snapshot identifier is malformed', () => throwsWith({ restoreSource: RestoreSource.fromSnapshot('my_snapshot') },
      /restoreSource snapshotIdentifier must be a DB snapshot identifier .* \(got "my_snapshot"\)/));
    test('throws when a cluster snapshot ARN names a DB snapshot', () => throwsWith({
      engine: DatabaseEngine.AURORA_POSTGRES_16, restoreSource: RestoreSource.fromClusterSnapshot('arn:aws:rds:us-east-1:123456789012:snapshot:snap'),
    }, /restoreSource snapshotIdentifier must be a DB cluster snapshot identifier/));
    test('throws when the source instance identifier is malformed', () => throwsWith({ restoreSource: pit({ sourceInstanceIdentifier: 'shop--db' }) },
      /restoreSource sourceInstanceIdentifier must be a DB instance identifier .* \(got "shop--db"\)/));
    test('throws when replicated backups are named by something else than their ARN', () => throwsWith({ restoreSource: pit({ sourceAutomatedBackupsArn: 'ab-123' }) },
      /restoreSource sourceAutomatedBackupsArn must be the ARN of replicated automated backups \(got "ab-123"\)/));
    test('throws when replicated backups are in another region than the stack', () => {
      const dr = new Stack(app, 'Dr', { env: { region: 'eu-central-1', account: '123456789012' } });
      const drVpc = new ec2.Vpc(dr, 'Vpc', { maxAzs: 2, natGateways: 1 });
      expect(() => new IndependentRds(dr, 'Db', { vpc: drVpc, ...NAMES, restoreSource: pit({ sourceAutomatedBackupsArn: 'arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-abc' }) }))
        .toThrow(/sourceAutomatedBackupsArn must be in the stack's region eu-central-1, where the backups were replicated to \(got eu-west-1\)/);
    });
    test('throws when restoreTime is in the future', () => throwsWith({ restoreSource: pit({ sourceInstanceIdentifier: 'shop-db', restoreTime: new Date(Date.now() + DAY) }) },
      /restoreTime must be in the past \(got .*, after the synthesis time .*\)\. RDS restores only to a time its backups cover/));
    test('throws when restoreTime is not a date', () => throwsWith({ restoreSource: pit({ sourceInstanceIdentifier: 'shop-db', restoreTime: new Date('yesterday') }) },
      /restoreTime must be a valid date \(got NaN\)/));
    test('throws when restoreTime is older than the declared backup retention', () => throwsWith({
      restoreSource: pit({ sourceInstanceIdentifier: 'shop-db', restoreTime: new Date(Date.now() - 10 * DAY), sourceBackupRetention: Duration.days(7) }),
    }, /restoreTime must be inside the source's 7-day backup retention window, after .* Restore an older state from a snapshot.*remove sourceBackupRetention/));
    test('accepts a restoreTime inside the declared backup retention', () => {
      expect(() => make({ restoreSource: pit({ sourceInstanceIdentifier: 'shop-db', restoreTime: new Date(Date.now() - 2 * DAY), sourceBackupRetention: Duration.days(7) }) })).not.toThrow();
    });
    test('throws when the declared backup retention is out of range', () => throwsWith({
      restoreSource: pit({ sourceInstanceIdentifier: 'shop-db', restoreTime: new Date(Date.now() - DAY), sourceBackupRetention: Duration.days(40) }),
    }, /sourceBackupRetention must be a whole number from 1 to 35 \(got 40\)/));
    test('throws when the source runs another engine', () => throwsWith({ restoreSource: RestoreSource.fromSnapshot('snap', { sourceEngine: DatabaseEngine.MYSQL_8_0 }) },
      /engine must be the restore source's engine \(got postgres 16.9, the source runs mysql 8.0.42\)/));
    test('throws when the engine is older than the source', () => throwsWith({ restoreSource: RestoreSource.fromSnapshot('snap', { sourceEngine: DatabaseEngine.postgres('16.10') }) },
      /engine must not be older than the restore source's \(got 16.9, the source runs 16.10\)\. RDS cannot downgrade/));
    test('throws when the engine is a major upgrade of the source without allowMajorVersionUpgrade', () => throwsWith({
      engine: DatabaseEngine.POSTGRES_17, restoreSource: RestoreSource.fromSnapshot('snap', { sourceEngine: DatabaseEngine.POSTGRES_16 }),
    }, /engine 17.5 is a major upgrade of the restore source's 16.9, which needs allowMajorVersionUpgrade \(got false\)/));
    test('accepts a major upgrade of the source with allowMajorVersionUpgrade, and a newer minor', () => {
      expect(() => make({ engine: DatabaseEngine.POSTGRES_17, allowMajorVersionUpgrade: true, restoreSource: RestoreSource.fromSnapshot('snap', { sourceEngine: DatabaseEngine.POSTGRES_16 }) })).not.toThrow();
      expect(() => make({ restoreSource: RestoreSource.fromSnapshot('snap', { sourceEngine: DatabaseEngine.postgres('16.3') }) }, 'Other')).not.toThrow();
    });
    test('throws when an Aurora point-in-time restore asks for another version than the source', () => throwsWith({
      engine: DatabaseEngine.AURORA_POSTGRES_16,
      restoreSource: pit({ sourceClusterIdentifier: 'shop-cluster', sourceEngine: DatabaseEngine.auroraPostgres('16.4') }),
    }, /engine must be the source's exact version for an Aurora point-in-time restore \(got 16.6, the source runs 16.4\)/));
    test('throws when username is not stated', () => {
      expect(() => new IndependentRds(stack, 'Db', { vpc, databaseName: 'app', restoreSource: RestoreSource.fromSnapshot('snap') }))
        .toThrow(/^IndependentRds: username must be the restore source's master user name \(got none\)/);
    });
    test('throws when databaseName is not stated', () => {
      expect(() => new IndependentRds(stack, 'Db', { vpc, username: 'dbadmin', restoreSource: RestoreSource.fromSnapshot('snap') }))
        .toThrow(/^IndependentRds: databaseName must be the name of the restore source's database the apps use \(got none\)/);
    });
    test('throws when encryptionKey is another key than the declared source key of an instance restore', () => {
      const other = new kms.Key(stack, 'Other', { enableKeyRotation: true });
      throwsWith({ encryptionKey: other, restoreSource: RestoreSource.fromSnapshot('snap', { sourceEncryptionKey: sourceKey() }) },
        new RegExp(`encryptionKey must be the restore source's key for an RDS instance restore \\(got Database/Other; the source is encrypted with ${SOURCE_KEY_ARN}\\)`));
    });
  });

  describe('validators', () => {
    const restores: Array<[string, Partial<IndependentRdsProps>]> = [
      ['a DB snapshot', { restoreSource: RestoreSource.fromSnapshot('shop-before-migration'), readReplicas: 1 }],
      ['a point in time of an instance', { restoreSource: RestoreSource.pointInTime({ sourceInstanceIdentifier: 'shop-db', restoreTime: new Date('2025-06-01T14:01:00Z') }) }],
      ['the latest restorable time of an instance', { restoreSource: RestoreSource.pointInTime({ sourceInstanceIdentifier: 'shop-db' }) }],
      ['a cluster snapshot', { engine: DatabaseEngine.AURORA_POSTGRES_16, restoreSource: RestoreSource.fromClusterSnapshot('shop-cluster-snap') }],
      ['a point in time of a cluster', { engine: DatabaseEngine.AURORA_MYSQL_3, restoreSource: RestoreSource.pointInTime({ sourceClusterIdentifier: 'shop-cluster' }) }],
    ];
    test.each(restores)('a restore from %s is cfn-lint, cdk-nag and cfn-guard clean, with no acknowledgment of its own', (_name, p) => {
      make(p);
      expectNagClean(stack);
      expectCfnGuardClean(stack);
      if (toolOrSkip('cfn-lint')) expectCfnLintClean(synthTemplate(stack));
    });
  });

  describe("aws-cdk-lib's synth-time template validation", () => {
    /** What the app's synthesis prints on standard error (where aws-cdk-lib reports its validation warnings). */
    const printedBySynth = (): string => {
      const printed: string[] = [];
      const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => { printed.push(args.join(' ')); });
      try {
        app.synth();
      } finally {
        spy.mockRestore();
      }
      return printed.join('\n');
    };
    test.each([
      ['a point-in-time instance restore', () => RestoreSource.pointInTime({ sourceInstanceIdentifier: 'shop-db' }), {}],
      ['a cluster snapshot restore', () => RestoreSource.fromClusterSnapshot('shop-cluster'), { engine: DatabaseEngine.AURORA_POSTGRES_16 }],
      ['a point-in-time cluster restore', () => RestoreSource.pointInTime({ sourceClusterIdentifier: 'shop-cluster' }), { engine: DatabaseEngine.AURORA_POSTGRES_16 }],
    ])('prints no CloudFormation Validate warning for %s (the kept MasterUserPassword is acknowledged)', (_name, source, extra) => {
      make({ ...extra, restoreSource: source() });
      expect(printedBySynth()).not.toMatch(/MasterUser\w+.*\(CloudFormation Validate\)/);
    });

    test('the check can fail: without the acknowledgment the warning is printed', () => {
      // A hand-made restore next to the library's: the same properties, nothing acknowledged.
      new rds.CfnDBInstance(stack, 'Bare', {
        dbInstanceClass: 'db.t4g.micro', engine: 'postgres', sourceDbInstanceIdentifier: 'shop-db', useLatestRestorableTime: true, masterUserPassword: 'x'.repeat(12),
      });
      expect(printedBySynth()).toMatch(/MasterUserPassword.*\(CloudFormation Validate\)/);
    });
  });
});
