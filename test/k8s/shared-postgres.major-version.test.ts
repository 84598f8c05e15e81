import { Testing } from 'cdk8s';
import { SharedPostgres, SharedPostgresProps } from '../../src/k8s';
import { checkObjects, kinds, sharedPostgresObjects, theFinding } from '../core/deploy-safety/fixtures';

/**
 * SharedPostgres and PostgreSQL major versions (issue 12): the image must run
 * `postgresMajorVersion`, and a deployed server is upgraded by dump and restore into a new data
 * directory, chosen with `initialMajorVersion`.
 */

const DIGEST = 'sha256:' + 'a'.repeat(64);
const STATEFUL_SET = 'StatefulSet/production/postgres';

/** The manifests of a SharedPostgres with one app, in namespace `production`. */
function synth(props: Partial<SharedPostgresProps> = {}): any[] {
  const chart = Testing.chart();
  const pg = new SharedPostgres(chart, 'Postgres', { namespace: 'production', ...props });
  pg.addApp('shop');
  return Testing.synth(chart);
}

const server = (objects: any[]) => objects.find((o) => o.kind === 'StatefulSet');
const container = (objects: any[]) => server(objects).spec.template.spec.containers[0];
const pgdata = (objects: any[]) => container(objects).env.find((e: any) => e.name === 'PGDATA').value;
const initJob = (objects: any[]) => objects.find((o) => o.kind === 'Job' && o.metadata.name.startsWith('postgres-apps-init-')).metadata.name;
const make = (props: Partial<SharedPostgresProps>) => () => synth(props);

describe('the image and postgresMajorVersion agree', () => {
  test('the default is PostgreSQL 15: postgres:15-alpine with its data in pgdata', () => {
    const objects = synth();
    expect(container(objects).image).toBe('postgres:15-alpine');
    expect(pgdata(objects)).toBe('/var/lib/postgresql/data/pgdata');
  });

  test.each([
    ['a minor version tag of the default major', { image: 'postgres:15.6' }],
    ['a tag and a digest', { image: `postgres:15.6-alpine@${DIGEST}` }],
    ['another registry', { image: 'registry.example.com/mirror/postgres:16.4-bookworm', postgresMajorVersion: 16 }],
    ['a new server on PostgreSQL 16', { image: 'postgres:16-alpine', postgresMajorVersion: 16 }],
    ['an image pinned by digest only, whose version is declared and trusted', { image: `postgres@${DIGEST}`, postgresMajorVersion: 15 }],
  ])('accepts %s', (_name, props) => {
    const objects = synth(props);
    expect(container(objects).image).toBe(props.image);
    expect(pgdata(objects)).toBe('/var/lib/postgresql/data/pgdata');
  });

  test('throws on an image of another major version than the default, naming both ways forward', () => {
    expect(make({ image: 'postgres:16-alpine' })).toThrow(
      'SharedPostgres: image must run PostgreSQL 15, the postgresMajorVersion (by default) (got "postgres:16-alpine", PostgreSQL 16). '
      + 'PostgreSQL 16 cannot open the data directory of a PostgreSQL 15 server: the pod would crash-loop. Keep a PostgreSQL 15 image; '
      + 'for a new server, set postgresMajorVersion: 16; to upgrade a deployed server, set postgresMajorVersion: 16 and initialMajorVersion: 15 '
      + '(a new data directory, then restore each database from its dump with restoreJob).');
  });

  test('throws on an image of another major version than the declared one', () => {
    expect(make({ image: 'postgres:17.2', postgresMajorVersion: 16 })).toThrow(/^SharedPostgres: image must run PostgreSQL 16, the postgresMajorVersion \(got "postgres:17\.2", PostgreSQL 17\)/);
  });

  test('throws on an image pinned by digest only when postgresMajorVersion is not given', () => {
    expect(make({ image: `postgres@${DIGEST}` })).toThrow(
      /^SharedPostgres: postgresMajorVersion must be given when the image does not name its PostgreSQL major version \(got image "postgres@sha256:a+"\)\. Set postgresMajorVersion/);
  });

  test.each([
    ['a version with a minor part', 15.6],
    ['a version before 10', 9],
  ])('throws on postgresMajorVersion: %s', (_name, version) => {
    expect(make({ postgresMajorVersion: version })).toThrow(`SharedPostgres: postgresMajorVersion must be a PostgreSQL major version from 10 to 99 (got ${version}).`);
  });

  test('throws on initialMajorVersion above postgresMajorVersion', () => {
    expect(make({ initialMajorVersion: 16 })).toThrow(
      /^SharedPostgres: initialMajorVersion must not be above postgresMajorVersion \(got initialMajorVersion 16 with postgresMajorVersion 15\)\. PostgreSQL cannot go back/);
  });

  test('throws on an initialMajorVersion that is not a major version', () => {
    expect(make({ initialMajorVersion: 14.2 })).toThrow(/^SharedPostgres: initialMajorVersion must be a PostgreSQL major version from 10 to 99 \(got 14\.2\)/);
  });
});

