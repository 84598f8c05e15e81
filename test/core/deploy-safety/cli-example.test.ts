import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { logicalId, runCli } from './fixtures';
import { examples, synthesizeExample } from '../../../examples/catalog';

/**
 * The command line on the real synthesis of an example, before and after a change:
 * examples/beanstalk-app-with-independent-rds.ts as it is, then a variant with another
 * `databaseName`. The variant is the same example with IndependentRds receiving
 * `databaseName: 'orders'` (the module is wrapped below), so both cdk.out directories are what
 * `cdk synth` writes for the example.
 */

let mockDatabaseName: string | undefined;

jest.mock('../../../src/aws', () => {
  const actual = jest.requireActual('../../../src/aws');
  class IndependentRdsVariant extends actual.IndependentRds {
    constructor(scope: unknown, id: string, props: { databaseName?: string }) {
      super(scope, id, mockDatabaseName === undefined ? props : { ...props, databaseName: mockDatabaseName });
    }
  }
  return { ...actual, IndependentRds: IndependentRdsVariant };
});

const example = examples().find((e) => e.name === 'beanstalk-app-with-independent-rds')!;
let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'safety-example-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('a changed databaseName in the example: exit 1 with a replace finding on the DB instance, and no re-key of its secret', () => {
  const before = path.join(root, 'before');
  const after = path.join(root, 'after');
  mockDatabaseName = undefined;
  synthesizeExample(example, before);
  mockDatabaseName = 'orders';
  synthesizeExample(example, after);

  const template = JSON.parse(fs.readFileSync(path.join(before, 'Database.template.json'), 'utf-8'));
  const db = `Database/${logicalId(template, 'AWS::RDS::DBInstance')}`;
  const secret = `Database/${logicalId(template, 'AWS::SecretsManager::Secret', 'DatabaseSecret')}`;

  const res = runCli(['--before', before, '--after', after]);
  expect(res.stderr).toBe('');
  expect(res.stdout).toContain(`UNSAFE replace: ${db} (AWS::RDS::DBInstance)\n  change:      DBName "shop" → "orders" (create-only)`);
  // The secret's generation template does not hold dbname, so the password stays.
  expect(res.stdout).not.toContain(secret);
  expect(res.stdout).toContain('compared: stack App, stack Database, stack Network');
  expect(res.stdout).toMatch(/UNSAFE: 1 unsafe change\.\n$/);
  expect(res.status).toBe(1);

  // The same cdk.out against itself is safe, and the finding can be allowed.
  expect(runCli(['--before', before, '--after', before]).status).toBe(0);
  expect(runCli(['--before', before, '--after', after, '--allow', `${db}:replace`]).status).toBe(0);
});
