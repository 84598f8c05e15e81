import { Duration, RemovalPolicy, aws_ec2 as ec2, aws_kms as kms, aws_rds as rds, aws_secretsmanager as secretsmanager, aws_sns as sns } from 'aws-cdk-lib';
import { DatabaseEngine } from './database-engine';
import { DatabasePreset } from './database-preset';
import { IndependentRdsOperationsProps } from './independent-rds-operations-props';
import { IndependentRdsRecoveryProps } from './independent-rds-recovery-props';

/**
 * Properties of an IndependentRds. Every default depends on the preset where stated. The restore and
 * disaster-recovery props are in IndependentRdsRecoveryProps; identifiers, log retention and when
 * changes apply in IndependentRdsOperationsProps.
 */
export interface IndependentRdsProps extends IndependentRdsRecoveryProps, IndependentRdsOperationsProps {
  /** The VPC the database lives in. Keep it in its own stack so the database outlives any app. */
  readonly vpc: ec2.IVpc;

  /**
   * Engine and full minor version: the version in code is the version that runs.
   *
   * Minor versions: automatic minor version upgrades are off (on the instance, its replicas, the
   * Aurora instances and the replicas a ReplicaAutoscaling makes). A minor upgrade is a change of
   * this prop, deployed: an in-place update that RDS applies with a short outage. Why: with a pinned minor version and
   * automatic upgrades on, RDS moves the database to a newer minor version behind the template,
   * which then names a version that no longer runs (aws-cdk#15475), and a later deploy may ask for a
   * version older than the one running, which RDS refuses as a downgrade. Upgrade before RDS ends standard support of the minor
   * version, or RDS upgrades it itself in a maintenance window; then set the version it runs.
   *
   * Major versions (PostgreSQL 16 → 17) need `allowMajorVersionUpgrade`.
   *
   * Tokens: a version token that resolves to a literal at synthesis (a `Lazy`) is accepted and checked then; a CloudFormation parameter is refused (the parameter group family follows from the version).
   * @default DatabaseEngine.POSTGRES_16
   */
  readonly engine?: DatabaseEngine;

  /**
   * Lets a change of `engine` to a new major version upgrade the deployed database in place.
   *
   * Instances: sets `AllowMajorVersionUpgrade: true`, without which RDS refuses the upgrade and the
   * stack rolls back. Aurora: CloudFormation has no such property on a cluster (it always allows the
   * upgrade when `EngineVersion` changes), so it is set on the cluster's instances, where it records
   * the intent for the deploy-safety checker (`cdk-db-safety`), which reports an unmarked Aurora
   * major upgrade as an outage.
   *
   * The parameter group follows the engine: its `Family` changes, which CloudFormation handles by
   * creating a new group, moving the database to it in the same update as the new version, and
   * deleting the old group afterwards. A major upgrade cannot be undone: take a snapshot first, test
   * it on a restored copy, and turn this off again afterwards, so that a later accidental change of
   * major version is caught. RDS for MySQL and MariaDB upgrade read replicas before their source,
   * which CloudFormation cannot order: deploy with `readReplicas: 0` for the upgrade.
   * @default false
   */
  readonly allowMajorVersionUpgrade?: boolean;

  /** The set of defaults to start from. @default DatabasePreset.PRODUCTION */
  readonly preset?: DatabasePreset;

  /**
   * Subnets for the database (private or isolated; public subnets are refused).
   * @default - { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Instance class, `db.<family>.<size>`.
   * Tokens: accepted and passed through untouched; one that resolves to a literal at synthesis (a `Lazy`) is checked then.
   * @default - production: 'db.m6g.large' (instances) or 'db.r6g.large' (Aurora); development: 'db.t4g.micro' (instances) or 'db.t4g.medium' (Aurora)
   */
  readonly instanceClass?: string;

  /**
   * Name of the database created at launch. With a `restoreSource`: the name of the source's
   * database the apps use (required then; a restore keeps the source's databases).
   * Tokens: accepted and passed through untouched; one that resolves to a literal at synthesis (a `Lazy`) is checked then.
   * @default 'app'
   */
  readonly databaseName?: string;

