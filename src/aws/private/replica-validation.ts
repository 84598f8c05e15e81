/** Settings of a ReplicaAutoscaling that are checked before anything is built. */
export interface ReplicaScalingSettings {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly targetCpu: number;
  readonly targetCpuSet: boolean;
  readonly targetConnections?: number;
  readonly scaleInCooldownSeconds: number;
  readonly scaleOutCooldownSeconds: number;
}

/** Aurora's limit on readers per cluster, which also bounds the instance controller. */
export const MAX_READ_REPLICAS = 15;

/** Errors in the settings (each message without the construct name). */
export function replicaScalingErrors(s: ReplicaScalingSettings): string[] {
  const errors: string[] = [];
  const isInt = (n: number) => Number.isInteger(n);
  if (!isInt(s.maxCapacity) || s.maxCapacity < 1 || s.maxCapacity > MAX_READ_REPLICAS) {
    errors.push(`maxCapacity must be an integer 1–${MAX_READ_REPLICAS} (got ${s.maxCapacity}). Aurora allows at most ${MAX_READ_REPLICAS} read replicas.`);
  }
  if (!isInt(s.minCapacity) || s.minCapacity < 0) {
    errors.push(`minCapacity must be a whole number of replicas, 0 or more (got ${s.minCapacity}). Use 1 to always keep a reader.`);
  } else if (s.minCapacity > s.maxCapacity) {
    errors.push(`minCapacity must not exceed maxCapacity (got ${s.minCapacity} > ${s.maxCapacity}). Raise maxCapacity or lower minCapacity.`);
  }
  if (!(s.targetCpu > 0 && s.targetCpu < 100)) {
    errors.push(`targetCpu must be above 0 and below 100 percent (got ${s.targetCpu}). 70 leaves headroom for spikes.`);
  }
  if (s.targetConnections !== undefined) {
    if (!(s.targetConnections > 0)) {
      errors.push(`targetConnections must be above 0 connections per reader (got ${s.targetConnections}). Set a positive average, or leave it unset to track CPU.`);
    }
    if (s.targetCpuSet) {
      errors.push('targetCpu and targetConnections cannot both be set (got both). Track one metric: remove one of them.');
    }
  }
  if (!isInt(s.scaleInCooldownSeconds)) {
    errors.push(`scaleInCooldown must be whole seconds (got ${s.scaleInCooldownSeconds} s). Round it to a whole second.`);
  }
  if (!isInt(s.scaleOutCooldownSeconds)) {
    errors.push(`scaleOutCooldown must be whole seconds (got ${s.scaleOutCooldownSeconds} s). Round it to a whole second.`);
  }
  return errors;
}
