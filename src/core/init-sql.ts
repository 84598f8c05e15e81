import { PostgresNames } from './pg-names';
import { initSteps, renderPsql } from './private/init-steps';

/** What the init job creates for one app. */
export interface InitSqlOptions {
  /** The app's database (created owned by `username` if missing). */
  readonly databaseName: string;
  /** The app's login role (created with the generated password if missing). */
  readonly username: string;
  /** The app's schema inside its database (created owned by `username` if missing). */
  readonly schemaName: string;
  /**
   * `ALTER ROLE ... CONNECTION LIMIT` for the app's user; -1 means unlimited.
   * @default - no limit is set, and an existing limit is left as it is
   */
  readonly connectionLimit?: number;
}

/** Options for {@link InitSql.script}. */
export interface InitScriptOptions extends InitSqlOptions {
  /**
   * Database the superuser connects to first.
   * @default 'postgres'
   */
  readonly maintenanceDatabase?: string;
  /**
   * How long to wait for `pg_isready` before giving up, in seconds.
   * @default 120
   */
  readonly waitTimeoutSeconds?: number;
  /**
   * Environment variable holding the app's password.
   * @default 'DB_PASSWORD'
   */
  readonly passwordEnv?: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The init Job's own options only: the Job's script never gets the RDS app user's extra steps. */
function jobOptions(o: InitSqlOptions): InitSqlOptions {
  return { databaseName: o.databaseName, username: o.username, schemaName: o.schemaName, connectionLimit: o.connectionLimit };
}

/**
 * The SQL and shell script the database init job runs. Pure functions: the text returned is
 * exactly what the Job runs, so it can be tested against a real PostgreSQL. The SQL is the psql
 * rendering of the same list of steps the AWS provisioning Lambda runs through node-postgres.
 *
 * Idempotent and additive: it never drops anything and never changes an existing password.
 * The password reaches psql only through the environment (`\getenv`, psql 15 or later) and is
 * quoted by the server (`format('%L')`); it is never put into SQL text by the shell.
 */
export class InitSql {
  /** Throws if any name or number is unusable. */
  public static validate(owner: string, options: InitSqlOptions): void {
    PostgresNames.validateDatabaseName(owner, 'databaseName', options.databaseName);
    PostgresNames.validateRoleName(owner, 'username', options.username);
    PostgresNames.validateSchemaName(owner, 'schemaName', options.schemaName);
    const limit = options.connectionLimit;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < -1)) {
      throw new Error(`${owner}: connectionLimit must be a whole number, -1 (unlimited) or more (got ${limit}). Use -1 to lift the limit.`);
    }
  }

  /**
   * psql input run as the superuser in the maintenance database: role, database, CONNECT privileges,
   * `search_path` and the optional connection limit. psql reads the app's password from the
   * environment variable `passwordEnv` (`\\getenv`, psql 15 or later).
   */
  public static serverSql(options: InitSqlOptions, passwordEnv: string = 'DB_PASSWORD'): string {
    InitSql.validate('InitSql', options);
    return renderPsql(initSteps(jobOptions(options)).server, { password: passwordEnv });
  }

  /** psql input run as the superuser inside the app's database: the app's schema. */
  public static databaseSql(options: InitSqlOptions): string {
    InitSql.validate('InitSql', options);
    return renderPsql(initSteps(jobOptions(options)).database, {});
  }

  /**
   * The whole init script (run with `/bin/sh -c`). Expects the superuser connection in
   * `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD` (and optionally `PGSSLMODE`) and the app's
   * password in `passwordEnv`.
   */
  public static script(options: InitScriptOptions): string {
    const maintenanceDatabase = options.maintenanceDatabase ?? 'postgres';
    const waitTimeoutSeconds = options.waitTimeoutSeconds ?? 120;
    const passwordEnv = options.passwordEnv ?? 'DB_PASSWORD';
    PostgresNames.validateIdentifier('InitSql', 'maintenanceDatabase', maintenanceDatabase);
    if (!ENV_NAME.test(passwordEnv)) {
      throw new Error(`InitSql: passwordEnv must be an environment variable name (got ${JSON.stringify(passwordEnv)}). Use e.g. 'DB_PASSWORD'.`);
    }
    if (!Number.isInteger(waitTimeoutSeconds) || waitTimeoutSeconds < 1 || waitTimeoutSeconds > 3600) {
      throw new Error(`InitSql: waitTimeoutSeconds must be a whole number from 1 to 3600 (got ${waitTimeoutSeconds}). Use e.g. 120.`);
    }
    const q = PostgresNames.quoteShell;
    const eof = '__DB_INIT_SQL__';
    return [
      'set -eu',
      `: "\${${passwordEnv}:?${passwordEnv} must hold the app password (from its Secret)}"`,
      `echo "db-init: waiting up to ${waitTimeoutSeconds}s for PostgreSQL at $PGHOST:\${PGPORT:-5432}"`,
      `deadline=$(( $(date +%s) + ${waitTimeoutSeconds} ))`,
      'until pg_isready -q -t 5 -d ' + q(maintenanceDatabase) + '; do',
      '  if [ "$(date +%s)" -ge "$deadline" ]; then',
      `    echo "db-init: PostgreSQL did not become ready within ${waitTimeoutSeconds}s" >&2`,
      '    exit 1',
      '  fi',
      '  sleep 2',
      'done',
      `echo "db-init: role, database and privileges for ${options.databaseName}"`,
      `psql -X -q -v ON_ERROR_STOP=1 -d ${q(maintenanceDatabase)} <<'${eof}'`,
      InitSql.serverSql(options, passwordEnv) + eof,
      `echo "db-init: schema ${options.schemaName}"`,
      `psql -X -q -v ON_ERROR_STOP=1 -d ${q(options.databaseName)} <<'${eof}'`,
      InitSql.databaseSql(options) + eof,
      'echo "db-init: done"',
    ].join('\n') + '\n';
  }

  /** The migration script: each command in turn, stopping at the first failure. */
  public static migrationScript(owner: string, commands: string[]): string {
    if (commands.length === 0) {
      throw new Error(`${owner}: migrations.commands must list at least one command (got []). Give e.g. ['python manage.py migrate'].`);
    }
    commands.forEach((c, i) => {
      if (c.trim().length === 0) {
        throw new Error(`${owner}: migrations.commands[${i}] must not be empty (got ${JSON.stringify(c)}). Remove it or give a command.`);
      }
    });
    const lines = ['set -eu'];
    commands.forEach((c, i) => {
      lines.push(`echo ${PostgresNames.quoteShell(`migrate: step ${i + 1}/${commands.length}`)}`, c);
    });
    return lines.join('\n') + '\n';
  }

  private constructor() {}
}
