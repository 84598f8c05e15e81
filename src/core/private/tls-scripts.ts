import { PostgresNames } from '../pg-names';

/**
 * The shell scripts behind a SharedPostgres server's TLS: the one that makes (and renews) a
 * self-signed CA and server certificate inside the cluster, and the one that copies the
 * certificate and key where PostgreSQL accepts them and asks the server to reload them.
 * Framework-free, so tests run the exact text the pods run.
 */

/** What {@link serverCertificateScript} fills in; the caller has validated every name. */
export interface ServerCertificateScriptOptions {
  /** Secret receiving `tls.crt`, `tls.key` and `ca.crt` (the server mounts it). */
  readonly serverSecretName: string;
  /** Secret keeping the CA's `ca.crt` and `ca.key` (only the certificate Job reads it). */
  readonly caSecretName: string;
  /** ConfigMap receiving the CA certificate `ca.crt` for clients (public). */
  readonly caConfigMapName: string;
  /** Host names the server certificate names (the first is its common name). */
  readonly dnsNames: string[];
  /** Common name of the CA. */
  readonly caCommonName: string;
  /** Days a server certificate is valid. */
  readonly certificateDays: number;
  /** A server certificate that expires within this many days is replaced. */
  readonly renewBeforeDays: number;
  /** Days the CA is valid. */
  readonly caDays: number;
}

/**
 * Makes a self-signed CA and a server certificate inside the cluster, and keeps them current; run
 * by a Job at deploy time and by a CronJob later (the same text). Every step is "only when needed":
 *
 * 1. the CA (EC P-256) is made once and kept in `caSecretName` (`ca.crt`, `ca.key`);
 * 2. the server certificate (EC P-256, `serverAuth`, the `dnsNames` as subject alternative names)
 *    is issued into `serverSecretName` (`tls.crt`, `tls.key`, `ca.crt`) when it is missing, is not
 *    signed by the CA, names other hosts than `dnsNames`, or expires within `renewBeforeDays`;
 * 3. `caConfigMapName` gets the CA certificate (`ca.crt`) whenever it differs, for clients that
 *    verify the server (`sslmode=verify-full`).
 *
 * The three objects are in the manifest without these keys (RBAC cannot limit `create` by name), so
 * the script only `get`s and `patch`es them, each patch guarded by the object's `resourceVersion`:
 * two runs racing cannot both win; the loser fails, retries and then finds the result. Keys are made
 * in a private temporary directory (`umask 077`) that is removed on exit, and never printed.
 *
 * Needs `sh`, `kubectl`, `openssl` (1.1.1 or later), `base64`, `awk`, `tr`, `mktemp`, and the
 * namespace in `POD_NAMESPACE`.
 */
