import { DeploySafetyChange } from '../deploy-safety-change';
import { DeploySafetyFinding } from '../deploy-safety-finding';
import { deletionPolicy, fateOfOld, holdsOwnData, isDataBearing, newOne, noun, replaceConsequence, replaceFix, retains } from './cfn-data-bearing';
import { conditionalReplacements, familyFindingsOf, PropertyChange, rdsFindings } from './cfn-rds-rules';
import { restoreAdvice, restoreChangeOf } from './cfn-restore-rules';
import { CREATE_ONLY_PROPERTIES } from './create-only-properties.generated';
import { display, isObject, jsonEqual, referencedIds, valueAt, withoutReferenceIds } from './json-values';
import { CfnResource, CfnTemplate, cfnId, finding, StackTemplate } from './model';

/**
 * The CloudFormation side of the checker: replacements judged from the create-only table (and
 * the value-judged rules), resources that leave a stack (orphaned or deleted, and "moved" when
 * a look-alike appears under a new logical id), and the RDS rules.
 */

/** Two templates of the same stack. */
export interface StackPair {
  readonly name: string;
  readonly before: CfnTemplate;
  readonly after: CfnTemplate;
}

/** Why each resource of a stack is replaced: its changed create-only (or conditional) properties. */
function replacements(pair: StackPair): Map<string, PropertyChange[]> {
  const replaced = new Map<string, PropertyChange[]>();
  const common = Object.keys(pair.after.Resources).filter((id) => pair.before.Resources[id]?.Type === pair.after.Resources[id].Type);
  // A create-only property that refers to a replaced resource changes too: repeat until stable.
  for (let changed = true; changed;) {
    changed = false;
    for (const id of common) {
      if (replaced.has(id)) continue;
      const { Type: type, Properties: a = {} } = pair.after.Resources[id];
      const b = pair.before.Resources[id].Properties ?? {};
      const found: PropertyChange[] = [];
      for (const prop of CREATE_ONLY_PROPERTIES[type] ?? []) {
        const before = valueAt(b, prop);
        const after = valueAt(a, prop);
        if (!jsonEqual(before, after)) {found.push({ prop, before, after });} else {
          const via = referencedIds(after).find((ref) => replaced.has(ref));
          if (via) found.push({ prop, before, after, why: `it refers to ${via}, which is replaced` });
        }
      }
      found.push(...conditionalReplacements(type, b, a));
      if (found.length > 0) {
        replaced.set(id, found);
        changed = true;
      }
    }
  }
  return replaced;
}

function describe(changes: PropertyChange[]): string {
  return changes.map((c) => `${c.prop} ${display(c.before)} → ${display(c.after)} (${c.why ?? 'create-only'})`).join('; ');
}

function replaceFindings(pair: StackPair, replaced: Map<string, PropertyChange[]>): DeploySafetyFinding[] {
  const out: DeploySafetyFinding[] = [];
  for (const [id, changes] of replaced) {
    const after = pair.after.Resources[id];
    const policy = after.UpdateReplacePolicy ?? 'Delete';
    const resource = cfnId(pair.name, id);
    if (isDataBearing(after.Type)) {
      const first = changes[0];
      const consequence = replaceConsequence(after, policy, changes.map((c) => c.prop));
      // A restore added, changed or removed: the fix is about the restore source, not DBName & co. that follow it.
      const restore = restoreChangeOf(pair.before.Resources[id], after, changes.map((c) => c.prop));
      const fix = restore
        ? replaceFix(restore.prop, restore.before === undefined ? undefined : display(restore.before), restoreAdvice(restore.removed))
        : replaceFix(first.prop, first.before === undefined ? undefined : display(first.before));
      out.push(finding(resource, after.Type, DeploySafetyChange.REPLACE, describe(changes), consequence, fix));
    } else if (retains(policy)) {
      out.push(finding(resource, after.Type, DeploySafetyChange.ORPHAN, `replaced: ${describe(changes)}`,
        `CloudFormation creates a new ${after.Type}; ${fateOfOld(after, policy)}.`,
        `Revert ${changes[0].prop} to ${display(changes[0].before)}, or delete the old one by hand after the deploy and --allow ${resource}:orphan.`));
    }
  }
  return out;
}

/** How alike two resources' properties are (0..1), ignoring the logical ids they refer to. */
function similarity(a: CfnResource, b: CfnResource): number {
  const pa = withoutReferenceIds(a.Properties ?? {});
  const pb = withoutReferenceIds(b.Properties ?? {});
  if (!isObject(pa) || !isObject(pb)) return 0;
  const keys = new Set([...Object.keys(pa), ...Object.keys(pb)]);
  if (keys.size === 0) return 1;
  return [...keys].filter((k) => jsonEqual(pa[k], pb[k])).length / keys.size;
}

/** A resource that appears in the after stacks under a (stack, logical id) the before stacks lack. */
interface NewResource {
  readonly resource: string;
  readonly value: CfnResource;
}

function newResources(beforeStacks: StackTemplate[], afterStacks: StackTemplate[]): NewResource[] {
  const existed = new Set(beforeStacks.flatMap((s) => Object.keys(s.template.Resources).map((id) => cfnId(s.name, id))));
  return afterStacks.flatMap((s) => Object.entries(s.template.Resources)
    .map(([id, value]) => ({ resource: cfnId(s.name, id), value }))
    .filter((r) => !existed.has(r.resource)));
}

