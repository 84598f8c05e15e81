import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Every TypeScript snippet of the README compiles against the library as a consumer imports it
 * (`from 'cdk-db-platform'`), so the README cannot drift from the API. Each ```ts block is a file of
 * its own; `cdk-db-platform` resolves to src/index.ts. One deliberately broken snippet is compiled
 * in the same run, to prove the check reports what does not compile.
 */
const root = path.join(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf-8');

/** The ```ts blocks of a markdown text, with the line each starts on. */
function typescriptSnippets(markdown: string): Array<{ line: number; code: string }> {
  const out: Array<{ line: number; code: string }> = [];
  for (const m of markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    out.push({ line: markdown.slice(0, m.index).split('\n').length, code: m[1] });
  }
  return out;
}

/** tsc's report for the snippets, each named `README.md:<line>`. */
function compile(snippets: Array<{ line: number; code: string }>): string {
  // Inside the repository, so the snippets resolve aws-cdk-lib, cdk8s and @types from its node_modules.
  fs.mkdirSync(path.join(root, '.tmp'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(root, '.tmp', 'readme-snippets-'));
  try {
    const files = snippets.map((s) => {
      const file = path.join(dir, `line-${s.line}.ts`);
      // `export {}` makes each snippet a module of its own, so names do not clash across snippets.
      fs.writeFileSync(file, `${s.code}\nexport {};\n`);
      return file;
    });
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'node16',
        moduleResolution: 'node16',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        esModuleInterop: true,
        types: ['node'],
        paths: { 'cdk-db-platform': [path.join(root, 'src', 'index.ts')] },
      },
      files,
    }));
    const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', dir], { encoding: 'utf-8' });
    return `${tsc.stdout}${tsc.stderr}`.split(`${path.relative(process.cwd(), dir)}/`).join('').replace(/line-(-?\d+)\.ts/g, 'README.md:$1');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const snippets = typescriptSnippets(readme);

test('the README has TypeScript snippets, each importing from the package', () => {
  expect(snippets.length).toBeGreaterThanOrEqual(8);
  for (const s of snippets) expect(s.code).toMatch(/from 'cdk-db-platform'/);
});

test('every README snippet compiles with tsc against the library (and a broken one is reported)', () => {
  const broken = { line: -1, code: "import { IndependentRds } from 'cdk-db-platform';\nnew IndependentRds();\n" };
  const report = compile([...snippets, broken]);
  const errors = report.split('\n').filter((l) => /error TS\d+/.test(l));
  // The broken snippet is reported (the check can fail) …
  expect(errors.some((l) => l.startsWith('README.md:-1'))).toBe(true);
  // … and no README snippet is.
  expect(errors.filter((l) => !l.startsWith('README.md:-1'))).toEqual([]);
});
