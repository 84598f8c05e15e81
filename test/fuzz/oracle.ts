import * as fc from 'fast-check';
import { cfnLintAll, templateSanityProblems, toolOrSkip, validateExternalSecretsWithSchema, validateExternalSecretShape, validateK8s } from '../harness';

/**
 * The oracle of the property-based tests, and their settings.
 *
 * `npm test` runs every property with a fixed seed and a few runs; `npx projen fuzz` (FUZZ_LONG=1)
 * runs many more. FUZZ_SEED and FUZZ_RUNS override both, e.g. to replay a failure fast-check printed.
 */
export const FUZZ_LONG = process.env.FUZZ_LONG === '1';
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20251111);
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? (FUZZ_LONG ? 300 : 12));
/**
 * How many accepted CloudFormation templates per property cfn-lint checks: one cfn-lint run takes
 * seconds, so `npm test` lints a couple of IndependentRds templates only, the fuzz task many.
 */
export const CFN_LINT_SAMPLE = Number(process.env.FUZZ_CFN_LINT ?? (FUZZ_LONG ? 40 : 2));

/** The fast-check parameters of every property: the fixed seed, `runs` runs (scaled like FUZZ_RUNS). */
export function fuzzParameters(runs: number = FUZZ_RUNS): fc.Parameters<unknown> {
  return { seed: FUZZ_SEED, numRuns: runs, endOnFailure: true };
}

/** What a property is about: the constructs whose errors may surface, and the props it perturbed. */
export interface Judged {
  /** Names an error may start with (`IndependentRds`, `DatabaseProvider.neon`, …). */
  readonly owners: string[];
  /** Props given a wild value; an error must name one of them, and without any no error may occur. */
  readonly perturbed: string[];
  /** How an error names a perturbed prop, when not by the prop's own name. */
  readonly mentions?: { [prop: string]: string[] };
}

/** Validation errors thrown at synthesis: `Validation failed with the following errors:\n  [path] Owner: …`. */
const SYNTH_VALIDATION = /^Validation failed with the following errors:\n\s+\[[^\]]*\] /;

/**
 * Runs `build` and applies the oracle to a failure: a plain `Error` (never a TypeError or an
 * aws-cdk-lib error class) whose message starts with one of the owners and names a perturbed prop,
 * and only when a prop was perturbed (valid input must never be refused). A build that hangs (a
 * backtracking regular expression) fails the test at jest's timeout; speed is for the benchmarks.
 * Returns the result, or undefined when the build was refused as it should be.
 */
export function judge<T>(spec: Judged, build: () => T): T | undefined {
  try {
    return build();
  } catch (e) {
    const error = e as Error;
    const where = `perturbed ${JSON.stringify(spec.perturbed)}`;
    // The library throws plain Errors; at synthesis aws-cdk-lib (2.271 and later) wraps the
    // messages of the constructs' own validations in its validation error class, which is fine.
    const synthValidation = error instanceof Error && SYNTH_VALIDATION.test(error.message) && /ValidationError$/.test(error.constructor.name);
    if (!(error instanceof Error) || (error.constructor !== Error && !synthValidation)) {
      throw new Error(`${where}: threw ${(error as any)?.constructor?.name ?? typeof error} instead of a plain Error: ${String(error?.message ?? error)}`);
    }
    const message = error.message.replace(SYNTH_VALIDATION, '');
    if (!spec.owners.some((o) => message.startsWith(`${o}: `))) {
      throw new Error(`${where}: the error does not start with ${spec.owners.join(' or ')}: ${error.message.slice(0, 500)}`);
    }
    if (spec.perturbed.length === 0) throw new Error(`valid input was refused: ${error.message.slice(0, 500)}`);
    const terms = spec.perturbed.flatMap((p) => spec.mentions?.[p] ?? [p]);
    if (!terms.some((t) => message.includes(t))) {
      throw new Error(`${where}: the error names none of ${JSON.stringify(terms)}: ${error.message.slice(0, 500)}`);
    }
    return undefined;
  }
}

/** Fails on any Kubernetes schema, name or label problem; ExternalSecrets get the shape checks here and the v1 schema in {@link ExternalSecretBatch}. */
export function expectManifestsValid(docs: any[]): void {
  const problems = validateK8s(docs, { customResources: { 'external-secrets.io/v1/ExternalSecret': validateExternalSecretShape } });
  if (problems.length > 0) throw new Error(`manifest problems:\n  ${problems.join('\n  ')}`);
}

/** ExternalSecrets collected over a property, checked against the package's v1 schema in one process at the end. */
export class ExternalSecretBatch {
  private readonly docs: any[] = [];
  public add(docs: any[]): void {
    this.docs.push(...docs.filter((d) => d?.kind === 'ExternalSecret'));
  }
  public expectValid(): void {
    const problems = validateExternalSecretsWithSchema(this.docs).flatMap((p, i) => p.map((m) => `ExternalSecret #${i} ${this.docs[i]?.metadata?.name}: ${m}`));
    if (problems.length > 0) throw new Error(problems.join('\n'));
  }
}

/** CloudFormation templates collected over a property: sanity-checked at once, a sample linted at the end. */
export class TemplateSample {
  private readonly templates: object[] = [];
  /** @param limit how many templates to keep for cfn-lint */
  public constructor(private readonly limit: number = CFN_LINT_SAMPLE) {}
  public add(template: object): void {
    const problems = templateSanityProblems(template);
    if (problems.length > 0) throw new Error(`template problems:\n  ${problems.join('\n  ')}`);
    if (this.templates.length < this.limit) this.templates.push(template);
  }
  public get size(): number {
    return this.templates.length;
  }
  /**
   * cfn-lint over the sample: zero findings, except W3010 ("avoid hardcoding availability zones")
   * on an instance's AvailabilityZone, which is exactly what the availabilityZone prop asks for.
   */
  public expectCfnLintClean(): void {
    if (this.templates.length === 0 || !toolOrSkip('cfn-lint')) return;
    const findings = cfnLintAll(this.templates).flatMap((f, i) => f
      .filter((x) => !(x.rule === 'W3010' && x.path.endsWith('/Properties/AvailabilityZone')))
      .map((x) => `template #${i}: ${x.level} ${x.rule} at ${x.path}: ${x.message}`));
    if (findings.length > 0) throw new Error(`cfn-lint findings:\n  ${findings.join('\n  ')}`);
  }
}
