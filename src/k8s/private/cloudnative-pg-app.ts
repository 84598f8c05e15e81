import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CloudNativePgSettings } from './cloudnative-pg-settings';
import { CNPG_API_VERSION, CnpgDatabaseRoleSpec, CnpgDatabaseSpec } from './cloudnative-pg-types';
import { hashedJobName } from './hashed-name';
import { containerSecurityContext, podSecurityContext, POSTGRES_UID, resources, superuserEnv } from './pod-defaults';
import { SecretBootstrap } from './secret-bootstrap';
import { resolveApp } from './shared-postgres-parts';
import { claimUniqueNames } from './unique-names';
import { cloudNativePgAppSetupScript } from '../../core/private/cloudnative-pg-app-setup';
import * as v from '../../core/private/validators';
import { throwIfAny } from '../../core/private/validators';
import { DatabaseSecretKeys } from '../../core/secret-keys';
import { AppDatabaseSecret } from '../app-database-secret';
import { CaBundle } from '../ca-bundle';
import { SharedPostgresApp, SharedPostgresAppOptions } from '../shared-postgres-props';

/** Errors are SharedPostgres's: this is its addApp. */
const OWNER = 'SharedPostgres';

/** What one app on a CloudNativePG cluster is made of; its names and options are validated. */
export interface CloudNativePgAppProps {
  readonly secret: AppDatabaseSecret;
  readonly connectionLimit?: number;
  /** Labels of the setup Job's pod (the platform client label). */
  readonly podLabels: { [key: string]: string };
}

/** The key of a basic-auth Secret CloudNativePG reads the role's password from. */
const OPERATOR_PASSWORD_KEY = 'password';
/** How long the setup Job waits for the operator to make the role, the database and the schema. */
const WAIT_SECONDS = 600;

/**
 * One app on a CloudNativePG cluster, next to its connection Secret (a `kubernetes.io/basic-auth`
 * Secret carrying the `DB_*` keys as well as `username` and `password`):
 * - a `DatabaseRole` (login, `passwordSecret` the app's Secret, reclaim policy `retain`);
 * - a `Database` owned by it with the app's schema (`spec.schemas`, owned by the app's role);
 * - a setup Job: its `secret-bootstrap` init container generates the password in the cluster into
 *   `DB_PASSWORD`, `password` (the same value) and `DATABASE_URL`; its `app-setup` container waits
 *   for the operator to have made the role, database and schema, then, as the superuser, lets only
 *   the app's role connect to its database and sets its `search_path` (what the Database kind cannot express).
 */
export class CloudNativePgApp extends Construct {
  public readonly databaseRole: ApiObject;
  public readonly database: ApiObject;
  public readonly setupJob: k8s.KubeJob;
  public readonly setupJobName: string;

  public constructor(scope: Construct, id: string, c: CloudNativePgSettings, props: CloudNativePgAppProps) {
    super(scope, id);
    const s = c.base;
    const secret = props.secret;
    const names = secret.names;
    const objectName = `${s.name}-${names.resourceName}`;
    const labels = { ...s.objectLabels, 'app.kubernetes.io/name': names.resourceName };
    const metadata = { name: objectName, namespace: s.namespace, labels };

    const role: CnpgDatabaseRoleSpec = {
      cluster: { name: s.name },
      name: names.username,
      ensure: 'present',
      login: true,
      inherit: true,
      connectionLimit: props.connectionLimit,
      passwordSecret: { name: secret.secretName },
      // Deleting the object keeps the role (and so the ownership of the app's data).
      databaseRoleReclaimPolicy: 'retain',
    };
    this.databaseRole = new ApiObject(this, 'Role', { apiVersion: CNPG_API_VERSION, kind: 'DatabaseRole', metadata, spec: role });
    const database: CnpgDatabaseSpec = {
      cluster: { name: s.name },
      name: names.databaseName,
      owner: names.username,
      ensure: 'present',
      // Deleting the object keeps the database.
      databaseReclaimPolicy: 'retain',
      schemas: [{ name: names.schemaName, owner: names.username, ensure: 'present' }],
    };
    this.database = new ApiObject(this, 'Database', { apiVersion: CNPG_API_VERSION, kind: 'Database', metadata, spec: database });

    const baseName = `${names.resourceName}-db-setup`;
    const ownLabels = { 'app.kubernetes.io/name': names.resourceName, 'app.kubernetes.io/component': 'db-setup' };
    const podLabels = { ...ownLabels, ...props.podLabels };
    const bootstrap = new SecretBootstrap(this, 'Bootstrap', {
      name: baseName,
      namespace: s.namespace,
      secretName: secret.secretName,
      passwordKey: DatabaseSecretKeys.PASSWORD,
      mirrorPasswordKey: OPERATOR_PASSWORD_KEY,
      urlKey: DatabaseSecretKeys.URL,
      connection: secret.connection,
      image: c.bootstrapImage,
      labels: ownLabels,
    });
    const setup: k8s.Container = {
      name: 'app-setup',
      image: c.clientImage,
      command: ['/bin/sh', '-c', cloudNativePgAppSetupScript({
        databaseName: names.databaseName, username: names.username, schemaName: names.schemaName, waitSeconds: WAIT_SECONDS,
      })],
      env: [
        ...superuserEnv({
          host: s.host, port: s.port, secretName: s.superuserSecretName, userKey: 'username', passwordKey: 'password', sslMode: s.defaultSslMode,
        }),
        { name: 'PGAPPNAME', value: 'db-setup' },
      ],
      resources: resources('10m', '32Mi', '200m', '128Mi'),
      securityContext: containerSecurityContext(POSTGRES_UID),
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    };
    const template: k8s.PodTemplateSpec = {
      metadata: { labels: podLabels },
      spec: {
        serviceAccountName: bootstrap.serviceAccountName,
        // Only the bootstrap container gets an API token (the projected volume below).
        automountServiceAccountToken: false,
        restartPolicy: 'OnFailure',
        securityContext: podSecurityContext(),
        initContainers: [bootstrap.container('secret-bootstrap', 'tmp', 'kube-api-access')],
        containers: [setup],
        volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } }, bootstrap.tokenVolume('kube-api-access')],
      },
    };
    this.setupJobName = hashedJobName(baseName, template);
    this.setupJob = new k8s.KubeJob(this, 'Job', {
      metadata: { name: this.setupJobName, namespace: s.namespace, labels: podLabels },
      spec: { backoffLimit: 4, activeDeadlineSeconds: WAIT_SECONDS + 300, ttlSecondsAfterFinished: 3600, template },
    });
  }
}

