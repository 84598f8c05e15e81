import { k8s } from 'cdk8s-plus-28';
import { containerSecurityContext, POSTGRES_UID, resources } from './pod-defaults';
import * as v from '../../core/private/validators';
import { Problem, show } from '../../core/private/validators';
import { BackupCredentials, BackupEncryption, BackupObjectStorageOptions } from '../backup-object-storage';

/** The AWS CLI v2 image of the upload and download containers, pinned. */
export const DEFAULT_AWS_CLI_IMAGE = 'amazon/aws-cli:2.27.9';
/** Where the AWS CLI keeps its config and cache: the pod's `tmp` emptyDir. */
const CLI_HOME = '/tmp';

/** {@link BackupObjectStorageOptions} with the defaults applied (the one place they are). */
export interface ObjectStorageSettings {
  readonly bucket: string;
  readonly prefix: string;
  readonly region: string;
  readonly endpoint?: string;
  readonly forcePathStyle: boolean;
  readonly encryption: BackupEncryption;
  readonly deleteOldDumps: boolean;
  readonly image: string;
  readonly credentials: BackupCredentials;
}

/** Applies the defaults; `namespace` and `name` make the default prefix. */
export function resolveObjectStorage(o: BackupObjectStorageOptions, namespace: string, name: string): ObjectStorageSettings {
  return {
    bucket: o.bucket,
    prefix: o.prefix ?? `${namespace}/${name}`,
    region: o.region ?? 'us-east-1',
    endpoint: o.endpoint,
    forcePathStyle: o.forcePathStyle ?? false,
    encryption: o.encryption ?? BackupEncryption.S3_MANAGED,
    deleteOldDumps: o.deleteOldDumps ?? true,
    image: o.image ?? DEFAULT_AWS_CLI_IMAGE,
    credentials: o.credentials,
  };
}

/** Every problem of the object-storage settings, named `objectStorage.<option>`. */
export function objectStorageProblems(s: ObjectStorageSettings): Problem[] {
  const c = s.credentials;
  const problems: Problem[] = [
    v.s3BucketName('objectStorage.bucket', s.bucket),
    v.s3KeyPrefix('objectStorage.prefix', s.prefix),
    v.storageRegionName('objectStorage.region', s.region),
    s.endpoint === undefined ? undefined : v.endpointUrl('objectStorage.endpoint', s.endpoint, 'https://minio.storage.svc:9000'),
    v.imageRef('objectStorage.image', s.image, DEFAULT_AWS_CLI_IMAGE),
    s.encryption.kmsKeyId === undefined ? undefined : v.kmsKeyId('objectStorage.encryption key', s.encryption.kmsKeyId),
  ];
  if (!(c instanceof BackupCredentials)) {
    problems.push(`objectStorage.credentials must be given (got ${show(c)}). `
      + 'Use BackupCredentials.fromSecret(...), BackupCredentials.irsa(...) or BackupCredentials.fromServiceAccount(...).');
    return problems;
  }
  if (c.secretName !== undefined) {
    problems.push(
      v.kubernetesName('Secret', 'objectStorage.credentials secretName', c.secretName),
      v.secretKey('objectStorage.credentials accessKeyIdKey', c.accessKeyIdKey!),
      v.secretKey('objectStorage.credentials secretAccessKeyKey', c.secretAccessKeyKey!),
    );
  }
  if (c.roleArn !== undefined) problems.push(v.iamRoleArn('objectStorage.credentials roleArn', c.roleArn));
  for (const key of Object.keys(c.serviceAccountAnnotations ?? {})) problems.push(v.labelKey('objectStorage.credentials annotations', key));
  return problems;
}

/** The ServiceAccount the pods run as, when the credentials come from one (`<name>-backup`). */
export function usesServiceAccount(s: ObjectStorageSettings): boolean {
  return s.credentials.secretName === undefined;
}

/** The environment of the object-storage scripts (no secret value: keys come from `secretKeyRef`). */
export function objectStorageEnv(s: ObjectStorageSettings): k8s.EnvVar[] {
  const env: k8s.EnvVar[] = [
    { name: 'S3_BUCKET', value: s.bucket },
    { name: 'S3_PREFIX', value: s.prefix },
    { name: 'AWS_REGION', value: s.region },
    { name: 'AWS_DEFAULT_REGION', value: s.region },
    { name: 'HOME', value: CLI_HOME },
    { name: 'AWS_CONFIG_FILE', value: `${CLI_HOME}/aws-config` },
  ];
  if (s.endpoint !== undefined) {
    env.push(
      { name: 'S3_ENDPOINT', value: s.endpoint },
      // CLI 2.23+ sends new integrity checksums that many S3-compatible stores reject; only when required.
      { name: 'AWS_REQUEST_CHECKSUM_CALCULATION', value: 'when_required' },
      { name: 'AWS_RESPONSE_CHECKSUM_VALIDATION', value: 'when_required' },
    );
  }
  if (s.forcePathStyle) env.push({ name: 'S3_PATH_STYLE', value: 'true' });
  if (s.encryption.algorithm !== undefined) env.push({ name: 'S3_SSE', value: s.encryption.algorithm });
  if (s.encryption.kmsKeyId !== undefined) env.push({ name: 'S3_SSE_KMS_KEY_ID', value: s.encryption.kmsKeyId });
  const c = s.credentials;
  if (c.secretName !== undefined) {
    env.push(
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: c.secretName, key: c.accessKeyIdKey! } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: c.secretName, key: c.secretAccessKeyKey! } } },
    );
  }
  return env;
}

/** A container running `script` with the AWS CLI image, the object-storage env plus `env`, and `mounts` (plus `tmp`). */
export function awsCliContainer(name: string, s: ObjectStorageSettings, script: string, env: k8s.EnvVar[], mounts: k8s.VolumeMount[]): k8s.Container {
  return {
    name,
    image: s.image,
    command: ['/bin/sh', '-c', script],
    env: [...objectStorageEnv(s), ...env],
    resources: resources('50m', '64Mi', '500m', '256Mi'),
    securityContext: containerSecurityContext(POSTGRES_UID),
    volumeMounts: [...mounts, { name: 'tmp', mountPath: CLI_HOME }],
  };
}
