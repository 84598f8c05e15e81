import * as cdk from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { DatabaseConnection, DatabaseProvider } from '../src/core';
import { DatabaseSecretSource, ExternalDatabaseSecret, WaitForDatabase } from '../src/k8s';

/**
 * A Kubernetes app on Neon, with the credentials in an existing Secret laid out like a typical
 * hand-made one (`database-url`, `username`, `password`).
 *
 * The connection follows Neon's rules, checked at synth time: the app goes through the pooled
 * (`-pooler`) host with `sslmode=require` and `channel_binding=require`; migrations use the direct
 * host. Create the Secret from the URLs the model prints, e.g.
 * `kubectl -n blog create secret generic database-credentials --from-literal=database-url=... --from-literal=username=blog_app --from-literal=password=...`.
 */
export function build(outdir: string): { aws?: cdk.App; k8s?: cdk8s.App } {
  const connection = new DatabaseConnection({
    provider: DatabaseProvider.neon({ host: 'ep-cool-darkness-a1b2c3d4.us-east-2.aws.neon.tech', pooled: true, channelBinding: true }),
    databaseName: 'blog',
    username: 'blog_app',
    applicationName: 'blog',
  });

  const k8s = new cdk8s.App({ outdir, outputFileExtension: '.k8s.yaml' });
  const chart = new cdk8s.Chart(k8s, 'blog', { namespace: 'blog', disableResourceNameHashes: true });

  const dbSecret = new ExternalDatabaseSecret(chart, 'DbSecret', {
    secretName: 'database-credentials',
    source: DatabaseSecretSource.existingSecret({
      keyMapping: { DATABASE_URL: 'database-url', DB_USER: 'username', DB_PASSWORD: 'password' },
      sslMode: connection.sslMode,
    }),
  });

  // Non-secret connection parts the app logs and shows on its status page.
  new kplus.ConfigMap(chart, 'Connection', {
    metadata: { name: 'blog-database' },
    data: { ...connection.parts(), DB_MIGRATION_HOST: connection.migrationHost, DB_POOLED: String(connection.provider.pooled) },
  });

  const app = new kplus.Deployment(chart, 'Blog', {
    metadata: { name: 'blog' },
    replicas: 2,
    securityContext: { user: 1000, group: 1000, ensureNonRoot: true },
    containers: [{
      name: 'blog',
      image: 'ghcr.io/example/blog:2.0.1',
      portNumber: 8080,
      // Neon's pooler runs PgBouncer in transaction mode: keep the app's own pool small.
      envVariables: dbSecret.envVariables({ poolSize: 5, maxOverflow: 5 }),
      securityContext: { user: 1000, group: 1000 },
      resources: {
        cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
        memory: { request: cdk8s.Size.mebibytes(128), limit: cdk8s.Size.mebibytes(256) },
      },
    }],
  });
  WaitForDatabase.addTo(app, { secret: dbSecret.secret, urlKey: 'database-url' });

  return { k8s };
}

if (require.main === module) {
  const apps = build(process.env.CDK_OUTDIR ?? 'cdk.out');
  apps.aws?.synth();
  apps.k8s?.synth();
}
