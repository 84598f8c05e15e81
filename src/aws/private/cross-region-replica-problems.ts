import { Duration, Token, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { RdsRules } from '../../core/private/rds-rules';
import { arnRegion, dbIdentifier, otherRegionError, Problem } from '../../core/private/validators';
import { CrossRegionReplicaProps } from '../cross-region-replica';

const known = (value: unknown): boolean => !Token.isUnresolved(value);

/** What is wrong with the props of a CrossRegionReplica (its defaults already applied to the arguments). */
export function crossRegionReplicaProblems(props: CrossRegionReplicaProps, instanceClass: string, vpcSubnets: ec2.SubnetSelection,
  region: string, lag: Duration): Problem[] {
  const problems: Problem[] = [];
  if (props.engine.isCluster) {
    problems.push(`engine must run on an RDS instance (got ${props.engine}, an Aurora cluster). `
      + 'For Aurora, copy recovery points to the other region with an AWS Backup plan (IndependentRds backupPlan.copyToVaultArn) and restore them there.');
  }
  const arn = props.sourceInstanceArn;
  if (known(arn)) {
    const arnError = arn.startsWith('arn:') ? dbIdentifier('sourceInstanceArn', arn, 'db')
      : `sourceInstanceArn must be the source instance's ARN, which a replica in another region needs (got ${JSON.stringify(arn)}). `
        + "Use 'arn:aws:rds:<source region>:<account>:db:<identifier>', e.g. from the database stack's output.";
    problems.push(arnError);
    if (!arnError && known(region)) problems.push(otherRegionError('sourceInstanceArn', arnRegion(arn) ?? '', region));
  }
  if (known(instanceClass)) problems.push(RdsRules.instanceClassError(instanceClass, props.engine.family.name));
  if (vpcSubnets.subnetType === ec2.SubnetType.PUBLIC) {
    problems.push('vpcSubnets selects PUBLIC subnets (got subnetType PUBLIC). A database is never publicly reachable: use PRIVATE_WITH_EGRESS or PRIVATE_ISOLATED subnets.');
  }
  const seconds = lag.toSeconds({ integral: false });
  if (known(seconds) && !(seconds >= 1)) {
    problems.push(`replicaLagThreshold must be at least 1 second (got ${seconds} s). Use e.g. Duration.minutes(5), the recovery point you accept.`);
  }
  return problems;
}
