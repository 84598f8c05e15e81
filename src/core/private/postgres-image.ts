/**
 * The PostgreSQL major version a container image runs, read from its reference:
 * `postgres:15-alpine` → 15, `bitnami/postgresql:16.2.0-debian-12-r5` → 16, `postgis/postgis:15-3.4` → 15,
 * `timescale/timescaledb:2.14.2-pg16` → 16, `postgres:9.6` → 9.6. Undefined when the image is not
 * a PostgreSQL server image or its tag does not say the version (a digest alone, `latest`).
 */
export function postgresMajorOf(image: string): string | undefined {
  const withoutDigest = image.split('@')[0];
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon <= slash) return undefined;
  const repository = withoutDigest.slice(0, colon).toLowerCase();
  const tag = withoutDigest.slice(colon + 1);
  const name = repository.split('/').pop() ?? '';
  if (/^(postgres|postgresql|postgis|postgresql-repmgr)$/.test(name)) {
    const m = /^(9\.\d|\d{2})(?=$|[.\-_])/.exec(tag);
    if (m) return m[1];
  }
  if (/postgres|pg|timescale|postgis/.test(repository)) {
    const m = /(?:^|[-_])pg(\d{2})(?=$|[.\-_])/.exec(tag);
    if (m) return m[1];
  }
  return undefined;
}
