import { initSteps, passwordSyncStep, renderNodePg, renderPsql, rotationSteps } from '../../src/core/private/init-steps';

const APP = { databaseName: 'shop_db', username: 'shop_user', schemaName: 'shop' };
const RDS_USER = { ...APP, password: 'secret' as const, adminIsNotSuperuser: true, searchPathOn: 'database' as const, cloneName: 'shop_user_clone' };

describe('init steps', () => {
  test('node-postgres statements carry the password and the login as bind parameters only, never in the SQL text', () => {
    const queries = renderNodePg([...initSteps(RDS_USER).server, ...initSteps(RDS_USER).database], { login: 'shop_user_clone', password: "p'w\\d" });
    expect(queries.map((q) => q.text).join('\n')).not.toContain("p'w");
    const sync = queries.find((q) => q.text.includes('PASSWORD'))!;
    expect(sync).toEqual({
      text: "SELECT format('ALTER ROLE %I PASSWORD %L', $1::text, $2::text)\n WHERE $1::text IN ($3::text, $4::text)",
      values: ['shop_user_clone', "p'w\\d", 'shop_user', 'shop_user_clone'],
      generates: true,
    });
  });

  test('the RDS user steps join the admin to the role before the database is created, and set search_path on the database', () => {
    const texts = renderNodePg(initSteps(RDS_USER).server, { login: 'shop_user', password: 'x' }).map((q) => q.text);
    expect(texts.findIndex((t) => t === 'GRANT shop_user TO CURRENT_USER;')).toBeLessThan(texts.findIndex((t) => t.includes('CREATE DATABASE')));
    expect(texts).toContain('ALTER DATABASE shop_db SET search_path TO shop, public;');
    expect(texts.join('\n')).not.toContain('ALTER ROLE shop_user IN DATABASE');
    expect(texts).toEqual(expect.arrayContaining([
      "SELECT format('GRANT %I TO %I', $1::text, $2::text)\n WHERE NOT pg_catalog.pg_has_role($2::text, $1::text, 'MEMBER')",
      "ALTER ROLE shop_user_clone SET role TO 'shop_user';",
    ]));
  });

  test('the psql rendering reads every runtime value from its environment variable and drops it after its last use', () => {
    const sql = renderPsql(initSteps(RDS_USER).server, { password: 'DB_PASSWORD', login: 'DB_USER' });
    expect(sql.split('\n').slice(0, 3)).toEqual(['\\set ON_ERROR_STOP on', '\\getenv app_password DB_PASSWORD', '\\getenv app_login DB_USER']);
    expect(sql).toContain("SELECT format('ALTER ROLE %I PASSWORD %L', :'app_login', :'app_password')");
    expect(sql.trimEnd().split('\n').slice(-2)).toEqual(['\\unset app_password', '\\unset app_login']);
  });

  test('the caller mode creates the role without a password and leaves the password step to the caller', () => {
    const steps = initSteps({ ...APP, password: 'caller', cloneName: 'shop_user_clone', searchPathOn: 'database' });
    const sql = renderPsql(steps.server, {});
    expect(sql).toContain("SELECT format('CREATE ROLE %I LOGIN', 'shop_user')");
    expect(sql).not.toMatch(/PASSWORD/);
    expect(sql).not.toContain('\\getenv');
  });

  test('the password step changes only one of the app\'s own logins', () => {
    const [query] = renderNodePg([passwordSyncStep({ username: 'shop_user' })], { login: 'postgres', password: 'x' });
    expect(query.text).toBe("SELECT format('ALTER ROLE %I PASSWORD %L', $1::text, $2::text)\n WHERE $1::text IN ($3::text)");
    expect(query.values).toEqual(['postgres', 'x', 'shop_user']);
  });

  test('a rotation makes sure of the clone and the database search path, then sets the password of the login taking over', () => {
    const queries = renderNodePg(rotationSteps({ ...APP, cloneName: 'shop_user_clone' }), { login: 'shop_user_clone', password: 'new' });
    expect(queries.map((q) => q.text.split('\n')[0])).toEqual([
      "SELECT format('CREATE ROLE %I LOGIN', $1::text)",
      "SELECT format('GRANT %I TO %I', $1::text, $2::text)",
      "ALTER ROLE shop_user_clone SET role TO 'shop_user';",
      'ALTER DATABASE shop_db SET search_path TO shop, public;',
      "SELECT format('ALTER ROLE %I PASSWORD %L', $1::text, $2::text)",
    ]);
    expect(queries[4].values).toEqual(['shop_user_clone', 'new', 'shop_user', 'shop_user_clone']);
  });

  test('throws when psql has no environment variable for a runtime value', () => {
    expect(() => renderPsql(initSteps(RDS_USER).server, { password: 'DB_PASSWORD' })).toThrow(/renderPsql: no environment variable for the runtime value 'login'/);
  });

  test('throws when node-postgres has no value for a runtime value', () => {
    expect(() => renderNodePg(initSteps(RDS_USER).server, { password: 'x' })).toThrow(/renderNodePg: no value for the runtime value 'login'/);
  });
});
