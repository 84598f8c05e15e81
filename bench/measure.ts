import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

/** Which side of the comparison. */
export type Variant = 'lib' | 'base';
/** Which platform. */
export type Platform = 'aws' | 'k8s';

/** Time of one build-and-synth run, in milliseconds. */
export interface Timing {
  /** Constructing the app (constructors, validation). */
  readonly buildMs: number;
  /** `app.synth()` (resolve, validate, write the output). */
  readonly synthMs: number;
  /** Both. */
  readonly totalMs: number;
}

interface Synthesizable {
  synth(): unknown;
}

type Builder = (outdir: string, n: number) => Synthesizable;

/**
 * Loads only the modules of the platform asked for, so a Kubernetes case never pays for loading
 * aws-cdk-lib (and the reverse).
 */
function builder(platform: Platform, variant: Variant): Builder {
  /* eslint-disable @typescript-eslint/no-require-imports */
  if (platform === 'aws') {
    return variant === 'lib' ? require('./library-aws').libraryAws : require('./baseline-aws').baselineAws;
  }
  return variant === 'lib' ? require('./library-k8s').libraryK8s : require('./baseline-k8s').baselineK8s;
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** Builds and synthesizes one app into a scratch directory (removed afterwards) and times both steps. */
export function measureOnce(platform: Platform, variant: Variant, n: number): Timing {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `cdkdb-bench-${platform}-${variant}-`));
  const build = builder(platform, variant);
  try {
    const t0 = performance.now();
    const app = build(outdir, n);
    const t1 = performance.now();
    app.synth();
    const t2 = performance.now();
    return { buildMs: t1 - t0, synthMs: t2 - t1, totalMs: t2 - t0 };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The median of a non-empty list. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
