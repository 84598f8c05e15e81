import { PostgresNames } from '../pg-names';

/** The names of one app on a CloudNativePG cluster; the caller has validated them. */
export interface CloudNativePgAppSetupOptions {
  readonly databaseName: string;
  readonly username: string;
  readonly schemaName: string;
  /**
   * How long to wait for the operator to create the role, the database and the schema.
   * @default 600
   */
  readonly waitSeconds?: number;
}

/**
 * SQL the CloudNativePG `Database` and `DatabaseRole` kinds cannot express, run as the superuser
 * once the operator has created the role, the database and the schema: the same privileges and
 * `search_path` the StatefulSet backend's init Job sets (only the app's role may connect to its
 * database, and its sessions find the app's schema first).
 */
export function cloudNativePgAppSql(o: CloudNativePgAppSetupOptions): string {
  const db = PostgresNames.quoteIdent(o.databaseName);
  const user = PostgresNames.quoteIdent(o.username);
  const schema = PostgresNames.quoteIdent(o.schemaName);
  return [
    `REVOKE CONNECT ON DATABASE ${db} FROM PUBLIC;`,
    `GRANT CONNECT ON DATABASE ${db} TO ${user};`,
    `ALTER ROLE ${user} IN DATABASE ${db} SET search_path TO ${schema}, public;`,
  ].join('\n') + '\n';
}

/**
 * The shell script of the app setup Job on a CloudNativePG cluster: waits (every 5 s, up to
 * `waitSeconds`) until the operator has made the app's role, database and schema, then runs
 * {@link cloudNativePgAppSql} in the app's database. It needs `psql` and the superuser's libpq
 * environment (`PGHOST`, `PGUSER`, `PGPASSWORD`, …). Running it again changes nothing.
 */
export function cloudNativePgAppSetupScript(o: CloudNativePgAppSetupOptions): string {
  const q = PostgresNames.quoteShell;
  const wait = o.waitSeconds ?? 600;
  const check = 'SELECT count(*) FROM pg_catalog.pg_roles r, pg_catalog.pg_namespace n '
    + `WHERE r.rolname = ${PostgresNames.quoteLiteral(o.username)} AND n.nspname = ${PostgresNames.quoteLiteral(o.schemaName)}`;
  return [
    'set -eu',
    `db=${q(o.databaseName)}`,
    `deadline=$(( $(date +%s) + ${wait} ))`,
    `until [ "$(psql -X -d "$db" -tAc ${q(check)} 2>/dev/null)" = "1" ]; do`,
    '  if [ "$(date +%s)" -ge "$deadline" ]; then',
    `    echo "app-setup: the operator has not created role ${o.username}, database ${o.databaseName} and schema ${o.schemaName} within ${wait} s; check the DatabaseRole and Database objects' status" >&2`,
    '    exit 1',
    '  fi',
    '  sleep 5',
    'done',
    `psql -X -v ON_ERROR_STOP=1 -d "$db" -c ${q(cloudNativePgAppSql(o))} >/dev/null`,
    `echo "app-setup: privileges and search_path of ${o.username} in ${o.databaseName} are set."`,
  ].join('\n') + '\n';
}
