import { renderPsql } from '../../core/private/init-steps';
import { recordBackupSteps } from '../../core/private/monitoring-steps';

/**
 * The shell scripts run by the backup CronJob and the restore Job. Framework-free, so tests can run
 * the exact text a Job runs. Connection settings come from the standard libpq variables
 * (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGSSLMODE) set on the container.
 *
 * Layout of a backup directory (the claim, and the same keys under the bucket's prefix):
 * `<database>/<database>-<UTC timestamp>.dump` for each database, and
 * `globals-<UTC timestamp>.sql` for the roles.
 */

/** A database dump's file name, for `grep -E`. */
export const DUMP_NAME_PATTERN = "'^.+-[0-9]{8}T[0-9]{6}Z\\.dump$'";
/** A globals dump's file name, for `grep -E`. */
export const GLOBALS_NAME_PATTERN = "'^globals-[0-9]{8}T[0-9]{6}Z\\.sql$'";

/** Lines that keep the newest `$BACKUP_KEEP` files of `$1` matching `$2` (a `grep -E` pattern). */
const PRUNE_FUNCTION = [
  'prune() {',
  '  ls -1 "$1" | grep -E "$2" | sort -r | tail -n +"$((BACKUP_KEEP + 1))" | while IFS= read -r old; do',
  '    rm -f "$1/$old"',
  '    echo "backup: removed $1/$old"',
  '  done',
  '}',
];

/**
 * psql input, fed on stdin, recording a successful run in the backup status table (created when
 * missing), for the exporter's custom query.
 */
export function recordBackupSql(): string {
  return renderPsql(recordBackupSteps(), {});
}

/**
 * Dumps every database that accepts connections (except `postgres` and the templates) into
 * `$BACKUP_DIR/<database>/<database>-<UTC timestamp>.dump` with `pg_dump -Fc`, and the roles into
 * `$BACKUP_DIR/globals-<UTC timestamp>.sql` with `pg_dumpall --globals-only --no-role-passwords`,
 * then keeps only the newest `$BACKUP_KEEP` dumps of each database and of the globals. A dump is
 * written under a `.partial` name and renamed only once complete, so a failed run never counts as
 * a kept dump. When every dump succeeded and `$BACKUP_RECORD_STATUS` is `true`, the run is
 * recorded in the backup status table.
 *
 * Roles are dumped without passwords: each role's password lives in its app Secret, from which the
 * init Job sets it, so no backup (in the cluster or in a bucket) holds a password hash.
 */
export function backupScript(): string {
  return [
    'set -eu',
    ': "${BACKUP_DIR:?BACKUP_DIR must be set}"',
    ': "${BACKUP_KEEP:?BACKUP_KEEP must be set}"',
    ...PRUNE_FUNCTION,
    'stamp="$(date -u +%Y%m%dT%H%M%SZ)"',
    'list="$(mktemp)"',
    "psql -X -A -t -v ON_ERROR_STOP=1 -d postgres -c \"SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate AND datname <> 'postgres' ORDER BY datname\" > \"$list\"",
    'failed=0',
    'while IFS= read -r db; do',
    '  [ -n "$db" ] || continue',
    '  dir="$BACKUP_DIR/$db"',
    '  mkdir -p "$dir"',
    '  out="$dir/$db-$stamp.dump"',
    '  if pg_dump -Fc --dbname="dbname=\'$(printf %s "$db" | sed "s/[\\\\\']/\\\\\\\\&/g")\'" --file="$out.partial"; then',
    '    mv "$out.partial" "$out"',
    '    echo "backup: $db -> $out"',
    '  else',
    '    rm -f "$out.partial"',
    '    echo "backup: pg_dump of $db failed" >&2',
    '    failed=1',
    '    continue',
    '  fi',
    `  prune "$dir" ${DUMP_NAME_PATTERN}`,
    'done < "$list"',
    'rm -f "$list"',
    'globals="$BACKUP_DIR/globals-$stamp.sql"',
    'if pg_dumpall --globals-only --no-role-passwords --database=postgres --file="$globals.partial"; then',
    '  mv "$globals.partial" "$globals"',
    '  echo "backup: roles -> $globals"',
    `  prune "$BACKUP_DIR" ${GLOBALS_NAME_PATTERN}`,
    'else',
    '  rm -f "$globals.partial"',
    '  echo "backup: pg_dumpall --globals-only failed" >&2',
    '  failed=1',
    'fi',
    'if [ "$failed" = 0 ] && [ "${BACKUP_RECORD_STATUS:-false}" = true ]; then',
    '  psql -X -q -v ON_ERROR_STOP=1 -d postgres <<\'__BACKUP_STATUS__\'',
    recordBackupSql() + '__BACKUP_STATUS__',
    '  echo "backup: recorded the successful run"',
    'fi',
    'exit "$failed"',
    '',
  ].join('\n');
}

