/**
 * One benchmark case in a process of its own, so that its peak RSS is its own. Prints one JSON
 * line on standard output.
 *
 *   node -r ts-node/register/transpile-only bench/case.ts k8s lib 500
 *     -> one warm-up with n = 1, then the timed run:
 *        {"platform":"k8s","variant":"lib","n":500,"timing":{...},"maxRssKiB":...}
 *
 *   node -r ts-node/register/transpile-only bench/case.ts aws interleaved 1,10,50 5,3,2
 *     -> one warm-up of each side at the first n, then per n its repetitions, alternating library
 *        and baseline (the side that goes first alternates too):
 *        {"platform":"aws","cases":[{"n":1,"lib":[...],"base":[...]},...],"maxRssKiB":...}
 */
import { measureOnce, Timing, Variant } from './measure';

function main(argv: string[]): void {
  const [platform, mode, nText, repsText] = argv;
  if (platform !== 'aws' && platform !== 'k8s') throw new Error(`case.ts: platform must be aws or k8s (got ${platform})`);
  if (mode === 'interleaved') {
    const ns = nText.split(',').map(Number);
    const reps = (repsText ?? '3').split(',').map(Number);
    measureOnce(platform, 'lib', ns[0]); // warm-up: module loading and JIT
    measureOnce(platform, 'base', ns[0]);
    const cases = ns.map((n, i) => {
      const runs: Record<Variant, Timing[]> = { lib: [], base: [] };
      for (let r = 0; r < (reps[i] ?? reps[reps.length - 1]); r++) {
        const order: Variant[] = r % 2 === 0 ? ['lib', 'base'] : ['base', 'lib'];
        for (const v of order) runs[v].push(measureOnce(platform, v, n));
      }
      return { n, lib: runs.lib, base: runs.base };
    });
    process.stdout.write(JSON.stringify({ platform, cases, maxRssKiB: process.resourceUsage().maxRSS }) + '\n');
    return;
  }
  const n = Number(nText);
  if (!Number.isInteger(n) || n < 1) throw new Error(`case.ts: n must be a whole number of at least 1 (got ${nText})`);
  if (mode !== 'lib' && mode !== 'base') throw new Error(`case.ts: mode must be lib, base or interleaved (got ${mode})`);
  measureOnce(platform, mode, 1); // warm-up: lazy module loading and JIT
  const timing = measureOnce(platform, mode, n);
  process.stdout.write(JSON.stringify({ platform, variant: mode, n, timing, maxRssKiB: process.resourceUsage().maxRSS }) + '\n');
}

main(process.argv.slice(2));
