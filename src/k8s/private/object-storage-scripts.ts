import { DUMP_NAME_PATTERN, GLOBALS_NAME_PATTERN } from './postgres-backup-scripts';

/**
 * The shell scripts of the containers that move dumps between the backup directory and
 * S3-compatible object storage, with the AWS CLI v2 (`aws s3`, `aws s3api`): no request signing
 * of our own. Framework-free, so tests run the exact text against a local S3 endpoint.
 *
 * Settings come from the environment: `S3_BUCKET`, `S3_PREFIX` (keys are `<prefix>/<the file's
 * path in the backup directory>`), optionally `S3_ENDPOINT` (an S3-compatible store),
 * `S3_PATH_STYLE=true` (path-style addressing, written to `$AWS_CONFIG_FILE`), `S3_SSE`
 * (`AES256` or `aws:kms`, with `S3_SSE_KMS_KEY_ID`), and the CLI's own variables for the region
 * and the credentials (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, or those IRSA / Pod Identity inject).
 */

/** Lines every object-storage script starts with: checks, the `s3` function, path-style config. */
function preamble(required: string[]): string[] {
  return [
    'set -eu',
    ...required.map((name) => `: "\${${name}:?${name} must be set}"`),
    // The endpoint goes on the command line: AWS_ENDPOINT_URL needs AWS CLI 2.13 or later.
    's3() { if [ -n "${S3_ENDPOINT:-}" ]; then aws --endpoint-url "$S3_ENDPOINT" "$@"; else aws "$@"; fi; }',
    'if [ "${S3_PATH_STYLE:-false}" = true ]; then',
    '  printf \'[default]\\ns3 =\\n  addressing_style = path\\n\' > "${AWS_CONFIG_FILE:?AWS_CONFIG_FILE must be set with S3_PATH_STYLE}"',
    'fi',
    'base="s3://$S3_BUCKET/$S3_PREFIX"',
    // Keys under a prefix ($1), tab-separated ("None" when there is none); fails when the listing fails.
    'list() { s3 s3api list-objects-v2 --bucket "$S3_BUCKET" --prefix "$1" --query "Contents[].Key" --output text; }',
    // Newest-first file names in a listing ($1) that match a grep -E pattern ($2).
    'newest() { printf \'%s\\n\' "$1" | tr \'\\t\' \'\\n\' | sed \'s#.*/##\' | grep -E "$2" | sort -r || true; }',
  ];
}

/**
 * Uploads every dump and globals dump in `$BACKUP_DIR` that the bucket does not have yet
 * (`aws s3 sync` without `--delete`: a dump missed by a failed upload goes up with the next run,
 * and nothing in the bucket is ever deleted because it is missing from the claim), with the
 * server-side encryption asked for. With `S3_DELETE_OLD=true` it then keeps the newest
 * `$BACKUP_KEEP` dumps of each database and of the globals in the bucket, as the claim does;
 * otherwise the bucket's lifecycle rules decide how long dumps stay.
 */
export function uploadScript(): string {
  return [
    ...preamble(['BACKUP_DIR', 'S3_BUCKET', 'S3_PREFIX']),
    'case "${S3_SSE:-}" in',
    '  "") set -- ;;',
    '  AES256) set -- --sse AES256 ;;',
    '  aws:kms) set -- --sse aws:kms --sse-kms-key-id "${S3_SSE_KMS_KEY_ID:?S3_SSE_KMS_KEY_ID must be set with aws:kms}" ;;',
    '  *) echo "upload: S3_SSE must be AES256 or aws:kms (got $S3_SSE)" >&2; exit 1 ;;',
    'esac',
    'echo "upload: $BACKUP_DIR -> $base/"',
    's3 s3 sync --only-show-errors --no-progress --exclude "*" --include "*.dump" --include "globals-*.sql" --exclude "*.partial" "$@" "$BACKUP_DIR" "$base"',
    'if [ "${S3_DELETE_OLD:-false}" = true ]; then',
    '  : "${BACKUP_KEEP:?BACKUP_KEEP must be set with S3_DELETE_OLD}"',
    '  old() { tail -n +"$((BACKUP_KEEP + 1))"; }',
    '  keys="$(list "$S3_PREFIX/globals-")"',
    `  newest "$keys" ${GLOBALS_NAME_PATTERN} | old | while IFS= read -r name; do`,
    '    s3 s3 rm --only-show-errors "$base/$name"',
    '    echo "upload: removed $base/$name"',
    '  done',
    '  for dir in "$BACKUP_DIR"/*/; do',
    '    [ -d "$dir" ] || continue',
    '    db="$(basename "$dir")"',
    '    keys="$(list "$S3_PREFIX/$db/")"',
    `    newest "$keys" ${DUMP_NAME_PATTERN} | old | while IFS= read -r name; do`,
    '      s3 s3 rm --only-show-errors "$base/$db/$name"',
    '      echo "upload: removed $base/$db/$name"',
    '    done',
    '  done',
    'fi',
    'echo "upload: done"',
    '',
  ].join('\n');
}

/**
 * Downloads what a restore needs from the bucket into `$BACKUP_DIR` (an emptyDir of the restore
 * pod), in the layout {@link restoreScript} reads: `$RESTORE_FILE` (an object name under
 * `<prefix>/<database>/`) or else the newest dump of `$RESTORE_DATABASE`, and with
 * `RESTORE_GLOBALS=true` also `$RESTORE_GLOBALS_FILE` or else the newest globals dump.
 */
export function downloadScript(): string {
  return [
    ...preamble(['BACKUP_DIR', 'S3_BUCKET', 'S3_PREFIX', 'RESTORE_DATABASE']),
    'db="$RESTORE_DATABASE"',
    'file="${RESTORE_FILE:-}"',
    'if [ -z "$file" ]; then',
    '  keys="$(list "$S3_PREFIX/$db/")"',
    `  file="$(newest "$keys" ${DUMP_NAME_PATTERN} | head -n 1)"`,
    '  [ -n "$file" ] || { echo "download: no dump of $db under $base/$db/" >&2; exit 1; }',
    'fi',
    'mkdir -p "$BACKUP_DIR/$db"',
    'echo "download: $base/$db/$file"',
    's3 s3 cp --only-show-errors --no-progress "$base/$db/$file" "$BACKUP_DIR/$db/$file"',
    'if [ "${RESTORE_GLOBALS:-false}" = true ]; then',
    '  globals="${RESTORE_GLOBALS_FILE:-}"',
    '  if [ -z "$globals" ]; then',
    '    keys="$(list "$S3_PREFIX/globals-")"',
    `    globals="$(newest "$keys" ${GLOBALS_NAME_PATTERN} | head -n 1)"`,
    '  fi',
    '  [ -n "$globals" ] || { echo "download: no globals dump under $base/" >&2; exit 1; }',
    '  echo "download: $base/$globals"',
    '  s3 s3 cp --only-show-errors --no-progress "$base/$globals" "$BACKUP_DIR/$globals"',
    'fi',
    'echo "download: done"',
    '',
  ].join('\n');
}
