import { ApiObjectMetadata } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { containerSecurityContext, KUBECTL_UID, resources } from './pod-defaults';

/** Where kubectl's in-cluster configuration looks for the ServiceAccount token. */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Properties of a {@link SecretAccess}; the owning construct has validated every value. */
export interface SecretAccessProps {
  /** Name of the ServiceAccount, Role and RoleBinding. */
  readonly name: string;
  /**
   * Namespace of the ServiceAccount, Role and RoleBinding (the Secret's).
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /** The one Secret the ServiceAccount may `get` and `patch`. */
  readonly secretName: string;
  /** Labels on the ServiceAccount, Role and RoleBinding. */
  readonly labels: { [key: string]: string };
}

/**
 * A ServiceAccount that may only `get` and `patch` one Secret (a Role with `resourceNames`, and
 * its RoleBinding), and the kubectl containers that use it. RBAC cannot limit `create` by name,
 * which is why the Secrets are part of the manifests and are only patched in the cluster.
 */
export class SecretAccess extends Construct {
  /**
   * A projected volume with what kubectl's in-cluster configuration reads (a short-lived token of
   * the pod's ServiceAccount, the cluster CA and the namespace), the same content as the automounted
   * one, so it can be mounted into the kubectl containers alone.
   */
  public static tokenVolume(name: string): k8s.Volume {
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

  /** The ServiceAccount the pod must run as. */
  public readonly serviceAccountName: string;

  public constructor(scope: Construct, id: string, props: SecretAccessProps) {
    super(scope, id);
    this.serviceAccountName = props.name;
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
   * A kubectl container running `script` as uid 1001, with the namespace in `POD_NAMESPACE` and
   * `/tmp` (kubectl's cache) on the emptyDir `volumeName`. The pod must set `serviceAccountName` to
   * {@link serviceAccountName}. Without `tokenVolumeName` the pod must also set
   * `automountServiceAccountToken: true`; with it, the pod keeps automounting off, adds
   * {@link SecretAccess.tokenVolume} under that name, and only such containers get the API token.
   */
  public kubectlContainer(name: string, image: string, script: string, volumeName: string, tokenVolumeName?: string,
    extraMounts: k8s.VolumeMount[] = [], extraEnv: k8s.EnvVar[] = []): k8s.Container {
    const mounts: k8s.VolumeMount[] = [{ name: volumeName, mountPath: '/tmp' }, ...extraMounts];
    if (tokenVolumeName !== undefined) {
      mounts.push({ name: tokenVolumeName, mountPath: SERVICE_ACCOUNT_DIR, readOnly: true });
    }
    return {
      name,
      image,
      command: ['/bin/sh', '-c', script],
      env: [
        { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'HOME', value: '/tmp' },
        ...extraEnv,
      ],
      resources: resources('10m', '32Mi', '200m', '128Mi'),
      securityContext: containerSecurityContext(KUBECTL_UID),
      volumeMounts: mounts,
    };
  }
}
