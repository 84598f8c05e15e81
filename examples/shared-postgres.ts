import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { SslMode } from '../src/core';
import { BackupCredentials, BackupEncryption, SharedPostgres, SharedPostgresProps, SharedPostgresTls } from '../src/k8s';

/** Per environment: where backups go, and how the database pod is treated by node drains. */
const ENVIRONMENTS: { [env: string]: Partial<SharedPostgresProps> } = {
  production: {
    pgBouncer: {},
    backup: {
      // Dumps and roles to Amazon S3 through IRSA, encrypted with a customer-managed KMS key;
      // the Job keeps the newest 7 per database there too.
      objectStorage: {
        bucket: 'acme-db-backups',
        region: 'eu-west-1',
        credentials: BackupCredentials.irsa('arn:aws:iam::111122223333:role/production-postgres-backup'),
        encryption: BackupEncryption.kms('arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
      },
    },
    // Node drains wait until an operator moves the database pod in a maintenance window.
    blockNodeDrains: true,
  },
  stage: {
    backup: {
      // An S3-compatible store in the cluster (MinIO), keys from a Secret made by the platform
      // team; retention by the bucket's lifecycle rules, so the Job never deletes a dump.
      objectStorage: {
        bucket: 'stage-db-backups',
        endpoint: 'http://minio.storage.svc.cluster.local:9000',
        forcePathStyle: true,
        credentials: BackupCredentials.fromSecret('minio-backup-credentials'),
        encryption: BackupEncryption.BUCKET_DEFAULT,
        deleteOldDumps: false,
      },
    },
  },
};

/**
 * One shared PostgreSQL per environment (production, stage), each with three apps, backups copied
 * to object storage, metrics and alerts for kube-prometheus-stack, and an app Deployment reading
 * its connection details from its Secret. A chart applied on purpose restores an app's database
 * (and the roles) from production's bucket.
 *
 * TLS is on in both: stage uses the default certificate made inside the cluster (apps connect with
 * sslmode=require); production takes its certificate from the platform's cert-manager issuer, and
 * the first app verifies the server (sslmode=verify-full) against the CA mounted from the
 * certificate's Secret.
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
      ...ENVIRONMENTS[env],
      monitoring: { labels: { release: 'kube-prometheus-stack' }, alertLabels: { team: 'platform', environment: env } },
      tls: env === 'production' ? SharedPostgresTls.certManager({ issuerName: 'platform-ca' }) : undefined,
    });
    const apps = ['example_app', 'another_app', 'third_app'].map((name) => db.addApp(name, {
      viaPgBouncer: env === 'production' && name === 'third_app',
      sslMode: env === 'production' && name === 'example_app' ? SslMode.VERIFY_FULL : undefined,
      // Opt-in rotation: the previous login keeps working for a whole interval after each rotation.
      rotation: name === 'example_app' ? { interval: cdk8s.Duration.days(30) } : undefined,
    }));

    // The first app's Deployment: DATABASE_* variable names, from its Secret.
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
    // verify-full: DATABASE_URL names the CA at db.caBundle.path; mount it.
    if (env === 'production') db.caBundle!.mountInto(deployment.containers[0]);
    // Reloader rolls the Deployment when a rotation (or a recreated Secret) changes the credentials.
    exampleApp.secret.rollOnChange(deployment, { rolloutSeconds: 600 });

    if (env === 'production') {
      // Not part of the GitOps sync: applied by hand to restore example_app from the newest dump in the bucket.
      const restore = new cdk8s.Chart(app, 'restore-production', { namespace: env, disableResourceNameHashes: true });
      db.restoreJob(restore, 'RestoreExampleApp', { appName: 'example_app', restoreGlobals: true });
    }
  }
  return { k8s: app };
}

if (require.main === module) {
  const apps = build(process.argv[2] ?? 'dist/shared-postgres');
  apps.k8s?.synth();
}
