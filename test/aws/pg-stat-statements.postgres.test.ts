import { DatabaseEngine } from '../../src/aws';
import { usePostgres } from '../harness';

/**
 * The pg_stat_statements settings IndependentRds puts in its PostgreSQL parameter groups, run on a
 * real PostgreSQL 15: the server starts with them (names and values are valid), the extension can
 * be created, and nested statements (inside a function) are tracked, which the default `top` would
 * not do. RDS-only parameters (`rds.force_ssl`) and the slow-query threshold are left out here.
 */
const settings = Object.fromEntries(Object.entries(DatabaseEngine.POSTGRES_16.defaultParameters).filter(([name]) => /pg_stat_statements|shared_preload_libraries/.test(name)));

describe('pg_stat_statements parameters (PostgreSQL 15)', () => {
  const pg = usePostgres({ settings });

  test('are the two the library sets, on PostgreSQL and Aurora PostgreSQL alike', () => {
    expect(settings).toEqual({ 'shared_preload_libraries': 'pg_stat_statements', 'pg_stat_statements.track': 'all' });
    const aurora = DatabaseEngine.AURORA_POSTGRES_16.defaultParameters;
    expect(aurora).toMatchObject(settings);
  });

  test('the server preloads the library and tracks nested statements', () => {
    if (!pg.available) return;
    const show = pg.psql('SHOW shared_preload_libraries; SHOW pg_stat_statements.track;');
    expect(show.status).toBe(0);
    expect(show.stdout.split('\n').map((l) => l.trim())).toEqual(expect.arrayContaining(['pg_stat_statements', 'all']));

    const run = pg.psql([
      'CREATE EXTENSION IF NOT EXISTS pg_stat_statements;',
      'SELECT pg_stat_statements_reset();',
      'CREATE FUNCTION nested_probe() RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN RETURN (SELECT count(*) FROM pg_class WHERE relname = \'nested_probe_marker\'); END $$;',
      'SELECT nested_probe();',
      // Constants are normalized ($1) in the recorded text: find the inner statement by its shape.
      "SELECT toplevel, calls FROM pg_stat_statements WHERE query LIKE '%FROM pg_class WHERE relname = $1%' ORDER BY toplevel;",
    ].join('\n'));
    expect(run.status).toBe(0);
    // The statement inside the function is recorded as not top-level: only `track = all` does that.
    expect(run.stdout.trim().split('\n').slice(-1)).toEqual(['f|1']);
  });

  test('control: MySQL and MariaDB parameter groups get none of them', () => {
    for (const engine of [DatabaseEngine.MYSQL_8_4, DatabaseEngine.MARIADB_11_4, DatabaseEngine.AURORA_MYSQL_3]) {
      expect(Object.keys(engine.defaultParameters).filter((n) => /pg_stat|shared_preload/.test(n))).toEqual([]);
    }
  });
});
