import * as http from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { ProvisionerDeps, ProvisionerEvent, ProvisionerProperties, provision } from '../../src/aws/database-user-provisioner.lambda';

/*
 * What the DatabaseUser handler refuses before it connects anywhere (the provisioning itself is
 * tested against PostgreSQL 15 in database-user-provisioner.postgres.test.ts).
 */

const PROPS: ProvisionerProperties = {
  Host: 'shop.abc123xyz.eu-west-1.rds.amazonaws.com',
  Port: '5432',
  MasterSecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:master-AbCdEf',
  UserSecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:shop-AbCdEf',
  DatabaseName: 'shop_db',
  Username: 'shop_user',
  CloneName: 'shop_user_clone',
  SchemaName: 'shop',
  MaintenanceDatabase: 'postgres',
};

function deps(secrets: Record<string, string>): ProvisionerDeps & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    readSecret: async (arn) => {
      reads.push(arn);
      return secrets[arn];
    },
    log: () => undefined,
  };
}

const create = (props: Partial<ProvisionerProperties> = {}): ProvisionerEvent => ({ RequestType: 'Create', ResourceProperties: { ...PROPS, ...props } });

describe('DatabaseUser handler input', () => {
  test('rejects names that are not PostgreSQL identifiers before reading any secret', async () => {
    const d = deps({});
    await expect(provision(create({ Username: 'shop"; DROP ROLE x; --' }), d)).rejects.toThrow(/DatabaseUser provisioner: Username must be a PostgreSQL identifier/);
    await expect(provision(create({ DatabaseName: 'postgres' }), d)).rejects.toThrow(/DatabaseName must not be a reserved database/);
    await expect(provision(create({ Port: '54x' }), d)).rejects.toThrow(/Port must be a number \(got "54x"\)/);
    expect(d.reads).toEqual([]);
  });

  test('rejects a master secret that is not JSON', async () => {
    await expect(provision(create(), deps({ [PROPS.MasterSecretArn]: 'not json' }))).rejects.toThrow(/the master secret is not JSON/);
  });

  test('rejects a user secret without a password', async () => {
    const d = deps({ [PROPS.MasterSecretArn]: '{"username":"dbadmin","password":"x"}', [PROPS.UserSecretArn]: '{"username":"shop_user"}' });
    await expect(provision(create(), d)).rejects.toThrow(/the user's secret must hold a non-empty "username" and "password"/);
  });

  test('Delete reads no secret and connects nowhere', async () => {
    const d = deps({});
    const result = await provision({ RequestType: 'Delete', ResourceProperties: PROPS, PhysicalResourceId: 'shop_user@shop_db' }, d);
    expect(result).toEqual({
      physicalResourceId: 'shop_user@shop_db',
      data: { Username: 'shop_user', CloneName: 'shop_user_clone', DatabaseName: 'shop_db', SchemaName: 'shop' },
    });
    expect(d.reads).toEqual([]);
  });
});

describe('DatabaseUser handler entry point', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('answers FAILED before Lambda\'s timeout when Secrets Manager does not answer, so CloudFormation does not wait an hour', async () => {
    // A Secrets Manager endpoint that accepts connections and never answers, and the response URL.
    const sockets: Socket[] = [];
    const silent = http.createServer(() => undefined);
    silent.on('connection', (s) => sockets.push(s));
    let body = '';
    const responses = http.createServer((req, res) => {
      req.on('data', (d) => { body += String(d); });
      req.on('end', () => res.end());
    });
    await Promise.all([silent, responses].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
    const port = (s: http.Server) => (s.address() as AddressInfo).port;
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port(silent)}`,
    });
    try {
      let lambda: typeof import('../../src/aws/database-user-provisioner.lambda') | undefined;
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        lambda = require('../../src/aws/database-user-provisioner.lambda');
      });
      const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      const started = Date.now();
      await lambda!.handler({ ...create(), ResponseURL: `http://127.0.0.1:${port(responses)}/r`, LogicalResourceId: 'ShopUser' }, { getRemainingTimeInMillis: () => 12_000 });
      log.mockRestore();
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(JSON.parse(body)).toEqual(expect.objectContaining({ Status: 'FAILED', Reason: expect.stringMatching(/DatabaseUser: gave up after 2 s/) }));
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
      responses.close();
    }
  });
});
