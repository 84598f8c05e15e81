import { DeploySafetyFinding } from './deploy-safety-finding';
import { DeploySafetyInput } from './deploy-safety-input';
import { DeploySafetyReport } from './deploy-safety-report';
import { comparable } from '../private/deploy-safety-validators';
import { throwIfAny } from '../private/validators';
import { allowFor, parseAllows } from './private/allow';
import { checkStacks } from './private/cfn-check';
import { formatReport } from './private/format';
import { loadInput } from './private/input-registry';
import { checkKubernetes } from './private/k8s-check';
import { matchStacks } from './private/match-stacks';

/** Options of a deploy-safety check. */
export interface DeploySafetyOptions {
  /**
   * Findings someone decided to accept, each `<resource>:<change>`: the finding's resource
   * (`Stack/LogicalId`, or a bare logical id for any stack, or `Kind/namespace/name`) and its change
   * (`replace`, `orphan`, `delete`, `re-key`, `blocked`, `outage`, `k8s-immutable`,
   * `k8s-data-moved`, `k8s-major-upgrade`). Every finding prints its own `--allow` line.
   *
   * @default - none: every finding is unsafe
   */
  readonly allow?: string[];

  /**
   * Compare only this stack (artifact id or deployed stack name). A side that is a single template
   * (such as the output of `aws cloudformation get-template`) is taken as this stack.
   *
   * @default - every stack present on both sides, matched by name; when each side has exactly one
   * stack, those two
   */
  readonly stackName?: string;
}

/**
 * The deploy-safety checker: compares what is deployed (before) with what is about to be deployed
 * (after) and reports every change that would replace, orphan, delete or re-key a database, be
 * refused mid-deploy, or strand Kubernetes data. Harmless changes (backup retention 7 → 14,
 * instance class, storage growth, Multi-AZ, minor versions, new resources, tags) give no finding.
 */
export class DeploySafety {
  /** Compares two inputs and returns every finding, split into unsafe and allowed ones. */
  public static check(before: DeploySafetyInput, after: DeploySafetyInput, options: DeploySafetyOptions = {}): DeploySafetyReport {
    const { allows, problems } = parseAllows('allow', options.allow ?? []);
    throwIfAny('DeploySafety', problems);
    const b = loadInput(before, 'before');
    const a = loadInput(after, 'after');
    const match = matchStacks(b, a, options.stackName);
    throwIfAny('DeploySafety', match.problems);
    const k8sCompared = b.k8s.length > 0 && a.k8s.length > 0;
    throwIfAny('DeploySafety', [comparable(b.source, a.source, match.pairs.length + (k8sCompared ? 1 : 0))]);

    const all: DeploySafetyFinding[] = [
      ...checkStacks(match.pairs, b.stacks, a.stacks),
      ...(k8sCompared ? checkKubernetes(b.k8s, a.k8s) : []),
    ];
    const used = new Set<string>();
    const findings: DeploySafetyFinding[] = [];
    const allowed: DeploySafetyFinding[] = [];
    for (const f of all) {
      const allow = allowFor(f, allows);
      if (allow) {
        used.add(allow.raw);
        allowed.push(f);
      } else {
        findings.push(f);
      }
    }
    return {
      findings,
      allowed,
      compared: [
        ...match.pairs.map((p) => `stack ${p.name}`),
        ...(k8sCompared ? [`Kubernetes objects (${b.k8s.length} before, ${a.k8s.length} after)`] : []),
      ],
      notCompared: match.notCompared,
      unusedAllows: allows.map((x) => x.raw).filter((raw) => !used.has(raw)),
    };
  }

  /**
   * Compares two inputs and throws when any unsafe finding is left, with every finding (consequence
   * and fix) in the message. For tests: compare a committed template with today's synthesis.
   *
   * @returns the report, when the change is safe
   */
  public static assertSafe(before: DeploySafetyInput, after: DeploySafetyInput, options: DeploySafetyOptions = {}): DeploySafetyReport {
    const report = DeploySafety.check(before, after, options);
    if (report.findings.length > 0) {
      throw new Error(`DeploySafety: ${before.description} → ${after.description} is not safe to deploy.\n\n${formatReport(report)}`);
    }
    return report;
  }

  /** A report as readable text: one block per finding (change, consequence, fix, allow line), then a verdict. */
  public static formatReport(report: DeploySafetyReport): string {
    return formatReport(report);
  }

  private constructor() {}
}
