import { DatabaseConnection } from '../connection-model';
import { PostgresNames } from '../pg-names';

/** What {@link secretBootstrapScript} fills in; the caller has validated every name and key. */
export interface SecretBootstrapScriptOptions {
  /** Name of the Secret to complete. It must already exist (it is part of the manifest). */
  readonly secretName: string;
  /** Key that receives the generated password. */
  readonly passwordKey: string;
  /**
   * Key that receives the connection URL with the password, built like `connection.url(password)`.
   * @default - no URL is written
   */
  readonly urlKey?: string;
  /**
   * The connection whose URL goes under `urlKey`. Required with `urlKey`.
   * @default - none
   */
  readonly connection?: DatabaseConnection;
  /**
   * Key naming the login the password belongs to, for a login that alternates (multi-user
   * rotation): it is not part of the manifest, so the script fills it in with the connection's
   * user when it is missing, and the user in the URL under `urlKey` is read from it. Needs
   * `urlKey` and `connection`.
   * @default - the user is the connection's, fixed in the URL
   */
  readonly userKey?: string;
  /**
   * A second key that holds the same password, e.g. `password` of a `kubernetes.io/basic-auth`
   * Secret an operator reads (CloudNativePG's managed roles): filled in with the password, and
   * rewritten when it differs from it. Needs `urlKey` and `connection`, without `userKey`.
   * @default - the password is under `passwordKey` only
   */
  readonly mirrorPasswordKey?: string;
}

/** Length of a generated password (characters from `A-Za-z0-9`). */
export const GENERATED_PASSWORD_LENGTH = 32;

/** Stands in for the password in `DatabaseConnection.urlTemplate()`: letters only, so URL encoding keeps it. */
const PASSWORD_SLOT = 'CDKDBSECRETBOOTSTRAPPASSWORD';

/**
 * The URL of `connection` split around the password: `prefix + password + suffix` is
 * `connection.url(password)` for any password that needs no percent-encoding.
 */
export function urlAroundPassword(connection: DatabaseConnection): { prefix: string; suffix: string } {
  const template = connection.urlTemplate(PASSWORD_SLOT);
  const at = template.indexOf(`:${PASSWORD_SLOT}@`);
  if (at < 0 || template.indexOf(PASSWORD_SLOT, at + 2) >= 0) {
    throw new Error(`secret-bootstrap: cannot find the password slot in ${template}`);
  }
  return { prefix: template.slice(0, at + 1), suffix: template.slice(at + 1 + PASSWORD_SLOT.length) };
}

/**
 * The URL of `connection` split around its user and password: `scheme + user + ':' + password + suffix`
 * is the connection's URL for that login when the user and password are given percent-encoded.
 */
export function urlAroundCredentials(connection: DatabaseConnection): { scheme: string; suffix: string } {
  const { prefix, suffix } = urlAroundPassword(connection);
  const userPart = `${encodeURIComponent(connection.username)}:`;
  if (!prefix.endsWith(`://${userPart}`)) {
    throw new Error(`secret-bootstrap: cannot find the user in ${prefix}`);
  }
  return { scheme: prefix.slice(0, prefix.length - userPart.length), suffix };
}

/** Shell lines setting `user` from the login in `user_b64`, or to `fallback` with `user_data` set to add it to a patch. */
function userFromSecret(userKey: string, fallback: string): string[] {
  const q = PostgresNames.quoteShell;
  return [
    'if [ -n "$user_b64" ]; then',
    '  user=$(printf \'%s\' "$user_b64" | base64 -d)',
    '  user_data=""',
    'else',
    `  user=${q(fallback)}`,
    `  user_data=$(printf ',"${userKey}":"%s"' "$(b64 "$user")")`,
    'fi',
  ];
}

/**
 * `urlencode TEXT`: TEXT percent-encoded as `encodeURIComponent` does (UTF-8 bytes; letters,
 * digits and `-_.!~*'()` kept, every other byte as `%XX`), in POSIX sh with `od`, `tr` and `printf`.
 * A generated (alphanumeric) password comes out unchanged.
 */
