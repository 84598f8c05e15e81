import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { hashedJobName } from './hashed-name';
import { containerSecurityContext, KUBECTL_UID, podSecurityContext, resources } from './pod-defaults';
import { ResolvedTls } from './shared-postgres-settings';
import { serverCertificateScript } from '../../core/private/tls-scripts';

/** Properties of a {@link ServerCertificate}; SharedPostgres has validated every value. */
export interface ServerCertificateProps {
  readonly tls: ResolvedTls;
  /** Base name of the SharedPostgres. */
  readonly name: string;
  readonly namespace: string;
  /** Host names the certificate names; the first is the Service apps connect to. */
  readonly dnsNames: string[];
  /** Labels of the objects. */
  readonly labels: { [key: string]: string };
}

/** The parts of a cert-manager `cert-manager.io/v1` Certificate this library writes. */
export interface CertManagerCertificateSpec {
  readonly secretName: string;
  readonly secretTemplate: { readonly labels: { [key: string]: string } };
  readonly commonName: string;
  readonly dnsNames: string[];
  readonly duration: string;
  readonly renewBefore: string;
  readonly privateKey: { readonly algorithm: string; readonly size: number; readonly rotationPolicy: string };
  readonly usages: string[];
  readonly issuerRef: { readonly name: string; readonly kind: string; readonly group: string };
}

/** Days the self-signed CA is valid. */
const CA_DAYS = 3650;

/**
 * Where a SharedPostgres server's certificate comes from, when the library makes it:
 *
 * - self-signed: the Secrets `<name>-tls` (server certificate, key and CA certificate) and
 *   `<name>-tls-ca` (the CA), the ConfigMap `<name>-ca` (the CA certificate for apps), all without
 *   data in the manifest, and a Job plus a renewal CronJob running {@link serverCertificateScript}
 *   as a ServiceAccount that may only `get` and `patch` those three objects;
 * - cert-manager: a `Certificate` writing `<name>-tls`, renewed by cert-manager.
 *
 * A Secret the user provides needs neither.
 */
export class ServerCertificate extends Construct {
  /** The Job making the certificate at deploy time (self-signed). */
  public readonly job?: k8s.KubeJob;
  /** The CronJob renewing it (self-signed). */
  public readonly renewal?: k8s.KubeCronJob;
  /** The cert-manager Certificate. */
  public readonly certificate?: ApiObject;
  /** The script of the Job and CronJob (self-signed). */
  public readonly script?: string;

  public constructor(scope: Construct, id: string, props: ServerCertificateProps) {
    super(scope, id);
    const tls = props.tls;
    const metadata = (name: string): ApiObjectMetadata => ({ name, namespace: props.namespace, labels: props.labels });

    if (tls.certManager !== undefined) {
      const m = tls.certManager;
      const spec: CertManagerCertificateSpec = {
        secretName: tls.secretName,
        secretTemplate: { labels: props.labels },
        commonName: props.dnsNames[0],
        dnsNames: props.dnsNames,
        duration: m.duration,
        renewBefore: m.renewBefore,
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        usages: ['server auth', 'digital signature', 'key encipherment'],
        issuerRef: { name: m.issuerName, kind: m.issuerKind, group: m.issuerGroup },
      };
      this.certificate = new ApiObject(this, 'Resource', {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: metadata(tls.secretName),
        spec,
      });
      return;
    }

    const o = tls.selfSigned;
    if (o === undefined) return;
    // The objects the script fills in: in the manifest without their keys, so re-applying it keeps them.
    new k8s.KubeSecret(this, 'Secret', { metadata: metadata(tls.secretName), type: 'Opaque' });
    new k8s.KubeSecret(this, 'CaSecret', { metadata: metadata(o.caSecretName), type: 'Opaque' });
    new k8s.KubeConfigMap(this, 'CaConfigMap', { metadata: metadata(o.caConfigMapName) });

    const account = `${props.name}-tls`;
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: metadata(account), automountServiceAccountToken: false });
    new k8s.KubeRole(this, 'Role', {
      metadata: metadata(account),
      rules: [
        { apiGroups: [''], resources: ['secrets'], resourceNames: [tls.secretName, o.caSecretName], verbs: ['get', 'patch'] },
        { apiGroups: [''], resources: ['configmaps'], resourceNames: [o.caConfigMapName], verbs: ['get', 'patch'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: metadata(account),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: account },
      subjects: [{ kind: 'ServiceAccount', name: account }],
    });

    this.script = serverCertificateScript({
      serverSecretName: tls.secretName,
      caSecretName: o.caSecretName,
      caConfigMapName: o.caConfigMapName,
      dnsNames: props.dnsNames,
      caCommonName: `${props.name} PostgreSQL CA (${props.namespace})`,
      certificateDays: o.certificateDays,
      renewBeforeDays: o.renewBeforeDays,
      caDays: CA_DAYS,
    });
    const template: k8s.PodTemplateSpec = {
      metadata: { labels: props.labels },
      spec: {
        serviceAccountName: account,
        automountServiceAccountToken: true,
        restartPolicy: 'OnFailure',
        securityContext: podSecurityContext(),
        containers: [{
          name: 'server-certificate',
          image: o.image,
          command: ['/bin/sh', '-c', this.script],
          env: [
            { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'HOME', value: '/tmp' },
          ],
          resources: resources('10m', '32Mi', '200m', '128Mi'),
          securityContext: containerSecurityContext(KUBECTL_UID),
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        }],
        // Keys are made in memory only.
        volumes: [{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('16Mi') } }],
      },
    };
    this.job = new k8s.KubeJob(this, 'Job', {
      metadata: metadata(hashedJobName(account, template)),
      spec: { backoffLimit: 6, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 86400, template },
    });
    this.renewal = new k8s.KubeCronJob(this, 'Renewal', {
      metadata: metadata(`${account}-renew`),
      spec: {
        schedule: o.renewSchedule,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: { spec: { backoffLimit: 6, activeDeadlineSeconds: 600, template } },
      },
    });
  }
}
