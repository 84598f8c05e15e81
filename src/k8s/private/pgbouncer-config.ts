import { SslMode } from '../../core/ssl-mode';

/**
 * Framework-free text for PgBouncer: its ini file, the auth-setup SQL and the scripts of its
 * containers. Tests run these exact texts.
 */

/** Settings of the generated pgbouncer.ini. */
export interface PgBouncerIniSettings {
  readonly databaseHost: string;
  readonly databasePort: number;
  readonly listenPort: number;
  readonly authUser: string;
  readonly maxClientConn: number;
  readonly defaultPoolSize: number;
  /** `server_tls_sslmode` (PgBouncer takes libpq's names). */
  readonly serverSslMode: SslMode;
  /** Directory holding tls.crt/tls.key for client connections; none turns client TLS off. */
  readonly clientTlsDir?: string;
  readonly authFile: string;
  /** The user allowed the read-only `SHOW` commands of the `pgbouncer` console (the exporter's). */
  readonly statsUser?: string;
}

/**
 * pgbouncer.ini: a wildcard `[databases]` entry forwarding every database to the server, with
 * users looked up through `auth_query` (as `authUser`, in the `postgres` database), pooling in
 * transaction mode.
 */
export function pgBouncerIni(s: PgBouncerIniSettings): string {
  const lines = [
    '[databases]',
    `* = host=${s.databaseHost} port=${s.databasePort}`,
    '',
    '[pgbouncer]',
    'listen_addr = 0.0.0.0',
    `listen_port = ${s.listenPort}`,
    'unix_socket_dir =',
    'auth_type = scram-sha-256',
    `auth_file = ${s.authFile}`,
    `auth_user = ${s.authUser}`,
    'auth_query = SELECT usename, passwd FROM pgbouncer.get_auth($1)',
    'auth_dbname = postgres',
    'pool_mode = transaction',
    `max_client_conn = ${s.maxClientConn}`,
    `default_pool_size = ${s.defaultPoolSize}`,
    'ignore_startup_parameters = extra_float_digits,options',
    `server_tls_sslmode = ${s.serverSslMode.value}`,
  ];
  if (s.clientTlsDir) {
    lines.push(
      'client_tls_sslmode = require',
      `client_tls_cert_file = ${s.clientTlsDir}/tls.crt`,
      `client_tls_key_file = ${s.clientTlsDir}/tls.key`,
    );
  }
  lines.push('admin_users =', `stats_users =${s.statsUser ? ` ${s.statsUser}` : ''}`, '');
  return lines.join('\n');
}

/**
 * SQL (for `psql` reading stdin, variables `auth_user` and `auth_password`) that creates the auth
 * role when missing (an existing role's password is never changed) and the SECURITY DEFINER
 * lookup function PgBouncer's `auth_query` calls. The function returns no superuser, so no
 * superuser can log in through PgBouncer.
 */
export function pgBouncerAuthSetupSql(): string {
  return [
    "SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'auth_user', :'auth_password')",
    "  WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :'auth_user') \\gexec",
    'CREATE SCHEMA IF NOT EXISTS pgbouncer;',
    'REVOKE ALL ON SCHEMA pgbouncer FROM PUBLIC;',
    'CREATE OR REPLACE FUNCTION pgbouncer.get_auth(p_usename text)',
    '  RETURNS TABLE (usename name, passwd text)',
    '  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog',
    '  AS $fn$ SELECT s.usename, s.passwd FROM pg_catalog.pg_shadow s WHERE s.usename = p_usename AND NOT s.usesuper $fn$;',
    'REVOKE ALL ON FUNCTION pgbouncer.get_auth(text) FROM PUBLIC;',
    "SELECT format('GRANT USAGE ON SCHEMA pgbouncer TO %I', :'auth_user') \\gexec",
    "SELECT format('GRANT EXECUTE ON FUNCTION pgbouncer.get_auth(text) TO %I', :'auth_user') \\gexec",
    '',
  ].join('\n');
}

/** Shell script of the auth-setup Job: waits for the server, then pipes `$SETUP_SQL` into psql. */
export function pgBouncerAuthSetupScript(): string {
  return [
    'set -eu',
    'deadline=$(( $(date +%s) + ${WAIT_TIMEOUT_SECONDS:-300} ))',
    'until pg_isready -q -t 5 -d postgres; do',
    '  [ "$(date +%s)" -lt "$deadline" ] || { echo "pgbouncer-auth: database not ready in time" >&2; exit 1; }',
    '  sleep 2',
    'done',
    'printf \'%s\\n\' "$SETUP_SQL" | psql -X -q -v ON_ERROR_STOP=1 -v auth_user="$AUTH_USER" -v auth_password="$AUTH_PASSWORD" -d postgres',
    'echo "pgbouncer-auth: ready"',
    '',
  ].join('\n');
}

/**
 * Init-container script: writes the auth user's userlist line (quotes doubled) with mode 0600, and
 * with `withStats` the stats user's line (`$STATS_USER`, `$STATS_PASSWORD`): that user exists only
 * in PgBouncer, which authenticates it from this file (SCRAM against the plain password).
 */
export function pgBouncerUserlistScript(authFile: string, withStats: boolean = false): string {
  const line = (user: string, password: string) => `printf '"%s" "%s"\\n' "$${user}" "$(printf %s "$${password}" | sed 's/"/""/g')"`;
  return [
    'set -eu',
    'umask 077',
    `${line('AUTH_USER', 'AUTH_PASSWORD')} > ${authFile}`,
    ...(withStats ? [`${line('STATS_USER', 'STATS_PASSWORD')} >> ${authFile}`] : []),
    '',
  ].join('\n');
}
