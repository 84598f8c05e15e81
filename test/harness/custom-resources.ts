import { CERT_MANAGER_SCHEMA } from './cert-manager-schema';
import { CLOUDNATIVE_PG_SCHEMA } from './cloudnative-pg-schema';

/**
 * Validators of the custom resources the library emits beyond Kubernetes 1.28, by "apiVersion/kind",
 * for the Kubernetes schema check's `customResources` option.
 */
export const CUSTOM_RESOURCE_SCHEMAS: { [apiVersionKind: string]: (doc: any) => string[] } = {
  ...CERT_MANAGER_SCHEMA,
  ...CLOUDNATIVE_PG_SCHEMA,
};
