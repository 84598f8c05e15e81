/**
 * `npm run bench`: the library's synthesis cost against hand-written aws-cdk-lib and cdk8s-plus
 * code emitting the same resources, how it grows with the number of apps, and how fast the init
 * scripts converge on a real PostgreSQL 15. Prints a table and writes the same figures to
 * `bench/results.json`.
 *
 * Options: `--only=aws,k8s,init` runs a subset.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { initConvergence, InitResult } from './init-convergence';
import { median, Timing } from './measure';

const ROOT = path.resolve(__dirname, '..');
const AWS_NS = [1, 10, 50];
const AWS_REPS = [9, 5, 3];
const K8S_NS = [10, 50, 200, 500];
const K8S_REPS = [5, 5, 3, 2];
const INIT_APPS = 100;
/** Repetitions of the init benchmark, each on a fresh server; the median is reported. */
const INIT_REPS = 3;

const TARGET = { ratio: 1.15, k8s500Ms: 5000, k8s500RssMiB: 1024, growth: 12, initMs: 10_000, noOpMs: 3000 };

/** Runs `bench/case.ts` in a fresh Node.js process (ts-node, transpile only) and parses its JSON line. */
function runCase(args: string[]): any {
  const res = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join('bench', 'case.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf-8',
    env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'test', 'tsconfig.json'), JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (res.status !== 0) throw new Error(`bench/case.ts ${args.join(' ')} failed (${res.status}): ${res.stderr}`);
  const line = res.stdout.trim().split('\n').pop()!;
  return JSON.parse(line);
}

interface AwsRow {
  n: number;
  repetitions: number;
  libMs: number;
  baseMs: number;
  ratio: number;
  libSynthMs: number;
  baseSynthMs: number;
  synthRatio: number;
}

function awsBench(): AwsRow[] {
  const out = runCase(['aws', 'interleaved', AWS_NS.join(','), AWS_REPS.join(',')]);
  return out.cases.map((c: { n: number; lib: Timing[]; base: Timing[] }) => {
    const libMs = median(c.lib.map((t) => t.totalMs));
    const baseMs = median(c.base.map((t) => t.totalMs));
    const libSynthMs = median(c.lib.map((t) => t.synthMs));
    const baseSynthMs = median(c.base.map((t) => t.synthMs));
    return { n: c.n, repetitions: c.lib.length, libMs, baseMs, ratio: libMs / baseMs, libSynthMs, baseSynthMs, synthRatio: libSynthMs / baseSynthMs };
  });
}

interface K8sRow {
  n: number;
  repetitions: number;
  libMs: number;
  baseMs: number;
  ratio: number;
  libBuildMs: number;
  baseBuildMs: number;
  libRssMiB: number;
  baseRssMiB: number;
}

function k8sBench(): K8sRow[] {
  return K8S_NS.map((n, i) => {
    const runs: { lib: any[]; base: any[] } = { lib: [], base: [] };
    for (let r = 0; r < K8S_REPS[i]; r++) {
      const order: Array<'lib' | 'base'> = r % 2 === 0 ? ['lib', 'base'] : ['base', 'lib'];
      for (const v of order) runs[v].push(runCase(['k8s', v, String(n)]));
    }
    const ms = (v: 'lib' | 'base') => median(runs[v].map((x) => x.timing.totalMs));
    const build = (v: 'lib' | 'base') => median(runs[v].map((x) => x.timing.buildMs));
    const rss = (v: 'lib' | 'base') => Math.max(...runs[v].map((x) => x.maxRssKiB)) / 1024;
    return {
      n,
      repetitions: K8S_REPS[i],
      libMs: ms('lib'),
      baseMs: ms('base'),
      ratio: ms('lib') / ms('base'),
      libBuildMs: build('lib'),
      baseBuildMs: build('base'),
      libRssMiB: rss('lib'),
      baseRssMiB: rss('base'),
    };
  });
}

