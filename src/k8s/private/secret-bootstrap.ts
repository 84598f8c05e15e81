import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { PostgresNames } from '../../core/pg-names';
import { SecretBootstrapScript, SecretBootstrapScriptOptions } from '../../core/secret-bootstrap';

/**
 * Default image for the bootstrap container: kubectl with a POSIX shell and coreutils.
 *
 * Bitnami removed the versioned `bitnami/kubectl` tags from Docker Hub in 2025; the same images
 * stay pullable, frozen, as `bitnamilegacy/kubectl`. Production users should mirror a kubectl
 * image with a shell into their own registry and pass it as `bootstrapImage`.
 */
export const DEFAULT_BOOTSTRAP_IMAGE = 'bitnamilegacy/kubectl:1.28.15';

/** Properties of a {@link SecretBootstrap}. */
export interface SecretBootstrapProps extends SecretBootstrapScriptOptions {
  /** Name of the ServiceAccount, Role and RoleBinding (a DNS-1123 label). */
  readonly name: string;
  /**
   * Image with `kubectl`, `sh`, `tr`, `head` and `base64`.
   * @default DEFAULT_BOOTSTRAP_IMAGE
   */
  readonly image?: string;
  /**
   * Labels on the ServiceAccount, Role and RoleBinding.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/**
 * Everything a pod needs to fill a Secret's password inside the cluster: a ServiceAccount, a Role
 * that allows only `get` and `patch` on that one Secret (`resourceNames`), a RoleBinding, and the
 * init container that runs {@link SecretBootstrapScript}.
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
    PostgresNames.validateDnsLabel('SecretBootstrap', 'name', props.name);
    this.serviceAccountName = props.name;
    this.image = props.image ?? DEFAULT_BOOTSTRAP_IMAGE;
    if (this.image.trim().length === 0 || /\s/.test(this.image)) {
      throw new Error(`SecretBootstrap: image must be a container image reference without spaces (got ${JSON.stringify(this.image)}). Use e.g. '${DEFAULT_BOOTSTRAP_IMAGE}'.`);
    }
    this.script = SecretBootstrapScript.render(props);
    const metadata = props.labels ? { name: props.name, labels: props.labels } : { name: props.name };

    new ApiObject(this, 'ServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata,
      automountServiceAccountToken: false,
    });
    new ApiObject(this, 'Role', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata,
      rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: [props.secretName], verbs: ['get', 'patch'] }],
    });
    new ApiObject(this, 'RoleBinding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: props.name },
      subjects: [{ kind: 'ServiceAccount', name: props.name }],
    });
  }

  /**
   * The init container (plain Kubernetes JSON). The pod must set `serviceAccountName` to
   * {@link serviceAccountName} and provide an emptyDir volume named `volumeName` (kubectl's cache
   * lives in it). Without `tokenVolumeName` the pod must also set `automountServiceAccountToken: true`;
   * with it, the pod keeps automounting off, adds {@link tokenVolume} under that name, and only
   * this container gets the API token.
   */
  public container(name: string, volumeName: string, tokenVolumeName?: string): any {
    const mounts: any[] = [{ name: volumeName, mountPath: '/tmp' }];
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
      resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
      securityContext: restrictedContainerSecurity(1001, 1001),
      volumeMounts: mounts,
    };
  }

  /**
   * A projected volume with what kubectl's in-cluster configuration reads (a short-lived token of
   * the pod's ServiceAccount, the cluster CA and the namespace), the same content as the automounted
   * one, so it can be mounted into the bootstrap container alone.
   */
  public tokenVolume(name: string): any {
    return {
      name,
      projected: {
        defaultMode: 0o444,
        sources: [
          { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    };
  }
}

/** Where kubectl's in-cluster configuration looks for the ServiceAccount token. */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** A container security context that satisfies Pod Security "restricted". */
export function restrictedContainerSecurity(uid: number, gid: number): any {
  return {
    runAsUser: uid,
    runAsGroup: gid,
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
