import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { claimUniqueNames } from './private/unique-names';
import * as v from '../core/private/validators';
import { Problem, throwIfAny } from '../core/private/validators';

/**
 * Properties of a {@link DatabaseNetworkPolicy}.
 */
export interface DatabaseNetworkPolicyProps {
  /**
   * Name of the NetworkPolicy.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly name: string;

  /**
   * Namespace of the NetworkPolicy, and of the pods it protects.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /**
   * Labels of the pods the policy protects (all must match), e.g. the database server's.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly podLabels: { [key: string]: string };

  /**
   * TCP port the protected pods listen on. A NetworkPolicy matches the pod's port, not a Service
   * port: give the container port (PgBouncer listens on 6432 behind a Service on 5432).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly port: number;

  /**
   * Labels of the NetworkPolicy object.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

const OWNER = 'DatabaseNetworkPolicy';

/**
 * A default-deny ingress NetworkPolicy for a database (or a pooler in front of one): the pods it
 * protects accept connections on one TCP port, from registered clients only. Clients are added
 * with {@link allowClient} (pod labels in a namespace) or {@link allowSelector} (a cdk8s-plus pod
 * selector such as a `Deployment` or `Pods.select(...)`), each once.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export class DatabaseNetworkPolicy extends Construct {
  /** The NetworkPolicy. */
  public readonly policy: kplus.NetworkPolicy;
  /** Name of the NetworkPolicy. */
  public readonly name: string;
  /** Port the protected pods accept connections on. */
  public readonly port: number;

  /** Clients added so far, so adding one stays O(1) with hundreds of apps. */
  private readonly clients = new Set<string>();

  public constructor(scope: Construct, id: string, props: DatabaseNetworkPolicyProps) {
    super(scope, id);
    const labels = props.labels ?? {};
    throwIfAny(OWNER, [
      v.kubernetesName('NetworkPolicy', 'name', props.name),
      props.namespace === undefined ? undefined : v.kubernetesName('Namespace', 'namespace', props.namespace),
      ...v.labels('podLabels', props.podLabels, true),
      v.port('port', props.port),
      ...v.labels('labels', labels),
    ]);
    this.name = props.name;
    this.port = props.port;
    this.policy = new kplus.NetworkPolicy(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels },
      selector: kplus.Pods.select(this, 'Protected', { labels: props.podLabels }),
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    claimUniqueNames(OWNER, this, 'name');
  }

  /**
   * Lets pods with `podLabels` in `namespace` reach the port. Adding the same client twice adds
   * one rule.
   *
   * @param podLabels labels the client pods carry (all must match)
   * @param namespace namespace of the client pods
   */
  public allowClient(podLabels: { [key: string]: string }, namespace: string): void {
    const problems: Problem[] = [
      ...v.labels('allowClient podLabels', podLabels, true),
      v.kubernetesName('Namespace', 'allowClient namespace', namespace),
    ];
    throwIfAny(OWNER, problems);
    const key = JSON.stringify([namespace, Object.entries(podLabels).sort()]);
    if (this.clients.has(key)) return;
    this.clients.add(key);
    const id = `Client${this.clients.size}`;
    const namespaces = kplus.Namespaces.select(this, `${id}Namespace`, { names: [namespace] });
    this.allowPeer(kplus.Pods.select(this, id, { labels: { ...podLabels }, namespaces }));
  }

  /**
   * Lets the pods of a cdk8s-plus pod selector reach the port: a workload (`Deployment`,
   * `StatefulSet`, `Job`, `Pod`) or `Pods.select(...)`. Pods of a selector without namespaces are
   * matched in the policy's namespace. Adding the same selector twice adds one rule.
   *
   * @param selector the client pods
   */
  public allowSelector(selector: kplus.IPodSelector): void {
    const key = `selector:${selector.node.path}`;
    if (this.clients.has(key)) return;
    this.clients.add(key);
    this.allowPeer(new SelectorPeer(this, `Client${this.clients.size}`, selector));
  }

  private allowPeer(peer: kplus.INetworkPolicyPeer): void {
    this.policy.addIngressRule(peer, [kplus.NetworkPolicyPort.tcp(this.port)]);
  }
}

/** A pod selector as a NetworkPolicy peer (workloads are peers already; `Pods.select` results too). */
class SelectorPeer extends Construct implements kplus.INetworkPolicyPeer {
  public constructor(scope: Construct, id: string, private readonly selector: kplus.IPodSelector) {
    super(scope, id);
  }

  public toNetworkPolicyPeerConfig(): kplus.NetworkPolicyPeerConfig {
    return { podSelector: this.selector.toPodSelectorConfig() };
  }

  public toPodSelector(): kplus.IPodSelector | undefined {
    return this.selector;
  }
}
