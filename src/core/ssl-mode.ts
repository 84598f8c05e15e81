/**
 * libpq `sslmode`: how a client negotiates TLS with PostgreSQL.
 *
 * @see https://www.postgresql.org/docs/15/libpq-ssl.html#LIBPQ-SSL-PROTECTION
 */
export class SslMode {
  /** Never use TLS. Only for servers that have no TLS at all. */
  public static readonly DISABLE = new SslMode('disable');
  /** Try plain text first, then TLS. */
  public static readonly ALLOW = new SslMode('allow');
  /** Try TLS first, fall back to plain text (libpq's default). */
  public static readonly PREFER = new SslMode('prefer');
  /** Always use TLS; do not verify the server certificate. */
  public static readonly REQUIRE = new SslMode('require');
  /** Always use TLS and verify the certificate chain against a trusted CA. */
  public static readonly VERIFY_CA = new SslMode('verify-ca');
  /** Always use TLS, verify the chain and that the host name matches the certificate. */
  public static readonly VERIFY_FULL = new SslMode('verify-full');

  /** Every mode, weakest first. */
  public static all(): SslMode[] {
    return [SslMode.DISABLE, SslMode.ALLOW, SslMode.PREFER, SslMode.REQUIRE, SslMode.VERIFY_CA, SslMode.VERIFY_FULL];
  }

  /**
   * The mode named `value` (as written in a libpq connection string).
   * Throws for anything else.
   */
  public static of(value: string): SslMode {
    const found = SslMode.all().find((m) => m.value === value);
    if (!found) {
      throw new Error(`SslMode: unknown sslmode '${value}'. Use one of ${SslMode.all().map((m) => m.value).join(', ')}.`);
    }
    return found;
  }

  private constructor(
    /** The libpq spelling, e.g. `verify-full`. */
    public readonly value: string,
  ) {}

  /** True when the connection is always encrypted (`require`, `verify-ca`, `verify-full`). */
  public get alwaysEncrypted(): boolean {
    return this === SslMode.REQUIRE || this === SslMode.VERIFY_CA || this === SslMode.VERIFY_FULL;
  }

  /** True when the server certificate is checked against a CA (`verify-ca`, `verify-full`). */
  public get verifiesCertificate(): boolean {
    return this === SslMode.VERIFY_CA || this === SslMode.VERIFY_FULL;
  }

  /** The libpq spelling. */
  public toString(): string {
    return this.value;
  }
}
