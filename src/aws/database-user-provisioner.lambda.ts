import * as http from 'node:http';
import * as https from 'node:https';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client } from 'pg';
import { initSteps, PgQuery, renderNodePg } from '../core/private/init-steps';
import { pgDatabaseName, pgRoleName, pgSchemaName, throwIfAny } from '../core/private/validators';

/**
 * The custom resource behind a DatabaseUser: it logs in to the database with the MASTER secret
 * over verified TLS and provisions one app user with the same steps the Kubernetes init Job runs
 * (`core/private/init-steps.ts`): the role, the app's database owned by it, CONNECT for it alone,
 * the search path on the database, the schema, the alternate login of multi-user rotation, and the
 * password of the login named in the user's secret (the secret is the source of truth).
 *
 * - Create and Update are idempotent: each step only adds what is missing.
 * - Update refuses to rename a user, database or schema that exists (that would leave it behind
 *   unseen); add a new user instead.
 * - Delete drops nothing: the role, its clone, the database and its data stay, and the log says so.
 */

/** The custom resource's properties (CloudFormation passes them as strings). */
export interface ProvisionerProperties {
  readonly Host: string;
  readonly Port: string;
  readonly MasterSecretArn: string;
  readonly UserSecretArn: string;
  readonly DatabaseName: string;
  readonly Username: string;
  readonly CloneName: string;
  readonly SchemaName: string;
  /** The database the master connects to first. */
  readonly MaintenanceDatabase: string;
}

/** The part of a CloudFormation custom resource event the handler reads. */
export interface ProvisionerEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResourceProperties: ProvisionerProperties;
  readonly OldResourceProperties?: ProvisionerProperties;
  readonly PhysicalResourceId?: string;
  readonly ResponseURL?: string;
  readonly StackId?: string;
  readonly RequestId?: string;
  readonly LogicalResourceId?: string;
}

/** What the handler needs from outside: injected so tests can fake Secrets Manager and trust a test CA. */
export interface ProvisionerDeps {
  /**
   * Extra trusted CA certificates (PEM) for the server's certificate.
   * @default - Node's store plus NODE_EXTRA_CA_CERTS (on Lambda, /var/runtime/ca-cert.pem, which holds the RDS CAs)
   */
  readonly ca?: string;
  /** The current (AWSCURRENT) SecretString of a secret. */
  readSecret(secretArn: string): Promise<string>;
  /** Where progress is written (never a password). @default console.log */
  log?(line: string): void;
}

/** What one event did. */
export interface ProvisionResult {
  readonly physicalResourceId: string;
  readonly data: { readonly [key: string]: string };
}

interface Credentials {
  readonly username: string;
  readonly password: string;
}

function credentialsOf(secretString: string, which: string): Credentials {
  let parsed: { username?: unknown; password?: unknown };
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new Error(`${which} secret is not JSON; it must hold {"username": …, "password": …}.`);
  }
  if (typeof parsed.username !== 'string' || parsed.username === '' || typeof parsed.password !== 'string' || parsed.password === '') {
    throw new Error(`${which} secret must hold a non-empty "username" and "password".`);
  }
  return { username: parsed.username, password: parsed.password };
}

function checkProperties(p: ProvisionerProperties): void {
  throwIfAny('DatabaseUser provisioner', [
    pgRoleName('Username', p.Username), pgRoleName('CloneName', p.CloneName),
    pgDatabaseName('DatabaseName', p.DatabaseName), pgSchemaName('SchemaName', p.SchemaName),
    /^\d+$/.test(p.Port) ? undefined : `Port must be a number (got ${JSON.stringify(p.Port)}).`,
    p.Host ? undefined : 'Host must not be empty.',
  ]);
}

