import { DatabaseEngine } from '../../src/aws';
import { checkTemplates, kinds, logicalId, rdsTemplate } from '../core/deploy-safety/fixtures';

/**
 * The minor-version policy (issue 14, part 3): the version in code is the version that runs.
 * Automatic minor version upgrades are off everywhere the library makes a DB instance, so RDS never
 * moves a database to a version the template does not name (aws-cdk#15475), and a minor upgrade is
 * a deployed change of `engine`.
 */

type Resources = { [id: string]: { Type: string; Properties?: any } };
const instances = (template: { [key: string]: unknown }) =>
  Object.entries(template.Resources as Resources).filter(([, r]) => r.Type === 'AWS::RDS::DBInstance');

describe('minor-version policy: pinned minor, automatic minor upgrades off', () => {
  test('the instance and its read replicas set AutoMinorVersionUpgrade: false', () => {
    const all = instances(rdsTemplate({ readReplicas: 2 }));
    expect(all).toHaveLength(3);
    for (const [, r] of all) expect(r.Properties.AutoMinorVersionUpgrade).toBe(false);
  });

  test('every Aurora instance (writer and readers) sets AutoMinorVersionUpgrade: false', () => {
    const all = instances(rdsTemplate({ engine: DatabaseEngine.AURORA_POSTGRES_16, readReplicas: 2 }));
    expect(all).toHaveLength(3);
    for (const [, r] of all) expect(r.Properties.AutoMinorVersionUpgrade).toBe(false);
  });

  test('the template names the full minor version that runs', () => {
    const [, instance] = instances(rdsTemplate())[0];
    expect(instance.Properties.EngineVersion).toBe(DatabaseEngine.POSTGRES_16.version);
    expect(instance.Properties.EngineVersion).toMatch(/^16\.\d+$/);
  });

  test('a minor upgrade is a deployed change of EngineVersion alone: same parameter group family, nothing replaced, the checker is quiet', () => {
    const before = rdsTemplate({ engine: DatabaseEngine.postgres('16.8') });
    const after = rdsTemplate({ engine: DatabaseEngine.postgres('16.9') });

    const id = logicalId(before, 'AWS::RDS::DBInstance');
    const b = (before.Resources as Resources)[id].Properties;
    const a = (after.Resources as Resources)[id].Properties;
    const changed = Object.keys({ ...a, ...b }).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    expect(changed).toEqual(['EngineVersion']);
    const group = logicalId(before, 'AWS::RDS::DBParameterGroup');
    expect((after.Resources as Resources)[group].Properties.Family).toBe('postgres16');
    expect(kinds(checkTemplates(before, after))).toEqual([]);
  });

  test('a minor "upgrade" to an older version than the template named is blocked by the checker (RDS refuses downgrades)', () => {
    const before = rdsTemplate({ engine: DatabaseEngine.postgres('16.9') });
    const report = checkTemplates(before, rdsTemplate({ engine: DatabaseEngine.postgres('16.8') }));
    expect(kinds(report)).toEqual([`Database/${logicalId(before, 'AWS::RDS::DBInstance')} blocked`]);
  });
});
