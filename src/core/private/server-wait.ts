import { PostgresNames } from '../pg-names';

/**
 * The shell lines that wait until the server (libpq `PG*` variables) accepts connections to
 * `database`, polling with `pg_isready` every 2 s, and exit 1 with `<who>: PostgreSQL did not
 * become ready within <seconds>s` once `seconds` have passed.
 */
export function serverWaitLines(who: string, database: string, seconds: number): string[] {
  return [
    `deadline=$(( $(date +%s) + ${seconds} ))`,
    `until pg_isready -q -t 5 -d ${PostgresNames.quoteShell(database)}; do`,
    '  if [ "$(date +%s)" -ge "$deadline" ]; then',
    `    echo "${who}: PostgreSQL did not become ready within ${seconds}s" >&2`,
    '    exit 1',
    '  fi',
    '  sleep 2',
    'done',
  ];
}
