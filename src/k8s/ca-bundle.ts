import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as v from '../core/private/validators';
import { Problem, throwIfAny } from '../core/private/validators';

/** Properties of a {@link CaBundle}: where the CA certificates are, and where they go. */
export interface CaBundleProps {
  /**
   * Name of a ConfigMap holding the CA bundle (CA certificates are public, so a ConfigMap is
   * the usual home). Give exactly one of `configMapName` and `secretName`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default - none: `secretName` must be given
   */
  readonly configMapName?: string;
  /**
   * Name of a Secret holding the CA bundle. Give exactly one of `configMapName` and `secretName`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default - none: `configMapName` must be given
   */
  readonly secretName?: string;
  /**
   * Key of the ConfigMap or Secret that holds the PEM bundle, e.g. `rds-global-bundle.pem`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   */
  readonly key: string;
  /**
   * Directory the bundle is mounted at (read-only). Its own directory, so the image's
   * `/etc/ssl/certs` stays intact.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default '/etc/db-ca'
   */
  readonly mountDirectory?: string;
  /**
   * File name of the bundle inside `mountDirectory`.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default - the key
   */
  readonly fileName?: string;
}

/** Directories a CA mount would hide the image's own files in. */
const SYSTEM_DIRECTORIES = ['/etc/ssl/certs', '/etc/ssl', '/etc', '/usr', '/bin', '/'];

/**
 * A CA bundle mounted into app containers, so clients can use `sslmode=verify-full` with
 * `sslrootcert` set to {@link CaBundle.path}.
 *
 * The volume projects only the bundle's key, and the directory is mounted without `subPath`,
 * so a renewed bundle in the ConfigMap or Secret reaches running pods.
 */
export class CaBundle extends Construct {
  /** Absolute path of the bundle inside the containers, for `sslrootcert`/`caPath`. */
  public readonly path: string;
  /** Directory the volume is mounted at. */
  public readonly mountDirectory: string;
  /** The volume holding the bundle. */
  public readonly volume: kplus.Volume;

  public constructor(scope: Construct, id: string, props: CaBundleProps) {
    super(scope, id);
    const mountDirectory = props.mountDirectory ?? '/etc/db-ca';
    const fileName = props.fileName ?? props.key;
    const problems: Problem[] = [
      props.configMapName === undefined && props.secretName === undefined
        ? 'a CA source is missing (got neither configMapName nor secretName). Name the ConfigMap (or Secret) that holds the PEM bundle, e.g. configMapName: \'rds-ca\'.'
        : undefined,
      props.configMapName !== undefined && props.secretName !== undefined
        ? `give only one CA source (got configMapName ${v.show(props.configMapName)} and secretName ${v.show(props.secretName)}). Remove one of them.`
        : undefined,
      props.configMapName === undefined ? undefined : v.kubernetesName('ConfigMap', 'configMapName', props.configMapName),
      props.secretName === undefined ? undefined : v.kubernetesName('Secret', 'secretName', props.secretName),
      v.secretKey('key', props.key),
      v.absolutePath('mountDirectory', mountDirectory, '/etc/db-ca') ?? (mountDirectory.endsWith('/')
        ? `mountDirectory must not end in '/' (got ${v.show(mountDirectory)}). Use e.g. '/etc/db-ca'.`
        : undefined),
      SYSTEM_DIRECTORIES.includes(mountDirectory)
        ? `mountDirectory ${v.show(mountDirectory)} would hide the image's own files. Use a directory of its own, e.g. '/etc/db-ca'.`
        : undefined,
      // A file name defaulted from the key is a valid file name when the key is valid.
      props.fileName === undefined ? undefined : v.fileName('fileName', props.fileName, 'ca.pem'),
    ];
    throwIfAny('CaBundle', problems);
    this.mountDirectory = mountDirectory;
    this.path = `${this.mountDirectory}/${fileName}`;
    const items = { [props.key]: { path: fileName } };
    if (props.configMapName !== undefined) {
      const configMap = kplus.ConfigMap.fromConfigMapName(this, 'ConfigMap', props.configMapName);
      this.volume = kplus.Volume.fromConfigMap(this, 'Resource', configMap, { name: 'db-ca', items, optional: false });
    } else {
      const secret = kplus.Secret.fromSecretName(this, 'Secret', props.secretName!);
      this.volume = kplus.Volume.fromSecret(this, 'Resource', secret, { name: 'db-ca', items, optional: false });
    }
  }

  /** Mounts the bundle read-only into `container` at `mountDirectory`. */
  public mountInto(container: kplus.Container): void {
    container.mount(this.mountDirectory, this.volume, { readOnly: true });
  }
}
