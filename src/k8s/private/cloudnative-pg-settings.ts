import { objectStorageProblems, resolveObjectStorage } from './backup-object-storage-settings';
import { DEFAULT_BOOTSTRAP_IMAGE } from './secret-bootstrap';
import { resolveSharedPostgresSettings, SharedPostgresSettings } from './shared-postgres-settings';
import * as v from '../../core/private/validators';
import { Problem, throwIfAny } from '../../core/private/validators';
import { SslMode } from '../../core/ssl-mode';
import { BackupEncryption } from '../backup-object-storage';
import { CloudNativePgOptions } from '../shared-postgres-backend';
import type { SharedPostgresProps } from '../shared-postgres-props';
import { SharedPostgresTls } from '../shared-postgres-tls';

/** Where the Cluster's base backups and WAL go (`spec.backup.barmanObjectStore`), after defaults. */
export interface CloudNativePgBackupSettings {
  /** `s3://<bucket>/<prefix>`. */
  readonly destinationPath: string;
  readonly endpointUrl?: string;
  /** `AES256` or `aws:kms`; none for the bucket's default. */
  readonly encryption?: string;
  readonly retentionPolicy: string;
  /** Six-field cron (seconds first) of the ScheduledBackup. */
  readonly schedule: string;
  /** Static keys from a Secret, or none for the pod's identity (IRSA, Pod Identity). */
  readonly secret?: { readonly name: string; readonly accessKeyIdKey: string; readonly secretAccessKeyKey: string };
  /** Annotations of the instances' ServiceAccount (IRSA's role ARN), with an identity. */
  readonly serviceAccountAnnotations?: { [key: string]: string };
}

/** The Pooler of `pgBouncer`, after defaults. */
export interface CloudNativePgPoolerSettings {
  /** Name of the Pooler, and of the Service the operator makes for it. */
  readonly name: string;
  readonly instances: number;
  readonly parameters: { [key: string]: string };
}

/** Every setting of a SharedPostgres on CloudNativePG, after defaults (the one place they are), validated. */
export interface CloudNativePgSettings {
  /**
   * The settings the backends share: `serviceName` is the Cluster's `<name>-rw` Service, `host`
   * its in-cluster name, `superuserSecretName` the operator's `<name>-superuser`, and `tls` none
   * (the operator runs TLS itself; `defaultSslMode` is `require`).
   */
  readonly base: SharedPostgresSettings;
  readonly instances: number;
  readonly imageName: string;
  readonly enablePodDisruptionBudget: boolean;
  readonly bootstrapImage: string;
  readonly clientImage: string;
  /** Secret of the operator's CA (`ca.crt`), for apps that verify the server. */
  readonly caSecretName: string;
  readonly backup?: CloudNativePgBackupSettings;
  readonly pooler?: CloudNativePgPoolerSettings;
}

const OWNER = 'SharedPostgres';
const CNPG_IMAGE = 'ghcr.io/cloudnative-pg/postgresql';
const BACKEND = 'the CloudNativePG backend';

/**
 * Applies the defaults of the CloudNativePG backend and checks every prop, refusing those that have
 * no meaning there (each with its fix), then the props both backends share.
 */
