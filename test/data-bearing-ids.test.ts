import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Example, examples, synthesizeExample } from '../examples/catalog';
import { compareIds, dataBearingIds, IdList, renderIdList } from './harness/data-bearing-ids';

/**
 * The logical-ID lock: the logical IDs (and types) of every data-bearing CloudFormation resource
 * (DB instances and clusters, KMS keys, secrets, hosted zones) and the names of every data-bearing
 * Kubernetes object (StatefulSets and their claim templates, PersistentVolumeClaims, Secrets) in the
 * examples are committed in test/data-bearing-ids.json, one line each. A refactor of the library
 * that changes one would orphan users' databases; this test fails and says what to do.
 *
 * To change the list deliberately: UPDATE_DATA_BEARING_IDS=1 npx jest test/data-bearing-ids.test.ts,
 * commit the file, and add a changelog entry for every id that changed.
 */

const LIST = 'test/data-bearing-ids.json';
const listFile = path.join(__dirname, '..', LIST);
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'data-bearing-ids-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function idsOf(example: Example): IdList {
  return dataBearingIds(example.name, synthesizeExample(example, path.join(scratch, example.name)));
}

test('every example keeps the logical IDs and names of its data-bearing resources', () => {
  const current: IdList = Object.assign({}, ...examples().map(idsOf));
  if (process.env.UPDATE_DATA_BEARING_IDS === '1') {
    fs.writeFileSync(listFile, renderIdList(current));
    return;
  }
  const locked = JSON.parse(fs.readFileSync(listFile, 'utf-8')) as IdList;
  const difference = compareIds(locked, current, LIST);
  if (difference) throw new Error(difference);
  // The committed file is exactly what the update writes: sorted, one line per resource.
  expect(fs.readFileSync(listFile, 'utf-8')).toBe(renderIdList(current));
});

test('the list covers every kind it locks', () => {
  const kinds = new Set(Object.values(JSON.parse(fs.readFileSync(listFile, 'utf-8')) as IdList).map((v) => v.split(' ')[0]));
  for (const kind of ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::Route53::HostedZone',
    'StatefulSet', 'volumeClaimTemplate', 'PersistentVolumeClaim', 'Secret', 'Cluster']) {
    expect(kinds).toContain(kind);
  }
});

describe('a renamed construct in a copy of an example', () => {
  // examples/beanstalk-app-with-independent-rds.ts, copied with its IndependentRds id 'Database' → 'Db'.
  const original = examples().find((e) => e.name === 'beanstalk-app-with-independent-rds')!;
  const root = path.join(__dirname, '..');
  // Inside the repository, so that the copy resolves aws-cdk-lib and cdk-nag from its node_modules.
  fs.mkdirSync(path.join(root, '.tmp'), { recursive: true });
  const copyDir = fs.mkdtempSync(path.join(root, '.tmp', 'renamed-example-'));
  afterAll(() => fs.rmSync(copyDir, { recursive: true, force: true }));

  const source = fs.readFileSync(original.file, 'utf-8');
  const renamed = source
    .replace(/from '\.\.\/src\/([^']+)'/g, (_m, p: string) => `from '${path.join(root, 'src', p)}'`)
    .replace("new IndependentRds(data, 'Database',", "new IndependentRds(data, 'Db',");
  const copyFile = path.join(copyDir, 'beanstalk-app-with-independent-rds.ts');
  fs.writeFileSync(copyFile, renamed);

  test('is reported: every data-bearing resource of the database is gone under its old id and new under another', () => {
    expect(renamed).not.toBe(source);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const copy: Example = { name: original.name, file: copyFile, build: require(copyFile).build };
    const difference = compareIds(idsOf(original), idsOf(copy), LIST);

    expect(difference).toBeDefined();
    for (const type of ['AWS::RDS::DBInstance', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret']) {
      expect(difference).toMatch(new RegExp(`- gone: +beanstalk-app-with-independent-rds Database/Database(Key|Secret)?[0-9A-F]{8} \\(${type}\\)`));
      expect(difference).toMatch(new RegExp(`\\+ new: +beanstalk-app-with-independent-rds Database/Db(Key|Secret)?[0-9A-F]{8} \\(${type}\\)`));
    }
    expect(difference).toContain('UPDATE_DATA_BEARING_IDS=1 npx jest test/data-bearing-ids.test.ts');
    expect(difference).toMatch(/add a changelog entry .*`cdk refactor`/);
  });

  test('an addition alone asks for the list to be updated, without a changelog entry', () => {
    const difference = compareIds({}, { 'x Database/Key': 'AWS::KMS::Key' }, LIST)!;
    expect(difference).toMatch(/\+ new: +x Database\/Key \(AWS::KMS::Key\)/);
    expect(difference).not.toMatch(/changelog/);
  });

  test('a type change under the same id is reported', () => {
    expect(compareIds({ 'x S/Db': 'AWS::RDS::DBInstance' }, { 'x S/Db': 'AWS::RDS::DBCluster' }, LIST))
      .toMatch(/~ changed: x S\/Db \(AWS::RDS::DBInstance → AWS::RDS::DBCluster\)/);
  });
});
