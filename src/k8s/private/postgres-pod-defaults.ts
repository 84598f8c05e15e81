import { k8s } from 'cdk8s-plus-28';

/** uid and gid of the `postgres` user in the official Alpine images (and of `postgres` in edoburu/pgbouncer). */
export const POSTGRES_UID = 70;

/** Pod-level security context: non-root uid/gid 70, fsGroup 70, RuntimeDefault seccomp. */
export function postgresPodSecurityContext(): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: POSTGRES_UID,
    runAsGroup: POSTGRES_UID,
    fsGroup: POSTGRES_UID,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level security context meeting Pod Security "restricted", with a read-only root file system. */
export function postgresContainerSecurityContext(): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: POSTGRES_UID,
    runAsGroup: POSTGRES_UID,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
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
  readonly sslMode: string;
}

/** libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGSSLMODE) for a superuser client. */
export function superuserEnv(conn: SuperuserConnection): k8s.EnvVar[] {
  return [
    { name: 'PGHOST', value: conn.host },
    { name: 'PGPORT', value: String(conn.port) },
    { name: 'PGUSER', valueFrom: { secretKeyRef: { name: conn.secretName, key: conn.userKey } } },
    { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: conn.secretName, key: conn.passwordKey } } },
    { name: 'PGSSLMODE', value: conn.sslMode },
    { name: 'PGCONNECT_TIMEOUT', value: '10' },
  ];
}
