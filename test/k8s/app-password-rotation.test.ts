import { Chart, Duration, Testing } from 'cdk8s';
import { AppDatabaseNames, SslMode } from '../../src/core';
import { AppDatabaseSecret, AppPasswordRotation, AppPasswordRotationProps } from '../../src/k8s';
import { expectK8sValid, expectNoSecrets } from '../harness';

const HOST = 'postgres-service.stage.svc.cluster.local';

/** The Pod Security "restricted" profile's requirements, checked field by field on a pod spec. */
function restrictedViolations(spec: any): string[] {
  const out: string[] = [];
  const pod = spec.securityContext ?? {};
  if (pod.seccompProfile?.type !== 'RuntimeDefault') out.push('pod: seccompProfile must be RuntimeDefault');
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    const sc = c.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false) out.push(`${c.name}: allowPrivilegeEscalation must be false`);
    if (JSON.stringify(sc.capabilities?.drop) !== '["ALL"]' || sc.capabilities?.add) out.push(`${c.name}: capabilities must drop ALL and add none`);
    if (sc.runAsNonRoot !== true && pod.runAsNonRoot !== true) out.push(`${c.name}: runAsNonRoot`);
    if (sc.runAsUser === 0 || pod.runAsUser === 0) out.push(`${c.name}: runs as root`);
    if (sc.privileged) out.push(`${c.name}: privileged`);
  }
  for (const v of spec.volumes ?? []) {
    const kinds = Object.keys(v).filter((k) => k !== 'name');
    if (!kinds.every((k) => ['emptyDir', 'projected', 'secret', 'configMap', 'persistentVolumeClaim', 'downwardAPI'].includes(k))) out.push(`volume ${v.name}: ${kinds}`);
  }
  return out;
}

