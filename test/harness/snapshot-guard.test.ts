import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Snapshots are change detectors only if they can fail. This runs jest with the exact arguments of
 * the project's `test` task against a throw-away snapshot, flips one byte of the snapshot and
 * expects the run to fail.
 */
describe('snapshot guard', () => {
  const repo = path.resolve(__dirname, '..', '..');
  const tasks = JSON.parse(fs.readFileSync(path.join(repo, '.projen', 'tasks.json'), 'utf-8')).tasks;
  const jestStep = tasks.test.steps.find((s: any) => Array.isArray(s.execArgs) && s.execArgs[0] === 'jest');

  test('the test task never updates snapshots', () => {
    expect(jestStep).toBeDefined();
    expect(jestStep.execArgs).toContain('--ci');
    expect(jestStep.execArgs.join(' ')).not.toMatch(/--updateSnapshot|(^| )-u( |$)|--passWithNoTests/);
  });

  test('a snapshot with one changed byte fails the test run', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snapguard-'));
    fs.writeFileSync(path.join(dir, 'guard.test.js'), "test('manifest', () => { expect({ kind: 'Job', backoffLimit: 4 }).toMatchSnapshot(); });\n");
    const jest = path.join(repo, 'node_modules', '.bin', 'jest');
    const run = (extra: string[]) =>
      spawnSync(jest, ['--rootDir', dir, '--config', '{}', '--coverage=false', ...extra], { cwd: dir, encoding: 'utf-8', env: { ...process.env, CI: 'true' } });

    // Write the snapshot deliberately, as `npx projen test:update` does.
    expect(run(['--ci=false', '--updateSnapshot']).status).toBe(0);
    const snap = path.join(dir, '__snapshots__', 'guard.test.js.snap');
    expect(run(jestStep.execArgs.slice(1)).status).toBe(0);

    const text = fs.readFileSync(snap, 'utf-8');
    fs.writeFileSync(snap, text.replace('"backoffLimit": 4', '"backoffLimit": 5'));
    const broken = run(jestStep.execArgs.slice(1));
    expect(broken.status).not.toBe(0);
    expect(broken.stderr).toMatch(/1 snapshot failed/);
    // And the failing run left the snapshot as it was.
    expect(fs.readFileSync(snap, 'utf-8')).toMatch(/"backoffLimit": 5/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
