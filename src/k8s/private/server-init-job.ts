import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AppDatabaseSecret } from '../app-database-secret';
import { hashedJobName } from './hashed-name';
import { containerSecurityContext, podSecurityContext, POSTGRES_UID, resources } from './pod-defaults';
import { batchInitScript } from '../../core/private/init-batch';
import { DatabaseSecretKeys } from '../../core/secret-keys';
import { SslMode } from '../../core/ssl-mode';

/** One app the server init Job provisions. */
export interface DatabaseServerInitApp {
  /** The app's connection Secret: its names, and the password and login the Job reads from it. */
  readonly secret: AppDatabaseSecret;
  /**
   * `CONNECTION LIMIT` of the app's user (and of its clone); -1 means unlimited.
   * @default - no limit is set, and an existing limit is left unchanged
   */
  readonly connectionLimit?: number;
}

/** Properties of a {@link DatabaseServerInitJob}, from values SharedPostgres has validated (not checked again here). */
export interface DatabaseServerInitJobProps {
  /** Base name: the Job is `<name>-apps-init-<hash>`. */
  readonly name: string;
  /** Namespace of the Job (the apps' Secrets'). */
  readonly namespace: string;
  /** The apps, in the order they were added: read when the Job is synthesized, so apps added later are in it. */
  readonly apps: () => DatabaseServerInitApp[];
  /** Host of the server (never a pooler: the superuser connects). */
  readonly host: string;
  /** Port of the server. */
  readonly port: number;
  /** `PGSSLMODE` of the connection. */
  readonly sslMode: SslMode;
  /** Secret with the superuser's password (`POSTGRES_PASSWORD`). */
  readonly superuserSecretName: string;
  /** The superuser's name. */
  readonly superuserUsername: string;
  /** Image with psql 15 or later (runs as uid 70). */
  readonly image: string;
  /** Labels of the Job's pods (the server's client label, so the NetworkPolicy admits them). */
  readonly podLabels: { [key: string]: string };
  /** Labels of the Job. */
  readonly labels: { [key: string]: string };
}

/** Seconds the Job waits for the server. */
const WAIT_SECONDS = 120;
/** psql sessions run side by side (measured on 2 cores: `CREATE DATABASE` and first connections overlap). */
const SESSIONS = 2;
const MAINTENANCE_DATABASE = 'postgres';
/** The Job's spec besides its pod template. */
const JOB_SPEC = { backoffLimit: 10, activeDeadlineSeconds: 1800, ttlSecondsAfterFinished: 3600 };

/** The Job's name and spec for the apps it was last built for. */
interface Built {
  readonly apps: number;
  readonly name: string;
  readonly script: string;
  readonly spec: k8s.JobSpec;
}

/**
 * The Job that provisions every app of a SharedPostgres server in one script: roles, databases,
 * privileges, `search_path`, connection limits, the rotation clones, the passwords from the apps'
 * Secrets, and the schemas (see `batchInitScript` in `core/private/init-batch.ts`). A re-run with
 * nothing to do opens a handful of connections whatever the number of apps.
 *
 * Each app's password and login reach the container as environment variables the kubelet fills
 * from that app's Secret (`secretKeyRef`, optional: an app whose Secret is not filled in yet is
 * skipped and the Job fails, so that it runs again). The pod's ServiceAccount gets no token and
 * no RBAC: the apps' Secrets stay readable by nothing but the app, its own bootstrap and this Job.
 *
 * Its name ends in a hash of its pod template, which lists every app: adding an app (or changing
 * one's settings or the image) gives a new Job that provisions all of them again, which costs
 * little for those already done. The template is built once, when it is first read (at
 * synthesis), for the apps added by then: adding N apps costs O(N), not O(N²).
 */
export class DatabaseServerInitJob extends Construct {
  /** The Job. */
  public readonly job: k8s.KubeJob;
  private built?: Built;

  public constructor(scope: Construct, id: string, private readonly props: DatabaseServerInitJobProps) {
    super(scope, id);
    const build = () => this.build();
    const labels = { ...props.labels, 'app.kubernetes.io/component': 'apps-init' };
    this.job = new (class extends k8s.KubeJob {
      public toJson(): ReturnType<k8s.KubeJob['toJson']> {
        const json = super.toJson();
        const b = build();
        return { ...json, metadata: { ...json.metadata, name: b.name }, spec: k8s.toJson_JobSpec(b.spec) };
      }
    })(this, 'Resource', {
      // The name and spec are those of the apps at synthesis (see toJson above); this name stands for them until then.
      metadata: { name: `${props.name}-apps-init`, namespace: props.namespace, labels },
      spec: { template: { spec: { containers: [] } } },
    });
  }

  /** The Job's name (`<name>-apps-init-<hash of the pod template>`), for the apps added so far. */
  public get jobName(): string {
    return this.build().name;
  }

  /** The script of the `db-init` container, for the apps added so far. */
  public get initScript(): string {
    return this.build().script;
  }

  private build(): Built {
    const props = this.props;
    const apps = props.apps();
    if (this.built?.apps === apps.length) return this.built;
    const passwordEnv = (i: number) => `APP_${i}_${DatabaseSecretKeys.PASSWORD}`;
    const userEnv = (i: number) => `APP_${i}_${DatabaseSecretKeys.USER}`;
    const script = batchInitScript(apps.map((app, i) => ({
      names: app.secret.names,
      secretName: app.secret.secretName,
      passwordEnv: passwordEnv(i),
      userEnv: userEnv(i),
      connectionLimit: app.connectionLimit,
      alternatingUsers: app.secret.rotationInterval !== undefined,
    })), { maintenanceDatabase: MAINTENANCE_DATABASE, waitTimeoutSeconds: WAIT_SECONDS, sessions: SESSIONS });

    const fromSecret = (name: string, secretName: string, key: string): k8s.EnvVar =>
      ({ name, valueFrom: { secretKeyRef: { name: secretName, key, optional: true } } });
    const template: k8s.PodTemplateSpec = {
      metadata: { labels: props.podLabels },
      spec: {
        automountServiceAccountToken: false,
        restartPolicy: 'OnFailure',
        securityContext: podSecurityContext(),
        containers: [{
          name: 'db-init',
          image: props.image,
          command: ['/bin/sh', '-c', script],
          env: [
            { name: 'PGHOST', value: props.host },
            { name: 'PGPORT', value: String(props.port) },
            { name: 'PGUSER', value: props.superuserUsername },
            { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: props.superuserSecretName, key: 'POSTGRES_PASSWORD' } } },
            { name: 'PGSSLMODE', value: props.sslMode.value },
            { name: 'PGCONNECT_TIMEOUT', value: '10' },
            { name: 'PGAPPNAME', value: 'db-init' },
            ...apps.flatMap((app, i) => [
              fromSecret(passwordEnv(i), app.secret.secretName, DatabaseSecretKeys.PASSWORD),
              fromSecret(userEnv(i), app.secret.secretName, DatabaseSecretKeys.USER),
            ]),
          ],
          resources: resources('10m', '32Mi', '500m', '128Mi'),
          securityContext: containerSecurityContext(POSTGRES_UID),
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        }],
        volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } }],
      },
    };
    this.built = { apps: apps.length, name: hashedJobName(`${props.name}-apps-init`, template), script, spec: { ...JOB_SPEC, template } };
    return this.built;
  }
}
