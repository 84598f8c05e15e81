import { Stack } from 'aws-cdk-lib';
import type * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { addPolicyPlugin, formatFindings, inStack, policyFindingsInAssembly, synthValidated } from './policy-validation';

/** The name cdk-nag's AwsSolutions pack reports under. */
export const NAG_PLUGIN = 'AwsSolutions';

/**
 * Adds cdk-nag 3's AwsSolutions pack to the app that holds `scope`, once, as a consumer does:
 * `Validations.of(app).addPlugins(new AwsSolutionsChecks(app))`.
 */
export function applyNag(scope: IConstruct): void {
  addPolicyPlugin(scope, NAG_PLUGIN, (app) => new AwsSolutionsChecks(app, { verbose: true }));
}

/**
 * Applies cdk-nag's AwsSolutions pack to the stack's app (once), synthesizes it and returns the
 * unacknowledged findings on the stack's resources, as `AwsSolutions-XX at Path: message` lines.
 */
export function nagFindings(stack: Stack): string[] {
  applyNag(stack);
  return formatFindings(inStack(policyFindingsInAssembly(synthValidated(stack), NAG_PLUGIN), stack));
}

/** Fails unless cdk-nag AwsSolutions reports no unacknowledged finding on the stack. */
export function expectNagClean(stack: Stack): void {
  const findings = nagFindings(stack);
  if (findings.length > 0) {
    throw new Error(`cdk-nag AwsSolutions reported ${findings.length} finding(s) in ${stack.stackName}:\n  ${findings.join('\n  ')}`);
  }
}

/**
 * Unacknowledged cdk-nag AwsSolutions findings in an assembly already synthesized with the pack
 * (see {@link applyNag}), without synthesizing again.
 */
export function nagFindingsInAssembly(assembly: cxapi.CloudAssembly): string[] {
  return formatFindings(policyFindingsInAssembly(assembly, NAG_PLUGIN));
}
