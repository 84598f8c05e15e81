import { App, Chart, Testing } from 'cdk8s';
import { AppDatabaseNames, SslMode } from '../../src/core';
import { AppDatabaseSecret, DatabaseInitJob, DatabaseInitJobProps } from '../../src/k8s';
import { expectK8sValid, expectNoSecrets } from '../harness';

const HOST = 'postgres-service.production.svc.cluster.local';

function build(props: Partial<DatabaseInitJobProps> = {}, chart: Chart = Testing.chart(), names = AppDatabaseNames.of('example_app')) {
  const secret = new AppDatabaseSecret(chart, 'Db', { names, host: HOST });
  const job = new DatabaseInitJob(chart, 'Init', { secret, superuserSecretName: 'postgres-superuser', ...props });
  const docs = Testing.synth(chart);
  const jobDoc = docs.find((d: any) => d.kind === 'Job');
  return { chart, job, docs, jobDoc, pod: jobDoc.spec.template.spec };
}

const containerNamed = (pod: any, name: string) => [...(pod.initContainers ?? []), ...pod.containers].find((c: any) => c.name === name);

describe('DatabaseInitJob', () => {
  test('is a batch/v1 Job with backoffLimit 4, restartPolicy OnFailure, 600 s deadline and 1 h TTL by default', () => {
    const { jobDoc, pod, chart } = build();
    expect(jobDoc.apiVersion).toBe('batch/v1');
    expect(jobDoc.spec.backoffLimit).toBe(4);
    expect(jobDoc.spec.activeDeadlineSeconds).toBe(600);
    expect(jobDoc.spec.ttlSecondsAfterFinished).toBe(3600);
    expect(pod.restartPolicy).toBe('OnFailure');
    expectK8sValid(chart);
  });

  test('takes backoffLimit, deadline and TTL from props', () => {
    const { jobDoc } = build({ backoffLimit: 1, activeDeadlineSeconds: 900, ttlSecondsAfterFinished: 0 });
    expect(jobDoc.spec).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 900, ttlSecondsAfterFinished: 0 });
  });

  test('runs secret-bootstrap as init container, then db-init as postgres:15-alpine uid 70, locked down', () => {
    const { pod } = build();
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['secret-bootstrap']);
    expect(pod.containers.map((c: any) => c.name)).toEqual(['db-init']);
    const init = pod.containers[0];
    expect(init.image).toBe('postgres:15-alpine');
    expect(init.securityContext).toEqual({
      runAsUser: 70,
      runAsGroup: 70,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(init.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes[0]).toEqual({ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } });
    expect(pod.containers[0].command[2]).toContain('pg_isready');
  });

  test('uses bitnamilegacy/kubectl:1.28.15 for the bootstrap by default, and other images when given', () => {
    expect(containerNamed(build().pod, 'secret-bootstrap').image).toBe('bitnamilegacy/kubectl:1.28.15');
    const { pod } = build({ image: 'postgres:15.8-alpine', bootstrapImage: 'alpine/k8s:1.28.13' });
    expect(containerNamed(pod, 'db-init').image).toBe('postgres:15.8-alpine');
    expect(containerNamed(pod, 'secret-bootstrap').image).toBe('alpine/k8s:1.28.13');
  });

  test('reads the superuser password and the app password from Secrets, never as values', () => {
    const { pod } = build();
    const env = containerNamed(pod, 'db-init').env;
    expect(env).toContainEqual({ name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-superuser', key: 'POSTGRES_PASSWORD' } } });
    expect(env).toContainEqual({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'example-app-db-secret', key: 'DB_PASSWORD' } } });
    expect(env).toContainEqual({ name: 'PGUSER', value: 'postgres' });
    expect(env).toContainEqual({ name: 'PGHOST', value: HOST });
    expect(env).toContainEqual({ name: 'PGPORT', value: '5432' });
    expect(env).toContainEqual({ name: 'PGSSLMODE', value: 'require' });
  });

  test('connects to serverHost, serverPort and serverSslMode when given', () => {
    const env = containerNamed(build({ serverHost: 'postgres-direct.production.svc', serverPort: 5433, serverSslMode: SslMode.VERIFY_FULL }).pod, 'db-init').env;
    expect(env.slice(0, 2)).toEqual([{ name: 'PGHOST', value: 'postgres-direct.production.svc' }, { name: 'PGPORT', value: '5433' }]);
    expect(env).toContainEqual({ name: 'PGSSLMODE', value: 'verify-full' });
  });

  test('takes the superuser name and password key from props', () => {
    const env = containerNamed(build({ superuserUsername: 'admin', superuserPasswordKey: 'password' }).pod, 'db-init').env;
    expect(env).toContainEqual({ name: 'PGUSER', value: 'admin' });
    expect(env).toContainEqual({ name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-superuser', key: 'password' } } });
  });

  test('waits 120 s for the server and connects to the postgres database by default; both from props when given', () => {
    const script = (p: Partial<DatabaseInitJobProps>) => containerNamed(build(p).pod, 'db-init').command[2];
    expect(script({})).toContain('deadline=$(( $(date +%s) + 120 ))');
    expect(script({})).toContain("psql -X -q -v ON_ERROR_STOP=1 -d 'postgres' <<");
    const custom = script({ waitTimeoutSeconds: 30, maintenanceDatabase: 'admin_db' });
    expect(custom).toContain('deadline=$(( $(date +%s) + 30 ))');
    expect(custom).toContain("psql -X -q -v ON_ERROR_STOP=1 -d 'admin_db' <<");
  });

  test('uses the schema of the app\'s names and no connection limit by default; a limit from props when given', () => {
    const script = (p: Partial<DatabaseInitJobProps>, names?: AppDatabaseNames) => containerNamed(build(p, Testing.chart(), names).pod, 'db-init').command[2];
    expect(script({})).toContain('CREATE SCHEMA IF NOT EXISTS example_app AUTHORIZATION example_app_user;');
    expect(script({})).not.toContain('CONNECTION LIMIT');
    const custom = script({ connectionLimit: 10 }, AppDatabaseNames.of('example_app', { schemaName: 'app' }));
    expect(custom).toContain('CREATE SCHEMA IF NOT EXISTS app AUTHORIZATION example_app_user;');
    expect(custom).toContain('ALTER ROLE example_app_user CONNECTION LIMIT 10;');
  });

  test('puts the Job and its RBAC objects in the Secret\'s namespace, or the one given', () => {
    const chart = Testing.chart();
    const secret = new AppDatabaseSecret(chart, 'Db', { names: AppDatabaseNames.of('example_app'), host: HOST, namespace: 'stage' });
    new DatabaseInitJob(chart, 'Init', { secret, superuserSecretName: 'postgres-superuser' });
    const namespaces = Testing.synth(chart).map((d: any) => `${d.kind}/${d.metadata.namespace}`);
    expect(namespaces).toEqual(['Secret/stage', 'ServiceAccount/stage', 'Role/stage', 'RoleBinding/stage', 'Job/stage']);
    const other = Testing.chart();
    const unpinned = new AppDatabaseSecret(other, 'Db', { names: AppDatabaseNames.of('example_app'), host: HOST });
    new DatabaseInitJob(other, 'Init', { secret: unpinned, superuserSecretName: 'postgres-superuser', namespace: 'stage' });
    expect(Testing.synth(other).filter((d: any) => d.kind !== 'Secret').every((d: any) => d.metadata.namespace === 'stage')).toBe(true);
  });

  test('writes the connection\'s DATABASE_URL (with connect_timeout) into the bootstrap script', () => {
    const { pod } = build();
    expect(containerNamed(pod, 'secret-bootstrap').command[2])
      .toContain(`url_suffix='@${HOST}:5432/example_app_db?sslmode=require&connect_timeout=10'`);
  });

  test('grants its ServiceAccount only get and patch on the app Secret', () => {
    const { docs, pod } = build();
    const role = docs.find((d: any) => d.kind === 'Role');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: ['example-app-db-secret'], verbs: ['get', 'patch'] }]);
    const binding = docs.find((d: any) => d.kind === 'RoleBinding');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'example-app-db-init' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'example-app-db-init' }]);
    expect(pod.serviceAccountName).toBe('example-app-db-init');
    expect(docs.find((d: any) => d.kind === 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  test('mounts an API token into the bootstrap container only', () => {
    const { pod, chart } = build({ migrations: { image: 'example/app:1.0.0', commands: ['python manage.py migrate'] } });
    expect(pod.automountServiceAccountToken).toBe(false);
    const tokenVolume = pod.volumes.find((v: any) => v.name === 'kube-api-access');
    expect(tokenVolume.projected.sources.map((src: any) => Object.keys(src)[0])).toEqual(['serviceAccountToken', 'configMap', 'downwardAPI']);
    expect(containerNamed(pod, 'secret-bootstrap').volumeMounts).toContainEqual({
      name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true,
    });
    for (const name of ['db-init', 'migrate']) {
      expect(containerNamed(pod, name).volumeMounts.map((m: any) => m.name)).toEqual(['tmp']);
    }
    expectK8sValid(chart);
  });

  test('labels its pods for network policies', () => {
    const { job, jobDoc } = build({ podLabels: { 'db-access': 'shared-postgres' } });
    expect(jobDoc.spec.template.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'example-app', 'app.kubernetes.io/component': 'db-init', 'db-access': 'shared-postgres',
    });
    expect(job.podLabels).toEqual(jobDoc.spec.template.metadata.labels);
  });

  test('names the Job after a hash of its pod template, stable across synths and changed by any change', () => {
    const a = build().job.jobName;
    expect(a).toMatch(/^example-app-db-init-[0-9a-f]{8}$/);
    expect(build().jobDoc.metadata.name).toBe(a);
    expect(build({ image: 'postgres:15.8-alpine' }).job.jobName).not.toBe(a);
    expect(build({ connectionLimit: 3 }).job.jobName).not.toBe(a);
    // Job-level settings are not part of the immutable pod template.
    expect(build({ ttlSecondsAfterFinished: 60 }).job.jobName).toBe(a);
  });

  test('runs migrations after init as the main container, with the app Secret as environment', () => {
    const { pod, chart } = build({ migrations: { image: 'example/app:1.0.0', commands: ['python manage.py migrate', 'python manage.py seed_initial_data'], envVariables: { DJANGO_SETTINGS_MODULE: 'app.settings' } } });
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['secret-bootstrap', 'db-init']);
    expect(pod.containers.map((c: any) => c.name)).toEqual(['migrate']);
    const m = pod.containers[0];
    expect(m.envFrom).toEqual([{ secretRef: { name: 'example-app-db-secret' } }]);
    expect(m.env).toEqual([{ name: 'DJANGO_SETTINGS_MODULE', value: 'app.settings' }]);
    expect(m.command[2]).toBe("set -eu\necho 'migrate: step 1/2'\npython manage.py migrate\necho 'migrate: step 2/2'\npython manage.py seed_initial_data\n");
    expect(m.securityContext).toMatchObject({ runAsUser: 1000, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expectK8sValid(chart);
  });

  test('synthesizes identical bytes twice, with no password anywhere', () => {
    const render = () => {
      const app = new App();
      const chart = new Chart(app, 'apps', { namespace: 'production' });
      build({ migrations: { image: 'example/app:1.0.0', commands: ['python manage.py migrate'] } }, chart);
      const other = new AppDatabaseSecret(chart, 'Other', { names: AppDatabaseNames.of('another_app'), host: HOST, sslMode: SslMode.VERIFY_FULL, caPath: '/etc/db-ca/ca.pem' });
      new DatabaseInitJob(chart, 'OtherInit', { secret: other, superuserSecretName: 'postgres-superuser', connectionLimit: 20 });
      return { app, yaml: app.synthYaml() };
    };
    const first = render();
    expect(render().yaml).toBe(first.yaml);
    expectK8sValid(first.yaml);
    expectNoSecrets([{ label: 'apps.k8s.yaml', text: first.yaml }]);
  });

  describe('validation', () => {
    const make = (props: Partial<DatabaseInitJobProps>) => () => build(props);
    test('throws for a server host with a space', () => {
      expect(make({ serverHost: 'db host' })).toThrow(/DatabaseInitJob: serverHost must not contain spaces.*got "db host"/);
    });
    test('throws for server port 0', () => {
      expect(make({ serverPort: 0 })).toThrow(/DatabaseInitJob: serverPort must be a whole number from 1 to 65535 \(got 0\)/);
    });
    test('throws for a superuser Secret name that is not DNS-1123', () => {
      expect(make({ superuserSecretName: 'Super_User' })).toThrow(/DatabaseInitJob: superuserSecretName must be a DNS-1123 subdomain.*got "Super_User"/);
    });
    test('throws for a superuser password key with a space', () => {
      expect(make({ superuserPasswordKey: 'pass word' })).toThrow(/DatabaseInitJob: superuserPasswordKey must be a Secret key.*got "pass word"/);
    });
    test('throws for a superuser name that is not an identifier', () => {
      expect(make({ superuserUsername: 'root; --' })).toThrow(/DatabaseInitJob: superuserUsername must be a PostgreSQL identifier/);
    });
    test('throws for an image with a space', () => {
      expect(make({ image: 'postgres 15' })).toThrow(/DatabaseInitJob: image must be a container image reference such as "postgres:15-alpine" \(got "postgres 15"\)/);
    });
    test('throws for an unpinned image', () => {
      expect(make({ image: 'postgres:latest' })).toThrow(/DatabaseInitJob: image must be pinned to a version \(got "postgres:latest"\)/);
    });
    test('throws for an empty bootstrap image', () => {
      expect(make({ bootstrapImage: '' })).toThrow(/DatabaseInitJob: bootstrapImage must be a container image reference such as "bitnamilegacy\/kubectl:1.28.15" \(got ""\)/);
    });
    test('throws for a wait timeout of 0', () => {
      expect(make({ waitTimeoutSeconds: 0 })).toThrow(/DatabaseInitJob: waitTimeoutSeconds must be whole seconds from 1 to 3600 \(got 0 s\)/);
    });
    test('throws for a negative deadline', () => {
      expect(make({ activeDeadlineSeconds: -5 })).toThrow(/DatabaseInitJob: activeDeadlineSeconds must be whole seconds from 1 to 86400 \(got -5 s\)/);
    });
    test('throws for a fractional TTL', () => {
      expect(make({ ttlSecondsAfterFinished: 1.5 })).toThrow(/DatabaseInitJob: ttlSecondsAfterFinished must be whole seconds from 0 to 31536000 \(got 1.5 s\)/);
    });
    test('throws for a negative backoffLimit', () => {
      expect(make({ backoffLimit: -1 })).toThrow(/DatabaseInitJob: backoffLimit must be a whole number from 0 to 100 \(got -1\)/);
    });
    test('throws for a deadline not longer than the wait', () => {
      expect(make({ activeDeadlineSeconds: 100, waitTimeoutSeconds: 120 })).toThrow(/DatabaseInitJob: activeDeadlineSeconds \(100\) must be longer than waitTimeoutSeconds \(120\)/);
    });
    test('throws for a connection limit below -1', () => {
      expect(make({ connectionLimit: -2 })).toThrow(/DatabaseInitJob: connectionLimit must be a whole number from -1 to 2147483647 \(got -2\)/);
    });
    test('throws for a maintenance database name with SQL', () => {
      expect(make({ maintenanceDatabase: 'postgres; --' })).toThrow(/DatabaseInitJob: maintenanceDatabase must be a PostgreSQL identifier/);
    });
    test('throws for empty migration commands', () => {
      expect(make({ migrations: { image: 'app:1', commands: [] } })).toThrow(/DatabaseInitJob: migrations.commands must list at least one command/);
    });
    test('throws for a blank migration command', () => {
      expect(make({ migrations: { image: 'app:1', commands: [''] } })).toThrow(/DatabaseInitJob: migrations.commands\[0\] must not be empty/);
    });
    test('throws for an empty migration image', () => {
      expect(make({ migrations: { image: ' ', commands: ['migrate'] } })).toThrow(/DatabaseInitJob: migrations.image must be a container image reference/);
    });
    test('throws for migrations as root', () => {
      expect(make({ migrations: { image: 'app:1', commands: ['migrate'], runAsUser: 0 } })).toThrow(/DatabaseInitJob: migrations.runAsUser must be a whole number from 1 to 2147483647 \(got 0\)/);
    });
    test('throws for a migration environment variable name with a space', () => {
      expect(make({ migrations: { image: 'app:1', commands: ['migrate'], envVariables: { 'A B': '1' } } })).toThrow(/DatabaseInitJob: migrations.envVariables key must be an environment variable name/);
    });
    test('throws for a namespace other than the Secret\'s', () => {
      const chart = Testing.chart();
      const secret = new AppDatabaseSecret(chart, 'Db', { names: AppDatabaseNames.of('example_app'), host: HOST, namespace: 'production' });
      expect(() => new DatabaseInitJob(chart, 'Init', { secret, superuserSecretName: 'postgres-superuser', namespace: 'stage' }))
        .toThrow(/DatabaseInitJob: namespace must be the app Secret's namespace "production" \(got "stage"\)/);
    });
    test('throws once with every problem', () => {
      expect(make({ serverPort: 0, backoffLimit: -1, image: 'x y' })).toThrow(/^DatabaseInitJob: serverPort .*\(and 2 more: image must be .* backoffLimit must be/);
    });
  });
});
