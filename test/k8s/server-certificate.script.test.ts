import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { SharedPostgres } from '../../src/k8s/shared-postgres';
import { SharedPostgresTls } from '../../src/k8s/shared-postgres-tls';
import { FakeKubectl, makeFakeKubectl, toolOrSkip } from '../harness';

/**
 * The server-certificate script exactly as synthesized into the Job (and the renewal CronJob), run
 * with Debian's openssl and a fake kubectl that keeps the Secrets and the ConfigMap.
 */

function synthesized(props: { pgBouncer?: boolean; certificateDays?: number } = {}): { job: any; cronJob: any; role: any } {
  const chart = Testing.chart();
  new SharedPostgres(chart, 'Db', {
    namespace: 'stage',
    pgBouncer: props.pgBouncer ? {} : undefined,
    tls: SharedPostgresTls.selfSigned({ certificateDays: props.certificateDays }),
  });
  const m = chart.toJson();
  return {
    job: m.find((o: any) => o.kind === 'Job' && o.metadata.name.startsWith('postgres-tls-')),
    cronJob: m.find((o: any) => o.kind === 'CronJob' && o.metadata.name === 'postgres-tls-renew'),
    role: m.find((o: any) => o.kind === 'Role' && o.metadata.name === 'postgres-tls'),
  };
}

const scriptOf = (job: any): string => job.spec.template.spec.containers[0].command[2];

function run(k: FakeKubectl, script: string) {
  return spawnSync('/bin/sh', ['-c', script], { encoding: 'utf-8', env: k.env({ POD_NAMESPACE: 'stage', HOME: k.dir }) });
}

/** The certificate's subject alternative names and end date, as openssl reads them. */
function inspect(k: FakeKubectl, pem: string): { san: string; notAfter: Date; issuer: string } {
  const file = path.join(k.dir, 'inspect.crt');
  fs.writeFileSync(file, pem);
  const text = (args: string[]) => execFileSync('openssl', ['x509', '-in', file, '-noout', ...args], { encoding: 'utf-8' });
  return {
    san: text(['-ext', 'subjectAltName']).split('\n')[1].trim(),
    notAfter: new Date(text(['-enddate']).trim().replace('notAfter=', '')),
    issuer: text(['-issuer']).trim(),
  };
}

