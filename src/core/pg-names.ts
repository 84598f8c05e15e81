/**
 * Names of one app's database objects and Kubernetes objects, as derived by
 * {@link PostgresNames.appDefaults}.
 */
export interface AppDatabaseNames {
  /** PostgreSQL database, e.g. `example_app_db`. */
  readonly databaseName: string;
  /** PostgreSQL login role, e.g. `example_app_user`. */
  readonly username: string;
  /** PostgreSQL schema owned by the user, e.g. `example_app`. */
  readonly schemaName: string;
  /** Kubernetes Secret with the connection details, e.g. `example-app-db-secret`. */
  readonly secretName: string;
  /** The app name as a DNS-1123 label, used in Kubernetes object names, e.g. `example-app`. */
  readonly resourceName: string;
}

/**
 * Keywords PostgreSQL 15 does not accept as bare identifiers everywhere (its reserved,
 * type/function-name and column-name categories). `quote_ident()` quotes all of them.
 * @see https://www.postgresql.org/docs/15/sql-keywords-appendix.html
 */
const NON_UNRESERVED_KEYWORDS = new Set(`
all analyse analyze and any array as asc asymmetric both case cast check collate column constraint
create current_catalog current_date current_role current_time current_timestamp current_user default
deferrable desc distinct do else end except false fetch for foreign from grant group having in
initially intersect into lateral leading limit localtime localtimestamp not null offset on only or
order placing primary references returning select session_user some symmetric table then to trailing
true union unique user using variadic when where window with
authorization binary collation concurrently cross current_schema freeze full ilike inner is isnull
join left like natural notnull outer overlaps right similar tablesample verbose
between bigint bit boolean char character coalesce dec decimal exists extract float greatest grouping
inout int integer interval least national nchar none normalize nullif numeric out overlay position
precision real row setof smallint substring time timestamp treat trim values varchar xmlattributes
xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable
`.trim().split(/\s+/));

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const APP_NAME = /^[a-z]([a-z0-9_-]*[a-z0-9])?$/;

function show(value: string): string {
  return JSON.stringify(value);
}

/**
 * Validation, derivation and quoting of PostgreSQL identifiers and Kubernetes names.
 *
 * Names are validated before anything is synthesized: a PostgreSQL identifier must match
 * `[A-Za-z_][A-Za-z0-9_]*` and be at most 63 bytes, so no name can carry a quote, a semicolon
 * or white space into SQL or shell text. Identifiers are still quoted wherever they are
 * written into SQL ({@link PostgresNames.quoteIdent}), so mixed-case names and keywords such
 * as `user` or `order` work.
 */
export class PostgresNames {
  /** PostgreSQL truncates identifiers longer than this (NAMEDATALEN - 1). */
  public static readonly MAX_IDENTIFIER_LENGTH = 63;
  /** Kubernetes DNS-1123 label limit. */
  public static readonly MAX_LABEL_LENGTH = 63;
  /**
   * Longest app name: `<app>-db-init-<8 hex>` must still be a 63-character label.
   */
  public static readonly MAX_APP_NAME_LENGTH = 46;

  /** Databases every cluster has; an app must not take them over. */
  public static reservedDatabaseNames(): string[] {
    return ['postgres', 'template0', 'template1'];
  }

  /** True if `name` may be written into SQL without quotes (what `quote_ident()` leaves alone). */
  public static isBareIdentifier(name: string): boolean {
    return /^[a-z_][a-z0-9_]*$/.test(name) && !NON_UNRESERVED_KEYWORDS.has(name);
  }

  /**
   * Quotes an identifier like PostgreSQL's `quote_ident()`: unchanged when it is a lower-case
   * name that is not a keyword, else wrapped in double quotes with inner quotes doubled.
   */
  public static quoteIdent(name: string): string {
    if (PostgresNames.isBareIdentifier(name)) return name;
    return `"${name.replace(/"/g, '""')}"`;
  }

