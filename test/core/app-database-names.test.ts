import { AppDatabaseNames } from '../../src/core';
import { Problem } from '../../src/core/private/validators';

describe('AppDatabaseNames', () => {
  test('follow the convention: <app>_db, <app>_user, schema <app>, Secret <app>-db-secret', () => {
    const names = AppDatabaseNames.of('example_app');
    expect({ ...names }).toEqual({
      appName: 'example_app',
      resourceName: 'example-app',
      databaseName: 'example_app_db',
      username: 'example_app_user',
      schemaName: 'example_app',
      secretName: 'example-app-db-secret',
    });
  });

  test('turn hyphens into underscores for PostgreSQL names and underscores into hyphens for Kubernetes names', () => {
    const names = AppDatabaseNames.of('my-app');
    expect([names.databaseName, names.username, names.schemaName]).toEqual(['my_app_db', 'my_app_user', 'my_app']);
    expect([names.secretName, names.resourceName]).toEqual(['my-app-db-secret', 'my-app']);
  });

  test('take every name from options', () => {
    const names = AppDatabaseNames.of('shop', { databaseName: 'Shop_Data', username: 'Shop_User', schemaName: 'order', secretName: 'shop.credentials' });
    expect([names.databaseName, names.username, names.schemaName, names.secretName, names.resourceName])
      .toEqual(['Shop_Data', 'Shop_User', 'order', 'shop.credentials', 'shop']);
  });

  test('accept the seed app names and names up to 46 characters', () => {
    for (const name of ['example_app', 'another_app', 'third_app', 'a', 'x'.repeat(46)]) {
      expect(() => AppDatabaseNames.of(name)).not.toThrow();
    }
  });

  test('throws for an app name longer than 46 characters', () => {
    expect(() => AppDatabaseNames.of('a'.repeat(47))).toThrow(/^AppDatabaseNames: appName must be 1-46 lower-case letters, digits, '_' or '-'.*\(got "a{47}"\)/);
  });

  test('throws for an app name with capitals or symbols, and suggests one', () => {
    expect(() => AppDatabaseNames.of('My App')).toThrow(/AppDatabaseNames: appName must be 1-46 lower-case letters.*\(got "My App"\).*try "my-app"/);
    expect(() => AppDatabaseNames.of('1app')).toThrow(/appName must be 1-46 lower-case/);
    expect(() => AppDatabaseNames.of('app-')).toThrow(/appName must be 1-46 lower-case/);
  });

  test('throws once for a bad app name, without repeating it for each derived default', () => {
    expect(() => AppDatabaseNames.of('app"; DROP DATABASE x; --')).toThrow(/^AppDatabaseNames: appName must be [^(]*\(got .*\)\. [^(]*$/);
  });

  test('throws for a reserved database, whatever its case', () => {
    for (const name of ['postgres', 'template0', 'Template1']) {
      expect(() => AppDatabaseNames.of('app', { databaseName: name })).toThrow(/AppDatabaseNames: databaseName must not be a reserved database/);
    }
  });

  test('throws for a user name that is a reserved role or starts with pg_', () => {
    expect(() => AppDatabaseNames.of('app', { username: 'postgres' })).toThrow(/username must not be the reserved role name "postgres"/);
    expect(() => AppDatabaseNames.of('app', { username: 'pg_read_all_data' })).toThrow(/username must not start with 'pg_'/);
  });

  test('throws for a system schema, including the default of an app called public', () => {
    expect(() => AppDatabaseNames.of('app', { schemaName: 'public' })).toThrow(/schemaName must not be a system schema/);
    expect(() => AppDatabaseNames.of('public')).toThrow(/schemaName \(derived from appName "public"\) must not be a system schema .*got "public"/);
  });

  test('throws for names that would inject SQL', () => {
    expect(() => AppDatabaseNames.of('shop', { databaseName: 'a; DROP TABLE x' })).toThrow(/databaseName must be a PostgreSQL identifier/);
    expect(() => AppDatabaseNames.of('shop', { username: 'bob"; DROP ROLE postgres; --' })).toThrow(/username must be a PostgreSQL identifier/);
    expect(() => AppDatabaseNames.of('shop', { schemaName: 'x"; DROP SCHEMA public; --' })).toThrow(/schemaName must be a PostgreSQL identifier/);
  });

  test('throws for a Secret name that is not a DNS-1123 subdomain, listing every problem once', () => {
    expect(() => AppDatabaseNames.of('shop', { secretName: 'Shop_Secret', databaseName: 'template0' }))
      .toThrow(/^AppDatabaseNames: databaseName must not be a reserved database .*\(and 1 more: secretName must be a DNS-1123 subdomain/);
  });

  test('_resolve collects the problems for a construct instead of throwing', () => {
    const problems: Problem[] = [];
    AppDatabaseNames._resolve('Bad App', {}, problems);
    expect(problems.filter((p) => p !== undefined)).toHaveLength(1);
  });
});