export function serverCertificateScript(o: ServerCertificateScriptOptions): string {
  const q = PostgresNames.quoteShell;
  const san = o.dnsNames.map((n) => `DNS:${n}`).join(',');
  const ec = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
  const patch = (kind: string, name: string, data: string, args: string) =>
    `kubectl patch ${kind} "${name}" --namespace="$POD_NAMESPACE" --type=merge -p "$(printf '{"metadata":{"resourceVersion":"%s"},"data":{${data}}}' ${args})" >/dev/null`;
  return [
    'set -eu',
    ': "${POD_NAMESPACE:?POD_NAMESPACE must name the namespace of the Secrets}"',
    `server_secret=${q(o.serverSecretName)}`,
    `ca_secret=${q(o.caSecretName)}`,
    `ca_config_map=${q(o.caConfigMapName)}`,
    `san=${q(san)}`,
    `renew_seconds=${o.renewBeforeDays * 86400}`,
    'umask 077',
    'work=$(mktemp -d)',
    'trap \'rm -rf "$work"\' EXIT',
    'cd "$work"',
    'b64() { base64 < "$1" | tr -d \'\\n\'; }',
    'field() { kubectl get "$1" "$2" --namespace="$POD_NAMESPACE" -o "jsonpath=$3"; }',
    '',
    '# 1. The CA, made once and kept in its own Secret.',
    'state=$(field secret "$ca_secret" \'{.metadata.resourceVersion}{"|"}{.data.ca\\.crt}{"|"}{.data.ca\\.key}\')',
    'ca_rv=${state%%|*}',
    'rest=${state#*|}',
    'ca_crt=${rest%%|*}',
    'ca_key=${rest#*|}',
    'if [ -n "$ca_crt" ] && [ -n "$ca_key" ]; then',
    '  printf \'%s\' "$ca_crt" | base64 -d > ca.crt',
    '  printf \'%s\' "$ca_key" | base64 -d > ca.key',
    '  echo "server-certificate: keeping the CA in Secret $ca_secret."',
    'else',
    `  openssl req -x509 ${ec} -keyout ca.key -out ca.crt -days ${o.caDays} -subj ${q(`/CN=${o.caCommonName}`)} \\`,
    '    -addext \'basicConstraints=critical,CA:TRUE\' -addext \'keyUsage=critical,keyCertSign,cRLSign\' 2>/dev/null',
    `  ${patch('secret', '$ca_secret', '"ca.crt":"%s","ca.key":"%s"', '"$ca_rv" "$(b64 ca.crt)" "$(b64 ca.key)"')}`,
    '  echo "server-certificate: made a new CA in Secret $ca_secret."',
    'fi',
    '',
    '# 2. The server certificate, issued when missing, foreign, renamed or about to expire.',
    'state=$(field secret "$server_secret" \'{.metadata.resourceVersion}{"|"}{.data.tls\\.crt}\')',
    'rv=${state%%|*}',
    'crt=${state#*|}',
    'reason=\'\'',
    'if [ -z "$crt" ]; then',
    '  reason=\'there is none yet\'',
    'else',
    '  printf \'%s\' "$crt" | base64 -d > current.crt',
    '  if ! openssl verify -CAfile ca.crt current.crt >/dev/null 2>&1; then',
    '    reason=\'it is not signed by the current CA\'',
    '  elif ! openssl x509 -in current.crt -noout -checkend "$renew_seconds" >/dev/null; then',
    `    reason='it expires within ${o.renewBeforeDays} days'`,
    '  elif [ "$(openssl x509 -in current.crt -noout -ext subjectAltName 2>/dev/null | tail -n +2 | tr -d \' \\n\')" != "$san" ]; then',
    '    reason=\'it names other hosts\'',
    '  fi',
    'fi',
    'if [ -n "$reason" ]; then',
    `  openssl req ${ec} -keyout tls.key -out tls.csr -subj ${q(`/CN=${o.dnsNames[0]}`)} 2>/dev/null`,
    '  printf \'%s\\n\' \'basicConstraints=critical,CA:FALSE\' \'keyUsage=critical,digitalSignature,keyEncipherment\' \'extendedKeyUsage=serverAuth\' "subjectAltName=$san" > tls.ext',
    `  openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days ${o.certificateDays} -extfile tls.ext -out tls.crt 2>/dev/null`,
    `  ${patch('secret', '$server_secret', '"tls.crt":"%s","tls.key":"%s","ca.crt":"%s"', '"$rv" "$(b64 tls.crt)" "$(b64 tls.key)" "$(b64 ca.crt)"')}`,
    `  echo "server-certificate: issued a server certificate for ${o.certificateDays} days into Secret $server_secret, since $reason."`,
    'else',
    '  echo "server-certificate: keeping the server certificate in Secret $server_secret."',
    'fi',
    '',
    '# 3. The CA certificate for clients, in a ConfigMap.',
    'state=$(field configmap "$ca_config_map" \'{.metadata.resourceVersion}{"|"}{.data.ca\\.crt}\')',
    'cm_rv=${state%%|*}',
    'if [ "${state#*|}" != "$(cat ca.crt)" ]; then',
    '  pem=$(awk \'{ printf "%s\\\\n", $0 }\' ca.crt)',
    `  ${patch('configmap', '$ca_config_map', '"ca.crt":"%s"', '"$cm_rv" "$pem"')}`,
    '  echo "server-certificate: published the CA certificate in ConfigMap $ca_config_map."',
    'fi',
    '',
  ].join('\n');
}