  /**
   * Master user name; must follow the engine's rules. With a `restoreSource`: the source's master
   * user name (required then, unless `secret` is given; a restore keeps the source's master user).
   * Tokens: accepted and passed through untouched; one that resolves to a literal at synthesis (a `Lazy`) is checked then.
   * @default 'dbadmin'
   */
  readonly username?: string;

  /**
   * Bring your own master secret (JSON with at least `username` and `password`). No prop ever
   * takes a plaintext password.
   * @default - a 32-character password is generated into a new Secrets Manager secret
   */
  readonly secret?: secretsmanager.ISecret;

  /**
   * Name of the generated master secret in Secrets Manager, e.g. `prod/shop/db-master`, for
   * consumers outside CloudFormation that need a fixed name (a Kubernetes ExternalSecret, through
   * `SecretReferenceFor.independentRds`).
   *
   * Adding, changing or removing it on a deployed stack replaces the secret, and with it the
   * master password: a new password is generated and set on the database, and whatever still
   * reads the old secret loses access. Make that change deliberately. Not allowed with `secret`
   * (name a secret you bring where you create it).
   * Tokens: accepted and passed through untouched; one that resolves to a literal at synthesis (a `Lazy`) is checked then.
   * @default - CloudFormation names the secret
   */
  readonly secretName?: string;

  /** Rotate the master password with the single-user rotation application. @default true */
  readonly rotation?: boolean;

  /**
   * How often the master password rotates.
   * Tokens: refused (a Duration of a token cannot be checked or converted).
   * @default Duration.days(30)
   */
  readonly rotationInterval?: Duration;

  /**
   * TCP port (1150–65535).
   * Tokens: refused (apps get the port literally, as DB_PORT).
   * @default - 5432 for the PostgreSQL family, 3306 otherwise
   */
  readonly port?: number;

  /**
   * Standby in a second AZ (Aurora: at least one reader in another AZ).
   * @default - production: true; development: false
   */
  readonly multiAz?: boolean;

  /**
   * Place a single-AZ instance in this AZ. Refused together with multiAz.
   * Tokens: accepted and passed through untouched; one that resolves to a literal at synthesis (a `Lazy`) is checked then.
   * @default - RDS chooses
   */
  readonly availabilityZone?: string;

  /**
   * Read replicas (instances: `DatabaseInstanceReadReplica`s; Aurora: reader instances), 0–15.
   * Tokens: refused (it decides how many replica resources the template holds).
   * @default - instances: 0; Aurora: 1 when multiAz (so in production), otherwise 0
   */
  readonly readReplicas?: number;

  /**
   * Storage allocated at launch, in GiB (instances only).
   * Tokens: refused (the storage rules and the free-storage alarm are computed from it).
   * @default 20
   */
  readonly allocatedStorage?: number;

  /**
   * Ceiling for storage autoscaling, in GiB (instances only).
   * Tokens: accepted and passed through untouched; one that resolves to a literal at synthesis (a `Lazy`) is checked then.
   * @default - 100, or twice allocatedStorage when that is more (at most 65536)
   */
  readonly maxAllocatedStorage?: number;

  /** Storage type (instances only). @default rds.StorageType.GP3 */
  readonly storageType?: rds.StorageType;

  /**
   * Provisioned IOPS (io1/io2, or gp3 from 400 GiB).
   * Tokens: accepted and passed through untouched; one that resolves to a literal at synthesis (a `Lazy`) is checked then. Which storage types take IOPS is checked for tokens too.
   * @default - the storage type's baseline
   */
  readonly iops?: number;

  /**
   * Storage throughput in MiB/s (gp3 from 400 GiB).
   * Tokens: accepted and passed through untouched; one that resolves to a literal at synthesis (a `Lazy`) is checked then. Which storage types take a throughput is checked for tokens too.
   * @default - the storage type's baseline
   */
  readonly storageThroughput?: number;

