import { suggestName } from './kubernetes';
import { Problem, show } from './problem';
import { postgresMajorOf } from '../postgres-image';
import { POSTGRES_RESERVED_WORDS } from './sql-reserved-words';

// ---------------------------------------------------------------------------------------------
// PostgreSQL identifiers

const PG_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** PostgreSQL truncates identifiers longer than this (NAMEDATALEN - 1). */
export const MAX_PG_IDENTIFIER_BYTES = 63;

/** A safe PostgreSQL identifier: `[A-Za-z_][A-Za-z0-9_]*`, at most 63 bytes. */
export function pgIdentifier(prop: string, value: string): Problem {
  if (typeof value !== 'string' || value.length === 0) {
    return `${prop} must not be empty (got ${show(value)}). Give a PostgreSQL identifier such as 'my_app_db'.`;
  }
  const bytes = Buffer.byteLength(value, 'utf-8');
  if (bytes > MAX_PG_IDENTIFIER_BYTES) {
    return `${prop} must be at most ${MAX_PG_IDENTIFIER_BYTES} bytes (got ${bytes}: ${show(value)}). PostgreSQL would silently truncate it; choose a shorter name.`;
  }
  if (!PG_IDENTIFIER.test(value)) {
    return `${prop} must be a PostgreSQL identifier of letters, digits and underscores, not starting with a digit (got ${show(value)}). `
      + 'Quotes, semicolons, spaces and hyphens are rejected so no name can change the generated SQL; use underscores instead.';
  }
  return undefined;
}

const RESERVED_DATABASES = ['postgres', 'template0', 'template1'];
const RESERVED_ROLES = ['postgres', 'public', 'none', 'current_user', 'session_user', 'current_role', 'current_schema', 'session_role'];

/** A PostgreSQL reserved key word (`select`, `user`, …): a role of that name works only when quoted everywhere (connection strings, GRANTs, tools). */
function reservedWord(prop: string, value: string, example: string): Problem {
  if (POSTGRES_RESERVED_WORDS.has(value.toLowerCase())) {
    return `${prop} must not be a PostgreSQL reserved word (got ${show(value)}); every query would have to quote it. Choose e.g. ${show(example)}.`;
  }
  return undefined;
}

/** A database an app may own: a PostgreSQL identifier that is not `postgres`, `template0` or `template1`. */
export function pgDatabaseName(prop: string, value: string): Problem {
  const p = pgIdentifier(prop, value);
  if (p) return p;
  if (RESERVED_DATABASES.includes(value.toLowerCase())) {
    return `${prop} must not be a reserved database (got ${show(value)}). ${RESERVED_DATABASES.join(', ')} belong to the server; give the app its own database, e.g. 'my_app_db'.`;
  }
  return undefined;
}

/** An app's login role: a PostgreSQL identifier, not starting with `pg_`, not a reserved role name. */
export function pgRoleName(prop: string, value: string): Problem {
  const p = pgIdentifier(prop, value);
  if (p) return p;
  const lower = value.toLowerCase();
  if (lower.startsWith('pg_')) {
    return `${prop} must not start with 'pg_' (got ${show(value)}). PostgreSQL reserves that prefix for built-in roles; choose e.g. 'my_app_user'.`;
  }
  if (RESERVED_ROLES.includes(lower)) {
    return `${prop} must not be the reserved role name ${show(value)}. Choose an app-specific user such as 'my_app_user'.`;
  }
  return reservedWord(prop, value, 'my_app_user');
}

/** An app's schema: a PostgreSQL identifier that is not a system schema. */
export function pgSchemaName(prop: string, value: string): Problem {
  const p = pgIdentifier(prop, value);
  if (p) return p;
  const lower = value.toLowerCase();
  if (lower.startsWith('pg_') || lower === 'public' || lower === 'information_schema') {
    return `${prop} must not be a system schema or start with 'pg_' (got ${show(value)}). Choose an app-specific schema such as 'my_app'.`;
  }
  return undefined;
}

