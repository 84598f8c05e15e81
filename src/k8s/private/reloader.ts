import * as kplus from 'cdk8s-plus-28';
import * as v from '../../core/private/validators';
import { Problem, throwIfAny } from '../../core/private/validators';
import type { RollOnChangeOptions } from '../roll-on-change';

/** Stakater Reloader's annotation: a rolling update of the workload when one of these Secrets changes. */
export const RELOADER_SECRET_ANNOTATION = 'secret.reloader.stakater.com/reload';

/** The default of {@link RollOnChangeOptions.rolloutSeconds}. */
const DEFAULT_ROLLOUT_SECONDS = 600;

/** How long the previous credentials of a Secret stay valid, and how late the Secret may learn of a rotation. */
export interface RotationWindow {
  /** Seconds the previous credentials stay valid after a rotation. */
  readonly validSeconds: number;
  /** Seconds until the Secret holds a rotated password (an ExternalSecret's refresh; 0 in the cluster). */
  readonly refreshSeconds: number;
  /** How to widen the window, for the error message. */
  readonly fix: string;
}

/**
 * Adds `secretName` to the workload's Reloader annotation (keeping Secrets already listed there),
 * after checking the workload kind and, when the Secret rotates, that the rollout fits the window.
 */
export function rollOnSecretChange(owner: string, secretName: string, workload: kplus.Workload, options: RollOnChangeOptions,
  window: RotationWindow | undefined): void {
  const rolloutSeconds = options.rolloutSeconds ?? DEFAULT_ROLLOUT_SECONDS;
  const rolls = workload instanceof kplus.Deployment || workload instanceof kplus.StatefulSet || workload instanceof kplus.DaemonSet;
  const problems: Problem[] = [
    rolls ? undefined : `rollOnChange needs a Deployment, StatefulSet or DaemonSet (got a ${workload.constructor.name} ${v.show(workload.name)}). `
      + 'Reloader rolls only those; a Job or CronJob reads its Secret each time a pod starts.',
    v.durationSeconds('rolloutSeconds', rolloutSeconds, 1, 7 * 86400, 'Use e.g. 600 (ten minutes).'),
  ];
  if (window !== undefined && !problems.some((p) => p !== undefined)) {
    problems.push(v.rolloutWithinRotation(rolloutSeconds, window.refreshSeconds, window.validSeconds, window.fix));
  }
  throwIfAny(owner, problems);
  const listed = String(workload.metadata.toJson().annotations?.[RELOADER_SECRET_ANNOTATION] ?? '');
  const names = listed.split(',').map((n) => n.trim()).filter((n) => n.length > 0);
  if (!names.includes(secretName)) names.push(secretName);
  workload.metadata.addAnnotation(RELOADER_SECRET_ANNOTATION, names.join(','));
}
