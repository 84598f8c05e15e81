import { Problem, show } from './problem';

// ---------------------------------------------------------------------------------------------
// Amazon RDS identifiers

/**
 * An RDS DB instance or DB cluster identifier: 1–63 letters, digits and hyphens, starting with a
 * letter, without two consecutive hyphens and not ending in a hyphen. RDS stores it in lower case.
 */
export function rdsIdentifier(prop: string, value: string): Problem {
  const fix = "Use e.g. 'shop-orders-db'.";
  if (typeof value !== 'string' || !/^[A-Za-z][A-Za-z0-9-]{0,62}$/.test(value)) {
    return `${prop} must be 1-63 letters, digits and hyphens starting with a letter (got ${show(value)}). ${fix}`;
  }
  if (value.includes('--') || value.endsWith('-')) {
    return `${prop} must not contain two consecutive hyphens or end in a hyphen (got ${show(value)}). ${fix}`;
  }
  return undefined;
}
