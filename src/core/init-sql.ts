import { AppDatabaseNames } from './app-database-names';
import { PostgresNames } from './pg-names';
import { cloneNameOf } from './private/app-user-rules';
import { initSteps, InitSteps, passwordSyncStep, renderPsql } from './private/init-steps';
import { serverWaitLines } from './private/server-wait';
import * as v from './private/validators';
import { Problem, throwIfAny } from './private/validators';

const DEFAULT_PASSWORD_ENV = 'DB_PASSWORD';
const DEFAULT_USER_ENV = 'DB_USER';
/** The variable the script hands the checked login to psql in. */
const LOGIN_ENV = 'DB_INIT_LOGIN';

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
  /**
   * The app's login alternates between `<username>` and `<username>_clone` (multi-user rotation,
   * `SharedPostgres.addApp` with `rotation`): the clone is made ahead of the first rotation (a
   * member of the app's role, its sessions acting as that role), the `search_path` is set on the
   * database so that both logins find the app's schema, and the role is created without a
   * password: the password step gives the login named in the app's Secret its password.
   * @default false
   */
  readonly alternatingUsers?: boolean;
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
  /**
   * Environment variable naming the login the password in `passwordEnv` belongs to (`DB_USER` of
   * the app's Secret). It must be the app's user (or, with `alternatingUsers`, its clone).
   * @default 'DB_USER' (when it is unset or empty, the app's user)
   */
  readonly userEnv?: string;
}

