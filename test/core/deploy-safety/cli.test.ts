import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI_SOURCE, runCli, writeAssembly } from './fixtures';
import { main, USAGE } from '../../../src/core/deploy-safety/cli';

/**
 * The `cdk-db-safety` command line: each exit code by spawning it (through ts-node, as the
 * package's `bin` runs the compiled file), and its options in-process.
 */

const root = path.join(__dirname, '..', '..', '..');
const CLI = path.join(root, CLI_SOURCE);

/** Runs `main` in this process and captures what it prints. */
function runMain(args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(args, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

const db = (name: string) => ({ Resources: { Db: { Type: 'AWS::RDS::DBInstance', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { Engine: 'postgres', DBName: name } } } });

let shop: string;
let shopAgain: string;
let orders: string;
beforeAll(() => {
  shop = writeAssembly({ Database: db('shop') });
  shopAgain = writeAssembly({ Database: db('shop') });
  orders = writeAssembly({ Database: db('orders') });
});
afterAll(() => [shop, shopAgain, orders].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('exit codes of the spawned command line', () => {
  test('0 when the change is safe', () => {
    const res = runCli(['--before', shop, '--after', shopAgain]);
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/compared: stack Database\n\nSAFE: no unsafe change\.\n$/);
    expect(res.status).toBe(0);
  });

  test('1 on an unsafe finding, printed with its consequence, fix and allow line', () => {
    const res = runCli(['--before', shop, '--after', orders]);
    expect(res.stdout).toMatch(/^UNSAFE replace: Database\/Db \(AWS::RDS::DBInstance\)\n  change:      DBName "shop" → "orders" \(create-only\)\n  consequence: .*EMPTY DB instance.*\n  fix:         Revert DBName to "shop"\..*\n  allow with:  --allow Database\/Db:replace\n/);
    expect(res.stdout).toMatch(/UNSAFE: 1 unsafe change\.\n$/);
    expect(res.status).toBe(1);
  });

  test('0 when every finding is allowed', () => {
    const res = runCli(['--before', shop, '--after', orders, '--allow', 'Database/Db:replace']);
    expect(res.stdout).toMatch(/^ALLOWED replace: Database\/Db/);
    expect(res.stdout).toMatch(/SAFE: no unsafe change \(1 allowed\)\.\n$/);
    expect(res.status).toBe(0);
  });

  test('2 on bad usage: a missing input', () => {
    const res = runCli(['--before', shop]);
    expect(res.stderr).toMatch(/^cdk-db-safety: --after must be given \(got none\)\./);
    expect(res.stderr).toContain('Usage: cdk-db-safety --before <path> --after <path>');
    expect(res.status).toBe(2);
  });

  test('2 on bad usage: a path that does not exist', () => {
    const res = runCli(['--before', shop, '--after', path.join(os.tmpdir(), 'no-such-cdk.out')]);
    expect(res.stderr).toMatch(/^cdk-db-safety: DeploySafetyInput: after must be an existing file or directory/);
    expect(res.status).toBe(2);
  });
});

describe('options, in-process', () => {
  test('--help prints the usage and exits 0', () => {
    expect(runMain(['--help'])).toEqual({ code: 0, out: `${USAGE}\n`, err: '' });
  });

  test.each([
    [['--before', 'a', '--after', 'b', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['--before', 'a', 'b'], /positional/i],
    [['--before'], /--before/],
    [[], /--before and --after must be given/],
  ])('throws usage errors (exit 2) for %j', (args, message) => {
    const res = runMain(args as string[]);
    expect(res.code).toBe(2);
    expect(res.err).toMatch(message);
    expect(res.out).toBe('');
  });

  test('throws a usage error (exit 2) on a malformed --allow', () => {
    const res = runMain(['--before', shop, '--after', orders, '--allow', 'Database/Db']);
    expect(res.code).toBe(2);
    expect(res.err).toMatch(/^cdk-db-safety: DeploySafety: allow\[0\] must be <resource>:<change>/);
  });

  test('throws a usage error (exit 2) on an unknown --stack', () => {
    const res = runMain(['--before', shop, '--after', orders, '--stack', 'Nope']);
    expect(res.code).toBe(2);
    expect(res.err).toMatch(/stackName must name a stack of before/);
  });

  test('--json prints the report as JSON; an unused --allow is reported', () => {
    const res = runMain(['--before', shop, '--after', orders, '--json', '--allow', 'Other:orphan']);
    expect(res.code).toBe(1);
    const report = JSON.parse(res.out);
    expect(report.findings.map((f: { resource: string; change: string }) => `${f.resource}:${f.change}`)).toEqual(['Database/Db:replace']);
    expect(report.unusedAllows).toEqual(['Other:orphan']);
    expect(runMain(['--before', shop, '--after', orders, '--allow', 'Other:orphan']).out).toContain('warning: --allow Other:orphan matched no finding');
  });

  test('the package ships it as the `cdk-db-safety` bin, compiled from this file with its #! line', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf-8'));
    expect(pkg.bin).toEqual({ 'cdk-db-safety': 'lib/core/deploy-safety/cli.js' });
    expect(pkg.bin['cdk-db-safety'].replace(/^lib\//, 'src/').replace(/\.js$/, '.ts')).toBe(path.relative(root, CLI));
    expect(fs.readFileSync(CLI, 'utf-8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(pkg.bundledDependencies).toContain('yaml');
  });
});
