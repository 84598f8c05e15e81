import { Certificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';

/**
 * Validation of the cert-manager `Certificate` objects the library emits, for the Kubernetes schema
 * check's `customResources` option: the `@kubernetes-models/cert-manager` schema (types, required
 * fields, enums), plus unknown fields, which that schema lets through (the API server prunes them,
 * so a misspelt field would silently do nothing).
 */

/** The fields of cert-manager.io/v1 Certificate (and the nested objects this library writes), from its CRD. */
const FIELDS: { [where: string]: string[] } = {
  '': ['apiVersion', 'kind', 'metadata', 'spec'],
  'metadata': ['name', 'namespace', 'labels', 'annotations'],
  'spec': ['additionalOutputFormats', 'commonName', 'dnsNames', 'duration', 'emailAddresses', 'encodeUsagesInRequest', 'ipAddresses',
    'isCA', 'issuerRef', 'keystores', 'literalSubject', 'nameConstraints', 'otherNames', 'privateKey', 'renewBefore', 'renewBeforePercentage',
    'revisionHistoryLimit', 'secretName', 'secretTemplate', 'signatureAlgorithm', 'subject', 'uris', 'usages'],
  'spec.issuerRef': ['group', 'kind', 'name'],
  'spec.privateKey': ['algorithm', 'encoding', 'rotationPolicy', 'size'],
  'spec.secretTemplate': ['annotations', 'labels'],
};

function unknownFields(doc: any): string[] {
  const out: string[] = [];
  for (const [where, allowed] of Object.entries(FIELDS)) {
    const obj = where === '' ? doc : where.split('.').reduce((o: any, k) => (o === undefined ? undefined : o[k]), doc);
    if (obj === undefined || obj === null || typeof obj !== 'object') continue;
    for (const key of Object.keys(obj)) if (!allowed.includes(key)) out.push(`${where ? `${where}.` : ''}${key}: unknown field`);
  }
  return out;
}

/** Validates one Certificate document; returns one line per problem. */
export function validateCertificate(doc: any): string[] {
  const out = unknownFields(doc);
  try {
    new Certificate(doc).validate();
  } catch (e: any) {
    out.push(String(e.message ?? e));
  }
  return out;
}

/** The `customResources` entry for the Kubernetes schema check. */
export const CERT_MANAGER_SCHEMA: { [apiVersionKind: string]: (doc: any) => string[] } = {
  'cert-manager.io/v1/Certificate': validateCertificate,
};
