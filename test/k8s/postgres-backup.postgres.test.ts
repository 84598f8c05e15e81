import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { SharedPostgres } from '../../src/k8s/shared-postgres';
import { usePostgres } from '../harness';

/** The synthesized backup CronJob and a restore Job, exactly as a cluster would get them. */
function synthesize(): { backup: any; restoreNewest: any; restoreFile: (file: string) => any } {
  const app = new App();
  const chart = new Chart(app, 'db', { namespace: 'stage' });
  const db = new SharedPostgres(chart, 'Postgres', { namespace: 'stage', backup: { retain: 2 } });
  db.addApp('example_app');
  db.addApp('another_app');
  const ops = new Chart(app, 'restore', { namespace: 'stage' });
  db.restoreJob(ops, 'RestoreNewest', { appName: 'example_app' });
  const docs = YAML.parseAllDocuments(app.synthYaml()).map((d) => d.toJSON());
  const restoreJobs = docs.filter((d) => d.kind === 'Job' && d.metadata.name.startsWith('postgres-restore-'));
  return {
    backup: docs.find((d) => d.kind === 'CronJob').spec.jobTemplate.spec.template.spec.containers[0],
    restoreNewest: restoreJobs[0].spec.template.spec.containers[0],
    restoreFile: (file: string) => {
      const c = new Chart(new App(), 'restore-file', { namespace: 'stage' });
      return db.restoreJob(c, 'RestoreFile', { databaseName: 'another_app_db', dumpFile: file }).toJson().spec.template.spec.containers[0];
    },
  };
}

describe('PostgresBackup scripts against a real PostgreSQL 15', () => {
  const pg = usePostgres();
  const synth = synthesize();
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-backups-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs a synthesized container's script with its env, the claim at `dir` and the harness as the server. */
  function run(container: any) {
    expect(container.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    const env: Record<string, string> = {};
    for (const e of container.env) {
      if (e.value !== undefined) env[e.name] = e.value;
    }
    expect(container.env.find((e: any) => e.name === 'PGPASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'postgres-superuser', key: 'POSTGRES_PASSWORD' });
    Object.assign(env, {
      PGHOST: pg.host, PGPORT: String(pg.port), PGUSER: pg.superuser, PGPASSWORD: pg.superuserPassword, PGSSLMODE: 'disable', BACKUP_DIR: dir,
    });
    return pg.shell(container.command[2], env);
  }

  const rows = (db: string) => pg.psql('SELECT id, name FROM items ORDER BY id', { database: db }).stdout.trim();

  test('the backup dumps each database separately with pg_dump -Fc and keeps the newest N', () => {
    if (!pg.available) return;
    for (const db of ['example_app_db', 'another_app_db']) {
      expect(pg.psql(`CREATE DATABASE ${db}`).status).toBe(0);
      const made = pg.psql(`CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'one ${db}'), (2, 'two')`, { database: db });
      expect(made.stderr).toBe('');
    }
    // Older dumps from earlier nights: with retain 2 only the newest old one survives.
    fs.mkdirSync(path.join(dir, 'example_app_db'), { recursive: true });
    for (const stamp of ['20200101T030000Z', '20200102T030000Z', '20200103T030000Z']) {
      fs.writeFileSync(path.join(dir, 'example_app_db', `example_app_db-${stamp}.dump`), 'old');
    }
    fs.writeFileSync(path.join(dir, 'example_app_db', 'notes.txt'), 'not a dump');

    const result = run(synth.backup);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);

    const kept = fs.readdirSync(path.join(dir, 'example_app_db')).sort();
    expect(kept).toHaveLength(3);
    expect(kept[0]).toBe('example_app_db-20200103T030000Z.dump');
    expect(kept[1]).toMatch(/^example_app_db-\d{8}T\d{6}Z\.dump$/);
    expect(kept[2]).toBe('notes.txt');
    const fresh = path.join(dir, 'example_app_db', kept[1]);
    expect(fs.readFileSync(fresh).subarray(0, 5).toString()).toBe('PGDMP'); // custom format
    expect(fs.readdirSync(path.join(dir, 'another_app_db'))).toHaveLength(1);
    expect(fs.existsSync(path.join(dir, 'postgres'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'template1'))).toBe(false);
  });

  test('the restore Job brings a database back to its newest dump', () => {
    if (!pg.available) return;
    const before = rows('example_app_db');
    pg.psql("DELETE FROM items WHERE id = 1; INSERT INTO items VALUES (3, 'after the dump')", { database: 'example_app_db' });
    expect(rows('example_app_db')).not.toBe(before);
    const result = run(synth.restoreNewest);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(rows('example_app_db')).toBe(before);
  });

  test('the restore Job restores a named dump into a fresh database', () => {
    if (!pg.available) return;
    const before = rows('another_app_db');
    const file = fs.readdirSync(path.join(dir, 'another_app_db'))[0];
    expect(pg.psql('DROP DATABASE another_app_db').status).toBe(0);
    expect(pg.psql('CREATE DATABASE another_app_db').status).toBe(0);
    const result = run(synth.restoreFile(file));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(rows('another_app_db')).toBe(before);
  });

  test('the restore Job fails clearly when there is no dump', () => {
    if (!pg.available) return;
    const result = run(synth.restoreFile('another_app_db-19990101T000000Z.dump'));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/restore: .*another_app_db-19990101T000000Z\.dump does not exist/);
  });
});
