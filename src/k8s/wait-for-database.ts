import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { CaBundle } from './ca-bundle';
import * as v from '../core/private/validators';
import { throwIfAny } from '../core/private/validators';
import { DatabaseSecretKeys } from '../core/secret-keys';

const DEFAULT_IMAGE = 'postgres:15-alpine';

/** Options for {@link WaitForDatabase.addTo}. */
export interface WaitForDatabaseOptions {
  /** The app's database Secret (any Secret following the connection contract). */
  readonly secret: kplus.ISecret;
  /**
   * Key of the Secret holding the connection URL.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 'DATABASE_URL'
   */
  readonly urlKey?: string;
  /**
   * Image with `pg_isready`, pinned to a version. Runs as uid/gid 70 (the `postgres` user of the
   * official Alpine images).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default 'postgres:15-alpine'
   */
  readonly image?: string;
  /**
   * How long to wait for the database before the init container fails (and the kubelet retries).
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * Pause between two `pg_isready` attempts.
   * Tokens: refused (manifests are plain text: the value is checked when the construct is created).
   * @default Duration.seconds(2)
   */
  readonly interval?: Duration;
  /**
   * CA bundle to mount, needed when the URL verifies the server certificate (`verify-full`).
   * @default - none
   */
  readonly caBundle?: CaBundle;
}

/**
 * A `wait-for-db` init container that runs `pg_isready` against the app's own `DATABASE_URL`
 * (same host, port, user, database and TLS settings as the app) until the server accepts
 * connections, so the app starts only once its database is reachable.
 */
export class WaitForDatabase {
  /**
   * The shell script the init container runs; it reads the URL from `$DATABASE_URL`.
   * @param timeoutSeconds give up after this many seconds
   * @param intervalSeconds pause between attempts
   */
  public static script(timeoutSeconds: number, intervalSeconds: number): string {
    return [
      'set -u',
      `deadline=$(( $(date +%s) + ${timeoutSeconds} ))`,
      'until pg_isready -q -d "$DATABASE_URL"; do',
      '  if [ "$(date +%s)" -ge "$deadline" ]; then',
      `    echo "wait-for-db: the database did not accept connections within ${timeoutSeconds}s" >&2`,
      '    exit 1',
      '  fi',
      `  sleep ${intervalSeconds}`,
      'done',
      'echo "wait-for-db: the database accepts connections"',
    ].join('\n');
  }

  /** Adds the `wait-for-db` init container to `pod` (a Deployment, Job, StatefulSet...). */
  public static addTo(pod: kplus.AbstractPod, options: WaitForDatabaseOptions): kplus.Container {
    const timeoutSeconds = (options.timeout ?? Duration.minutes(5)).toMilliseconds({ integral: false }) / 1000;
    const intervalSeconds = (options.interval ?? Duration.seconds(2)).toMilliseconds({ integral: false }) / 1000;
    const image = options.image ?? DEFAULT_IMAGE;
    const urlKey = options.urlKey ?? DatabaseSecretKeys.URL;
    throwIfAny('WaitForDatabase', [
      v.durationSeconds('timeout', timeoutSeconds, 1, 86400, 'Use e.g. Duration.minutes(5).'),
      v.durationSeconds('interval', intervalSeconds, 1, Math.max(1, timeoutSeconds - 1), 'Use e.g. Duration.seconds(2), shorter than timeout.'),
      v.imageRef('image', image, DEFAULT_IMAGE),
      v.secretKey('urlKey', urlKey),
    ]);
    const container = pod.addInitContainer({
      name: 'wait-for-db',
      image,
      command: ['/bin/sh', '-c', WaitForDatabase.script(timeoutSeconds, intervalSeconds)],
      envVariables: {
        DATABASE_URL: kplus.EnvValue.fromSecretValue({ secret: options.secret, key: urlKey }),
      },
      securityContext: { user: 70, group: 70, ensureNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
      resources: {
        cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(100) },
        memory: { request: Size.mebibytes(16), limit: Size.mebibytes(64) },
      },
    });
    options.caBundle?.mountInto(container);
    return container;
  }

  private constructor() {}
}
