import { AppDatabaseNames } from './app-database-names';
import { PostgresNames } from './pg-names';
import { initSteps, InitSteps, renderPsql } from './private/init-steps';
import * as v from './private/validators';
import { Problem, throwIfAny } from './private/validators';

const DEFAULT_PASSWORD_ENV = 'DB_PASSWORD';

/** What the init job creates for one app. */
export interface InitSqlOptions {
  /** The app's names (database, user, schema), validated when they were made. */
  readonly names: AppDatabaseNames;
  /**
   * `ALTER ROLE ... CONNECTION LIMIT` for the app's user; -1 means unlimited.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default - no limit is set, and an existing limit is left as it is
   */
  readonly connectionLimit?: number;
}

/** Options for {@link InitSql.script}. */
export interface InitScriptOptions extends InitSqlOptions {
  /**
   * Database the superuser connects to first.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default 'postgres'
   */
  readonly maintenanceDatabase?: string;
  /**
   * How long to wait for `pg_isready` before giving up, in seconds.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default 120
   */
  readonly waitTimeoutSeconds?: number;
  /**
   * Environment variable holding the app's password.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default 'DB_PASSWORD'
   */
  readonly passwordEnv?: string;
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
  /**
   * psql input run as the superuser in the maintenance database: role, database, CONNECT privileges,
   * `search_path` and the optional connection limit. psql reads the app's password from the
   * environment variable `passwordEnv` (`\\getenv`, psql 15 or later).
   */
  public static serverSql(options: InitSqlOptions, passwordEnv: string = DEFAULT_PASSWORD_ENV): string {
    throwIfAny('InitSql', InitSql._problems({ ...options, passwordEnv }));
    return serverSql(options, passwordEnv);
  }

  /** psql input run as the superuser inside the app's database: the app's schema. */
  public static databaseSql(options: InitSqlOptions): string {
    return databaseSql(options);
  }

  /**
   * The whole init script (run with `/bin/sh -c`). Expects the superuser connection in
   * `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD` (and optionally `PGSSLMODE`) and the app's
   * password in `passwordEnv`.
   */
  public static script(options: InitScriptOptions): string {
    throwIfAny('InitSql', InitSql._problems(options));
    return InitSql._script(options);
  }

  /** The migration script: each command in turn, stopping at the first failure. */
  public static migrationScript(commands: string[]): string {
    throwIfAny('InitSql', InitSql._migrationProblems('commands', commands));
    return InitSql._migrationScript(commands);
  }

  /**
   * Every problem of the options of {@link InitSql.script}, named after the options.
   * @internal
   */
  public static _problems(options: InitScriptOptions): Problem[] {
    const limit = options.connectionLimit;
    return [
      limit === undefined ? undefined : v.intRange('connectionLimit', limit, -1, 2147483647, 'PostgreSQL takes a 32-bit integer; use -1 (unlimited) to lift the limit.'),
      options.maintenanceDatabase === undefined ? undefined : v.pgIdentifier('maintenanceDatabase', options.maintenanceDatabase),
      options.waitTimeoutSeconds === undefined ? undefined : v.durationSeconds('waitTimeoutSeconds', options.waitTimeoutSeconds, 1, 3600, 'Use e.g. 120.'),
      options.passwordEnv === undefined ? undefined : v.envVarName('passwordEnv', options.passwordEnv),
    ];
  }

  /**
   * The problems of a list of migration commands: at least one, none blank.
   * @internal
   */
  public static _migrationProblems(prop: string, commands: string[]): Problem[] {
    if (commands.length === 0) {
      return [`${prop} must list at least one command (got []). Give e.g. ['python manage.py migrate'].`];
    }
    return commands.map((c, i) => (c.trim().length === 0
      ? `${prop}[${i}] must not be empty (got ${JSON.stringify(c)}). Remove it or give a command.`
      : undefined));
  }

  /**
   * {@link InitSql.script} for options already checked with {@link InitSql._problems}.
   * @internal
   */
  public static _script(options: InitScriptOptions): string {
    const maintenanceDatabase = options.maintenanceDatabase ?? 'postgres';
    const waitTimeoutSeconds = options.waitTimeoutSeconds ?? 120;
    const passwordEnv = options.passwordEnv ?? DEFAULT_PASSWORD_ENV;
    const names = options.names;
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
      `echo "db-init: role, database and privileges for ${names.databaseName}"`,
      `psql -X -q -v ON_ERROR_STOP=1 -d ${q(maintenanceDatabase)} <<'${eof}'`,
      serverSql(options, passwordEnv) + eof,
      `echo "db-init: schema ${names.schemaName}"`,
      `psql -X -q -v ON_ERROR_STOP=1 -d ${q(names.databaseName)} <<'${eof}'`,
      databaseSql(options) + eof,
      'echo "db-init: done"',
    ].join('\n') + '\n';
  }

  /**
   * {@link InitSql.migrationScript} for commands already checked with {@link InitSql._migrationProblems}.
   * @internal
   */
  public static _migrationScript(commands: string[]): string {
    const lines = ['set -eu'];
    commands.forEach((c, i) => {
      lines.push(`echo ${PostgresNames.quoteShell(`migrate: step ${i + 1}/${commands.length}`)}`, c);
    });
    return lines.join('\n') + '\n';
  }

  private constructor() {}
}

/** The step options of the init Job: its names and limit only, never the RDS app user's extra steps. */
function jobSteps(options: InitSqlOptions): InitSteps {
  const n = options.names;
  return initSteps({ databaseName: n.databaseName, username: n.username, schemaName: n.schemaName, connectionLimit: options.connectionLimit });
}

function serverSql(options: InitSqlOptions, passwordEnv: string): string {
  return renderPsql(jobSteps(options).server, { password: passwordEnv });
}

function databaseSql(options: InitSqlOptions): string {
  return renderPsql(jobSteps(options).database, {});
}
