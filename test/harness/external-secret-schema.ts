import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/**
 * Validation of `external-secrets.io/v1` ExternalSecret manifests, for the Kubernetes schema
 * check's `customResources` option, in two layers:
 *
 * 1. the v1 JSON schema of `@kubernetes-models/external-secrets` (types, enums, required fields),
 *    run in a Node process of its own because the package is an ES module ({@link validateExternalSecretsWithSchema});
 * 2. what that schema lets through: unknown fields (the CRD prunes them silently, so a typo is lost),
 *    DNS names, Go durations, and the Go template syntax and functions of `target.template.data`.
 *
 * External Secrets Operator 0.17 and later no longer serve v1beta1, so only v1 is accepted.
 *
 * @see https://external-secrets.io/latest/api/spec/
 */

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Go `time.ParseDuration` as the CRD's `refreshInterval` accepts it. */
const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** Go text/template built-ins and the Sprig / ESO functions this library's templates use. */
const TEMPLATE_FUNCTIONS = new Set(['urlquery', 'replace', 'quote', 'lower', 'upper', 'trim', 'default', 'toString', 'b64enc', 'b64dec', 'index', 'printf']);

function unknown(obj: any, allowed: string[], where: string, out: string[]): void {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    out.push(`${where} must be an object`);
    return;
  }
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) out.push(`${where}.${key} is not a known field`);
  }
}

function stringField(value: unknown, where: string, out: string[], pattern?: RegExp, required = true): void {
  if (value === undefined) {
    if (required) out.push(`${where} is required`);
    return;
  }
  if (typeof value !== 'string' || value.length === 0) {
    out.push(`${where} must be a non-empty string (got ${JSON.stringify(value)})`);
    return;
  }
  if (pattern && !pattern.test(value)) out.push(`${where} has an invalid value ${JSON.stringify(value)}`);
}