/**
 * An app on the CloudNativePG backend, added by `SharedPostgres.addApp`: its Secret (basic-auth,
 * read by the operator too) and its {@link CloudNativePgApp}. Options the backend cannot honour are
 * refused. `scope` is the SharedPostgres, so ids and names are those of the construct.
 */
export function addCloudNativePgApp(scope: Construct, c: CloudNativePgSettings,
  ctx: { caBundle?: CaBundle; apps: ReadonlyMap<string, SharedPostgresApp> },
  appName: string, options: SharedPostgresAppOptions): SharedPostgresApp {
  const s = c.base;
  const resolved = resolveApp(s, ctx, appName, { ...options, viaPgBouncer: undefined });
  const user = resolved.names.username;
  throwIfAny(OWNER, [
    ...resolved.problems,
    options.viaPgBouncer && !c.pooler
      ? `addApp option viaPgBouncer needs the pgBouncer prop (got viaPgBouncer: true for app ${v.show(appName)} without pgBouncer). Set pgBouncer: {} or drop viaPgBouncer.`
      : undefined,
    options.rotation === undefined ? undefined
      : `addApp option rotation has no meaning under the CloudNativePG backend (got rotation for app ${v.show(appName)}). The operator sets the role's password from the app's Secret: drop rotation.`,
    options.migrations === undefined ? undefined
      : `addApp option migrations is not supported under the CloudNativePG backend (got migrations for app ${v.show(appName)}). Run them from the app's own Job or init container: drop migrations.`,
    user === 'streaming_replica' || user.startsWith('cnpg_')
      ? `addApp username must not be streaming_replica or start with cnpg_ under the CloudNativePG backend (got ${v.show(user)}): the operator reserves them. Choose another username.`
      : undefined,
  ]);
  const host = c.pooler ? `${c.pooler.name}.${s.namespace}.svc.${s.clusterDomain}` : s.host;
  const id = `App-${appName}`;
  const secret = new AppDatabaseSecret(scope, `${id}-Secret`, {
    names: resolved.names,
    host: options.viaPgBouncer ? host : s.host,
    port: s.port,
    sslMode: options.sslMode ?? s.defaultSslMode,
    caPath: options.sslMode?.verifiesCertificate ? ctx.caBundle?.path : undefined,
    namespace: s.namespace,
    basicAuth: true,
    // The operator re-reads a Secret with this label when it changes.
    labels: { 'cnpg.io/reload': 'true' },
  });
  const parts = new CloudNativePgApp(scope, `${id}-CloudNativePg`, c, { secret, connectionLimit: options.connectionLimit, podLabels: s.clientLabels });
  for (const part of [secret, parts]) claimUniqueNames(OWNER, part, `addApp ${v.show(appName)} (its name and its secretName option)`);
  return { secret, podLabels: resolved.podLabels, setupJob: parts.setupJob, databaseRole: parts.databaseRole, database: parts.database };
}
