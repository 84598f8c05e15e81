import { Duration, Tags, aws_kms as kms } from 'aws-cdk-lib';
import { checkObjects, checkTemplates, kinds, logicalId, rdsTemplate, sharedPostgresObjects, theFinding } from './fixtures';
import { DatabaseEngine, DatabasePreset, RdsProxy, ReplicaAutoscaling } from '../../../src/aws';

/**
 * Every row of both tables of issue 12, reproduced with the library's own constructs: the checker
 * flags each one with the resource, the kind of change, the consequence and the fix. Then the
 * harmless changes, which must give no finding.
 */

const INSTANCE = 'AWS::RDS::DBInstance';

describe('the CloudFormation rows of issue 12', () => {
  const base = rdsTemplate();
  const db = `Database/${logicalId(base, INSTANCE)}`;
  const secret = `Database/${logicalId(base, 'AWS::SecretsManager::Secret')}`;
  const key = `Database/${logicalId(base, 'AWS::KMS::Key')}`;

  test('databaseName replaces the DB instance (old one retained and orphaned)', () => {
    const report = checkTemplates(base, rdsTemplate({ databaseName: 'orders' }));

    // The library keeps dbname out of the secret's generation template, so the password stays (no re-key).
    expect(kinds(report)).toEqual([`${db} replace`]);
    const replace = theFinding(report, db, 'replace');
    expect(replace.summary).toMatch(/DBName "shop" → "orders" \(create-only\)/);
    expect(replace.consequence).toMatch(/creates a NEW, EMPTY DB instance, and the stack's references \(endpoint, secret attachment, apps\) move to it/);
    expect(replace.consequence).toMatch(/old DB instance is kept outside the stack \(Retain\): orphaned/);
    expect(replace.fix).toMatch(/Revert DBName to "shop".*CREATE DATABASE/);
  });

  test('databaseName regenerates the password of a secret whose generation template holds dbname (the library before issue 12)', () => {
    const withDbname = (template: { [key: string]: unknown }, dbname: string) => {
      const copy = JSON.parse(JSON.stringify(template));
      copy.Resources[logicalId(copy, 'AWS::SecretsManager::Secret')].Properties.GenerateSecretString.SecretStringTemplate = JSON.stringify({ username: 'shop', dbname });
      return copy;
    };
    const report = checkTemplates(withDbname(base, 'shop'), withDbname(rdsTemplate({ databaseName: 'orders' }), 'orders'));

    expect(kinds(report)).toEqual([`${db} replace`, `${secret} re-key`]);
    const reKey = theFinding(report, secret, 're-key');
    expect(reKey.summary).toMatch(/SecretStringTemplate .*"dbname\\":\\"shop\\".* → .*orders/);
    expect(reKey.consequence).toMatch(/generates a NEW password/);
    expect(reKey.consequence).toContain(`The replacement of ${db} is created with it, but the old database, which holds the data, keeps the OLD password`);
    expect(reKey.fix).toMatch(/Keep GenerateSecretString exactly as deployed/);
  });

  test('databaseName on Aurora replaces the cluster and every instance in it', () => {
    const aurora = { engine: DatabaseEngine.AURORA_POSTGRES_16 };
    const before = rdsTemplate(aurora);
    const report = checkTemplates(before, rdsTemplate({ ...aurora, databaseName: 'orders' }));

    const cluster = `Database/${logicalId(before, 'AWS::RDS::DBCluster')}`;
    const writer = `Database/${logicalId(before, INSTANCE, 'DatabaseWriter')}`;
    const reader = `Database/${logicalId(before, INSTANCE, 'DatabaseReader')}`;
    expect(kinds(report)).toEqual([cluster, reader, writer].map((r) => `${r} replace`).sort());
    expect(theFinding(report, cluster, 'replace').summary).toMatch(/DatabaseName "shop" → "orders"/);
    expect(theFinding(report, cluster, 'replace').consequence).toMatch(/NEW, EMPTY DB cluster/);
    expect(theFinding(report, writer, 'replace').summary).toMatch(/DBClusterIdentifier .*it refers to DatabaseF44359DD, which is replaced/);
  });

  test('username replaces the DB instance and regenerates the password', () => {
    const report = checkTemplates(base, rdsTemplate({ username: 'owner' }));

    expect(kinds(report)).toEqual([`${db} replace`, `${secret} re-key`]);
    const replace = theFinding(report, db, 'replace');
    expect(replace.summary).toMatch(/MasterUsername "shop" → "owner"/);
    expect(replace.consequence).toMatch(/EMPTY DB instance.*orphaned/);
    expect(replace.fix).toMatch(/create that role with SQL/);
    expect(theFinding(report, secret, 're-key').consequence).toMatch(/generates a NEW password.*old database, which holds the data, keeps the OLD password/);
  });

  test('bringing your own encryptionKey replaces the instance and orphans the old key', () => {
    const after = rdsTemplate({}, { propsIn: (stack) => ({ encryptionKey: new kms.Key(stack, 'OwnKey', { enableKeyRotation: true }) }) });
    const report = checkTemplates(base, after);

    expect(kinds(report)).toEqual([`${db} replace`, `${key} orphan`]);
    expect(theFinding(report, db, 'replace').summary).toMatch(/KmsKeyId .*DatabaseKey5E5D9547.* → .*OwnKey/);
    expect(theFinding(report, db, 'replace').fix).toMatch(/snapshot copied with the new key/);
    const orphan = theFinding(report, key, 'orphan');
    // The instance that stayed now refers to the new key: a swap, not a move.
    expect(orphan.summary).toBe('removed from the template (DeletionPolicy Retain)');
    expect(orphan.consequence).toMatch(/old KMS key is kept outside the stack \(Retain\): orphaned and still billed; it holds the key to whatever it encrypted/);
    expect(orphan.fix).toMatch(/^Keep the key in the template while anything encrypted with it remains/);
  });

  test.each([
    ['renaming the construct id', { id: 'Db' }],
    ['wrapping the construct in one more level', { wrapIn: 'Data' }],
  ])('%s changes every logical ID: the DB, the key and the secret are orphaned, and look moved', (_name, placement) => {
    const report = checkTemplates(base, rdsTemplate({}, placement));

    for (const [resource, created] of [[db, 'a NEW, EMPTY DB instance'], [key, 'a NEW KMS key'], [secret, 'a NEW secret with a new generated password']]) {
      const orphan = theFinding(report, resource, 'orphan');
      expect(orphan.summary).toMatch(/logical ID changed: .* is new; it looks moved/);
      expect(orphan.consequence).toMatch(/kept outside the stack \(Retain\): orphaned and still billed/);
      expect(orphan.consequence).toContain(`is created as ${created}.`);
      expect(orphan.fix).toMatch(/`cdk refactor`/);
    }
    expect(report.findings.every((f) => f.change === 'orphan')).toBe(true);
  });

  test('a major version upgrade 16 → 17 is blocked without AllowMajorVersionUpgrade', () => {
    const report = checkTemplates(base, rdsTemplate({ engine: DatabaseEngine.POSTGRES_17 }));

    expect(kinds(report)).toEqual([`${db} blocked`]);
    const blocked = theFinding(report, db, 'blocked');
    expect(blocked.summary).toMatch(/EngineVersion "16\.9" → "17\.5" \(major 16 → 17\) without AllowMajorVersionUpgrade/);
    expect(blocked.consequence).toMatch(/RDS refuses a major version upgrade.*rolls back/);
    expect(blocked.fix).toMatch(/AllowMajorVersionUpgrade: true together with a parameter group of family "postgres17"/);
  });

  test('a parameter group whose family does not match the new engine version is blocked', () => {
    const after = rdsTemplate({ engine: DatabaseEngine.POSTGRES_17 }) as any;
    const group = logicalId(after, 'AWS::RDS::DBParameterGroup');
    after.Resources[group].Properties.Family = 'postgres16';
    after.Resources[logicalId(after, INSTANCE)].Properties.AllowMajorVersionUpgrade = true;
    const report = checkTemplates(base, after);

    expect(kinds(report)).toEqual([`Database/${group} blocked`]);
    const blocked = theFinding(report, `Database/${group}`, 'blocked');
    expect(blocked.summary).toMatch(/Family "postgres16" does not match EngineVersion "17\.5" .* \(which needs "postgres17"\)/);
    expect(blocked.consequence).toMatch(/RDS refuses a parameter group of another family/);
    expect(blocked.fix).toMatch(/family "postgres17"/);
  });

  test('preset PRODUCTION → DEVELOPMENT on Aurora leaves a retained reader (the library before issue 12) behind, attached and billed', () => {
    // The library now deletes readers that leave the template (test/aws/independent-rds.deploy-safety.test.ts);
    // a reader deployed with DeletionPolicy Retain is still caught.
    const before = rdsTemplate({ engine: DatabaseEngine.AURORA_POSTGRES_16 }) as any;
    const readerId = logicalId(before, INSTANCE, 'DatabaseReader');
    before.Resources[readerId].DeletionPolicy = 'Retain';
    const reader = `Database/${readerId}`;
    const report = checkTemplates(before, rdsTemplate({ engine: DatabaseEngine.AURORA_POSTGRES_16, preset: DatabasePreset.DEVELOPMENT }));

    const orphan = theFinding(report, reader, 'orphan');
    expect(orphan.summary).toMatch(/removed from the template \(DeletionPolicy Retain\)/);
    expect(orphan.consequence).toMatch(/old cluster instance is kept outside the stack \(Retain\): it stays attached to the cluster, serving and billed/);
    expect(orphan.fix).toMatch(/Keep the instance in the template .* or delete it yourself \(aws rds delete-db-instance\)/);
  });

  test('automated backups turned off (retention 1 → 0) is an outage that deletes the backups', () => {
    const dev = { preset: DatabasePreset.DEVELOPMENT };
    const report = checkTemplates(rdsTemplate(dev), rdsTemplate({ ...dev, backupRetention: Duration.days(0) }));

    expect(kinds(report)).toEqual([`${db} outage`]);
    const outage = theFinding(report, db, 'outage');
    expect(outage.summary).toMatch(/BackupRetentionPeriod 1 → 0 \(automated backups turned off\)/);
    expect(outage.consequence).toMatch(/outage .* deletes every automated backup/);
    expect(outage.fix).toMatch(/manual snapshot first/);
  });
});

describe('the Kubernetes rows of issue 12', () => {
  const base = sharedPostgresObjects();
  const statefulSet = 'StatefulSet/production/postgres';

  test('storageSize changes volumeClaimTemplates: kubectl apply fails; grow the claims instead', () => {
    const report = checkObjects(base, sharedPostgresObjects({ storageSize: '20Gi' }));

    expect(kinds(report)).toEqual([`${statefulSet} k8s-immutable`]);
    const f = theFinding(report, statefulSet, 'k8s-immutable');
    expect(f.summary).toMatch(/volumeClaimTemplates \(data: storage "10Gi" → "20Gi"\)/);
    expect(f.consequence).toMatch(/kubectl apply fails with "Forbidden: updates to statefulset spec/);
    expect(f.fix).toMatch(/patch pvc data-postgres-<ordinal>.*delete statefulset postgres --cascade=orphan/);
  });

  test('storageClassName changes volumeClaimTemplates: kubectl apply fails; the data must move', () => {
    const report = checkObjects(base, sharedPostgresObjects({ storageClassName: 'fast-ssd' }));

    expect(kinds(report)).toEqual([`${statefulSet} k8s-immutable`]);
    const f = theFinding(report, statefulSet, 'k8s-immutable');
    expect(f.summary).toMatch(/data: storageClassName \(absent\) → "fast-ssd"/);
    expect(f.consequence).toMatch(/kubectl apply fails/);
    expect(f.fix).toMatch(/storage class cannot change under existing volumes/);
  });

  test('name creates a new StatefulSet with empty volumes while postgres-service moves to it', () => {
    const report = checkObjects(base, sharedPostgresObjects({ name: 'pg' }));

    const f = theFinding(report, statefulSet, 'k8s-data-moved');
    expect(f.summary).toMatch(/renamed: StatefulSet\/production\/postgres is gone and StatefulSet\/production\/pg is new/);
    expect(f.consequence).toMatch(/data in data-postgres-0… stays behind/);
    expect(f.consequence).toMatch(/NEW, EMPTY volumes.*Service postgres-service now sends the apps to it/);
    expect(f.fix).toMatch(/Keep the name postgres/);
  });

  test('image 15 → 16 applies cleanly, then PostgreSQL 16 cannot open the 15 data directory', () => {
    // SharedPostgres refuses the plain image bump; declaring the deployed server a new one gets it through.
    const report = checkObjects(base, sharedPostgresObjects({ image: 'postgres:16-alpine', postgresMajorVersion: 16 }));

    expect(kinds(report)).toEqual([`${statefulSet} k8s-major-upgrade`]);
    const f = theFinding(report, statefulSet, 'k8s-major-upgrade');
    expect(f.summary).toMatch(/"postgres:15-alpine" → "postgres:16-alpine" \(PostgreSQL 15 → 16\)/);
    expect(f.consequence).toMatch(/PostgreSQL 16 refuses the PostgreSQL 15 data directory/);
    expect(f.fix).toMatch(/pg_dumpall/);
  });

  test('a minor image update, more memory and more connections give no finding', () => {
    const after = sharedPostgresObjects({ image: 'postgres:15.8-alpine', memoryLimit: '1Gi', maxConnections: 200 });
    expect(checkObjects(base, after).findings).toEqual([]);
  });
});

describe('harmless changes give no finding', () => {
  const base = rdsTemplate();

  test.each([
    ['backup retention 7 → 14 days', () => rdsTemplate({ backupRetention: Duration.days(14) })],
    ['instance class', () => rdsTemplate({ instanceClass: 'db.m6g.xlarge' })],
    ['storage growth', () => rdsTemplate({ allocatedStorage: 50, maxAllocatedStorage: 200 })],
    ['Multi-AZ off', () => rdsTemplate({ multiAz: false })],
    ['a minor version', () => rdsTemplate({ engine: DatabaseEngine.postgres('16.10') })],
    ['adding a proxy', () => rdsTemplate({}, { extras: (_s, db) => new RdsProxy(db, 'Proxy', { database: db }) })],
    ['adding replica autoscaling', () => rdsTemplate({}, { extras: (s, db) => new ReplicaAutoscaling(s, 'ReadScaling', { database: db }) })],
    ['tags', () => rdsTemplate({}, { extras: (s) => Tags.of(s).add('team', 'payments') })],
  ])('%s', (_name, after) => {
    const report = checkTemplates(base, after());
    expect(report.findings).toEqual([]);
    expect(report.compared).toEqual(['stack Database']);
  });

  test('all of them at once', () => {
    const after = rdsTemplate({
      backupRetention: Duration.days(14),
      instanceClass: 'db.m6g.xlarge',
      allocatedStorage: 50,
      multiAz: false,
      engine: DatabaseEngine.postgres('16.10'),
    }, { extras: (s, db) => { new RdsProxy(s, 'Proxy', { database: db }); Tags.of(s).add('team', 'payments'); } });
    expect(checkTemplates(base, after).findings).toEqual([]);
  });

  test('backup retention 7 → 14 on Aurora gives no finding either', () => {
    const aurora = { engine: DatabaseEngine.AURORA_POSTGRES_16 };
    expect(checkTemplates(rdsTemplate(aurora), rdsTemplate({ ...aurora, backupRetention: Duration.days(14) })).findings).toEqual([]);
  });
});
