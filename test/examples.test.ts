import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { applyNag, nagFindingsInAssembly, expectCfnLintClean, expectK8sValid, expectNoSecrets, toolOrSkip } from './harness';
import { EXTERNAL_SECRET_SCHEMA } from './harness/external-secret-schema';
import { examples, synthesizeExample } from '../examples/catalog';
import { CREATE_ONLY_PROPERTIES } from '../src/core/deploy-safety/private/create-only-properties.generated';

/**
 * Every app in examples/ is synthesized here and checked by the real validators: cfn-lint and
 * cdk-nag AwsSolutions for CloudFormation, the Kubernetes 1.28 schema for manifests, the secret
 * scan over every file written, and byte-for-byte determinism across two runs.
 */
const all = examples();

test('there are examples to check', () => {
  expect(all.length).toBeGreaterThan(0);
});

describe.each(all.map((e) => [e.name, e] as const))('example %s', (_name, example) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `example-${example.name}-`));
  const outdir = path.join(root, 'a');
  const out = synthesizeExample(example, outdir, (apps) => {
    apps.aws?.node.findAll().filter((c): c is Stack => Stack.isStack(c)).forEach(applyNag);
  });

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('writes at least one template or manifest', () => {
    expect(out.templates.length + out.manifests.length).toBeGreaterThan(0);
  });

  test('every template passes cfn-lint', () => {
    if (out.templates.length === 0 || !toolOrSkip('cfn-lint')) return;
    for (const t of out.templates) expectCfnLintClean(t);
  });

  test('every stack passes cdk-nag AwsSolutions', () => {
    // Read from the one synthesis above (the aspect ran during it).
    expect(out.assembly ? nagFindingsInAssembly(out.assembly) : []).toEqual([]);
  });

  test('every manifest passes the Kubernetes 1.28 schema check', () => {
    // Custom resources we emit (External Secrets Operator) are checked by their own validator.
    for (const m of out.manifests) expectK8sValid(fs.readFileSync(m, 'utf-8'), { customResources: EXTERNAL_SECRET_SCHEMA });
  });

  test('every resource type is in the deploy-safety table of create-only properties', () => {
    // A new type needs `npx projen deploy-safety:table` (which reads the cfn-lint schemas).
    const types = out.templates.flatMap((t) => Object.values<{ Type: string }>(JSON.parse(fs.readFileSync(t, 'utf-8')).Resources ?? {}).map((r) => r.Type));
    expect([...new Set(types)].filter((type) => !(type in CREATE_ONLY_PROPERTIES))).toEqual([]);
  });

  test('no file holds a secret', () => {
    expectNoSecrets(outdir);
  });

  test('synthesizes the same bytes twice', () => {
    const again = synthesizeExample(example, path.join(root, 'b'));
    const read = (files: string[], dir: string) => files.map((f) => [path.relative(dir, f), fs.readFileSync(f, 'utf-8')]);
    expect(read(again.templates, path.join(root, 'b'))).toEqual(read(out.templates, outdir));
    expect(read(again.manifests, path.join(root, 'b'))).toEqual(read(out.manifests, outdir));
  });
});
