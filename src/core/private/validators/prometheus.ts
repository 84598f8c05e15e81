import { Problem, show } from './problem';

// ---------------------------------------------------------------------------------------------
// Prometheus

const DURATION = /^(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?$/;

/** A Prometheus duration such as `30s`, `1m` or `1h30m` (units y, w, d, h, m, s, ms, largest first). */
export function promDuration(prop: string, value: string): Problem {
  if (typeof value !== 'string' || value.length === 0 || !DURATION.test(value) || !/[1-9]/.test(value)) {
    return `${prop} must be a Prometheus duration such as '30s', '1m' or '1h30m' (got ${show(value)}). Use whole numbers with the units y, w, d, h, m, s or ms, largest first.`;
  }
  return undefined;
}
