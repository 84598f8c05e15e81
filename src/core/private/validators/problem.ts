/**
 * The one set of validators. Every rule is written here once; constructs call these and collect
 * the results with {@link throwIfAny}.
 *
 * A validator returns `undefined` when the value is acceptable, else one message that starts with
 * the prop and says the value and the fix: `prop must … (got X). Fix.` The owner (the construct)
 * is added by {@link throwIfAny}, so every error reads `Owner: prop must … (got X). Fix.`
 *
 * Values that are unresolved tokens (CDK or cdk8s) are never checked here: callers decide per prop
 * whether a token is accepted (and passed through untouched) or refused.
 */

/** A validator's verdict: a message, or undefined when the value is fine. */
export type Problem = string | undefined;

/** Quotes a value for an error message so empty strings, spaces and newlines stay visible. */
export function show(value: unknown): string {
  if (isToken(value)) return 'an unresolved token';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  return JSON.stringify(value) ?? String(value);
}

/**
 * Throws one Error naming `owner` when any problem is present: the first message, then
 * `(and N more: …)` with the others. Does nothing when every entry is undefined.
 */
export function throwIfAny(owner: string, problems: Problem[]): void {
  const found = problems.filter((p): p is string => p !== undefined);
  if (found.length === 0) return;
  const more = found.length > 1 ? ` (and ${found.length - 1} more: ${found.slice(1).join(' ')})` : '';
  throw new Error(`${owner}: ${found[0]}${more}`);
}

const DOUBLE_TOKEN_MARKER = 0xfbff;

/**
 * True for an unresolved CDK or cdk8s token: a string holding `${Token[…]}` (or cdk8s' `#{Token[…]}`),
 * or a number in the range CDK uses to encode number tokens.
 */
export function isToken(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('${Token[') || value.includes('#{Token[');
  if (typeof value === 'number') {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, value);
    return view.getUint16(0) === DOUBLE_TOKEN_MARKER;
  }
  return false;
}

/** One of a fixed set of values (an enum-like prop given a value outside it). */
export function oneOf(prop: string, value: unknown, allowed: readonly string[], fix: string): Problem {
  if (typeof value === 'string' && allowed.includes(value)) return undefined;
  return `${prop} must be one of ${allowed.map((a) => show(a)).join(', ')} (got ${show(value)}). ${fix}`;
}

/** A value the construct computes with, so it must be known at synth time (not an unresolved token). */
export function knownAtSynth(prop: string, value: unknown, why: string): Problem {
  return isToken(value) ? `${prop} must be known at synth time (got an unresolved token): ${why} Pass a literal value.` : undefined;
}

/** A finite number above zero (refuses NaN and ±Infinity, which CloudFormation cannot take). */
export function positiveNumber(prop: string, value: number, fix: string): Problem {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return `${prop} must be a finite number above 0 (got ${show(value)}). ${fix}`;
  return undefined;
}

/** A duration the construct converts or compares: one made of an unresolved token is refused. */
export function knownDuration(prop: string, unresolved: boolean): Problem {
  return unresolved
    ? `${prop} must be known at synth time (got a Duration of an unresolved token): it is checked and converted to other units. Pass a literal Duration.`
    : undefined;
}