const f0 = (x: number) => x.toFixed(0);
const f2 = (x: number) => x.toFixed(2);
const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const only = (process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? 'aws,k8s,init').split(',');
  const started = performance.now();
  const results: any = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, loadAverage: os.loadavg() },
    targets: TARGET,
  };
  const out: string[] = [];

  if (only.includes('aws')) {
    process.stderr.write('bench: AWS synth (library vs aws-cdk-lib baseline)...\n');
    const rows = awsBench();
    results.aws = rows;
    out.push('AWS: N x (IndependentRds + BeanstalkDatabaseBinding) vs plain aws-cdk-lib; build + app.synth(), median ms',
      table(['N', 'reps', 'library ms', 'baseline ms', 'ratio', `<= ${TARGET.ratio}`, 'synth-only lib ms', 'synth-only base ms', 'synth-only ratio'],
        rows.map((r) => [String(r.n), String(r.repetitions), f0(r.libMs), f0(r.baseMs), f2(r.ratio), mark(r.ratio <= TARGET.ratio),
          f0(r.libSynthMs), f0(r.baseSynthMs), f2(r.synthRatio)])), '');
  }

  if (only.includes('k8s')) {
    process.stderr.write('bench: Kubernetes synth (library vs cdk8s-plus baseline), one process per case...\n');
    const rows = k8sBench();
    const at = (n: number) => rows.find((r) => r.n === n)!;
    const growth = { lib: at(500).libMs / at(50).libMs, base: at(500).baseMs / at(50).baseMs };
    results.k8s = { rows, growth500over50: growth };
    out.push('Kubernetes: SharedPostgres with N apps vs plain cdk8s-plus-28; build + app.synth(), median ms; peak RSS of the case process',
      table(['N', 'reps', 'library ms', 'baseline ms', 'ratio', `<= ${TARGET.ratio}`, 'lib build ms', 'base build ms', 'lib RSS MiB', 'base RSS MiB'],
        rows.map((r) => [String(r.n), String(r.repetitions), f0(r.libMs), f0(r.baseMs), f2(r.ratio), mark(r.ratio <= TARGET.ratio),
          f0(r.libBuildMs), f0(r.baseBuildMs), f0(r.libRssMiB), f0(r.baseRssMiB)])),
      `500 apps: ${f0(at(500).libMs)} ms (target <= ${TARGET.k8s500Ms}: ${mark(at(500).libMs <= TARGET.k8s500Ms)}), `
        + `${f0(at(500).libRssMiB)} MiB RSS (target <= ${TARGET.k8s500RssMiB}: ${mark(at(500).libRssMiB <= TARGET.k8s500RssMiB)})`,
      `time(500)/time(50): library ${f2(growth.lib)}, baseline ${f2(growth.base)} (linear = 10; target <= ${TARGET.growth}: ${mark(growth.lib <= TARGET.growth)})`, '');
  }

  if (only.includes('init')) {
    const runs: InitResult[] = [];
    for (let rep = 1; rep <= INIT_REPS; rep++) {
      process.stderr.write(`bench: server init Job for ${INIT_APPS} apps against PostgreSQL 15 (fsync on), repetition ${rep} of ${INIT_REPS}...\n`);
      runs.push(await initConvergence(INIT_APPS));
    }
    const med = (pick: (r: InitResult) => number) => median(runs.map(pick));
    const init = { first: med((r) => r.firstRunMs), noOp: med((r) => r.noOpRunMs), oneMore: med((r) => r.oneMoreAppMs) };
    results.init = { runs, medianMs: init };
    const all = (pick: (r: InitResult) => number) => runs.map((r) => f0(pick(r))).join(', ');
    out.push(`Init convergence on ${runs[0].server} (fsync on): the server init Job of a SharedPostgres with ${INIT_APPS} apps, median of ${INIT_REPS} fresh servers`,
      table(['run', 'median ms', 'each ms', 'target ms', '', 'app databases after'], [
        ['first (from empty)', f0(init.first), all((r) => r.firstRunMs), String(TARGET.initMs), mark(init.first <= TARGET.initMs), runs.map((r) => r.databasesAfterFirstRun).join(', ')],
        ['second (no-op)', f0(init.noOp), all((r) => r.noOpRunMs), String(TARGET.noOpMs), mark(init.noOp <= TARGET.noOpMs), runs.map((r) => r.databasesAfterSecondRun).join(', ')],
        [`one more app (${INIT_APPS + 1})`, f0(init.oneMore), all((r) => r.oneMoreAppMs), '-', '', String(INIT_APPS + 1)],
      ]), '');
  }

  results.totalSeconds = (performance.now() - started) / 1000;
  out.push(`Whole bench: ${results.totalSeconds.toFixed(0)} s on ${results.machine.cpus} CPUs (load average at start ${results.machine.loadAverage.map(f2).join(', ')}).`);
  process.stdout.write(out.join('\n') + '\n');
  const file = path.join(ROOT, 'bench', 'results.json');
  fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(`Figures written to ${path.relative(process.cwd(), file)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
