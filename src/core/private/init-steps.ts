import { PostgresNames } from '../pg-names';

/**
 * The one list of steps that provisions an app on PostgreSQL: its login role, its database,
 * CONNECT limited to it, its search path and its schema (and, for RDS app users, the alternate
 * login of multi-user rotation and the password from the secret). Two renderers read it: psql
 * input for the Kubernetes init Job (`InitSql`, {@link renderPsql}) and parameterized
 * node-postgres statements for the AWS provisioning Lambda ({@link renderNodePg}).
 *
 * Names are validated before they get here and written into the SQL quoted
 * ({@link PostgresNames.quoteIdent}); values that only exist at run time (the password, the login
 * named in a secret) are never written into SQL text by us: psql reads them from the environment
 * and the server quotes them (`format('%L')`), node-postgres sends them as bind parameters.
 */

/** A value a statement needs: text known when the SQL is generated, or a value known only when it runs. */
export type SqlValue =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'runtime'; readonly name: RuntimeValue };

/** Values known only when the statements run. */
export type RuntimeValue = 'password' | 'login';

/** One statement. `{0}`, `{1}`, … in `sql` stand for `values[0]`, `values[1]`, …. */
export interface SqlStatement {
  readonly sql: string;
  readonly values: SqlValue[];
  /** The statement is a query whose rows are statements, run one by one (psql `\gexec`). */
  readonly generates: boolean;
}

/** Statements under one comment. */
export interface SqlStep {
  /** Shown as `-- <comment>` in the psql script. */
  readonly comment?: string;
  readonly statements: SqlStatement[];
}

/** Where steps run: in the maintenance database, or in the app's own database. */
export interface InitSteps {
  readonly server: SqlStep[];
  readonly database: SqlStep[];
}

/** What to provision. Every option beyond the names defaults to the init Job's behaviour. */
export interface InitStepOptions {
  /** The app's database (created owned by `username` if missing). */
  readonly databaseName: string;
  /** The app's login role. */
  readonly username: string;
  /** The app's schema inside its database (created owned by `username` if missing). */
  readonly schemaName: string;
  /** `ALTER ROLE ... CONNECTION LIMIT` for the app's user; -1 means unlimited. @default - none */
  readonly connectionLimit?: number;
  /**
   * Where the app's password comes from:
   * - `'create'`: the role gets it (runtime value `password`) when the role is created; these
   *   steps never change it afterwards (the init Job, which runs {@link passwordSyncStep} itself
   *   when the Secret's password does not log in);
   * - `'secret'`: the role is created without a password, and {@link passwordSyncStep} ends the
   *   server steps: the login named in the secret (runtime values `login` and `password`) gets
   *   the secret's password on every run, because the secret is the source of truth (the RDS
   *   provisioning Lambda);
   * - `'caller'`: the role is created without a password and the caller runs
   *   {@link passwordSyncStep} where it needs to (the init Job of an app whose login alternates,
   *   so that neither login is given the other's password).
   * @default 'create'
   */
  readonly password?: 'create' | 'secret' | 'caller';
  /**
   * The administrator running the steps is not a superuser (the RDS master user has only
   * CREATEROLE and CREATEDB): it is made a member of the app's role first, which
   * `CREATE DATABASE … OWNER` and `CREATE SCHEMA … AUTHORIZATION` require of it.
   * @default false
   */
  readonly adminIsNotSuperuser?: boolean;
  /**
   * Where the app's `search_path` is set: on the role in its database (`ALTER ROLE … IN DATABASE`),
   * or on the database itself, which every login of it (the rotation clone too) then gets.
   * @default 'role'
   */
  readonly searchPathOn?: 'role' | 'database';
  /**
   * The alternate login of multi-user rotation (`<username>_clone`), made ahead of the rotation: a
   * member of the app's role, without a password until rotation sets one, whose sessions run as
   * the app's role (`ALTER ROLE … SET role`), so that what it creates belongs to the app's role.
   * @default - none
   */
  readonly cloneName?: string;
}

const text = (value: string): SqlValue => ({ kind: 'text', text: value });
const runtime = (name: RuntimeValue): SqlValue => ({ kind: 'runtime', name });
const plain = (sql: string): SqlStatement => ({ sql, values: [], generates: false });
const generate = (sql: string, values: SqlValue[]): SqlStatement => ({ sql, values, generates: true });
const ROLE_EXISTS = ' WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {0})';

