import {
  Annotations, Aws, Duration, Names, Stack, Token,
  aws_applicationautoscaling as appscaling, aws_events as events, aws_iam as iam, aws_lambda as lambda, aws_route53 as route53,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { clusterReaderHost, rdsTarget, rdsTargetProblem } from './private/rds-target';
import { buildController } from './private/replica-controller-build';
import { replicaScalingProblems } from './private/replica-validation';
import { resolvedLiterals } from './private/resolved-literals';
import { IRdsDatabase } from './rds-database';
import { knownAtSynth, knownDuration, lambdaRuntimeError, Problem, throwIfAny } from '../core/private/validators';

/** Settings of a ReplicaAutoscaling, for `IndependentRds.addReplicaAutoscaling()`. */
export interface ReplicaAutoscalingOptions {
  /**
   * Fewest autoscaled readers (Aurora: the `ReadReplicaCount` floor, all readers counted).
   * Tokens: accepted on Aurora (passed through; a `Lazy` is checked at synthesis); refused on a plain instance, whose controller computes with it.
   * @default 1
   */
  readonly minCapacity?: number;

  /**
   * Most readers, at most 15 (Aurora's limit).
   * Tokens: accepted on Aurora (passed through; a `Lazy` is checked at synthesis); refused on a plain instance, whose controller computes with it.
   * @default 3
   */
  readonly maxCapacity?: number;

  /**
   * Average reader CPU, in percent, that scaling keeps the readers at.
   * Tokens: accepted on Aurora (passed through; a `Lazy` is checked at synthesis); refused on a plain instance, whose controller computes with it.
   * @default 70
   */
  readonly targetCpu?: number;

  /**
   * Track the average number of connections per reader instead of CPU.
   * Tokens: accepted (Aurora only) and passed through; a `Lazy` is checked at synthesis.
   * @default - track CPU (targetCpu)
   */
  readonly targetConnections?: number;

  /**
   * Time after a scale-in before the next scale-in.
   * Tokens: refused (a Duration of a token cannot be checked or converted).
   * @default Duration.seconds(300)
   */
  readonly scaleInCooldown?: Duration;

  /**
   * Time after a scale-out before the next scale-out.
   * Tokens: refused (a Duration of a token cannot be checked or converted).
   * @default Duration.seconds(60)
   */
  readonly scaleOutCooldown?: Duration;

  /**
   * Private hosted zone of the reader name `reader.<readerZoneName>` (plain RDS instances only).
   * Tokens: accepted and passed through untouched (the name is then not checked).
   * @default - '<unique construct name>.db.internal'
   */
  readonly readerZoneName?: string;

  /**
   * Runtime of the controller Lambda (plain RDS instances only): a Node.js runtime, nodejs24.x or
   * newer, the Node.js version its bundled handler is built for. Set a newer one to move ahead of
   * the library.
   * @default lambda.Runtime.NODEJS_24_X
   */
  readonly lambdaRuntime?: lambda.Runtime;
}

/** Properties of a ReplicaAutoscaling. */
export interface ReplicaAutoscalingProps extends ReplicaAutoscalingOptions {
  /**
   * The database whose read replicas follow the load: an IndependentRds, or an instance or Aurora
   * cluster imported with `IndependentRds.fromDatabaseAttributes` (an imported Aurora cluster
   * needs its `readerEndpointAddress`).
   */
  readonly database: IRdsDatabase;
}

/**
 * Read replicas that follow the load.
 *
 * On a plain RDS instance, which Application Auto Scaling cannot scale, a controller Lambda runs
 * every minute (EventBridge): it reads the average CPU of the replicas it tagged, creates or
 * deletes one read replica at a time (`CreateDBInstanceReadReplica` / `DeleteDBInstance`),
 * honours min, max and both cooldowns, keeps its state in tags on the source instance, and keeps
 * `reader.<readerZoneName>` in a private hosted zone pointing at the available replicas.
 * Its replicas are not in the template: when the stack is deleted they stay (delete them, then
 * the retained reader zone, by hand).
 *
 * On Aurora it registers the cluster with Application Auto Scaling (`rds:cluster:ReadReplicaCount`)
 * and adds a target-tracking policy on `RDSReaderAverageCPUUtilization` (or
 * `RDSReaderAverageDatabaseConnections`).
 *
 * Deleting the stack: CloudFormation deletes the scalable target and the policy, which
 * deregisters the cluster from Application Auto Scaling. A RETAIN cluster is never deleted by
 * CloudFormation, and the readers Application Auto Scaling added are not in the template, so they
 * never block `cdk destroy`; they stay attached to the retained cluster (and keep costing) until
 * you delete them with `aws rds delete-db-instance --db-instance-identifier application-autoscaling-...`.
 * A SNAPSHOT or DESTROY cluster cannot be deleted while such readers exist: delete them first.
 */
export class ReplicaAutoscaling extends Construct {
  /** The Application Auto Scaling target (Aurora). */
  public readonly scalableTarget?: appscaling.ScalableTarget;
  /** The target-tracking policy (Aurora). */
  public readonly policy?: appscaling.TargetTrackingScalingPolicy;
  /** The controller Lambda (plain RDS instances). */
  public readonly controller?: lambda.IFunction;
  /** The private hosted zone of the reader name (plain RDS instances). */
  public readonly readerZone?: route53.IPrivateHostedZone;
  /** The EventBridge rule that runs the controller every minute (plain RDS instances). */
  public readonly schedule?: events.Rule;
  /**
   * A stable DNS name for reads: `reader.<readerZoneName>` on plain RDS instances (one weighted
   * record per available replica, the source while there is none), or the Aurora reader
   * endpoint. Pass it to a BeanstalkDatabaseBinding as `readerHost` (DB_READ_HOST).
   */
  public readonly readerHost: string;
  /** Fewest readers. */
  public readonly minCapacity: number;
  /** Most readers. */
  public readonly maxCapacity: number;

  constructor(scope: Construct, id: string, props: ReplicaAutoscalingProps) {
    super(scope, id);
    const db = props.database;
    this.minCapacity = props.minCapacity ?? 1;
    this.maxCapacity = props.maxCapacity ?? 3;
    const targetCpu = props.targetCpu ?? 70;
    const scaleInCooldown = props.scaleInCooldown ?? Duration.seconds(300);
    const scaleOutCooldown = props.scaleOutCooldown ?? Duration.seconds(60);

    const targetProblem = rdsTargetProblem(db);
    const scaling = {
      minCapacity: this.minCapacity,
      maxCapacity: this.maxCapacity,
      targetCpu,
      targetConnections: props.targetConnections,
      targetCpuSet: props.targetCpu !== undefined,
      scaleInCooldownSeconds: scaleInCooldown.isUnresolved() ? 0 : scaleInCooldown.toSeconds({ integral: false }),
      scaleOutCooldownSeconds: scaleOutCooldown.isUnresolved() ? 0 : scaleOutCooldown.toSeconds({ integral: false }),
      readerZoneName: props.readerZoneName,
    };
    const problems: Problem[] = [targetProblem, ...replicaScalingProblems(scaling)];
    problems.push(knownDuration('scaleInCooldown', scaleInCooldown.isUnresolved()), knownDuration('scaleOutCooldown', scaleOutCooldown.isUnresolved()));
    // Checks that depend on the instance or cluster, once it is known to be exactly one of them.
    const checked = targetProblem ? undefined : rdsTarget(db);
    if (checked?.managesMasterPassword()) {
      problems.push('the database has an RDS-managed master password (ManageMasterUserPassword), which RDS refuses together with read replicas. '
        + 'Let IndependentRds generate and rotate the secret in Secrets Manager instead.');
    }
    if (checked && !checked.isCluster) {
      // The controller Lambda of a plain instance computes with these: a token cannot reach it.
      const why = 'the replica controller of a plain RDS instance computes with it.';
      problems.push(knownAtSynth('minCapacity', this.minCapacity, why), knownAtSynth('maxCapacity', this.maxCapacity, why), knownAtSynth('targetCpu', targetCpu, why));
    }
    // On Aurora, number tokens pass through to Application Auto Scaling; checked again once they resolve.
    this.node.addValidation({
      validate: () => {
        const literals = resolvedLiterals(Stack.of(this), scaling);
        return literals ? replicaScalingProblems(literals).filter((p): p is string => p !== undefined).map((p) => `ReplicaAutoscaling: ${p}`) : [];
      },
    });
    if (checked && !checked.isCluster && props.targetConnections !== undefined) {
      problems.push(`targetConnections is available on Aurora only (got ${db.engine}). The plain RDS controller tracks CPU: use targetCpu.`);
    }
    const readerZoneName = props.readerZoneName ?? `${Names.uniqueResourceName(this, { maxLength: 40, separator: '-' }).toLowerCase()}.db.internal`;
    if (props.readerZoneName !== undefined && checked?.isCluster) {
      problems.push(`readerZoneName is for plain RDS instances only (got ${props.readerZoneName} on ${db.engine}). Aurora has its own reader endpoint: remove readerZoneName.`);
    }
    if (props.lambdaRuntime !== undefined) {
      problems.push(checked?.isCluster
        ? `lambdaRuntime is for plain RDS instances only, whose replicas a Lambda scales (got ${props.lambdaRuntime.name} on ${db.engine}). Aurora scales with Application Auto Scaling: remove lambdaRuntime.`
        : lambdaRuntimeError('lambdaRuntime', props.lambdaRuntime.name));
    }
    const auroraReaderHost = checked?.cluster ? clusterReaderHost(checked.cluster) ?? db.connectionDetails.readerHost : undefined;
    if (checked?.cluster && auroraReaderHost === undefined) {
      problems.push(`database must know the cluster's reader endpoint (got none on ${db.engine}). `
        + 'Import the cluster with readerEndpointAddress (IndependentRds.fromDatabaseAttributes).');
    }
    throwIfAny('ReplicaAutoscaling', problems);
    const target = checked!;

    if (!target.isCluster) {
      const built = buildController(this, db, target, {
        minCapacity: this.minCapacity,
        maxCapacity: this.maxCapacity,
        targetCpu,
        scaleInCooldown,
        scaleOutCooldown,
        readerZoneName,
        runtime: props.lambdaRuntime,
      });
      this.controller = built.fn;
      this.readerZone = built.zone;
      this.readerHost = built.readerRecordName;
      this.schedule = built.rule;
      return;
    }
    if (!Token.isUnresolved(this.maxCapacity) && db.readReplicaCount > this.maxCapacity) {
      Annotations.of(this).addWarningV2('cdk-db-platform:replicaAutoscalingBelowTemplate',
        `ReplicaAutoscaling: the cluster already has ${db.readReplicaCount} readers in the template, more than maxCapacity ${this.maxCapacity}; `
        + 'Application Auto Scaling never removes readers it did not create.');
    }
    this.scalableTarget = new appscaling.ScalableTarget(this, 'Resource', {
      serviceNamespace: appscaling.ServiceNamespace.RDS,
      resourceId: `cluster:${target.identifier}`,
      scalableDimension: 'rds:cluster:ReadReplicaCount',
      minCapacity: this.minCapacity,
      maxCapacity: this.maxCapacity,
      // Application Auto Scaling acts through its service-linked role for Aurora (created on first use).
      role: iam.Role.fromRoleArn(this, 'ServiceLinkedRole',
        `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/rds.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_RDSCluster`),
    });
    // Register only once the cluster's own instances exist: the writer must be available.
    for (const instance of target.ownInstances) this.scalableTarget.node.addDependency(instance);
    const byConnections = props.targetConnections !== undefined;
    this.readerHost = auroraReaderHost!;
    this.policy = this.scalableTarget.scaleToTrackMetric(byConnections ? 'ConnectionsTracking' : 'CpuTracking', {
      predefinedMetric: byConnections
        ? appscaling.PredefinedMetric.RDS_READER_AVERAGE_DATABASE_CONNECTIONS
        : appscaling.PredefinedMetric.RDS_READER_AVERAGE_CPU_UTILIZATION,
      targetValue: byConnections ? props.targetConnections! : targetCpu,
      scaleInCooldown,
      scaleOutCooldown,
    });
  }
}

