import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { Stack } from 'aws-cdk-lib';
import type * as cxapi from 'aws-cdk-lib/cx-api';
import { IConstruct } from 'constructs';
import { addPolicyPlugin, formatFindings, inStack, policyFindingsInAssembly, synthValidated } from './policy-validation';

/** The name the cfn-guard validator reports under. */
export const GUARD_PLUGIN = 'cdk-validator-cfnguard';

/**
 * Adds the cfn-guard validator (AWS Control Tower's proactive controls, run by the cfn-guard binary
 * shipped in `@cdklabs/cdk-validator-cfnguard`) to the app that holds `scope`, once, as a consumer
 * does: `Validations.of(app).addPlugins(new CfnGuardValidator())`. It works offline.
 */
export function applyCfnGuard(scope: IConstruct): void {
  // Reports of a large app exceed Node's default 1 MiB output buffer.
  addPolicyPlugin(scope, GUARD_PLUGIN, () => new CfnGuardValidator({ maxBuffer: 64 * 1024 * 1024 }));
}

/**
 * Applies the cfn-guard validator to the stack's app (once), synthesizes it and returns the
 * unacknowledged findings on the stack's resources, as `CT.XX.PR.N rule at Path: message` lines.
 */
export function cfnGuardFindings(stack: Stack): string[] {
  applyCfnGuard(stack);
  return formatFindings(inStack(policyFindingsInAssembly(synthValidated(stack), GUARD_PLUGIN), stack));
}

/** Fails unless the cfn-guard validator reports no unacknowledged finding on the stack. */
export function expectCfnGuardClean(stack: Stack): void {
  const findings = cfnGuardFindings(stack);
  if (findings.length > 0) {
    throw new Error(`cfn-guard (Control Tower rules) reported ${findings.length} finding(s) in ${stack.stackName}:\n  ${findings.join('\n  ')}`);
  }
}

/**
 * Unacknowledged cfn-guard findings in an assembly already synthesized with the validator (see
 * {@link applyCfnGuard}), without synthesizing again.
 */
export function cfnGuardFindingsInAssembly(assembly: cxapi.CloudAssembly): string[] {
  return formatFindings(policyFindingsInAssembly(assembly, GUARD_PLUGIN));
}
