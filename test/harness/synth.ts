import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/** The synthesized CloudFormation template of a stack, as JSON. */
export function synthTemplate(stack: Stack): any {
  return Template.fromStack(stack).toJSON();
}
