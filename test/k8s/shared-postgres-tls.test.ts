import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { SslMode } from '../../src/core';
import { SharedPostgres } from '../../src/k8s/shared-postgres';
import { SharedPostgresProps } from '../../src/k8s/shared-postgres-props';
import { SharedPostgresTls } from '../../src/k8s/shared-postgres-tls';
import { CERT_MANAGER_SCHEMA, expectK8sValid, expectNoSecrets, validateCertificate } from '../harness';

function find(manifests: any[], kind: string, name?: string): any {
  const found = manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length}`);
  return found[0];
}

describe('SharedPostgres TLS', () => {
  let chart: Chart;
  beforeEach(() => {
    chart = Testing.chart();
  });
  const make = (props: Partial<SharedPostgresProps> = {}) => new SharedPostgres(chart, 'Db', { namespace: 'production', ...props });

  describe('default: a self-signed certificate made in the cluster', () => {
    test('turns TLS on, apps default to sslmode require, and the CA is published for verify-full', () => {
      // GIVEN / WHEN
      const db = make();
      const app = db.addApp('example_app');
      const m = chart.toJson();
      // THEN
      expect(db.tlsEnabled).toBe(true);
      expect(db.defaultSslMode).toBe(SslMode.REQUIRE);
      expect(find(m, 'Secret', 'example-app-db-secret').stringData.DB_SSL_MODE).toBe('require');
      expect(app.secret.connection.url('x')).toContain('sslmode=require');
      expect(db.caBundle?.path).toBe('/etc/db-ca/ca.crt');
      expect(db.tlsSecretName).toBe('postgres-tls');
    });

    test('the Secrets and the CA ConfigMap are in the manifest without data, so no key is ever synthesized and re-applying keeps them', () => {
      make();
      const m = chart.toJson();
      for (const name of ['postgres-tls', 'postgres-tls-ca']) {
        const secret = find(m, 'Secret', name);
        expect([secret.type, secret.data, secret.stringData]).toEqual(['Opaque', undefined, undefined]);
      }
      expect(find(m, 'ConfigMap', 'postgres-ca').data).toBeUndefined();
      expectNoSecrets([{ label: 'chart', text: JSON.stringify(m) }]);
    });

    test('the server pod copies the key in an init container and runs a reload sidecar with the superuser over the socket', () => {
      make();
      const pod = find(chart.toJson(), 'StatefulSet').spec.template.spec;
      expect(pod.initContainers.map((c: any) => c.name)).toEqual(['tls-key']);
      const sidecar = pod.containers.find((c: any) => c.name === 'tls-reload');
      expect(sidecar.image).toBe('postgres:15-alpine');
      expect(sidecar.command[2]).toContain("psql -X -q -A -t -v ON_ERROR_STOP=1 -c 'SELECT pg_reload_conf()'");
      expect(sidecar.command[2]).toContain('sleep 30');
      expect(sidecar.env).toEqual([
        { name: 'PGHOST', value: '/var/run/postgresql' },
        { name: 'PGDATABASE', value: 'postgres' },
        { name: 'PGUSER', valueFrom: { secretKeyRef: { name: 'postgres-superuser', key: 'POSTGRES_USER' } } },
        { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-superuser', key: 'POSTGRES_PASSWORD' } } },
      ]);
      expect(sidecar.volumeMounts).toEqual([
        { name: 'tls-source', mountPath: '/tls-source', readOnly: true },
        { name: 'tls', mountPath: '/var/lib/postgresql/tls' },
        { name: 'run', mountPath: '/var/run/postgresql' },
      ]);
    });

    test('an app asking for verify-full gets the CA path in DATABASE_URL and mounts the CA ConfigMap', () => {
      const db = make();
      const app = db.addApp('strict', { sslMode: SslMode.VERIFY_FULL });
      const deployment = new kplus.Deployment(chart, 'App', { containers: [{ image: 'ghcr.io/example/app:1.0.0' }] });
      db.caBundle!.mountInto(deployment.containers[0]);
      const m = chart.toJson();
      expect(app.secret.connection.url('x')).toContain('sslmode=verify-full&sslrootcert=%2Fetc%2Fdb-ca%2Fca.crt');
      const spec = find(m, 'Deployment').spec.template.spec;
      expect(spec.volumes).toContainEqual({ name: 'db-ca', configMap: { name: 'postgres-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }], optional: false } });
      expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'db-ca', mountPath: '/etc/db-ca', readOnly: true });
    });

    test('the platform Jobs (init, backup) connect with sslmode require', () => {
      const db = make();
      db.addApp('example_app', { sslMode: SslMode.PREFER });
      const m = chart.toJson();
      const init = m.find((o: any) => o.kind === 'Job' && o.metadata.name.startsWith('postgres-apps-init-'));
      expect(init.spec.template.spec.containers[0].env).toContainEqual({ name: 'PGSSLMODE', value: 'require' });
      expect(find(m, 'CronJob', 'postgres-backup').spec.jobTemplate.spec.template.spec.containers[0].env).toContainEqual({ name: 'PGSSLMODE', value: 'require' });
    });

    test('options set the image, schedule and lifetimes', () => {
      make({ tls: SharedPostgresTls.selfSigned({ image: 'registry.example.com/tools/kubectl-openssl:1.30.2', renewSchedule: '0 2 * * *', certificateDays: 90, renewBeforeDays: 20 }) });
      const m = chart.toJson();
      const cron = find(m, 'CronJob', 'postgres-tls-renew');
      expect(cron.spec.schedule).toBe('0 2 * * *');
      const container = cron.spec.jobTemplate.spec.template.spec.containers[0];
      expect(container.image).toBe('registry.example.com/tools/kubectl-openssl:1.30.2');
      expect(container.command[2]).toContain('-days 90 ');
      expect(container.command[2]).toContain(`renew_seconds=${20 * 86400}`);
    });

    test('passes the Kubernetes 1.28 schema check', () => {
      make({ pgBouncer: {} }).addApp('example_app');
      expectK8sValid(chart);
    });
  });

  describe('cert-manager', () => {
    test('emits a Certificate for the Service names into <name>-tls, valid against the cert-manager schema, and no certificate Job', () => {
      // GIVEN / WHEN
      const db = make({ tls: SharedPostgresTls.certManager({ issuerName: 'platform-ca' }), pgBouncer: {} });
      const m = chart.toJson();
      // THEN
      const cert = find(m, 'Certificate', 'postgres-tls');
      expect(validateCertificate(cert)).toEqual([]);
      expect(cert.apiVersion).toBe('cert-manager.io/v1');
      expect(cert.spec).toMatchObject({
        secretName: 'postgres-tls',
        commonName: 'postgres-service.production.svc.cluster.local',
        duration: '2160h',
        renewBefore: '360h',
        issuerRef: { name: 'platform-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      });
      expect(cert.spec.dnsNames).toContain('pgbouncer.production.svc.cluster.local');
      expect(m.filter((o: any) => o.kind === 'Job' && o.metadata.name.startsWith('postgres-tls-'))).toEqual([]);
      expect(m.filter((o: any) => o.kind === 'Secret' && o.metadata.name === 'postgres-tls')).toEqual([]);
      expect(find(m, 'StatefulSet').spec.template.spec.volumes).toContainEqual({ name: 'tls-source', secret: { secretName: 'postgres-tls', defaultMode: 0o440 } });
      // Apps that verify the server read the CA from the Secret's ca.crt only.
      expect(db.caBundle?.path).toBe('/etc/db-ca/ca.crt');
      expectK8sValid(chart, { customResources: CERT_MANAGER_SCHEMA });
    });

    test('the schema check catches an unknown field and a missing required one (the validator can fail)', () => {
      make({ tls: SharedPostgresTls.certManager({ issuerName: 'platform-ca', issuerKind: 'Issuer' }) });
      const cert = find(chart.toJson(), 'Certificate', 'postgres-tls');
      expect(validateCertificate({ ...cert, spec: { ...cert.spec, dnsName: ['x'] } })).toEqual(['spec.dnsName: unknown field']);
      const { secretName: _, ...withoutSecret } = cert.spec;
      expect(validateCertificate({ ...cert, spec: withoutSecret }).join()).toMatch(/secretName/);
    });
  });

  describe('fromSecret and disabled', () => {
    test('fromSecret mounts your Secret and makes no certificate; the deprecated tlsSecretName does the same', () => {
      const db = make({ tls: SharedPostgresTls.fromSecret('tls.example.com') });
      const m = chart.toJson();
      expect(find(m, 'StatefulSet').spec.template.spec.volumes).toContainEqual({ name: 'tls-source', secret: { secretName: 'tls.example.com', defaultMode: 0o440 } });
      expect(m.filter((o: any) => ['Certificate', 'CronJob'].includes(o.kind) && o.metadata.name.startsWith('postgres-tls'))).toEqual([]);
      expect(db.caBundle).toBeUndefined();
      const other = new SharedPostgres(Testing.chart(), 'Db', { namespace: 'production', tlsSecretName: 'tls.example.com' });
      expect(other.tlsSecretName).toBe('tls.example.com');
    });
  });

  describe('validation', () => {
    const cases: Array<[string, Partial<SharedPostgresProps>, RegExp]> = [
      ['throws when tls and tlsSecretName are both set', { tls: SharedPostgresTls.disabled(), tlsSecretName: 'x' },
        /SharedPostgres: tls and tlsSecretName must not both be set \(got tlsSecretName "x" and tls\)/],
      ['throws on a fromSecret name that is not a DNS subdomain', { tls: SharedPostgresTls.fromSecret('TLS') }, /SharedPostgres: tls secretName must be a DNS-1123 subdomain/],
      ['throws on certificateDays out of range', { tls: SharedPostgresTls.selfSigned({ certificateDays: 3650 }) },
        /SharedPostgres: tls certificateDays must be a whole number from 7 to 825 \(got 3650\)/],
      ['throws when renewBeforeDays is not shorter than certificateDays', { tls: SharedPostgresTls.selfSigned({ certificateDays: 30, renewBeforeDays: 30 }) },
        /SharedPostgres: tls renewBeforeDays must be shorter than certificateDays \(got 30 days for a lifetime of 30 days\)/],
      ['throws on a renewal schedule that is not cron', { tls: SharedPostgresTls.selfSigned({ renewSchedule: 'weekly' }) },
        /SharedPostgres: tls renewSchedule must be a cron schedule with five fields/],
      ['throws on an unpinned certificate image', { tls: SharedPostgresTls.selfSigned({ image: 'bitnami/kubectl:latest' }) },
        /SharedPostgres: tls image must be pinned to a version/],
      ['throws on an issuer kind cert-manager does not have', { tls: SharedPostgresTls.certManager({ issuerName: 'ca', issuerKind: 'CertIssuer' }) },
        /SharedPostgres: tls issuerKind must be 'Issuer' or 'ClusterIssuer' for issuerGroup 'cert-manager.io' \(got "CertIssuer"\)/],
      ['throws on an issuer name that is not a DNS subdomain', { tls: SharedPostgresTls.certManager({ issuerName: 'Platform CA' }) },
        /SharedPostgres: tls issuerName must be a DNS-1123 subdomain/],
      ['throws on a duration in days', { tls: SharedPostgresTls.certManager({ issuerName: 'ca', duration: '90d' }) },
        /SharedPostgres: tls duration must be a duration in hours, minutes or seconds of at least 1h \(got "90d"\). Use e.g. "2160h"/],
      ['throws when renewBefore is not shorter than the duration', { tls: SharedPostgresTls.certManager({ issuerName: 'ca', duration: '24h', renewBefore: '48h' }) },
        /SharedPostgres: tls renewBefore must be shorter than duration \(got 48h for a lifetime of 24h\)/],
    ];
    test.each(cases)('%s', (_name, props, message) => {
      expect(() => make(props)).toThrow(message);
    });

    test('an external issuer may have its own kind in its own group', () => {
      expect(() => make({ tls: SharedPostgresTls.certManager({ issuerName: 'pca', issuerKind: 'AWSPCAClusterIssuer', issuerGroup: 'awspca.cert-manager.io' }) })).not.toThrow();
    });

    test('throws on an app asking for verify-full when the server has no TLS', () => {
      const db = make({ tls: SharedPostgresTls.disabled() });
      expect(() => db.addApp('strict', { sslMode: SslMode.VERIFY_FULL })).toThrow(
        /SharedPostgres: addApp option sslMode "verify-full" needs the CA of the server certificate, which is not known here/);
    });

    test('throws on an app asking for verify-ca with a certificate from a Secret of yours', () => {
      const db = make({ tls: SharedPostgresTls.fromSecret('mine') });
      expect(() => db.addApp('strict', { sslMode: SslMode.VERIFY_CA })).toThrow(/addApp option sslMode "verify-ca" needs the CA/);
    });
  });
});
