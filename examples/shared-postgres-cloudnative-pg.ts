import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { BackupCredentials, SharedPostgres, SharedPostgresBackend } from '../src/k8s';

/**
 * A team that outgrew one pod: the shared PostgreSQL of `production` runs on CloudNativePG (the
 * operator, v1.30 or later, is installed in the cluster) as a Cluster of three instances, with
 * base backups and WAL in S3 through IRSA (a ScheduledBackup every night, kept 30 days), and a
 * PgBouncer Pooler. Two apps, each with a DatabaseRole, a Database and a connection Secret of the
 * same shape as on the StatefulSet backend, so the Deployment below is the same as on it.
 *
 * The `shop` app is being moved here from the StatefulSet server it ran on until now (still
 * deployed as `legacy`): its new Secret has a temporary name while both exist, and a chart applied
 * on purpose restores the newest dump of its database from the old server into the new one.
 */
export function build(outdir: string): { k8s?: cdk8s.App } {
  const app = new cdk8s.App({ outdir, outputFileExtension: '.k8s.yaml' });
  const chart = new cdk8s.Chart(app, 'database-production', { namespace: 'production', disableResourceNameHashes: true });

  const db = new SharedPostgres(chart, 'Postgres', {
    namespace: 'production',
    name: 'pg',
    backend: SharedPostgresBackend.cloudNativePg({ instances: 3, backupRetentionPolicy: '30d' }),
    storageSize: '50Gi',
    pgBouncer: { replicas: 2 },
    backup: {
      schedule: '0 2 * * *',
      objectStorage: {
        bucket: 'acme-db-backups',
        credentials: BackupCredentials.irsa('arn:aws:iam::111122223333:role/production-pg-backup'),
      },
    },
  });
  const orders = db.addApp('orders', { viaPgBouncer: true, connectionLimit: 40 });

  // The old server, until shop has moved.
  const legacy = new SharedPostgres(chart, 'Legacy', { namespace: 'production' });
  legacy.addApp('shop');
  db.addApp('shop', { secretName: 'shop-db-secret-cnpg' });

  // The app's Deployment reads the same keys as on the StatefulSet backend.
  new kplus.Deployment(chart, 'Orders', {
    metadata: { name: 'orders' },
    replicas: 2,
    podMetadata: { labels: orders.podLabels },
    securityContext: { user: 1000, group: 1000, ensureNonRoot: true },
    containers: [{
      name: 'app',
      image: 'ghcr.io/example/orders:2.0.1',
      portNumber: 8080,
      envVariables: orders.secret.envVariables(),
      resources: {
        cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
        memory: { request: cdk8s.Size.mebibytes(128), limit: cdk8s.Size.mebibytes(256) },
      },
    }],
  });

  // Not part of the GitOps sync: applied by hand, with shop stopped, after a last backup of the old server.
  const move = new cdk8s.Chart(app, 'move-shop', { namespace: 'production', disableResourceNameHashes: true });
  legacy.restoreJob(move, 'MoveShop', { appName: 'shop', into: db });
  return { k8s: app };
}

if (require.main === module) {
  const apps = build(process.argv[2] ?? 'dist/shared-postgres-cloudnative-pg');
  apps.k8s?.synth();
}