/**
 * Records a successful run in the backup status table: the last container of a backup whose dumps
 * are uploaded by another container, so that only a run whose upload succeeded counts.
 */
export function recordBackupScript(): string {
  return [
    'set -eu',
    'psql -X -q -v ON_ERROR_STOP=1 -d postgres <<\'__BACKUP_STATUS__\'',
    recordBackupSql() + '__BACKUP_STATUS__',
    'echo "backup: recorded the successful run"',
    '',
  ].join('\n');
}

/**
 * Restores one database from a dump made by {@link backupScript}: `$RESTORE_FILE` when set
 * (relative to `$BACKUP_DIR/$RESTORE_DATABASE`, or absolute), else the newest dump of that
 * database. Runs `pg_restore --clean --if-exists --single-transaction --exit-on-error`: objects
 * present in the dump are dropped and recreated, so data written since the dump is lost in them.
 *
 * With `$RESTORE_GLOBALS` `true` it first replays the newest globals dump (or
 * `$RESTORE_GLOBALS_FILE`) with psql, so the roles that own or are granted objects in the dump
 * exist: roles that exist already keep their passwords and only get the dumped attributes and
 * memberships ("already exists" errors are expected and counted; any other error fails the Job).
 */
export function restoreScript(): string {
  return [
    'set -eu',
    ': "${BACKUP_DIR:?BACKUP_DIR must be set}"',
    ': "${RESTORE_DATABASE:?RESTORE_DATABASE must be set}"',
    'if [ "${RESTORE_GLOBALS:-false}" = true ]; then',
    '  globals="${RESTORE_GLOBALS_FILE:-}"',
    '  if [ -z "$globals" ]; then',
    `    globals="$(ls -1 "$BACKUP_DIR" 2>/dev/null | grep -E ${GLOBALS_NAME_PATTERN} | sort -r | head -n 1 || true)"`,
    '    [ -n "$globals" ] || { echo "restore: no globals dump in $BACKUP_DIR" >&2; exit 1; }',
    '  fi',
    '  case "$globals" in /*) gpath="$globals" ;; *) gpath="$BACKUP_DIR/$globals" ;; esac',
    '  [ -f "$gpath" ] || { echo "restore: $gpath does not exist" >&2; exit 1; }',
    '  echo "restore: roles from $gpath"',
    '  errors="$(mktemp)"',
    '  psql -X -q -v ON_ERROR_STOP=0 -d postgres -f "$gpath" >/dev/null 2>"$errors" || true',
    '  if grep "ERROR:" "$errors" | grep -v "already exists" >&2; then',
    '    echo "restore: replaying the roles failed (above)" >&2',
    '    exit 1',
    '  fi',
    '  echo "restore: roles replayed ($(grep -c "already exists" "$errors" || true) existed already)"',
    '  rm -f "$errors"',
    'fi',
    'dir="$BACKUP_DIR/$RESTORE_DATABASE"',
    'file="${RESTORE_FILE:-}"',
    'if [ -z "$file" ]; then',
    `  file="$(ls -1 "$dir" 2>/dev/null | grep -E ${DUMP_NAME_PATTERN} | sort -r | head -n 1 || true)"`,
    '  [ -n "$file" ] || { echo "restore: no dump of $RESTORE_DATABASE in $dir" >&2; exit 1; }',
    'fi',
    'case "$file" in /*) path="$file" ;; *) path="$dir/$file" ;; esac',
    '[ -f "$path" ] || { echo "restore: $path does not exist" >&2; exit 1; }',
    'echo "restore: $path -> $RESTORE_DATABASE"',
    'pg_restore --clean --if-exists --single-transaction --exit-on-error --dbname="dbname=\'$(printf %s "$RESTORE_DATABASE" | sed "s/[\\\\\']/\\\\\\\\&/g")\'" "$path"',
    'echo "restore: done"',
    '',
  ].join('\n');
}