describe('AppPasswordRotation', () => {
  let chart: Chart;
  let secret: AppDatabaseSecret;
  beforeEach(() => {
    chart = new Chart(Testing.app(), 'test', { namespace: 'stage' });
    secret = new AppDatabaseSecret(chart, 'Secret', { names: AppDatabaseNames.of('shop'), host: HOST, sslMode: SslMode.DISABLE, rotationInterval: Duration.days(30) });
  });
  const make = (props: Partial<AppPasswordRotationProps> = {}) => new AppPasswordRotation(chart, 'Rotation', { secret, superuserSecretName: 'postgres-superuser', ...props });
  const docs = () => Testing.synth(chart);
  const cronJob = () => docs().find((d: any) => d.kind === 'CronJob');
  const podSpec = () => cronJob().spec.jobTemplate.spec.template.spec;

  test('is a batch/v1 CronJob <app>-db-rotate, daily at 03:30, never two at once, valid Kubernetes 1.28 without a password', () => {
    const r = make();
    const job = cronJob();
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.metadata).toMatchObject({ name: 'shop-db-rotate', namespace: 'stage' });
    expect(r.cronJobName).toBe('shop-db-rotate');
    expect(job.spec).toMatchObject({ schedule: '30 3 * * *', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 3600, successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 3 });
    expect(job.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 3, activeDeadlineSeconds: 600 });
    expectK8sValid(chart);
    expectNoSecrets([{ label: 'rotation.k8s.yaml', text: Testing.synth(chart).map((d: any) => JSON.stringify(d)).join('\n') }]);
  });

  test('meets the restricted Pod Security profile, with a fresh pod (restartPolicy Never) for each attempt', () => {
    make();
    const spec = podSpec();
    expect(restrictedViolations(spec)).toEqual([]);
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, fsGroup: 70 });
  });

  test('runs prepare (kubectl), database (psql) and update-secret (kubectl) in that order, sharing a memory-backed emptyDir', () => {
    make();
    const spec = podSpec();
    expect(spec.initContainers.map((c: any) => [c.name, c.image])).toEqual([['prepare', 'bitnamilegacy/kubectl:1.28.15'], ['database', 'postgres:15-alpine']]);
    expect(spec.containers.map((c: any) => [c.name, c.image])).toEqual([['update-secret', 'bitnamilegacy/kubectl:1.28.15']]);
    expect(spec.volumes.find((v: any) => v.name === 'rotation').emptyDir).toEqual({ medium: 'Memory', sizeLimit: '1Mi' });
    for (const c of [...spec.initContainers, ...spec.containers]) {
      expect(c.volumeMounts).toContainEqual({ name: 'rotation', mountPath: '/var/run/db-rotation' });
      expect(c.env).toContainEqual({ name: 'ROTATION_DIR', value: '/var/run/db-rotation' });
    }
  });

  test('gives only the kubectl containers an API token, and its ServiceAccount only get and patch on the app Secret', () => {
    const r = make();
    const spec = podSpec();
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.serviceAccountName).toBe(r.serviceAccountName);
    const withToken = [...spec.initContainers, ...spec.containers].filter((c: any) => c.volumeMounts.some((m: any) => m.name === 'kube-api-access')).map((c: any) => c.name);
    expect(withToken).toEqual(['prepare', 'update-secret']);
    const role = docs().find((d: any) => d.kind === 'Role');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: ['shop-db-secret'], verbs: ['get', 'patch'] }]);
    const binding = docs().find((d: any) => d.kind === 'RoleBinding');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'shop-db-rotate' }]);
  });

  test('reads the superuser password from its Secret and connects to the Secret\'s server unless told otherwise', () => {
    make();
    const env = Object.fromEntries(podSpec().initContainers[1].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({ PGHOST: HOST, PGPORT: '5432', PGUSER: 'postgres', PGSSLMODE: 'disable', PGPASSWORD: { secretKeyRef: { name: 'postgres-superuser', key: 'POSTGRES_PASSWORD' } } });
    chart = new Chart(Testing.app(), 'other', { namespace: 'stage' });
    secret = new AppDatabaseSecret(chart, 'Secret', { names: AppDatabaseNames.of('shop'), host: 'pooler', rotationInterval: Duration.days(30) });
    make({ serverHost: 'direct', serverPort: 5433, serverSslMode: SslMode.REQUIRE, superuserUsername: 'admin', schedule: '0 4 * * 0', image: 'postgres:16-alpine', kubectlImage: 'registry.example/kubectl:1.30' });
    const spec = podSpec();
    const env2 = Object.fromEntries(spec.initContainers[1].env.map((e: any) => [e.name, e.value]));
    expect(env2).toMatchObject({ PGHOST: 'direct', PGPORT: '5433', PGUSER: 'admin', PGSSLMODE: 'require' });
    expect(cronJob().spec.schedule).toBe('0 4 * * 0');
    expect([spec.initContainers[0].image, spec.initContainers[1].image]).toEqual(['registry.example/kubectl:1.30', 'postgres:16-alpine']);
  });

  test('labels its pods for network policies', () => {
    const r = make({ podLabels: { 'postgres.postgres.cdk-db-platform.io/client': 'true' } });
    expect(cronJob().spec.jobTemplate.spec.template.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/component': 'db-rotate', 'postgres.postgres.cdk-db-platform.io/client': 'true',
    });
    expect(r.podLabels['postgres.postgres.cdk-db-platform.io/client']).toBe('true');
  });

  describe('validation', () => {
    test('throws for a Secret that does not rotate', () => {
      secret = new AppDatabaseSecret(chart, 'Plain', { names: AppDatabaseNames.of('plain'), host: HOST });
      expect(() => make()).toThrow(/AppPasswordRotation: secret must rotate \(got Secret "plain-db-secret" without rotationInterval\)/);
    });
    test('throws for a schedule that is not cron', () => {
      expect(() => make({ schedule: 'monthly' })).toThrow(/AppPasswordRotation: schedule must be a cron schedule with five fields.*\(got "monthly"\)/);
    });
    test('throws for an app name too long for the CronJob name', () => {
      const name = 'a'.repeat(43);
      secret = new AppDatabaseSecret(chart, 'Long', { names: AppDatabaseNames.of(name), host: HOST, rotationInterval: Duration.days(30) });
      expect(() => make()).toThrow(new RegExp(`AppPasswordRotation: app name \\(in the CronJob name "${name}-db-rotate"\\) must be at most 52 characters for a CronJob`));
    });
    test('throws for a namespace other than the Secret\'s', () => {
      expect(() => make({ namespace: 'prod' })).toThrow(/AppPasswordRotation: namespace must be the app Secret's namespace "stage" \(got "prod"\)/);
    });
    test('throws for an unpinned kubectl image', () => {
      expect(() => make({ kubectlImage: 'bitnami/kubectl' })).toThrow(/AppPasswordRotation: kubectlImage must be pinned to a version/);
    });
    test('throws for a superuser Secret name that is not DNS-1123, and a server port of 0, in one message', () => {
      expect(() => make({ superuserSecretName: 'Super', serverPort: 0 })).toThrow(/AppPasswordRotation: serverPort .*\(and 1 more: superuserSecretName must be a DNS-1123 subdomain/);
    });
  });
});
