import { MAX_READ_REPLICAS } from '../../core/private/rds-rules';
import { dnsZoneName, intAtLeast, intRange, isToken, positiveNumber, Problem } from '../../core/private/validators';

/** Settings of a ReplicaAutoscaling that are checked before anything is built. */
export interface ReplicaScalingSettings {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly targetCpu: number;
  readonly targetCpuSet: boolean;
  readonly targetConnections?: number;
  readonly scaleInCooldownSeconds: number;
  readonly scaleOutCooldownSeconds: number;
  readonly readerZoneName?: string;
}

/** Problems of the settings (each message without the construct name). */
export function replicaScalingProblems(s: ReplicaScalingSettings): Problem[] {
  const problems: Problem[] = [];
  const known = (n: number | undefined) => !isToken(n);
  const maxProblem = known(s.maxCapacity)
    ? intRange('maxCapacity', s.maxCapacity, 1, MAX_READ_REPLICAS, `Aurora allows at most ${MAX_READ_REPLICAS} read replicas.`)
    : undefined;
  problems.push(maxProblem);
  if (known(s.minCapacity)) {
    const minProblem = intAtLeast('minCapacity', s.minCapacity, 0, 'Use 1 to always keep a reader.');
    problems.push(minProblem);
    if (!minProblem && !maxProblem && known(s.maxCapacity) && s.minCapacity > s.maxCapacity) {
      problems.push(`minCapacity must not exceed maxCapacity (got ${s.minCapacity} > ${s.maxCapacity}). Raise maxCapacity or lower minCapacity.`);
    }
  }
  if (known(s.targetCpu) && !(s.targetCpu > 0 && s.targetCpu < 100)) {
    problems.push(`targetCpu must be above 0 and below 100 percent (got ${s.targetCpu}). 70 leaves headroom for spikes.`);
  }
  if (s.targetConnections !== undefined) {
    if (known(s.targetConnections)) {
      problems.push(positiveNumber('targetConnections', s.targetConnections, 'Set the average number of connections per reader, or leave it unset to track CPU.'));
    }
    if (s.targetCpuSet) {
      problems.push('targetCpu and targetConnections cannot both be set (got both). Track one metric: remove one of them.');
    }
  }
  if (s.readerZoneName !== undefined && !isToken(s.readerZoneName)) problems.push(dnsZoneName('readerZoneName', s.readerZoneName, 'reader.'));
  for (const [prop, seconds] of [['scaleInCooldown', s.scaleInCooldownSeconds], ['scaleOutCooldown', s.scaleOutCooldownSeconds]] as const) {
    if (known(seconds) && !Number.isInteger(seconds)) {
      problems.push(`${prop} must be whole seconds (got ${seconds} s). Round it to a whole second.`);
    }
  }
  return problems;
}
