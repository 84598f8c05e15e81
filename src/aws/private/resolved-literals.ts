import { Stack, Token } from 'aws-cdk-lib';

/**
 * `settings` with every token that resolves to a literal string or number (a `Lazy`) replaced by
 * that literal, so the rules a construct skipped for tokens at construction can run at synthesis;
 * undefined when no token resolved to a literal. Tokens that stay CloudFormation expressions (a
 * parameter, an attribute) are kept: they pass through unchecked.
 */
export function resolvedLiterals<T extends object>(stack: Stack, settings: T): T | undefined {
  const out: { [key: string]: unknown } = { ...(settings as { [key: string]: unknown }) };
  let changed = false;
  for (const [key, value] of Object.entries(out)) {
    if ((typeof value !== 'string' && typeof value !== 'number') || !Token.isUnresolved(value)) continue;
    const literal: unknown = stack.resolve(value);
    if (typeof literal === 'string' || typeof literal === 'number') {
      out[key] = literal;
      changed = true;
    }
  }
  return changed ? out as T : undefined;
}
