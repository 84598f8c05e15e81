import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { which } from './tools';

/**
 * cfn-lint rules this project ignores, each with its reason. This is the only place a rule may be
 * ignored; keep it empty unless a finding is a known false positive.
 */
export const CFN_LINT_IGNORED_RULES: { readonly [rule: string]: string } = {};

/** One cfn-lint finding. */
export interface CfnLintFinding {
  readonly rule: string;
  readonly level: string;
  readonly message: string;
  readonly path: string;
}

/** Runs cfn-lint over a template (object or file path) and returns its findings. */
export function cfnLint(template: object | string): CfnLintFinding[] {
  const exe = which('cfn-lint');
  if (!exe) throw new Error('cfn-lint is not installed');
  let file: string;
  let cleanup: string | undefined;
  if (typeof template === 'string') {
    file = template;
  } else {
    cleanup = fs.mkdtempSync(path.join(os.tmpdir(), 'cfnlint-'));
    file = path.join(cleanup, 'template.json');
    fs.writeFileSync(file, JSON.stringify(template, undefined, 1));
  }
  try {
    const args = ['--format', 'json'];
    const ignored = Object.keys(CFN_LINT_IGNORED_RULES);
    if (ignored.length > 0) args.push('--ignore-checks', ...ignored);
    args.push('--', file);
    const res = spawnSync(exe, args, { encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 });
    // Exit code is a bit mask: 2 errors, 4 warnings, 8 informational; anything else is a crash.
    if (res.status === null || ![0, 2, 4, 6, 8, 10, 12, 14].includes(res.status)) {
      throw new Error(`cfn-lint failed to run (exit ${res.status}): ${res.stderr}`);
    }
    const raw = JSON.parse(res.stdout || '[]') as any[];
    return raw.map((f) => ({
      rule: f.Rule?.Id ?? '?',
      level: f.Level ?? '?',
      message: f.Message ?? '',
      path: (f.Location?.Path ?? []).join('/'),
    }));
  } finally {
    if (cleanup) fs.rmSync(cleanup, { recursive: true, force: true });
  }
}

/** Fails unless cfn-lint reports zero errors, warnings and informational findings. */
export function expectCfnLintClean(template: object | string): void {
  const findings = cfnLint(template);
  if (findings.length > 0) {
    const label = typeof template === 'string' ? template : 'template';
    throw new Error(
      `cfn-lint reported ${findings.length} finding(s) for ${label}:\n` +
        findings.map((f) => `  ${f.level} ${f.rule} at ${f.path}: ${f.message}`).join('\n'),
    );
  }
}

/** The version string of the cfn-lint used by the tests. */
export function cfnLintVersion(): string {
  const exe = which('cfn-lint');
  return exe ? spawnSync(exe, ['--version'], { encoding: 'utf-8' }).stdout.trim() : 'not installed';
}