const URL_ENCODE = [
  'urlencode() {',
  '  out=""',
  '  for h in $(printf \'%s\' "$1" | od -An -v -tx1); do',
  '    case "$h" in',
  '      3[0-9]|4[1-9a-f]|5[0-9a]|6[1-9a-f]|7[0-9a]|2d|5f|2e|21|7e|2a|27|28|29) out="$out$(printf "\\\\$(printf \'%03o\' "0x$h")")" ;;',
  '      *) out="$out%$(printf \'%s\' "$h" | tr \'a-f\' \'A-F\')" ;;',
  '    esac',
  '  done',
  '  printf \'%s\' "$out"',
  '}',
];

/**
 * The shell script that generates a password inside the cluster and patches it into an existing
 * Secret, only if the password key is missing.
 *
 * It needs `kubectl`, `tr`, `head` and `base64`, `get` and `patch` on that one Secret, and the
 * namespace in `POD_NAMESPACE`. The patch carries the Secret's `resourceVersion`, so two jobs
 * racing to fill the same Secret cannot both win: the loser fails, retries and then finds the key.
 * The password is alphanumeric, so it needs no percent-encoding inside the URL.
 *
 * With `urlKey`, an existing password (one a user put into the Secret before the Job ran, say) is
 * kept, and the URL is written or rewritten whenever it does not match the connection (missing,
 * or after the host or `sslmode` changed), with the password percent-encoded, so the URL always
 * follows the configured connection settings and works for any password.
 */
export function secretBootstrapScript(options: SecretBootstrapScriptOptions): string {
  const passwordKey = options.passwordKey;
  const length = GENERATED_PASSWORD_LENGTH;
  const q = PostgresNames.quoteShell;
  const header = [
    'set -eu',
    `secret=${q(options.secretName)}`,
    ': "${POD_NAMESPACE:?POD_NAMESPACE must name the namespace of the Secret}"',
  ];
  const generate = [
    `password=$(LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c ${length})`,
    `if [ "\${#password}" -ne ${length} ]; then echo "secret-bootstrap: could not read ${length} random characters" >&2; exit 1; fi`,
    'b64() { printf \'%s\' "$1" | base64 | tr -d \'\\n\'; }',
  ];
  const patchCmd = 'kubectl patch secret "$secret" --namespace="$POD_NAMESPACE" --type=merge -p "$patch" >/dev/null';
  const kept = `echo "secret-bootstrap: Secret $secret already has ${passwordKey}; leaving it unchanged."`;
  const done = `echo "secret-bootstrap: generated ${passwordKey} for Secret $secret."`;
  const urlKey = options.urlKey;
  if (urlKey === undefined || options.connection === undefined) {
    return [
      ...header,
      `state=$(kubectl get secret "$secret" --namespace="$POD_NAMESPACE" -o ${q(`jsonpath={.metadata.resourceVersion}{" "}{.data.${passwordKey}}`)})`,
      'rv=${state%% *}',
      'current=${state#* }',
      'if [ "$current" = "$state" ]; then current=""; fi',
      'if [ -n "$current" ]; then',
      `  ${kept}`,
      '  exit 0',
      'fi',
      ...generate,
      `patch=$(printf '{"metadata":{"resourceVersion":"%s"},"data":{"${passwordKey}":"%s"}}' "$rv" "$(b64 "$password")")`,
      patchCmd,
      done,
    ].join('\n') + '\n';
  }
  if (options.userKey !== undefined) return alternatingUserScript({ ...options, urlKey, connection: options.connection, userKey: options.userKey });
  if (options.mirrorPasswordKey !== undefined) {
    return mirroredPasswordScript({ ...options, urlKey, connection: options.connection, mirror: options.mirrorPasswordKey });
  }
  const url = urlAroundPassword(options.connection);
  return [
    ...header,
    `state=$(kubectl get secret "$secret" --namespace="$POD_NAMESPACE" -o ${q(`jsonpath={.metadata.resourceVersion}{"|"}{.data.${passwordKey}}{"|"}{.data.${urlKey}}`)})`,
    'rv=${state%%|*}',
    'rest=${state#*|}',
    'current=${rest%%|*}',
    'current_url=${rest#*|}',
    `url_prefix=${q(url.prefix)}`,
    `url_suffix=${q(url.suffix)}`,
    'b64() { printf \'%s\' "$1" | base64 | tr -d \'\\n\'; }',
    ...URL_ENCODE,
    'if [ -n "$current" ]; then',
    `  ${kept}`,
    '  password=$(printf \'%s\' "$current" | base64 -d)',
    '  wanted_url=$(b64 "$url_prefix$(urlencode "$password")$url_suffix")',
    '  if [ "$wanted_url" != "$current_url" ]; then',
    `    patch=$(printf '{"metadata":{"resourceVersion":"%s"},"data":{"${urlKey}":"%s"}}' "$rv" "$wanted_url")`,
    `    ${patchCmd}`,
    `    echo "secret-bootstrap: rewrote ${urlKey} in Secret $secret for the current connection settings."`,
    '  fi',
    '  exit 0',
    'fi',
    ...generate.slice(0, 2),
    `patch=$(printf '{"metadata":{"resourceVersion":"%s"},"data":{"${passwordKey}":"%s","${urlKey}":"%s"}}' "$rv" "$(b64 "$password")" "$(b64 "$url_prefix$password$url_suffix")")`,
    patchCmd,
    done,
  ].join('\n') + '\n';
}