/**
 * True when a resource that keeps its logical ID referred to `removedId` before and refers to the
 * candidate now: the candidate is a swap (a key brought in place of the library's), not a move.
 */
function swappedIn(pair: StackPair, removedId: string, candidate: NewResource): boolean {
  const prefix = `${pair.name}/`;
  if (!candidate.resource.startsWith(prefix)) return false;
  const candidateId = candidate.resource.slice(prefix.length);
  return Object.entries(pair.after.Resources).some(([id, r]) => pair.before.Resources[id] !== undefined
    && referencedIds(pair.before.Resources[id].Properties).includes(removedId)
    && referencedIds(r.Properties).includes(candidateId));
}

/**
 * The look-alike that a removed resource probably moved to: same type, at least half its
 * properties equal (references aside), and not swapped in by a resource that stayed.
 */
function movedTo(pair: StackPair, removedId: string, candidates: NewResource[], taken: Set<string>): NewResource | undefined {
  const removed = pair.before.Resources[removedId];
  let best: NewResource | undefined;
  let bestScore = 0.5;
  for (const c of candidates) {
    if (c.value.Type !== removed.Type || taken.has(c.resource) || swappedIn(pair, removedId, c)) continue;
    const score = similarity(removed, c.value);
    if (score >= bestScore) [best, bestScore] = [c, score];
  }
  if (best) taken.add(best.resource);
  return best;
}

function removalFindings(pair: StackPair, candidates: NewResource[], taken: Set<string>): DeploySafetyFinding[] {
  const out: DeploySafetyFinding[] = [];
  for (const [id, before] of Object.entries(pair.before.Resources)) {
    if (pair.after.Resources[id]) continue;
    const policy = deletionPolicy(before);
    const keeps = retains(policy);
    // Deleting a resource without data of its own (an Aurora reader, a read replica) loses capacity, not data.
    if (!keeps && !holdsOwnData(before)) continue;
    const resource = cfnId(pair.name, id);
    const moved = movedTo(pair, id, candidates, taken);
    const what = noun(before);
    const summary = moved
      ? `logical ID changed: ${resource} is gone and ${moved.resource} (same type, alike) is new; it looks moved`
      : `removed from the template (DeletionPolicy ${policy})`;
    const instead = moved ? ` CloudFormation does not move it: ${moved.resource} is created as ${newOne(moved.value)}.` : '';
    const consequence = `CloudFormation removes the ${what} from the stack; ${fateOfOld(before, policy)}.${instead}`;
    const clusterMember = before.Type === 'AWS::RDS::DBInstance' && before.Properties?.DBClusterIdentifier !== undefined;
    const fix = moved
      ? 'Keep the construct id and its path unchanged (a logical ID is derived from them), or move the resource without recreating it '
        + 'with CloudFormation stack refactoring (`cdk refactor`), or pin the old logical ID with overrideLogicalId.'
      : clusterMember && keeps
        ? 'Keep the instance in the template (for example keep the reader count), '
          + `or delete it yourself (aws rds delete-db-instance) after the deploy and --allow ${resource}:orphan.`
        : before.Type === 'AWS::KMS::Key'
          ? 'Keep the key in the template while anything encrypted with it remains (a retained database, its snapshots, a secret). '
            + `When nothing needs it any more, remove it deliberately and --allow ${resource}:${keeps ? 'orphan' : 'delete'}.`
          : `Keep it in the template. If it really must go, take a backup, remove it deliberately and --allow ${resource}:${keeps ? 'orphan' : 'delete'}.`;
    out.push(finding(resource, before.Type, keeps ? DeploySafetyChange.ORPHAN : DeploySafetyChange.DELETE, summary, consequence, fix));
  }
  return out;
}

function typeChangeFindings(pair: StackPair): DeploySafetyFinding[] {
  return Object.entries(pair.after.Resources)
    .filter(([id, r]) => pair.before.Resources[id] !== undefined && pair.before.Resources[id].Type !== r.Type)
    .map(([id, r]) => finding(cfnId(pair.name, id), r.Type, DeploySafetyChange.BLOCKED,
      `Type ${pair.before.Resources[id].Type} → ${r.Type} under the same logical ID`,
      'CloudFormation refuses to change the type of a resource: the update fails and the stack rolls back.',
      'Give the new resource a new construct id (a new logical ID), and remove the old one deliberately.'));
}

/** Every CloudFormation finding for the matched stacks; moves are looked for across all after stacks. */
export function checkStacks(pairs: StackPair[], beforeStacks: StackTemplate[], afterStacks: StackTemplate[]): DeploySafetyFinding[] {
  const candidates = newResources(beforeStacks, afterStacks);
  const taken = new Set<string>();
  return pairs.flatMap((pair) => {
    const replaced = replacements(pair);
    const ids = new Set(replaced.keys());
    const common = Object.keys(pair.after.Resources).filter((id) => pair.before.Resources[id]?.Type === pair.after.Resources[id].Type);
    return [
      ...typeChangeFindings(pair),
      ...replaceFindings(pair, replaced),
      ...removalFindings(pair, candidates, taken),
      ...common.flatMap((id) => rdsFindings(pair.name, id, pair.before.Resources[id], pair.after.Resources[id], pair.after, ids)),
      ...familyFindingsOf(pair.name, pair.after),
    ];
  });
}
