import { Duration, aws_kms as kms } from 'aws-cdk-lib';
import { DatabaseEngine } from './database-engine';
import { restoreTimestamp } from '../core/private/validators';

/** What a restore source restores from. */
export enum RestoreSourceKind {
  /** A DB snapshot (manual, automated, shared or copied), restored into an RDS instance. */
  SNAPSHOT = 'snapshot',
  /** A DB cluster snapshot, restored into an Aurora cluster. */
  CLUSTER_SNAPSHOT = 'cluster-snapshot',
  /** A point in time (or the latest restorable time) of a source instance or cluster. */
  POINT_IN_TIME = 'point-in-time',
}

/**
 * What is known about the source of a restore. Everything is optional and only checked or used
 * by IndependentRds at synthesis; RDS itself reads the source at deploy time.
 */
export interface RestoreSourceOptions {
  /**
   * The engine (and version) the source runs. When given, IndependentRds refuses an engine of
   * another family, an older version (RDS cannot downgrade), or a new major version without
   * `allowMajorVersionUpgrade`, before anything is deployed.
   * @default - unknown: RDS refuses a mismatch at deploy time
   */
  readonly sourceEngine?: DatabaseEngine;

  /**
   * The KMS key the source (the snapshot, or the source's storage) is encrypted with.
   *
   * An RDS instance restore keeps this key for its storage (RDS cannot re-encrypt an instance while
   * restoring it): IndependentRds then uses it as its `encryptionKey` (secret, Performance
   * Insights, grants) when none is given, and refuses an `encryptionKey` that is another key. An
   * Aurora restore re-encrypts the cluster with the IndependentRds key; this key only has to be
   * usable by whoever deploys.
   * @default - unknown: an instance restore warns that its storage key is not named
   */
  readonly sourceEncryptionKey?: kms.IKey;
}

/** A point-in-time restore: the source, the moment, and what is known about the source. */
export interface PointInTimeRestoreOptions extends RestoreSourceOptions {
  /**
   * The DB instance to restore (instance engines): its identifier, or its ARN. Give exactly one
   * of this, `sourceClusterIdentifier` and `sourceAutomatedBackupsArn`. Write the identifier itself (from the console or the old stack's
   * output), not a reference to the old construct, so the old one can be retired later.
   * @default - none: give sourceClusterIdentifier
   */
  readonly sourceInstanceIdentifier?: string;

  /**
   * The Aurora DB cluster to restore: its identifier, or its ARN. Give exactly one of this,
   * `sourceInstanceIdentifier` and `sourceAutomatedBackupsArn`.
   * @default - none: give sourceInstanceIdentifier
   */
  readonly sourceClusterIdentifier?: string;

  /**
   * The ARN of replicated automated backups in this stack's region (`arn:aws:rds:<region>:<account>:auto-backup:ab-…`,
   * from `aws rds describe-db-instance-automated-backups`): restores, in the disaster-recovery
   * region, an instance of another region whose backups are replicated here (`backupReplication`).
   * Instance engines only. Give this, `sourceInstanceIdentifier` or `sourceClusterIdentifier`.
   * @default - none: the source is a live instance or cluster
   */
  readonly sourceAutomatedBackupsArn?: string;

  /**
   * The moment to restore to, e.g. `new Date('2025-06-01T14:01:00Z')`: the last moment before the
   * damage. It must be in the past and inside the source's backup retention window.
   * @default - the latest restorable time (usually a few minutes before the restore starts)
   */
  readonly restoreTime?: Date;

  /**
   * The source's automated backup retention. When given, IndependentRds refuses a `restoreTime`
   * outside the window at synthesis. The check reads the clock: remove this once the database is
   * restored (it is not part of the template), or synthesis fails when the window has moved on.
   * @default - unknown: the window is not checked (RDS refuses a time outside it at deploy time)
   */
  readonly sourceBackupRetention?: Duration;
}

/**
 * Where an IndependentRds restores its data from (its `restoreSource` prop): a DB snapshot, a DB
 * cluster snapshot, or a point in time of a source instance or cluster.
 *
 * A restore is a property of the database, so the restored database is a whole IndependentRds:
 * its construct ids, generated secret, alarms, rotation and bindings work as for a new one. Keep
 * the restore source in the props for the life of the database: CloudFormation treats a
 * different source as a request to restore again, into a new database.
 */