describe('server-certificate script (self-signed TLS) with openssl and a fake kubectl', () => {
  let k: FakeKubectl;
  const ready = toolOrSkip('openssl');
  beforeEach(() => {
    k = makeFakeKubectl();
    k.put('secret', 'postgres-tls', {});
    k.put('secret', 'postgres-tls-ca', {});
    k.put('configmap', 'postgres-ca', {});
  });
  afterEach(() => k.remove());

  test('the Job and the renewal CronJob run the same pod, as a ServiceAccount that may only get and patch the three objects', () => {
    const { job, cronJob, role } = synthesized();
    expect(cronJob.spec.jobTemplate.spec.template).toEqual(job.spec.template);
    expect(cronJob.spec.schedule).toBe('17 4 * * 1');
    expect(job.spec.template.spec.containers[0].image).toBe('bitnamilegacy/kubectl:1.28.15');
    expect(job.spec.template.spec.volumes).toEqual([{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } }]);
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['postgres-tls', 'postgres-tls-ca'], verbs: ['get', 'patch'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['postgres-ca'], verbs: ['get', 'patch'] },
    ]);
  });

  test('makes a CA, a server certificate it signs for the Service names, and publishes the CA certificate; a second run changes nothing', () => {
    if (!ready) return;
    const script = scriptOf(synthesized().job);
    const first = run(k, script);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/made a new CA/);
    expect(first.stdout).toMatch(/issued a server certificate for 365 days into Secret postgres-tls, since there is none yet/);

    const caCrt = k.secretValue('postgres-tls-ca', 'ca.crt')!;
    expect(k.secretValue('postgres-tls', 'ca.crt')).toBe(caCrt);
    expect(k.get('configmap', 'postgres-ca')!.data!['ca.crt']).toBe(caCrt);
    const cert = inspect(k, k.secretValue('postgres-tls', 'tls.crt')!);
    expect(cert.san).toBe([
      'postgres-service.stage.svc.cluster.local', 'postgres-service.stage.svc', 'postgres-service.stage', 'postgres-service',
      'postgres-headless.stage.svc.cluster.local', 'postgres-headless.stage.svc', 'postgres-headless.stage', 'postgres-headless',
      'postgres-0.postgres-headless.stage.svc.cluster.local',
    ].map((n) => `DNS:${n}`).join(', '));
    expect(cert.issuer).toBe('issuer=CN = postgres PostgreSQL CA (stage)');
    // The key the server gets matches its certificate.
    fs.writeFileSync(path.join(k.dir, 'k.key'), k.secretValue('postgres-tls', 'tls.key')!);
    fs.writeFileSync(path.join(k.dir, 'k.crt'), k.secretValue('postgres-tls', 'tls.crt')!);
    const pub = (args: string[]) => execFileSync('openssl', args, { encoding: 'utf-8' });
    expect(pub(['pkey', '-in', path.join(k.dir, 'k.key'), '-pubout'])).toBe(pub(['x509', '-in', path.join(k.dir, 'k.crt'), '-noout', '-pubkey']));
    // No key material on standard output.
    expect(first.stdout).not.toMatch(/PRIVATE|BEGIN/);

    const tlsVersion = k.get('secret', 'postgres-tls')!.metadata.resourceVersion;
    const second = run(k, script);
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/keeping the CA/);
    expect(second.stdout).toMatch(/keeping the server certificate/);
    expect(k.calls().filter((c) => c.startsWith('patch'))).toHaveLength(3);
    expect(k.get('secret', 'postgres-tls')!.metadata.resourceVersion).toBe(tlsVersion);
  });

  test('issues a new certificate, with the same CA, when the current one expires within renewBeforeDays', () => {
    if (!ready) return;
    const script = scriptOf(synthesized().job);
    run(k, script);
    const caBefore = k.secretValue('postgres-tls-ca', 'ca.crt');
    // GIVEN a certificate from the same CA that ends in 2 days
    const dir = k.dir;
    fs.writeFileSync(path.join(dir, 'ca.crt'), caBefore!);
    fs.writeFileSync(path.join(dir, 'ca.key'), k.secretValue('postgres-tls-ca', 'ca.key')!);
    execFileSync('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'old.key', '-out', 'old.csr', '-subj', '/CN=old'], { cwd: dir, stdio: 'ignore' });
    execFileSync('openssl', ['x509', '-req', '-in', 'old.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', 'old.crt'], { cwd: dir, stdio: 'ignore' });
    const old = fs.readFileSync(path.join(dir, 'old.crt'));
    k.put('secret', 'postgres-tls', { data: { 'tls.crt': old.toString('base64'), 'tls.key': 'eA==' } });

    // WHEN the renewal runs
    const res = run(k, script);

    // THEN a new certificate of a year replaces it, signed by the kept CA
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/since it expires within 30 days/);
    expect(k.secretValue('postgres-tls-ca', 'ca.crt')).toBe(caBefore);
    const renewed = inspect(k, k.secretValue('postgres-tls', 'tls.crt')!);
    expect(renewed.notAfter.getTime() - Date.now()).toBeGreaterThan(360 * 86400_000);
  });

  test('issues a new certificate when the names change (PgBouncer added)', () => {
    if (!ready) return;
    run(k, scriptOf(synthesized().job));
    const res = run(k, scriptOf(synthesized({ pgBouncer: true }).job));
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/since it names other hosts/);
    expect(inspect(k, k.secretValue('postgres-tls', 'tls.crt')!).san).toContain('DNS:pgbouncer.stage.svc.cluster.local');
  });

  test('a run that lost a race (the Secret changed since it read it) fails, and the retry keeps the winner', () => {
    if (!ready) return;
    const script = scriptOf(synthesized().job);
    // GIVEN the CA Secret is patched by someone else between the read and the patch (a fake that bumps the version on get)
    const wrapper = path.join(k.dir, 'kubectl-racy');
    fs.renameSync(path.join(k.dir, 'kubectl'), wrapper);
    fs.writeFileSync(path.join(k.dir, 'kubectl'), [
      '#!/bin/sh',
      'out=$("$(dirname "$0")/kubectl-racy" "$@")',
      'status=$?',
      'if [ "$1" = get ] && [ "$3" = postgres-tls-ca ] && [ ! -e "$FAKE_KUBECTL_DIR/raced" ]; then',
      '  touch "$FAKE_KUBECTL_DIR/raced"',
      '  "$(dirname "$0")/kubectl-racy" patch secret postgres-tls-ca --namespace=x --type=merge -p \'{"metadata":{"labels":{"x":"y"}}}\' >/dev/null',
      'fi',
      'printf "%s" "$out"',
      'exit $status',
      '',
    ].join('\n'), { mode: 0o755 });

    const lost = run(k, script);
    expect(lost.status).not.toBe(0);
    expect(lost.stderr).toMatch(/Conflict/);
    expect(k.secretValue('postgres-tls-ca', 'ca.crt')).toBeUndefined();
    const retry = run(k, script);
    expect(retry.status).toBe(0);
    expect(k.secretValue('postgres-tls-ca', 'ca.crt')).toMatch(/BEGIN CERTIFICATE/);
  });

  test('fails without POD_NAMESPACE and calls nothing', () => {
    const res = spawnSync('/bin/sh', ['-c', scriptOf(synthesized().job)], { encoding: 'utf-8', env: k.env() });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/POD_NAMESPACE must name the namespace/);
    expect(k.calls()).toEqual([]);
  });
});
