import { createHash } from 'node:crypto';
import { k8s } from 'cdk8s-plus-28';

/** The first `length` hex digits of the sha256 of `text`. */
export function contentHash(text: string, length: number = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v as Record<string, unknown>).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

/**
 * The one recipe for Job names: `<base>-<8 hex>`, the hex being a hash of the pod template as it is
 * rendered into the manifest. A Job's pod template is immutable, so any change to it must give a
 * new Job; an unchanged template keeps its name (and `kubectl apply` leaves the finished Job alone).
 * Job-level settings (deadline, TTL, backoff) are not part of the hash.
 */
export function hashedJobName(base: string, template: k8s.PodTemplateSpec): string {
  return `${base}-${contentHash(stableJson(k8s.toJson_PodTemplateSpec(template)))}`;
}
