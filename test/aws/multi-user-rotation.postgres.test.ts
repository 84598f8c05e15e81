import * as fs from 'node:fs';
import { Client, escapeLiteral } from 'pg';
import { ProvisionerDeps, ProvisionerProperties, provision } from '../../src/aws/database-user-provisioner.lambda';
import { makeTestCertificates, usePostgres } from '../harness';

/*
 * Multi-user rotation of a DatabaseUser's secret, emulated on a real PostgreSQL 15 (TLS only) with
 * the SQL that AWS's hosted function runs, as the same non-superuser master the handler test
 * uses. The emulation follows aws-samples/aws-secrets-manager-rotation-lambdas,
 * SecretsManagerRDSPostgreSQLRotationMultiUser/lambda_function.py:
 *
 * - createSecret: the pending version gets the alternate user name (`<user>` <-> `<user>_clone`,
 *   get_alt_username) and a new password;
 * - setSecret: return if the pending credentials already log in; log in with the current ones (to
 *   the secret's dbname); log in as the master (masterarn) to the same dbname; then, in one
 *   transaction, `SELECT quote_ident(%s)` for both names, `SELECT 1 FROM pg_roles where rolname = %s`
 *   and either `CREATE ROLE <pending> WITH LOGIN PASSWORD %s` + `GRANT <current> TO <pending>`
 *   or `ALTER USER <pending> WITH PASSWORD %s`; commit;
 * - testSecret: log in with the pending credentials and `SELECT NOW()`;
 * - finishSecret: the pending version becomes AWSCURRENT.
 *
 * pgdb interpolates `%s` on the client as a quoted literal; node-postgres cannot bind parameters
 * in CREATE/ALTER ROLE, so the emulation quotes the password with pg's escapeLiteral, the same text.
 */

const certs = makeTestCertificates(['localhost']);
const MASTER = { username: 'rds_master', password: 'Master-pass-1' };
const MASTER_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:master-AbCdEf';

interface SecretValue {
  readonly username: string;
  readonly password: string;
  readonly dbname: string;
}

