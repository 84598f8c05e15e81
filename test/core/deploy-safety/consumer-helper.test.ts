import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rdsTemplate } from './fixtures';
import { DeploySafety, DeploySafetyInput } from '../../../src/core';

/**
 * The test helper as a consumer repository uses it: the template deployed last is committed as a
 * file (from `cdk synth`, or `aws cloudformation get-template`), and a jest test compares today's
 * synthesis with it.
 */

let committed: string;
beforeAll(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-'));
  committed = path.join(dir, 'Database.template.json');
  fs.writeFileSync(committed, JSON.stringify(rdsTemplate(), undefined, 1));
});
afterAll(() => fs.rmSync(path.dirname(committed), { recursive: true, force: true }));

test('today\'s synthesis with a harmless change passes', () => {
  const today = DeploySafetyInput.fromTemplate(rdsTemplate({ instanceClass: 'db.m6g.xlarge' }), 'Database');
  expect(DeploySafety.assertSafe(DeploySafetyInput.fromPath(committed), today).findings).toEqual([]);
});

test('throws on today\'s synthesis with an unsafe change, naming the resource, the consequence and the fix', () => {
  const today = DeploySafetyInput.fromTemplate(rdsTemplate({ databaseName: 'orders' }), 'Database');
  expect(() => DeploySafety.assertSafe(DeploySafetyInput.fromPath(committed), today))
    .toThrow(/^DeploySafety: path .*Database\.template\.json → template Database is not safe to deploy\.\n\nUNSAFE replace: Database\/Database[0-9A-F]{8} \(AWS::RDS::DBInstance\)\n  change:      DBName "shop" → "orders"[\s\S]*consequence: [\s\S]*fix: [\s\S]*UNSAFE: 1 unsafe change\.$/);
});
