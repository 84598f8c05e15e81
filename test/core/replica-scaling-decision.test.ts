import { decideReplicaScaling, ManagedReplica, ReplicaScalingAction, ReplicaScalingInput } from '../../src/core/private/replica-scaling-decision';

const NOW = 1_700_000_000;
const available = (n: number): ManagedReplica[] => Array.from({ length: n }, (_, i) => ({ id: `r${i + 1}`, status: 'available', createdAt: NOW - 3600 + i }));
const base: ReplicaScalingInput = {
  minCapacity: 1,
  maxCapacity: 3,
  targetCpu: 70,
  scaleInCooldownSeconds: 300,
  scaleOutCooldownSeconds: 60,
  replicas: available(2),
  averageCpu: 50,
  now: NOW,
};

describe('decideReplicaScaling', () => {
  const cases: Array<[string, Partial<ReplicaScalingInput>, ReplicaScalingAction, RegExp, string]> = [
    ['below min: creates a replica, whatever the CPU', { replicas: [], averageCpu: 5 }, ReplicaScalingAction.CREATE, /below minCapacity 1/, ''],
    ['below min in cooldown: still creates (the floor is not a scaling step)', { replicas: [], lastScaleInAt: NOW - 10 }, ReplicaScalingAction.CREATE, /below minCapacity/, ''],
    ['above max: deletes the newest replica', { replicas: available(4), maxCapacity: 3 }, ReplicaScalingAction.DELETE, /above maxCapacity 3/, 'r4'],
    ['high CPU: creates a replica', { averageCpu: 90 }, ReplicaScalingAction.CREATE, /CPU 90.0% above target 70%/, ''],
    ['high CPU at max: does nothing', { averageCpu: 95, replicas: available(3) }, ReplicaScalingAction.NONE, /already at maxCapacity 3/, ''],
    ['high CPU in scale-out cooldown: does nothing', { averageCpu: 90, lastScaleOutAt: NOW - 30 }, ReplicaScalingAction.NONE, /scale-out cooldown \(30 s of 60 s\)/, ''],
    ['high CPU after the scale-out cooldown: creates', { averageCpu: 90, lastScaleOutAt: NOW - 61 }, ReplicaScalingAction.CREATE, /above target/, ''],
    ['low CPU: deletes the newest replica', { averageCpu: 20 }, ReplicaScalingAction.DELETE, /leaves room/, 'r2'],
    ['low CPU in scale-in cooldown: does nothing', { averageCpu: 20, lastScaleInAt: NOW - 100 }, ReplicaScalingAction.NONE, /scale-in cooldown \(100 s of 300 s\)/, ''],
    ['low CPU just after a scale-out: does nothing', { averageCpu: 20, lastScaleOutAt: NOW - 100 }, ReplicaScalingAction.NONE, /scale-in cooldown/, ''],
    ['low CPU at min: does nothing', { averageCpu: 5, replicas: available(1) }, ReplicaScalingAction.NONE, /within target/, ''],
    ['CPU that two replicas could not carry: keeps three', { averageCpu: 50, replicas: available(3) }, ReplicaScalingAction.NONE, /within target/, ''],
    ['replica still creating: does nothing', { averageCpu: 95, replicas: [...available(1), { id: 'r9', status: 'creating' }] }, ReplicaScalingAction.NONE, /r9 is still creating/, ''],
    ['replica still deleting below min: does nothing', { replicas: [{ id: 'r9', status: 'deleting' }] }, ReplicaScalingAction.NONE, /r9 is still deleting/, ''],
    ['failed API call: does nothing', { error: 'ThrottlingException: Rate exceeded', averageCpu: 99 }, ReplicaScalingAction.NONE, /state unknown \(ThrottlingException/, ''],
    ['no CPU datapoint: does nothing', { averageCpu: undefined }, ReplicaScalingAction.NONE, /no CPU datapoint/, ''],
  ];
  test.each(cases)('%s', (_name, change, action, reason, replicaId) => {
    const decision = decideReplicaScaling({ ...base, ...change });
    expect(decision.action).toBe(action);
    expect(decision.reason).toMatch(reason);
    if (replicaId !== '') expect(decision.replicaId).toBe(replicaId);
  });
});