/** The steps for one app, in the order they run. */
export function initSteps(o: InitStepOptions): InitSteps {
  const db = PostgresNames.quoteIdent(o.databaseName);
  const user = PostgresNames.quoteIdent(o.username);
  const schema = PostgresNames.quoteIdent(o.schemaName);
  const server: SqlStep[] = [
    o.password === undefined || o.password === 'create'
      ? {
        comment: '1. The login role, with the generated password, only if it does not exist yet.',
        statements: [generate(`SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', {0}, {1})\n${ROLE_EXISTS}`, [text(o.username), runtime('password')])],
      }
      : {
        comment: '1. The login role, only if it does not exist yet (its password comes from the secret, below).',
        statements: [generate(`SELECT format('CREATE ROLE %I LOGIN', {0})\n${ROLE_EXISTS}`, [text(o.username)])],
      },
  ];
  if (o.adminIsNotSuperuser) {
    server.push({
      comment: '1a. The administrator is no superuser: it joins the role, which owning the database and schema on the role\'s behalf requires.',
      statements: [plain(`GRANT ${user} TO CURRENT_USER;`)],
    });
  }
  server.push(
    {
      comment: '2. The database, owned by the app, only if it does not exist yet.',
      statements: [generate("SELECT format('CREATE DATABASE %I OWNER %I', {0}, {1})\n WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = {0})",
        [text(o.databaseName), text(o.username)])],
    },
    {
      comment: '3. Only the app may connect to it.',
      statements: [plain(`REVOKE CONNECT ON DATABASE ${db} FROM PUBLIC;`), plain(`GRANT CONNECT ON DATABASE ${db} TO ${user};`)],
    },
    o.searchPathOn === 'database'
      ? databaseSearchPathStep(o)
      : {
        comment: '4. The app finds its own schema first.',
        statements: [plain(`ALTER ROLE ${user} IN DATABASE ${db} SET search_path TO ${schema}, public;`)],
      },
  );
  if (o.connectionLimit !== undefined) {
    server.push({ comment: '5. Per-app connection limit.', statements: [plain(`ALTER ROLE ${user} CONNECTION LIMIT ${o.connectionLimit};`)] });
  }
  if (o.cloneName !== undefined) {
    server.push(cloneStep({ username: o.username, cloneName: o.cloneName, connectionLimit: o.connectionLimit }));
  }
  if (o.password === 'secret') {
    server.push(passwordSyncStep(o));
  }
  const database: SqlStep[] = [
    { statements: [plain('SET client_min_messages TO warning;')] },
    { comment: '4. The schema, owned by the app, only if it does not exist yet.', statements: [plain(`CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${user};`)] },
  ];
  return { server, database };
}

/** The app's logins: its role, and the alternate login of multi-user rotation when it has one. */
export interface AppLogins {
  /** The app's login role. */
  readonly username: string;
  /** The alternate login (`<username>_clone`). @default - none */
  readonly cloneName?: string;
}

/**
 * Step 7: the login named in the secret (runtime value `login`) gets the secret's password
 * (runtime value `password`); the other login keeps its own. A login that is not one of the app's
 * is left alone (the statement generates nothing), so a tampered secret cannot reset another
 * role's password. Run in the maintenance database, by a superuser or a member of the roles.
 */
export function passwordSyncStep(o: AppLogins): SqlStep {
  const logins = o.cloneName !== undefined ? [o.username, o.cloneName] : [o.username];
  return {
    comment: '7. The login named in the secret gets the secret\'s password; the other login keeps its own.',
    statements: [generate(`SELECT format('ALTER ROLE %I PASSWORD %L', {0}, {1})\n WHERE {0} IN (${logins.map((_, i) => `{${i + 2}}`).join(', ')})`,
      [runtime('login'), runtime('password'), ...logins.map(text)])],
  };
}

/** What one rotation of an app's password needs to know. */
export interface RotationStepOptions {
  /** The app's database. */
  readonly databaseName: string;
  /** The app's login role. */
  readonly username: string;
  /** The app's schema. */
  readonly schemaName: string;
  /** The alternate login (`<username>_clone`). */
  readonly cloneName: string;
}

/**
 * One rotation of multi-user (alternating users) rotation, run as the superuser in the
 * maintenance database: the alternate login exists and acts as the app's role (step 6), every
 * login of the app finds its schema (step 4, on the database), and the login about to take over
 * (runtime value `login`, the one the secret does NOT name yet) gets the new password (runtime
 * value `password`, step 7). The login the secret names now is not touched, so its sessions and
 * its password keep working until the next rotation.
 */
export function rotationSteps(o: RotationStepOptions): SqlStep[] {
  return [cloneStep(o), databaseSearchPathStep(o), passwordSyncStep(o)];
}


/** Step 4 on the database: every login of it (the rotation clone too) finds the app's schema first. */
function databaseSearchPathStep(o: { readonly databaseName: string; readonly schemaName: string }): SqlStep {
  return {
    comment: '4. Every login of the app finds its own schema first (set on the database, so the rotation clone gets it too).',
    statements: [plain(`ALTER DATABASE ${PostgresNames.quoteIdent(o.databaseName)} SET search_path TO ${PostgresNames.quoteIdent(o.schemaName)}, public;`)],
  };
}

