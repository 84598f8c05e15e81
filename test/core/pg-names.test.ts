import { spawnSync } from 'node:child_process';
import { PostgresNames } from '../../src/core';

describe('PostgresNames', () => {
  describe('quoting', () => {
    test('leaves plain lower-case names bare and quotes keywords, capitals and odd characters', () => {
      expect(PostgresNames.quoteIdent('example_app_db')).toBe('example_app_db');
      expect(PostgresNames.quoteIdent('user')).toBe('"user"');
      expect(PostgresNames.quoteIdent('order')).toBe('"order"');
      expect(PostgresNames.quoteIdent('Mixed_Case')).toBe('"Mixed_Case"');
      expect(PostgresNames.quoteIdent('a"b')).toBe('"a""b"');
      expect(PostgresNames.quoteIdent('1abc')).toBe('"1abc"');
    });

    test('quotes literals like quote_literal()', () => {
      expect(PostgresNames.quoteLiteral('abc')).toBe("'abc'");
      expect(PostgresNames.quoteLiteral("it's")).toBe("'it''s'");
      expect(PostgresNames.quoteLiteral('a\\b')).toBe("E'a\\\\b'");
    });

    test('quotes shell words so sh reads them back unchanged', () => {
      const tricky = "it's $HOME `date` \"x\" ; rm -rf /";
      const res = spawnSync('/bin/sh', ['-c', `printf '%s' ${PostgresNames.quoteShell(tricky)}`], { encoding: 'utf-8' });
      expect(res.stdout).toBe(tricky);
    });
  });

  describe('app defaults', () => {
    test('follow seed 001: <app>_db, <app>_user, schema <app>, Secret <app>-db-secret', () => {
      expect(PostgresNames.appDefaults('example_app')).toEqual({
        databaseName: 'example_app_db',
        username: 'example_app_user',
        schemaName: 'example_app',
        secretName: 'example-app-db-secret',
        resourceName: 'example-app',
      });
    });

    test('turn hyphens into underscores for PostgreSQL names', () => {
      expect(PostgresNames.appDefaults('my-app').databaseName).toBe('my_app_db');
      expect(PostgresNames.appDefaults('my-app').secretName).toBe('my-app-db-secret');
    });

    test('accepts the seed app names and names up to 46 characters', () => {
      for (const name of ['example_app', 'another_app', 'third_app', 'a', 'x'.repeat(46)]) {
        expect(() => PostgresNames.validateAppName('T', 'appName', name)).not.toThrow();
      }
    });
  });

  describe('validation', () => {
    const v = PostgresNames;
    test('throws for an empty identifier', () => {
      expect(() => v.validateIdentifier('T', 'databaseName', '')).toThrow(/T: databaseName must not be empty/);
    });
    test('throws for an identifier longer than 63 bytes', () => {
      expect(() => v.validateIdentifier('T', 'databaseName', 'a'.repeat(64))).toThrow(/T: databaseName must be at most 63 bytes \(got 64/);
    });
    test('throws for an identifier with SQL in it', () => {
      expect(() => v.validateIdentifier('T', 'databaseName', 'a; DROP TABLE x')).toThrow(/T: databaseName must be a PostgreSQL identifier .*got "a; DROP TABLE x".*use underscores/);
    });
    test('throws for an identifier with a hyphen', () => {
      expect(() => v.validateIdentifier('T', 'username', 'my-user')).toThrow(/T: username must be a PostgreSQL identifier/);
    });
    test('throws for a reserved database name, whatever its case', () => {
      for (const name of ['postgres', 'template0', 'template1', 'Postgres']) {
        expect(() => v.validateDatabaseName('T', 'databaseName', name)).toThrow(/T: databaseName must not be a reserved database .*postgres, template0, template1/);
      }
    });
    test('throws for a role name starting with pg_', () => {
      expect(() => v.validateRoleName('T', 'username', 'pg_monitor')).toThrow(/T: username must not start with 'pg_'/);
    });
    test('throws for a reserved role name', () => {
      for (const name of ['postgres', 'public', 'none', 'current_user']) {
        expect(() => v.validateRoleName('T', 'username', name)).toThrow(/T: username must not be the reserved role name/);
      }
    });
    test('throws for a system schema', () => {
      for (const name of ['public', 'information_schema', 'pg_catalog']) {
        expect(() => v.validateSchemaName('T', 'schemaName', name)).toThrow(/T: schemaName must not be a system schema/);
      }
    });
    test('throws for a name that is not a DNS-1123 label, and suggests one', () => {
      expect(() => v.validateDnsLabel('T', 'name', 'My_App')).toThrow(/T: name must be a DNS-1123 label.*got "My_App".*Try "my-app"/);
      expect(() => v.validateDnsLabel('T', 'name', 'a'.repeat(64))).toThrow(/T: name must be a DNS-1123 label/);
    });
    test('throws for a name that is not a DNS-1123 subdomain', () => {
      expect(() => v.validateDnsSubdomain('T', 'secretName', 'Bad_Secret')).toThrow(/T: secretName must be a DNS-1123 subdomain.*got "Bad_Secret"/);
    });
    test('throws for an app name longer than 46 characters', () => {
      expect(() => v.validateAppName('T', 'appName', 'a'.repeat(47))).toThrow(/T: appName must be at most 46 characters \(got 47/);
    });
    test('throws for an app name with capitals or symbols', () => {
      expect(() => v.validateAppName('T', 'appName', 'My App')).toThrow(/T: appName must be lower-case letters, digits, '_' or '-'.*Try "my-app"/);
      expect(() => v.validateAppName('T', 'appName', '1app')).toThrow(/T: appName must be lower-case/);
      expect(() => v.validateAppName('T', 'appName', 'app-')).toThrow(/T: appName must be lower-case/);
    });
  });
});
