/**
 * Options of {@link SharedPostgresTls.selfSigned}.
 */
export interface SelfSignedTlsOptions {
  /**
   * Image for the certificate Job and CronJob: it needs `sh`, `kubectl`, `openssl` (1.1.1 or
   * later), `base64`, `awk` and `mktemp`, and runs as uid 1001.
   *
   * The default is Bitnami's frozen legacy kubectl image (Debian 12, whose `ca-certificates`
   * package brings OpenSSL 3.0); mirror an image with kubectl and openssl into your registry and set it here.
   *
   * @default 'bitnamilegacy/kubectl:1.28.15'
   */
  readonly image?: string;

  /**
   * Cron schedule of the renewal CronJob, which issues a new server certificate when the current
   * one expires within `renewBeforeDays` (the same script as the Job that makes it at deploy time).
   *
   * @default '17 4 * * 1' (Mondays at 04:17)
   */
  readonly renewSchedule?: string;

  /**
   * Days a server certificate is valid (7–825).
   *
   * @default 365
   */
  readonly certificateDays?: number;

  /**
   * A server certificate that expires within this many days is replaced (1–`certificateDays` - 1).
   * Leave more than a week, so the weekly renewal CronJob has two chances.
   *
   * @default 30
   */
  readonly renewBeforeDays?: number;
}

/**
 * Options of {@link SharedPostgresTls.certManager}.
 */
export interface CertManagerTlsOptions {
  /** Name of the cert-manager Issuer or ClusterIssuer that signs the server certificate. */
  readonly issuerName: string;

  /**
   * Kind of the issuer: `Issuer` (in the database's namespace) or `ClusterIssuer`.
   *
   * @default 'ClusterIssuer'
   */
  readonly issuerKind?: string;

  /**
   * API group of the issuer (external issuers have their own).
   *
   * @default 'cert-manager.io'
   */
  readonly issuerGroup?: string;

  /**
   * Lifetime of the certificate, a Go duration in hours, minutes or seconds (e.g. `2160h`).
   *
   * @default '2160h' (90 days)
   */
  readonly duration?: string;

  /**
   * How long before expiry cert-manager renews the certificate (a Go duration, shorter than `duration`).
   *
   * @default '360h' (15 days)
   */
  readonly renewBefore?: string;
}

/**
 * How a {@link SharedPostgres} serves TLS. TLS is on by default, with a certificate made inside the
 * cluster ({@link SharedPostgresTls.selfSigned}); apps then connect with `sslmode=require`.
 *
 * With TLS, the server reloads a renewed certificate without a restart: a sidecar copies the
 * Secret's new files where PostgreSQL reads them and runs `pg_reload_conf()`.
 */
export class SharedPostgresTls {
  /**
   * A CA and server certificate made inside the cluster, no operator needed: a Job (at deploy) and
   * a weekly CronJob (renewal) run `openssl` and patch the certificate into the Secret
   * `<name>-tls`, the CA into `<name>-tls-ca` (read by nothing else) and the CA certificate into the
   * ConfigMap `<name>-ca` for apps that verify the server (`sslmode: SslMode.VERIFY_FULL` in `addApp`,
   * mounting `SharedPostgres.caBundle`). No key is ever in a manifest.
   *
   * @param options image, renewal schedule and lifetimes
   */
  public static selfSigned(options: SelfSignedTlsOptions = {}): SharedPostgresTls {
    return new SharedPostgresTls('self-signed', options, undefined, undefined);
  }

  /**
   * A cert-manager `Certificate` for the server, signed by your issuer, written into the Secret
   * `<name>-tls` and renewed by cert-manager. Apps that verify the server (`verify-full`) get the
   * CA from that Secret's `ca.crt` key (CA and self-signed issuers write it), through
   * `SharedPostgres.caBundle`. Needs cert-manager in the cluster.
   *
   * @param options the issuer, and the certificate's lifetime
   */
  public static certManager(options: CertManagerTlsOptions): SharedPostgresTls {
    return new SharedPostgresTls('cert-manager', undefined, options, undefined);
  }

  /**
   * A certificate you provide: a Secret with `tls.crt` and `tls.key` (e.g. of type kubernetes.io/tls)
   * that should name `<serviceName>.<namespace>.svc.<clusterDomain>`. A renewed Secret is reloaded
   * like the others.
   *
   * @param secretName the Secret's name
   */
  public static fromSecret(secretName: string): SharedPostgresTls {
    return new SharedPostgresTls('secret', undefined, undefined, secretName);
  }

  /**
   * No TLS: the server speaks plain text only and apps default to `sslmode=prefer`. Only for
   * clusters where something else encrypts pod traffic (a service mesh with mTLS) or for tests.
   */
  public static disabled(): SharedPostgresTls {
    return new SharedPostgresTls('disabled', undefined, undefined, undefined);
  }

  private constructor(
    /** @internal */ public readonly _mode: 'self-signed' | 'cert-manager' | 'secret' | 'disabled',
    /** @internal */ public readonly _selfSigned: SelfSignedTlsOptions | undefined,
    /** @internal */ public readonly _certManager: CertManagerTlsOptions | undefined,
    /** @internal */ public readonly _secretName: string | undefined,
  ) {}
}
