/**
 * The shell scripts run by the backup CronJob and the restore Job. Framework-free, so tests can run
 * the exact text a Job runs. Connection settings come from the standard libpq variables
 * (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGSSLMODE) set on the container.
 */

/**
 * Dumps every database that accepts connections (except `postgres` and the templates) into
 * `$BACKUP_DIR/<database>/<database>-<UTC timestamp>.dump` with `pg_dump -Fc`, then keeps only
 * the newest `$BACKUP_KEEP` dumps of each database. A dump is written under a `.partial` name and
 * renamed only once complete, so a failed run never counts as a kept dump.
 */
export function backupScript(): string {
  return [
    'set -eu',
    ': "${BACKUP_DIR:?BACKUP_DIR must be set}"',
    ': "${BACKUP_KEEP:?BACKUP_KEEP must be set}"',
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
    '  ls -1 "$dir" | grep -E \'^.+-[0-9]{8}T[0-9]{6}Z\\.dump$\' | sort -r | tail -n +"$((BACKUP_KEEP + 1))" | while IFS= read -r old; do',
    '    rm -f "$dir/$old"',
    '    echo "backup: removed $dir/$old"',
    '  done',
    'done < "$list"',
    'rm -f "$list"',
    'exit "$failed"',
    '',
  ].join('\n');
}

/**
 * Restores one database from a dump made by {@link backupScript}: `$RESTORE_FILE` when set
 * (relative to `$BACKUP_DIR/$RESTORE_DATABASE`, or absolute), else the newest dump of that
 * database. Runs `pg_restore --clean --if-exists --single-transaction --exit-on-error`: objects
 * present in the dump are dropped and recreated, so data written since the dump is lost in them.
 */
export function restoreScript(): string {
  return [
    'set -eu',
    ': "${BACKUP_DIR:?BACKUP_DIR must be set}"',
    ': "${RESTORE_DATABASE:?RESTORE_DATABASE must be set}"',
    'dir="$BACKUP_DIR/$RESTORE_DATABASE"',
    'file="${RESTORE_FILE:-}"',
    'if [ -z "$file" ]; then',
    '  file="$(ls -1 "$dir" 2>/dev/null | grep -E \'^.+-[0-9]{8}T[0-9]{6}Z\\.dump$\' | sort -r | head -n 1 || true)"',
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
