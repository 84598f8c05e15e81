import * as fs from 'node:fs';
import * as path from 'node:path';
// ajv comes with the project's dev tools (eslint, @kubernetes-models/validate); the options below work with v6 and v8.
// eslint-disable-next-line import/no-extraneous-dependencies
import Ajv from 'ajv';
import * as YAML from 'yaml';

/**
 * Validation of the CloudNativePG objects the library emits (`postgresql.cnpg.io/v1` Cluster,
 * DatabaseRole, Database, Pooler, ScheduledBackup) against the OpenAPI v3 schemas of the operator's
 * v1.30.0 CRDs (test/fixtures/crds/cloudnative-pg/, copied unmodified), for the Kubernetes schema
 * check's `customResources` option.
 *
 * The API server prunes unknown fields of a structural schema silently, so a misspelt field would
 * do nothing in a cluster: here every object schema that lists `properties` is closed
 * (`additionalProperties: false`) unless it says `x-kubernetes-preserve-unknown-fields` or is a
 * map (`additionalProperties` of its own). The CEL rules (`x-kubernetes-validations`) are not
 * evaluated; `metadata` is checked by the Kubernetes name check.
 */

const CRD_DIR = path.join(__dirname, '..', 'fixtures', 'crds', 'cloudnative-pg');
const KINDS = ['Cluster', 'DatabaseRole', 'Database', 'Pooler', 'ScheduledBackup'];
const FILES: { [kind: string]: string } = {
  Cluster: 'postgresql.cnpg.io_clusters.yaml',
  DatabaseRole: 'postgresql.cnpg.io_databaseroles.yaml',
  Database: 'postgresql.cnpg.io_databases.yaml',
  Pooler: 'postgresql.cnpg.io_poolers.yaml',
  ScheduledBackup: 'postgresql.cnpg.io_scheduledbackups.yaml',
};

/** `schema` with every object that lists properties closed to unknown fields (in place). */
function closeSchema(schema: any): any {
  if (schema === null || typeof schema !== 'object') return schema;
  if (Array.isArray(schema)) {
    schema.forEach(closeSchema);
    return schema;
  }
  if (schema.properties && schema.additionalProperties === undefined && !schema['x-kubernetes-preserve-unknown-fields']) {
    schema.additionalProperties = false;
  }
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && value && typeof value === 'object') {
      // Each property's schema (the names themselves are not keywords).
      for (const child of Object.values(value as object)) closeSchema(child);
    } else if (typeof value === 'object') {
      closeSchema(value);
    }
  }
  return schema;
}

type Validate = ((doc: unknown) => boolean) & { errors?: Array<{ dataPath?: string; instancePath?: string; message?: string; params?: any }> | null };
const validators = new Map<string, Validate>();

function validatorFor(kind: string): Validate {
  let validate = validators.get(kind);
  if (!validate) {
    const crd = YAML.parse(fs.readFileSync(path.join(CRD_DIR, FILES[kind]), 'utf-8'));
    const version = crd.spec.versions.find((ver: any) => ver.name === 'v1');
    const schema = closeSchema(JSON.parse(JSON.stringify(version.schema.openAPIV3Schema)));
    const ajv = new (Ajv as any)({ allErrors: true, unknownFormats: 'ignore', validateFormats: false, strict: false, logger: false });
    validate = ajv.compile(schema) as Validate;
    validators.set(kind, validate);
  }
  return validate;
}

/** Problems of one CloudNativePG object: schema errors, unknown fields included. */
export function validateCloudNativePg(doc: any): string[] {
  if (doc?.apiVersion !== 'postgresql.cnpg.io/v1' || !KINDS.includes(doc?.kind)) {
    return [`${doc?.apiVersion}/${doc?.kind} is not a CloudNativePG kind this validator knows`];
  }
  const validate = validatorFor(doc.kind);
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => {
    const where = e.instancePath ?? e.dataPath ?? '';
    const extra = e.params?.additionalProperty ? ` (${e.params.additionalProperty}: unknown field)` : '';
    return `${where || '/'} ${e.message}${extra}`;
  });
}

/** The `customResources` entries for the Kubernetes schema check. */
export const CLOUDNATIVE_PG_SCHEMA: { [apiVersionKind: string]: (doc: any) => string[] } = Object.fromEntries(
  KINDS.map((kind) => [`postgresql.cnpg.io/v1/${kind}`, validateCloudNativePg]),
);
