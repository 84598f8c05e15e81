import { DatabaseProvider, SslMode } from '../../src/core';

const NEON = 'ep-cool-darkness-a1b2c3d4.us-east-2.aws.neon.tech';

describe('DatabaseProvider.neon', () => {
  test('defaults to the direct host, port 5432, sslmode require and no channel binding', () => {
    // WHEN
    const p = DatabaseProvider.neon({ host: NEON });
    // THEN
    expect(p.kind).toBe('neon');
    expect(p.host).toBe(NEON);
    expect(p.migrationHost).toBe(NEON);
    expect(p.port).toBe(5432);
    expect(p.pooled).toBe(false);
    expect(p.defaultSslMode).toBe(SslMode.REQUIRE);
    expect(p.minimumSslMode).toBe(SslMode.REQUIRE);
    expect(p.params).toEqual({});
  });

  test('pooled inserts -pooler after the endpoint id and keeps the direct host for migrations', () => {
    const p = DatabaseProvider.neon({ host: NEON, pooled: true });
    expect(p.host).toBe('ep-cool-darkness-a1b2c3d4-pooler.us-east-2.aws.neon.tech');
    expect(p.migrationHost).toBe(NEON);
    expect(p.pooled).toBe(true);
  });

  test('accepts the pooled host as input and derives the direct host from it', () => {
    const p = DatabaseProvider.neon({ host: 'ep-cool-darkness-a1b2c3d4-pooler.us-east-2.aws.neon.tech' });
    expect(p.host).toBe(NEON);
    expect(p.migrationHost).toBe(NEON);
  });

  test('accepts Azure-hosted Neon endpoints', () => {
    const p = DatabaseProvider.neon({ host: 'ep-quiet-sea-123456.eastus2.azure.neon.tech', pooled: true });
    expect(p.host).toBe('ep-quiet-sea-123456-pooler.eastus2.azure.neon.tech');
  });

  test('channelBinding adds channel_binding=require', () => {
    expect(DatabaseProvider.neon({ host: NEON, channelBinding: true }).params).toEqual({ channel_binding: 'require' });
  });

  test.each([
    'db.example.com',
    'cool-darkness-123456.us-east-2.aws.neon.tech',
    'ep-cool-darkness-123456.neon.tech.evil.com',
    'ep-cool-darkness-123456.us-east-2.aws.neon.technology',
  ])('throws for a host that is not a Neon endpoint (%s)', (host) => {
    expect(() => DatabaseProvider.neon({ host })).toThrow(/DatabaseProvider.neon: host must be a Neon endpoint host 'ep-<name>\[-pooler\]\.<region>\.<cloud>\.neon\.tech' \(got ".*"\)\. Copy the host from the Neon console/);
  });
});

describe('DatabaseProvider.awsRds', () => {
  test('defaults to port 5432, verify-full and the RDS global bundle path', () => {
    const p = DatabaseProvider.awsRds({ host: 'orders.abc123xyz.eu-west-1.rds.amazonaws.com' });
    expect(p.kind).toBe('aws-rds');
    expect(p.port).toBe(5432);
    expect(p.defaultSslMode).toBe(SslMode.VERIFY_FULL);
    expect(p.minimumSslMode).toBe(SslMode.REQUIRE);
    expect(p.defaultCaPath).toBe('/etc/ssl/certs/rds-global-bundle.pem');
  });

  test.each([
    'orders.cluster-abc123xyz.eu-west-1.rds.amazonaws.com',
    'orders.cluster-ro-abc123xyz.eu-west-1.rds.amazonaws.com',
    'orders-proxy.proxy-abc123xyz.eu-west-1.rds.amazonaws.com',
    'orders.abc123xyz.cn-north-1.rds.amazonaws.com.cn',
  ])('accepts Aurora, RDS Proxy and China endpoints (%s)', (host) => {
    expect(DatabaseProvider.awsRds({ host, port: 3306 }).host).toBe(host);
  });

  test('accepts an unresolved CDK token as host without checking it', () => {
    expect(DatabaseProvider.awsRds({ host: '${Token[TOKEN.123]}' }).host).toBe('${Token[TOKEN.123]}');
  });

  test('throws for a host that is not an RDS endpoint', () => {
    expect(() => DatabaseProvider.awsRds({ host: 'db.example.com' }))
      .toThrow(/DatabaseProvider.awsRds: host must be an RDS, Aurora or RDS Proxy endpoint ending in '.rds.amazonaws.com' \(got "db.example.com"\)\. .*DatabaseProvider.postgres\(\)/);
  });

  test('throws for a relative CA bundle path', () => {
    expect(() => DatabaseProvider.awsRds({ host: 'a.b.eu-west-1.rds.amazonaws.com', caBundlePath: 'certs/rds.pem' }))
      .toThrow(/DatabaseProvider.awsRds: caBundlePath must be an absolute file path without spaces or '\.\.' \(got "certs\/rds.pem"\)\. Use e\.g\. "\/etc\/ssl\/certs\/rds-global-bundle\.pem"/);
  });
});

