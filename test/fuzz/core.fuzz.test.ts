import * as fc from 'fast-check';
import { Client } from 'pg';
import * as YAML from 'yaml';
import { perturb, wildMap, wildNumber, wildString } from './arbitraries';
import { fuzzParameters, judge } from './oracle';
import {
  AppDatabaseNames, DatabaseConnection, DatabaseEnv, DatabaseProvider, EbExtensions, SecretsManagerSecretRef, SslMode,
} from '../../src/core';

/**
 * The framework-free building blocks under fuzzed input, each with a real consumer as oracle:
 * node-postgres parses every URL back into what was given, YAML parses the .ebextensions file
 * back into the command, environment variable names are valid and distinct.
 */
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

const PROVIDERS: Array<[string, fc.Arbitrary<() => DatabaseProvider>, fc.Arbitrary<() => DatabaseProvider>]> = [
  ['DatabaseProvider.postgres',
    fc.tuple(fc.constantFrom('db.example.com', '10.0.0.7', 'fd00::2', 'localhost'), opt(fc.integer({ min: 1, max: 65535 }))).map(([host, port]) => () => DatabaseProvider.postgres({ host, port })),
    fc.tuple(wildString(), opt(wildNumber())).map(([host, port]) => () => DatabaseProvider.postgres({ host, port }))],
  ['DatabaseProvider.neon',
    fc.tuple(fc.constantFrom('ep-cool-darkness-a1b2c3d4.us-east-2.aws.neon.tech', 'ep-x-pooler.eu-central-1.aws.neon.tech'), fc.boolean()).map(([host, pooled]) => () => DatabaseProvider.neon({ host, pooled })),
    wildString().map((host) => () => DatabaseProvider.neon({ host }))],
  ['DatabaseProvider.awsRds',
    fc.constantFrom('mydb.abc123xyz.eu-west-1.rds.amazonaws.com', 'proxy.proxy-abc.us-east-1.rds.amazonaws.com').map((host) => () => DatabaseProvider.awsRds({ host })),
    fc.tuple(wildString(), opt(wildNumber()), opt(wildString()))
      .map(([host, port, caBundlePath]) => () => DatabaseProvider.awsRds({ host, port, caBundlePath }))],
  ['DatabaseProvider.cloudSqlPrivateIp',
    fc.constantFrom('10.20.0.3', '172.16.5.4').map((privateIp) => () => DatabaseProvider.cloudSqlPrivateIp({ privateIp })),
    wildString().map((privateIp) => () => DatabaseProvider.cloudSqlPrivateIp({ privateIp }))],
  ['DatabaseProvider.azureFlexibleServer',
    fc.constantFrom('orders-db', 'abc').map((serverName) => () => DatabaseProvider.azureFlexibleServer({ serverName })),
    fc.tuple(wildString(), opt(wildString())).map(([serverName, caPath]) => () => DatabaseProvider.azureFlexibleServer({ serverName, caPath }))],
];

describe('DatabaseConnection and DatabaseProvider under fuzzed input', () => {
  test.each(PROVIDERS)('%s: refuses bad input by name; node-postgres parses every URL back into its parts', (owner, validProvider, wildProvider) => {
    const valid = fc.record({
      provider: validProvider,
      databaseName: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_$-]{0,20}$/),
      username: fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,20}$/),
      applicationName: opt(fc.stringMatching(/^[ -~]{1,63}$/)),
      connectTimeoutSeconds: opt(fc.integer({ min: 2, max: 600 })),
      extraParams: opt(fc.constantFrom<{ [key: string]: string }>({ target_session_attrs: 'read-write' }, { keepalives: '1' })),
    });
    const wild = {
      provider: wildProvider,
      databaseName: wildString(),
      username: wildString(),
      applicationName: wildString(),
      connectTimeoutSeconds: wildNumber(),
      statementTimeoutMs: wildNumber(),
      extraParams: wildMap(),
      caPath: wildString(),
    };
    const password = fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.constantFrom("p@ss/w:rd?#%&=+ ü'\"\\", 'Abc123'));
    fc.assert(fc.property(perturb(valid, wild), password, ({ props, perturbed }, pw) => {
      const connection = judge({
        owners: ['DatabaseConnection', owner],
        perturbed,
        mentions: { provider: ['host', 'port', 'caBundlePath', 'privateIp', 'serverName', 'caPath', 'sslMode'], caPath: ['caPath', 'sslMode'] },
      }, () => new DatabaseConnection({ ...props, provider: props.provider() }));
      if (connection === undefined) return;
      // node-postgres reads the CA file named by sslrootcert: leave it out of what it parses.
      const parsed = new Client({ connectionString: connection.url(pw).replace(/([?&])sslrootcert=[^&]*(&|$)/, '$1') });
      expect(parsed.host).toBe(connection.host);
      expect(parsed.port).toBe(connection.port);
      expect(parsed.database).toBe(connection.databaseName);
      expect(parsed.user).toBe(connection.username);
      expect(parsed.password).toBe(pw);
      expect(new URL(connection.url(pw)).searchParams.get('sslmode')).toBe(connection.sslMode.value);
    }), fuzzParameters(FUZZ_CORE_RUNS));
  });
});

