import * as YAML from 'yaml';
import { SqlStatement, SqlStep } from './init-steps';
import { PostgresNames } from '../pg-names';

/**
 * The monitoring side of the SQL generator: the least-privilege role postgres_exporter logs in
 * as, and the table where the backup records its last success for the exporter to read. Rendered
 * for psql by `renderPsql` (init-steps.ts), like the app's init steps.
 */

/** Schema of the library's own bookkeeping in the maintenance database. */
export const STATUS_SCHEMA = 'cdk_db_platform';
/** The one-row table the backup updates after each successful run. */
export const BACKUP_STATUS_TABLE = `${STATUS_SCHEMA}.backup_status`;
/** The metric the exporter's custom query gives: `<query name>_<column>`. */
export const BACKUP_METRIC = 'cdkdb_backup_last_success_timestamp_seconds';

/** What {@link monitoringSteps} provisions. */
export interface MonitoringStepOptions {
  /** The monitoring login role (validated). */
  readonly username: string;
  /** `CONNECTION LIMIT` of the role (the exporter holds one or two connections). */
  readonly connectionLimit: number;
}

const plain = (sql: string): SqlStatement => ({ sql, values: [], generates: false });

/**
 * The backup status table, idempotently: created when missing with one row whose `since` is the
 * time it was created, readable by `pg_monitor` (so by any monitoring role) and by nobody else.
 */
export function backupStatusSteps(): SqlStep[] {
  return [{
    comment: 'The backup status table: when the last backup succeeded (or, before the first, since when it is watched).',
    statements: [
      plain('SET client_min_messages TO warning;'),
      plain(`CREATE SCHEMA IF NOT EXISTS ${STATUS_SCHEMA};`),
      plain(`REVOKE ALL ON SCHEMA ${STATUS_SCHEMA} FROM PUBLIC;`),
      plain(`CREATE TABLE IF NOT EXISTS ${BACKUP_STATUS_TABLE} (id text PRIMARY KEY CHECK (id = 'backup'), since timestamptz NOT NULL DEFAULT now(), last_success timestamptz);`),
      plain(`INSERT INTO ${BACKUP_STATUS_TABLE} (id) VALUES ('backup') ON CONFLICT (id) DO NOTHING;`),
      plain(`GRANT USAGE ON SCHEMA ${STATUS_SCHEMA} TO pg_monitor;`),
      plain(`GRANT SELECT ON ${BACKUP_STATUS_TABLE} TO pg_monitor;`),
    ],
  }];
}

/** The backup's record of a successful run (after {@link backupStatusSteps}). */
export function recordBackupSteps(): SqlStep[] {
  return [
    ...backupStatusSteps(),
    { comment: 'This run succeeded.', statements: [plain(`UPDATE ${BACKUP_STATUS_TABLE} SET last_success = now() WHERE id = 'backup';`)] },
  ];
}

/**
 * The monitoring role, run as the superuser in the maintenance database on every deploy: a login
 * role (created without a password when missing, then given the password from its Secret on every
 * run, so the Secret stays the source of truth), stripped of every attribute beyond LOGIN, a member
 * of `pg_monitor` only, read-only by default, with a small connection limit; and the backup status
 * table it reads. It gets no CONNECT on the apps' databases (revoked from PUBLIC by their init).
 */
export function monitoringSteps(o: MonitoringStepOptions): SqlStep[] {
  const user = PostgresNames.quoteIdent(o.username);
  const name = { kind: 'text' as const, text: o.username };
  return [
    {
      comment: 'M1. The monitoring login role, only if it does not exist yet.',
      statements: [{ sql: "SELECT format('CREATE ROLE %I LOGIN', {0})\n WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {0})", values: [name], generates: true }],
    },
    {
      comment: 'M2. Its password from its Secret, on every run.',
      statements: [{ sql: "SELECT format('ALTER ROLE %I PASSWORD %L', {0}, {1})", values: [name, { kind: 'runtime', name: 'password' }], generates: true }],
    },
    {
      comment: 'M3. Least privilege: pg_monitor (statistics and settings), nothing else; read-only sessions; few connections.',
      statements: [
        plain('SET client_min_messages TO warning;'),
        plain(`ALTER ROLE ${user} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT ${o.connectionLimit};`),
        plain(`GRANT pg_monitor TO ${user};`),
        plain(`ALTER ROLE ${user} SET default_transaction_read_only TO on;`),
      ],
    },
    ...backupStatusSteps(),
  ];
}

/**
 * postgres_exporter's custom queries (`PG_EXPORTER_EXTEND_QUERY_PATH`): the time of the last
 * successful backup as {@link BACKUP_METRIC}, or before the first success the time the status
 * table was created, so a server whose backups never succeed alerts once the schedule is missed.
 */
export function exporterQueriesYaml(): string {
  return YAML.stringify({
    cdkdb_backup: {
      query: `SELECT extract(epoch FROM coalesce(last_success, since))::double precision AS last_success_timestamp_seconds FROM ${BACKUP_STATUS_TABLE} WHERE id = 'backup'`,
      master: true,
      metrics: [{
        last_success_timestamp_seconds: {
          usage: 'GAUGE',
          description: 'Unix time of the last successful backup (before the first one: when backups started being watched).',
        },
      }],
    },
  }, { lineWidth: 0 });
}
