import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { SharedPostgres } from '../src/k8s';

/**
 * One shared PostgreSQL per environment (production, stage), each with seed 001's three apps,
 * and an app Deployment reading its connection details from its Secret.
 *
 * The first app's password rotates every 30 days with alternating users (`example_app_user` and
 * `example_app_user_clone`), run by a CronJob in the cluster, and its Deployment rolls whenever
 * its Secret changes (Stakater Reloader must be installed in the cluster).
 */
export function build(outdir: string): { k8s?: cdk8s.App } {
  const app = new cdk8s.App({ outdir, outputFileExtension: '.k8s.yaml' });
  for (const env of ['production', 'stage']) {
    const chart = new cdk8s.Chart(app, `database-${env}`, { namespace: env, disableResourceNameHashes: true });
    const db = new SharedPostgres(chart, 'Postgres', {
      namespace: env,
      pgBouncer: env === 'production' ? {} : undefined,
    });
    const apps = ['example_app', 'another_app', 'third_app'].map((name) => db.addApp(name, {
      viaPgBouncer: env === 'production' && name === 'third_app',
      // Opt-in rotation: the previous login keeps working for a whole interval after each rotation.
      rotation: name === 'example_app' ? { interval: cdk8s.Duration.days(30) } : undefined,
    }));

    // The first app's Deployment: seed 001's DATABASE_* variable names, from its Secret.
    const exampleApp = apps[0];
    const deployment = new kplus.Deployment(chart, 'ExampleApp', {
      metadata: { name: 'example-app' },
      replicas: 2,
      podMetadata: { labels: exampleApp.podLabels },
      securityContext: { user: 1000, group: 1000, ensureNonRoot: true },
      containers: [{
        name: 'app',
        image: 'ghcr.io/example/example-app:1.4.2',
        portNumber: 8080,
        envVariables: exampleApp.secret.envVariables({
          envNames: { DB_HOST: 'DATABASE_HOST', DB_PORT: 'DATABASE_PORT', DB_NAME: 'DATABASE_NAME', DB_USER: 'DATABASE_USER', DB_PASSWORD: 'DATABASE_PASSWORD' },
        }),
        resources: {
          cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
          memory: { request: cdk8s.Size.mebibytes(128), limit: cdk8s.Size.mebibytes(256) },
        },
      }],
    });
    // Reloader rolls the Deployment when a rotation (or a recreated Secret) changes the credentials.
    exampleApp.secret.rollOnChange(deployment, { rolloutSeconds: 600 });
  }
  return { k8s: app };
}

if (require.main === module) {
  const apps = build(process.argv[2] ?? 'dist/shared-postgres');
  apps.k8s?.synth();
}
