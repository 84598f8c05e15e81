/**
 * The parts of the CloudNativePG v1.30 kinds (`postgresql.cnpg.io/v1`) this library writes, typed
 * after their CRDs' OpenAPI schemas (test/fixtures/crds/cloudnative-pg/), so every emitted field
 * is one the schema has. Not API: users see the constructs and the manifests.
 */

export const CNPG_API_VERSION = 'postgresql.cnpg.io/v1';

/** A reference to a Secret key (`SecretKeySelector`). */
export interface CnpgSecretKey {
  readonly name: string;
  readonly key: string;
}

/** `Cluster.spec` (the fields written). */
export interface CnpgClusterSpec {
  readonly instances: number;
  readonly imageName: string;
  readonly enableSuperuserAccess: boolean;
  readonly enablePDB: boolean;
  readonly postgresql: { readonly parameters: { [key: string]: string } };
  readonly storage: { readonly size: string; readonly storageClass?: string };
  readonly resources: {
    readonly requests: { [key: string]: string };
    readonly limits: { [key: string]: string };
  };
  readonly inheritedMetadata?: { readonly labels: { [key: string]: string } };
  readonly serviceAccountTemplate?: { readonly metadata: { readonly annotations: { [key: string]: string } } };
  readonly backup?: {
    readonly retentionPolicy: string;
    readonly barmanObjectStore: {
      readonly destinationPath: string;
      readonly endpointURL?: string;
      readonly s3Credentials: {
        readonly accessKeyId?: CnpgSecretKey;
        readonly secretAccessKey?: CnpgSecretKey;
        readonly inheritFromIAMRole?: boolean;
      };
      readonly data?: { readonly compression: string; readonly encryption?: string };
      readonly wal?: { readonly compression: string; readonly encryption?: string };
    };
  };
}

/** `DatabaseRole.spec` (the fields written). */
export interface CnpgDatabaseRoleSpec {
  readonly cluster: { readonly name: string };
  readonly name: string;
  readonly ensure: string;
  readonly login: boolean;
  readonly inherit: boolean;
  readonly connectionLimit?: number;
  readonly passwordSecret: { readonly name: string };
  readonly databaseRoleReclaimPolicy: string;
}

/** `Database.spec` (the fields written). */
export interface CnpgDatabaseSpec {
  readonly cluster: { readonly name: string };
  readonly name: string;
  readonly owner: string;
  readonly ensure: string;
  readonly databaseReclaimPolicy: string;
  readonly schemas: { readonly name: string; readonly owner: string; readonly ensure: string }[];
}

/** `Pooler.spec` (the fields written). */
export interface CnpgPoolerSpec {
  readonly cluster: { readonly name: string };
  readonly instances: number;
  readonly type: string;
  readonly pgbouncer: { readonly poolMode: string; readonly parameters: { [key: string]: string } };
}

/** `ScheduledBackup.spec` (the fields written). */
export interface CnpgScheduledBackupSpec {
  readonly cluster: { readonly name: string };
  readonly schedule: string;
  readonly method: string;
  readonly backupOwnerReference: string;
  readonly immediate: boolean;
}
