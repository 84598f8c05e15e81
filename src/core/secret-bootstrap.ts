import { PostgresNames } from './pg-names';

/** Options for {@link SecretBootstrapScript.render}. */
export interface SecretBootstrapScriptOptions {
  /** Name of the Secret to complete. It must already exist (it is part of the manifest). */
  readonly secretName: string;
  /**
   * Key that receives the generated password.
   * @default 'DB_PASSWORD'
   */
  readonly passwordKey?: string;
  /**
   * Length of the generated password (characters from `A-Za-z0-9`).
   * @default 32
   */
  readonly passwordLength?: number;
  /**
   * Key that receives a connection URL containing the password.
   * @default - no URL is written
   */
  readonly urlKey?: string;
  /**
   * Text of the URL before the password, e.g. `postgresql://app_user:` (already percent-encoded).
   * @default ''
   */
  readonly urlPrefix?: string;
  /**
   * Text of the URL after the password, e.g. `@db:5432/app_db?sslmode=require` (already percent-encoded).
   * @default ''
   */
  readonly urlSuffix?: string;
}

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * The shell script that generates a password inside the cluster and patches it into an existing
 * Secret, only if the password key is missing.
 *
 * It needs `kubectl`, `tr`, `head` and `base64`, `get` and `patch` on that one Secret, and the
 * namespace in `POD_NAMESPACE`. The patch carries the Secret's `resourceVersion`, so two jobs
 * racing to fill the same Secret cannot both win: the loser fails, retries and then finds the key.
 * The password is alphanumeric, so it needs no percent-encoding inside the URL.
 *
 * With `urlKey`, an existing password is kept but the URL is rewritten when it no longer matches
 * `urlPrefix + password + urlSuffix` (e.g. after the host or `sslmode` changed), so the URL always
 * follows the configured connection settings.
 */
export class SecretBootstrapScript {
  /** The script text (run with `/bin/sh -c`). */
  public static render(options: SecretBootstrapScriptOptions): string {
    const owner = 'SecretBootstrapScript';
    const passwordKey = options.passwordKey ?? 'DB_PASSWORD';
    const length = options.passwordLength ?? 32;
    const urlPrefix = options.urlPrefix ?? '';
    const urlSuffix = options.urlSuffix ?? '';
    PostgresNames.validateDnsSubdomain(owner, 'secretName', options.secretName);
    for (const [prop, key] of [['passwordKey', passwordKey], ['urlKey', options.urlKey]] as const) {
      if (key !== undefined && !SECRET_KEY.test(key)) {
        throw new Error(`${owner}: ${prop} must be a Secret key of letters, digits, '-', '_' and '.' (got ${JSON.stringify(key)}). Use e.g. 'DB_PASSWORD'.`);
      }
    }
    if (!Number.isInteger(length) || length < 16 || length > 128) {
      throw new Error(`${owner}: passwordLength must be a whole number from 16 to 128 (got ${length}). Use the default 32.`);
    }
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
    let lines: string[];
    if (urlKey === undefined) {
      lines = [
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
      ];
    } else {
      lines = [
        ...header,
        `state=$(kubectl get secret "$secret" --namespace="$POD_NAMESPACE" -o ${q(`jsonpath={.metadata.resourceVersion}{"|"}{.data.${passwordKey}}{"|"}{.data.${urlKey}}`)})`,
        'rv=${state%%|*}',
        'rest=${state#*|}',
        'current=${rest%%|*}',
        'current_url=${rest#*|}',
        `url_prefix=${q(urlPrefix)}`,
        `url_suffix=${q(urlSuffix)}`,
        'b64() { printf \'%s\' "$1" | base64 | tr -d \'\\n\'; }',
        'if [ -n "$current" ]; then',
        `  ${kept}`,
        '  password=$(printf \'%s\' "$current" | base64 -d)',
        '  case "$password" in',
        `    *[!A-Za-z0-9._~-]*) echo "secret-bootstrap: ${passwordKey} needs percent-encoding; leaving ${urlKey} as it is."; exit 0 ;;`,
        '  esac',
        '  wanted_url=$(b64 "$url_prefix$password$url_suffix")',
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
      ];
    }
    return lines.join('\n') + '\n';
  }

  private constructor() {}
}
