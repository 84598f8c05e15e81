import { IResolveContext, Lazy, aws_rds as rds } from 'aws-cdk-lib';
import { DatabaseEngineFamily } from './database-engine-family';
import { majorVersionOf } from '../core/private/rds-catalog';
import { RdsRules } from '../core/private/rds-rules';
import { isToken } from '../core/private/validators';

/** The parameters that load and configure pg_stat_statements (PostgreSQL and Aurora PostgreSQL). */
const PG_STAT_STATEMENTS = { 'shared_preload_libraries': 'pg_stat_statements', 'pg_stat_statements.track': 'all' };

/**
 * The database engine of an IndependentRds: an RDS instance engine (PostgreSQL, MySQL, MariaDB)
 * or an Aurora cluster engine (Aurora PostgreSQL, Aurora MySQL), always at a full minor version.
 */
export class DatabaseEngine {
  /** PostgreSQL 16 on an RDS instance (pinned to 16.9). */
  public static readonly POSTGRES_16 = DatabaseEngine.postgres('16.9');
  /** PostgreSQL 17 on an RDS instance (pinned to 17.5). */
  public static readonly POSTGRES_17 = DatabaseEngine.postgres('17.5');
  /** MySQL 8.0 on an RDS instance (pinned to 8.0.42). */
  public static readonly MYSQL_8_0 = DatabaseEngine.mysql('8.0.42');
  /** MySQL 8.4 on an RDS instance (pinned to 8.4.5). */
  public static readonly MYSQL_8_4 = DatabaseEngine.mysql('8.4.5');
  /** MariaDB 11.4 on an RDS instance (pinned to 11.4.5). */
  public static readonly MARIADB_11_4 = DatabaseEngine.mariadb('11.4.5');
  /** Aurora PostgreSQL 16 cluster (pinned to 16.6). */
  public static readonly AURORA_POSTGRES_16 = DatabaseEngine.auroraPostgres('16.6');
  /** Aurora MySQL 3 (MySQL 8.0 compatible) cluster (pinned to 8.0.mysql_aurora.3.08.0). */
  public static readonly AURORA_MYSQL_3 = DatabaseEngine.auroraMysql('8.0.mysql_aurora.3.08.0');

  /** PostgreSQL on an RDS instance, at a full minor version such as `16.9`. */
  public static postgres(version: string): DatabaseEngine {
    return new DatabaseEngine(DatabaseEngineFamily.POSTGRES, version);
  }

  /** MySQL on an RDS instance, at a full version such as `8.0.42`. */
  public static mysql(version: string): DatabaseEngine {
    return new DatabaseEngine(DatabaseEngineFamily.MYSQL, version);
  }

  /** MariaDB on an RDS instance, at a full version such as `11.4.5`. */
  public static mariadb(version: string): DatabaseEngine {
    return new DatabaseEngine(DatabaseEngineFamily.MARIADB, version);
  }

  /** Aurora PostgreSQL cluster, at a full minor version such as `16.6`. */
  public static auroraPostgres(version: string): DatabaseEngine {
    return new DatabaseEngine(DatabaseEngineFamily.AURORA_POSTGRESQL, version);
  }

  /** Aurora MySQL cluster, at a full version such as `8.0.mysql_aurora.3.08.0`. */
  public static auroraMysql(version: string): DatabaseEngine {
    return new DatabaseEngine(DatabaseEngineFamily.AURORA_MYSQL, version);
  }

  /**
   * The major version used for parameter group families, e.g. `16`, `8.0`, `11.4` (a token when
   * the version is one; it is derived when the version resolves at synthesis).
   */
  public readonly majorVersion: string;

