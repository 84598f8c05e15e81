import { DeploySafetyChange } from './deploy-safety-change';

/** One unsafe change found by the deploy-safety checker. */
export interface DeploySafetyFinding {
  /**
   * The resource: `Stack/LogicalId` for CloudFormation, `Kind/namespace/name` for Kubernetes.
   * `--allow <resource>:<change>` names a finding by this and `change`.
   */
  readonly resource: string;

  /** The resource type: `AWS::RDS::DBInstance`, `StatefulSet`, … */
  readonly resourceType: string;

  /** What the change does. */
  readonly change: DeploySafetyChange;

  /** What changed, with the before and after values. */
  readonly summary: string;

  /** What happens to the data, the service or the deploy when this is deployed. */
  readonly consequence: string;

  /** How to make the change safely, or how to undo it. */
  readonly fix: string;
}
