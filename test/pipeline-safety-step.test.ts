import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { examples, synthesizeExample } from '../examples/catalog';
import { logicalId } from './core/deploy-safety/fixtures';

/**
 * The deploy-safety step of examples/pipeline.ts, run as CodeBuild would run it: the build
 * commands are taken from the synthesized buildspec, in a directory with `cdk.out` (the synthesized
 * example), a stand-in `aws` command playing CloudFormation, and `npx cdk-db-safety` running the
 * checker's command line from src/. Exit 0 lets the pipeline go on, anything else stops it.
 */

const root = path.join(__dirname, '..');
const example = examples().find((e) => e.name === 'pipeline')!;
let work: string;
let cdkOut: string;
let commands: string;
let deployed: any;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-step-'));
  cdkOut = path.join(work, 'synth');
  synthesizeExample(example, cdkOut);
  const pipeline = JSON.parse(fs.readFileSync(path.join(cdkOut, 'Pipeline.template.json'), 'utf-8'));
  const project = Object.entries<any>(pipeline.Resources).find(([id, r]) => r.Type === 'AWS::CodeBuild::Project' && id.includes('DatabaseSafety'))![1];
  commands = JSON.parse(project.Properties.Source.BuildSpec).phases.build.commands.join('\n');
  const dir = path.join(cdkOut, 'assembly-Prod');
  deployed = JSON.parse(fs.readFileSync(path.join(dir, fs.readdirSync(dir).find((f) => /^ProdDatabase.*\.template\.json$/.test(f))!), 'utf-8'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Runs the step's commands with CloudFormation answering `describe-stacks` as given. */
function runStep(cloudFormation: { template?: object; describeError?: string }): { status: number | null; out: string } {
  const dir = fs.mkdtempSync(path.join(work, 'run-'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(cdkOut, path.join(dir, 'cdk.out'));
  if (cloudFormation.template) fs.writeFileSync(path.join(dir, 'deployed.json'), JSON.stringify({ TemplateBody: cloudFormation.template, StagesAvailable: ['Original', 'Processed'] }));
  const script = (body: string) => `#!/bin/sh\n${body}\n`;
  fs.writeFileSync(path.join(bin, 'aws'), script([
    'case "$2" in',
    '  describe-stacks)',
    cloudFormation.describeError ? `    echo "${cloudFormation.describeError}" >&2; exit 254;;` : '    echo "{}"; exit 0;;',
    `  get-template) cat "${path.join(dir, 'deployed.json')}";;`,
    '  *) echo "unexpected aws call: $*" >&2; exit 99;;',
    'esac',
  ].join('\n')), { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'npx'), script([
    '[ "$1" = cdk-db-safety ] || { echo "unexpected npx call: $*" >&2; exit 99; }',
    'shift',
    `exec "${process.execPath}" -r ts-node/register/transpile-only "${path.join(root, 'src/core/deploy-safety/cli.ts')}" "$@"`,
  ].join('\n')), { mode: 0o755 });
  const res = spawnSync('bash', ['-c', commands], {
    cwd: dir,
    encoding: 'utf-8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, TS_NODE_PROJECT: path.join(root, 'tsconfig.json'), NODE_PATH: path.join(root, 'node_modules') },
    timeout: 120_000,
  });
  return { status: res.status, out: `${res.stdout}${res.stderr}` };
}

test('the deployed database stack equal to the new one: exit 0, the pipeline goes on', () => {
  const res = runStep({ template: deployed });
  expect(res.out).toContain('SAFE: no unsafe change.');
  expect(res.status).toBe(0);
});

test('a deployed database whose DBName differs (the new template would replace it): exit 1, the pipeline stops', () => {
  const before = JSON.parse(JSON.stringify(deployed));
  before.Resources[logicalId(before, 'AWS::RDS::DBInstance')].Properties.DBName = 'orders';
  const res = runStep({ template: before });
  expect(res.out).toMatch(/UNSAFE replace: Prod-Database\/Database[0-9A-F]{8} \(AWS::RDS::DBInstance\)\n  change: {6}DBName "orders" → "shop"/);
  expect(res.status).toBe(1);
});

test('the first deploy: nothing to compare, exit 0', () => {
  const res = runStep({ describeError: 'An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id Prod-Database does not exist' });
  expect(res.out).toContain('Prod-Database is not deployed yet: nothing to compare');
  expect(res.status).toBe(0);
});

test('any other CloudFormation error (no permission): exit 2, the pipeline stops rather than skip the check', () => {
  const res = runStep({ describeError: 'An error occurred (AccessDenied) when calling the DescribeStacks operation: not authorized' });
  expect(res.out).toContain('AccessDenied');
  expect(res.status).toBe(2);
});
