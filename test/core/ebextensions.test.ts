import { parse } from 'yaml';
import { EbExtensions } from '../../src/core/ebextensions';

describe('EbExtensions.migrationsConfig', () => {
  test('writes a leader-only container command named 01_migrate by default', () => {
    // WHEN
    const text = EbExtensions.migrationsConfig({ command: 'python manage.py migrate' });

    // THEN
    expect(parse(text)).toEqual({
      container_commands: {
        '01_migrate': { command: 'python manage.py migrate', leader_only: true, ignoreErrors: false },
      },
    });
  });

  test('leaderOnly defaults to true', () => {
    const doc = parse(EbExtensions.migrationsConfig({ command: 'x' }));
    expect(doc.container_commands['01_migrate'].leader_only).toBe(true);
  });

  test('ignoreErrors defaults to false', () => {
    const doc = parse(EbExtensions.migrationsConfig({ command: 'x' }));
    expect(doc.container_commands['01_migrate'].ignoreErrors).toBe(false);
  });

  test('honours commandName, leaderOnly and ignoreErrors', () => {
    const doc = parse(EbExtensions.migrationsConfig({ command: 'x', commandName: '10_db-migrate', leaderOnly: false, ignoreErrors: true }));
    expect(doc).toEqual({ container_commands: { '10_db-migrate': { command: 'x', leader_only: false, ignoreErrors: true } } });
  });

  test.each([
    ['colons and a comment sign', 'echo "a: b" # not a comment'],
    ['single and double quotes', 'sh -c \'echo "it\'\'s"\''],
    ['a newline', 'set -e\nflask db upgrade'],
    ['YAML indicators', '- [ ] { } & * ! | > % @ `'],
    ['a word YAML 1.1 reads as boolean', 'yes'],
    ['unicode', 'echo ünïcödé ✓'],
  ])('round-trips a command with %s through a YAML parser', (_label, command) => {
    const doc = parse(EbExtensions.migrationsConfig({ command }));
    expect(doc.container_commands['01_migrate'].command).toBe(command);
  });

  test('throws on an empty command', () => {
    expect(() => EbExtensions.migrationsConfig({ command: '   ' })).toThrow(/EbExtensions: command must be a non-empty shell command \(got "   "\)/);
  });

  test('throws on a command with a NUL character', () => {
    expect(() => EbExtensions.migrationsConfig({ command: 'a\0b' })).toThrow(/EbExtensions: command must not contain a NUL character/);
  });

  test('throws on a commandName with spaces', () => {
    expect(() => EbExtensions.migrationsConfig({ command: 'x', commandName: '01 migrate' })).toThrow(
      /EbExtensions: commandName must be 1-100 letters, digits, '_' or '-' \(got "01 migrate"\)/,
    );
  });
});
