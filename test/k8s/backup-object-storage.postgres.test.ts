import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { BackupCredentials, BackupEncryption, BackupObjectStorageOptions, SharedPostgres } from '../../src/k8s';
import { awsCliV2, containerEnv, podContainers, runContainerScript, SecretValues, toolOrSkip, useMoto, usePostgres } from '../harness';

/**
 * The backup CronJob's and the restore Job's containers, exactly as synthesized, run against a
 * real PostgreSQL 15 and a local S3 endpoint (moto_server on loopback) with Debian's AWS CLI v2:
 * dumps and the roles go to the bucket with SSE-KMS, old ones are pruned there, a failed upload
 * is caught up by the next run, and a database comes back from the bucket with its roles.
 */
const BUCKET = 'acme-db-backups';
const SECRETS_BASE: SecretValues = { 's3-credentials': { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' } };

describe('backups to object storage against a real PostgreSQL 15 and a local S3 endpoint', () => {
  const pg = usePostgres();
  const moto = useMoto();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-s3-'));
  const claim = path.join(root, 'claim');
  const home = path.join(root, 'home');
  let aws: string | undefined;
  let ready = false;

  /** The synthesized backup pod, and a restore pod factory, for the given object storage options. */
  function synthesize(extra: Partial<BackupObjectStorageOptions> = {}) {
    const app = new App();
    const chart = new Chart(app, 'db', { namespace: 'stage' });
    const db = new SharedPostgres(chart, 'Postgres', {
      namespace: 'stage',
      backup: {
        retain: 2,
        objectStorage: {
          bucket: BUCKET,
          endpoint: moto.s3Endpoint,
          forcePathStyle: true,
          region: 'eu-west-1',
          credentials: BackupCredentials.fromSecret('s3-credentials'),
          encryption: BackupEncryption.kms('alias/db-backups'),
          ...extra,
        },
      },
      monitoring: {},
    });
    db.addApp('example_app');
    const backupPod = chart.toJson().find((d: any) => d.kind === 'CronJob').spec.jobTemplate.spec.template.spec;
    const restorePod = (options: { restoreGlobals?: boolean; dumpFile?: string }) => {
      const c = new Chart(app, `restore-${Math.random().toString(36).slice(2)}`, { namespace: 'stage' });
      return db.restoreJob(c, 'Restore', { appName: 'example_app', ...options }).toJson().spec.template.spec;
    };
    return { backupPod, restorePod };
  }

  /** Runs one container: the manifest's env with the Secrets filled in, the server, paths and tools of this machine. */
  function run(container: any, overrides: Record<string, string> = {}) {
    const env = containerEnv(container, { ...SECRETS_BASE, 'postgres-superuser': { POSTGRES_USER: pg.superuser, POSTGRES_PASSWORD: pg.superuserPassword } }, {
      PGHOST: pg.host, PGPORT: String(pg.port), PGSSLMODE: 'disable', HOME: home, ...overrides,
    });
    if (env.BACKUP_DIR === '/backups') env.BACKUP_DIR = claim;
    if (env.AWS_CONFIG_FILE) env.AWS_CONFIG_FILE = path.join(home, 'aws-config');
    return runContainerScript(container, env, [path.dirname(aws!)]);
  }

  /** The AWS CLI against moto, for the test's own checks. */
  function s3api(...args: string[]): any {
    const res = spawnSync(aws!, ['--endpoint-url', moto.s3Endpoint, '--output', 'json', 's3api', ...args], {
      encoding: 'utf-8',
      env: { PATH: '/usr/bin:/bin', HOME: home, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_DEFAULT_REGION: 'eu-west-1' },
    });
    if (res.status !== 0) throw new Error(`aws s3api ${args.join(' ')} failed: ${res.stderr}`);
    return res.stdout.trim() ? JSON.parse(res.stdout) : undefined;
  }
  const keys = (prefix: string): string[] => (s3api('list-objects-v2', '--bucket', BUCKET, '--prefix', prefix).Contents ?? []).map((o: any) => o.Key).sort();
  const rows = () => pg.psql('SELECT id, name FROM items ORDER BY id', { database: 'example_app_db' }).stdout.trim();
  const lastSuccess = (): string => {
    if (pg.psql("SELECT to_regclass('cdk_db_platform.backup_status') IS NULL").stdout.trim() === 't') return 'no table';
    return pg.psql("SELECT coalesce(extract(epoch FROM last_success)::bigint, 0) FROM cdk_db_platform.backup_status WHERE id = 'backup'").stdout.trim();
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(() => {
    if (!pg.available || !moto.available || !toolOrSkip('aws')) return;
    aws = awsCliV2();
    fs.mkdirSync(home, { recursive: true });
    fs.mkdirSync(path.join(claim, 'example_app_db'), { recursive: true });
    s3api('create-bucket', '--bucket', BUCKET, '--create-bucket-configuration', 'LocationConstraint=eu-west-1');
    // The app's role and database as its init Job makes them, a table, and a role granted on it.
    for (const sql of ["CREATE ROLE example_app_user LOGIN PASSWORD 'app-secret-1'", 'CREATE ROLE reporting NOLOGIN', 'CREATE DATABASE example_app_db OWNER example_app_user']) {
      expect(pg.psql(sql).stderr).toBe('');
    }
    const table = pg.psql("SET ROLE example_app_user; CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'one'), (2, 'two'); GRANT SELECT ON items TO reporting",
      { database: 'example_app_db' });
    expect(table.stderr).toBe('');
    // Dumps from before object storage was turned on: the oldest falls to retention, the newest goes up.
    for (const stamp of ['20200101T030000Z', '20200102T030000Z']) {
      fs.writeFileSync(path.join(claim, 'example_app_db', `example_app_db-${stamp}.dump`), 'old');
    }
    ready = true;
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('the CronJob pod dumps to the claim, uploads to the bucket with SSE-KMS, prunes it, and records the run last', () => {
    if (!ready) return;
    const containers = podContainers(synthesize().backupPod);
    expect(containers.map((c) => c.name)).toEqual(['backup', 'upload', 'record']);
    expect(lastSuccess()).toBe('no table');
    for (const c of containers) {
      const result = run(c);
      expect([c.name, result.status, result.stderr]).toEqual([c.name, 0, '']);
    }

    const objects = keys('stage/postgres/');
    expect(objects).toHaveLength(3);
    expect(objects[0]).toBe('stage/postgres/example_app_db/example_app_db-20200102T030000Z.dump');
    expect(objects[1]).toMatch(/^stage\/postgres\/example_app_db\/example_app_db-\d{8}T\d{6}Z\.dump$/);
    expect(objects[2]).toMatch(/^stage\/postgres\/globals-\d{8}T\d{6}Z\.sql$/);
    const head = s3api('head-object', '--bucket', BUCKET, '--key', objects[1]);
    expect([head.ServerSideEncryption, head.SSEKMSKeyId]).toEqual(['aws:kms', 'alias/db-backups']);
    // The roles' dump carries the roles and their grants, and no password.
    const globals = path.join(root, 'globals.sql');
    spawnSync(aws!, ['--endpoint-url', moto.s3Endpoint, 's3', 'cp', `s3://${BUCKET}/${objects[2]}`, globals], {
      env: { PATH: '/usr/bin:/bin', HOME: home, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_DEFAULT_REGION: 'eu-west-1' },
    });
    const text = fs.readFileSync(globals, 'utf-8');
    expect(text).toMatch(/CREATE ROLE reporting;/);
    expect(text).toMatch(/CREATE ROLE example_app_user;/);
    expect(text).not.toMatch(/PASSWORD|SCRAM-SHA-256|md5[0-9a-f]{32}/);
    // On the claim: the newest two dumps (the old newest and this run's).
    expect(fs.readdirSync(path.join(claim, 'example_app_db')).sort()).toEqual([path.basename(objects[0]), path.basename(objects[1])]);
    expect(Number(lastSuccess())).toBeGreaterThan(Date.now() / 1000 - 60);
  });

  test('a failed upload fails the pod before the record, and the next run uploads what it missed', async () => {
    if (!ready) return;
    const [backup, upload] = podContainers(synthesize().backupPod);
    const recorded = lastSuccess();
    await sleep(1100); // a new timestamp for the next dump
    const dumped = run(backup);
    expect([dumped.status, dumped.stderr]).toEqual([0, '']);
    const missed = fs.readdirSync(path.join(claim, 'example_app_db')).sort().pop()!;
    // The store is unreachable: the upload fails, so Kubernetes never starts the record container.
    const failed = run(upload, { S3_ENDPOINT: 'http://localhost:9' });
    expect(failed.status).not.toBe(0);
    expect(lastSuccess()).toBe(recorded);
    expect(keys('stage/postgres/example_app_db/')).not.toContain(`stage/postgres/example_app_db/${missed}`);

    const again = run(upload);
    expect([again.status, again.stderr]).toEqual([0, '']);
    const objects = keys('stage/postgres/example_app_db/');
    expect(objects).toContain(`stage/postgres/example_app_db/${missed}`);
    expect(objects).toHaveLength(2);
  });

  test('a restore without the roles fails when a role of the dump is gone', () => {
    if (!ready) return;
    expect(pg.psql('DROP DATABASE example_app_db').status).toBe(0);
    expect(pg.psql('DROP ROLE reporting').status).toBe(0);
    expect(pg.psql('CREATE DATABASE example_app_db OWNER example_app_user').status).toBe(0);
    const [download, restore] = podContainers(synthesize().restorePod({}));
    const dir = fs.mkdtempSync(path.join(root, 'restore-'));
    expect(run(download, { BACKUP_DIR: dir }).status).toBe(0);
    const result = run(restore, { BACKUP_DIR: dir });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/role "reporting" does not exist/);
  });

  test('the restore Job brings the database back from the bucket with its roles', () => {
    if (!ready) return;
    const pod = synthesize().restorePod({ restoreGlobals: true });
    const containers = podContainers(pod);
    expect(containers.map((c) => c.name)).toEqual(['download', 'restore']);
    expect(pod.volumes).toContainEqual({ name: 'backups', emptyDir: {} });
    const dir = fs.mkdtempSync(path.join(root, 'restore-'));
    for (const c of containers) {
      const result = run(c, { BACKUP_DIR: dir });
      expect([c.name, result.status, result.stderr]).toEqual([c.name, 0, '']);
    }
    expect(rows()).toBe('1|one\n2|two');
    const grant = pg.psql("SELECT has_table_privilege('reporting', 'items', 'SELECT')", { database: 'example_app_db' });
    expect(grant.stdout.trim()).toBe('t');
    // The app's existing role kept its password.
    expect(pg.psql('SELECT 1', { user: 'example_app_user', password: 'app-secret-1', database: 'example_app_db' }).stdout.trim()).toBe('1');
  });

  test('the restore Job restores a named object, and fails clearly for one the bucket lacks', () => {
    if (!ready) return;
    const oldest = keys('stage/postgres/example_app_db/')[0].split('/').pop()!;
    const ok = podContainers(synthesize().restorePod({ dumpFile: oldest }))[0];
    const dir = fs.mkdtempSync(path.join(root, 'restore-'));
    expect(run(ok, { BACKUP_DIR: dir }).status).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'example_app_db'))).toEqual([oldest]);
    const missing = podContainers(synthesize().restorePod({ dumpFile: 'example_app_db-19990101T000000Z.dump' }))[0];
    const result = run(missing, { BACKUP_DIR: fs.mkdtempSync(path.join(root, 'restore-')) });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/example_app_db-19990101T000000Z\.dump/);
  });

  test('with deleteOldDumps false the bucket keeps every dump (retention by its lifecycle rules)', async () => {
    if (!ready) return;
    const [backup, upload] = podContainers(synthesize({ prefix: 'stage/keep-all', deleteOldDumps: false, encryption: BackupEncryption.S3_MANAGED }).backupPod);
    for (let i = 0; i < 2; i++) {
      if (i > 0) await sleep(1100);
      expect(run(backup).status).toBe(0);
      expect(run(upload).status).toBe(0);
    }
    const objects = keys('stage/keep-all/example_app_db/');
    // The first run uploads the two dumps the claim keeps (retain 2), the second one more; none is deleted.
    expect(objects).toHaveLength(3);
    expect(s3api('head-object', '--bucket', BUCKET, '--key', objects[2]).ServerSideEncryption).toBe('AES256');
    expect(keys('stage/keep-all/globals-')).toHaveLength(3);
  });
});
