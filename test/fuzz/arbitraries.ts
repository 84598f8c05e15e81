import { Duration as CdkDuration, Lazy } from 'aws-cdk-lib';
import { Duration as K8sDuration } from 'cdk8s';
import * as fc from 'fast-check';

/**
 * Generators for the property-based tests: each mixes edge values with random ones. A prop gets
 * either a value from its valid generator or, when the test perturbs it, one of these.
 */

/** Text that breaks naive code: empty, blank, very long, unicode, quotes, SQL and shell, control characters. */
export const EDGE_STRINGS: readonly string[] = [
  '', ' ', '  padded  ', 'a'.repeat(64), 'a'.repeat(300), 'x'.repeat(10_000),
  'ünïcödé', '日本語の名前', '🐘💾', 'Straße', '\u200b', 'a\u0000b',
  "it's", '"quoted"', '`backtick`', "'; DROP TABLE users; --", 'Robert"); DROP TABLE students;--',
  '$(rm -rf /)', '${HOME}', '; echo pwned', '| cat /etc/passwd', '&& reboot',
  'line1\nline2', 'tab\there', 'cr\r\nlf', '../../etc/passwd', '/abs/path', 'C:\\windows',
  'UPPER', 'MixedCase', '1abc', '-leading', 'trailing-', 'a..b', '.hidden', 'a_b', 'a.b',
  'tls.example.com', 'under_score', 'with space', 'a/b', 'a:b', 'a@b', 'a#b', 'a%20b', 'null', 'undefined',
  'select', 'user', 'pg_x', 'postgres', 'rdsadmin', 'public', 'default', 'kube-system',
];

/** Numbers that break naive code: zero, negatives, fractions, NaN, ±Infinity, huge and 32-bit edges. */
export const EDGE_NUMBERS: readonly number[] = [
  0, -0, -1, 1, 0.5, 1.5, -1.5, 99.999, NaN, Infinity, -Infinity, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 + 2,
  1e21, Number.MAX_VALUE, Number.MIN_VALUE, Number.EPSILON, 65535, 65536, 1e-7,
];

/** A string edge value or a random string (ASCII or any unicode). */
export function wildString(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...EDGE_STRINGS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,70}$/) },
  );
}

/** A number edge value or a random one (integers and doubles, NaN and infinities included). */
export function wildNumber(): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...EDGE_NUMBERS) },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 1, arbitrary: fc.double() },
  );
}

/** The value wrapped in a CDK Lazy token (string or number), as a user passing a late-bound value would. */
export function lazyString(inner: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return inner.map((value) => Lazy.string({ produce: () => value }));
}

/** A CDK Lazy number token. */
export function lazyNumber(inner: fc.Arbitrary<number>): fc.Arbitrary<number> {
  return inner.map((value) => Lazy.number({ produce: () => value }));
}

/** A valid value most of the time, or a wild one (edge, random or a token of either). */
export function stringProp(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: wildString() },
    { weight: 1, arbitrary: lazyString(fc.oneof(valid, wildString())) },
  );
}

/** A wild number, or a token of a valid or wild one. */
export function numberProp(valid: fc.Arbitrary<number>): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 4, arbitrary: wildNumber() },
    { weight: 1, arbitrary: lazyNumber(fc.oneof(valid, wildNumber())) },
  );
}

/** Seconds that a Duration can be made of (aws-cdk refuses negative amounts itself). */
const DURATION_SECONDS = fc.oneof(
  fc.constantFrom(0, 0.5, 1.5, 1, 59, 60, 61, 3600, 86400, 1e9, NaN, Infinity),
  fc.double({ min: 0, max: 1e7, noNaN: true }),
);

/** A wild aws-cdk Duration: fractions of a second, zero, huge, NaN, in several units. */
export function wildCdkDuration(): fc.Arbitrary<CdkDuration> {
  return fc.oneof(
    DURATION_SECONDS.map((s) => CdkDuration.seconds(s)),
    DURATION_SECONDS.map((s) => CdkDuration.millis(s * 1000)),
    fc.constantFrom(CdkDuration.millis(1500), CdkDuration.days(36), CdkDuration.hours(73), CdkDuration.minutes(0.5)),
    fc.constant(CdkDuration.seconds(Lazy.number({ produce: () => 60 }))),
  );
}

/** A wild cdk8s Duration. */
export function wildK8sDuration(): fc.Arbitrary<K8sDuration> {
  return fc.oneof(
    DURATION_SECONDS.map((s) => K8sDuration.seconds(s)),
    fc.constantFrom(K8sDuration.millis(1500), K8sDuration.days(400), K8sDuration.minutes(0.5)),
  );
}

/** A map with wild keys and values. */
export function wildMap(): fc.Arbitrary<{ [key: string]: string }> {
  // Plain objects, as users write them (fast-check's dictionaries have a null prototype).
  return fc.dictionary(wildString(), wildString(), { maxKeys: 3 }).map((d) => ({ ...d }));
}

/** Valid props with up to `max` of them replaced by wild values; `perturbed` lists the replaced props. */
export interface Fuzzed<T> {
  readonly props: T;
  readonly perturbed: string[];
}

/** Takes valid props and replaces up to `max` props (chosen among `wild`'s keys) by wild values. */
export function perturb<T extends object>(
  valid: fc.Arbitrary<T>, wild: { [K in keyof T]?: fc.Arbitrary<unknown> }, max = 2,
): fc.Arbitrary<Fuzzed<T>> {
  const keys = Object.keys(wild);
  return fc.tuple(valid, fc.subarray(keys, { maxLength: max })).chain(([props, chosen]) =>
    fc.tuple(...chosen.map((k) => (wild as { [k: string]: fc.Arbitrary<unknown> })[k])).map((values) => {
      const out: { [k: string]: unknown } = { ...(props as { [k: string]: unknown }) };
      chosen.forEach((k, i) => { out[k] = values[i]; });
      return { props: out as T, perturbed: chosen };
    }));
}
