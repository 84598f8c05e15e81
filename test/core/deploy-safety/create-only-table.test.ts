import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCreateOnlyProperties, renderTable, TABLE_FILE, typesOf } from '../../../projenrc/deploy-safety-table';
import { DATA_BEARING_TYPES } from '../../../src/core/deploy-safety/private/cfn-data-bearing';
import { CREATE_ONLY_PROPERTIES } from '../../../src/core/deploy-safety/private/create-only-properties.generated';
import { toolOrSkip } from '../../harness';

/**
 * The checker's table of create-only properties is generated from the CloudFormation resource
 * schemas cfn-lint ships. Regenerating it from the installed cfn-lint must give the committed file
 * byte for byte, so the table cannot go stale silently. (test/examples.test.ts checks that every
 * resource type the examples emit is in the table.)
 */

const root = path.join(__dirname, '..', '..', '..');

test('the committed table is what the installed cfn-lint schemas give', () => {
  if (!toolOrSkip('cfn-lint')) return;
  const regenerated = renderTable(readCreateOnlyProperties(typesOf(CREATE_ONLY_PROPERTIES as { [type: string]: string[] | null })));
  const committed = fs.readFileSync(path.join(root, TABLE_FILE), 'utf-8');
  if (regenerated !== committed) {
    throw new Error(`${TABLE_FILE} is stale: the installed cfn-lint's schemas differ. Run \`npx projen deploy-safety:table\` and commit the result.`);
  }
});

test('the table knows the create-only properties that matter for databases', () => {
  for (const type of DATA_BEARING_TYPES) expect(CREATE_ONLY_PROPERTIES[type]).toBeDefined();
  expect(CREATE_ONLY_PROPERTIES['AWS::RDS::DBInstance']).toEqual(expect.arrayContaining(['DBName', 'MasterUsername', 'KmsKeyId', 'StorageEncrypted', 'DBClusterIdentifier']));
  expect(CREATE_ONLY_PROPERTIES['AWS::RDS::DBCluster']).toEqual(expect.arrayContaining(['DatabaseName', 'KmsKeyId', 'StorageEncrypted']));
  // What must NOT replace: the harmless changes.
  for (const harmless of ['BackupRetentionPeriod', 'DBInstanceClass', 'AllocatedStorage', 'MultiAZ', 'EngineVersion', 'Tags']) {
    expect(CREATE_ONLY_PROPERTIES['AWS::RDS::DBInstance']).not.toContain(harmless);
  }
});

test('the table is rendered deterministically, sorted by type, with null for types without a schema', () => {
  const text = renderTable({ 'B::X::Y': ['b', 'a'], 'A::X::Y': null });
  expect(text.indexOf("'A::X::Y': null")).toBeLessThan(text.indexOf("'B::X::Y': ['b', 'a']"));
  expect(renderTable({ 'A::X::Y': null, 'B::X::Y': ['b', 'a'] })).toBe(text);
});