/** Where {@link tlsCopyScript} and {@link tlsReloadScript} read and write. */
export interface TlsFilesOptions {
  /** Directory of the mounted Secret (`tls.crt`, `tls.key`), kept current by the kubelet. */
  readonly sourceDir: string;
  /** Directory PostgreSQL reads the files from (`ssl_cert_file`, `ssl_key_file`). */
  readonly targetDir: string;
}

/** The shell function `sync_tls`: copies each file that differs, atomically; `changed=1` when one did. */
function syncFunction(o: TlsFilesOptions): string[] {
  const q = PostgresNames.quoteShell;
  return [
    `src=${q(o.sourceDir)}`,
    `dst=${q(o.targetDir)}`,
    'sync_tls() {',
    '  changed=0',
    '  for f in tls.crt tls.key; do',
    '    [ -s "$src/$f" ] || return 1',
    '    if ! cmp -s "$src/$f" "$dst/$f"; then',
    '      cp "$src/$f" "$dst/.$f.new"',
    '      if [ "$f" = tls.key ]; then chmod 0600 "$dst/.$f.new"; else chmod 0644 "$dst/.$f.new"; fi',
    '      mv -f "$dst/.$f.new" "$dst/$f"',
    '      changed=1',
    '    fi',
    '  done',
    '}',
  ];
}

/**
 * The init container's script: copies `tls.crt` and `tls.key` from the mounted Secret into a
 * directory of the server's user with modes 0644 and 0600 (PostgreSQL refuses a key that others
 * can read or that another user owns). Waits up to `waitSeconds` for the Secret to hold both, since
 * a certificate made in the cluster may still be on its way.
 */
export function tlsCopyScript(o: TlsFilesOptions, waitSeconds: number): string {
  return [
    'set -eu',
    ...syncFunction(o),
    `deadline=$(( $(date +%s) + ${waitSeconds} ))`,
    'until sync_tls; do',
    '  if [ "$(date +%s)" -ge "$deadline" ]; then',
    `    echo "tls: no tls.crt and tls.key in $src after ${waitSeconds}s" >&2`,
    '    exit 1',
    '  fi',
    '  echo "tls: waiting for the certificate in $src"',
    '  sleep 5',
    'done',
    'echo "tls: copied the certificate and key to $dst"',
    '',
  ].join('\n');
}

/**
 * The reload sidecar's script: every `intervalSeconds` it compares the mounted Secret (which the
 * kubelet updates in place when the certificate is renewed) with the server's copies; when they
 * differ it copies them again (atomically, same modes) and runs `SELECT pg_reload_conf()`, so
 * PostgreSQL loads the new certificate without a restart. A failed reload is retried on the next
 * round. The connection comes from the libpq variables (`PGHOST` the socket directory, `PGUSER`,
 * `PGPASSWORD`, `PGDATABASE`).
 */
export function tlsReloadScript(o: TlsFilesOptions, intervalSeconds: number): string {
  return [
    'set -eu',
    ...syncFunction(o),
    'pending=0',
    'while :; do',
    '  if sync_tls && [ "$changed" = 1 ]; then',
    '    echo "tls-reload: the certificate in $src changed; copied it to $dst"',
    '    pending=1',
    '  fi',
    '  if [ "$pending" = 1 ]; then',
    '    if psql -X -q -A -t -v ON_ERROR_STOP=1 -c \'SELECT pg_reload_conf()\' >/dev/null; then',
    '      pending=0',
    '      echo "tls-reload: PostgreSQL reloaded its configuration and certificate"',
    '    else',
    '      echo "tls-reload: pg_reload_conf() failed; retrying" >&2',
    '    fi',
    '  fi',
    `  sleep ${intervalSeconds}`,
    'done',
    '',
  ].join('\n');
}
