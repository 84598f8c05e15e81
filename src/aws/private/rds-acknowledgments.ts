import { aws_iam as iam } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { acknowledgeGuard, acknowledgeNag } from './acknowledgments';

/**
 * The rules IndependentRds disagrees with, acknowledged on its own resources with the reasons
 * (see acknowledgments.ts for how). Each is a deliberate choice of the library, written down once.
 */

/** Why the engine's default port is kept (AwsSolutions-RDS11, CT.RDS.PR.20). */
export const DEFAULT_PORT_REASON = "The engine's default port is kept on purpose: the database sits in private subnets behind a security group that "
  + 'admits only the security groups bound to it, so another port hides nothing from a client that can reach it, and it breaks every '
  + "client's default. Set the port prop to use another one.";

/** Why automatic minor version upgrades are off (CT.RDS.PR.5). */
export const MINOR_VERSION_REASON = 'Minor versions are upgraded by changing the engine version in code (DatabaseEngine) and deploying, so the template '
  + 'always names the version that runs. With automatic minor upgrades RDS would move the version behind CloudFormation, and the next '
  + 'deployment that still names the old version would fail, as RDS cannot downgrade (aws-cdk#15475).';

/** Why the AWS-managed enhanced monitoring policy is used (AwsSolutions-IAM4). */
export const MONITORING_POLICY_REASON = 'Enhanced monitoring uses AmazonRDSEnhancedMonitoringRole, the AWS-managed policy RDS documents for it: '
  + 'it only writes to the RDSOSMetrics log group, and AWS keeps it in step with the service.';

const MONITORING_POLICY = 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole';

/**
 * What the development preset chooses by default and why, acknowledged only where the consumer kept
 * the preset's value (an explicit prop is the consumer's own choice, and its findings theirs).
 */
const DEVELOPMENT = 'DatabasePreset.DEVELOPMENT chooses this by default, for databases whose data can be recreated';
const DEVELOPMENT_REASONS = {
  singleAz: `${DEVELOPMENT}: one AZ, no standby (half the cost). Use the production preset, or multiAz: true, for data that matters.`,
  noDeletionProtection: `${DEVELOPMENT}: no deletion protection, so the stack can be torn down (removal SNAPSHOT keeps a final snapshot). `
    + 'Use the production preset, or deletionProtection: true, for data that matters.',
  noMonitoring: `${DEVELOPMENT}: no enhanced monitoring (it costs per instance; CloudWatch metrics and alarms remain). `
    + 'Use the production preset, or monitoringInterval, when OS metrics matter.',
  shortBackups: `${DEVELOPMENT}: automated backups kept 1 day. Use the production preset, or backupRetention of 7 days or more, for data that matters.`,
};

/** The development preset's defaults the consumer kept. */
export interface DevelopmentChoices {
  readonly singleAz: boolean;
  readonly noDeletionProtection: boolean;
  readonly noMonitoring: boolean;
  readonly shortBackups: boolean;
}

/** What one IndependentRds built: its instances (with replicas) or its cluster. */
export interface RdsAcknowledgmentTargets {
  /** The DatabaseInstance and its replicas, or the DatabaseCluster (which holds its instances). */
  readonly databases: IConstruct[];
  /** True when the database listens on its engine's default port. */
  readonly defaultPort: boolean;
  /** The development preset's defaults kept, if the preset is development. */
  readonly development?: DevelopmentChoices;
}

/** Acknowledges, on the library's own RDS resources, the rules the library disagrees with. */
export function acknowledgeRdsChoices(targets: RdsAcknowledgmentTargets): void {
  for (const db of targets.databases) {
    acknowledgeGuard(db, 'rds_instance_automatic_minor_version_upgrade_enabled_check', MINOR_VERSION_REASON);
    if (targets.defaultPort) {
      acknowledgeNag(db, 'AwsSolutions-RDS11', DEFAULT_PORT_REASON);
      acknowledgeGuard(db, 'rds_instance_no_default_ports_check', DEFAULT_PORT_REASON);
    }
    // aws-rds makes one monitoring role per instance, replica or cluster, named 'MonitoringRole'.
    const role = db.node.tryFindChild('MonitoringRole');
    if (role instanceof iam.Role) acknowledgeNag(role, `AwsSolutions-IAM4[${MONITORING_POLICY}]`, MONITORING_POLICY_REASON);
    if (targets.development) acknowledgeDevelopmentChoices(db, targets.development);
  }
}

function acknowledgeDevelopmentChoices(db: IConstruct, kept: DevelopmentChoices): void {
  const r = DEVELOPMENT_REASONS;
  if (kept.singleAz) {
    acknowledgeNag(db, 'AwsSolutions-RDS3', r.singleAz);
    acknowledgeGuard(db, 'rds_instance_multi_az_support_check', r.singleAz);
  }
  if (kept.noDeletionProtection) {
    acknowledgeNag(db, 'AwsSolutions-RDS10', r.noDeletionProtection);
    acknowledgeGuard(db, 'rds_instance_deletion_protection_enabled_check', r.noDeletionProtection);
    acknowledgeGuard(db, 'rds_cluster_deletion_protection_enabled_check', r.noDeletionProtection);
  }
  if (kept.noMonitoring) acknowledgeGuard(db, 'rds_instance_enhanced_monitoring_enabled_check', r.noMonitoring);
  if (kept.shortBackups) acknowledgeGuard(db, 'rds_instance_backup_enabled_check', r.shortBackups);
}
