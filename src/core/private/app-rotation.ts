import { DatabaseConnection } from '../connection-model';
import { PostgresNames } from '../pg-names';
import { cloneNameOf } from './app-user-rules';
import { renderPsql, rotationSteps } from './init-steps';
import { GENERATED_PASSWORD_LENGTH, urlAroundCredentials } from './secret-bootstrap';
import { serverWaitLines } from './server-wait';

/**
 * The three scripts of one run of an app's password rotation (multi-user, alternating users), as
 * the rotation CronJob's pod runs them in order. They hand over through files in a directory
 * shared by the pod's containers (`$ROTATION_DIR`, a memory-backed emptyDir):
 *
 * 1. {@link rotationPrepareScript} (kubectl): reads the app's Secret; unless a rotation is due, it
 *    leaves `skip` and the other two do nothing. Otherwise it picks the login the Secret does not
 *    name (`<user>` ↔ `<user>_clone`, like AWS's multi-user rotation function), generates a
 *    password for it and writes `login`, `password` and the Secret's `resourceVersion`.
 * 2. {@link rotationDatabaseScript} (psql, as the superuser): makes sure the clone exists and acts
 *    as the app's role, sets the search path on the database, sets the new password on that login
 *    only ({@link rotationSteps}), and proves the login works (its sessions act as the app's role).
 * 3. {@link rotationSecretScript} (kubectl): patches `DB_USER`, `DB_PASSWORD` and `DATABASE_URL`
 *    into the Secret with the `resourceVersion` read in step 1 (so a Secret changed meanwhile is
 *    not overwritten: the patch fails and the next run starts over), and records the time in the
 *    annotation {@link ROTATED_AT_ANNOTATION}.
 *
 * The login the Secret named before keeps its password, and its sessions, until the next
 * rotation: pods that still hold it have one whole rotation interval to pick up the new one.
 * A run that fails after step 2 leaves a password on the other login that nobody holds; the next
 * run replaces it. Names and keys are validated by the caller.
 */

/** Annotation on the app's Secret: when its password last rotated, in seconds since the epoch. */
export const ROTATED_AT_ANNOTATION = 'db.cdk-db-platform.io/rotated-at';

/**
 * How much earlier than a whole interval a rotation may run, so that a daily check at a fixed time
 * still rotates on the day the interval ends (one run starts a few seconds later than the one
 * before). The previous login therefore stays valid for at least the interval less this.
 */
export const ROTATION_SLACK_SECONDS = 3600;

/** What the rotation scripts need; everything is validated by the caller. */
export interface RotationScriptOptions {
  /** The app's Secret. */
  readonly secretName: string;
  /** The app's connection (user, database, host, port, sslmode): the URL written to the Secret. */
  readonly connection: DatabaseConnection;
  /** The app's schema. */
  readonly schemaName: string;
  /** How long a password is used before the next rotation, in seconds. */
  readonly intervalSeconds: number;
  /** The database the superuser connects to. */
  readonly maintenanceDatabase: string;
  /** How long to wait for `pg_isready`, in seconds. */
  readonly waitTimeoutSeconds: number;
}

const USER_KEY = 'DB_USER';
const PASSWORD_KEY = 'DB_PASSWORD';
const URL_KEY = 'DATABASE_URL';

const HEADER = [
  'set -eu',
  ': "${ROTATION_DIR:?ROTATION_DIR must name the directory the rotation steps share}"',
];
const SKIP_IF_NOT_DUE = [
  'if [ -e "$ROTATION_DIR/skip" ]; then',
  '  exit 0',
  'fi',
];

/** Step 1 (kubectl image): is a rotation due, and if so, which login gets which new password. */
export function rotationPrepareScript(o: RotationScriptOptions): string {
  const q = PostgresNames.quoteShell;
  const user = o.connection.username;
  const clone = cloneNameOf(user);
  const annotation = ROTATED_AT_ANNOTATION.replace(/\./g, '\\.');
  const dueAfter = o.intervalSeconds - ROTATION_SLACK_SECONDS;
  const length = GENERATED_PASSWORD_LENGTH;
  return [
    ...HEADER,
    ': "${POD_NAMESPACE:?POD_NAMESPACE must name the namespace of the Secret}"',
    'umask 027',
    `secret=${q(o.secretName)}`,
    `state=$(kubectl get secret "$secret" --namespace="$POD_NAMESPACE" -o ${q(`jsonpath={.metadata.resourceVersion}{"|"}{.data.${USER_KEY}}{"|"}{.data.${PASSWORD_KEY}}{"|"}{.metadata.annotations.${annotation}}`)})`,
    'rv=${state%%|*}',
    'rest=${state#*|}',
    'user_b64=${rest%%|*}',
    'rest=${rest#*|}',
    'password_b64=${rest%%|*}',
    'rotated_at=${rest#*|}',
    'if [ -z "$password_b64" ]; then',
    `  echo "rotation: Secret $secret has no ${PASSWORD_KEY} yet (the app's init Job fills it in); nothing to rotate."`,
    '  touch "$ROTATION_DIR/skip"',
    '  exit 0',
    'fi',
    'current=$(printf \'%s\' "$user_b64" | base64 -d)',
    'case "$current" in',
    `  ${q(user)}|'') next=${q(clone)} ;;`,
    `  ${q(clone)}) next=${q(user)} ;;`,
    `  *) echo "rotation: ${USER_KEY} in Secret $secret must be ${user} or ${clone} (got $current). Put the app's own login back; the init Job then sets its password." >&2; exit 1 ;;`,
    'esac',
    'now=$(date +%s)',
    'case "$rotated_at" in',
    '  \'\'|*[!0-9]*) echo "rotation: Secret $secret has no rotation time yet; rotating now." ;;',
    `  *) if [ $(( now - rotated_at )) -lt ${dueAfter} ]; then`,
    `       echo "rotation: Secret $secret rotated $(( (now - rotated_at) / 3600 )) h ago; the next rotation is due $(( (rotated_at + ${dueAfter} - now) / 3600 + 1 )) h from now."`,
    '       touch "$ROTATION_DIR/skip"',
    '       exit 0',
    '     fi ;;',
    'esac',
    `password=$(LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c ${length})`,
    `if [ "\${#password}" -ne ${length} ]; then echo "rotation: could not read ${length} random characters" >&2; exit 1; fi`,
    'printf \'%s\' "$next" > "$ROTATION_DIR/login"',
    'printf \'%s\' "$password" > "$ROTATION_DIR/password"',
    'printf \'%s\' "$rv" > "$ROTATION_DIR/resource-version"',
    'echo "rotation: due; $next takes over from $current with a new password."',
  ].join('\n') + '\n';
}

