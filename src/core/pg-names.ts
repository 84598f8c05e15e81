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

/**
 * Quoting of PostgreSQL identifiers and literals, and of shell words, for the SQL and scripts the
 * library generates.
 *
 * Names are validated before anything is synthesized (see `AppDatabaseNames`), so no name can carry
 * a quote, a semicolon or white space into SQL or shell text. Identifiers are still quoted wherever
 * they are written into SQL ({@link PostgresNames.quoteIdent}), so mixed-case names and keywords
 * such as `user` or `order` work.
 */
export class PostgresNames {
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

  private constructor() {}
}
