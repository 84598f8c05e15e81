import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Where the library disagrees with a rule of cdk-nag's AwsSolutions pack or of AWS Control Tower's
 * proactive controls (the cfn-guard validator), it says so on its own resources, with the reason,
 * so that a consumer gets no finding on what the library creates and needs no suppression of their
 * own. Nothing here depends on either tool at run time.
 *
 * Both go through aws-cdk-lib's `Validations.of(construct).acknowledge()`, which records the rule
 * in the construct's metadata:
 * - cdk-nag 3 skips a rule acknowledged on the resource or any construct above it;
 * - aws-cdk-lib removes the findings of every other validation plugin (here the cfn-guard validator)
 *   on resources at or under the construct (aws-cdk-lib 2.271 and later; before, one
 *   acknowledgment silenced the rule in the whole app, hence the library's minimum).
 *
 * Always acknowledge on the resource the finding is about (its L1 or the L2 that owns it), never on
 * a parent that also holds resources of the consumer.
 */

/** The name the cfn-guard validator (`@cdklabs/cdk-validator-cfnguard`) reports under. */
export const GUARD_PLUGIN = 'cdk-validator-cfnguard';

/**
 * Acknowledges a cdk-nag rule on `resource`: `AwsSolutions-RDS11`, or one finding of a granular
 * rule, `AwsSolutions-IAM5[Resource::*]`.
 */
export function acknowledgeNag(resource: IConstruct, rule: string, reason: string): void {
  Validations.of(resource).acknowledge({ id: rule, reason });
}

/**
 * Acknowledges an AWS Control Tower proactive control on `resource`, by its cfn-guard rule name
 * (`lambda_inside_vpc_check` for CT.LAMBDA.PR.3).
 */
export function acknowledgeGuard(resource: IConstruct, rule: string, reason: string): void {
  Validations.of(resource).acknowledge({ id: `${GUARD_PLUGIN}::${rule}`, reason });
}