export class RestoreSource {
  /**
   * Restores an RDS instance from a DB snapshot: a manual or automated snapshot (`rds:` prefix),
   * one copied from another region, or one shared from another account (give its ARN).
   * @param snapshotIdentifier the snapshot's identifier or ARN
   * @param options what is known about the source
   */
  public static fromSnapshot(snapshotIdentifier: string, options: RestoreSourceOptions = {}): RestoreSource {
    return new RestoreSource(RestoreSourceKind.SNAPSHOT, options, snapshotIdentifier);
  }

  /**
   * Restores an Aurora cluster from a DB cluster snapshot.
   * @param snapshotIdentifier the cluster snapshot's identifier or ARN
   * @param options what is known about the source
   */
  public static fromClusterSnapshot(snapshotIdentifier: string, options: RestoreSourceOptions = {}): RestoreSource {
    return new RestoreSource(RestoreSourceKind.CLUSTER_SNAPSHOT, options, snapshotIdentifier);
  }

  /**
   * Restores a source instance (instance engines) or cluster (Aurora) as it was at `restoreTime`,
   * or at the latest restorable time.
   * @param options the source, the moment, and what is known about the source
   */
  public static pointInTime(options: PointInTimeRestoreOptions): RestoreSource {
    return new RestoreSource(RestoreSourceKind.POINT_IN_TIME, options, undefined, options);
  }

  /**
   * The snapshot restored from (snapshot kinds).
   * @default - none: a point-in-time restore
   */
  public readonly snapshotIdentifier?: string;
  /**
   * The source instance (point-in-time restore of an instance).
   * @default - none
   */
  public readonly sourceInstanceIdentifier?: string;
  /**
   * The source cluster (point-in-time restore of a cluster).
   * @default - none
   */
  public readonly sourceClusterIdentifier?: string;
  /**
   * The replicated automated backups restored from (point-in-time restore in another region).
   * @default - none
   */
  public readonly sourceAutomatedBackupsArn?: string;
  /**
   * The moment restored to (point-in-time restores).
   * @default - the latest restorable time, or none for a snapshot
   */
  public readonly restoreTime?: Date;
  /**
   * The source's engine, when declared.
   * @default - unknown
   */
  public readonly sourceEngine?: DatabaseEngine;
  /**
   * The source's KMS key, when declared.
   * @default - unknown
   */
  public readonly sourceEncryptionKey?: kms.IKey;
  /**
   * The source's backup retention, when declared.
   * @default - unknown
   */
  public readonly sourceBackupRetention?: Duration;

  private constructor(
    /** What the source is. */
    public readonly kind: RestoreSourceKind,
    options: RestoreSourceOptions,
    snapshotIdentifier?: string,
    pointInTime?: PointInTimeRestoreOptions,
  ) {
    this.snapshotIdentifier = snapshotIdentifier;
    this.sourceEngine = options.sourceEngine;
    this.sourceEncryptionKey = options.sourceEncryptionKey;
    this.sourceInstanceIdentifier = pointInTime?.sourceInstanceIdentifier;
    this.sourceClusterIdentifier = pointInTime?.sourceClusterIdentifier;
    this.sourceAutomatedBackupsArn = pointInTime?.sourceAutomatedBackupsArn;
    this.restoreTime = pointInTime?.restoreTime;
    this.sourceBackupRetention = pointInTime?.sourceBackupRetention;
  }

  /** True when the restore goes to the latest restorable time (a point-in-time restore without restoreTime). */
  public get useLatestRestorableTime(): boolean {
    return this.kind === RestoreSourceKind.POINT_IN_TIME && this.restoreTime === undefined;
  }

  /** A short description for messages: `snapshot shop-before-upgrade`, `instance shop-db at 2025-06-01T14:01:00Z`, … */
  public toString(): string {
    switch (this.kind) {
      case RestoreSourceKind.SNAPSHOT: return `snapshot ${this.snapshotIdentifier}`;
      case RestoreSourceKind.CLUSTER_SNAPSHOT: return `cluster snapshot ${this.snapshotIdentifier}`;
      default: {
        const source = this.sourceInstanceIdentifier !== undefined ? `instance ${this.sourceInstanceIdentifier}`
          : this.sourceClusterIdentifier !== undefined ? `cluster ${this.sourceClusterIdentifier}` : `replicated backups ${this.sourceAutomatedBackupsArn}`;
        const when = this.restoreTime === undefined ? 'its latest restorable time' : restoreTimestamp(this.restoreTime.getTime());
        return `${source} at ${when}`;
      }
    }
  }
}
