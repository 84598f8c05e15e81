import { Problem } from './problem';

// ---------------------------------------------------------------------------------------------
// Credential rotation reaching the pods

/**
 * Pods rolled after a rotation must all hold the new credentials before the previous ones stop
 * working: the Secret's refresh (an ExternalSecret copying a rotated secret; 0 for a Secret
 * patched in the cluster) plus the rollout must be shorter than the time the previous credentials
 * stay valid (one rotation interval with alternating users).
 */
export function rolloutWithinRotation(rolloutSeconds: number, refreshSeconds: number, validSeconds: number, fix: string): Problem {
  if (refreshSeconds + rolloutSeconds < validSeconds) return undefined;
  const refresh = refreshSeconds > 0 ? ` after a refresh of up to ${refreshSeconds} s, ${refreshSeconds + rolloutSeconds} s in all` : '';
  return `rolloutSeconds must let every pod move to the new credentials before the previous ones stop working (got a rollout of ${rolloutSeconds} s${refresh}, `
    + `while the previous credentials stay valid for ${validSeconds} s). Pods not rolled by then lose their database connection; ${fix}`;
}