  /** Quotes a string like PostgreSQL's `quote_literal()` (standard-conforming strings). */
  public static quoteLiteral(value: string): string {
    if (value.includes('\\')) {
      return `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
    }
    return `'${value.replace(/'/g, "''")}'`;
  }

  /** Quotes a word for a POSIX shell (single quotes; inner single quotes escaped). */
  public static quoteShell(value: string): string {
    return `'${value.replace(/'/g, '\'"\'"\'')}'`;
  }

  /**
   * Throws unless `value` is a safe PostgreSQL identifier (`[A-Za-z_][A-Za-z0-9_]*`, at most 63 bytes).
   * @param owner the construct reporting the error, e.g. `DbInitJob`
   * @param prop the prop that holds the value
   * @param value the name to check
   */
  public static validateIdentifier(owner: string, prop: string, value: string): void {
    if (value.length === 0) {
      throw new Error(`${owner}: ${prop} must not be empty. Give a PostgreSQL identifier such as 'my_app_db'.`);
    }
    if (Buffer.byteLength(value, 'utf-8') > PostgresNames.MAX_IDENTIFIER_LENGTH) {
      throw new Error(`${owner}: ${prop} must be at most ${PostgresNames.MAX_IDENTIFIER_LENGTH} bytes (got ${Buffer.byteLength(value, 'utf-8')}: ${show(value)}). `
        + 'PostgreSQL would silently truncate it; choose a shorter name.');
    }
    if (!IDENTIFIER.test(value)) {
      throw new Error(`${owner}: ${prop} must be a PostgreSQL identifier of letters, digits and underscores, not starting with a digit (got ${show(value)}). `
        + 'Quotes, semicolons, spaces and hyphens are rejected so no name can change the generated SQL; use underscores instead.');
    }
  }

  /** Throws unless `value` is a valid database name an app may own (not `postgres`, `template0`, `template1`). */
  public static validateDatabaseName(owner: string, prop: string, value: string): void {
    PostgresNames.validateIdentifier(owner, prop, value);
    if (PostgresNames.reservedDatabaseNames().includes(value.toLowerCase())) {
      throw new Error(`${owner}: ${prop} must not be a reserved database (got ${show(value)}). `
        + `${PostgresNames.reservedDatabaseNames().join(', ')} belong to the server; give the app its own database, e.g. 'my_app_db'.`);
    }
  }

  /** Throws unless `value` is a valid name for an app's login role. */
  public static validateRoleName(owner: string, prop: string, value: string): void {
    PostgresNames.validateIdentifier(owner, prop, value);
    const lower = value.toLowerCase();
    if (lower.startsWith('pg_')) {
      throw new Error(`${owner}: ${prop} must not start with 'pg_' (got ${show(value)}). PostgreSQL reserves that prefix for built-in roles; choose e.g. 'my_app_user'.`);
    }
    if (['postgres', 'public', 'none', 'current_user', 'session_user', 'current_role'].includes(lower)) {
      throw new Error(`${owner}: ${prop} must not be the reserved role name ${show(value)}. Choose an app-specific user such as 'my_app_user'.`);
    }
  }

  /** Throws unless `value` is a valid name for an app's schema. */
  public static validateSchemaName(owner: string, prop: string, value: string): void {
    PostgresNames.validateIdentifier(owner, prop, value);
    const lower = value.toLowerCase();
    if (lower.startsWith('pg_') || lower === 'public' || lower === 'information_schema') {
      throw new Error(`${owner}: ${prop} must not be a system schema or start with 'pg_' (got ${show(value)}). Choose an app-specific schema such as 'my_app'.`);
    }
  }

  /** Throws unless `value` is a DNS-1123 label (Kubernetes object names such as Jobs and Services). */
  public static validateDnsLabel(owner: string, prop: string, value: string): void {
    if (value.length > PostgresNames.MAX_LABEL_LENGTH || !DNS_LABEL.test(value)) {
      throw new Error(`${owner}: ${prop} must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters (got ${show(value)}). `
        + `Try ${show(PostgresNames.suggestLabel(value))}.`);
    }
  }

  /** Throws unless `value` is a DNS-1123 subdomain (Kubernetes Secret and host names). */
  public static validateDnsSubdomain(owner: string, prop: string, value: string): void {
    if (value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
      throw new Error(`${owner}: ${prop} must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', at most 253 characters (got ${show(value)}). `
        + `Try ${show(PostgresNames.suggestLabel(value))}.`);
    }
  }

  /**
   * Throws unless `value` is a usable app name: lower-case letters, digits, `_` and `-`, starting with a
   * letter, at most 46 characters. Both `example_app` and `example-app` are accepted.
   */
  public static validateAppName(owner: string, prop: string, value: string): void {
    if (value.length > PostgresNames.MAX_APP_NAME_LENGTH) {
      throw new Error(`${owner}: ${prop} must be at most ${PostgresNames.MAX_APP_NAME_LENGTH} characters (got ${value.length}: ${show(value)}). `
        + 'Kubernetes names derived from it (e.g. <app>-db-init-<hash>) must fit in 63 characters; choose a shorter app name.');
    }
    if (!APP_NAME.test(value)) {
      throw new Error(`${owner}: ${prop} must be lower-case letters, digits, '_' or '-', starting with a letter and ending with a letter or digit (got ${show(value)}). `
        + `Try ${show(PostgresNames.suggestLabel(value).replace(/^[^a-z]+/, ''))}.`);
    }
  }

  /** The app name as a DNS-1123 label (`_` becomes `-`). */
  public static toResourceName(appName: string): string {
    return appName.replace(/_/g, '-');
  }

  /** The app name as a PostgreSQL identifier (`-` becomes `_`). */
  public static toIdentifier(appName: string): string {
    return appName.replace(/-/g, '_');
  }

  /**
   * Seed names for an app: database `<app>_db`, user `<app>_user`, schema `<app>`,
   * Secret `<app>-db-secret` (with `_` and `-` swapped as each system requires).
   */
  public static appDefaults(appName: string): AppDatabaseNames {
    const id = PostgresNames.toIdentifier(appName);
    const resourceName = PostgresNames.toResourceName(appName);
    return {
      databaseName: `${id}_db`,
      username: `${id}_user`,
      schemaName: id,
      secretName: `${resourceName}-db-secret`,
      resourceName,
    };
  }

  private static suggestLabel(value: string): string {
    const s = value.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
    return s.length > 0 ? s : 'my-app';
  }

  private constructor() {}
}
