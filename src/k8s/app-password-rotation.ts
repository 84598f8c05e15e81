import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AppDatabaseSecret } from './app-database-secret';
import { containerSecurityContext, podSecurityContext, POSTGRES_UID, resources } from './private/pod-defaults';
import { SecretAccess } from './private/secret-access';
import { DEFAULT_BOOTSTRAP_IMAGE } from './private/secret-bootstrap';
import { claimUniqueNames } from './private/unique-names';
import { rotationDatabaseScript, rotationPrepareScript, RotationScriptOptions, rotationSecretScript } from '../core/private/app-rotation';
import * as v from '../core/private/validators';
import { Problem, throwIfAny } from '../core/private/validators';
import { SslMode } from '../core/ssl-mode';

/**
 * Properties of an {@link AppPasswordRotation}.
 */
export interface AppPasswordRotationProps {
  /** The app's Secret. It must rotate: created with `rotationInterval`, which sets how often. */
  readonly secret: AppDatabaseSecret;
  /** Name of the Secret holding the superuser's password. */
  readonly superuserSecretName: string;
  /**
   * Key of the superuser's password in `superuserSecretName`.
   * @default 'POSTGRES_PASSWORD'
   */
  readonly superuserPasswordKey?: string;
  /**
   * The superuser's name.
   * @default 'postgres'
   */
  readonly superuserUsername?: string;
  /**
   * Database the superuser connects to.
   * @default 'postgres'
   */
  readonly maintenanceDatabase?: string;
  /**
   * Host the rotation connects to, when it differs from the app's (e.g. the app goes through a
   * pooler that admits no superuser).
   * @default - the Secret's host
   */
  readonly serverHost?: string;
  /**
   * Port the rotation connects to.
   * @default - the Secret's port
   */
  readonly serverPort?: number;
  /**
   * `PGSSLMODE` of the rotation's connections.
   * @default - the Secret's sslMode
   */
  readonly serverSslMode?: SslMode;
  /**
   * When the CronJob looks whether a rotation is due (a five-field cron schedule, in the time zone
   * of the kube-controller-manager, usually UTC). The password rotates at the first run after the
   * Secret's `rotationInterval` (less an hour) has passed since the last rotation, and at the
   * first run after the Secret got its first password.
   * @default '30 3 * * *' (03:30 every day)
   */
  readonly schedule?: string;
  /**
   * Image with `psql` 15 or later and `pg_isready` (runs as uid 70).
   * @default 'postgres:15-alpine'
   */
  readonly image?: string;
  /**
   * Image with `kubectl`, a POSIX shell and coreutils (runs as uid 1001), which reads and patches
   * the app's Secret.
   * @default 'bitnamilegacy/kubectl:1.28.15'
   */
  readonly kubectlImage?: string;
  /**
   * Namespace of the CronJob and its ServiceAccount, Role and RoleBinding: the Secret's.
   * @default - the Secret's namespace
   */
  readonly namespace?: string;
  /**
   * Extra labels on the rotation's pods (e.g. the database NetworkPolicy's client label).
   * @default - only `app.kubernetes.io/name` and `app.kubernetes.io/component: db-rotate`
   */
  readonly podLabels?: { [key: string]: string };
}

const OWNER = 'AppPasswordRotation';
const DEFAULT_IMAGE = 'postgres:15-alpine';
const DEFAULT_SCHEDULE = '30 3 * * *';
/** Where the three containers of one run hand over the login and password (a memory-backed emptyDir). */
const ROTATION_DIR = '/var/run/db-rotation';
const WAIT_TIMEOUT_SECONDS = 120;

/**
 * Multi-user (alternating users) rotation of one app's password on a PostgreSQL server, run by a
 * `batch/v1` CronJob in the cluster, like AWS's multi-user rotation of an RDS app user.
 *
 * Each rotation gives the login the app's Secret does not name (`<user>` or `<user>_clone`) a new
 * password, proves it logs in, and then patches `DB_USER`, `DB_PASSWORD` and `DATABASE_URL` into
 * the Secret. The login the Secret named before keeps its password and its open sessions until
 * the next rotation, so pods holding it have one whole `rotationInterval` to pick up the new
 * Secret (roll them with `AppDatabaseSecret.rollOnChange`). The clone is a member of the app's
 * role and its sessions act as that role (`SET role`), and the `search_path` is set on the
 * database, so it reads and writes the app's tables through unqualified names and what it
 * creates belongs to the app's role.
 *
 * The pod runs three steps in order, handing over through a memory-backed emptyDir: `prepare`
 * (kubectl: is a rotation due, which login, a new password), `database` (psql as the superuser:
 * the clone, the search path, the new password, a test login) and `update-secret` (kubectl: the
 * patch, guarded by the Secret's `resourceVersion`, and the time in the annotation
 * `db.cdk-db-platform.io/rotated-at`). Only the kubectl containers get an API token; the
 * ServiceAccount may only `get` and `patch` the app's Secret. A failed run leaves the Secret as it
 * was and the next run starts over; `concurrencyPolicy: Forbid` keeps two runs apart.
 *
 * To rotate now, remove the annotation and start a run:
 * `kubectl annotate secret <secret> db.cdk-db-platform.io/rotated-at-` and
 * `kubectl create job --from=cronjob/<app>-db-rotate <app>-db-rotate-now`.
 */
export class AppPasswordRotation extends Construct {
  /** The CronJob's name (`<app>-db-rotate`). */
  public readonly cronJobName: string;
  /** The ServiceAccount the rotation's pods run as. */
  public readonly serviceAccountName: string;
  /** Labels on the rotation's pods. */
  public readonly podLabels: { [key: string]: string };
  /** The CronJob. */
  public readonly cronJob: k8s.KubeCronJob;