/** An app name: 1-`max` lower-case letters, digits, '_' and '-', starting with a letter and ending with a letter or digit. */
export function appName(prop: string, value: string, max: number): Problem {
  if (typeof value === 'string' && value.length <= max && /^[a-z]([a-z0-9_-]*[a-z0-9])?$/.test(value)) return undefined;
  return `${prop} must be 1-${max} lower-case letters, digits, '_' or '-', starting with a letter and ending with a letter or digit (got ${show(value)}). Kubernetes and PostgreSQL names are derived from it; try ${show(suggestName(String(value), true).slice(0, max).replace(/-+$/, ''))}.`;
}

/** Server settings (`-c name=value`): parameter names such as `shared_buffers` or `pg_stat_statements.max`, single-line values. */
export function pgSettings(prop: string, settings: { [name: string]: string }): Problem[] {
  return Object.entries(settings ?? {}).map(([name, value]) => (!/^[a-z_][a-z0-9_.]*$/.test(name)
    ? `${prop} keys must be PostgreSQL parameter names such as 'shared_buffers' (got ${show(name)}). Use lower-case letters, digits, '_' and '.'.`
    : /[\r\n\0]/.test(String(value)) ? `${prop}.${name} must be a single line (got ${show(value)}). Remove the line break.` : undefined));
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL major versions of a server image

/** A PostgreSQL major version (10 and later are one number: 15, 16, 17). */
export function pgMajorVersion(prop: string, value: number): Problem {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 10 || value > 99) {
    return `${prop} must be a PostgreSQL major version from 10 to 99 (got ${show(value)}). Give the number alone, e.g. 16 for PostgreSQL 16.x.`;
  }
  return undefined;
}

/**
 * A server image that runs PostgreSQL `major`, as far as its tag says (`postgres:16-alpine`,
 * `postgres:16.4`, `bitnami/postgresql:16.2.0`). An image whose tag does not say (pinned by digest
 * only, or a name the parser does not know) is trusted, provided the version was declared
 * (`declared` is the prop as given, undefined when defaulted). `initial` is the version the server
 * was first deployed with, for the fix.
 */
export function pgImageMajorVersion(image: string, major: number, declared: number | undefined, initial: number): Problem {
  const tagged = postgresMajorOf(image);
  if (tagged === undefined) {
    return declared === undefined
      ? `postgresMajorVersion must be given when the image does not name its PostgreSQL major version (got image ${show(image)}). `
        + 'Set postgresMajorVersion to the major version the image runs, e.g. 15: it is trusted as given.'
      : undefined;
  }
  if (Number(tagged) === major) return undefined;
  return `image must run PostgreSQL ${major}, the postgresMajorVersion${declared === undefined ? ' (by default)' : ''} (got ${show(image)}, PostgreSQL ${tagged}). `
    + `PostgreSQL ${tagged} cannot open the data directory of a PostgreSQL ${major} server: the pod would crash-loop. `
    + `Keep a PostgreSQL ${major} image; for a new server, set postgresMajorVersion: ${tagged}; to upgrade a deployed server, set postgresMajorVersion: ${tagged} `
    + `and initialMajorVersion: ${initial} (a new data directory, then restore each database from its dump with restoreJob).`;
}

/** The version a server was first deployed with: not above the one it runs (a data directory cannot be downgraded). */
export function pgInitialMajorVersion(initial: number, major: number): Problem {
  const p = pgMajorVersion('initialMajorVersion', initial);
  if (p || initial <= major) return p;
  return `initialMajorVersion must not be above postgresMajorVersion (got initialMajorVersion ${initial} with postgresMajorVersion ${major}). `
    + `PostgreSQL cannot go back to an older major version: keep postgresMajorVersion at ${initial}, or restore a dump into a new server.`;
}