describe('DatabaseProvider.cloudSqlPrivateIp', () => {
  test('defaults to port 5432 and sslmode require, with TLS mandatory', () => {
    const p = DatabaseProvider.cloudSqlPrivateIp({ privateIp: '10.20.0.3' });
    expect(p.host).toBe('10.20.0.3');
    expect(p.port).toBe(5432);
    expect(p.defaultSslMode).toBe(SslMode.REQUIRE);
    expect(p.minimumSslMode).toBe(SslMode.REQUIRE);
    expect(p.defaultCaPath).toBeUndefined();
  });

  test.each(['10.20.0', '10.20.0.300', 'orders-db.internal', '::1'])('throws for a private IP that is not IPv4 (%s)', (privateIp) => {
    expect(() => DatabaseProvider.cloudSqlPrivateIp({ privateIp }))
      .toThrow(/DatabaseProvider.cloudSqlPrivateIp: privateIp must be an IPv4 address such as '10.20.0.3' \(got ".*"\)\. Copy the private IP/);
  });
});

describe('DatabaseProvider.cloudSqlAuthProxy', () => {
  test('defaults to 127.0.0.1:5432 with sslmode disable on the loopback hop', () => {
    const p = DatabaseProvider.cloudSqlAuthProxy({ instanceConnectionName: 'my-project:europe-west1:orders-db' });
    expect(p.host).toBe('127.0.0.1');
    expect(p.port).toBe(5432);
    expect(p.defaultSslMode).toBe(SslMode.DISABLE);
    expect(p.maximumSslMode).toBe(SslMode.PREFER);
    expect(p.instanceConnectionName).toBe('my-project:europe-west1:orders-db');
  });

  test('proxyPort moves the local listener', () => {
    expect(DatabaseProvider.cloudSqlAuthProxy({ instanceConnectionName: 'my-project:us-central1:db1', proxyPort: 6000 }).port).toBe(6000);
  });

  test('accepts domain-scoped projects', () => {
    expect(DatabaseProvider.cloudSqlAuthProxy({ instanceConnectionName: 'example.com:my-project:us-central1:db1' }).instanceConnectionName)
      .toBe('example.com:my-project:us-central1:db1');
  });

  test.each([
    'orders-db',
    'my-project/europe-west1/orders-db',
    'my-project:europe-west1',
    'My-Project:europe-west1:orders-db',
    'my-project:europe:orders-db',
    'my-project:europe-west1:orders_db',
  ])('throws for a bad instance connection name (%s)', (instanceConnectionName) => {
    expect(() => DatabaseProvider.cloudSqlAuthProxy({ instanceConnectionName }))
      .toThrow(/DatabaseProvider.cloudSqlAuthProxy: instanceConnectionName must be 'project:region:instance' in lower case \(got ".*"\)\. Copy it from/);
  });

  test('throws for a proxy port out of range', () => {
    expect(() => DatabaseProvider.cloudSqlAuthProxy({ instanceConnectionName: 'my-project:us-central1:db1', proxyPort: 70000 }))
      .toThrow(/DatabaseProvider.cloudSqlAuthProxy: proxyPort must be a whole number from 1 to 65535 \(got 70000\)/);
  });
});