describe('the dump-and-restore upgrade path', () => {
  const before = synth();
  const upgraded = synth({ image: 'postgres:16-alpine', postgresMajorVersion: 16, initialMajorVersion: 15 });

  test('PostgreSQL 16 gets a new data directory next to the old one on the same volume', () => {
    expect(pgdata(upgraded)).toBe('/var/lib/postgresql/data/pgdata-16');
    // Same StatefulSet, same claim template: nothing immutable changes, the volume is the same.
    expect(server(upgraded).metadata.name).toBe(server(before).metadata.name);
    expect(server(upgraded).spec.volumeClaimTemplates).toEqual(server(before).spec.volumeClaimTemplates);
  });

  test('the server init Job runs again (its name follows its image), so every role and database exists before the restore', () => {
    expect(initJob(upgraded)).not.toBe(initJob(before));
  });

  test('the restore Job is there to use', () => {
    const chart = Testing.chart();
    const pg = new SharedPostgres(chart, 'Postgres', { namespace: 'production', image: 'postgres:16-alpine', postgresMajorVersion: 16, initialMajorVersion: 15 });
    pg.addApp('shop');
    const job = pg.restoreJob(chart, 'Restore', { appName: 'shop' });
    expect(job.toJson().spec.template.spec.containers[0].image).toBe('postgres:16-alpine');
  });

  test('a later upgrade keeps initialMajorVersion and moves on to the next directory', () => {
    expect(pgdata(synth({ image: 'postgres:17-alpine', postgresMajorVersion: 17, initialMajorVersion: 15 }))).toBe('/var/lib/postgresql/data/pgdata-17');
  });

  test('the checker reports the upgrade deploy as what it is: a new, empty data directory to restore into', () => {
    const report = checkObjects(sharedPostgresObjects(), sharedPostgresObjects({ image: 'postgres:16-alpine', postgresMajorVersion: 16, initialMajorVersion: 15 }));

    expect(kinds(report)).toEqual([`${STATEFUL_SET} k8s-major-upgrade`]);
    const f = theFinding(report, STATEFUL_SET, 'k8s-major-upgrade');
    expect(f.summary).toMatch(/PostgreSQL 15 → 16\), PGDATA "\/var\/lib\/postgresql\/data\/pgdata" → "\/var\/lib\/postgresql\/data\/pgdata-16"/);
    expect(f.consequence).toMatch(/starts on a NEW, EMPTY data directory: the apps see empty databases until each one is restored/);
    expect(f.fix).toMatch(/fresh dump first .* restore every database \(SharedPostgres\.restoreJob\)/);
  });

  test('the checker still reports a server declared new on a deployed volume: the crash-loop', () => {
    const report = checkObjects(sharedPostgresObjects(), sharedPostgresObjects({ image: 'postgres:16-alpine', postgresMajorVersion: 16 }));
    expect(theFinding(report, STATEFUL_SET, 'k8s-major-upgrade').consequence).toMatch(/PostgreSQL 16 refuses the PostgreSQL 15 data directory/);
  });
});