/**
 * {@link secretBootstrapScript} for a login that alternates: the login comes from `userKey` (the
 * connection's user when the key is missing, which is then patched in with the rest), and the URL
 * is rebuilt for that login. An existing password is kept, as always.
 */
function alternatingUserScript(options: SecretBootstrapScriptOptions & { urlKey: string; connection: DatabaseConnection; userKey: string }): string {
  const { passwordKey, urlKey, userKey } = options;
  const length = GENERATED_PASSWORD_LENGTH;
  const q = PostgresNames.quoteShell;
  const url = urlAroundCredentials(options.connection);
  const patchCmd = 'kubectl patch secret "$secret" --namespace="$POD_NAMESPACE" --type=merge -p "$patch" >/dev/null';
  return [
    'set -eu',
    `secret=${q(options.secretName)}`,
    ': "${POD_NAMESPACE:?POD_NAMESPACE must name the namespace of the Secret}"',
    `state=$(kubectl get secret "$secret" --namespace="$POD_NAMESPACE" -o ${q(`jsonpath={.metadata.resourceVersion}{"|"}{.data.${passwordKey}}{"|"}{.data.${urlKey}}{"|"}{.data.${userKey}}`)})`,
    'rv=${state%%|*}',
    'rest=${state#*|}',
    'current=${rest%%|*}',
    'rest=${rest#*|}',
    'current_url=${rest%%|*}',
    'user_b64=${rest#*|}',
    `url_scheme=${q(url.scheme)}`,
    `url_suffix=${q(url.suffix)}`,
    'b64() { printf \'%s\' "$1" | base64 | tr -d \'\\n\'; }',
    ...URL_ENCODE,
    ...userFromSecret(userKey, options.connection.username),
    'if [ -n "$current" ]; then',
    `  echo "secret-bootstrap: Secret $secret already has ${passwordKey}; leaving it unchanged."`,
    '  password=$(printf \'%s\' "$current" | base64 -d)',
    '  url_data=""',
    '  wanted_url=$(b64 "$url_scheme$(urlencode "$user"):$(urlencode "$password")$url_suffix")',
    `  if [ "$wanted_url" != "$current_url" ]; then url_data=$(printf ',"${urlKey}":"%s"' "$wanted_url"); fi`,
    '  data="$url_data$user_data"',
    '  if [ -n "$data" ]; then',
    '    patch=$(printf \'{"metadata":{"resourceVersion":"%s"},"data":{%s}}\' "$rv" "${data#,}")',
    `    ${patchCmd}`,
    `    echo "secret-bootstrap: rewrote ${urlKey} or filled ${userKey} in Secret $secret for login $user."`,
    '  fi',
    '  exit 0',
    'fi',
    `password=$(LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c ${length})`,
    `if [ "\${#password}" -ne ${length} ]; then echo "secret-bootstrap: could not read ${length} random characters" >&2; exit 1; fi`,
    `patch=$(printf '{"metadata":{"resourceVersion":"%s"},"data":{"${passwordKey}":"%s","${urlKey}":"%s"%s}}' "$rv" "$(b64 "$password")" "$(b64 "$url_scheme$(urlencode "$user"):$password$url_suffix")" "$user_data")`,
    patchCmd,
    `echo "secret-bootstrap: generated ${passwordKey} for login $user in Secret $secret."`,
  ].join('\n') + '\n';
}