export function resolveCloudNativePgSettings(props: SharedPostgresProps, o: CloudNativePgOptions,
  chartNamespace: string | undefined): CloudNativePgSettings {
  const name = props.name ?? 'postgres';
  const major = props.postgresMajorVersion ?? 15;
  const instances = o.instances ?? 3;
  const imageName = o.imageName ?? `${CNPG_IMAGE}:${major}`;
  const clientImage = o.clientImage ?? `postgres:${major}-alpine`;
  const bootstrapImage = o.bootstrapImage ?? DEFAULT_BOOTSTRAP_IMAGE;
  const retentionPolicy = o.backupRetentionPolicy ?? '30d';
  const b = props.backup ?? {};
  const storage = b.objectStorage && resolveObjectStorage(b.objectStorage, props.namespace, name);
  const backupEnabled = props.backupEnabled ?? storage !== undefined;
  const schedule = b.schedule ?? '0 3 * * *';
  const bouncer = props.pgBouncer;
  const pooler = bouncer === undefined ? undefined : {
    name: bouncer.serviceName ?? 'pgbouncer',
    instances: bouncer.replicas ?? 2,
    maxClientConn: bouncer.maxClientConn ?? 1000,
    defaultPoolSize: bouncer.defaultPoolSize ?? 25,
  };

  const refuse = (prop: string, given: boolean, fix: string): Problem =>
    given ? `${prop} has no meaning under ${BACKEND} (got ${prop} set). ${fix}` : undefined;
  const imageProblem = v.imageRef('backend imageName', imageName, `${CNPG_IMAGE}:15`);
  const problems: Problem[] = [
    refuse('image', props.image !== undefined, 'The operator runs its own operand images: drop image and set SharedPostgresBackend.cloudNativePg({ imageName }).'),
    refuse('initialMajorVersion', props.initialMajorVersion !== undefined,
      'A major upgrade on CloudNativePG is a new Cluster (or the operator\'s in-place upgrade): drop initialMajorVersion.'),
    refuse('serviceName', props.serviceName !== undefined, `Apps connect to the operator's Service ${v.show(`${name}-rw`)}: drop serviceName.`),
    refuse('superuser', props.superuser !== undefined, 'The operator\'s superuser is always postgres: drop superuser.'),
    refuse('tls', props.tls !== undefined, 'The operator always runs TLS with its own certificates (apps get sslmode=require): drop tls.'),
    refuse('tlsSecretName', props.tlsSecretName !== undefined, 'The operator always runs TLS with its own certificates: drop tlsSecretName.'),
    refuse('monitoring', props.monitoring !== undefined, 'Use the operator\'s own metrics exporter (port 9187 on each instance) with a PodMonitor of yours: drop monitoring.'),
    refuse('blockNodeDrains', props.blockNodeDrains !== undefined,
      'The operator manages PodDisruptionBudgets (SharedPostgresBackend.cloudNativePg({ enablePodDisruptionBudget })): drop blockNodeDrains.'),
    refuse('backup.retain', b.retain !== undefined, 'The operator keeps backups by age: set SharedPostgresBackend.cloudNativePg({ backupRetentionPolicy: \'30d\' }) instead.'),
    refuse('backup.storageSize', b.storageSize !== undefined, 'Backups go to object storage only: drop backup.storageSize.'),
    refuse('backup.storageClassName', b.storageClassName !== undefined, 'Backups go to object storage only: drop backup.storageClassName.'),
    refuse('backup.objectStorage.region', b.objectStorage?.region !== undefined,
      'barman-cloud finds the bucket\'s region itself (with IRSA, EKS sets AWS_REGION): drop region.'),
    refuse('backup.objectStorage.forcePathStyle', b.objectStorage?.forcePathStyle !== undefined,
      'barman-cloud addresses an S3-compatible endpoint by itself: drop forcePathStyle.'),
    refuse('backup.objectStorage.deleteOldDumps', b.objectStorage?.deleteOldDumps !== undefined,
      'The operator deletes backups older than backupRetentionPolicy: drop deleteOldDumps.'),
    refuse('backup.objectStorage.image', b.objectStorage?.image !== undefined, 'The operator uploads with barman-cloud from its own image: drop image.'),
    refuse('backup.objectStorage.encryption (a KMS key)', storage?.encryption.kmsKeyId !== undefined,
      'The Cluster cannot name a KMS key: use BackupEncryption.S3_MANAGED, or BUCKET_DEFAULT with the key as the bucket\'s default.'),
    refuse('pgBouncer.image', bouncer?.image !== undefined, 'The operator runs its own PgBouncer image: drop pgBouncer.image.'),
    v.intRange('backend instances', instances, 1, 9, 'Use 3 for one primary and two replicas (1 has no failover).'),
    imageProblem ?? v.pgImageMajorVersion(imageName, major, props.postgresMajorVersion, major),
    v.imageRef('backend clientImage', clientImage, 'postgres:15-alpine'),
    v.imageRef('backend bootstrapImage', bootstrapImage, DEFAULT_BOOTSTRAP_IMAGE),
    /^[1-9][0-9]*[dwm]$/.test(String(retentionPolicy)) ? undefined
      : `backend backupRetentionPolicy must be a number of days, weeks or months such as '30d', '8w' or '6m' (got ${v.show(retentionPolicy)}). Fix the unit or the number.`,
    backupEnabled && storage === undefined
      ? 'backupEnabled needs backup.objectStorage under the CloudNativePG backend (got backupEnabled: true without it). The operator backs up to object storage only: set backup.objectStorage, or drop backupEnabled.'
      : undefined,
    b.schedule === undefined ? undefined : v.cronSchedule('backup.schedule', b.schedule),
    ...(storage ? objectStorageProblems(storage) : []),
    ...(pooler === undefined ? [] : [
      v.kubernetesName('Pooler', 'pgBouncer.serviceName', pooler.name),
      pooler.name === `${name}-rw` || pooler.name === `${name}-ro` || pooler.name === `${name}-r`
        ? `pgBouncer.serviceName must differ from the Cluster's Services ${name}-rw, ${name}-ro and ${name}-r (got ${v.show(pooler.name)}). Choose another name.`
        : undefined,
      v.intRange('pgBouncer.replicas', pooler.instances, 1, 10, 'Use 2 for availability; more pods multiply server connections.'),
      v.intRange('pgBouncer.maxClientConn', pooler.maxClientConn, 1, 100000, 'The default is 1000.'),
      v.intRange('pgBouncer.defaultPoolSize', pooler.defaultPoolSize, 1, 10000, 'The default is 25; keep pods × pool size below max_connections.'),
    ]),
  ];
  throwIfAny(OWNER, problems);

  // The props both backends share, checked as the StatefulSet backend checks them.
  const shared = resolveSharedPostgresSettings({
    ...props,
    image: `postgres:${major}-alpine`,
    tls: SharedPostgresTls.disabled(),
    backupEnabled,
    backup: undefined,
    pgBouncer: undefined,
  }, chartNamespace);
  const serviceName = `${name}-rw`;
  const labels = { 'cnpg.io/cluster': name };
  const base: SharedPostgresSettings = {
    ...shared,
    serviceName,
    host: `${serviceName}.${shared.namespace}.svc.${shared.clusterDomain}`,
    superuser: 'postgres',
    superuserSecretName: `${name}-superuser`,
    defaultSslMode: SslMode.REQUIRE,
    selectorLabels: labels,
    podLabels: labels,
  };
  const creds = storage?.credentials;
  return {
    base,
    instances,
    imageName,
    enablePodDisruptionBudget: o.enablePodDisruptionBudget ?? true,
    bootstrapImage,
    clientImage,
    caSecretName: `${name}-ca`,
    backup: !backupEnabled || storage === undefined ? undefined : {
      destinationPath: `s3://${storage.bucket}/${storage.prefix}`,
      endpointUrl: storage.endpoint,
      encryption: storage.encryption === BackupEncryption.BUCKET_DEFAULT ? undefined : storage.encryption.algorithm,
      retentionPolicy,
      schedule: schedule.startsWith('@') ? schedule : `0 ${schedule}`,
      secret: creds?.secretName === undefined ? undefined
        : { name: creds.secretName, accessKeyIdKey: creds.accessKeyIdKey!, secretAccessKeyKey: creds.secretAccessKeyKey! },
      serviceAccountAnnotations: creds?.secretName === undefined ? creds?.serviceAccountAnnotations : undefined,
    },
    pooler: pooler === undefined ? undefined : {
      name: pooler.name,
      instances: pooler.instances,
      parameters: { max_client_conn: String(pooler.maxClientConn), default_pool_size: String(pooler.defaultPoolSize) },
    },
  };
}
