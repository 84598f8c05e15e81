import { allowEntry } from '../../private/deploy-safety-validators';
import { Problem } from '../../private/validators';
import { DeploySafetyFinding } from '../deploy-safety-finding';

/**
 * `allow` entries: `<resource>:<change>` accepts one finding. The resource is the finding's
 * `Stack/LogicalId` or `Kind/namespace/name`; a bare logical id matches it in any stack.
 */

/** One parsed entry. */
export interface Allow {
  readonly raw: string;
  readonly resource: string;
  readonly change: string;
}

/** Parses the entries; the problems say which are malformed. */
export function parseAllows(prop: string, entries: readonly string[]): { allows: Allow[]; problems: Problem[] } {
  const problems = entries.map((e, i) => allowEntry(`${prop}[${i}]`, e));
  const allows = entries.filter((_, i) => problems[i] === undefined).map((raw) => {
    const at = raw.lastIndexOf(':');
    return { raw, resource: raw.slice(0, at), change: raw.slice(at + 1) };
  });
  return { allows, problems };
}

/** The entry that accepts a finding, if any. */
export function allowFor(f: DeploySafetyFinding, allows: readonly Allow[]): Allow | undefined {
  return allows.find((a) => a.change === f.change
    && (a.resource === f.resource || (!a.resource.includes('/') && f.resource.endsWith(`/${a.resource}`))));
}
