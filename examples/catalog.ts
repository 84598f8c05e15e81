import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cdk from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import * as cxapi from 'aws-cdk-lib/cx-api';

/**
 * The contract every example follows: `build(outdir)` creates its CDK and/or cdk8s apps with
 * `outdir` as their output directory and returns them without synthesizing.
 */
export interface ExampleApps {
  readonly aws?: cdk.App;
  readonly k8s?: cdk8s.App;
}

/** One example app in this folder. */
export interface Example {
  readonly name: string;
  readonly file: string;
  readonly build: (outdir: string) => ExampleApps;
}

const NOT_EXAMPLES = new Set(['catalog.ts', 'run-all.ts']);

/** Every example in `examples/`, by file name. */
export function examples(): Example[] {
  return fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !NOT_EXAMPLES.has(f))
    .sort()
    .map((f) => {
      const file = path.join(__dirname, f);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(file);
      if (typeof mod.build !== 'function') throw new Error(`examples/${f} must export build(outdir)`);
      return { name: f.replace(/\.ts$/, ''), file, build: mod.build };
    });
}

/** Files an example wrote, by kind. */
export interface ExampleOutput {
  /** Every CloudFormation template, those of nested assemblies (a pipeline's stages) included. */
  readonly templates: string[];
  readonly manifests: string[];
  /** The CloudFormation assembly, when the example has AWS stacks. */
  readonly assembly?: cxapi.CloudAssembly;
}

/** How to synthesize an example. */
export interface SynthesizeOptions {
  /** Called with the apps after they are built and before they synthesize. */
  readonly beforeSynth?: (apps: ExampleApps) => void;
  /**
   * Synthesizes the CDK app. The default, `app.synth()`, throws when a policy validation plugin
   * (cdk-nag, cfn-guard) reports an error, as `cdk synth` fails; tests pass one that reads the report.
   */
  readonly synthAws?: (app: cdk.App) => cxapi.CloudAssembly;
  /**
   * CDK context the AWS app is built with (through `CDK_CONTEXT_JSON`, as the CDK CLI passes it),
   * e.g. `{ '@aws-cdk/core:defaultCrossStackReferences': 'weak' }`.
   * @default - none
   */
  readonly context?: { readonly [key: string]: unknown };
}

/** Synthesizes one example into `outdir` (emptied first) and lists what it wrote. */
export function synthesizeExample(example: Example, outdir: string, options: SynthesizeOptions = {}): ExampleOutput {
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  const apps = withContext(options.context, () => example.build(outdir));
  options.beforeSynth?.(apps);
  const assembly = apps.aws ? (options.synthAws ?? ((app) => app.synth()))(apps.aws) : undefined;
  apps.k8s?.synth();
  const files = filesUnder(outdir);
  return {
    assembly,
    templates: files.filter((f) => f.endsWith('.template.json')),
    manifests: files.filter((f) => f.endsWith('.k8s.yaml')),
  };
}

/** Runs `build` with `context` in `CDK_CONTEXT_JSON`, where `new cdk.App()` reads it. */
function withContext<T>(context: SynthesizeOptions['context'], build: () => T): T {
  if (!context) return build();
  const saved = process.env[cxapi.CONTEXT_ENV];
  process.env[cxapi.CONTEXT_ENV] = JSON.stringify({ ...JSON.parse(saved ?? '{}'), ...context });
  try {
    return build();
  } finally {
    if (saved === undefined) delete process.env[cxapi.CONTEXT_ENV];
    else process.env[cxapi.CONTEXT_ENV] = saved;
  }
}

/** Every file under `dir`, sorted, in nested assemblies too (not in asset directories). */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return e.name.startsWith('asset.') ? [] : filesUnder(full);
      return [full];
    });
}
