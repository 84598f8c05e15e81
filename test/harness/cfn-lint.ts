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

/**
 * Fails unless cfn-lint reports nothing for any of the template files, linted in one cfn-lint run
 * (one Python start instead of one per template); the report names each file with findings.
 */
export function expectCfnLintCleanFiles(files: string[]): void {
  const findings = cfnLintAll(files.map((f) => JSON.parse(fs.readFileSync(f, 'utf-8'))));
  const report = files.flatMap((file, i) => findings[i].length === 0 ? [] : [
    `cfn-lint reported ${findings[i].length} finding(s) for ${file}:`,
    ...findings[i].map((f) => `  ${f.level} ${f.rule} at ${f.path}: ${f.message}`),
  ]);
  if (report.length > 0) throw new Error(report.join('\n'));
}

/** The version string of the cfn-lint used by the tests. */
export function cfnLintVersion(): string {
  const exe = which('cfn-lint');
  return exe ? spawnSync(exe, ['--version'], { encoding: 'utf-8' }).stdout.trim() : 'not installed';
}

/** cfn-lint over many templates in one run (one process start): the findings of each template, in order. */
export function cfnLintAll(templates: object[]): CfnLintFinding[][] {
  if (templates.length === 0) return [];
  const exe = which('cfn-lint');
  if (!exe) throw new Error('cfn-lint is not installed');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfnlint-'));
  try {
    const files = templates.map((t, i) => {
      const file = path.join(dir, `t${i}.json`);
      fs.writeFileSync(file, JSON.stringify(t, undefined, 1));
      return file;
    });
    const ignored = Object.keys(CFN_LINT_IGNORED_RULES);
    const args = ['--format', 'json', ...(ignored.length > 0 ? ['--ignore-checks', ...ignored] : []), '--', ...files];
    const res = spawnSync(exe, args, { encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024 });
    if (res.status === null || ![0, 2, 4, 6, 8, 10, 12, 14].includes(res.status)) {
      throw new Error(`cfn-lint failed to run (exit ${res.status}): ${res.stderr}`);
    }
    const raw = JSON.parse(res.stdout || '[]') as any[];
    return files.map((file) => raw.filter((f) => path.resolve(f.Filename ?? '') === file).map((f) => ({
      rule: f.Rule?.Id ?? '?',
      level: f.Level ?? '?',
      message: f.Message ?? '',
      path: (f.Location?.Path ?? []).join('/'),
    })));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What CloudFormation can never accept, found without cfn-lint: `null` (from NaN or ±Infinity),
 * unresolved token text, number tokens, and the `db.db.` of a mangled instance class.
 */
export function templateSanityProblems(template: object): string[] {
  const out: string[] = [];
  const walk = (value: unknown, where: string): void => {
    if (value === null) {out.push(`${where}: null (a NaN, ±Infinity or missing value)`);} else if (typeof value === 'number' && (!Number.isFinite(value) || /^-1\.888154589\d*e\+289$/.test(String(value)))) {out.push(`${where}: ${value} (a number token or non-finite number)`);} else if (typeof value === 'string') {
      if (/\$\{Token\[|#\{Token\[/.test(value)) out.push(`${where}: unresolved token text ${JSON.stringify(value.slice(0, 80))}`);
      if (/^-?1\.8881545897\d*e\+289$/.test(value)) out.push(`${where}: a stringified number token`);
      if (value.startsWith('db.db.')) out.push(`${where}: mangled instance class ${JSON.stringify(value)}`);
    } else if (Array.isArray(value)) {value.forEach((v, i) => walk(v, `${where}[${i}]`));} else if (typeof value === 'object') {for (const [k, v] of Object.entries(value as object)) walk(v, `${where}.${k}`);}
  };
  walk(template, 'template');
  return out;
}
