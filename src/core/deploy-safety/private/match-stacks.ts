import { StackPair } from './cfn-check';
import { SafetyModel, StackTemplate } from './model';
import { knownStack } from '../../private/deploy-safety-validators';
import { Problem } from '../../private/validators';

/**
 * Which stack of `before` is compared with which stack of `after`:
 * - with a stack name, that stack on each side (a side with a single template takes it as that stack);
 * - else, when each side has exactly one stack, those two;
 * - else, the stacks with the same name (artifact id); the others are listed as not compared.
 */
export interface StackMatch {
  readonly pairs: StackPair[];
  readonly notCompared: string[];
  readonly problems: Problem[];
}

function names(s: StackTemplate): string[] {
  return s.stackName && s.stackName !== s.name ? [s.name, s.stackName] : [s.name];
}

function pick(model: SafetyModel, side: string, stackName: string): { stack?: StackTemplate; problem: Problem } {
  if (model.stacks.length === 1 && model.stacks[0].stackName === undefined) return { stack: model.stacks[0], problem: undefined };
  const stack = model.stacks.find((s) => names(s).includes(stackName));
  return { stack, problem: stack ? undefined : knownStack('stackName', stackName, side, model.stacks.flatMap(names)) };
}

/** Pairs the stacks of two sides. */
export function matchStacks(before: SafetyModel, after: SafetyModel, stackName?: string): StackMatch {
  if (stackName !== undefined) {
    const b = pick(before, `before (${before.source})`, stackName);
    const a = pick(after, `after (${after.source})`, stackName);
    const pairs = b.stack && a.stack ? [{ name: stackName, before: b.stack.template, after: a.stack.template }] : [];
    return { pairs, notCompared: [], problems: [b.problem, a.problem] };
  }
  if (before.stacks.length === 1 && after.stacks.length === 1) {
    const pair = { name: after.stacks[0].name, before: before.stacks[0].template, after: after.stacks[0].template };
    return { pairs: [pair], notCompared: [], problems: [] };
  }
  const pairs: StackPair[] = [];
  const notCompared: string[] = [];
  for (const b of before.stacks) {
    const a = after.stacks.find((s) => s.name === b.name);
    if (a) pairs.push({ name: b.name, before: b.template, after: a.template });
    else notCompared.push(`${b.name} (before only)`);
  }
  for (const a of after.stacks) if (!before.stacks.some((b) => b.name === a.name)) notCompared.push(`${a.name} (after only)`);
  return { pairs, notCompared, problems: [] };
}
