import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Client } from 'pg';
import {
  ProvisionerDeps, ProvisionerEvent, ProvisionerProperties, provision, respond,
} from '../../src/aws/database-user-provisioner.lambda';
import { makeTestCertificates, usePostgres } from '../harness';

/*
 * The DatabaseUser handler against a real PostgreSQL 15 that only accepts TLS, logged in as a
 * realistic RDS master: NOT a superuser, only CREATEROLE and CREATEDB (like rds_superuser), so
 * every statement works where RDS's master has no superuser. Secrets Manager is a fake behind
 * the injected `readSecret`.
 */

const certs = makeTestCertificates(['localhost']);
const MASTER = { username: 'rds_master', password: 'Master-pass-1' };
const MASTER_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:master-AbCdEf';

interface App {
  readonly props: ProvisionerProperties;
  readonly secretArn: string;
}

function appUser(name: string, port: number): App {
  const secretArn = `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${name}-AbCdEf`;
  return {
    secretArn,
    props: {
      Host: 'localhost',
      Port: String(port),
      MasterSecretArn: MASTER_ARN,
      UserSecretArn: secretArn,
      DatabaseName: `${name}_db`,
      Username: `${name}_user`,
      CloneName: `${name}_user_clone`,
      SchemaName: name,
      MaintenanceDatabase: 'postgres',
    },
  };
}

