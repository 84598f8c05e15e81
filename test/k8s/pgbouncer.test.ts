import { Chart, Testing } from 'cdk8s';
import { PgBouncer, PgBouncerProps } from '../../src/k8s/pgbouncer';
import { pgBouncerAuthSetupScript } from '../../src/k8s/private/pgbouncer-config';
import { expectK8sValid, expectNoSecrets, usePostgres } from '../harness';

const BASE: PgBouncerProps = {
  namespace: 'production',
  databaseHost: 'postgres-service.production.svc.cluster.local',
  superuserSecretName: 'postgres-superuser',
  authSecretName: 'postgres-pgbouncer-auth',
};

function find(chart: Chart, kind: string): any[] {
  return chart.toJson().filter((m: any) => m.kind === kind);
}

function iniOf(chart: Chart): string {
  return find(chart, 'ConfigMap')[0].data['pgbouncer.ini'];
}

describe('PgBouncer', () => {
  let chart: Chart;
  beforeEach(() => {
    chart = Testing.chart();
  });

  test('pools in transaction mode with max_client_conn 1000 and default_pool_size 25', () => {
    new PgBouncer(chart, 'Pool', BASE);
    const ini = iniOf(chart);
    expect(ini).toContain('pool_mode = transaction\n');
    expect(ini).toContain('max_client_conn = 1000\n');
    expect(ini).toContain('default_pool_size = 25\n');
    expect(ini).toContain('* = host=postgres-service.production.svc.cluster.local port=5432\n');
  });

  test('looks users up with auth_query as pgbouncer_auth, whose password comes from a Secret through an init container', () => {
    new PgBouncer(chart, 'Pool', BASE);
    const ini = iniOf(chart);
    expect(ini).toContain('auth_type = scram-sha-256\n');
    expect(ini).toContain('auth_user = pgbouncer_auth\n');
    expect(ini).toContain('auth_query = SELECT usename, passwd FROM pgbouncer.get_auth($1)\n');
    const pod = find(chart, 'Deployment')[0].spec.template.spec;
    expect(pod.initContainers[0].env).toContainEqual({ name: 'AUTH_PASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-pgbouncer-auth', key: 'password' } } });
    expect(pod.volumes).toContainEqual({ name: 'auth', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
  });

  test('uses the pinned edoburu/pgbouncer:v1.23.1-p3 image, 2 replicas, and a Service on 5432', () => {
    const pool = new PgBouncer(chart, 'Pool', BASE);
    const dep = find(chart, 'Deployment')[0];
    expect(dep.spec.replicas).toBe(2);
    expect(dep.spec.template.spec.containers[0].image).toBe('edoburu/pgbouncer:v1.23.1-p3');
    expect(find(chart, 'Service')[0].spec.ports).toEqual([{ name: 'postgres', port: 5432, targetPort: 'pgbouncer' }]);
    expect(pool.host).toBe('pgbouncer.production.svc.cluster.local');
  });

  test('runs non-root with a read-only root file system', () => {
    new PgBouncer(chart, 'Pool', BASE);
    const pod = find(chart, 'Deployment')[0].spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 70, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  test('with a TLS Secret it requires TLS from clients and to the server', () => {
    new PgBouncer(chart, 'Pool', { ...BASE, tlsSecretName: 'postgres-tls' });
    const ini = iniOf(chart);
    expect(ini).toContain('client_tls_sslmode = require\n');
    expect(ini).toContain('server_tls_sslmode = require\n');
  });

  test('without TLS it prefers TLS to the server and offers none to clients', () => {
    new PgBouncer(chart, 'Pool', BASE);
    const ini = iniOf(chart);
    expect(ini).toContain('server_tls_sslmode = prefer\n');
    expect(ini).not.toContain('client_tls_sslmode');
  });

  test('is valid Kubernetes 1.28 and holds no secret', () => {
    new PgBouncer(chart, 'Pool', BASE);
    expectK8sValid(chart);
    expectNoSecrets([{ label: 'pgbouncer', text: JSON.stringify(chart.toJson()) }]);
  });

  test('names its ConfigMap and setup Job after their content', () => {
    new PgBouncer(chart, 'Pool', BASE);
    const other = Testing.chart();
    new PgBouncer(other, 'Pool', { ...BASE, defaultPoolSize: 10 });
    expect(find(chart, 'ConfigMap')[0].metadata.name).toMatch(/^pgbouncer-config-[0-9a-f]{10}$/);
    expect(find(chart, 'ConfigMap')[0].metadata.name).not.toBe(find(other, 'ConfigMap')[0].metadata.name);
    expect(find(chart, 'Job')[0].metadata.name).toMatch(/^pgbouncer-auth-setup-[0-9a-f]{8}$/);
  });

  test.each<[string, Partial<PgBouncerProps>, RegExp]>([
    ['throws on replicas above 10', { replicas: 11 }, /PgBouncer: replicas must be an integer from 1 to 10 \(got 11\)/],
    ['throws on max_client_conn of 0', { maxClientConn: 0 }, /PgBouncer: maxClientConn must be an integer from 1 to 100000 \(got 0\)/],
    ['throws on a fractional pool size', { defaultPoolSize: 2.5 }, /PgBouncer: defaultPoolSize must be an integer from 1 to 10000 \(got 2.5\)/],
    ['throws on an untagged image', { image: 'edoburu/pgbouncer' }, /PgBouncer: image must be pinned to a version \(got 'edoburu\/pgbouncer'\)/],
    ['throws on a bad service name', { serviceName: 'PgBouncer' }, /PgBouncer: serviceName must be a DNS-1123 label \(got 'PgBouncer'\)/],
    ['throws on an auth user that is not an identifier', { authUser: 'auth-user' }, /PgBouncer: authUser must be a lower-case PostgreSQL identifier .* \(got 'auth-user'\)/],
  ])('%s', (_name, props, message) => {
    expect(() => new PgBouncer(chart, 'Pool', { ...BASE, ...props })).toThrow(message);
  });
});

describe('PgBouncer auth setup against a real PostgreSQL 15', () => {
  const pg = usePostgres();

  function setup(authPassword: string) {
    const chart = Testing.chart();
    new PgBouncer(chart, 'Pool', BASE);
    const c = find(chart, 'Job')[0].spec.template.spec.containers[0];
    expect(c.command[2]).toBe(pgBouncerAuthSetupScript());
    const env: Record<string, string> = {};
    for (const e of c.env) if (e.value !== undefined) env[e.name] = e.value;
    return pg.shell(c.command[2], {
      ...env,
      PGHOST: pg.host,
      PGPORT: String(pg.port),
      PGUSER: pg.superuser,
      PGPASSWORD: pg.superuserPassword,
      PGSSLMODE: 'disable',
      AUTH_PASSWORD: authPassword,
    });
  }

  test('creates the auth role and a lookup function that returns app users but no superuser, twice without change', () => {
    if (!pg.available) return;
    pg.psql("CREATE ROLE app_user LOGIN PASSWORD 'AppUserPassw0rd'");
    const first = setup('FirstAuthPassw0rd123');
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const hash = pg.psql("SELECT rolpassword FROM pg_authid WHERE rolname = 'pgbouncer_auth'").stdout.trim();
    const second = setup('SecondAuthPassw0rd456');
    expect(second.status).toBe(0);
    expect(pg.psql("SELECT rolpassword FROM pg_authid WHERE rolname = 'pgbouncer_auth'").stdout.trim()).toBe(hash);

    const as = { user: 'pgbouncer_auth', password: 'FirstAuthPassw0rd123', database: 'postgres' };
    const app = pg.psql("SELECT usename, passwd FROM pgbouncer.get_auth('app_user')", as);
    expect(app.stderr).toBe('');
    expect(app.stdout.trim()).toMatch(/^app_user\|SCRAM-SHA-256\$/);
    expect(pg.psql(`SELECT count(*) FROM pgbouncer.get_auth('${pg.superuser}')`, as).stdout.trim()).toBe('0');
    const outsider = pg.psql("SELECT * FROM pgbouncer.get_auth('app_user')", { user: 'app_user', password: 'AppUserPassw0rd', database: 'postgres' });
    expect(outsider.status).not.toBe(0);
    expect(outsider.stderr).toMatch(/permission denied for schema pgbouncer/);
  });
});