describe('DatabaseProvider.azureFlexibleServer', () => {
  test('defaults to <server>.postgres.database.azure.com:5432, verify-full and the system CA bundle', () => {
    const p = DatabaseProvider.azureFlexibleServer({ serverName: 'orders-db' });
    expect(p.host).toBe('orders-db.postgres.database.azure.com');
    expect(p.port).toBe(5432);
    expect(p.defaultSslMode).toBe(SslMode.VERIFY_FULL);
    expect(p.minimumSslMode).toBe(SslMode.REQUIRE);
    expect(p.defaultCaPath).toBe('/etc/ssl/certs/ca-certificates.crt');
    expect(p.pooled).toBe(false);
  });

  test('port 6432 is the built-in PgBouncer and counts as pooled', () => {
    expect(DatabaseProvider.azureFlexibleServer({ serverName: 'orders-db', port: 6432 }).pooled).toBe(true);
  });

  test.each(['ab', 'Orders-db', '-orders', 'orders-', 'orders-db.postgres.database.azure.com', 'x'.repeat(64)])(
    'throws for a bad server name (%s)', (serverName) => {
      expect(() => DatabaseProvider.azureFlexibleServer({ serverName }))
        .toThrow(/DatabaseProvider.azureFlexibleServer: serverName must be 3-63 lower-case letters, digits and '-', not starting or ending with '-' \(got ".*"\)\. Give only the first label/);
    });
});

describe('DatabaseProvider.postgres', () => {
  test('defaults to port 5432 and sslmode require, and allows disable', () => {
    const p = DatabaseProvider.postgres({ host: 'db.internal.example.com' });
    expect(p.port).toBe(5432);
    expect(p.defaultSslMode).toBe(SslMode.REQUIRE);
    expect(p.minimumSslMode).toBe(SslMode.DISABLE);
    expect(p.maximumSslMode).toBe(SslMode.VERIFY_FULL);
  });

  test.each(['10.0.0.5', '::1', 'localhost', 'db-1.example.com.'])('accepts host %s', (host) => {
    expect(DatabaseProvider.postgres({ host }).host).toBe(host);
  });

  test('throws for an empty host', () => {
    expect(() => DatabaseProvider.postgres({ host: '' })).toThrow(/DatabaseProvider.postgres: host must not be empty \(got ""\)\. Give the server's DNS name/);
  });

  test('throws for a host with spaces', () => {
    expect(() => DatabaseProvider.postgres({ host: 'db .example.com' }))
      .toThrow(/DatabaseProvider.postgres: host must not contain spaces or other whitespace \(got "db .example.com"\)\. Remove them\./);
  });

  test('throws for a host with a scheme', () => {
    expect(() => DatabaseProvider.postgres({ host: 'postgresql://db.example.com' }))
      .toThrow(/DatabaseProvider.postgres: host must be a bare host name without a scheme \(got "postgresql:\/\/db.example.com"\)\. Drop the 'xxx:\/\/' prefix/);
  });

  test('throws for a host with a port', () => {
    expect(() => DatabaseProvider.postgres({ host: 'db.example.com:5432' }))
      .toThrow(/DatabaseProvider.postgres: host must not include a port \(got "db.example.com:5432"\)\. Give the host alone and the port in 'port'\./);
  });

  test.each(['db_1.example.com', 'user@db.example.com', 'db.example.com/orders', '-db.example.com', 'db..example.com'])(
    'throws for a host with invalid characters (%s)', (host) => {
      expect(() => DatabaseProvider.postgres({ host }))
        .toThrow(/DatabaseProvider.postgres: host must be a DNS name of letters, digits, '-' and '.' .* \(got ".*"\)\. Remove characters/);
    });

  test.each([0, 70000, 5432.5, -1])('throws for port %p', (port) => {
    expect(() => DatabaseProvider.postgres({ host: 'db.example.com', port }))
      .toThrow(new RegExp(`DatabaseProvider.postgres: port must be a whole number from 1 to 65535 \\(got ${port}\\)\\. PostgreSQL listens on 5432 by default\\.`));
  });
});
