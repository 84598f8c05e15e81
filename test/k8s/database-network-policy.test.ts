import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { DatabaseNetworkPolicy, DatabaseNetworkPolicyProps } from '../../src/k8s/database-network-policy';
import { expectK8sValid } from '../harness';

const BASE: DatabaseNetworkPolicyProps = { name: 'db', podLabels: { app: 'db' }, port: 5432 };

function policy(chart: Chart): any {
  const found = chart.toJson().filter((o: any) => o.kind === 'NetworkPolicy');
  expect(found).toHaveLength(1);
  return found[0];
}

describe('DatabaseNetworkPolicy', () => {
  let chart: Chart;
  beforeEach(() => {
    chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
  });

  test('denies all ingress to the protected pods until clients are added', () => {
    new DatabaseNetworkPolicy(chart, 'Policy', { ...BASE, labels: { team: 'data' } });
    const np = policy(chart);
    expect(np.metadata).toEqual({ name: 'db', namespace: 'production', labels: { team: 'data' } });
    expect(np.spec).toEqual({ podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] });
    expectK8sValid(chart);
  });

  test('admits clients by labels and namespace on the port, each once', () => {
    const p = new DatabaseNetworkPolicy(chart, 'Policy', BASE);
    p.allowClient({ app: 'shop', tier: 'web' }, 'production');
    p.allowClient({ tier: 'web', app: 'shop' }, 'production');
    p.allowClient({ app: 'shop', tier: 'web' }, 'stage');
    const ingress = policy(chart).spec.ingress;
    expect(ingress).toHaveLength(2);
    expect(ingress[1]).toEqual({
      from: [{ podSelector: { matchLabels: { app: 'shop', tier: 'web' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'stage' } } }],
      ports: [{ protocol: 'TCP', port: 5432 }],
    });
    expectK8sValid(chart);
  });

  test('admits the pods of a cdk8s-plus selector, in the policy namespace when the selector names none', () => {
    const p = new DatabaseNetworkPolicy(chart, 'Policy', { ...BASE, port: 6432 });
    p.allowSelector(kplus.Pods.select(chart, 'Jobs', { labels: { role: 'migrator' } }));
    expect(policy(chart).spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { role: 'migrator' } } }], ports: [{ protocol: 'TCP', port: 6432 }] }]);
  });

  test.each<[string, Partial<DatabaseNetworkPolicyProps>, RegExp]>([
    ['throws on empty pod labels', { podLabels: {} }, /DatabaseNetworkPolicy: podLabels must not be empty \(got \{\}\)/],
    ['throws on port 0', { port: 0 }, /DatabaseNetworkPolicy: port must be a whole number from 1 to 65535 \(got 0\)/],
    ['throws on a name with upper case', { name: 'DB' }, /DatabaseNetworkPolicy: name must be a DNS-1123 subdomain/],
    ['throws on a namespace with upper case', { namespace: 'Prod' }, /DatabaseNetworkPolicy: namespace must be a DNS-1123 label/],
  ])('%s', (_name, props, message) => {
    expect(() => new DatabaseNetworkPolicy(chart, 'Policy', { ...BASE, ...props })).toThrow(message);
  });

  test('throws on a client with empty labels or a bad namespace, in one message', () => {
    const p = new DatabaseNetworkPolicy(chart, 'Policy', BASE);
    expect(() => p.allowClient({}, 'Stage')).toThrow(/^DatabaseNetworkPolicy: allowClient podLabels must not be empty .*\(and 1 more: allowClient namespace must be a DNS-1123 label/);
  });
});