describe('DatabaseEnv under fuzzed options', () => {
  test('refuses bad options by name; every variable name is valid and used once', () => {
    const valid = fc.record({
      poolSize: opt(fc.integer({ min: 1, max: 1000 })),
      maxOverflow: opt(fc.integer({ min: 0, max: 1000 })),
      sslMode: opt(fc.constantFrom(...SslMode.all())),
      extraSettings: opt(fc.constant({ DB_SCHEMA: 'orders' })),
      envNames: opt(fc.constant({ DB_HOST: 'PGHOST' })),
      omitDatabaseUrl: opt(fc.boolean()),
    });
    const wild = {
      poolSize: wildNumber(),
      maxOverflow: wildNumber(),
      poolRecycleSeconds: wildNumber(),
      connectTimeoutSeconds: wildNumber(),
      extraSettings: wildMap(),
      envNames: wildMap(),
      keyMapping: wildMap(),
      sslRootCertPath: wildString(),
      sslCertPath: wildString(),
    };
    fc.assert(fc.property(perturb(valid, wild), ({ props, perturbed }) => {
      const vars = judge({ owners: ['DatabaseEnv'], perturbed, mentions: { sslCertPath: ['sslCertPath', 'sslKeyPath'] } }, () => DatabaseEnv.describe(props));
      if (vars === undefined) return;
      const names = vars.map((x) => x.name);
      expect(new Set(names).size).toBe(names.length);
      for (const n of names) expect(n).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      for (const x of vars) if (x.secretKey !== undefined) expect(x.secretKey).toMatch(/^[-._a-zA-Z0-9]{1,253}$/);
    }), fuzzParameters(FUZZ_CORE_RUNS));
  });
});

describe('EbExtensions, SecretsManagerSecretRef and AppDatabaseNames under fuzzed input', () => {
  test('EbExtensions: YAML gives back exactly the command and its name', () => {
    fc.assert(fc.property(wildString(), fc.oneof(fc.constant(undefined), wildString(), fc.constant('01_migrate')), (command, commandName) => {
      const text = judge({ owners: ['EbExtensions'], perturbed: ['command', 'commandName'] }, () => EbExtensions.migrationsConfig({ command, commandName }));
      if (text === undefined) return;
      const doc = YAML.parse(text);
      expect(doc.container_commands[commandName ?? '01_migrate'].command).toBe(command);
    }), fuzzParameters(FUZZ_CORE_RUNS));
  });

  test('SecretsManagerSecretRef: refuses bad names, regions and periods by name', () => {
    fc.assert(fc.property(wildString(), opt(wildString()), opt(wildNumber()), (secretName, region, rotationPeriodDays) => {
      const ref = judge({ owners: ['SecretsManagerSecretRef'], perturbed: ['secretName', 'region', 'rotationPeriodDays'] },
        () => SecretsManagerSecretRef.fromName(secretName, { region, rotationPeriodDays }));
      if (ref !== undefined) expect(ref.secretName).toMatch(/^[A-Za-z0-9/_+=.@-]{1,512}$/);
    }), fuzzParameters(FUZZ_CORE_RUNS));
  });

  test('AppDatabaseNames: refuses bad names by name; what it accepts is a usable PostgreSQL and Kubernetes name', () => {
    const wildNames = fc.record(
      { databaseName: wildString(), username: wildString(), schemaName: wildString(), secretName: wildString() }, { requiredKeys: [] });
    fc.assert(fc.property(wildString(), wildNames, (app, options) => {
      const names = judge({ owners: ['AppDatabaseNames'], perturbed: ['appName', ...Object.keys(options)] }, () => AppDatabaseNames.of(app, options));
      if (names === undefined) return;
      for (const n of [names.databaseName, names.username, names.schemaName]) expect(n).toMatch(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/);
      expect(names.username.toLowerCase().startsWith('pg_')).toBe(false);
      expect(names.secretName).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);
    }), fuzzParameters(FUZZ_CORE_RUNS));
  });
});

/** The core properties are cheap: more runs in the same time. */
const FUZZ_CORE_RUNS = Number(process.env.FUZZ_RUNS ?? 0) || (process.env.FUZZ_LONG === '1' ? 2000 : 100);
