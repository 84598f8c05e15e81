import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { DatabaseProvider } from '../core/database-provider';
import * as v from '../core/private/validators';
import { throwIfAny } from '../core/private/validators';

/** Options for {@link CloudSqlAuthProxy.addTo}. */
export interface CloudSqlAuthProxyOptions {
  /** The connection's provider, from `DatabaseProvider.cloudSqlAuthProxy({ instanceConnectionName, proxyPort })`. */
  readonly provider: DatabaseProvider;
  /**
   * Connect to the instance's private IP (`--private-ip`): the cluster must be in (or peered
   * with) the instance's VPC.
   * @default false
   */
  readonly privateIp?: boolean;
  /**
   * Log in with IAM database authentication (`--auto-iam-authn`) instead of a password.
   * @default false
   */
  readonly autoIamAuthn?: boolean;
  /**
   * Cloud SQL Auth Proxy v2 image, pinned to a version.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.15.2'
   */
  readonly image?: string;
  /**
   * Port of the proxy's health-check server (`/startup`, `/liveness`), inside the pod only.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 9801
   */
  readonly healthCheckPort?: number;
}

const PROXY_IMAGE = /^gcr\.io\/cloud-sql-connectors\/cloud-sql-proxy:2\.\d+\.\d+(?:-[a-z0-9.]+)?$/;

/**
 * The Cloud SQL Auth Proxy v2 as a native sidecar: an init container with
 * `restartPolicy: Always`, which Kubernetes starts before the app containers (once its startup
 * probe passes) and stops after them. The app connects to `127.0.0.1:<proxyPort>`
 * (`sslmode=disable` on the loopback hop; the proxy encrypts the hop to the instance).
 *
 * Native sidecars need Kubernetes 1.29 or later (1.28 with the `SidecarContainers` feature gate).
 * The proxy authenticates as the pod's identity: give the pod a Kubernetes ServiceAccount bound
 * to a Google service account with the `Cloud SQL Client` role (Workload Identity).
 * @see https://cloud.google.com/sql/docs/postgres/connect-kubernetes-engine
 */
export class CloudSqlAuthProxy {
  /** Adds the proxy as a native sidecar to `pod` and returns the container. */
  public static addTo(pod: kplus.AbstractPod, options: CloudSqlAuthProxyOptions): kplus.Container {
    const owner = 'CloudSqlAuthProxy';
    const provider = options.provider;
    const image = options.image ?? 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.15.2';
    const healthCheckPort = options.healthCheckPort ?? 9801;
    const privateIp = options.privateIp ?? false;
    const autoIamAuthn = options.autoIamAuthn ?? false;
    throwIfAny(owner, [
      provider.kind !== 'cloud-sql-auth-proxy' || provider.instanceConnectionName === undefined
        ? `provider must come from DatabaseProvider.cloudSqlAuthProxy() (got a '${provider.kind}' provider). `
          + 'Create it with the instance connection name, e.g. DatabaseProvider.cloudSqlAuthProxy({ instanceConnectionName: \'my-project:europe-west1:orders-db\' }).'
        : undefined,
      // Only the v2 proxy takes these flags: a v2 image path, pinned.
      PROXY_IMAGE.test(image) ? undefined
        : `image must be the Cloud SQL Auth Proxy v2 pinned to a version, 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.x.y' (got ${v.show(image)}). `
          + 'v1 (gcr.io/cloudsql-docker/gce-proxy) takes other flags; a floating tag changes under you.',
      v.intRange('healthCheckPort', healthCheckPort, 1024, 65535, 'Use e.g. 9801.') ?? (healthCheckPort === provider.port
        ? `healthCheckPort must differ from the proxy port ${provider.port} (got ${healthCheckPort}). Use e.g. 9801.`
        : undefined),
    ]);
    const args = [
      '--structured-logs',
      `--port=${provider.port}`,
      '--health-check',
      '--http-address=0.0.0.0',
      `--http-port=${healthCheckPort}`,
      ...(privateIp ? ['--private-ip'] : []),
      ...(autoIamAuthn ? ['--auto-iam-authn'] : []),
      provider.instanceConnectionName!,
    ];
    return pod.addInitContainer({
      name: 'cloud-sql-proxy',
      image,
      args,
      restartPolicy: kplus.ContainerRestartPolicy.ALWAYS,
      // The image's user is 'nonroot' (65532); the proxy writes nothing to disk.
      securityContext: { user: 65532, group: 65532, ensureNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
      startup: kplus.Probe.fromHttpGet('/startup', { port: healthCheckPort, periodSeconds: Duration.seconds(1), failureThreshold: 60 }),
      liveness: kplus.Probe.fromHttpGet('/liveness', { port: healthCheckPort, periodSeconds: Duration.seconds(10) }),
      resources: {
        cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(500) },
        memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
      },
    });
  }

  private constructor() {}
}
