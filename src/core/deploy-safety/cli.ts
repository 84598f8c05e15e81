#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { DeploySafety } from './deploy-safety';
import { DeploySafetyInput } from './deploy-safety-input';

/**
 * `cdk-db-safety`: the deploy-safety checker for a pipeline step before `cdk deploy`.
 * Exit code 0 when the change is safe, 1 on unsafe findings, 2 on bad usage.
 */

export const USAGE = `Usage: cdk-db-safety --before <path> --after <path> [--allow <resource>:<change>]... [--stack <name>] [--json]

Compares what is deployed (before) with what is about to be deployed (after) and reports every
change that would replace, orphan, delete or re-key a database, be refused mid-deploy, or strand
Kubernetes data. Each path is a CloudFormation template (.json, or the output of
\`aws cloudformation get-template\`), a cdk.out directory, or Kubernetes YAML (a file or a directory).

Options:
  --before <path>               the deployed template, the previous cdk.out, or the deployed manifests
  --after <path>                the new cdk.out or manifests
  --allow <resource>:<change>   accept one finding (repeatable); each finding prints its own line
  --stack <name>                compare only this stack; a single-template side is taken as it
  --json                        print the report as JSON
  --help                        print this help

Exit codes: 0 safe, 1 unsafe findings, 2 bad usage.`;

/** What the command line prints to, so tests can capture it. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const consoleOutput: CliOutput = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Runs the command line with its arguments (without `node` and the script) and returns the exit code. */
export function main(argv: string[], io: CliOutput = consoleOutput): number {
  let values: { before?: string; after?: string; allow?: string[]; stack?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        before: { type: 'string' },
        after: { type: 'string' },
        allow: { type: 'string', multiple: true },
        stack: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    io.err(`cdk-db-safety: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const missing = (['before', 'after'] as const).filter((k) => !values[k]);
  if (missing.length > 0) {
    io.err(`cdk-db-safety: ${missing.map((m) => `--${m}`).join(' and ')} must be given (got none). Pass both the deployed and the new output.\n\n${USAGE}`);
    return 2;
  }
  try {
    const report = DeploySafety.check(DeploySafetyInput.fromPath(values.before!), DeploySafetyInput.fromPath(values.after!), {
      allow: values.allow,
      stackName: values.stack,
    });
    io.out(values.json ? JSON.stringify(report, undefined, 2) : DeploySafety.formatReport(report));
    return report.findings.length > 0 ? 1 : 0;
  } catch (e) {
    io.err(`cdk-db-safety: ${(e as Error).message}`);
    return 2;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
