import { aws_logs as logs } from 'aws-cdk-lib';

/**
 * How an IndependentRds is operated: when changes take effect, the fixed names of the database,
 * and how long its exported logs are kept. Part of IndependentRdsProps.
 */
export interface IndependentRdsOperationsProps {
  /**
   * Whether RDS applies a change of the instance (its class, storage, parameter group, …) as soon
   * as CloudFormation makes it, or in the next `preferredMaintenanceWindow`.
   *
   * Unset, the template holds no `ApplyImmediately`, and CloudFormation's default applies, which is
   * `true`: changes are applied immediately, and a change of a static parameter reboots the
   * instance. Set `false` to defer changes to the maintenance window (until then the instance
   * differs from its template, which drift detection shows). Instances: set on the instance and
   * its read replicas. Aurora: set on the cluster's instances (`AWS::RDS::DBCluster` has no such
   * property).
   * @default - unset: CloudFormation's default (changes are applied immediately)
   */
  readonly applyImmediately?: boolean;

  /**
   * Fixed name (DBInstanceIdentifier) of the RDS instance (not Aurora: use `clusterIdentifier`).
   * 1–63 letters, digits and hyphens, starting with a letter, without two consecutive hyphens or a
   * trailing hyphen; RDS stores it in lower case.
   *
   * WARNING: the identifier is create-only. Setting, changing or removing it on a deployed
   * database REPLACES it: CloudFormation creates a new, EMPTY instance under the new name and
   * deletes (or, per `removalPolicy`, retains or snapshots) the old one. A replacement that keeps
   * the same fixed name fails and rolls back. Choose it when the database is first created.
   * The deploy-safety checker (`cdk-db-safety`) reports such a change as a replacement.
   *
   * With it, the library creates the log groups of the exported logs itself (see
   * `cloudwatchLogsRetention`). Read replicas keep names CloudFormation generates.
   * Tokens: accepted and passed through untouched (give a token in lower case: the log group
   * names use it as it is); one that resolves to a literal at synthesis (a `Lazy`) is checked then.
   * @default - CloudFormation generates a name
   */
  readonly instanceIdentifier?: string;

  /**
   * Fixed name (DBClusterIdentifier) of the Aurora cluster (Aurora only: use `instanceIdentifier`
   * for an RDS instance). Same rules as `instanceIdentifier`.
   *
   * WARNING: the identifier is create-only. Setting, changing or removing it on a deployed
   * cluster REPLACES it and its instances with a new, EMPTY cluster (the old one is deleted, or
   * retained or snapshotted per `removalPolicy`). Choose it when the cluster is first created.
   * The deploy-safety checker (`cdk-db-safety`) reports such a change as a replacement.
   *
   * With it, the library creates the log groups of the exported logs itself (see
   * `cloudwatchLogsRetention`).
   * Tokens: accepted and passed through untouched (give a token in lower case: the log group
   * names use it as it is); one that resolves to a literal at synthesis (a `Lazy`) is checked then.
   * @default - CloudFormation generates a name
   */
  readonly clusterIdentifier?: string;

  /**
   * How long the logs exported to CloudWatch Logs (`cloudwatchLogsExports`) are kept.
   *
   * Needs `instanceIdentifier` (or `clusterIdentifier` for Aurora): with an identifier the library
   * creates each log group, `/aws/rds/instance/<id>/<log>` (Aurora: `/aws/rds/cluster/<id>/<log>`),
   * before the database, with this retention, encrypted with the database's KMS key, and retained
   * when it leaves the stack. Without an identifier the log group names are not known before RDS
   * creates the database (and the groups itself, unencrypted and never expiring), so a retention
   * is refused rather than set by a custom resource after the fact.
   *
   * The log groups of read replicas are still created by RDS. A log group of the same name that
   * already exists (left by an earlier database of that name) makes the deployment fail: delete
   * it or import it first.
   * @default - with an identifier: logs.RetentionDays.INFINITE (kept forever, as RDS does); without one: RDS creates the log groups, kept forever
   */
  readonly cloudwatchLogsRetention?: logs.RetentionDays;
}
