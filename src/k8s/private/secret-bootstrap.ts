import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SecretAccess, SecretAccessProps } from './secret-access';
import { secretBootstrapScript, SecretBootstrapScriptOptions } from '../../core/private/secret-bootstrap';

/**
 * Default image for the bootstrap container: kubectl with a POSIX shell and coreutils.
 *
 * Bitnami removed the versioned `bitnami/kubectl` tags from Docker Hub in 2025; the same images
 * stay pullable, frozen, as `bitnamilegacy/kubectl`. Production users should mirror a kubectl
 * image with a shell into their own registry and pass it as `bootstrapImage`.
 */
export const DEFAULT_BOOTSTRAP_IMAGE = 'bitnamilegacy/kubectl:1.28.15';

/** Properties of a {@link SecretBootstrap}; the owning construct has validated every value. */
export interface SecretBootstrapProps extends SecretBootstrapScriptOptions, SecretAccessProps {
  /** Image with `kubectl`, `sh`, `tr`, `head` and `base64`. */
  readonly image: string;
}

/**
 * Everything a pod needs to fill a Secret's password inside the cluster: a ServiceAccount, a Role
 * that allows only `get` and `patch` on that one Secret (`resourceNames`), a RoleBinding (see
 * {@link SecretAccess}), and the container that runs the secret-bootstrap script.
 */
export class SecretBootstrap extends SecretAccess {
  /** The script the container runs. */
  public readonly script: string;
  private readonly image: string;

  public constructor(scope: Construct, id: string, props: SecretBootstrapProps) {
    super(scope, id, props);
    this.image = props.image;
    this.script = secretBootstrapScript(props);
  }

  /**
   * The bootstrap container. The pod must set `serviceAccountName` to {@link serviceAccountName}
   * and provide an emptyDir volume named `volumeName` (kubectl's cache lives in it). Without
   * `tokenVolumeName` the pod must also set `automountServiceAccountToken: true`; with it, the pod
   * keeps automounting off, adds {@link tokenVolume} under that name, and only this container gets
   * the API token.
   */
  public container(name: string, volumeName: string, tokenVolumeName?: string): k8s.Container {
    return this.kubectlContainer(name, this.image, this.script, volumeName, tokenVolumeName);
  }

  /** {@link SecretAccess.tokenVolume}. */
  public tokenVolume(name: string): k8s.Volume {
    return SecretAccess.tokenVolume(name);
  }
}
