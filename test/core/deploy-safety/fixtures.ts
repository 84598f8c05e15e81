import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { IndependentRds, IndependentRdsProps } from '../../../src/aws';
import { DeploySafety, DeploySafetyFinding, DeploySafetyInput, DeploySafetyOptions, DeploySafetyReport } from '../../../src/core';
import { SharedPostgres, SharedPostgresProps } from '../../../src/k8s';
import { networkStack, plainStack } from '../../aws/fixtures';

/**
 * Before/after fixtures for the deploy-safety tests, synthesized from the library's own constructs
 * so that each fixture is exactly what the library emits for a changed prop.
 */

/** How the database construct is placed in its stack. */
export interface RdsPlacement {
  /** Construct id of the IndependentRds. @default 'Database' */
  readonly id?: string;
  /** Wrap it in one more construct with this id. @default - not wrapped */
  readonly wrapIn?: string;
  /** Adds more to the database stack (a proxy, replica autoscaling, tags, a key). */
  readonly extras?: (stack: Stack, db: IndependentRds) => void;
  /** Props computed in the stack (e.g. a key that lives there). */
  readonly propsIn?: (stack: Stack) => Partial<IndependentRdsProps>;
}

/** The Database stack's template of an IndependentRds with these props. */
export function rdsTemplate(props: Partial<IndependentRdsProps> = {}, placement: RdsPlacement = {}): { [key: string]: unknown } {
  const app = new App();
  const { vpc } = networkStack(app);
  const stack = plainStack(app, 'Database');
  const scope = placement.wrapIn ? new Construct(stack, placement.wrapIn) : stack;
  const db = new IndependentRds(scope, placement.id ?? 'Database', {
    vpc, databaseName: 'shop', username: 'shop', ...props, ...placement.propsIn?.(stack),
  });
  placement.extras?.(stack, db);
  return Template.fromStack(stack).toJSON();
}

/** The manifests of a SharedPostgres in namespace `production` with these props. */
export function sharedPostgresObjects(props: Partial<SharedPostgresProps> = {}): Array<{ [key: string]: unknown }> {
  const chart = Testing.chart();
  new SharedPostgres(chart, 'Postgres', { namespace: 'production', ...props });
  return Testing.synth(chart);
}

/** Checks two templates of the Database stack. */
export function checkTemplates(
  before: { [key: string]: unknown },
  after: { [key: string]: unknown },
  options?: DeploySafetyOptions,
): DeploySafetyReport {
  return DeploySafety.check(DeploySafetyInput.fromTemplate(before, 'Database'), DeploySafetyInput.fromTemplate(after, 'Database'), options);
}

/** Checks two sets of Kubernetes objects. */
export function checkObjects(before: Array<{ [key: string]: unknown }>, after: Array<{ [key: string]: unknown }>): DeploySafetyReport {
  return DeploySafety.check(DeploySafetyInput.fromKubernetesObjects(before), DeploySafetyInput.fromKubernetesObjects(after));
}

/** The logical id of the only resource of a type in a template (or the one whose id starts with `prefix`). */
export function logicalId(template: { [key: string]: unknown }, type: string, prefix = ''): string {
  const resources = template.Resources as { [id: string]: { Type: string } };
  const ids = Object.keys(resources).filter((id) => resources[id].Type === type && id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} starting with '${prefix}', found ${ids.join(', ') || 'none'}`);
  return ids[0];
}

/** The findings as `resource change` lines, for readable assertions. */
export function kinds(report: DeploySafetyReport): string[] {
  return report.findings.map((f: DeploySafetyFinding) => `${f.resource} ${f.change}`).sort();
}

/** The one finding for a resource and change; fails with the whole report otherwise. */
export function theFinding(report: DeploySafetyReport, resource: string, change: string): DeploySafetyFinding {
  const found = report.findings.filter((f) => f.resource === resource && f.change === change);
  if (found.length !== 1) throw new Error(`expected one ${change} finding on ${resource}; the report is:\n${DeploySafety.formatReport(report)}`);
  return found[0];
}

/** A minimal cloud assembly (manifest.json and one template per stack) in a new temporary directory. */
export function writeAssembly(stacks: { [name: string]: object }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assembly-'));
  const artifacts: { [id: string]: object } = {};
  for (const [name, template] of Object.entries(stacks)) {
    fs.writeFileSync(path.join(dir, `${name}.template.json`), JSON.stringify(template));
    artifacts[name] = { type: 'aws:cloudformation:stack', properties: { templateFile: `${name}.template.json` } };
  }
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '44.0.0', artifacts }));
  return dir;
}

/** The command line's source, relative to the repository root. */
export const CLI_SOURCE = 'src/core/deploy-safety/cli.ts';

/** Runs the `cdk-db-safety` command line in a child process (through ts-node). */
export function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const root = path.join(__dirname, '..', '..', '..');
  const res = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(root, CLI_SOURCE), ...args], {
    cwd: root,
    encoding: 'utf-8',
    env: { ...process.env, TS_NODE_PROJECT: path.join(root, 'tsconfig.json') },
    timeout: 120_000,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}
