import { ApiObjectMetadata } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { exporterQueriesVolume, postgresExporterContainer } from './monitoring-settings';
import { containerSecurityContext, podSecurityContext, POSTGRES_UID, resources } from './pod-defaults';
import { SharedPostgresSettings } from './shared-postgres-settings';
import { tlsCopyScript, tlsReloadScript } from '../../core/private/tls-scripts';

const DATA_DIR = '/var/lib/postgresql/data';
const TLS_DIR = '/var/lib/postgresql/tls';
const TLS_SOURCE_DIR = '/tls-source';
const SOCKET_DIR = '/var/run/postgresql';
/** How often the reload sidecar compares the mounted Secret with the server's copy. */
export const TLS_RELOAD_INTERVAL_SECONDS = 30;

/**
 * The PostgreSQL server of a SharedPostgres: the StatefulSet (one pod, data on a
 * `volumeClaimTemplates` volume named `data`, claims retained), its headless Service, the ClusterIP
 * Service apps connect to, a PodDisruptionBudget, with TLS an init container that copies the key
 * where PostgreSQL accepts it and a `tls-reload` sidecar that copies a renewed certificate again
 * and runs `pg_reload_conf()` (a renewal needs no restart), and with monitoring the
 * postgres_exporter sidecar.
 */
export class PostgresServer extends Construct {
  /** The database StatefulSet. */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** The ClusterIP Service apps connect to. */
  public readonly service: k8s.KubeService;
  /** The headless Service governing the StatefulSet. */
  public readonly headlessService: k8s.KubeService;
  /** The PodDisruptionBudget of the database pod. */
  public readonly podDisruptionBudget: k8s.KubePodDisruptionBudget;

  public constructor(scope: Construct, id: string, s: SharedPostgresSettings) {
    super(scope, id);
    // The server's objects carry the pod's labels, `app: <name>` included, so the documented
    // `kubectl get services -l app=postgres` finds the Services as well as the pod.
    const metadata = (name: string): ApiObjectMetadata => ({
      name,
      namespace: s.namespace,
      labels: s.podLabels,
    });
    const args: string[] = ['-c', `max_connections=${s.maxConnections}`];
    for (const key of Object.keys(s.settings).sort()) args.push('-c', `${key}=${s.settings[key]}`);
    const volumes: k8s.Volume[] = [
      { name: 'run', emptyDir: {} },
      { name: 'tmp', emptyDir: {} },
    ];
    const mounts: k8s.VolumeMount[] = [
      { name: 'data', mountPath: DATA_DIR },
      { name: 'run', mountPath: '/var/run/postgresql' },
      { name: 'tmp', mountPath: '/tmp' },
    ];
    const initContainers: k8s.Container[] = [];
    const sidecars: k8s.Container[] = [];
    const superuserKey = (key: string): k8s.EnvVar => ({ name: key, valueFrom: { secretKeyRef: { name: s.superuserSecretName, key } } });
    if (s.tlsSecretName !== undefined) {
      // PostgreSQL refuses a key readable by others or not owned by its user: copy the key into
      // an in-memory emptyDir as uid 70 with mode 0600. The Secret is mounted whole (no subPath),
      // so the kubelet updates it in place when the certificate is renewed.
      args.push('-c', 'ssl=on', '-c', `ssl_cert_file=${TLS_DIR}/tls.crt`, '-c', `ssl_key_file=${TLS_DIR}/tls.key`);
      volumes.push(
        { name: 'tls-source', secret: { secretName: s.tlsSecretName, defaultMode: 0o440 } },
        { name: 'tls', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
      );
      mounts.push({ name: 'tls', mountPath: TLS_DIR, readOnly: true });
      const files = { sourceDir: TLS_SOURCE_DIR, targetDir: TLS_DIR };
      const tlsMounts: k8s.VolumeMount[] = [
        { name: 'tls-source', mountPath: TLS_SOURCE_DIR, readOnly: true },
        { name: 'tls', mountPath: TLS_DIR },
      ];
      initContainers.push({
        name: 'tls-key',
        image: s.image,
        command: ['/bin/sh', '-c', tlsCopyScript(files, 300)],
        resources: resources('10m', '16Mi', '100m', '32Mi'),
        securityContext: containerSecurityContext(POSTGRES_UID),
        volumeMounts: tlsMounts,
      });
      sidecars.push({
        name: 'tls-reload',
        image: s.image,
        command: ['/bin/sh', '-c', tlsReloadScript(files, TLS_RELOAD_INTERVAL_SECONDS)],
        env: [
          { name: 'PGHOST', value: SOCKET_DIR },
          { name: 'PGDATABASE', value: 'postgres' },
          { ...superuserKey('POSTGRES_USER'), name: 'PGUSER' },
          { ...superuserKey('POSTGRES_PASSWORD'), name: 'PGPASSWORD' },
        ],
        resources: resources('5m', '16Mi', '100m', '32Mi'),
        securityContext: containerSecurityContext(POSTGRES_UID),
        volumeMounts: [...tlsMounts, { name: 'run', mountPath: SOCKET_DIR }],
      });
    }

    // Monitoring: the exporter sidecar logs in over loopback as the monitoring role.
    if (s.monitoring) {
      sidecars.push(postgresExporterContainer(s.monitoring, s.port, s.tlsSecretName !== undefined));
      volumes.push(exporterQueriesVolume(s.monitoring));
    }

    const ports: k8s.ServicePort[] = [{ name: 'postgres', port: s.port, targetPort: k8s.IntOrString.fromString('postgres') }];
    this.headlessService = new k8s.KubeService(this, 'HeadlessService', {
      metadata: metadata(s.headlessServiceName),
      spec: { clusterIp: 'None', selector: s.selectorLabels, ports },
    });
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: metadata(s.serviceName),
      spec: { type: 'ClusterIP', selector: s.selectorLabels, ports },
    });

