import { Problem, show } from './problem';

// ---------------------------------------------------------------------------------------------
// AWS Systems Manager Parameter Store

/** Deepest parameter hierarchy Parameter Store accepts (levels below the root). */
export const SSM_MAX_LEVELS = 15;

/**
 * A parameter path prefix under which the library writes `<prefix>/<name>` parameters: absolute,
 * of letters, digits, `_`, `.` and `-`, no empty level, not under the reserved `aws` or `ssm`
 * roots, and leaving room for `leaf` more levels within Parameter Store's 15.
 */
export function ssmParameterPrefix(prop: string, value: string, leaf = 1): Problem {
  const example = "e.g. '/shop/prod/database'";
  if (typeof value !== 'string' || !/^(\/[A-Za-z0-9_.-]+)+$/.test(value)) {
    return `${prop} must be an absolute parameter path of '/'-separated levels of letters, digits, '_', '.' and '-', without a trailing '/' (got ${show(value)}). Write it ${example}.`;
  }
  const levels = value.split('/').slice(1);
  if (/^(aws|ssm)/i.test(levels[0])) {
    return `${prop} must not start with 'aws' or 'ssm', which Parameter Store reserves (got ${show(value)}). Use another first level, ${example}.`;
  }
  if (levels.length + leaf > SSM_MAX_LEVELS) {
    return `${prop} must have at most ${SSM_MAX_LEVELS - leaf} levels, so that its parameters stay within Parameter Store's ${SSM_MAX_LEVELS} (got ${levels.length} in ${show(value)}). Shorten it, ${example}.`;
  }
  if (value.length > 900) {
    return `${prop} must be at most 900 characters, leaving room for the parameter names under it (got ${value.length}). Shorten it, ${example}.`;
  }
  return undefined;
}
