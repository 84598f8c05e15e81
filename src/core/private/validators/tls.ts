import { Problem, show } from './problem';

// ---------------------------------------------------------------------------------------------
// TLS certificates

const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:h|m|s))+$/;
const UNIT_SECONDS: { [unit: string]: number } = { h: 3600, m: 60, s: 1 };

/** Seconds of a Go duration in hours, minutes and seconds (`2160h`, `1h30m`), or undefined. */
export function goDurationSeconds(value: string): number | undefined {
  if (typeof value !== 'string' || !GO_DURATION.test(value)) return undefined;
  let total = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)(h|m|s)/g)) total += Number(m[1]) * UNIT_SECONDS[m[2]];
  return total;
}

/** A Go duration (what cert-manager reads) of at least `minSeconds`. */
export function goDuration(prop: string, value: string, minSeconds: number, example: string): Problem {
  const seconds = goDurationSeconds(value);
  if (seconds === undefined || seconds < minSeconds) {
    return `${prop} must be a duration in hours, minutes or seconds of at least ${minSeconds / 3600}h (got ${show(value)}). Use e.g. ${show(example)}.`;
  }
  return undefined;
}

/** cert-manager's own issuers are `Issuer` (namespaced) or `ClusterIssuer`; external issuers name their own group. */
export function certManagerIssuerKind(prop: string, kind: string, group: string): Problem {
  if (group === 'cert-manager.io' && kind !== 'Issuer' && kind !== 'ClusterIssuer') {
    return `${prop} must be 'Issuer' or 'ClusterIssuer' for issuerGroup 'cert-manager.io' (got ${show(kind)}). `
      + 'Use one of them, or set issuerGroup to the API group of your external issuer.';
  }
  if (typeof kind !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    return `${prop} must be a Kubernetes kind such as 'ClusterIssuer' (got ${show(kind)}). Fix the spelling.`;
  }
  return undefined;
}

/** The renewal window must be shorter than the lifetime it renews. */
export function renewBeforeLifetime(prop: string, renewBefore: number, lifetime: number, lifetimeProp: string, unit: string): Problem {
  if (renewBefore >= lifetime) {
    return `${prop} must be shorter than ${lifetimeProp} (got ${renewBefore}${unit} for a lifetime of ${lifetime}${unit}), `
      + 'else the certificate is renewed all the time. Lower it.';
  }
  return undefined;
}

/** `verify-ca` and `verify-full` need a CA the client can be given. */
export function sslModeWithCa(prop: string, sslMode: string | undefined, caKnown: boolean, fix: string): Problem {
  if ((sslMode === 'verify-ca' || sslMode === 'verify-full') && !caKnown) {
    return `${prop} ${show(sslMode)} needs the CA of the server certificate, which is not known here (got a server without TLS, or with a certificate from a Secret of yours). ${fix}`;
  }
  return undefined;
}