  /**
   * KMS key for storage, Performance Insights and the secret. An RDS instance restored from a
   * `restoreSource` keeps the source's storage key: this key must then be that key, when declared.
   * @default - a new key with rotation on, retained when the stack is deleted; for an RDS instance restore, the restore source's declared `sourceEncryptionKey`
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Automated backup retention (0–35 days; 0 only in development).
   * Tokens: refused (a Duration of a token cannot be checked or converted).
   * @default - production: 7 days; development: 1 day
   */
  readonly backupRetention?: Duration;

  /**
   * Daily backup window, `hh24:mi-hh24:mi` UTC, at least 30 minutes.
   * Tokens: accepted and passed through untouched; one that resolves to a literal at synthesis (a `Lazy`) is checked then.
   * @default '03:00-04:00'
   */
  readonly preferredBackupWindow?: string;

  /**
   * Weekly maintenance window, `ddd:hh24:mi-ddd:hh24:mi` UTC, not overlapping backups.
   * Tokens: accepted and passed through untouched; one that resolves to a literal at synthesis (a `Lazy`) is checked then.
   * @default 'sun:04:30-sun:05:30'
   */
  readonly preferredMaintenanceWindow?: string;

  /** Refuse deletion of the database. @default - production: true; development: false */
  readonly deletionProtection?: boolean;

  /**
   * What happens to the database when it leaves the stack (DESTROY is refused in production).
   * @default - production: RemovalPolicy.RETAIN; development: RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;

  /** Performance Insights. @default - production: true; development: false */
  readonly performanceInsights?: boolean;

  /**
   * Performance Insights retention in days: 7, or a multiple of 31 up to 731.
   * Tokens: accepted and passed through untouched; one that resolves to a literal at synthesis (a `Lazy`) is checked then.
   * @default 7
   */
  readonly performanceInsightRetentionDays?: number;

  /**
   * Enhanced monitoring interval (0, 1, 5, 10, 15, 30 or 60 s; 0 is off).
   * Tokens: refused (a Duration of a token cannot be checked or converted).
   * @default - production: 60 seconds; development: off
   */
  readonly monitoringInterval?: Duration;

  /**
   * Log types exported to CloudWatch Logs.
   * Tokens: accepted as list entries, passed through unchecked.
   * @default - every type the engine has: PostgreSQL: postgresql, upgrade; Aurora PostgreSQL: postgresql; MySQL, MariaDB and Aurora MySQL: audit, error, general, slowquery (the general and audit logs are written only once turned on)
   */
  readonly cloudwatchLogsExports?: string[];

  /**
   * Extra engine parameters, merged over the defaults: slow-query logging over 1 s, TLS forced, and
   * on PostgreSQL and Aurora PostgreSQL `pg_stat_statements` (`shared_preload_libraries:
   * 'pg_stat_statements'`, `pg_stat_statements.track: 'all'`). A `shared_preload_libraries` of your
   * own replaces the default: list `pg_stat_statements` in it to keep the statistics.
   * Tokens: accepted as values, passed through unchecked; names must be literal.
   * @default - only the defaults
   */
  readonly parameters?: { [name: string]: string };

  /** IAM database authentication (needed by grantConnect). @default true */
  readonly iamAuthentication?: boolean;

  /** Create CloudWatch alarms (CPU, storage, connections, memory, latency, replica lag). @default true */
  readonly alarms?: boolean;

  /**
   * SNS topic notified when an alarm fires or clears.
   * @default - a new topic `AlarmTopic` (`IndependentRds.alarmTopic`), encrypted with the database's key and refusing publishers without TLS; subscribe to it
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * How far back an Aurora MySQL cluster can be rewound in place (Aurora MySQL only, up to 72 h).
   * Tokens: refused (a Duration of a token cannot be checked or converted).
   * @default - Aurora MySQL in production: 24 hours; otherwise none
   */
  readonly backtrackWindow?: Duration;

  /**
   * DatabaseConnections above which the connections alarm fires.
   * Tokens: accepted and passed through untouched; one that resolves to a literal at synthesis (a `Lazy`) is checked then.
   * @default - 80% of the engine's max_connections: a literal `max_connections` in `parameters`, else the engine's default for the instance class, estimated from its memory; 100 when the class is unknown to the library
   */
  readonly connectionsAlarmThreshold?: number;
}
