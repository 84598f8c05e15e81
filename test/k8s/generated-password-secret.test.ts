import { Chart, Testing } from 'cdk8s';
import { GeneratedPasswordSecret, GeneratedPasswordSecretProps } from '../../src/k8s/generated-password-secret';
import { expectK8sValid, expectNoSecrets } from '../harness';

function byKind(chart: Chart, kind: string): any {
  const found = chart.toJson().filter((o: any) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('GeneratedPasswordSecret', () => {
  let chart: Chart;
  beforeEach(() => {
    chart = Testing.chart();
  });

  test('writes the Secret with only its non-secret keys, and a Job that fills in the password', () => {
    // GIVEN / WHEN
    const s = new GeneratedPasswordSecret(chart, 'Admin', { secretName: 'admin-credentials', stringData: { username: 'admin' } });
    // THEN
    expect(chart.toJson().map((o: any) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Secret/admin-credentials', 'ServiceAccount/admin-credentials', 'Role/admin-credentials', 'RoleBinding/admin-credentials', `Job/${s.jobName}`,
    ]);
    const secret = byKind(chart, 'Secret');
    expect(secret.stringData).toEqual({ username: 'admin' });
    expect(secret.data).toBeUndefined();
    const script = byKind(chart, 'Job').spec.template.spec.containers[0].command[2];
    expect(script).toContain("secret='admin-credentials'");
    expect(script).toContain('"data":{"password":"%s"}');
    expectK8sValid(chart);
    expectNoSecrets([{ label: 'generated-password-secret', text: JSON.stringify(chart.toJson()) }]);
  });

  test('uses the key "password" and the kubectl image bitnamilegacy/kubectl:1.28.15 by default', () => {
    const s = new GeneratedPasswordSecret(chart, 'Admin', { secretName: 'admin-credentials' });
    expect(s.passwordKey).toBe('password');
    expect(byKind(chart, 'Job').spec.template.spec.containers[0].image).toBe('bitnamilegacy/kubectl:1.28.15');
    expect(byKind(chart, 'Secret').stringData).toBeUndefined();
  });

  test('lets its ServiceAccount only get and patch this one Secret', () => {
    new GeneratedPasswordSecret(chart, 'Admin', { secretName: 'admin-credentials' });
    expect(byKind(chart, 'Role').rules).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: ['admin-credentials'], verbs: ['get', 'patch'] }]);
    expect(byKind(chart, 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'admin-credentials' }]);
    const pod = byKind(chart, 'Job').spec.template.spec;
    expect(pod.serviceAccountName).toBe('admin-credentials');
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toMatchObject({ runAsUser: 1001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  });

  test('puts every object in the given namespace, labels the Secret and marks the bootstrap objects', () => {
    new GeneratedPasswordSecret(chart, 'Admin', {
      secretName: 'admin-credentials', namespace: 'ops', passwordKey: 'PASSWORD', labels: { 'app.kubernetes.io/name': 'admin' }, bootstrapImage: 'registry.example.com/kubectl:1.30.2',
    });
    for (const o of chart.toJson()) expect(o.metadata.namespace).toBe('ops');
    expect(byKind(chart, 'Secret').metadata.labels).toEqual({ 'app.kubernetes.io/name': 'admin' });
    expect(byKind(chart, 'Job').metadata.labels).toEqual({ 'app.kubernetes.io/name': 'admin', 'app.kubernetes.io/component': 'secret-bootstrap' });
    expect(byKind(chart, 'Job').spec.template.spec.containers[0].image).toBe('registry.example.com/kubectl:1.30.2');
    expect(byKind(chart, 'Job').spec.template.spec.containers[0].command[2]).toContain('"data":{"PASSWORD":"%s"}');
  });

  test('names the Job after its pod template: same props, same name; another image, another Job', () => {
    const a = new GeneratedPasswordSecret(Testing.chart(), 'S', { secretName: 'admin-credentials' }).jobName;
    expect(new GeneratedPasswordSecret(Testing.chart(), 'S', { secretName: 'admin-credentials' }).jobName).toBe(a);
    expect(a).toMatch(/^admin-credentials-[0-9a-f]{8}$/);
    expect(new GeneratedPasswordSecret(Testing.chart(), 'S', { secretName: 'admin-credentials', bootstrapImage: 'alpine/k8s:1.28.13' }).jobName).not.toBe(a);
  });

  test.each<[string, Partial<GeneratedPasswordSecretProps>, RegExp]>([
    ['throws on a Secret name with upper case', { secretName: 'Admin' }, /GeneratedPasswordSecret: secretName must be a DNS-1123 label/],
    ['throws on a Secret name too long for its Job', { secretName: 'a'.repeat(55) }, /GeneratedPasswordSecret: secretName must be at most 54 characters \(got "a{55}", 55\), since a Job named '<name>-<8 hex>' is derived from it/],
    ['throws on a password key with a slash', { passwordKey: 'pass/word' }, /GeneratedPasswordSecret: passwordKey must be a Secret key/],
    ['throws on a stringData key with a space', { stringData: { 'user name': 'x' } }, /GeneratedPasswordSecret: stringData key must be a Secret key/],
    ['throws when stringData holds the password key', { stringData: { password: 'x' } }, /GeneratedPasswordSecret: stringData must not hold the password key "password"/],
    ['throws on a namespace with upper case', { namespace: 'Ops' }, /GeneratedPasswordSecret: namespace must be a DNS-1123 label/],
    ['throws on a bad label', { labels: { '-x': 'y' } }, /GeneratedPasswordSecret: labels key "-x" must be \[prefix\/\]name/],
    ['throws on an unpinned bootstrap image', { bootstrapImage: 'bitnami/kubectl' }, /GeneratedPasswordSecret: bootstrapImage must be pinned to a version/],
  ])('%s', (_name, props, message) => {
    expect(() => new GeneratedPasswordSecret(chart, 'S', { secretName: 'admin-credentials', ...props })).toThrow(message);
  });
});
