import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { SharedPostgres } from '../../src/k8s/shared-postgres';
import { toolOrSkip, usePostgres } from '../harness';

/**
 * The database container's arguments and the TLS init container's script, taken from the
 * synthesized StatefulSet, run for real: the script copies a certificate from a Secret-like
 * directory (root-owned, mode 0440, group of the server user, as the kubelet writes it with
 * fsGroup) as the server user, and PostgreSQL 15 starts with exactly the `-c` settings of the
 * manifest and serves TLS with the copied key.
 */
function synthesizedPod(): any {
  const chart = Testing.chart();
  new SharedPostgres(chart, 'Db', { namespace: 'stage', tlsSecretName: 'postgres-tls', settings: { work_mem: '8MB' } });
  return chart.toJson().find((m: any) => m.kind === 'StatefulSet').spec.template.spec;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe('SharedPostgres server settings and TLS against a real PostgreSQL 15', () => {
  const pod = synthesizedPod();
  const root = fs.mkdtempSync('/tmp/shared-postgres-tls-');
  const secretDir = path.join(root, 'tls-source');
  const tlsDir = path.join(root, 'tls');
  const settings: Record<string, string> = {};
  let prepared = false;

  beforeAll(() => {
    if (!toolOrSkip('postgres') || !fs.existsSync('/usr/bin/openssl')) return;
    fs.chmodSync(root, 0o755);
    fs.mkdirSync(secretDir);
    fs.mkdirSync(tlsDir, { mode: 0o777 });
    fs.chmodSync(tlsDir, 0o777);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=postgres-service.stage.svc.cluster.local',
      '-keyout', path.join(secretDir, 'tls.key'), '-out', path.join(secretDir, 'tls.crt')], { stdio: 'ignore' });
    for (const f of ['tls.key', 'tls.crt']) {
      fs.chmodSync(path.join(secretDir, f), 0o440);
      if (isRoot) execFileSync('chown', ['root:postgres', path.join(secretDir, f)]);
    }
    // The init container's script, with the pod's mount paths mapped to the test's directories.
    const init = pod.initContainers[0];
    expect(init.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    const script = init.command[2].split('/tls-source').join(secretDir).split('/var/lib/postgresql/tls').join(tlsDir);
    if (isRoot) execFileSync('runuser', ['-u', 'postgres', '--', '/bin/sh', '-c', script]);
    else execFileSync('/bin/sh', ['-c', script]);
    // The container's `-c key=value` arguments, paths mapped the same way.
    const args: string[] = pod.containers[0].args;
    for (let i = 0; i < args.length; i += 2) {
      expect(args[i]).toBe('-c');
      const [key, ...rest] = args[i + 1].split('=');
      settings[key] = rest.join('=').split('/var/lib/postgresql/tls').join(tlsDir);
    }
    prepared = true;
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const pg = usePostgres({ settings });

  test('the copied key is owned by the server user with mode 0600', () => {
    if (!pg.available || !prepared) return;
    const st = fs.statSync(path.join(tlsDir, 'tls.key'));
    expect((st.mode % 0o1000).toString(8)).toBe('600');
    if (isRoot) expect(st.uid).toBe(Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf-8' }).trim()));
  });

  test('the server runs with the manifest settings and serves TLS', () => {
    if (!pg.available || !prepared) return;
    const shown = pg.psql("SELECT current_setting('max_connections'), current_setting('work_mem'), current_setting('ssl')");
    expect(shown.stderr).toBe('');
    expect(shown.stdout.trim()).toBe('100|8MB|on');
    const tls = pg.psql('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()', { sslmode: 'require' });
    expect(tls.stderr).toBe('');
    expect(tls.stdout.trim()).toBe('t');
  });
});