/**
 * Step 6: the alternate login, without a password until rotation sets one, a member of the role,
 * acting as the role, and with the role's connection limit when it has one (a limit is per login,
 * so the clone would otherwise lift it).
 */
function cloneStep(o: { readonly username: string; readonly cloneName: string; readonly connectionLimit?: number }): SqlStep {
  const clone = PostgresNames.quoteIdent(o.cloneName);
  const statements = [
    generate(`SELECT format('CREATE ROLE %I LOGIN', {0})\n${ROLE_EXISTS}`, [text(o.cloneName)]),
    // Only when missing: granting a membership again raises a NOTICE on every run.
    generate("SELECT format('GRANT %I TO %I', {0}, {1})\n WHERE NOT pg_catalog.pg_has_role({1}, {0}, 'MEMBER')", [text(o.username), text(o.cloneName)]),
    plain(`ALTER ROLE ${clone} SET role TO ${PostgresNames.quoteLiteral(o.username)};`),
  ];
  if (o.connectionLimit !== undefined) statements.push(plain(`ALTER ROLE ${clone} CONNECTION LIMIT ${o.connectionLimit};`));
  return {
    comment: '6. The alternate login of multi-user rotation: no password until rotation sets one, a member of the role, acting as the role.',
    statements,
  };
}

/**
 * psql input for `steps`: `\set ON_ERROR_STOP on`, then each runtime value read from its
 * environment variable (`\getenv app_<name> <env>`, psql 15 or later) and dropped again after
 * its last use, each step under its comment, generating statements followed by `\gexec`.
 */
export function renderPsql(steps: SqlStep[], env: { readonly [name in RuntimeValue]?: string }): string {
  const statements = steps.flatMap((s) => s.statements);
  const names = RUNTIME_VALUES.filter((n) => statements.some((st) => uses(st, n)));
  const lastUse = new Map(names.map((n) => [n, statements.filter((st) => uses(st, n)).pop()!]));
  const lines = ['\\set ON_ERROR_STOP on'];
  for (const n of names) {
    const variable = env[n];
    if (variable === undefined) throw new Error(`renderPsql: no environment variable for the runtime value '${n}'`);
    lines.push(`\\getenv app_${n} ${variable}`);
  }
  lines.push(...renderPsqlLines(steps, (st) => names.filter((n) => lastUse.get(n) === st).map((n) => `\\unset app_${n}`)));
  return lines.join('\n') + '\n';
}

/**
 * The psql lines of `steps` alone, each runtime value written as the psql variable `app_<name>`
 * (`:'app_password'`), which the caller sets (and unsets); `after` gives lines to add after a statement.
 */
export function renderPsqlLines(steps: SqlStep[], after: (st: SqlStatement) => string[] = () => []): string[] {
  const lines: string[] = [];
  for (const step of steps) {
    if (step.comment !== undefined) lines.push(`-- ${step.comment}`);
    for (const st of step.statements) {
      const sql = st.sql.replace(/\{(\d+)\}/g, (_, i) => {
        const v = st.values[Number(i)];
        return v.kind === 'text' ? PostgresNames.quoteLiteral(v.text) : `:'app_${v.name}'`;
      });
      lines.push(...(st.generates ? [sql, '\\gexec'] : [sql]), ...after(st));
    }
  }
  return lines;
}

const RUNTIME_VALUES: RuntimeValue[] = ['password', 'login'];
const uses = (st: SqlStatement, name: RuntimeValue) => st.values.some((v) => v.kind === 'runtime' && v.name === name);

/** A statement for node-postgres: text with `$1::text`, `$2::text`, … and their values. */
export interface PgQuery {
  readonly text: string;
  readonly values: string[];
  /** Each row's first column is a statement to run next (the psql `\gexec` of this query). */
  readonly generates: boolean;
}

/**
 * Parameterized node-postgres statements for `steps`, with the runtime values given. Every value
 * is a bind parameter (typed `text`, which `format()` needs), never part of the SQL text.
 */
export function renderNodePg(steps: SqlStep[], runtimeValues: { readonly [name in RuntimeValue]?: string }): PgQuery[] {
  return steps.flatMap((step) => step.statements.map((st) => ({
    text: st.sql.replace(/\{(\d+)\}/g, (_, i) => `$${Number(i) + 1}::text`),
    values: st.values.map((v) => {
      if (v.kind === 'text') return v.text;
      const value = runtimeValues[v.name];
      if (value === undefined) throw new Error(`renderNodePg: no value for the runtime value '${v.name}'`);
      return value;
    }),
    generates: st.generates,
  })));
}
