import { DeploySafetyFinding } from './deploy-safety-finding';

/** What the deploy-safety checker found when comparing a before and an after. */
export interface DeploySafetyReport {
  /** Unsafe findings that no `allow` entry accepts. The change is safe when this is empty. */
  readonly findings: DeploySafetyFinding[];

  /** Findings accepted by an `allow` entry. */
  readonly allowed: DeploySafetyFinding[];

  /** What was compared: `stack Database`, `Kubernetes objects (66 before, 66 after)`. */
  readonly compared: string[];

  /** Stacks present on one side only, which were not compared. */
  readonly notCompared: string[];

  /** `allow` entries that matched no finding (a typo, or a change that is no longer made). */
  readonly unusedAllows: string[];
}
