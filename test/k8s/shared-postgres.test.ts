import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as YAML from 'yaml';
import { PROMETHEUS_OPERATOR_SCHEMA } from './prometheus-operator-schema';
import { build } from '../../examples/shared-postgres';
import { AppDatabaseNames, SslMode } from '../../src/core';
import { SharedPostgres } from '../../src/k8s/shared-postgres';
import { SharedPostgresProps } from '../../src/k8s/shared-postgres-props';
import { SharedPostgresTls } from '../../src/k8s/shared-postgres-tls';
import { CUSTOM_RESOURCE_SCHEMAS, expectK8sValid, expectNoSecrets } from '../harness';

function find(manifests: any[], kind: string, name?: string): any {
  const found = manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length}`);
  return found[0];
}

/** The script of the server init Job's `db-init` container (every app's role, database and schema). */
function appsInitScript(db: SharedPostgres): string {
  return db.appsInitJob!.toJson().spec.template.spec.containers[0].command[2];
}

function postgresContainer(manifests: any[]): any {
  return find(manifests, 'StatefulSet').spec.template.spec.containers[0];
}

describe('SharedPostgres', () => {
  let chart: Chart;
  beforeEach(() => {
    chart = Testing.chart();
  });

  function make(props: Partial<SharedPostgresProps> = {}): SharedPostgres {
    return new SharedPostgres(chart, 'Db', { namespace: 'production', ...props });
  }

  describe('defaults', () => {
    test('uses the pinned postgres:15-alpine image', () => {
      // GIVEN / WHEN
      make();
      // THEN
      expect(postgresContainer(chart.toJson()).image).toBe('postgres:15-alpine');
    });

    test('requests 250m/256Mi and limits 500m/512Mi', () => {
      make();
      expect(postgresContainer(chart.toJson()).resources).toEqual({
        requests: { cpu: '250m', memory: '256Mi' },
        limits: { cpu: '500m', memory: '512Mi' },
      });
    });

    test('claims 10Gi through volumeClaimTemplates, storage class left to the cluster, PVCs retained', () => {
      make();
      const sts = find(chart.toJson(), 'StatefulSet', 'postgres');
      expect(sts.spec.volumeClaimTemplates).toEqual([{
        metadata: { name: 'data', labels: expect.any(Object) },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
      }]);
      expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    });

    test('sets a storage class when given', () => {
      make({ storageClassName: 'gp3', storageSize: '20Gi' });
      const sts = find(chart.toJson(), 'StatefulSet');
      expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'gp3', resources: { requests: { storage: '20Gi' } } });
    });

    test('starts with max_connections=100 and passes settings through as -c key=value, sorted', () => {
      make({ settings: { work_mem: '8MB', shared_buffers: '128MB' } });
      expect(postgresContainer(chart.toJson()).args).toEqual([
        '-c', 'max_connections=100', '-c', 'shared_buffers=128MB', '-c', 'work_mem=8MB',
        '-c', 'ssl=on', '-c', 'ssl_cert_file=/var/lib/postgresql/tls/tls.crt', '-c', 'ssl_key_file=/var/lib/postgresql/tls/tls.key',
      ]);
    });

    test('exposes postgres-service, so the host is postgres-service.<ns>.svc.cluster.local, plus a headless Service for the StatefulSet', () => {
      const db = make();
      const m = chart.toJson();
      expect(db.host).toBe('postgres-service.production.svc.cluster.local');
      expect(find(m, 'Service', 'postgres-service').spec).toMatchObject({ type: 'ClusterIP', ports: [{ port: 5432, targetPort: 'postgres' }] });
      expect(find(m, 'Service', 'postgres-headless').spec.clusterIP).toBe('None');
      expect(find(m, 'StatefulSet').spec.serviceName).toBe('postgres-headless');
    });

    test('a configurable service name changes the host', () => {
      const db = make({ serviceName: 'db' });
      expect(db.host).toBe('db.production.svc.cluster.local');
      find(chart.toJson(), 'Service', 'db');
    });

    test('probes startup, readiness and liveness with pg_isready over TCP', () => {
      make();
      const c = postgresContainer(chart.toJson());
      for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
        expect(probe.exec.command.join(' ')).toMatch(/pg_isready -q -h 127\.0\.0\.1 -p 5432 -U "\$POSTGRES_USER"/);
      }
    });

    test('runs as uid/gid/fsGroup 70 with a read-only root, no capabilities, RuntimeDefault seccomp, emptyDirs and PGDATA in a subdirectory', () => {
      make();
      const pod = find(chart.toJson(), 'StatefulSet').spec.template.spec;
      expect(pod.securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 70,
        runAsGroup: 70,
        fsGroup: 70,
        fsGroupChangePolicy: 'OnRootMismatch',
        seccompProfile: { type: 'RuntimeDefault' },
      });
      const c = pod.containers[0];
      expect(c.securityContext).toMatchObject({
        allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, runAsUser: 70,
      });
      expect(c.volumeMounts.map((v: any) => v.mountPath)).toEqual(['/var/lib/postgresql/data', '/var/run/postgresql', '/tmp', '/var/lib/postgresql/tls']);
      expect(pod.volumes).toEqual([
        { name: 'run', emptyDir: {} },
        { name: 'tmp', emptyDir: {} },
        { name: 'tls-source', secret: { secretName: 'postgres-tls', defaultMode: 0o440 } },
        { name: 'tls', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
      ]);
      for (const sidecar of pod.containers.slice(1)) {
        expect(sidecar.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, runAsUser: 70 });
      }
      expect(c.env).toContainEqual({ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' });
      expect(pod.automountServiceAccountToken).toBe(false);
    });

    test('reads the superuser password from a Secret that holds only the user name, filled by a bootstrap Job', () => {
      make();
      const m = chart.toJson();
      const secret = find(m, 'Secret', 'postgres-superuser');
      expect(secret.stringData).toEqual({ POSTGRES_USER: 'postgres' });
      expect(secret.data).toBeUndefined();
      expect(postgresContainer(m).env).toContainEqual({
        name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-superuser', key: 'POSTGRES_PASSWORD' } },
      });
      const role = find(m, 'Role', 'postgres-superuser');
      expect(role.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: ['postgres-superuser'], verbs: ['get', 'patch'] }]);
      const job = m.find((o: any) => o.kind === 'Job' && o.metadata.name.startsWith('postgres-superuser-'));
      expect(job.spec.template.spec.containers[0].command[2]).toContain("secret='postgres-superuser'");
      expect(job.spec.template.spec.serviceAccountName).toBe('postgres-superuser');
    });

    test('has a PodDisruptionBudget that lets a node drain move the database pod', () => {
      make();
      expect(find(chart.toJson(), 'PodDisruptionBudget', 'postgres').spec).toEqual({
        maxUnavailable: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/instance': 'postgres', 'app.kubernetes.io/component': 'database' } },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      });
    });

    test('has a default-deny NetworkPolicy admitting platform jobs and each app by label and namespace', () => {
      const db = make();
      chart = db.node.scope as Chart;
      const m0 = chart.toJson();
      const np0 = find(m0, 'NetworkPolicy', 'postgres');
      expect(np0.spec.policyTypes).toEqual(['Ingress']);
      expect(np0.spec.ingress).toEqual([{
        from: [{
          podSelector: { matchLabels: { 'postgres.postgres.cdk-db-platform.io/client': 'true' } },
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'production' } },
        }],
        ports: [{ protocol: 'TCP', port: 5432 }],
      }]);
    });

    test('backs up daily at 03:00 by default', () => {
      make();
      expect(find(chart.toJson(), 'CronJob', 'postgres-backup').spec.schedule).toBe('0 3 * * *');
    });

    test('turns TLS on from a Secret, copying the key with mode 0600 in an init container', () => {
      const db = make({ tlsSecretName: 'postgres-tls' });
      const pod = find(chart.toJson(), 'StatefulSet').spec.template.spec;
      expect(pod.containers[0].args).toEqual([
        '-c', 'max_connections=100', '-c', 'ssl=on',
        '-c', 'ssl_cert_file=/var/lib/postgresql/tls/tls.crt', '-c', 'ssl_key_file=/var/lib/postgresql/tls/tls.key',
      ]);
      expect(pod.initContainers[0].command[2]).toContain('chmod 0600');
      expect(pod.volumes).toContainEqual({ name: 'tls-source', secret: { secretName: 'postgres-tls', defaultMode: 0o440 } });
      expect(db.defaultSslMode).toBe(SslMode.REQUIRE);
    });

    test('without TLS (the explicit opt-out) apps default to sslmode prefer and the server has no ssl settings', () => {
      const db = make({ tls: SharedPostgresTls.disabled() });
      expect(db.defaultSslMode).toBe(SslMode.PREFER);
      expect(db.tlsEnabled).toBe(false);
      expect(db.caBundle).toBeUndefined();
      const m = chart.toJson();
      expect(postgresContainer(m).args).toEqual(['-c', 'max_connections=100']);
      expect(m.filter((o: any) => o.metadata.name.startsWith('postgres-tls'))).toEqual([]);
    });
  });

  describe('addApp', () => {
    beforeEach(() => {
      chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
    });

    test('uses the default names: <app>_db, <app>_user, schema <app>, Secret <app>-db-secret', () => {
      const db = make();
      const app = db.addApp('example_app');
      expect(app.secret.names.databaseName).toBe('example_app_db');
      expect(app.secret.names.username).toBe('example_app_user');
      expect(app.secret.secretName).toBe('example-app-db-secret');
      expect(appsInitScript(db)).toContain("'example_app_db', 'example_app_user', 'example_app'");
      expect(app.podLabels).toEqual({ app: 'example-app' });
      const m = chart.toJson();
      expect(find(m, 'Secret', 'example-app-db-secret').stringData).toMatchObject({
        DB_HOST: 'postgres-service.production.svc.cluster.local', DB_NAME: 'example_app_db', DB_USER: 'example_app_user', DB_SSL_MODE: 'require',
      });
    });

    test('every name can be overridden', () => {
      const db = make();
      const app = db.addApp('shop', { databaseName: 'shop_prod_db', username: 'shop_prod', secretName: 'shop-creds', schemaName: 'store', sslMode: SslMode.DISABLE });
      expect([app.secret.names.databaseName, app.secret.names.username, app.secret.secretName, app.secret.sslMode.value]).toEqual(['shop_prod_db', 'shop_prod', 'shop-creds', 'disable']);
      expect(appsInitScript(db)).toContain("'shop', 'shop-creds', 'shop_prod_db', 'shop_prod', 'store'");
    });

    test('admits the app pods through the NetworkPolicy', () => {
      make().addApp('example_app');
      const np = find(chart.toJson(), 'NetworkPolicy');
      expect(np.spec.ingress[1].from[0].podSelector).toEqual({ matchLabels: { app: 'example-app' } });
      expect(np.spec.ingress[1].from[0].namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'production' } });
    });

    test('the init Job carries the client label the NetworkPolicy admits', () => {
      const db = make();
      const app = db.addApp('example_app');
      expect(app.initJob!.podLabels).toMatchObject(db.clientLabels);
    });

    test('viaPgBouncer points the Secret at PgBouncer while the server init Job talks to the server', () => {
      make({ pgBouncer: {} }).addApp('third_app', { viaPgBouncer: true });
      const m = chart.toJson();
      expect(find(m, 'Secret', 'third-app-db-secret').stringData.DB_HOST).toBe('pgbouncer.production.svc.cluster.local');
      const job = m.find((o: any) => o.kind === 'Job' && o.metadata.name.startsWith('postgres-apps-init-'));
      expect(job.spec.template.spec.containers[0].env[0]).toEqual({ name: 'PGHOST', value: 'postgres-service.production.svc.cluster.local' });
      expect(find(m, 'NetworkPolicy', 'postgres').spec.ingress).toHaveLength(1);
    });

    test('in a chart without a namespace every object still gets the database namespace', () => {
      chart = Testing.chart();
      make({ pgBouncer: {} }).addApp('example_app');
      const m = chart.toJson();
      expect(m.length).toBeGreaterThan(20);
      for (const o of m) expect([o.kind, o.metadata.name, o.metadata.namespace]).toEqual([o.kind, o.metadata.name, 'production']);
    });

    test('PgBouncer admits only the apps pointed at it', () => {
      make({ pgBouncer: {} }).addApp('third_app', { viaPgBouncer: true });
      const np = find(chart.toJson(), 'NetworkPolicy', 'pgbouncer');
      expect(np.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'pgbouncer', 'app.kubernetes.io/instance': 'pgbouncer', 'app.kubernetes.io/component': 'pooler' });
      // The policy matches the port PgBouncer's pods listen on (6432), not its Service port.
      expect(np.spec.ingress).toEqual([{
        from: [{ podSelector: { matchLabels: { app: 'third-app' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'production' } } }],
        ports: [{ protocol: 'TCP', port: 6432 }],
      }]);
    });

    test('derived names stay DNS-1123 labels with the longest name', () => {
      chart = Testing.chart();
      const db = make({ name: 'p'.repeat(39), pgBouncer: {} });
      db.restoreJob(chart, 'Restore', { databaseName: 'a_very_long_database_name_for_the_restore_job_db' });
      for (const o of chart.toJson()) {
        expect([o.metadata.name, o.metadata.name.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.metadata.name)]).toEqual([o.metadata.name, true]);
      }
    });

    test('viaPgBouncer with migrations: the app\'s Job waits for its login at the server, with no superuser password', () => {
      make({ pgBouncer: {} }).addApp('third_app', { viaPgBouncer: true, migrations: { image: 'ghcr.io/example/third-app:1.0.0', commands: ['./migrate'] } });
      const job = chart.toJson().find((o: any) => o.kind === 'Job' && o.metadata.name.startsWith('third-app-db-init-'));
      const spec = job.spec.template.spec;
      expect([...spec.initContainers, ...spec.containers].map((c: any) => c.name)).toEqual(['secret-bootstrap', 'db-wait', 'migrate']);
      const wait = spec.initContainers.find((c: any) => c.name === 'db-wait');
      expect(wait.env.find((e: any) => e.name === 'PGHOST').value).toBe('postgres-service.production.svc.cluster.local');
      expect(JSON.stringify(job)).not.toContain('postgres-superuser');
    });

    test('rotation adds the app\'s rotation CronJob (talking to the server, as a platform client), DB_USER leaves the manifest, the init Job makes the clone', () => {
      const db = make({ pgBouncer: {} });
      const app = db.addApp('third_app', { viaPgBouncer: true, rotation: {} });
      expect(app.secret.rotationInterval?.toDays()).toBe(30);
      expect(appsInitScript(db)).toContain("'third_app_db', 'third_app_user', 'third_app', true, NULL, :'p', :'l');");
      expect(app.initJob!.initScript).toContain('db-wait');
      const m = chart.toJson();
      expect(find(m, 'Secret', 'third-app-db-secret').stringData.DB_USER).toBeUndefined();
      const cron = find(m, 'CronJob', 'third-app-db-rotate');
      expect(cron.spec.schedule).toBe('30 3 * * *');
      const pod = cron.spec.jobTemplate.spec.template;
      expect(pod.metadata.labels).toMatchObject(db.clientLabels);
      const env = pod.spec.initContainers.find((c: any) => c.name === 'database').env;
      expect(env).toContainEqual({ name: 'PGHOST', value: 'postgres-service.production.svc.cluster.local' });
      expect(app.rotation?.cronJobName).toBe('third-app-db-rotate');
      expectK8sValid(chart);
    });

    test('rotation takes its interval and schedule; an app without it gets no CronJob', () => {
      const db = make();
      const app = db.addApp('shop', { rotation: { interval: Duration.days(7), schedule: '0 2 * * 1' } });
      expect(app.secret.rotationInterval?.toDays()).toBe(7);
      expect(db.addApp('plain').rotation).toBeUndefined();
      const crons = chart.toJson().filter((o: any) => o.kind === 'CronJob' && o.metadata.name.endsWith('-db-rotate'));
      expect(crons.map((o: any) => [o.metadata.name, o.spec.schedule])).toEqual([['shop-db-rotate', '0 2 * * 1']]);
    });

    test('one server init Job provisions every app, those added after it was made too; each app\'s own Job only fills in its Secret', () => {
      const db = make();
      db.addApp('first_app');
      db.addApp('second_app', { connectionLimit: 5, rotation: {} });
      const m = chart.toJson();
      const jobs = m.filter((o: any) => o.kind === 'Job' && o.metadata.name.startsWith('postgres-apps-init'));
      expect(jobs.map((j: any) => j.metadata.name)).toEqual([expect.stringMatching(/^postgres-apps-init-[0-9a-f]{8}$/)]);
      const spec = jobs[0].spec.template.spec;
      expect(spec.automountServiceAccountToken).toBe(false);
      expect(spec.serviceAccountName).toBeUndefined();
      const env = spec.containers[0].env;
      expect(env.filter((e: any) => e.name.startsWith('APP_'))).toEqual([
        { name: 'APP_0_DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'first-app-db-secret', key: 'DB_PASSWORD', optional: true } } },
        { name: 'APP_0_DB_USER', valueFrom: { secretKeyRef: { name: 'first-app-db-secret', key: 'DB_USER', optional: true } } },
        { name: 'APP_1_DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'second-app-db-secret', key: 'DB_PASSWORD', optional: true } } },
        { name: 'APP_1_DB_USER', valueFrom: { secretKeyRef: { name: 'second-app-db-secret', key: 'DB_USER', optional: true } } },
      ]);
      expect(appsInitScript(db)).toContain("'second_app_db', 'second_app_user', 'second_app', true, 5, :'p', :'l');");
      const appJob = m.find((o: any) => o.kind === 'Job' && o.metadata.name.startsWith('first-app-db-init-'));
      expect(appJob.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['secret-bootstrap']);
      expect(JSON.stringify(appJob)).not.toContain('postgres-superuser');
      // Its name follows what it provisions: one more app, another Job.
      const before = jobs[0].metadata.name;
      db.addApp('third_app');
      expect(chart.toJson().find((o: any) => o.kind === 'Job' && o.metadata.name.startsWith('postgres-apps-init')).metadata.name).not.toBe(before);
    });

    test('refuses, at synthesis, more apps than the server init Job\'s script can hold', () => {
      const app = Testing.app();
      chart = new Chart(app, 'test', { namespace: 'production' });
      const db = make({ backupEnabled: false });
      for (let i = 0; i < 400; i++) db.addApp(`app_${String(i).padStart(3, '0')}_${'x'.repeat(38)}`);
      expect(() => app.synth()).toThrow(/SharedPostgres: the server init Job's script is \d+ bytes for 400 apps, more than a container argument holds \(131072\)\. Put some of the apps on another SharedPostgres, or give them shorter names\./);
    });

    test('restoreJob resolves an app name to its database', () => {
      const db = make();
      db.addApp('example_app');
      const job = db.restoreJob(chart, 'Restore', { appName: 'example_app' });
      expect(job.toJson().spec.template.spec.containers[0].env).toContainEqual({ name: 'RESTORE_DATABASE', value: 'example_app_db' });
    });
  });

  describe('clusterDomain', () => {
    function corpChart(): any[] {
      const c = new Chart(Testing.app(), 'corp', { namespace: 'production' });
      const db = new SharedPostgres(c, 'Db', { namespace: 'production', clusterDomain: 'corp.example', pgBouncer: {} });
      db.addApp('example_app');
      db.addApp('third_app', { viaPgBouncer: true });
      return c.toJson();
    }

    test('an app added viaPgBouncer gets PgBouncer\'s host in the cluster domain, in DB_HOST, DATABASE_URL and the ini (regression)', () => {
      const m = corpChart();
      expect(find(m, 'Secret', 'third-app-db-secret').stringData.DB_HOST).toBe('pgbouncer.production.svc.corp.example');
      const job = m.find((o: any) => o.kind === 'Job' && o.metadata.name.startsWith('third-app-db-init-'));
      const bootstrap = job.spec.template.spec.containers.find((c: any) => c.name === 'secret-bootstrap');
      expect(bootstrap.command[2]).toContain("url_suffix='@pgbouncer.production.svc.corp.example:5432/third_app_db?sslmode=require&connect_timeout=10'");
      expect(m.find((o: any) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('pgbouncer-config-')).data['pgbouncer.ini']).toContain('* = host=postgres-service.production.svc.corp.example port=5432\n');
    });

    test('every host the construct writes ends in .svc.corp.example', () => {
      const text = JSON.stringify(corpChart());
      const hosts = [...new Set(text.match(/[a-z0-9-]+\.production\.svc(\.[a-z0-9-]+)*/g))].sort();
      // The server certificate also names the short forms (`<service>.production.svc`) clients may use.
      expect(hosts.filter((h) => !h.endsWith('.production.svc'))).toEqual([
        'pgbouncer.production.svc.corp.example', 'postgres-headless.production.svc.corp.example', 'postgres-service.production.svc.corp.example',
      ]);
      expect(text).not.toContain('cluster.local');
    });
  });

  describe('names and namespaces', () => {
    test('an app name becomes names once, shared by the Secret and the init Job', () => {
      chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
      const db = make();
      const resolve = jest.spyOn(AppDatabaseNames, '_resolve');
      const of = jest.spyOn(AppDatabaseNames, 'of');
      try {
        const app = db.addApp('example_app', { schemaName: 'shop' });
        expect(resolve).toHaveBeenCalledTimes(1);
        expect(of).not.toHaveBeenCalled();
        expect(appsInitScript(db)).toContain(`'example_app_db', '${app.secret.names.username}', 'shop'`);
      } finally {
        resolve.mockRestore();
        of.mockRestore();
      }
    });

    test('accepts a TLS Secret name with dots', () => {
      make({ tlsSecretName: 'tls.example.com' });
      const pod = find(chart.toJson(), 'StatefulSet').spec.template.spec;
      expect(pod.volumes).toContainEqual({ name: 'tls-source', secret: { secretName: 'tls.example.com', defaultMode: 0o440 } });
    });

    test('keeps the names of the data-bearing objects', () => {
      chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
      make({ pgBouncer: {} }).addApp('example_app');
      const names = chart.toJson().map((o: any) => `${o.kind}/${o.metadata.name}`);
      for (const n of ['StatefulSet/postgres', 'Service/postgres-headless', 'Service/postgres-service', 'Secret/postgres-superuser',
        'Secret/example-app-db-secret', 'Secret/postgres-pgbouncer-auth', 'PersistentVolumeClaim/postgres-backups', 'CronJob/postgres-backup']) {
        expect(names).toContain(n);
      }
      expect(find(chart.toJson(), 'StatefulSet').spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    });
  });

  describe('allowSelector', () => {
    test('admits the pods of a cdk8s-plus workload in its namespace', () => {
      chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
      const db = make();
      const worker = new kplus.Deployment(chart, 'Worker', { containers: [{ image: 'example/worker:1.0.0' }] });
      db.allowSelector(worker);
      db.allowSelector(worker);
      const ingress = find(chart.toJson(), 'NetworkPolicy', 'postgres').spec.ingress;
      expect(ingress).toHaveLength(2);
      expect(ingress[1]).toEqual({
        from: [{
          podSelector: { matchLabels: { 'cdk8s.io/metadata.addr': expect.stringMatching(/^test-Worker-c8/) } },
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'production' } },
        }],
        ports: [{ protocol: 'TCP', port: 5432 }],
      });
    });

    test('admits pods selected by labels in other namespaces', () => {
      const db = make();
      db.allowSelector(kplus.Pods.select(chart, 'Reporting', { labels: { app: 'reports' }, namespaces: kplus.Namespaces.select(chart, 'Ns', { names: ['analytics'] }) }));
      expect(find(chart.toJson(), 'NetworkPolicy', 'postgres').spec.ingress[1].from).toEqual([{
        podSelector: { matchLabels: { app: 'reports' } },
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'analytics' } },
      }]);
    });
  });

  describe('validation', () => {
    const cases: Array<[string, Partial<SharedPostgresProps>, RegExp]> = [
      ['throws when the cpu limit is below the request', { cpuRequest: '1', cpuLimit: '500m' }, /SharedPostgres: cpuLimit must be at least cpuRequest \(got cpuLimit "500m" below cpuRequest "1"\)/],
      ['throws when the memory limit is below the request', { memoryRequest: '1Gi', memoryLimit: '512Mi' }, /SharedPostgres: memoryLimit must be at least memoryRequest/],
      ['throws on a storage size in Gb', { storageSize: '10Gb' }, /SharedPostgres: storageSize must be a Kubernetes quantity such as "10Gi" \(got "10Gb"\).*Gi, not Gb/],
      ['throws on a negative quantity', { memoryRequest: '-1' }, /SharedPostgres: memoryRequest must be a Kubernetes quantity such as "256Mi" \(got "-1"\)/],
      ['throws on a quantity that is not a number', { cpuLimit: 'abc' }, /SharedPostgres: cpuLimit must be a Kubernetes quantity such as "250m" \(got "abc"\)/],
      ['throws on a storage size below 1Mi', { storageSize: '100k' }, /SharedPostgres: storageSize must be at least 1048576 base units \(got "100k"\)/],
      ['throws on an image reference with a space', { image: 'postgres 15' }, /SharedPostgres: image must be a container image reference such as "postgres:15-alpine" \(got "postgres 15"\)/],
      ['throws on an unpinned image', { image: 'postgres:latest' }, /SharedPostgres: image must be pinned to a version \(got "postgres:latest"\)/],
      ['throws on a namespace that is not DNS-1123', { namespace: 'Production_1' }, /SharedPostgres: namespace must be a DNS-1123 label.*\(got "Production_1"\)/],
      ['throws on a service name longer than 63 characters', { serviceName: 'a'.repeat(64) }, /SharedPostgres: serviceName must be a DNS-1035 label.*at most 63 characters \(got "a{64}"\)/],
      ['throws on a service name starting with a digit', { serviceName: '1db' }, /SharedPostgres: serviceName must be a DNS-1035 label/],
      ['throws on a name longer than 39 characters', { name: 'p'.repeat(40) }, /SharedPostgres: name must be at most 39 characters \(got "p{40}", 40\)/],
      ['throws on a StatefulSet name starting with a digit (its pods get DNS names, like a Service)', { name: '9db' }, /SharedPostgres: name must be a DNS-1035 label.*\(got "9db"\)/],
      ['throws when the service name clashes with the headless Service', { serviceName: 'postgres-headless' }, /SharedPostgres: serviceName must differ from the headless Service "postgres-headless"/],
      ['throws on a cluster domain that is not a DNS subdomain', { clusterDomain: 'Corp_Example' }, /SharedPostgres: clusterDomain must be the cluster's DNS domain.*\(got "Corp_Example"\)/],
      ['throws on max_connections out of range', { maxConnections: 5 }, /SharedPostgres: maxConnections must be a whole number from 10 to 10000 \(got 5\)/],
      ['throws on a setting name that is not a parameter', { settings: { 'bad key': '1' } }, /SharedPostgres: settings keys must be PostgreSQL parameter names such as 'shared_buffers' \(got "bad key"\)/],
      ['throws on a multi-line setting value', { settings: { work_mem: '4MB\nssl=off' } }, /SharedPostgres: settings.work_mem must be a single line/],
      ['throws on max_connections in settings', { settings: { max_connections: '200' } }, /SharedPostgres: settings must not contain max_connections \(got "200"\). Use the maxConnections prop/],
      ['throws on a superuser name starting with pg_', { superuser: 'pg_admin' }, /SharedPostgres: superuser must not start with 'pg_' \(got "pg_admin"\)/],
      ['throws on a superuser name that is not an identifier', { superuser: 'admin-user' }, /SharedPostgres: superuser must be a PostgreSQL identifier/],
      ['throws on a TLS Secret name that is not a DNS subdomain', { tlsSecretName: 'TLS' }, /SharedPostgres: tlsSecretName must be a DNS-1123 subdomain.*\(got "TLS"\)/],
      ['throws on a storage class name with upper case', { storageClassName: 'GP3' }, /SharedPostgres: storageClassName must be a DNS-1123 subdomain/],
      ['throws on a backup schedule that is not cron', { backup: { schedule: 'every day' } }, /PostgresBackup: schedule must be a cron schedule with five fields.*\(got "every day"\)/],
      ['throws on a backup retention of 0', { backup: { retain: 0 } }, /PostgresBackup: retain must be a whole number from 1 to 365 \(got 0\)/],
      ['throws on PgBouncer replicas out of range', { pgBouncer: { replicas: 0 } }, /PgBouncer: replicas must be a whole number from 1 to 10 \(got 0\)/],
      ['throws once, listing every problem', { maxConnections: 5, image: 'postgres', storageSize: '1x' }, /^SharedPostgres: image .*\(and 2 more: storageSize .* maxConnections /],
    ];
    test.each(cases)('%s', (_name, props, message) => {
      expect(() => make(props)).toThrow(message);
    });

    test('throws when an app is added twice', () => {
      chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
      const db = make();
      db.addApp('example_app');
      expect(() => db.addApp('example_app')).toThrow(/SharedPostgres: addApp was called twice for app "example_app" in namespace "production"/);
    });

    test('throws when two apps would share a database', () => {
      chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
      const db = make();
      db.addApp('shop');
      expect(() => db.addApp('shop2', { databaseName: 'shop_db' })).toThrow(/SharedPostgres: addApp "shop2" databaseName "shop_db" is already used by app "shop"/);
    });

    test('throws when the chart namespace differs', () => {
      chart = new Chart(Testing.app(), 'test', { namespace: 'stage' });
      expect(() => make()).toThrow(/SharedPostgres: namespace must match the namespace of its chart \(got namespace "production" in a chart with namespace "stage"\)/);
    });

    test('throws on viaPgBouncer without PgBouncer', () => {
      chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
      expect(() => make().addApp('example_app', { viaPgBouncer: true })).toThrow(/SharedPostgres: addApp option viaPgBouncer needs the pgBouncer prop/);
    });

    test('throws on a reserved database name (the shared name validators)', () => {
      chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
      expect(() => make().addApp('example_app', { databaseName: 'template1' })).toThrow(/databaseName must not be a reserved database \(got "template1"\)/);
    });

    test('throws on an app name that would inject SQL (the shared name validators)', () => {
      chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
      expect(() => make().addApp('app"; DROP DATABASE x; --')).toThrow(/^SharedPostgres: appName must be 1-46 lower-case letters/);
    });

    test('throws on allowClient with empty labels', () => {
      expect(() => make().allowClient({}, 'production')).toThrow(/DatabaseNetworkPolicy: allowClient podLabels must not be empty \(got \{\}\)/);
    });

    test('throws on allowClient with a namespace that is not a DNS label', () => {
      expect(() => make().allowClient({ app: 'x' }, 'Prod')).toThrow(/DatabaseNetworkPolicy: allowClient namespace must be a DNS-1123 label/);
    });

    test('throws when an app would take the superuser\'s Secret or role', () => {
      chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
      const db = make({ pgBouncer: {} });
      expect(() => db.addApp('x', { secretName: 'postgres-superuser' })).toThrow(/SharedPostgres: secretName "postgres-superuser" is a Secret of the server itself/);
      expect(() => db.addApp('y', { secretName: 'postgres-pgbouncer-auth' })).toThrow(/secretName "postgres-pgbouncer-auth" is a Secret of the server itself/);
      expect(() => db.addApp('z', { username: 'pgbouncer_auth' })).toThrow(/SharedPostgres: username "pgbouncer_auth" is a role of the server itself/);
    });

    test('throws on a rotation interval under a day and a rotation schedule that is not cron, in one message', () => {
      chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
      expect(() => make().addApp('x', { rotation: { interval: Duration.hours(1), schedule: 'daily' } })).toThrow(
        /SharedPostgres: rotation.interval must be whole seconds from 86400 to 86400000 \(got 3600 s\).*\(and 1 more: rotation.schedule must be a cron schedule/,
      );
    });

    test('throws on a rotating app whose username ends with _clone', () => {
      chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
      expect(() => make().addApp('x', { username: 'x_clone', rotation: {} })).toThrow(/SharedPostgres: username must not end with '_clone' \(got "x_clone"\)/);
    });

    test('throws when a rotating app\'s clone would be another app\'s login, either way round', () => {
      chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
      const db = make();
      db.addApp('other', { username: 'shop_user_clone' });
      expect(() => db.addApp('shop', { rotation: {} })).toThrow(/SharedPostgres: addApp "shop" would rotate with the login "shop_user_clone", already used by app "other"/);
      db.addApp('rotating', { rotation: {} });
      expect(() => db.addApp('late', { username: 'rotating_user_clone' })).toThrow(/SharedPostgres: addApp "late" username "rotating_user_clone" is the rotation login of app "rotating"/);
    });

    test('throws when a rotating app\'s clone would be a role of the server', () => {
      chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
      expect(() => make({ superuser: 'admin_clone' }).addApp('x', { username: 'admin', rotation: {} }))
        .toThrow(/SharedPostgres: username "admin" would rotate with "admin_clone", a role of the server itself/);
    });

    test('throws on app pod labels that are not labels', () => {
      chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
      expect(() => make().addApp('x', { podLabels: { app: 'has space' } })).toThrow(/SharedPostgres: podLabels value "has space"/);
    });

    test('throws on a connection limit below -1 (from the init Job)', () => {
      chart = new Chart(Testing.app(), 'test', { namespace: 'production' });
      expect(() => make().addApp('x', { connectionLimit: -2 })).toThrow(/DatabaseInitJob: connectionLimit must be a whole number from -1 to 2147483647/);
    });

    test('throws on restoreJob with both or neither of appName and databaseName', () => {
      const db = make();
      expect(() => db.restoreJob(chart, 'R', {})).toThrow(/SharedPostgres: restoreJob needs exactly one of appName and databaseName \(got neither\)/);
      expect(() => db.restoreJob(chart, 'R', { appName: 'a', databaseName: 'b' })).toThrow(/restoreJob needs exactly one of appName and databaseName \(got both\)/);
    });

    test('throws on restoreJob for an app that was not added', () => {
      expect(() => make().restoreJob(chart, 'R', { appName: 'shop' })).toThrow(/SharedPostgres: restoreJob appName must be an app added with addApp \(got "shop"; apps: none\)/);
    });

    test('throws on restoreJob without backups', () => {
      const db = make({ backupEnabled: false });
      expect(() => db.restoreJob(chart, 'R', { databaseName: 'x_db' })).toThrow(/SharedPostgres: restoreJob needs backups \(got backupEnabled: false\)/);
    });
  });

  describe('a full chart', () => {
    function fullChart(): Chart {
      const c = new Chart(Testing.app(), 'full', { namespace: 'production' });
      const db = new SharedPostgres(c, 'Db', { namespace: 'production', tlsSecretName: 'postgres-tls', pgBouncer: {}, storageClassName: 'standard' });
      db.addApp('example_app');
      db.addApp('another_app', { connectionLimit: 20 });
      db.addApp('third_app', { viaPgBouncer: true });
      return c;
    }

    test('passes the Kubernetes 1.28 schema check and the secret scan', () => {
      const c = fullChart();
      expectK8sValid(c);
      expectNoSecrets([{ label: 'full chart', text: YAML.stringify(c.toJson()) }]);
    });

    test('synthesizes the same bytes twice', () => {
      const a = YAML.stringify(fullChart().toJson());
      const b = YAML.stringify(fullChart().toJson());
      expect(a).toBe(b);
    });
  });

  describe('example', () => {
    test('synthesizes deterministically, valid and without secrets, matching the snapshot', () => {
      const dirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'shared-postgres-')));
      const texts = dirs.map((dir) => {
        build(dir).k8s!.synth();
        return fs.readdirSync(dir).sort().map((f) => `---\n# ${f}\n${fs.readFileSync(path.join(dir, f), 'utf-8')}`).join('\n');
      });
      expect(texts[0]).toBe(texts[1]);
      expectK8sValid(texts[0], { customResources: { ...PROMETHEUS_OPERATOR_SCHEMA, ...CUSTOM_RESOURCE_SCHEMAS } });
      expectNoSecrets(dirs[0]);
      expect(texts[0]).toMatchSnapshot();
      dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
    });
  });
});
