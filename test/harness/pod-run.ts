import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { PG_BIN_DIR } from './tools';

/** Secret contents by Secret name and key, as the kubelet would read them. */
export type SecretValues = Record<string, Record<string, string>>;

/** A synthesized pod's containers in the order the kubelet runs them: init containers, then the others. */
export function podContainers(podSpec: any): any[] {
  return [...(podSpec.initContainers ?? []), ...podSpec.containers];
}

/**
 * A container's environment as the kubelet fills it: plain values, and `secretKeyRef`s from
 * `secrets` (a reference the test gives no value for fails the test), then `overrides`.
 */
export function containerEnv(container: any, secrets: SecretValues = {}, overrides: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined) {
      env[e.name] = e.value;
    } else if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      const value = secrets[ref.name]?.[ref.key];
      if (value === undefined) throw new Error(`the test has no value for Secret ${ref.name} key ${ref.key} (container ${container.name})`);
      env[e.name] = value;
    } else {
      throw new Error(`unexpected env entry ${JSON.stringify(e)} in container ${container.name}`);
    }
  }
  return { ...env, ...overrides };
}

/** Result of {@link runContainerScript}. */
export interface ContainerRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the exact `/bin/sh -c <script>` of a synthesized container on this machine with only the
 * given environment (plus PATH: PostgreSQL's client tools and `extraPath` first).
 */
export function runContainerScript(container: any, env: Record<string, string>, extraPath: string[] = []): ContainerRun {
  if (JSON.stringify(container.command?.slice(0, 2)) !== JSON.stringify(['/bin/sh', '-c'])) {
    throw new Error(`container ${container.name} does not run a /bin/sh -c script`);
  }
  const res = spawnSync('/bin/sh', ['-c', container.command[2]], {
    encoding: 'utf-8',
    env: { PATH: [...extraPath, PG_BIN_DIR, '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter), LANG: 'C.UTF-8', ...env },
    timeout: 300_000,
  });
  return { status: res.status ?? -1, stdout: res.stdout ?? '', stderr: res.stderr ?? String(res.error ?? '') };
}
