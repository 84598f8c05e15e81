import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { SecretsManagerSecretRef } from '../../src/core/secret-reference';
import { DatabaseSecretSource, ExternalDatabaseSecret, ExternalSecretStoreRef } from '../../src/k8s/external-database-secret';
import { WaitForDatabase } from '../../src/k8s/wait-for-database';
import { underCi, usePostgres } from '../harness';

/*
 * The ExternalSecret's template, rendered the way the External Secrets Operator renders it
 * (Go text/template: field references, the built-in `urlquery` and Sprig's `replace`), from an
 * RDS-style secret whose password holds every URL-special character, must give a DATABASE_URL
 * that libpq accepts with verify-full against a real TLS PostgreSQL 15. The wait-for-db script
 * from the manifest must pass against that server and fail (after its timeout) without one.
 */

const PASSWORD = ':/?#[]@!$&\'()*+,;=% "-é€%41~';
const USER = 'es_app';
const DATABASE = 'es_db';

/** Go's url.QueryEscape: unreserved bytes stay, space becomes '+', every other byte %XX. */
function goQueryEscape(s: string): string {
  return Array.from(Buffer.from(s, 'utf-8')).map((b) => {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) return c;
    if (c === ' ') return '+';
    return `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}

/** Renders the pipelines this library's templates use; throws on anything else. */
function renderTemplate(text: string, data: Record<string, string>): string {
  return text.replace(/\{\{\s*(.*?)\s*\}\}/g, (_m, body: string) => {
    const stages = body.split('|').map((s) => s.trim());
    const field = /^\.([A-Za-z_]\w*)$/.exec(stages[0]);
    if (!field || !(field[1] in data)) throw new Error(`cannot render ${stages[0]}`);
    let value = data[field[1]];
    for (const stage of stages.slice(1)) {
      const replace = /^replace "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"$/.exec(stage);
      if (stage === 'urlquery') value = goQueryEscape(value);
      else if (replace) value = value.split(JSON.parse(`"${replace[1]}"`)).join(JSON.parse(`"${replace[2]}"`));
      else throw new Error(`unknown template stage ${stage}`);
    }
    return value;
  });
}

function makeCertificates(): { caFile: string; certFile: string; keyFile: string } | undefined {
  if (spawnSync('openssl', ['version']).status !== 0) {
    if (underCi()) throw new Error('openssl is not installed; CI=true requires it.');
    // eslint-disable-next-line no-console
    console.warn('SKIPPED: openssl is not installed on this machine.');
    return undefined;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdkdb-es-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=es test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  ssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  fs.writeFileSync(path.join(dir, 'server.ext'), 'basicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', 'server.crt', '-extfile', 'server.ext');
  fs.chmodSync(path.join(dir, 'server.key'), 0o600);
  return { caFile: path.join(dir, 'ca.crt'), certFile: path.join(dir, 'server.crt'), keyFile: path.join(dir, 'server.key') };
}

const certs = makeCertificates();

describe('ExternalDatabaseSecret and WaitForDatabase against PostgreSQL 15 with TLS', () => {
  const pg = usePostgres(certs ? { ssl: { certFile: certs.certFile, keyFile: certs.keyFile } } : {});

  function synth(): { data: Record<string, string>; waitScript: string } {
    const chart = Testing.chart();
    const db = new ExternalDatabaseSecret(chart, 'Db', {
      secretName: 'es-db-secret',
      source: DatabaseSecretSource.externalSecret({
        secret: SecretsManagerSecretRef.fromName('test/es', { rotationPeriodDays: 30 }),
        store: ExternalSecretStoreRef.clusterSecretStore('aws'),
        caPath: certs!.caFile,
      }),
    });
    const dep = new kplus.Deployment(chart, 'App', { containers: [{ image: 'app:1.0.0', envVariables: db.envVariables() }] });
    WaitForDatabase.addTo(dep, { secret: db.secret, timeout: Duration.seconds(3), interval: Duration.seconds(1) });
    const docs = Testing.synth(chart);
    return {
      data: docs.find((d: any) => d.kind === 'ExternalSecret').spec.target.template.data,
      waitScript: docs.find((d: any) => d.kind === 'Deployment').spec.template.spec.initContainers[0].command[2],
    };
  }

  /** The secret document RDS keeps in Secrets Manager for this server. */
  const awsSecret = () => ({ username: USER, password: PASSWORD, host: 'localhost', port: String(pg.port), dbname: DATABASE, engine: 'postgres' });

  beforeAll(() => {
    if (!pg.available || !certs) return;
    const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
    for (const sql of [`CREATE ROLE ${USER} LOGIN PASSWORD ${lit(PASSWORD)}`, `CREATE DATABASE ${DATABASE} OWNER ${USER}`]) {
      const res = pg.psql(sql);
      if (res.status !== 0) throw new Error(res.stderr);
    }
  });

  test('the rendered DATABASE_URL connects with verify-full and the special-character password', () => {
    if (!pg.available || !certs) return;
    const { data } = synth();
    const rendered = renderTemplate(data.DATABASE_URL, awsSecret());
    expect(rendered).not.toContain(' ');
    const res = pg.shell('psql "$URL" -X -A -t -c "SELECT current_user || \'@\' || current_database() || \' ssl=\' || ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"',
      { URL: rendered, PGHOST: '', PGPORT: '', PGUSER: '' });
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe(`${USER}@${DATABASE} ssl=true`);
  });

  test('the rendered DB_* keys are the secret fields', () => {
    if (!pg.available || !certs) return;
    const { data } = synth();
    const out = Object.fromEntries(Object.entries(data).filter(([k]) => k !== 'DATABASE_URL').map(([k, v]) => [k, renderTemplate(v, awsSecret())]));
    expect(out).toEqual({ DB_HOST: 'localhost', DB_PORT: String(pg.port), DB_NAME: DATABASE, DB_USER: USER, DB_PASSWORD: PASSWORD, DB_SSL_MODE: 'verify-full' });
  });

  test('the wait-for-db script passes once the server accepts connections', () => {
    if (!pg.available || !certs) return;
    const { data, waitScript } = synth();
    const res = pg.shell(waitScript, { DATABASE_URL: renderTemplate(data.DATABASE_URL, awsSecret()) });
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('wait-for-db: the database accepts connections');
  });

  test('the wait-for-db script fails after its timeout when nothing listens', () => {
    if (!pg.available || !certs) return;
    const { data, waitScript } = synth();
    const closed = renderTemplate(data.DATABASE_URL, { ...awsSecret(), port: '1' });
    const res = pg.shell(waitScript, { DATABASE_URL: closed });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('did not accept connections within 3s');
  });
});
