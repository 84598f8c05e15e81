/**
 * What a change to a deployed database would do, as the deploy-safety checker reports it.
 *
 * The values are the names used by `--allow <resource>:<change>` on the `cdk-db-safety` command line.
 */
export enum DeploySafetyChange {
  /** A create-only property changed: CloudFormation creates a new, empty resource in place of the old one. */
  REPLACE = 'replace',
  /** A retained resource leaves the template (or its logical ID changes): it keeps running outside any stack. */
  ORPHAN = 'orphan',
  /**
   * A data-bearing resource without `DeletionPolicy: Retain` leaves the template (or its logical ID changes): it is deleted.
   * An Aurora reader or a read replica deleted this way gives no finding: it holds no data of its own.
   */
  DELETE = 'delete',
  /** A secret's `GenerateSecretString` changed: Secrets Manager generates a new password. */
  RE_KEY = 're-key',
  /** CloudFormation or RDS refuses the update (major version upgrade not allowed, parameter group family mismatch, …). */
  BLOCKED = 'blocked',
  /**
   * The update applies, but with an outage or loss of backups (automated backups turned on or off), or an
   * Aurora major version upgrade that the template does not mark as intended (CloudFormation does not refuse one).
   */
  OUTAGE = 'outage',
  /** An immutable field of a StatefulSet or PersistentVolumeClaim changed: `kubectl apply` fails. */
  K8S_IMMUTABLE = 'k8s-immutable',
  /** A StatefulSet or PersistentVolumeClaim holding data was renamed or removed: its data stays behind. */
  K8S_DATA_MOVED = 'k8s-data-moved',
  /** A PostgreSQL image's major version changed: the new server cannot open the old data directory. */
  K8S_MAJOR_UPGRADE = 'k8s-major-upgrade',
}
