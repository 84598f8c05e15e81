import { ApiObjectMetadata } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { containerSecurityContext, KUBECTL_UID, resources } from './pod-defaults';
import { secretBootstrapScript, SecretBootstrapScriptOptions } from '../../core/private/secret-bootstrap';

/**
 * Default image for the bootstrap container: kubectl with a POSIX shell and coreutils.
 *
 * Bitnami removed the versioned `bitnami/kubectl` tags from Docker Hub in 2025; the same images
 * stay pullable, frozen, as `bitnamilegacy/kubectl`. Production users should mirror a kubectl
 * image with a shell into their own registry and pass it as `bootstrapImage`.
 */
export const DEFAULT_BOOTSTRAP_IMAGE = 'bitnamilegacy/kubectl:1.28.15';

/** Where kubectl's in-cluster configuration looks for the ServiceAccount token. */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Properties of a {@link SecretBootstrap}; the owning construct has validated every value. */
export interface SecretBootstrapProps extends SecretBootstrapScriptOptions {
  /** Name of the ServiceAccount, Role and RoleBinding. */
  readonly name: string;
  /**
   * Namespace of the ServiceAccount, Role and RoleBinding (the Secret's).
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /** Image with `kubectl`, `sh`, `tr`, `head` and `base64`. */
  readonly image: string;
  /** Labels on the ServiceAccount, Role and RoleBinding. */
  readonly labels: { [key: string]: string };
}

/**
 * Everything a pod needs to fill a Secret's password inside the cluster: a ServiceAccount, a Role
 * that allows only `get` and `patch` on that one Secret (`resourceNames`), a RoleBinding, and the
 * container that runs the secret-bootstrap script.
 *
 * RBAC cannot limit `create` by name, which is why the Secret itself is part of the manifest and
 * this only patches it.
 */
export class SecretBootstrap extends Construct {
  /** The ServiceAccount the pod must run as. */
  public readonly serviceAccountName: string;
  /** The script the container runs. */
  public readonly script: string;
  private readonly image: string;

  public constructor(scope: Construct, id: string, props: SecretBootstrapProps) {
    super(scope, id);
    this.serviceAccountName = props.name;
    this.image = props.image;
    this.script = secretBootstrapScript(props);
    const metadata: ApiObjectMetadata = { name: props.name, namespace: props.namespace, labels: props.labels };

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata, automountServiceAccountToken: false });
    new k8s.KubeRole(this, 'Role', {
      metadata,
      rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: [props.secretName], verbs: ['get', 'patch'] }],
    });
    new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: props.name },
      subjects: [{ kind: 'ServiceAccount', name: props.name }],
    });
  }

  /**
   * The bootstrap container. The pod must set `serviceAccountName` to {@link serviceAccountName}
   * and provide an emptyDir volume named `volumeName` (kubectl's cache lives in it). Without
   * `tokenVolumeName` the pod must also set `automountServiceAccountToken: true`; with it, the pod
   * keeps automounting off, adds {@link tokenVolume} under that name, and only this container gets
   * the API token.
   */
  public container(name: string, volumeName: string, tokenVolumeName?: string): k8s.Container {
    const mounts: k8s.VolumeMount[] = [{ name: volumeName, mountPath: '/tmp' }];
    if (tokenVolumeName !== undefined) {
      mounts.push({ name: tokenVolumeName, mountPath: SERVICE_ACCOUNT_DIR, readOnly: true });
    }
    return {
      name,
      image: this.image,
      command: ['/bin/sh', '-c', this.script],
      env: [
        { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'HOME', value: '/tmp' },
      ],
      resources: resources('10m', '32Mi', '200m', '128Mi'),
      securityContext: containerSecurityContext(KUBECTL_UID),
      volumeMounts: mounts,
    };
  }

  /**
   * A projected volume with what kubectl's in-cluster configuration reads (a short-lived token of
   * the pod's ServiceAccount, the cluster CA and the namespace), the same content as the automounted
   * one, so it can be mounted into the bootstrap container alone.
   */
  public tokenVolume(name: string): k8s.Volume {
    return {
      name,
      projected: {
        defaultMode: 0o444,
        sources: [
          { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardApi: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    };
  }
}
