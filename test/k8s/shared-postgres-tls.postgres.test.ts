import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { SslMode } from '../../src/core';
import { SharedPostgres } from '../../src/k8s/shared-postgres';
import { FakeKubectl, makeFakeKubectl, toolOrSkip, usePostgres } from '../harness';

/**
 * TLS by default, run for real: the synthesized certificate Job's script makes the CA and the server
 * certificate (Debian's openssl, a fake kubectl keeping the Secrets), the server pod's `tls-key`
 * init container copies them, PostgreSQL 15 starts with exactly the `-c` settings of the manifest,
 * and a client connects with `sslmode=verify-full` against the CA the apps get. Then the CA and
 * certificate are replaced, the `tls-reload` sidecar's script copies the new files and reloads the
 * server, and a client verifying against the new CA connects without a server restart.
 */

const HOST = 'postgres-service.stage.svc.cluster.local';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function synthesized(): { pod: any; certScript: string; appUrl: string } {
  const chart = Testing.chart();
  const db = new SharedPostgres(chart, 'Db', { namespace: 'stage', settings: { work_mem: '8MB' } });
  db.addApp('verifier', { sslMode: SslMode.VERIFY_FULL });
  const m = chart.toJson();
  const job = m.find((o: any) => o.kind === 'Job' && o.metadata.name.startsWith('postgres-tls-'));
  const boot = m.find((o: any) => o.kind === 'Job' && o.metadata.name.startsWith('verifier-db-init-'));
  const suffix = /url_suffix='([^']*)'/.exec(boot.spec.template.spec.containers[0].command[2])![1];
  return {
    pod: m.find((o: any) => o.kind === 'StatefulSet').spec.template.spec,
    certScript: job.spec.template.spec.containers[0].command[2],
    appUrl: suffix,
  };
}

/** Runs a script as the server's user (`postgres`), as the pod's containers run as uid 70. */
function asServerUser(script: string, env: Record<string, string>) {
  const cmd = isRoot ? ['runuser', '-u', 'postgres', '--', '/bin/sh', '-c', script] : ['/bin/sh', '-c', script];
  return spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf-8', env: { ...process.env, ...env }, timeout: 60_000 });
}

