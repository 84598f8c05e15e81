import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Stack, aws_s3 as s3 } from 'aws-cdk-lib';
import {
  cfnGuardFindingsInAssembly, expectCfnLintCleanFiles, expectK8sValid, expectNoSecrets, nagFindingsInAssembly,
  policyFindingsInAssembly, synthValidated, toolOrSkip, CUSTOM_RESOURCE_SCHEMAS,
} from './harness';
import { EXTERNAL_SECRET_SCHEMA } from './harness/external-secret-schema';
import { PROMETHEUS_OPERATOR_SCHEMA } from './k8s/prometheus-operator-schema';
import { Example, examples, synthesizeExample } from '../examples/catalog';
import { CREATE_ONLY_PROPERTIES } from '../src/core/deploy-safety/private/create-only-properties.generated';

/**
 * Every app in examples/ is synthesized here and checked by the real validators: cfn-lint, cdk-nag
 * AwsSolutions and AWS Control Tower's proactive controls (cfn-guard) for CloudFormation, the
 * Kubernetes 1.28 schema for manifests, the secret scan over every file written, and byte-for-byte
 * determinism across two runs. Each AWS example registers cdk-nag and cfn-guard itself, as a
 * consumer does (`Validations.of(app).addPlugins(...)`), so the findings are read from the report
 * aws-cdk-lib writes into the assembly. The AWS apps are synthesized once more with weak cross-stack
 * references, which a new `cdk init` app turns on.
 */
const all = examples();
const CANARY = 'PolicyCanary';
const WEAK_REFERENCES = { '@aws-cdk/core:defaultCrossStackReferences': 'weak' };

test('there are examples to check', () => {
  expect(all.length).toBeGreaterThan(0);
});

describe.each(all.map((e) => [e.name, e] as const))('example %s', (_name, example) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `example-${example.name}-`));
  const outdir = path.join(root, 'a');
  const out = synthesizeExample(example, outdir, { synthAws: synthValidated });

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('writes at least one template or manifest', () => {
    expect(out.templates.length + out.manifests.length).toBeGreaterThan(0);
  });

  test('every template passes cfn-lint', () => {
    if (out.templates.length === 0 || !toolOrSkip('cfn-lint')) return;
    expectCfnLintCleanFiles(out.templates);
  });

  test('no policy validation plugin failed to run', () => {
    if (!out.assembly) return;
    // A plugin that failed reports an error instead of findings; it must not pass silently. That
    // both plugins are registered is proved below, on a canary resource.
    expect(policyFindingsInAssembly(out.assembly).filter((f) => f.rule === 'plugin-error')).toEqual([]);
  });

  test('every stack passes cdk-nag AwsSolutions', () => {
    // Read from the one synthesis above (the plugin ran during it).
    expect(out.assembly ? nagFindingsInAssembly(out.assembly) : []).toEqual([]);
  });

  test("every stack passes AWS Control Tower's proactive controls (cfn-guard)", () => {
    expect(out.assembly ? cfnGuardFindingsInAssembly(out.assembly) : []).toEqual([]);
  });

  test('every manifest passes the Kubernetes 1.28 schema check', () => {
    // Custom resources we emit (External Secrets Operator, prometheus-operator, cert-manager) are checked by their own validators.
    const customResources = { ...EXTERNAL_SECRET_SCHEMA, ...PROMETHEUS_OPERATOR_SCHEMA, ...CUSTOM_RESOURCE_SCHEMAS };
    for (const m of out.manifests) expectK8sValid(fs.readFileSync(m, 'utf-8'), { customResources });
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
    const again = synthesizeExample(example, path.join(root, 'b'), { synthAws: synthValidated });
    const read = (files: string[], dir: string) => files.map((f) => [path.relative(dir, f), fs.readFileSync(f, 'utf-8')]);
    expect(read(again.templates, path.join(root, 'b'))).toEqual(read(out.templates, outdir));
    expect(read(again.manifests, path.join(root, 'b'))).toEqual(read(out.manifests, outdir));
  });
});

/** True when the example builds a CDK app (built, not synthesized, into a directory removed after). */
function hasAwsApp(example: Example): boolean {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `probe-${example.name}-`));
  try {
    return example.build(dir).aws !== undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const awsExamples = all.filter(hasAwsApp);

describe.each(awsExamples.map((e) => [e.name, e] as const))('example %s with weak cross-stack references', (_name, example) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `example-weak-${example.name}-`));
  // A canary stack with a bucket that breaks rules of both tools: the example's own plugin
  // registration must report it, which proves cdk-nag and cfn-guard ran (a clean plugin is absent
  // from the validation report, so an empty report alone proves nothing).
  const out = synthesizeExample(example, root, {
    synthAws: synthValidated,
    context: WEAK_REFERENCES,
    beforeSynth: (apps) => { new s3.CfnBucket(new Stack(apps.aws!, CANARY), 'Bucket'); },
  });
  const texts = out.templates.map((t) => fs.readFileSync(t, 'utf-8'));

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('cross-stack values are weak references (Fn::GetStackOutput), not exports', () => {
    expect(texts.some((t) => t.includes('Fn::GetStackOutput'))).toBe(true);
    expect(texts.some((t) => t.includes('Fn::ImportValue'))).toBe(false);
  });

  test("the example registers cdk-nag and cfn-guard: both flag the canary and nothing else (the library's acknowledgments still apply)", () => {
    const nag = nagFindingsInAssembly(out.assembly!);
    const guard = cfnGuardFindingsInAssembly(out.assembly!);
    const onCanary = (f: string) => f.includes(` at ${CANARY}/`);
    expect(nag.filter(onCanary).length).toBeGreaterThan(0);
    expect(guard.filter(onCanary).length).toBeGreaterThan(0);
    expect([...nag, ...guard].filter((f) => !onCanary(f))).toEqual([]);
  });

  test('every template passes cfn-lint', () => {
    if (!toolOrSkip('cfn-lint')) return;
    expectCfnLintCleanFiles(out.templates.filter((f) => !path.basename(f).startsWith(CANARY)));
  });
});
