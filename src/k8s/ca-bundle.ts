import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PostgresNames } from '../core/pg-names';

/** Properties of a {@link CaBundle}: where the CA certificates are, and where they go. */
export interface CaBundleProps {
  /**
   * Name of a ConfigMap holding the CA bundle (CA certificates are public, so a ConfigMap is
   * the usual home). Give exactly one of `configMapName` and `secretName`.
   * @default - none: `secretName` must be given
   */
  readonly configMapName?: string;
  /**
   * Name of a Secret holding the CA bundle. Give exactly one of `configMapName` and `secretName`.
   * @default - none: `configMapName` must be given
   */
  readonly secretName?: string;
  /** Key of the ConfigMap or Secret that holds the PEM bundle, e.g. `rds-global-bundle.pem`. */
  readonly key: string;
  /**
   * Directory the bundle is mounted at (read-only). Its own directory, so the image's
   * `/etc/ssl/certs` stays intact.
   * @default '/etc/db-ca'
   */
  readonly mountDirectory?: string;
  /**
   * File name of the bundle inside `mountDirectory`.
   * @default - the key
   */
  readonly fileName?: string;
}

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
    const owner = 'CaBundle';
    if (props.configMapName === undefined && props.secretName === undefined) {
      throw new Error(`${owner}: a CA source is missing (got neither configMapName nor secretName). `
        + 'Name the ConfigMap (or Secret) that holds the PEM bundle, e.g. configMapName: \'rds-ca\'.');
    }
    if (props.configMapName !== undefined && props.secretName !== undefined) {
      throw new Error(`${owner}: give only one CA source (got configMapName ${JSON.stringify(props.configMapName)} and secretName ${JSON.stringify(props.secretName)}). Remove one of them.`);
    }
    if (!/^[-._a-zA-Z0-9]{1,253}$/.test(props.key)) {
      throw new Error(`${owner}: key must be a ConfigMap/Secret key of letters, digits, '-', '_' and '.' (got ${JSON.stringify(props.key)}). Use e.g. 'ca.pem'.`);
    }
    this.mountDirectory = props.mountDirectory ?? '/etc/db-ca';
    if (!/^\/[^\s]*[^/\s]$/.test(this.mountDirectory) || this.mountDirectory.split('/').includes('..')) {
      throw new Error(`${owner}: mountDirectory must be an absolute directory without spaces, '..' or a trailing '/' (got ${JSON.stringify(this.mountDirectory)}). Use e.g. '/etc/db-ca'.`);
    }
    if (['/etc/ssl/certs', '/etc/ssl', '/etc', '/usr', '/bin', '/'].includes(this.mountDirectory)) {
      throw new Error(`${owner}: mountDirectory ${JSON.stringify(this.mountDirectory)} would hide the image's own files. Use a directory of its own, e.g. '/etc/db-ca'.`);
    }
    const fileName = props.fileName ?? props.key;
    if (!/^[-._a-zA-Z0-9]+$/.test(fileName) || fileName === '..' || fileName === '.') {
      throw new Error(`${owner}: fileName must be a plain file name (got ${JSON.stringify(fileName)}). Use e.g. 'ca.pem'.`);
    }
    this.path = `${this.mountDirectory}/${fileName}`;
    const items = { [props.key]: { path: fileName } };
    if (props.configMapName !== undefined) {
      PostgresNames.validateDnsSubdomain(owner, 'configMapName', props.configMapName);
      const configMap = kplus.ConfigMap.fromConfigMapName(this, 'ConfigMap', props.configMapName);
      this.volume = kplus.Volume.fromConfigMap(this, 'Resource', configMap, { name: 'db-ca', items, optional: false });
    } else {
      PostgresNames.validateDnsSubdomain(owner, 'secretName', props.secretName!);
      const secret = kplus.Secret.fromSecretName(this, 'Secret', props.secretName!);
      this.volume = kplus.Volume.fromSecret(this, 'Resource', secret, { name: 'db-ca', items, optional: false });
    }
  }

  /** Mounts the bundle read-only into `container` at `mountDirectory`. */
  public mountInto(container: kplus.Container): void {
    container.mount(this.mountDirectory, this.volume, { readOnly: true });
  }
}
