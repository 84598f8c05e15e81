import { ApiObject, ApiObjectMetadata, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { RuleGroup } from './postgres-alert-rules';

/**
 * The prometheus-operator objects SharedPostgres monitoring emits, typed for the fields it writes
 * (`monitoring.coreos.com/v1`).
 *
 * @see https://prometheus-operator.dev/docs/api-reference/api/
 */

const API_VERSION = 'monitoring.coreos.com/v1';

/** A PodMonitor endpoint: a named container port scraped at an interval. */
export interface PodMetricsEndpoint {
  readonly port: string;
  readonly path: string;
  readonly interval: string;
}

/** The PodMonitor spec this library writes. */
export interface PodMonitorSpec {
  readonly selector: { readonly matchLabels: { [key: string]: string } };
  readonly namespaceSelector: { readonly matchNames: string[] };
  readonly podMetricsEndpoints: PodMetricsEndpoint[];
}

/** A PodMonitor: Prometheus scrapes the matching pods' `metrics` port. */
export function podMonitor(scope: Construct, id: string, metadata: ApiObjectMetadata, spec: PodMonitorSpec): ApiObject {
  return new ApiObject(scope, id, { apiVersion: API_VERSION, kind: 'PodMonitor', metadata, spec });
}

/** A PrometheusRule whose group is produced at synthesis (so Jobs added later are in it). */
export function prometheusRule(scope: Construct, id: string, metadata: ApiObjectMetadata, group: () => RuleGroup): ApiObject {
  return new ApiObject(scope, id, {
    apiVersion: API_VERSION,
    kind: 'PrometheusRule',
    metadata,
    spec: { groups: Lazy.any({ produce: () => [group()] }) },
  });
}
