/**
 * Server-side encryption of the dumps a backup uploads.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/serv-side-encryption.html
 */
export class BackupEncryption {
  /** SSE-S3: keys managed by the store (`x-amz-server-side-encryption: AES256`). */
  public static readonly S3_MANAGED = new BackupEncryption('AES256');

  /**
   * No encryption header: the bucket's default encryption applies (Amazon S3 encrypts every new
   * object with SSE-S3 at least). For S3-compatible stores that reject the SSE headers.
   */
  public static readonly BUCKET_DEFAULT = new BackupEncryption(undefined);

  /**
   * SSE-KMS with a customer-managed key: the uploader needs `kms:GenerateDataKey` on it, and a
   * restore needs `kms:Decrypt`.
   *
   * @param keyId the key id, key ARN, alias (`alias/db-backups`) or alias ARN
   */
  public static kms(keyId: string): BackupEncryption {
    return new BackupEncryption('aws:kms', keyId);
  }

  private constructor(
    /** The `--sse` value (`AES256` or `aws:kms`); none for the bucket's default. */
    public readonly algorithm?: string,
    /** The KMS key of `aws:kms`. */
    public readonly kmsKeyId?: string,
  ) {}
}

/**
 * Options of {@link BackupCredentials.fromSecret}.
 */
export interface BackupSecretCredentialsOptions {
  /**
   * Key of the access key id in the Secret.
   *
   * @default 'AWS_ACCESS_KEY_ID'
   */
  readonly accessKeyIdKey?: string;

  /**
   * Key of the secret access key in the Secret.
   *
   * @default 'AWS_SECRET_ACCESS_KEY'
   */
  readonly secretAccessKeyKey?: string;
}

/**
 * How the backup and restore pods authenticate to the object store. Only the container that runs
 * the AWS CLI gets the credentials; the containers that talk to PostgreSQL do not.
 */
export class BackupCredentials {
  /**
   * Static keys from a Secret in the database's namespace (made by you or an operator such as
   * External Secrets; never in the manifest). For S3-compatible stores, or AWS without IRSA.
   *
   * @param secretName the Secret holding the access key id and secret access key
   * @param options the keys' names in the Secret
   */
  public static fromSecret(secretName: string, options: BackupSecretCredentialsOptions = {}): BackupCredentials {
    return new BackupCredentials({
      secretName,
      accessKeyIdKey: options.accessKeyIdKey ?? 'AWS_ACCESS_KEY_ID',
      secretAccessKeyKey: options.secretAccessKeyKey ?? 'AWS_SECRET_ACCESS_KEY',
    });
  }

  /**
   * IAM Roles for Service Accounts (EKS): the backup's ServiceAccount is annotated with
   * `eks.amazonaws.com/role-arn`, and EKS's webhook gives the pods a token the CLI exchanges for
   * the role's credentials. The role's trust policy must name `system:serviceaccount:<namespace>:<name>-backup`.
   *
   * @param roleArn the IAM role the backup assumes
   * @see https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html
   */
  public static irsa(roleArn: string): BackupCredentials {
    return new BackupCredentials({ annotations: { 'eks.amazonaws.com/role-arn': roleArn }, roleArn });
  }

  /**
   * The backup's own ServiceAccount (`<name>-backup`) with these annotations, for identity
   * systems keyed on a ServiceAccount: EKS Pod Identity (no annotation needed: create the pod
   * identity association for `<namespace>/<name>-backup` in EKS) or another cloud's workload
   * identity.
   *
   * @param annotations annotations of the ServiceAccount
   * @see https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html
   */
  public static fromServiceAccount(annotations: { [key: string]: string } = {}): BackupCredentials {
    return new BackupCredentials({ annotations: { ...annotations } });
  }

  /** The Secret with static keys, when the credentials come from one. */
  public readonly secretName?: string;
  /** Key of the access key id in the Secret. */
  public readonly accessKeyIdKey?: string;
  /** Key of the secret access key in the Secret. */
  public readonly secretAccessKeyKey?: string;
  /** Annotations of the backup's ServiceAccount; none with a Secret (the pods then run as the namespace's default ServiceAccount). */
  public readonly serviceAccountAnnotations?: { [key: string]: string };
  /** The IAM role of IRSA. */
  public readonly roleArn?: string;

  private constructor(spec: CredentialsSpec) {
    this.secretName = spec.secretName;
    this.accessKeyIdKey = spec.accessKeyIdKey;
    this.secretAccessKeyKey = spec.secretAccessKeyKey;
    this.serviceAccountAnnotations = spec.annotations;
    this.roleArn = spec.roleArn;
  }
}

/** The fields of one {@link BackupCredentials}. */
interface CredentialsSpec {
  readonly secretName?: string;
  readonly accessKeyIdKey?: string;
  readonly secretAccessKeyKey?: string;
  readonly annotations?: { [key: string]: string };
  readonly roleArn?: string;
}

/**
 * Where a SharedPostgres backup copies its dumps off the cluster: an S3 bucket, or a bucket of an
 * S3-compatible store (MinIO, Ceph, R2, …) with `endpoint`.
 */
export interface BackupObjectStorageOptions {
  /** The bucket, e.g. `acme-db-backups` (a name, without `s3://`). */
  readonly bucket: string;

  /** How the pods authenticate: a Secret with keys, IRSA, or a ServiceAccount for Pod Identity. */
  readonly credentials: BackupCredentials;

  /**
   * Key prefix of every object: dumps are `<prefix>/<database>/<database>-<UTC timestamp>.dump`,
   * roles `<prefix>/globals-<UTC timestamp>.sql`.
   *
   * @default '<namespace>/<name>' (e.g. 'production/postgres'), so environments can share a bucket
   */
  readonly prefix?: string;

  /**
   * Region of the bucket (`AWS_REGION`).
   *
   * @default 'us-east-1'
   */
  readonly region?: string;

  /**
   * Endpoint of an S3-compatible store, e.g. `https://minio.storage.svc:9000`.
   *
   * @default - Amazon S3 in `region`
   */
  readonly endpoint?: string;

  /**
   * Path-style requests (`<endpoint>/<bucket>/<key>`) instead of virtual-hosted ones: most
   * S3-compatible stores need it.
   *
   * @default false
   */
  readonly forcePathStyle?: boolean;

  /**
   * Server-side encryption of each uploaded object.
   *
   * @default BackupEncryption.S3_MANAGED
   */
  readonly encryption?: BackupEncryption;

  /**
   * Whether the backup deletes the bucket's old dumps, keeping the newest `retain` of each database
   * (and of the roles) as on the claim; the credentials then need `s3:DeleteObject`. Set false to
   * leave retention to the bucket's lifecycle rules (an expiration rule on the prefix), for example
   * with S3 Object Lock or versioning so that the cluster's credentials cannot destroy backups.
   *
   * @default true
   */
  readonly deleteOldDumps?: boolean;

  /**
   * Image of the AWS CLI v2 (it must provide `aws` and a POSIX shell with `tr`, `sed`, `grep`,
   * `sort`; it runs as uid 70).
   *
   * @default 'amazon/aws-cli:2.27.9'
   */
  readonly image?: string;
}