/**
 * {@link secretBootstrapScript} with the password under a second key (`mirror`) too: generated
 * into both with the URL, and an existing password copied to `mirror` whenever that differs, so the
 * two keys always hold the same password.
 */
function mirroredPasswordScript(options: SecretBootstrapScriptOptions & { urlKey: string; connection: DatabaseConnection; mirror: string }): string {
  const { passwordKey, urlKey, mirror } = options;
  const length = GENERATED_PASSWORD_LENGTH;
  const q = PostgresNames.quoteShell;
  const url = urlAroundPassword(options.connection);
  const patchCmd = 'kubectl patch secret "$secret" --namespace="$POD_NAMESPACE" --type=merge -p "$patch" >/dev/null';
  return [
    'set -eu',
    `secret=${q(options.secretName)}`,
    ': "${POD_NAMESPACE:?POD_NAMESPACE must name the namespace of the Secret}"',
    `state=$(kubectl get secret "$secret" --namespace="$POD_NAMESPACE" -o ${q(`jsonpath={.metadata.resourceVersion}{"|"}{.data.${passwordKey}}{"|"}{.data.${urlKey}}{"|"}{.data.${mirror}}`)})`,
    'rv=${state%%|*}',
    'rest=${state#*|}',
    'current=${rest%%|*}',
    'rest=${rest#*|}',
    'current_url=${rest%%|*}',
    'current_mirror=${rest#*|}',
    `url_prefix=${q(url.prefix)}`,
    `url_suffix=${q(url.suffix)}`,
    'b64() { printf \'%s\' "$1" | base64 | tr -d \'\\n\'; }',
    ...URL_ENCODE,
    'if [ -n "$current" ]; then',
    `  echo "secret-bootstrap: Secret $secret already has ${passwordKey}; leaving it unchanged."`,
    '  password=$(printf \'%s\' "$current" | base64 -d)',
    '  data=""',
    '  wanted_url=$(b64 "$url_prefix$(urlencode "$password")$url_suffix")',
    `  if [ "$wanted_url" != "$current_url" ]; then data=$(printf ',"${urlKey}":"%s"' "$wanted_url"); fi`,
    `  if [ "$current" != "$current_mirror" ]; then data=$(printf '%s,"${mirror}":"%s"' "$data" "$current"); fi`,
    '  if [ -n "$data" ]; then',
    '    patch=$(printf \'{"metadata":{"resourceVersion":"%s"},"data":{%s}}\' "$rv" "${data#,}")',
    `    ${patchCmd}`,
    `    echo "secret-bootstrap: rewrote ${urlKey} or ${mirror} in Secret $secret from ${passwordKey}."`,
    '  fi',
    '  exit 0',
    'fi',
    `password=$(LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c ${length})`,
    `if [ "\${#password}" -ne ${length} ]; then echo "secret-bootstrap: could not read ${length} random characters" >&2; exit 1; fi`,
    `patch=$(printf '{"metadata":{"resourceVersion":"%s"},"data":{"${passwordKey}":"%s","${mirror}":"%s","${urlKey}":"%s"}}' "$rv" "$(b64 "$password")" "$(b64 "$password")" "$(b64 "$url_prefix$password$url_suffix")")`,
    patchCmd,
    `echo "secret-bootstrap: generated ${passwordKey} and ${mirror} for Secret $secret."`,
  ].join('\n') + '\n';
}
