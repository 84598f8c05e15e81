import { k8s } from 'cdk8s-plus-28';
import { SslMode } from '../../core/ssl-mode';

/** uid and gid of the `postgres` user in the official Alpine images (and of `postgres` in edoburu/pgbouncer). */
export const POSTGRES_UID = 70;

/** uid and gid of the kubectl images the password bootstrap runs (Bitnami's non-root user). */
export const KUBECTL_UID = 1001;

/**
 * The one pod-level security context: non-root with the RuntimeDefault seccomp profile, and with
 * `uid` also `runAsUser`/`runAsGroup`/`fsGroup` (volumes writable by that group).
 */
export function podSecurityContext(uid?: number): k8s.PodSecurityContext {
  if (uid === undefined) return { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * The one container-level security context, meeting Pod Security "restricted": user and group
 * `uid`, no privilege escalation, no capabilities, RuntimeDefault seccomp, and a read-only root
 * file system unless `writableRoot` (an app image running migrations may need to write).
 */
export function containerSecurityContext(uid: number, writableRoot: boolean = false): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: !writableRoot,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Resource requirements from quantity strings. */
export function resources(cpuRequest: string, memoryRequest: string, cpuLimit: string, memoryLimit: string): k8s.ResourceRequirements {
  return {
    requests: { cpu: k8s.Quantity.fromString(cpuRequest), memory: k8s.Quantity.fromString(memoryRequest) },
    limits: { cpu: k8s.Quantity.fromString(cpuLimit), memory: k8s.Quantity.fromString(memoryLimit) },
  };
}

/** How a client pod reaches the database as the superuser: libpq variables from the superuser Secret. */
export interface SuperuserConnection {
  /** Host name of the database Service. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
  /** Secret holding the user name and the password. */
  readonly secretName: string;
  /** Key of the user name in the Secret. */
  readonly userKey: string;
  /** Key of the password in the Secret. */
  readonly passwordKey: string;
  /** libpq sslmode. */
  readonly sslMode: SslMode;
}

/** libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGSSLMODE, PGCONNECT_TIMEOUT) for a superuser client. */
export function superuserEnv(conn: SuperuserConnection): k8s.EnvVar[] {
  return [
    { name: 'PGHOST', value: conn.host },
    { name: 'PGPORT', value: String(conn.port) },
    { name: 'PGUSER', valueFrom: { secretKeyRef: { name: conn.secretName, key: conn.userKey } } },
    { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: conn.secretName, key: conn.passwordKey } } },
    { name: 'PGSSLMODE', value: conn.sslMode.value },
    { name: 'PGCONNECT_TIMEOUT', value: '10' },
  ];
}