describe('SharedPostgres TLS (self-signed, made in the cluster) against a real PostgreSQL 15', () => {
  const { pod, certScript, appUrl } = synthesized();
  const root = fs.mkdtempSync('/tmp/shared-postgres-tls-reload-');
  const secretDir = path.join(root, 'tls-source');
  const tlsDir = path.join(root, 'tls');
  const binDir = path.join(root, 'bin');
  const settings: Record<string, string> = {};
  let k: FakeKubectl;
  let prepared = false;

  const mapPaths = (text: string) => text.split('/tls-source').join(secretDir).split('/var/lib/postgresql/tls').join(tlsDir);

  /** What the kubelet does: the Secret's keys as files, root-owned, group of the server user (fsGroup), mode 0440. */
  function mountSecret(): void {
    for (const key of ['tls.crt', 'tls.key', 'ca.crt']) {
      const file = path.join(secretDir, key);
      fs.rmSync(file, { force: true });
      fs.writeFileSync(file, k.secretValue('postgres-tls', key)!);
      fs.chmodSync(file, 0o440);
      if (isRoot) execFileSync('chown', ['root:postgres', file]);
    }
  }

  /** Runs the certificate Job's script exactly as synthesized. */
  function runCertificateJob(): string {
    const res = spawnSync('/bin/sh', ['-c', certScript], { encoding: 'utf-8', env: k.env({ POD_NAMESPACE: 'stage', HOME: k.dir }) });
    if (res.status !== 0) throw new Error(`certificate script failed: ${res.stderr}`);
    return res.stdout;
  }

  /** The CA certificate apps mount (the ConfigMap's ca.crt), written to a file. */
  function appCa(name: string): string {
    const file = path.join(root, name);
    fs.writeFileSync(file, k.get('configmap', 'postgres-ca')!.data!['ca.crt']);
    return file;
  }

  beforeAll(() => {
    if (!toolOrSkip('postgres') || !toolOrSkip('openssl')) return;
    fs.chmodSync(root, 0o755);
    fs.mkdirSync(secretDir);
    fs.mkdirSync(tlsDir);
    fs.mkdirSync(binDir);
    if (isRoot) execFileSync('chown', ['postgres:postgres', tlsDir]);
    // A `sleep` that ends the reload loop after its first round.
    fs.writeFileSync(path.join(binDir, 'sleep'), '#!/bin/sh\necho "sleep $*"\nexit 42\n', { mode: 0o755 });
    k = makeFakeKubectl();
    k.put('secret', 'postgres-tls', {});
    k.put('secret', 'postgres-tls-ca', {});
    k.put('configmap', 'postgres-ca', {});
    runCertificateJob();
    mountSecret();
    // The init container's script, with the pod's mount paths mapped to the test's directories.
    const init = pod.initContainers.find((c: any) => c.name === 'tls-key');
    const copied = asServerUser(mapPaths(init.command[2]), {});
    if (copied.status !== 0) throw new Error(`tls-key failed: ${copied.stderr}`);
    // The container's `-c key=value` arguments, paths mapped the same way.
    const args: string[] = pod.containers[0].args;
    for (let i = 0; i < args.length; i += 2) {
      const [key, ...rest] = args[i + 1].split('=');
      settings[key] = mapPaths(rest.join('='));
    }
    prepared = true;
  }, 120_000);
  afterAll(() => {
    k?.remove();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const pg = usePostgres({ settings });
  const ready = () => pg.available && prepared;

  /** libpq with `sslmode=verify-full`, the server's DNS name, and the address of the test server. */
  function verifyFull(caFile: string) {
    const url = `postgresql://postgres@${HOST}:${pg.port}/postgres?sslmode=verify-full&sslrootcert=${caFile}&hostaddr=127.0.0.1&connect_timeout=10`;
    return spawnSync('psql', [url, '-X', '-A', '-t', '-c', 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()'], {
      encoding: 'utf-8',
      env: { PATH: process.env.PATH ?? '', PGPASSWORD: pg.superuserPassword },
    });
  }

  test('the server runs with the manifest settings: TLS on, the copied key owned by the server user with mode 0600', () => {
    if (!ready()) return;
    expect(settings.ssl).toBe('on');
    expect(pg.psql("SELECT current_setting('ssl') || '|' || current_setting('work_mem')").stdout.trim()).toBe('on|8MB');
    const st = fs.statSync(path.join(tlsDir, 'tls.key'));
    expect((st.mode % 0o1000).toString(8)).toBe('600');
    if (isRoot) expect(st.uid).toBe(Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf-8' }).trim()));
  });

  test('apps get sslmode=require by default, and verify-full with the CA path when they ask for it', () => {
    if (!ready()) return;
    expect(appUrl).toBe(`@${HOST}:5432/verifier_db?sslmode=verify-full&sslrootcert=%2Fetc%2Fdb-ca%2Fca.crt&connect_timeout=10`);
    expect(pod.containers.map((c: any) => c.name)).toEqual(['postgres', 'tls-reload']);
  });

  test('a client connects with verify-full against the CA apps get; a foreign CA is refused', () => {
    if (!ready()) return;
    const ok = verifyFull(appCa('ca-1.crt'));
    expect(ok.stderr).toBe('');
    expect(ok.stdout.trim()).toBe('t');
    fs.writeFileSync(path.join(root, 'self.crt'), k.secretValue('postgres-tls', 'tls.crt')!);
    const wrong = verifyFull(path.join(root, 'self.crt'));
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/certificate verify failed/);
  });

  test('a new CA and certificate are picked up by the reload sidecar without a server restart', async () => {
    if (!ready()) return;
    const oldCa = appCa('ca-old.crt');
    const startedBefore = pg.psql('SELECT pg_postmaster_start_time()').stdout.trim();
    const reloadScript = mapPaths(pod.containers.find((c: any) => c.name === 'tls-reload').command[2]);

    // A round with nothing new: no copy, no reload.
    const idle = asServerUser(reloadScript, { PATH: `${binDir}:${process.env.PATH}` });
    expect(idle.status).toBe(42);
    expect(idle.stdout).toBe('sleep 30\n');

    // GIVEN a new CA and server certificate (the CA Secret emptied, as when rotating the CA), which the kubelet mounts
    k.put('secret', 'postgres-tls-ca', {});
    expect(runCertificateJob()).toMatch(/made a new CA[\s\S]*since it is not signed by the current CA/);
    mountSecret();
    const newCa = appCa('ca-new.crt');
    expect(fs.readFileSync(newCa, 'utf-8')).not.toBe(fs.readFileSync(oldCa, 'utf-8'));
    // The running server still presents the old certificate.
    expect(verifyFull(newCa).status).not.toBe(0);

    // WHEN the reload sidecar's script runs one round (the connection from its libpq variables)
    const reload = asServerUser(reloadScript, {
      PATH: `${binDir}:${process.env.PATH}`,
      PGHOST: pg.host,
      PGPORT: String(pg.port),
      PGUSER: pg.superuser,
      PGPASSWORD: pg.superuserPassword,
      PGDATABASE: 'postgres',
    });
    expect(reload.stderr).toBe('');
    expect(reload.status).toBe(42);
    expect(reload.stdout).toMatch(/changed; copied it[\s\S]*PostgreSQL reloaded its configuration and certificate/);

    // THEN a client verifying against the new CA connects, the old CA is refused, and the server never restarted
    let res = verifyFull(newCa);
    for (let i = 0; i < 20 && res.status !== 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      res = verifyFull(newCa);
    }
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe('t');
    const old = verifyFull(oldCa);
    expect(old.status).not.toBe(0);
    expect(old.stderr).toMatch(/certificate verify failed/);
    expect(pg.psql('SELECT pg_postmaster_start_time()').stdout.trim()).toBe(startedBefore);
    expect((fs.statSync(path.join(tlsDir, 'tls.key')).mode % 0o1000).toString(8)).toBe('600');
  });
});
