import { renderPsql } from '../../core/private/init-steps';
import { monitoringSteps } from '../../core/private/monitoring-steps';

/** Environment variable holding the monitoring role's password in the setup Job. */
export const MONITORING_PASSWORD_ENV = 'MONITORING_PASSWORD';

/**
 * The monitoring setup Job's script: waits for the server, then runs the monitoring steps of the
 * SQL generator in one transaction as the superuser (the role's password read by psql from
 * `$MONITORING_PASSWORD`, never put into SQL text by the shell). Framework-free: tests run it.
 */
export function monitoringSetupScript(username: string, connectionLimit: number): string {
  return [
    'set -eu',
    `: "\${${MONITORING_PASSWORD_ENV}:?${MONITORING_PASSWORD_ENV} must hold the monitoring password (from its Secret)}"`,
    'deadline=$(( $(date +%s) + ${WAIT_TIMEOUT_SECONDS:-300} ))',
    'until pg_isready -q -t 5 -d postgres; do',
    '  [ "$(date +%s)" -lt "$deadline" ] || { echo "monitoring-setup: database not ready in time" >&2; exit 1; }',
    '  sleep 2',
    'done',
    "psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d postgres <<'__MONITORING_SQL__'",
    renderPsql(monitoringSteps({ username, connectionLimit }), { password: MONITORING_PASSWORD_ENV }) + '__MONITORING_SQL__',
    'echo "monitoring-setup: role and backup status table ready"',
    '',
  ].join('\n');
}
