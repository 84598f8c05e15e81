import { Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import type * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';

const checked = new WeakSet<Stack>();

/** Adds cdk-nag's AwsSolutions pack to a stack once (call before the app synthesizes). */
export function applyNag(stack: Stack): void {
  if (!checked.has(stack)) {
    Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
    checked.add(stack);
  }
}

/**
 * Applies cdk-nag's AwsSolutions pack to a stack (once) and returns its unsuppressed findings,
 * errors and warnings, as `AwsSolutions-XX at /Path: message` lines.
 */
export function nagFindings(stack: Stack): string[] {
  applyNag(stack);
  const annotations = Annotations.fromStack(stack);
  const pattern = Match.stringLikeRegexp('AwsSolutions-');
  const found = [
    ...annotations.findError('*', pattern).map((m) => ({ level: 'Error', m })),
    ...annotations.findWarning('*', pattern).map((m) => ({ level: 'Warning', m })),
  ];
  return found.map(({ level, m }) => `${level} at ${m.id}: ${String(m.entry.data).split('\n')[0]}`);
}

/** Fails unless cdk-nag AwsSolutions reports no unsuppressed finding on the stack. */
export function expectNagClean(stack: Stack): void {
  const findings = nagFindings(stack);
  if (findings.length > 0) {
    throw new Error(`cdk-nag AwsSolutions reported ${findings.length} finding(s) in ${stack.stackName}:\n  ${findings.join('\n  ')}`);
  }
}

/**
 * Unsuppressed cdk-nag AwsSolutions findings recorded in an already synthesized assembly (whose
 * stacks had {@link applyNag} before synthesis), without synthesizing again.
 */
export function nagFindingsInAssembly(assembly: cxapi.CloudAssembly): string[] {
  // Stacks of nested assemblies (the stages of a pipeline) included.
  return assembly.stacksRecursively.flatMap((stack) =>
    stack.messages
      .filter((m) => (m.level === 'error' || m.level === 'warning') && String(m.entry.data).includes('AwsSolutions-'))
      .map((m) => `${m.level} at ${m.id}: ${String(m.entry.data).split('\n')[0]}`));
}