function enumField(value: unknown, allowed: string[], where: string, out: string[]): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    out.push(`${where} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
  }
}

/** Checks the Go template actions of one template value: balanced braces, known functions. */
function checkTemplate(text: string, where: string, out: string[]): void {
  const opens = text.split('{{').length - 1;
  const closes = text.split('}}').length - 1;
  if (opens !== closes) {
    out.push(`${where}: unbalanced template braces in ${JSON.stringify(text)}`);
    return;
  }
  for (const m of text.matchAll(/\{\{-?\s*(.*?)\s*-?\}\}/g)) {
    const stages = m[1].split('|').map((s) => s.trim());
    stages.forEach((stage, i) => {
      const head = stage.split(/\s+/)[0];
      if (i === 0 && head.startsWith('.')) {
        if (!/^\.[A-Za-z_][A-Za-z0-9_]*$/.test(head)) out.push(`${where}: ${JSON.stringify(head)} is not a field reference`);
        return;
      }
      if (!TEMPLATE_FUNCTIONS.has(head)) out.push(`${where}: unknown template function ${JSON.stringify(head)}`);
      // Function arguments must be quoted strings or field references.
      const args = stage.slice(head.length).trim();
      if (args.length > 0 && !/^(?:(?:"(?:[^"\\]|\\.)*"|\.[A-Za-z_][A-Za-z0-9_]*)\s*)+$/.test(args)) {
        out.push(`${where}: cannot parse the arguments ${JSON.stringify(args)} of ${head}`);
      }
    });
  }
}

/** The v1 JSON schema of `@kubernetes-models/external-secrets` over many documents at once: one list of problems per document. */
export function validateExternalSecretsWithSchema(docs: any[]): string[][] {
  if (docs.length === 0) return [];
  const res = spawnSync(process.execPath, [path.join(__dirname, 'external-secrets-v1.mjs')], {
    input: JSON.stringify(docs), encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024,
  });
  if (res.status !== 0) throw new Error(`the ExternalSecret schema check failed to run (exit ${res.status}): ${res.stderr}`);
  return JSON.parse(res.stdout);
}

/** Validates one ExternalSecret document with the hand-written checks only (no process); one line per problem. */
export function validateExternalSecretShape(doc: any): string[] {
  const out: string[] = [];
  unknown(doc, ['apiVersion', 'kind', 'metadata', 'spec'], 'ExternalSecret', out);
  if (doc.apiVersion !== 'external-secrets.io/v1' || doc.kind !== 'ExternalSecret') {
    out.push(`apiVersion/kind must be external-secrets.io/v1 ExternalSecret (got ${doc.apiVersion}/${doc.kind})`);
  }
  unknown(doc.metadata, ['name', 'namespace', 'labels', 'annotations'], 'metadata', out);
  stringField(doc.metadata?.name, 'metadata.name', out, DNS_SUBDOMAIN);
  stringField(doc.metadata?.namespace, 'metadata.namespace', out, DNS_SUBDOMAIN, false);

  const spec = doc.spec;
  if (spec === undefined) {
    out.push('spec is required');
    return out;
  }
  unknown(spec, ['refreshInterval', 'secretStoreRef', 'target', 'data', 'dataFrom'], 'spec', out);
  stringField(spec.refreshInterval, 'spec.refreshInterval', out, GO_DURATION, false);

  if (spec.secretStoreRef === undefined) {
    out.push('spec.secretStoreRef is required');
  } else {
    unknown(spec.secretStoreRef, ['name', 'kind'], 'spec.secretStoreRef', out);
    stringField(spec.secretStoreRef.name, 'spec.secretStoreRef.name', out, DNS_SUBDOMAIN);
    enumField(spec.secretStoreRef.kind, ['SecretStore', 'ClusterSecretStore'], 'spec.secretStoreRef.kind', out);
  }

  if (spec.target === undefined) {
    out.push('spec.target is required');
  } else {
    const t = spec.target;
    unknown(t, ['name', 'creationPolicy', 'deletionPolicy', 'template', 'immutable'], 'spec.target', out);
    stringField(t.name, 'spec.target.name', out, DNS_SUBDOMAIN, false);
    enumField(t.creationPolicy, ['Owner', 'Orphan', 'Merge', 'None'], 'spec.target.creationPolicy', out);
    enumField(t.deletionPolicy, ['Delete', 'Merge', 'Retain'], 'spec.target.deletionPolicy', out);
    if (t.template !== undefined) {
      unknown(t.template, ['engineVersion', 'type', 'metadata', 'data', 'mergePolicy', 'templateFrom'], 'spec.target.template', out);
      enumField(t.template.engineVersion, ['v1', 'v2'], 'spec.target.template.engineVersion', out);
      enumField(t.template.mergePolicy, ['Replace', 'Merge'], 'spec.target.template.mergePolicy', out);
      if (t.template.metadata !== undefined) unknown(t.template.metadata, ['labels', 'annotations'], 'spec.target.template.metadata', out);
      for (const [key, value] of Object.entries(t.template.data ?? {})) {
        const where = `spec.target.template.data.${key}`;
        if (!SECRET_KEY.test(key)) out.push(`${where}: not a valid Secret key`);
        if (typeof value !== 'string') {
          out.push(`${where} must be a string`);
          continue;
        }
        checkTemplate(value, where, out);
      }
    }
  }

  const data = spec.data ?? [];
  const dataFrom = spec.dataFrom ?? [];
  if (!Array.isArray(data) || !Array.isArray(dataFrom)) {
    out.push('spec.data and spec.dataFrom must be lists');
    return out;
  }
  if (data.length === 0 && dataFrom.length === 0) out.push('spec.data or spec.dataFrom must have at least one entry');
  data.forEach((d: any, i: number) => {
    unknown(d, ['secretKey', 'remoteRef'], `spec.data[${i}]`, out);
    stringField(d.secretKey, `spec.data[${i}].secretKey`, out, SECRET_KEY);
    stringField(d.remoteRef?.key, `spec.data[${i}].remoteRef.key`, out);
  });
  dataFrom.forEach((d: any, i: number) => {
    const where = `spec.dataFrom[${i}]`;
    unknown(d, ['extract', 'find', 'rewrite', 'sourceRef'], where, out);
    const sources = ['extract', 'find'].filter((k) => d[k] !== undefined);
    if (sources.length !== 1) out.push(`${where} must have exactly one of extract or find (got ${sources.length})`);
    if (d.extract !== undefined) {
      unknown(d.extract, ['key', 'property', 'version', 'conversionStrategy', 'decodingStrategy', 'metadataPolicy'], `${where}.extract`, out);
      stringField(d.extract.key, `${where}.extract.key`, out);
    }
  });
  return out;
}

/** Validates one ExternalSecret document (the package's v1 schema and the hand-written checks); one line per problem. */
export function validateExternalSecret(doc: any): string[] {
  return [...validateExternalSecretsWithSchema([doc])[0], ...validateExternalSecretShape(doc)];
}

/** The `customResources` entry for the Kubernetes schema check. */
export const EXTERNAL_SECRET_SCHEMA: { [apiVersionKind: string]: (doc: any) => string[] } = {
  'external-secrets.io/v1/ExternalSecret': validateExternalSecret,
};