/** A connection as the master user, verifying the server's certificate and host name. */
async function connect(p: ProvisionerProperties, master: Credentials, database: string, deps: ProvisionerDeps): Promise<Client> {
  const client = new Client({
    host: p.Host,
    port: Number(p.Port),
    user: master.username,
    password: master.password,
    database,
    ssl: { rejectUnauthorized: true, ...(deps.ca !== undefined ? { ca: deps.ca } : {}) },
    connectionTimeoutMillis: 15_000,
    statement_timeout: 60_000,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Runs the queries; a generating query's rows are statements, run one by one (psql's \gexec). */
async function run(client: Client, queries: PgQuery[]): Promise<void> {
  for (const q of queries) {
    const result = await client.query({ text: q.text, values: q.values, rowMode: 'array' });
    if (!q.generates) continue;
    for (const row of result.rows as unknown[][]) await client.query(String(row[0]));
  }
}

async function exists(client: Client, sql: string, name: string): Promise<boolean> {
  return (await client.query(sql, [name])).rowCount! > 0;
}

/**
 * Refuses an Update that renames a user, database or schema that exists under its old name. An
 * old name that does not exist (a rollback from a refused rename, or a user never provisioned) is
 * not in the way: the new properties are then provisioned as usual.
 */
async function refuseRename(event: ProvisionerEvent, master: Credentials, deps: ProvisionerDeps): Promise<void> {
  const old = event.OldResourceProperties;
  const now = event.ResourceProperties;
  if (!old || (old.Username === now.Username && old.DatabaseName === now.DatabaseName && old.SchemaName === now.SchemaName)) return;
  const server = await connect(now, master, now.MaintenanceDatabase, deps);
  const left: string[] = [];
  try {
    if (old.Username !== now.Username && await exists(server, 'SELECT FROM pg_catalog.pg_roles WHERE rolname = $1', old.Username)) left.push(`role ${old.Username}`);
    const oldDb = await exists(server, 'SELECT FROM pg_catalog.pg_database WHERE datname = $1', old.DatabaseName);
    if (old.DatabaseName !== now.DatabaseName && oldDb) left.push(`database ${old.DatabaseName}`);
    if (old.SchemaName !== now.SchemaName && old.DatabaseName === now.DatabaseName && oldDb) {
      const inDb = await connect(now, master, old.DatabaseName, deps);
      try {
        if (await exists(inDb, 'SELECT FROM pg_catalog.pg_namespace WHERE nspname = $1', old.SchemaName)) left.push(`schema ${old.SchemaName}`);
      } finally {
        await inDb.end();
      }
    }
  } finally {
    await server.end();
  }
  if (left.length > 0) {
    throw new Error(`DatabaseUser: refusing to rename an existing app user: ${left.join(', ')} would be left behind with its data. `
      + 'Keep the old names, or add a new user (a new construct id) and move the data before removing the old one.');
  }
}

/** Provisions (Create, Update) or keeps (Delete) one app user. */
export async function provision(event: ProvisionerEvent, deps: ProvisionerDeps): Promise<ProvisionResult> {
  const log = deps.log ?? ((line: string) => console.log(line));
  const p = event.ResourceProperties;
  checkProperties(p);
  const physicalResourceId = event.PhysicalResourceId ?? `${p.Username}@${p.DatabaseName}`;
  const data = { Username: p.Username, CloneName: p.CloneName, DatabaseName: p.DatabaseName, SchemaName: p.SchemaName };
  if (event.RequestType === 'Delete') {
    log(`DatabaseUser: Delete keeps role ${p.Username}, its rotation login ${p.CloneName}, database ${p.DatabaseName} and schema ${p.SchemaName} with their data. `
      + `Drop them by hand when they are no longer needed (DROP DATABASE ${p.DatabaseName}; DROP ROLE ${p.CloneName}; DROP ROLE ${p.Username};).`);
    return { physicalResourceId, data };
  }
  const master = credentialsOf(await deps.readSecret(p.MasterSecretArn), 'the master');
  if (event.RequestType === 'Update') await refuseRename(event, master, deps);
  const user = credentialsOf(await deps.readSecret(p.UserSecretArn), 'the user\'s');
  if (user.username !== p.Username && user.username !== p.CloneName) {
    throw new Error(`DatabaseUser: the user's secret names the login ${JSON.stringify(user.username)}, but this user is ${p.Username} (or ${p.CloneName} after a rotation). `
      + 'Put the user\'s own credentials back into its secret.');
  }
  const steps = initSteps({
    databaseName: p.DatabaseName,
    username: p.Username,
    schemaName: p.SchemaName,
    password: 'secret',
    adminIsNotSuperuser: true,
    searchPathOn: 'database',
    cloneName: p.CloneName,
  });
  const runtime = { login: user.username, password: user.password };
  const server = await connect(p, master, p.MaintenanceDatabase, deps);
  try {
    await run(server, renderNodePg(steps.server, runtime));
  } finally {
    await server.end();
  }
  const inDb = await connect(p, master, p.DatabaseName, deps);
  try {
    await run(inDb, renderNodePg(steps.database, runtime));
  } finally {
    await inDb.end();
  }
  log(`DatabaseUser: ${event.RequestType} provisioned role ${p.Username} (rotation login ${p.CloneName}), database ${p.DatabaseName} and schema ${p.SchemaName}; `
    + `the password of ${user.username} is the secret's.`);
  return { physicalResourceId, data };
}

/** Sends the CloudFormation response to the pre-signed URL (PUT, empty content type). */
export function respond(event: ProvisionerEvent, status: 'SUCCESS' | 'FAILED', result: ProvisionResult | undefined, reason: string): Promise<void> {
  const body = JSON.stringify({
    Status: status,
    Reason: reason.slice(0, 1000),
    PhysicalResourceId: result?.physicalResourceId ?? event.PhysicalResourceId ?? event.LogicalResourceId ?? 'database-user',
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: result?.data ?? {},
  });
  const url = new URL(event.ResponseURL!);
  // CloudFormation gives an https URL; plain http is for tests only.
  const request = url.protocol === 'http:' ? http.request : https.request;
  return new Promise((resolve, reject) => {
    const req = request({
      hostname: url.hostname,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end(body);
  });
}

const secrets = new SecretsManagerClient({});

/**
 * Rejects after `ms` milliseconds: CloudFormation waits up to an hour for a response that a
 * function timed out by Lambda never sends, so the handler answers FAILED itself first.
 */
function deadline(ms: number): { promise: Promise<never>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`DatabaseUser: gave up after ${Math.round(ms / 1000)} s: the database or the Secrets Manager API did not answer in time. `
      + 'Check that the Lambda\'s subnets reach both (a NAT gateway or a Secrets Manager endpoint, and the database security group).')), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/** Lambda entry point (the custom resource's service token). */
export async function handler(event: ProvisionerEvent, context?: { getRemainingTimeInMillis(): number }): Promise<void> {
  const deps: ProvisionerDeps = {
    readSecret: async (secretArn) => {
      const out = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
      if (out.SecretString === undefined) throw new Error(`secret ${secretArn} has no SecretString`);
      return out.SecretString;
    },
  };
  // Leave 10 s of the function's time to send the response.
  const limit = deadline(Math.max(1_000, (context?.getRemainingTimeInMillis() ?? 120_000) - 10_000));
  try {
    const result = await Promise.race([provision(event, deps), limit.promise]);
    await respond(event, 'SUCCESS', result, 'provisioned');
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    console.log(`DatabaseUser: ${event.RequestType} failed: ${message}`);
    await respond(event, 'FAILED', undefined, message);
  } finally {
    limit.cancel();
  }
}
