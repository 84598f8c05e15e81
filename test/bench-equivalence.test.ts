import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yaml from 'yaml';
import { expectK8sValid } from './harness';
import { baselineAws } from '../bench/baseline-aws';
import { baselineK8s } from '../bench/baseline-k8s';
import { libraryAws } from '../bench/library-aws';
import { libraryK8s } from '../bench/library-k8s';

/**
 * The benchmark compares the library with hand-written baselines; the comparison is fair only if
 * both emit the same resources. These tests check that once, outside the benchmark.
 */

let outdir: string;
beforeEach(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-equivalence-'));
});
afterEach(() => {
  fs.rmSync(outdir, { recursive: true, force: true });
});

/** Resource type -> count, per stack name. */
function awsCounts(build: typeof libraryAws, n: number): Record<string, Record<string, number>> {
  const assembly = build(outdir, n).synth();
  const result: Record<string, Record<string, number>> = {};
  for (const stack of assembly.stacks) {
    const counts: Record<string, number> = {};
    for (const resource of Object.values<any>(stack.template.Resources ?? {})) {
      counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
    }
    result[stack.stackName] = counts;
  }
  return result;
}

/** Kind -> count over every manifest. */
function k8sCounts(build: typeof libraryK8s, n: number): Record<string, number> {
  const docs = yaml.parseAllDocuments(build(outdir, n).synthYaml()).map((d) => d.toJS());
  const counts: Record<string, number> = {};
  for (const d of docs) counts[`${d.apiVersion}/${d.kind}`] = (counts[`${d.apiVersion}/${d.kind}`] ?? 0) + 1;
  return counts;
}

describe('AWS benchmark baseline', () => {
  test.each([1, 3])('emits the same resource types and counts as the library for %i database(s)', (n) => {
    // GIVEN / WHEN
    const library = awsCounts(libraryAws, n);
    const baseline = awsCounts(baselineAws, n);

    // THEN
    expect(Object.keys(library)).toHaveLength(n + 1);
    expect(library.Service0['AWS::RDS::DBInstance']).toBe(1);
    expect(library.Service0['AWS::ElasticBeanstalk::Environment']).toBe(1);
    expect(baseline).toEqual(library);
  });
});

describe('Kubernetes benchmark baseline', () => {
  test.each([1, 3])('emits the same kinds and counts as SharedPostgres with %i app(s)', (n) => {
    // GIVEN / WHEN
    const library = k8sCounts(libraryK8s, n);
    const baseline = k8sCounts(baselineK8s, n);

    // THEN
    // Per app a Secret and a Job filling it in; the server init Job; the superuser's Secret and bootstrap Job; the server certificate's two Secrets and Job.
    expect(library['batch/v1/Job']).toBe(n + 3);
    expect(library['v1/Secret']).toBe(n + 3);
    expect(baseline).toEqual(library);
  });

  test('the baseline manifests pass the Kubernetes 1.28 schema check', () => {
    expectK8sValid(baselineK8s(outdir, 3));
  });
});
