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
});
