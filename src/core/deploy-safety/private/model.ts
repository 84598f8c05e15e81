import { DeploySafetyChange } from '../deploy-safety-change';
import { DeploySafetyFinding } from '../deploy-safety-finding';

/**
 * What the checker reads, after loading: CloudFormation stacks and Kubernetes objects, as plain
 * JSON values. Framework-free.
 */

/** A JSON value as parsed from a template or manifest. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** One resource of a CloudFormation template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: JsonObject;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

/** A CloudFormation template, reduced to what the checker reads. */
export interface CfnTemplate {
  readonly Resources: { [logicalId: string]: CfnResource };
}

/** A template with the name it is matched by (artifact id in a cdk.out, file name, or given). */
export interface StackTemplate {
  readonly name: string;
  /** The deployed stack name, when a cdk.out says it (`properties.stackName`). */
  readonly stackName?: string;
  readonly template: CfnTemplate;
}

/** One Kubernetes object. */
export interface K8sObject {
  readonly apiVersion?: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: { [key: string]: string } };
  readonly spec?: JsonObject;
}

/** Everything one side (before or after) holds. */
export interface SafetyModel {
  /** What was read, for messages: a path or a description. */
  readonly source: string;
  readonly stacks: StackTemplate[];
  readonly k8s: K8sObject[];
}

/** `Kind/namespace/name`: how a Kubernetes object is named in findings. */
export function k8sId(o: K8sObject): string {
  return `${o.kind}/${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
}

/** `Stack/LogicalId`: how a CloudFormation resource is named in findings. */
export function cfnId(stack: string, logicalId: string): string {
  return `${stack}/${logicalId}`;
}

/** Builds a finding. */
export function finding(
  resource: string,
  resourceType: string,
  change: DeploySafetyChange,
  summary: string,
  consequence: string,
  fix: string,
): DeploySafetyFinding {
  return { resource, resourceType, change, summary, consequence, fix };
}