describe('DatabaseUser provisioning handler on a TLS-only PostgreSQL 15', () => {
  const pg = usePostgres(certs ? { ssl: { certFile: certs.certFile, keyFile: certs.keyFile }, hbaRequireSsl: true } : {});
  const ready = () => certs !== undefined && pg.available;
  const secrets = new Map<string, { username: string; password: string }>();
  const logs: string[] = [];
  let deps: ProvisionerDeps;
  let shop: App;
  let billing: App;

  const event = (type: ProvisionerEvent['RequestType'], app: App, old?: ProvisionerProperties): ProvisionerEvent => ({
    RequestType: type,
    ResourceProperties: app.props,
    OldResourceProperties: old,
    PhysicalResourceId: type === 'Create' ? undefined : `${app.props.Username}@${app.props.DatabaseName}`,
  });

  /** node-postgres over verified TLS; returns the first column of each row. */
  const query = async (user: string, password: string, database: string, sql: string): Promise<string[]> => {
    const client = new Client({
      host: 'localhost', port: pg.port, user, password, database, ssl: { rejectUnauthorized: true, ca: fs.readFileSync(certs!.caFile, 'utf-8') },
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const res = await client.query({ text: sql, rowMode: 'array' });
      return (res.rows as unknown[][]).map((r) => String(r[0]));
    } finally {
      await client.end();
    }
  };
  const su = (sql: string) => {
    const res = pg.psql(sql, { sslmode: 'require' });
    if (res.status !== 0) throw new Error(`${sql}: ${res.stderr}`);
    return res.stdout.trim();
  };

  beforeAll(() => {
    if (!ready()) return;
    // The RDS master: CREATEROLE and CREATEDB, no superuser.
    su(`CREATE ROLE ${MASTER.username} LOGIN CREATEROLE CREATEDB PASSWORD '${MASTER.password}'`);
    shop = appUser('shop', pg.port);
    billing = appUser('billing', pg.port);
    secrets.set(MASTER_ARN, MASTER);
    secrets.set(shop.secretArn, { username: 'shop_user', password: 'Shop-pass-1' });
    secrets.set(billing.secretArn, { username: 'billing_user', password: 'Billing-pass-1' });
    deps = {
      readSecret: async (arn) => {
        const s = secrets.get(arn);
        if (!s) throw new Error(`ResourceNotFoundException: ${arn}`);
        return JSON.stringify({ engine: 'postgres', host: 'localhost', port: pg.port, ...s });
      },
      ca: fs.readFileSync(certs!.caFile, 'utf-8'),
      log: (line) => logs.push(line),
    };
  });

  afterAll(() => certs?.remove());

  test('the master of this test is no superuser (like the RDS master user)', () => {
    if (!ready()) return;
    expect(su(`SELECT rolsuper::text || ',' || rolcreaterole::text || ',' || rolcreatedb::text FROM pg_roles WHERE rolname = '${MASTER.username}'`)).toBe('false,true,true');
  });

  test('Create provisions role, database, schema and clone, and is idempotent when run twice', async () => {
    if (!ready()) return;
    for (let i = 0; i < 2; i++) {
      await provision(event('Create', shop), deps);
      await provision(event('Create', billing), deps);
    }
    expect(su("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'shop_db'")).toBe('shop_user');
    expect(su("SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname LIKE 'shop_user%'")).toBe('shop_user,shop_user_clone');
    // The clone has no password until rotation sets one.
    expect(su("SELECT (rolpassword IS NULL)::text FROM pg_authid WHERE rolname = 'shop_user_clone'")).toBe('true');
    expect(await query('shop_user', 'Shop-pass-1', 'shop_db', 'SELECT current_user')).toEqual(['shop_user']);
  });

  test('the app user creates and uses tables through unqualified names in its own schema', async () => {
    if (!ready()) return;
    await query('shop_user', 'Shop-pass-1', 'shop_db', 'CREATE TABLE IF NOT EXISTS orders (id int)');
    await query('shop_user', 'Shop-pass-1', 'shop_db', 'INSERT INTO orders VALUES (1)');
    expect(await query('shop_user', 'Shop-pass-1', 'shop_db', "SELECT n.nspname || '.' || pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = 'orders'"))
      .toEqual(['shop.shop_user']);
  });

  test('the app user connects to its own database and not to another app\'s', async () => {
    if (!ready()) return;
    await expect(query('shop_user', 'Shop-pass-1', 'billing_db', 'SELECT 1')).rejects.toThrow(/permission denied for database "billing_db"/);
    await expect(query('billing_user', 'Billing-pass-1', 'shop_db', 'SELECT 1')).rejects.toThrow(/permission denied for database "shop_db"/);
    expect(await query('billing_user', 'Billing-pass-1', 'billing_db', 'SELECT current_user')).toEqual(['billing_user']);
  });

  test('Update with the same names changes nothing and keeps the data (run twice)', async () => {
    if (!ready()) return;
    await provision(event('Update', shop, shop.props), deps);
    await provision(event('Update', shop, shop.props), deps);
    expect(await query('shop_user', 'Shop-pass-1', 'shop_db', 'SELECT count(*) FROM orders')).toEqual(['1']);
  });

  test('Update after a rotation gives the login named in the secret its password and leaves the other login alone', async () => {
    if (!ready()) return;
    // As multi-user rotation leaves it: the secret now names the clone.
    secrets.set(shop.secretArn, { username: 'shop_user_clone', password: 'Clone-pass-2' });
    await provision(event('Update', shop, shop.props), deps);
    expect(await query('shop_user_clone', 'Clone-pass-2', 'shop_db', 'SELECT count(*) FROM orders')).toEqual(['1']);
    // The previous credentials still work.
    expect(await query('shop_user', 'Shop-pass-1', 'shop_db', 'SELECT current_user')).toEqual(['shop_user']);
  });

  test('rejects a user secret that names another login', async () => {
    if (!ready()) return;
    secrets.set(shop.secretArn, { username: 'billing_user', password: 'x' });
    await expect(provision(event('Update', shop, shop.props), deps)).rejects.toThrow(/the user's secret names the login "billing_user", but this user is shop_user/);
    secrets.set(shop.secretArn, { username: 'shop_user_clone', password: 'Clone-pass-2' });
  });

  test('rejects renaming a provisioned user on Update, and a rollback to the old names succeeds', async () => {
    if (!ready()) return;
    const renamed = { ...shop, props: { ...shop.props, Username: 'shop_owner', CloneName: 'shop_owner_clone' } };
    await expect(provision(event('Update', renamed, shop.props), deps)).rejects.toThrow(/refusing to rename an existing app user: role shop_user would be left behind/);
    expect(su("SELECT count(*) FROM pg_roles WHERE rolname = 'shop_owner'")).toBe('0');
    // CloudFormation's rollback sends the old names back, with the refused ones as "old".
    await provision(event('Update', shop, renamed.props), deps);
    const otherSchema = { ...shop, props: { ...shop.props, SchemaName: 'shop2' } };
    await expect(provision(event('Update', otherSchema, shop.props), deps)).rejects.toThrow(/schema shop would be left behind/);
  });

  test('Delete drops nothing, says so, and can run twice', async () => {
    if (!ready()) return;
    logs.length = 0;
    const first = await provision(event('Delete', shop), deps);
    await provision(event('Delete', shop), deps);
    expect(first.physicalResourceId).toBe('shop_user@shop_db');
    expect(logs[0]).toMatch(/Delete keeps role shop_user, its rotation login shop_user_clone, database shop_db and schema shop/);
    expect(su("SELECT count(*) FROM pg_roles WHERE rolname IN ('shop_user', 'shop_user_clone')")).toBe('2');
    expect(await query('shop_user_clone', 'Clone-pass-2', 'shop_db', 'SELECT count(*) FROM orders')).toEqual(['1']);
  });

  test('the bundled handler (the asset Lambda runs, with pg bundled by esbuild) provisions a user too', async () => {
    if (!ready()) return;
    const asset = path.join(__dirname, '..', '..', 'assets', 'aws', 'database-user-provisioner.lambda', 'index.js');
    if (!fs.existsSync(asset)) throw new Error(`${asset} is missing: run \`npx projen bundle\` first.`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundled = require(asset) as { provision: typeof provision };
    const stock = appUser('stock', pg.port);
    secrets.set(stock.secretArn, { username: 'stock_user', password: 'Stock-pass-1' });
    await bundled.provision(event('Create', stock), deps);
    expect(await query('stock_user', 'Stock-pass-1', 'stock_db', 'SELECT current_user')).toEqual(['stock_user']);
  });

  test('rejects a server whose certificate the trusted CAs did not sign', async () => {
    if (!ready()) return;
    const wrongCa = { ...deps, ca: fs.readFileSync(certs!.wrongCaFile, 'utf-8') };
    await expect(provision(event('Update', billing, billing.props), wrongCa)).rejects.toThrow(/self-signed certificate in certificate chain|unable to verify/);
  });

  test('rejects a host name the certificate does not name', async () => {
    if (!ready()) return;
    const byAddress = { ...billing, props: { ...billing.props, Host: '127.0.0.1' } };
    await expect(provision(event('Update', byAddress, byAddress.props), deps)).rejects.toThrow(/IP: 127\.0\.0\.1 is not in the cert's list|does not match/);
  });
});

describe('DatabaseUser handler response', () => {
  test('PUTs the CloudFormation response with an empty content type and the physical id', async () => {
    const received: { method?: string; type?: string; body: string } = { body: '' };
    const server = http.createServer((req, res) => {
      received.method = req.method;
      received.type = req.headers['content-type'];
      req.on('data', (d) => { received.body += String(d); });
      req.on('end', () => res.end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response?sig=1`;
    try {
      await respond({
        RequestType: 'Create', ResourceProperties: {} as ProvisionerProperties, ResponseURL: url, StackId: 'stack', RequestId: 'req', LogicalResourceId: 'ShopUser',
      }, 'SUCCESS', { physicalResourceId: 'shop_user@shop_db', data: { Username: 'shop_user' } }, 'provisioned');
    } finally {
      server.close();
    }
    expect(received.method).toBe('PUT');
    expect(received.type).toBe('');
    expect(JSON.parse(received.body)).toEqual({
      Status: 'SUCCESS', Reason: 'provisioned', PhysicalResourceId: 'shop_user@shop_db', StackId: 'stack', RequestId: 'req', LogicalResourceId: 'ShopUser', Data: { Username: 'shop_user' },
    });
  });
});
