import * as fs from 'node:fs';
import { Problem, show } from './validators';

/**
 * Validators of the deploy-safety checker's inputs (the library API and the `cdk-db-safety`
 * command line). They follow the rules of `validators.ts` (a message `prop must … (got X). Fix.`
 * or undefined, collected with `throwIfAny`); they live in their own file because
 * `validators.ts` is at the 400-line limit.
 */

/** The change names an `allow` entry may use. */
export const ALLOWABLE_CHANGES = ['replace', 'orphan', 'delete', 're-key', 'blocked', 'outage', 'k8s-immutable', 'k8s-data-moved', 'k8s-major-upgrade'];

/** An accepted finding: `<resource>:<change>`, e.g. `Database/DatabaseF44359DD:replace`. */
export function allowEntry(prop: string, value: string): Problem {
  const at = typeof value === 'string' ? value.lastIndexOf(':') : -1;
  const resource = at > 0 ? value.slice(0, at) : '';
  const change = at > 0 ? value.slice(at + 1) : '';
  if (resource.trim() === '' || !ALLOWABLE_CHANGES.includes(change)) {
    return `${prop} must be <resource>:<change> with a change of ${ALLOWABLE_CHANGES.join(', ')} (got ${show(value)}). `
      + "Copy it from the finding's 'allow with' line, e.g. 'Database/DatabaseF44359DD:replace'.";
  }
  return undefined;
}

/** A path that exists: a file or a directory. */
export function existingPath(prop: string, value: string): Problem {
  if (typeof value !== 'string' || value === '' || !fs.existsSync(value)) {
    return `${prop} must be an existing file or directory (got ${show(value)}). `
      + 'Give a CloudFormation template (.json, or the output of `aws cloudformation get-template`), a cdk.out directory, or Kubernetes YAML (a file or a directory).';
  }
  return undefined;
}

/** Something the checker can read: at least one CloudFormation template or Kubernetes object. */
export function readableInput(prop: string, value: string, stacks: number, objects: number): Problem {
  if (stacks + objects === 0) {
    return `${prop} must hold a CloudFormation template or Kubernetes objects (got ${show(value)}, which has neither). `
      + 'Point it at a *.template.json, a cdk.out directory (with manifest.json), or *.yaml / *.yml manifests.';
  }
  return undefined;
}

/** Text that parses as JSON or YAML; `error` is the parser's message, or undefined when it parsed. */
export function parsable(prop: string, file: string, error: string | undefined): Problem {
  if (error !== undefined) {
    return `${prop} must be valid JSON or YAML (got ${show(file)}: ${error}). Fix the file, or regenerate it with \`cdk synth\`.`;
  }
  return undefined;
}

/** A stack that one side has: by artifact id or deployed stack name. */
export function knownStack(prop: string, value: string, side: string, names: string[]): Problem {
  if (!names.includes(value)) {
    return `${prop} must name a stack of ${side} (got ${show(value)}; it has ${names.length > 0 ? names.map((n) => show(n)).join(', ') : 'none'}). `
      + 'Use the artifact id from cdk.out/manifest.json, e.g. \'Database\'.';
  }
  return undefined;
}

/** Two sides that share something to compare: a stack or Kubernetes objects. */
export function comparable(before: string, after: string, compared: number): Problem {
  if (compared === 0) {
    return `before and after must share a stack (matched by name) or both hold Kubernetes objects (got ${show(before)} and ${show(after)}, nothing in common). `
      + 'Pass the same kind of input on both sides, or choose the stack with the stack name option (--stack).';
  }
  return undefined;
}