describe('multi-user rotation of an app user, emulated with the hosted function\'s SQL', () => {
  const pg = usePostgres(certs ? { ssl: { certFile: certs.certFile, keyFile: certs.keyFile }, hbaRequireSsl: true } : {});
  const ready = () => certs !== undefined && pg.available;
  /** AWSCURRENT of each secret, as Secrets Manager would hold it. */
  const current = new Map<string, SecretValue>();
  const open: Client[] = [];
  let ca: string;
  let deps: ProvisionerDeps;

  const connect = async (user: string, password: string, database: string): Promise<Client> => {
    const client = new Client({ host: 'localhost', port: pg.port, user, password, database, ssl: { rejectUnauthorized: true, ca } });
    client.on('error', () => undefined);
    await client.connect();
    open.push(client);
    return client;
  };
  const tryConnect = async (user: string, password: string, database: string): Promise<Client | undefined> => {
    try {
      return await connect(user, password, database);
    } catch {
      return undefined;
    }
  };
  const close = async (client: Client) => {
    open.splice(open.indexOf(client), 1);
    await client.end();
  };
  const one = async (client: Client, sql: string): Promise<string> => String(Object.values((await client.query(sql)).rows[0] ?? {})[0]);
  const su = (sql: string) => {
    const res = pg.psql(sql, { sslmode: 'require' });
    if (res.status !== 0) throw new Error(`${sql}: ${res.stderr}`);
    return res.stdout.trim();
  };

  /** get_alt_username of the hosted function. */
  const altUsername = (name: string) => (name.endsWith('_clone') ? name.slice(0, -'_clone'.length) : `${name}_clone`);

  /** One rotation, step by step as the hosted function does it; returns the new AWSCURRENT. */
  const rotate = async (arn: string, newPassword: string): Promise<SecretValue> => {
    const cur = current.get(arn)!;
    // createSecret
    const pending: SecretValue = { ...cur, username: altUsername(cur.username), password: newPassword };
    // setSecret
    const already = await tryConnect(pending.username, pending.password, pending.dbname);
    if (already) {
      await close(already);
    } else {
      const check = await connect(cur.username, cur.password, cur.dbname);
      await close(check);
      const master = await connect(MASTER.username, MASTER.password, cur.dbname);
      try {
        await master.query('BEGIN');
        const pendingName = String((await master.query('SELECT quote_ident($1)', [pending.username])).rows[0].quote_ident);
        const currentName = String((await master.query('SELECT quote_ident($1)', [cur.username])).rows[0].quote_ident);
        const found = await master.query('SELECT 1 FROM pg_roles where rolname = $1', [pending.username]);
        if (found.rowCount === 0) {
          await master.query(`CREATE ROLE ${pendingName} WITH LOGIN PASSWORD ${escapeLiteral(pending.password)}`);
          await master.query(`GRANT ${currentName} TO ${pendingName}`);
        } else {
          await master.query(`ALTER USER ${pendingName} WITH PASSWORD ${escapeLiteral(pending.password)}`);
        }
        await master.query('COMMIT');
      } finally {
        await close(master);
      }
    }
    // testSecret
    const test = await connect(pending.username, pending.password, pending.dbname);
    await test.query('SELECT NOW()');
    await close(test);
    // finishSecret
    current.set(arn, pending);
    return pending;
  };

  const provisionApp = async (name: string): Promise<string> => {
    const arn = `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${name}-AbCdEf`;
    current.set(arn, { username: `${name}_user`, password: `${name}-Pass-1`, dbname: `${name}_db` });
    const props: ProvisionerProperties = {
      Host: 'localhost',
      Port: String(pg.port),
      MasterSecretArn: MASTER_ARN,
      UserSecretArn: arn,
      DatabaseName: `${name}_db`,
      Username: `${name}_user`,
      CloneName: `${name}_user_clone`,
      SchemaName: name,
      MaintenanceDatabase: 'postgres',
    };
    await provision({ RequestType: 'Create', ResourceProperties: props }, deps);
    return arn;
  };

  beforeAll(() => {
    if (!ready()) return;
    ca = fs.readFileSync(certs!.caFile, 'utf-8');
    su(`CREATE ROLE ${MASTER.username} LOGIN CREATEROLE CREATEDB PASSWORD '${MASTER.password}'`);
    deps = {
      readSecret: async (arn) => JSON.stringify(arn === MASTER_ARN ? MASTER : current.get(arn)),
      ca,
      log: () => undefined,
    };
  });

  afterAll(async () => {
    await Promise.all(open.map((c) => c.end().catch(() => undefined)));
    certs?.remove();
  });

  test('old sessions keep working, the clone acts as the user, and the new credentials connect, over two rotations', async () => {
    if (!ready()) return;
    const arn = await provisionApp('shop');
    const first = current.get(arn)!;
    // An app server connected before the rotation, with the credentials of that time.
    const before = await connect(first.username, first.password, first.dbname);
    await before.query('CREATE TABLE orders (id int PRIMARY KEY, note text)');
    await before.query("INSERT INTO orders VALUES (1, 'before')");

    // Rotation 1: the secret moves to shop_user_clone (pre-made by the handler, so ALTER USER runs).
    const second = await rotate(arn, 'Clone-Pass-2');
    expect(second.username).toBe('shop_user_clone');
    expect(await one(before, 'SELECT count(*) FROM orders')).toBe('1');
    const clone = await connect(second.username, second.password, second.dbname);
    // The clone reads and writes the app's tables through unqualified names, as the user.
    await clone.query("INSERT INTO orders VALUES (2, 'by clone')");
    expect(await one(clone, 'SELECT string_agg(note, \',\' ORDER BY id) FROM orders')).toBe('before,by clone');
    expect(await one(clone, 'SELECT current_user')).toBe('shop_user');
    // What the clone creates belongs to the user, in the user's schema.
    await clone.query('CREATE TABLE made_by_clone (id int)');
    expect(await one(clone, "SELECT n.nspname || '.' || pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE relname = 'made_by_clone'"))
      .toBe('shop.shop_user');
    // The previous credentials still open new sessions, and use what the clone made.
    const previous = await connect(first.username, first.password, first.dbname);
    await previous.query('INSERT INTO made_by_clone VALUES (1)');
    await close(previous);

    // Rotation 2: back to shop_user with a new password; the clone's sessions keep working.
    const third = await rotate(arn, 'User-Pass-3');
    expect(third.username).toBe('shop_user');
    expect(await one(clone, 'SELECT count(*) FROM made_by_clone')).toBe('1');
    expect(await one(before, 'SELECT count(*) FROM orders')).toBe('2');
    const after = await connect(third.username, third.password, third.dbname);
    await after.query('INSERT INTO made_by_clone VALUES (2)');
    expect(await one(after, 'SELECT count(*) FROM made_by_clone')).toBe('2');
    // The password from two rotations ago is gone.
    expect(await tryConnect(first.username, first.password, first.dbname)).toBeUndefined();
  });

  test('without the pre-made clone (the hosted function creates it), the clone\'s tables would belong to the clone: the trap the handler avoids', async () => {
    if (!ready()) return;
    const arn = await provisionApp('legacy');
    su('DROP ROLE legacy_user_clone');
    const next = await rotate(arn, 'Clone-Pass-2');
    const clone = await connect(next.username, next.password, next.dbname);
    // The search path is set on the database, so the clone still finds the app's schema ...
    expect(await one(clone, 'SHOW search_path')).toBe('legacy, public');
    await clone.query('CREATE TABLE t (id int)');
    // ... but without `SET role` its table is its own, not the app user's.
    expect(await one(clone, "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 't'")).toBe('legacy_user_clone');
    await close(clone);
    // The handler's next run puts the clone back in shape (member of the user, acting as it).
    const props: ProvisionerProperties = {
      Host: 'localhost',
      Port: String(pg.port),
      MasterSecretArn: MASTER_ARN,
      UserSecretArn: arn,
      DatabaseName: 'legacy_db',
      Username: 'legacy_user',
      CloneName: 'legacy_user_clone',
      SchemaName: 'legacy',
      MaintenanceDatabase: 'postgres',
    };
    await provision({ RequestType: 'Update', ResourceProperties: props, OldResourceProperties: props, PhysicalResourceId: 'legacy_user@legacy_db' }, deps);
    const again = await connect(next.username, next.password, next.dbname);
    expect(await one(again, 'SELECT current_user')).toBe('legacy_user');
  });
});