/**
 * The SQL and shell script the database init job runs. Pure functions: the text returned is
 * exactly what the Job runs, so it can be tested against a real PostgreSQL. The SQL is the psql
 * rendering of the same list of steps the AWS provisioning Lambda runs through node-postgres.
 *
 * Idempotent and additive: it never drops anything. The app's Secret is the source of truth for
 * its password: after creating what is missing, the script logs in as the login the Secret names
 * with the Secret's password, and only when that fails (the Secret was recreated with a new
 * password, or the role was made elsewhere) sets the role's password to the Secret's and proves
 * the login works. A password that already logs in is never rewritten.
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
      options.userEnv === undefined ? undefined : v.envVarName('userEnv', options.userEnv),
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
      ...serverWaitLines('db-init', maintenanceDatabase, waitTimeoutSeconds),
      `echo "db-init: role, database and privileges for ${names.databaseName}"`,
      `psql -X -q -v ON_ERROR_STOP=1 -d ${q(maintenanceDatabase)} <<'${eof}'`,
      serverSql(options, passwordEnv) + eof,
      `echo "db-init: schema ${names.schemaName}"`,
      `psql -X -q -v ON_ERROR_STOP=1 -d ${q(names.databaseName)} <<'${eof}'`,
      databaseSql(options) + eof,
      ...passwordCheckLines(options, maintenanceDatabase, passwordEnv, options.userEnv ?? DEFAULT_USER_ENV),
      'echo "db-init: done"',
    ].join('\n') + '\n';
  }

  /**
   * The script that waits until the app's login (`userEnv`, else the app's user) logs in to the
   * app's database with the password in `passwordEnv`, for a Job whose app another Job
   * provisions; it gives up after `waitTimeoutSeconds`. Options already checked with
   * {@link InitSql._problems}.
   * @internal
   */
  public static _waitForLoginScript(options: InitScriptOptions): string {
    const waitTimeoutSeconds = options.waitTimeoutSeconds ?? 120;
    const passwordEnv = options.passwordEnv ?? DEFAULT_PASSWORD_ENV;
    const userEnv = options.userEnv ?? DEFAULT_USER_ENV;
    const n = options.names;
    const q = PostgresNames.quoteShell;
    return [
      'set -eu',
      `: "\${${passwordEnv}:?${passwordEnv} must hold the app password (from its Secret)}"`,
      `login="\${${userEnv}:-${n.username}}"`,
      `echo "db-wait: waiting up to ${waitTimeoutSeconds}s until $login logs in to ${n.databaseName} at $PGHOST:\${PGPORT:-5432}"`,
      `deadline=$(( $(date +%s) + ${waitTimeoutSeconds} ))`,
      `until err=$(PGUSER="$login" PGPASSWORD="$${passwordEnv}" psql -X -q -t -v ON_ERROR_STOP=1 -d ${q(n.databaseName)} -c 'SELECT 1' 2>&1 >/dev/null); do`,
      '  if [ "$(date +%s)" -ge "$deadline" ]; then',
      `    echo "db-wait: $login cannot log in to ${n.databaseName} yet ($(printf '%s' "$err" | head -n 1)); the server's init Job provisions it" >&2`,
      '    exit 1',
      '  fi',
      '  sleep 5',
      'done',
      `echo "db-wait: $login logs in to ${n.databaseName}"`,
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

/**
 * The step options of the init Job: its names and limit, and with alternating users the clone,
 * the search path on the database and a role created without a password. Never the RDS app
 * user's other steps.
 */
function jobSteps(options: InitSqlOptions): InitSteps {
  const n = options.names;
  const common = { databaseName: n.databaseName, username: n.username, schemaName: n.schemaName, connectionLimit: options.connectionLimit };
  if (!options.alternatingUsers) return initSteps(common);
  return initSteps({ ...common, password: 'caller', searchPathOn: 'database', cloneName: cloneNameOf(n.username) });
}

/**
 * The shell lines that make the Secret's password log in: the login named in the Secret (one of
 * the app's own), a first attempt with its password, and only if that fails the password step
 * ({@link passwordSyncStep}) and a second attempt, which must succeed or stop at the role's
 * connection limit (PostgreSQL checks that after the password, so the password is then proven).
 */
function passwordCheckLines(options: InitSqlOptions, maintenanceDatabase: string, passwordEnv: string, userEnv: string): string[] {
  const n = options.names;
  const q = PostgresNames.quoteShell;
  const logins = options.alternatingUsers ? [n.username, cloneNameOf(n.username)] : [n.username];
  const sql = renderPsql([passwordSyncStep({ username: n.username, cloneName: options.alternatingUsers ? logins[1] : undefined })],
    { login: LOGIN_ENV, password: passwordEnv });
  const eof = '__DB_INIT_SQL__';
  const attempt = `PGUSER="$login" PGPASSWORD="$${passwordEnv}" psql -X -q -t -v ON_ERROR_STOP=1 -d ${q(n.databaseName)} -c 'SELECT 1' 2>&1 >/dev/null`;
  return [
    `login="\${${userEnv}:-${n.username}}"`,
    'case "$login" in',
    `  ${logins.map(q).join('|')}) ;;`,
    `  *) echo "db-init: ${userEnv} in the app's Secret must name the app's login ${logins.join(' or ')} (got $login). Put it back, or delete ${userEnv} and ${passwordEnv} from the Secret to start over with a new password." >&2; exit 1 ;;`,
    'esac',
    `if err=$(${attempt}); then`,
    '  echo "db-init: $login logs in with the password in the Secret"',
    'else',
    '  echo "db-init: the password in the Secret does not log in as $login ($(printf \'%s\' "$err" | head -n 1)); setting it"',
    `  ${LOGIN_ENV}="$login" psql -X -q -v ON_ERROR_STOP=1 -d ${q(maintenanceDatabase)} <<'${eof}'`,
    sql + eof,
    `  if err=$(${attempt}); then`,
    '    echo "db-init: $login now logs in with the password in the Secret"',
    '  else',
    '    case "$err" in',
    // PostgreSQL checks a role's connection limit after its password: the password is set, the test login just did not get a slot.
    '      *"too many connections for role"*) echo "db-init: the password of $login is now the Secret\'s; the test login stopped at the role\'s connection limit ($(printf \'%s\' "$err" | head -n 1))" ;;',
    '      *) echo "db-init: $login still cannot log in with the password in the Secret: $err" >&2; exit 1 ;;',
    '    esac',
    '  fi',
    'fi',
  ];
}

function serverSql(options: InitSqlOptions, passwordEnv: string): string {
  return renderPsql(jobSteps(options).server, { password: passwordEnv });
}

function databaseSql(options: InitSqlOptions): string {
  return renderPsql(jobSteps(options).database, {});
}
