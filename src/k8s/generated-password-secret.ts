import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { hashedJobName } from './private/hashed-name';
import { podSecurityContext } from './private/pod-defaults';
import { DEFAULT_BOOTSTRAP_IMAGE, SecretBootstrap } from './private/secret-bootstrap';
import { claimUniqueNames } from './private/unique-names';
import { Problem, throwIfAny } from '../core/private/validators';
import * as v from '../core/private/validators';

/**
 * Properties of a {@link GeneratedPasswordSecret}.
 */
export interface GeneratedPasswordSecretProps {
  /**
   * Name of the Secret. It also names the bootstrap's ServiceAccount, Role and RoleBinding, and the
   * bootstrap Job is `<secretName>-<8 hex>`, so it is a DNS-1123 label of at most 54 characters.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly secretName: string;

  /**
   * Namespace of the Secret and its bootstrap objects.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /**
   * Key that receives the generated password.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default 'password'
   */
  readonly passwordKey?: string;

  /**
   * Keys written into the Secret's manifest (`stringData`): only what is not secret, such as the
   * user name.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default - none
   */
  readonly stringData?: { [key: string]: string };

  /**
   * Labels of the Secret. The bootstrap's ServiceAccount, Role, RoleBinding and Job get the same
   * labels with `app.kubernetes.io/component: secret-bootstrap`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default - none
   */
  readonly labels?: { [key: string]: string };

  /**
   * Image with `kubectl` and a POSIX shell for the bootstrap Job (runs as uid 1001).
   *
   * The default is Bitnami's frozen legacy copy (the versioned `bitnami/kubectl` tags were removed
   * from Docker Hub in 2025); mirror a kubectl image with a shell into your registry and set it here.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   *
   * @default 'bitnamilegacy/kubectl:1.28.15'
   */
  readonly bootstrapImage?: string;
}

const OWNER = 'GeneratedPasswordSecret';

/**
 * A Secret whose password is generated inside the cluster, so it never appears in a manifest.
 *
 * The manifest holds the Secret with only its non-secret keys, and a Job that generates a
 * 32-character alphanumeric password and patches it in under `passwordKey` when that key is
 * missing (an existing password is never replaced). The Job's ServiceAccount may only `get` and
 * `patch` this one Secret. The Job's name carries a hash of its pod template, since a Job's
 * template is immutable.
 *
 * Re-applying the manifest keeps the patched key (see `AppDatabaseSecret` for client-side and
 * server-side apply); GitOps tools should ignore `/data/<passwordKey>`.
 */
export class GeneratedPasswordSecret extends Construct {
  /** Name of the Secret. */
  public readonly secretName: string;
  /** Key holding the generated password. */
  public readonly passwordKey: string;
  /** The Secret. */
  public readonly secret: k8s.KubeSecret;
  /** The Job that fills in the password. */
  public readonly job: k8s.KubeJob;
  /** Name of the Job (`<secretName>-<hash of its pod template>`). */
  public readonly jobName: string;

  public constructor(scope: Construct, id: string, props: GeneratedPasswordSecretProps) {
    super(scope, id);
    const passwordKey = props.passwordKey ?? 'password';
    const bootstrapImage = props.bootstrapImage ?? DEFAULT_BOOTSTRAP_IMAGE;
    const stringData = props.stringData ?? {};
    const labels = props.labels ?? {};

    const problems: Problem[] = [
      props.namespace === undefined ? undefined : v.kubernetesName('Namespace', 'namespace', props.namespace),
      v.jobNamePrefix('secretName', props.secretName),
      v.secretKey('passwordKey', passwordKey),
      ...Object.keys(stringData).map((key) => v.secretKey('stringData key', key)),
      passwordKey in stringData
        ? `stringData must not hold the password key ${v.show(passwordKey)} (got a value for it). The password is generated in the cluster; drop the key.`
        : undefined,
      ...v.labels('labels', labels),
      v.imageRef('bootstrapImage', bootstrapImage, DEFAULT_BOOTSTRAP_IMAGE),
    ];
    throwIfAny(OWNER, problems);

    this.secretName = props.secretName;
    this.passwordKey = passwordKey;
    this.secret = new k8s.KubeSecret(this, 'Resource', {
      metadata: { name: props.secretName, namespace: props.namespace, labels },
      type: 'Opaque',
      stringData: Object.keys(stringData).length > 0 ? stringData : undefined,
    });

    const bootstrapLabels = { ...labels, 'app.kubernetes.io/component': 'secret-bootstrap' };
    const bootstrap = new SecretBootstrap(this, 'Bootstrap', {
      name: props.secretName,
      namespace: props.namespace,
      secretName: props.secretName,
      passwordKey,
      image: bootstrapImage,
      labels: bootstrapLabels,
    });
    const template: k8s.PodTemplateSpec = {
      metadata: { labels: bootstrapLabels },
      spec: {
        serviceAccountName: bootstrap.serviceAccountName,
        automountServiceAccountToken: true,
        restartPolicy: 'OnFailure',
        securityContext: podSecurityContext(),
        containers: [bootstrap.container('bootstrap', 'tmp')],
        volumes: [{ name: 'tmp', emptyDir: {} }],
      },
    };
    this.jobName = hashedJobName(props.secretName, template);
    this.job = new k8s.KubeJob(this, 'Job', {
      metadata: { name: this.jobName, namespace: props.namespace, labels: bootstrapLabels },
      spec: { backoffLimit: 4, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 86400, template },
    });
    claimUniqueNames(OWNER, this, 'secretName');
  }
}