    const isReady: k8s.ExecAction = {
      command: ['/bin/sh', '-c', `exec pg_isready -q -h 127.0.0.1 -p ${s.port} -U "$POSTGRES_USER" -d postgres`],
    };
    this.statefulSet = new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: metadata(s.name),
      spec: {
        serviceName: s.headlessServiceName,
        replicas: 1,
        selector: { matchLabels: s.selectorLabels },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          metadata: { labels: s.podLabels },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: 60,
            securityContext: podSecurityContext(POSTGRES_UID),
            initContainers: initContainers.length > 0 ? initContainers : undefined,
            containers: [{
              name: 'postgres',
              image: s.image,
              args,
              ports: [{ name: 'postgres', containerPort: s.port }],
              env: [superuserKey('POSTGRES_USER'), superuserKey('POSTGRES_PASSWORD'), { name: 'PGDATA', value: `${DATA_DIR}/${s.dataSubdirectory}` }],
              resources: resources(s.cpuRequest, s.memoryRequest, s.cpuLimit, s.memoryLimit),
              securityContext: containerSecurityContext(POSTGRES_UID),
              volumeMounts: mounts,
              startupProbe: { exec: isReady, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 120 },
              readinessProbe: { exec: isReady, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
              livenessProbe: { exec: isReady, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
            }, ...sidecars],
            volumes,
          },
        },
        volumeClaimTemplates: [{
          metadata: { name: 'data', labels: s.selectorLabels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: s.storageClassName,
            resources: { requests: { storage: k8s.Quantity.fromString(s.storageSize) } },
          },
        }],
      },
    });

    // One pod: `maxUnavailable: 1` lets a node drain evict it (the database is down until it runs
    // again elsewhere), also when it is unhealthy; `blockNodeDrains` makes drains wait for an operator.
    const selector = { matchLabels: s.selectorLabels };
    this.podDisruptionBudget = new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: metadata(s.name),
      spec: s.blockNodeDrains
        ? { minAvailable: k8s.IntOrString.fromNumber(1), selector }
        : { maxUnavailable: k8s.IntOrString.fromNumber(1), selector, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
    });
  }
}
