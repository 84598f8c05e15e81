import { Problem, show } from './problem';

// ---------------------------------------------------------------------------------------------
// Numbers

/** A whole number from `min` to `max`. */
export function intRange(prop: string, value: number, min: number, max: number, fix: string): Problem {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    return `${prop} must be a whole number from ${min} to ${max} (got ${show(value)}). ${fix}`;
  }
  return undefined;
}

/** A whole number of at least `min`. */
export function intAtLeast(prop: string, value: number, min: number, fix: string): Problem {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    return `${prop} must be a whole number of at least ${min} (got ${show(value)}). ${fix}`;
  }
  return undefined;
}

/** A duration given in seconds: whole seconds from `min` to `max`. */
export function durationSeconds(prop: string, seconds: number, min: number, max: number, fix: string): Problem {
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < min || seconds > max) {
    return `${prop} must be whole seconds from ${min} to ${max} (got ${show(seconds)} s). ${fix}`;
  }
  return undefined;
}
