// A consumer's cdk8s app: every public Kubernetes construct of cdk-db-platform, imported from the package.
import {
  AppDatabaseNames, AppDatabaseSecret, CaBundle, CloudSqlAuthProxy, DatabaseConnection, DatabaseEnvironment,
  DatabaseInitJob, DatabaseNetworkPolicy, DatabaseProvider, DatabaseSecretSource, ExternalDatabaseSecret,
  ExternalSecretStoreRef, GeneratedPasswordSecret, PgBouncer, SecretsManagerSecretRef, SharedPostgres, WaitForDatabase,
} from 'cdk-db-platform';
import { App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';

const app = new App();
const chart = new Chart(app, 'database-production', { namespace: 'production', disableResourceNameHashes: true });
const db = new SharedPostgres(chart, 'Postgres', { namespace: 'production', pgBouncer: {} });
const shop = db.addApp('shop');
const reports = db.addApp('reports', { viaPgBouncer: true });
const deployment = new kplus.Deployment(chart, 'Shop', {
  podMetadata: { labels: shop.podLabels },
  containers: [{ image: 'ghcr.io/example/shop:1.4.2', envVariables: shop.secret.envVariables(), securityContext: { user: 1000 } }],
});
WaitForDatabase.addTo(deployment, { secret: shop.secret.secret });
db.restoreJob(chart, 'RestoreReports', { appName: reports.secret.names.appName });

// The pieces on their own, for a server that is not a SharedPostgres.
const own = new Chart(app, 'orders', { namespace: 'orders', disableResourceNameHashes: true });
new GeneratedPasswordSecret(own, 'Superuser', { secretName: 'orders-pg-superuser', passwordKey: 'POSTGRES_PASSWORD', stringData: { POSTGRES_USER: 'postgres' } });
const secret = new AppDatabaseSecret(own, 'DbSecret', { names: AppDatabaseNames.of('orders'), host: 'orders-pg.orders.svc.cluster.local' });
new DatabaseInitJob(own, 'DbInit', { secret, superuserSecretName: 'orders-pg-superuser' });
const policy = new DatabaseNetworkPolicy(own, 'Policy', { name: 'orders-pg', podLabels: { app: 'orders-pg' }, port: 5432 });
policy.allowClient({ app: 'orders' }, 'orders');
new PgBouncer(own, 'Pooler', { namespace: 'orders', databaseHost: 'orders-pg.orders.svc.cluster.local', superuserSecretName: 'orders-pg-superuser' });

// A cloud database from AWS Secrets Manager, with the CA bundle and the wait.
const cloud = new Chart(app, 'cloud', { namespace: 'cloud', disableResourceNameHashes: true });
const ca = new CaBundle(cloud, 'RdsCa', { configMapName: 'rds-ca', key: 'global-bundle.pem' });
const dbSecret = new ExternalDatabaseSecret(cloud, 'DbSecret', {
  secretName: 'shop-db-secret',
  source: DatabaseSecretSource.externalSecret({
    secret: SecretsManagerSecretRef.fromName('consumer/shop/db-master', { rotationPeriodDays: 30 }),
    store: ExternalSecretStoreRef.clusterSecretStore('aws-secrets-manager'),
    refreshInterval: Duration.hours(1),
    caPath: ca.path,
  }),
});
const cloudApp = new kplus.Deployment(cloud, 'App', {
  containers: [{ image: 'ghcr.io/example/shop:1.4.2', envVariables: DatabaseEnvironment.envVariables(dbSecret.secret, { sslRootCertPath: ca.path }) }],
});
ca.mountInto(cloudApp.containers[0]);
CloudSqlAuthProxy.addTo(cloudApp, { provider: DatabaseProvider.cloudSqlAuthProxy({ instanceConnectionName: 'my-project:europe-west1:orders-db' }) });
const url = new DatabaseConnection({ provider: DatabaseProvider.neon({ host: 'ep-cool-name-123456.us-east-2.aws.neon.tech' }), databaseName: 'shop', username: 'shop' });
if (!url.urlTemplate('x').startsWith('postgresql://shop:x@')) throw new Error('unexpected URL');

app.synth();