  public constructor(scope: Construct, id: string, props: AppPasswordRotationProps) {
    super(scope, id);
    const secret = props.secret;
    const names = secret.names;
    const namespace = props.namespace ?? secret.namespace;
    const superuserPasswordKey = props.superuserPasswordKey ?? 'POSTGRES_PASSWORD';
    const superuserUsername = props.superuserUsername ?? 'postgres';
    const maintenanceDatabase = props.maintenanceDatabase ?? 'postgres';
    const serverHost = props.serverHost ?? secret.connection.host;
    const serverPort = props.serverPort ?? secret.connection.port;
    const serverSslMode = props.serverSslMode ?? secret.sslMode;
    const schedule = props.schedule ?? DEFAULT_SCHEDULE;
    const image = props.image ?? DEFAULT_IMAGE;
    const kubectlImage = props.kubectlImage ?? DEFAULT_BOOTSTRAP_IMAGE;
    const podLabels = props.podLabels ?? {};
    const name = `${names.resourceName}-db-rotate`;
    const intervalSeconds = secret.rotationInterval?.toSeconds();

    const problems: Problem[] = [
      intervalSeconds === undefined
        ? `secret must rotate (got Secret ${v.show(secret.secretName)} without rotationInterval). Create the AppDatabaseSecret with rotationInterval, e.g. Duration.days(30).`
        : undefined,
      namespace !== undefined && secret.namespace !== undefined && namespace !== secret.namespace
        ? `namespace must be the app Secret's namespace ${v.show(secret.namespace)} (got ${v.show(namespace)}), since the rotation reads and patches that Secret. Drop namespace.`
        : undefined,
      namespace === undefined ? undefined : v.kubernetesName('Namespace', 'namespace', namespace),
      v.kubernetesName('CronJob', `app name (in the CronJob name ${v.show(name)})`, name),
      v.cronSchedule('schedule', schedule),
      v.host('serverHost', serverHost),
      v.port('serverPort', serverPort),
      v.kubernetesName('Secret', 'superuserSecretName', props.superuserSecretName),
      v.secretKey('superuserPasswordKey', superuserPasswordKey),
      v.pgIdentifier('superuserUsername', superuserUsername),
      v.pgIdentifier('maintenanceDatabase', maintenanceDatabase),
      v.imageRef('image', image, DEFAULT_IMAGE),
      v.imageRef('kubectlImage', kubectlImage, DEFAULT_BOOTSTRAP_IMAGE),
      ...v.labels('podLabels', podLabels),
    ];
    throwIfAny(OWNER, problems);

    const ownLabels = { 'app.kubernetes.io/name': names.resourceName, 'app.kubernetes.io/component': 'db-rotate' };
    this.podLabels = { ...ownLabels, ...podLabels };
    this.cronJobName = name;
    const access = new SecretAccess(this, 'Access', { name, namespace, secretName: secret.secretName, labels: ownLabels });
    this.serviceAccountName = access.serviceAccountName;

    const scripts: RotationScriptOptions = {
      secretName: secret.secretName,
      connection: secret.connection,
      schemaName: names.schemaName,
      intervalSeconds: intervalSeconds!,
      maintenanceDatabase,
      waitTimeoutSeconds: WAIT_TIMEOUT_SECONDS,
    };
    const handOver: k8s.VolumeMount = { name: 'rotation', mountPath: ROTATION_DIR };
    const handOverEnv: k8s.EnvVar = { name: 'ROTATION_DIR', value: ROTATION_DIR };
    const database: k8s.Container = {
      name: 'database',
      image,
      command: ['/bin/sh', '-c', rotationDatabaseScript(scripts)],
      env: [
        { name: 'PGHOST', value: serverHost },
        { name: 'PGPORT', value: String(serverPort) },
        { name: 'PGUSER', value: superuserUsername },
        { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: props.superuserSecretName, key: superuserPasswordKey } } },
        { name: 'PGSSLMODE', value: serverSslMode.value },
        { name: 'PGCONNECT_TIMEOUT', value: '10' },
        { name: 'PGAPPNAME', value: 'db-rotate' },
        handOverEnv,
      ],
      resources: resources('10m', '32Mi', '200m', '128Mi'),
      securityContext: containerSecurityContext(POSTGRES_UID),
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, handOver],
    };

    this.cronJob = new k8s.KubeCronJob(this, 'Resource', {
      metadata: { name, namespace, labels: ownLabels },
      spec: {
        schedule,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: this.podLabels },
          spec: {
            backoffLimit: 3,
            activeDeadlineSeconds: 600,
            template: {
              metadata: { labels: this.podLabels },
              spec: {
                serviceAccountName: access.serviceAccountName,
                // Only the kubectl containers get an API token (the projected volume below).
                automountServiceAccountToken: false,
                // A failed step starts a new pod from `prepare`, which reads the Secret afresh.
                restartPolicy: 'Never',
                // fsGroup 70: the kubectl containers (uid 1001) share the hand-over files with psql (uid 70) through the group.
                securityContext: podSecurityContext(POSTGRES_UID),
                initContainers: [
                  access.kubectlContainer('prepare', kubectlImage, rotationPrepareScript(scripts), 'tmp', 'kube-api-access', [handOver], [handOverEnv]),
                  database,
                ],
                containers: [
                  access.kubectlContainer('update-secret', kubectlImage, rotationSecretScript(scripts), 'tmp', 'kube-api-access', [handOver], [handOverEnv]),
                ],
                volumes: [
                  { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
                  { name: 'rotation', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
                  SecretAccess.tokenVolume('kube-api-access'),
                ],
              },
            },
          },
        },
      },
    });
    claimUniqueNames(OWNER, this, 'secret (the app name in its names)');
  }
}