/** Step 2 (psql image, as the superuser): the new password on the login taking over, proven to log in. */
export function rotationDatabaseScript(o: RotationScriptOptions): string {
  const q = PostgresNames.quoteShell;
  const c = o.connection;
  const eof = '__DB_ROTATE_SQL__';
  const steps = rotationSteps({ databaseName: c.databaseName, username: c.username, schemaName: o.schemaName, cloneName: cloneNameOf(c.username) });
  const sql = renderPsql(steps, { login: 'ROTATION_LOGIN', password: 'ROTATION_PASSWORD' });
  return [
    ...HEADER,
    ...SKIP_IF_NOT_DUE,
    'ROTATION_LOGIN=$(cat "$ROTATION_DIR/login")',
    'ROTATION_PASSWORD=$(cat "$ROTATION_DIR/password")',
    'export ROTATION_LOGIN ROTATION_PASSWORD',
    ...serverWaitLines('rotation', o.maintenanceDatabase, o.waitTimeoutSeconds),
    `psql -X -q -v ON_ERROR_STOP=1 -d ${q(o.maintenanceDatabase)} <<'${eof}'`,
    sql + eof,
    `acting=$(PGUSER="$ROTATION_LOGIN" PGPASSWORD="$ROTATION_PASSWORD" psql -X -q -t -A -v ON_ERROR_STOP=1 -d ${q(c.databaseName)} -c 'SELECT current_user')`,
    `if [ "$acting" != ${q(c.username)} ]; then`,
    `  echo "rotation: $ROTATION_LOGIN logs in but acts as $acting, not ${c.username}; the Secret is left as it is." >&2`,
    '  exit 1',
    'fi',
    `echo "rotation: $ROTATION_LOGIN logs in with its new password and acts as ${c.username}."`,
  ].join('\n') + '\n';
}

/** Step 3 (kubectl image): the Secret names the new login, guarded by the resourceVersion read in step 1. */
export function rotationSecretScript(o: RotationScriptOptions): string {
  const q = PostgresNames.quoteShell;
  const url = urlAroundCredentials(o.connection);
  return [
    ...HEADER,
    ': "${POD_NAMESPACE:?POD_NAMESPACE must name the namespace of the Secret}"',
    ...SKIP_IF_NOT_DUE,
    'umask 077',
    `secret=${q(o.secretName)}`,
    'login=$(cat "$ROTATION_DIR/login")',
    'password=$(cat "$ROTATION_DIR/password")',
    'rv=$(cat "$ROTATION_DIR/resource-version")',
    `url_scheme=${q(url.scheme)}`,
    `url_suffix=${q(url.suffix)}`,
    'b64() { printf \'%s\' "$1" | base64 | tr -d \'\\n\'; }',
    'patch_file="$ROTATION_DIR/patch.json"',
    `printf '{"metadata":{"resourceVersion":"%s","annotations":{"${ROTATED_AT_ANNOTATION}":"%s"}},"data":{"${USER_KEY}":"%s","${PASSWORD_KEY}":"%s","${URL_KEY}":"%s"}}' \\`,
    '  "$rv" "$(date +%s)" "$(b64 "$login")" "$(b64 "$password")" "$(b64 "$url_scheme$login:$password$url_suffix")" > "$patch_file"',
    'kubectl patch secret "$secret" --namespace="$POD_NAMESPACE" --type=merge --patch-file="$patch_file" >/dev/null',
    'rm -f "$patch_file"',
    'echo "rotation: Secret $secret now names $login; the previous login keeps its password until the next rotation."',
  ].join('\n') + '\n';
}