  private constructor(
    /** The engine family: PostgreSQL, MySQL, MariaDB, Aurora PostgreSQL or Aurora MySQL. */
    public readonly family: DatabaseEngineFamily,
    /**
     * The full engine version, e.g. `16.9`. Accepts a token that resolves to a literal version at
     * synthesis (such as a `Lazy.string`); it is checked then, by the IndependentRds using it. A
     * CloudFormation parameter is refused there: the parameter group family follows from the version.
     */
    public readonly version: string,
  ) {
    if (isToken(version)) {
      this.majorVersion = Lazy.uncachedString({ produce: (ctx: IResolveContext) => majorVersionOf(family.name, String(ctx.resolve(version))) });
      return;
    }
    const error = RdsRules.engineVersionError(family.name, version);
    if (error) throw new Error(`DatabaseEngine: ${error}`);
    this.majorVersion = majorVersionOf(family.name, version);
  }

  /** True for Aurora engines, which run as a cluster of a writer and readers. */
  public get isCluster(): boolean {
    return this.family.isCluster;
  }

  /** True for PostgreSQL and Aurora PostgreSQL. */
  public get isPostgresFamily(): boolean {
    return this.family.isPostgres;
  }

  /** The engine's usual port: 5432 for the PostgreSQL family, 3306 otherwise. */
  public get defaultPort(): number {
    return this.family.defaultPort;
  }

  /**
   * Log types exported to CloudWatch Logs by default: every type the engine has (AWS Control Tower
   * CT.RDS.PR.14). MySQL and MariaDB write the general and audit logs only once turned on
   * (`general_log`, the audit plugin option group); until then those exports stay empty.
   */
  public get defaultLogExports(): string[] {
    switch (this.family) {
      case DatabaseEngineFamily.POSTGRES: return ['postgresql', 'upgrade'];
      case DatabaseEngineFamily.AURORA_POSTGRESQL: return ['postgresql'];
      default: return ['audit', 'error', 'general', 'slowquery'];
    }
  }

  /**
   * Parameters that turn on slow-query logging (queries over 1 s) and force TLS; on the PostgreSQL
   * family also `pg_stat_statements`: preloaded (`shared_preload_libraries`, a static parameter read
   * at the next reboot) and tracking nested statements too (`pg_stat_statements.track` `all`, so
   * statements run inside functions are counted). Query it after `CREATE EXTENSION pg_stat_statements`.
   */
  public get defaultParameters(): { [name: string]: string } {
    const tls = RdsRules.tlsParameter(this.family.name);
    if (this.isPostgresFamily) {
      return { [tls.name]: tls.value, log_min_duration_statement: '1000', ...PG_STAT_STATEMENTS };
    }
    return { [tls.name]: tls.value, slow_query_log: '1', long_query_time: '1' };
  }

  /** The aws-rds instance engine. Throws for Aurora engines. */
  public instanceEngine(): rds.IInstanceEngine {
    switch (this.family) {
      case DatabaseEngineFamily.POSTGRES:
        return rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.of(this.version, this.majorVersion) });
      case DatabaseEngineFamily.MYSQL:
        return rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.of(this.version, this.majorVersion) });
      case DatabaseEngineFamily.MARIADB:
        return rds.DatabaseInstanceEngine.mariaDb({ version: rds.MariaDbEngineVersion.of(this.version, this.majorVersion) });
      default:
        throw new Error(`DatabaseEngine: ${this.family} runs as a cluster, not an instance. Use clusterEngine().`);
    }
  }

  /** The aws-rds cluster engine. Throws for instance engines. */
  public clusterEngine(): rds.IClusterEngine {
    switch (this.family) {
      case DatabaseEngineFamily.AURORA_POSTGRESQL:
        return rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.of(this.version, this.majorVersion) });
      case DatabaseEngineFamily.AURORA_MYSQL:
        return rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.of(this.version, this.majorVersion) });
      default:
        throw new Error(`DatabaseEngine: ${this.family} runs as an instance, not a cluster. Use instanceEngine().`);
    }
  }

  /** `<engine name> <version>`, e.g. `postgres 16.9`. */
  public toString(): string {
    return `${this.family.name} ${this.version}`;
  }
}
