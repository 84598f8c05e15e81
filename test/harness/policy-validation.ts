import * as fs from 'node:fs';
import * as path from 'node:path';
import { IPolicyValidationPlugin, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { IConstruct } from 'constructs';

/**
 * Policy validation plugins (cdk-nag 3, the cfn-guard validator) run the way a consumer runs them:
 * registered with `Validations.of(app).addPlugins(...)`, invoked by aws-cdk-lib when the app
 * synthesizes, with `Validations.of(construct).acknowledge(...)` applied by the framework and the
 * plugins. What is left is read back from the report aws-cdk-lib writes into the cloud assembly.
 */

/** The part of `validation-report.json` the harness reads. */
interface ReportJson {
  readonly pluginReports: ReadonlyArray<{
    readonly pluginName: string;
    readonly violations: ReadonlyArray<ViolationJson>;
    readonly suppressedViolations?: ReadonlyArray<ViolationJson & { readonly acknowledgedAt?: string; readonly reason?: string }>;
    readonly metadata?: { readonly [key: string]: string };
  }>;
}

interface ViolationJson {
  readonly ruleName: string;
  readonly description: string;
  readonly violatingConstructs: ReadonlyArray<{ readonly constructPath?: string }>;
}

/** One violation of one resource that a plugin reported and nothing acknowledged. */
export interface PolicyFinding {
  /** The plugin's name: `AwsSolutions` (cdk-nag) or `cdk-validator-cfnguard`. */
  readonly plugin: string;
  /** The rule: `AwsSolutions-RDS11`, or the guard rule with its control, `CT.RDS.PR.20 rds_instance_default_port_check`. */
  readonly rule: string;
  /** The construct path of the resource, e.g. `Database/Database/Resource`. */
  readonly constructPath: string;
  /** The first line of the rule's description. */
  readonly description: string;
}

/** One violation that an acknowledgment suppressed, and where and why. */
export interface AcknowledgedFinding extends PolicyFinding {
  /** The construct path the acknowledgment was made on. */
  readonly acknowledgedAt: string;
  readonly reason: string;
}

const registered = new WeakMap<Stage, Set<string>>();

/** The App (or Stage) itself, or the one that holds the construct. */
function stageOf(scope: IConstruct): Stage {
  const stage = Stage.isStage(scope) ? scope : Stage.of(scope);
  if (!stage) throw new Error(`${scope.node.path} is not inside an App`);
  return stage;
}

/**
 * Registers a plugin on the app (the Stage) that holds `scope`, once per plugin name. Returns false
 * when it was already registered.
 */
export function addPolicyPlugin(scope: IConstruct, name: string, make: (app: Stage) => IPolicyValidationPlugin): boolean {
  const app = stageOf(scope);
  const names = registered.get(app) ?? new Set<string>();
  registered.set(app, names);
  if (names.has(name)) return false;
  Validations.of(app).addPlugins(make(app));
  names.add(name);
  return true;
}

/**
 * Synthesizes the app that holds `scope` (again, so the plugins registered since the last synthesis
 * run) and returns the assembly, whatever the plugins found. When a plugin reports an error,
 * aws-cdk-lib prints the report, and then throws (2.271 and later) or sets `process.exitCode = 1`;
 * the assembly and its report are written before that, so the harness reads them instead and
 * restores the exit code.
 */
export function synthValidated(scope: IConstruct): cxapi.CloudAssembly {
  const app = stageOf(scope);
  const exitCode = process.exitCode;
  try {
    return app.synth({ force: true });
  } catch (e) {
    // The error is aws-cdk-lib's ValidationFailed, whose message is the report or points to it.
    const report = path.join(app.outdir, cxapi.VALIDATION_REPORT_FILE);
    const text = `${(e as { code?: string }).code ?? ''} ${(e as Error).message ?? e}`;
    if (!/ValidationFailed|Validation failed|copy of this report can be found/.test(text) || !fs.existsSync(report)) throw e;
    return new cxapi.CloudAssembly(app.outdir);
  } finally {
    process.exitCode = exitCode;
  }
}

function readReport(assembly: cxapi.CloudAssembly): ReportJson | undefined {
  const file = path.join(assembly.directory, cxapi.VALIDATION_REPORT_FILE);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf-8')) as ReportJson : undefined;
}

function findings(violation: ViolationJson, plugin: string): PolicyFinding[] {
  // cfn-guard rules are named after the check; the Control Tower control id leads the description.
  const control = /^\s*\[(CT\.[A-Z0-9-]+\.PR\.\d+)\]/.exec(violation.description)?.[1];
  const rule = control ? `${control} ${violation.ruleName}` : violation.ruleName;
  const description = violation.description.trim().split('\n')[0].replace(/^\[CT\.[^\]]+\]:\s*/, '');
  return violation.violatingConstructs.map((c) => ({ plugin, rule, constructPath: c.constructPath ?? '?', description }));
}

/**
 * The unacknowledged findings in an assembly synthesized with plugins, optionally of one plugin.
 * A plugin that failed to run (its report carries an error) is a finding too.
 */
export function policyFindingsInAssembly(assembly: cxapi.CloudAssembly, plugin?: string): PolicyFinding[] {
  const report = readReport(assembly);
  return (report?.pluginReports ?? [])
    .filter((r) => plugin === undefined || r.pluginName === plugin)
    .flatMap((r) => [
      ...r.violations.flatMap((v) => findings(v, r.pluginName)),
      ...(r.metadata?.error ? [{ plugin: r.pluginName, rule: 'plugin-error', constructPath: '', description: r.metadata.error }] : []),
    ]);
}

/** The findings an acknowledgment suppressed, with where it was made and its reason. */
export function acknowledgedFindingsInAssembly(assembly: cxapi.CloudAssembly, plugin?: string): AcknowledgedFinding[] {
  const report = readReport(assembly);
  return (report?.pluginReports ?? [])
    .filter((r) => plugin === undefined || r.pluginName === plugin)
    .flatMap((r) => (r.suppressedViolations ?? []).flatMap((v) =>
      findings(v, r.pluginName).map((f) => ({ ...f, acknowledgedAt: v.acknowledgedAt ?? '?', reason: v.reason ?? '' }))));
}

/** Only the findings on resources inside `stack`. */
export function inStack(found: PolicyFinding[], stack: Stack): PolicyFinding[] {
  const prefix = `${stack.node.path}/`;
  return found.filter((f) => f.constructPath.startsWith(prefix));
}

/** `rule at path: description`, one line per finding. */
export function formatFindings(found: PolicyFinding[]): string[] {
  return found.map((f) => `${f.rule} at ${f.constructPath}: ${f.description}`);
}
