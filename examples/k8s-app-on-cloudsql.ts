import * as cdk from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { DatabaseConnection, DatabaseProvider } from '../src/core';
import { CloudSqlAuthProxy, DatabaseSecretSource, ExternalDatabaseSecret, WaitForDatabase } from '../src/k8s';

/**
 * A GKE app on Cloud SQL for PostgreSQL through the Cloud SQL Auth Proxy v2, run as a native
 * sidecar (init container with `restartPolicy: Always`, Kubernetes 1.29+): the app connects to
 * `127.0.0.1:5432`, the proxy reaches the instance on its private IP, authenticated as the pod's
 * Google service account (Workload Identity) and encrypted with TLS.
 *
 * The Secret `orders-db-secret` already exists with the six contract keys (`DB_HOST=127.0.0.1`,
 * `DATABASE_URL` as printed by the connection model with the password filled in, ...).
 */
export function build(outdir: string): { aws?: cdk.App; k8s?: cdk8s.App } {
  const provider = DatabaseProvider.cloudSqlAuthProxy({ instanceConnectionName: 'my-project:europe-west1:orders-db' });
  const connection = new DatabaseConnection({ provider, databaseName: 'orders', username: 'orders_app' });

  const k8s = new cdk8s.App({ outdir, outputFileExtension: '.k8s.yaml' });
  const chart = new cdk8s.Chart(k8s, 'orders', { namespace: 'orders', disableResourceNameHashes: true });

  const serviceAccount = new kplus.ServiceAccount(chart, 'Identity', {
    metadata: {
      name: 'orders',
      // Workload Identity: the Google service account needs roles/cloudsql.client.
      annotations: { 'iam.gke.io/gcp-service-account': 'orders@my-project.iam.gserviceaccount.com' },
    },
    automountToken: false,
  });

  const dbSecret = new ExternalDatabaseSecret(chart, 'DbSecret', {
    secretName: 'orders-db-secret',
    source: DatabaseSecretSource.existingSecret({ sslMode: connection.sslMode }),
  });

  const app = new kplus.Deployment(chart, 'Orders', {
    metadata: { name: 'orders' },
    replicas: 2,
    serviceAccount,
    securityContext: { user: 1000, group: 1000, ensureNonRoot: true },
    containers: [{
      name: 'orders',
      image: 'europe-west1-docker.pkg.dev/my-project/apps/orders:3.2.0',
      portNumber: 8080,
      envVariables: dbSecret.envVariables(),
      securityContext: { user: 1000, group: 1000 },
      resources: {
        cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
        memory: { request: cdk8s.Size.mebibytes(128), limit: cdk8s.Size.mebibytes(256) },
      },
    }],
  });
  // Order matters: the proxy sidecar starts first, then wait-for-db checks through it.
  CloudSqlAuthProxy.addTo(app, { provider, privateIp: true });
  WaitForDatabase.addTo(app, { secret: dbSecret.secret });

  return { k8s };
}

if (require.main === module) {
  const apps = build(process.env.CDK_OUTDIR ?? 'cdk.out');
  apps.aws?.synth();
  apps.k8s?.synth();
}
