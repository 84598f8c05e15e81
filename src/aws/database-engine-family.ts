/**
 * The family of a {@link DatabaseEngine}: which RDS engine runs (PostgreSQL, MySQL, MariaDB,
 * Aurora PostgreSQL or Aurora MySQL), and what follows from it (cluster or instance, default port).
 */
export class DatabaseEngineFamily {
  /** PostgreSQL on an RDS instance (`postgres`). */
  public static readonly POSTGRES = new DatabaseEngineFamily('postgres', false, true);
  /** MySQL on an RDS instance (`mysql`). */
  public static readonly MYSQL = new DatabaseEngineFamily('mysql', false, false);
  /** MariaDB on an RDS instance (`mariadb`). */
  public static readonly MARIADB = new DatabaseEngineFamily('mariadb', false, false);
  /** Aurora PostgreSQL, a cluster (`aurora-postgresql`). */
  public static readonly AURORA_POSTGRESQL = new DatabaseEngineFamily('aurora-postgresql', true, true);
  /** Aurora MySQL, a cluster (`aurora-mysql`). */
  public static readonly AURORA_MYSQL = new DatabaseEngineFamily('aurora-mysql', true, false);

  /** Every family, instance engines first. */
  public static all(): DatabaseEngineFamily[] {
    return [
      DatabaseEngineFamily.POSTGRES, DatabaseEngineFamily.MYSQL, DatabaseEngineFamily.MARIADB,
      DatabaseEngineFamily.AURORA_POSTGRESQL, DatabaseEngineFamily.AURORA_MYSQL,
    ];
  }

  private constructor(
    /** The RDS engine name, as CloudFormation's `Engine` property spells it: `postgres`, `mysql`, `mariadb`, `aurora-postgresql` or `aurora-mysql`. */
    public readonly name: string,
    /** True for the Aurora families, which run as a cluster of a writer and readers. */
    public readonly isCluster: boolean,
    /** True for PostgreSQL and Aurora PostgreSQL. */
    public readonly isPostgres: boolean,
  ) {}

  /** The family's usual port: 5432 for the PostgreSQL families, 3306 otherwise. */
  public get defaultPort(): number {
    return this.isPostgres ? 5432 : 3306;
  }

  /** The RDS engine name. */
  public toString(): string {
    return this.name;
  }
}
