/**
 * The decision of the read replica controller for plain RDS instances: a pure function of the
 * observed state, so every rule is unit-tested without AWS. Private: the controller's Lambda
 * handler imports it; it is not part of the library's API.
 */

/** What the controller does in one run. */
export enum ReplicaScalingAction {
  /** Create one read replica. */
  CREATE = 'CREATE',
  /** Delete one read replica. */
  DELETE = 'DELETE',
  /** Change nothing. */
  NONE = 'NONE',
}

/** One read replica the controller manages. */
export interface ManagedReplica {
  /** DB instance identifier. */
  readonly id: string;
  /** RDS status, e.g. `available`, `creating`, `deleting`. */
  readonly status: string;
  /** Creation time, epoch seconds. @default - unknown (treated as oldest) */
  readonly createdAt?: number;
}

/** Everything one decision depends on. */
export interface ReplicaScalingInput {
  /** Fewest replicas. */
  readonly minCapacity: number;
  /** Most replicas. */
  readonly maxCapacity: number;
  /** Target average CPU, percent. */
  readonly targetCpu: number;
  /** Seconds after any scaling before a scale-in. */
  readonly scaleInCooldownSeconds: number;
  /** Seconds after a scale-out before the next scale-out. */
  readonly scaleOutCooldownSeconds: number;
  /** Replicas carrying the controller's tag. */
  readonly replicas: ManagedReplica[];
  /** Average CPU of the available replicas (of the source when there is none). @default - no datapoint */
  readonly averageCpu?: number;
  /** Last scale-out, epoch seconds. @default - never */
  readonly lastScaleOutAt?: number;
  /** Last scale-in, epoch seconds. @default - never */
  readonly lastScaleInAt?: number;
  /** Now, epoch seconds. */
  readonly now: number;
  /** A failed API call while reading the state. @default - none */
  readonly error?: string;
}

/** The outcome of one decision. */
export interface ReplicaScalingDecision {
  /** What to do. */
  readonly action: ReplicaScalingAction;
  /** The replica to delete (DELETE only). @default - none */
  readonly replicaId?: string;
  /** Why, for the log. */
  readonly reason: string;
}

/** Decides what the controller does now: at most one replica created or deleted per run. */
export function decideReplicaScaling(input: ReplicaScalingInput): ReplicaScalingDecision {
  const none = (reason: string): ReplicaScalingDecision => ({ action: ReplicaScalingAction.NONE, reason });
  if (input.error !== undefined) {
    return none(`state unknown (${input.error}); changing nothing until the next run`);
  }
  const busy = input.replicas.find((r) => r.status !== 'available');
  if (busy) {
    return none(`replica ${busy.id} is still ${busy.status}; one change at a time`);
  }
  const count = input.replicas.length;
  const newest = () => [...input.replicas].sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0) || b.id.localeCompare(a.id))[0];
  if (count < input.minCapacity) {
    return { action: ReplicaScalingAction.CREATE, reason: `${count} replica(s) below minCapacity ${input.minCapacity}` };
  }
  if (count > input.maxCapacity) {
    const victim = newest();
    return { action: ReplicaScalingAction.DELETE, replicaId: victim.id, reason: `${count} replica(s) above maxCapacity ${input.maxCapacity}` };
  }
  if (input.averageCpu === undefined) {
    return none('no CPU datapoint yet');
  }
  const cpu = input.averageCpu;
  if (cpu > input.targetCpu && count >= input.maxCapacity) {
    return none(`CPU ${cpu.toFixed(1)}% above target ${input.targetCpu}%, but already at maxCapacity ${input.maxCapacity}`);
  }
  if (cpu > input.targetCpu) {
    const since = input.now - (input.lastScaleOutAt ?? -Infinity);
    if (since < input.scaleOutCooldownSeconds) {
      return none(`CPU ${cpu.toFixed(1)}% above target ${input.targetCpu}%, but in scale-out cooldown (${Math.round(since)} s of ${input.scaleOutCooldownSeconds} s)`);
    }
    return { action: ReplicaScalingAction.CREATE, reason: `CPU ${cpu.toFixed(1)}% above target ${input.targetCpu}%` };
  }
  // Scale in only when the remaining replicas would still stay under the target.
  if (count > input.minCapacity && count > 0 && (cpu * count) / Math.max(count - 1, 1) < input.targetCpu) {
    const last = Math.max(input.lastScaleOutAt ?? -Infinity, input.lastScaleInAt ?? -Infinity);
    const since = input.now - last;
    if (since < input.scaleInCooldownSeconds) {
      return none(`CPU ${cpu.toFixed(1)}% low, but in scale-in cooldown (${Math.round(since)} s of ${input.scaleInCooldownSeconds} s)`);
    }
    const victim = newest();
    return { action: ReplicaScalingAction.DELETE, replicaId: victim.id, reason: `CPU ${cpu.toFixed(1)}% leaves room to remove a replica under target ${input.targetCpu}%` };
  }
  return none(`CPU ${cpu.toFixed(1)}% within target ${input.targetCpu}% with ${count} replica(s)`);
}
