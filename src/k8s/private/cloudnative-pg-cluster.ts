import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { CloudNativePgSettings } from './cloudnative-pg-settings';
import { CNPG_API_VERSION, CnpgClusterSpec, CnpgPoolerSpec, CnpgScheduledBackupSpec } from './cloudnative-pg-types';

/**
 * The server side of a SharedPostgres on CloudNativePG: the `Cluster` (its id `Resource` and name
 * are data-bearing: the operator keeps the data in PersistentVolumeClaims named after it), the
 * `Pooler` with `pgBouncer`, and the `ScheduledBackup` with backups to object storage.
 */
export class CloudNativePgCluster extends Construct {
  public readonly cluster: ApiObject;
  public readonly pooler?: ApiObject;
  public readonly scheduledBackup?: ApiObject;

  public constructor(scope: Construct, id: string, c: CloudNativePgSettings) {
    super(scope, id);
    const s = c.base;
    const metadata = (name: string) => ({ name, namespace: s.namespace, labels: s.objectLabels });
    const b = c.backup;
    const secretKey = (key: string) => ({ name: b!.secret!.name, key });
    const spec: CnpgClusterSpec = {
      instances: c.instances,
      imageName: c.imageName,
      // The restore Job and each app's setup Job log in as the superuser (<name>-superuser, made by the operator).
      enableSuperuserAccess: true,
      enablePDB: c.enablePodDisruptionBudget,
      postgresql: { parameters: { ...s.settings, max_connections: String(s.maxConnections) } },
      storage: { size: s.storageSize, storageClass: s.storageClassName },
      resources: {
        requests: { cpu: s.cpuRequest, memory: s.memoryRequest },
        limits: { cpu: s.cpuLimit, memory: s.memoryLimit },
      },
      serviceAccountTemplate: b?.serviceAccountAnnotations === undefined || Object.keys(b.serviceAccountAnnotations).length === 0
        ? undefined : { metadata: { annotations: b.serviceAccountAnnotations } },
      backup: b === undefined ? undefined : {
        retentionPolicy: b.retentionPolicy,
        barmanObjectStore: {
          destinationPath: b.destinationPath,
          endpointURL: b.endpointUrl,
          s3Credentials: b.secret === undefined
            ? { inheritFromIAMRole: true }
            : { accessKeyId: secretKey(b.secret.accessKeyIdKey), secretAccessKey: secretKey(b.secret.secretAccessKeyKey) },
          data: { compression: 'gzip', encryption: b.encryption },
          wal: { compression: 'gzip', encryption: b.encryption },
        },
      },
    };
    this.cluster = new ApiObject(this, 'Resource', { apiVersion: CNPG_API_VERSION, kind: 'Cluster', metadata: metadata(s.name), spec });

    if (c.pooler) {
      const pooler: CnpgPoolerSpec = {
        cluster: { name: s.name },
        instances: c.pooler.instances,
        type: 'rw',
        // Transaction pooling, as the StatefulSet backend's PgBouncer.
        pgbouncer: { poolMode: 'transaction', parameters: c.pooler.parameters },
      };
      this.pooler = new ApiObject(this, 'Pooler', { apiVersion: CNPG_API_VERSION, kind: 'Pooler', metadata: metadata(c.pooler.name), spec: pooler });
    }
    if (b) {
      const backup: CnpgScheduledBackupSpec = {
        cluster: { name: s.name },
        schedule: b.schedule,
        method: 'barmanObjectStore',
        backupOwnerReference: 'self',
        immediate: true,
      };
      this.scheduledBackup = new ApiObject(this, 'ScheduledBackup', {
        apiVersion: CNPG_API_VERSION, kind: 'ScheduledBackup', metadata: metadata(`${s.name}-backup`), spec: backup,
      });
    }
  }
}
