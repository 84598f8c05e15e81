/**
 * `npm run examples`: synthesizes every example into `examples/out/<example>/` —
 * CloudFormation templates (`<Stack>.template.json`) and Kubernetes manifests (`*.k8s.yaml`) —
 * and prints one line per example.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { examples, synthesizeExample } from './catalog';

const outRoot = path.join(__dirname, 'out');
const all = examples();
let failures = 0;
for (const example of all) {
  const outdir = path.join(outRoot, example.name);
  try {
    const out = synthesizeExample(example, outdir);
    const resources = out.templates.reduce(
      (n, f) => n + Object.keys(JSON.parse(fs.readFileSync(f, 'utf-8')).Resources ?? {}).length,
      0,
    );
    const objects = out.manifests.reduce(
      (n, f) => n + YAML.parseAllDocuments(fs.readFileSync(f, 'utf-8')).filter((d) => d.contents !== null).length,
      0,
    );
    console.log(
      `${example.name}: ${out.templates.length} CloudFormation template(s) with ${resources} resources, ` +
        `${out.manifests.length} Kubernetes manifest(s) with ${objects} objects -> ${path.relative(process.cwd(), outdir)}`,
    );
  } catch (e) {
    failures++;
    console.error(`${example.name}: FAILED: ${(e as Error).stack ?? e}`);
  }
}
console.log(`${all.length - failures} of ${all.length} examples synthesized`);
if (failures > 0 || all.length === 0) process.exit(1);
