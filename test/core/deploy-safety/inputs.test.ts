import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kinds, writeAssembly } from './fixtures';
import { DeploySafety, DeploySafetyInput } from '../../../src/core';

/** What the checker reads: templates, get-template output, cdk.out assemblies, Kubernetes YAML; and its errors. */

const db = (name: string) => ({ Type: 'AWS::RDS::DBInstance', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { Engine: 'postgres', DBName: name } });
const tpl = (name: string) => ({ Resources: { Db: db(name) } });

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inputs-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | object): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const check = (before: string, after: string, stackName?: string) =>
  DeploySafety.check(DeploySafetyInput.fromPath(before), DeploySafetyInput.fromPath(after), { stackName });

describe('CloudFormation inputs', () => {
  test('a cdk.out directory: every stack by artifact id, stacks of nested assemblies (stages) too', () => {
    const before = writeAssembly({ Database: tpl('shop'), Network: { Resources: {} } });
    const after = writeAssembly({ Database: tpl('orders'), Network: { Resources: {} } });
    // A stage: a nested assembly with its own manifest.
    for (const [root, name] of [[before, 'shop'], [after, 'orders']]) {
      const nested = path.join(root, 'assembly-Prod');
      fs.mkdirSync(nested);
      fs.writeFileSync(path.join(nested, 'ProdDatabase.template.json'), JSON.stringify(tpl(name)));
      fs.writeFileSync(path.join(nested, 'manifest.json'), JSON.stringify({ artifacts: { ProdDatabase: { type: 'aws:cloudformation:stack', properties: { templateFile: 'ProdDatabase.template.json' } } } }));
      const manifest = JSON.parse(fs.readFileSync(path.join(root, 'manifest.json'), 'utf-8'));
      manifest.artifacts['assembly-Prod'] = { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Prod' } };
      fs.writeFileSync(path.join(root, 'manifest.json'), JSON.stringify(manifest));
    }
    const report = check(before, after);
    expect(report.compared).toEqual(['stack Database', 'stack Network', 'stack ProdDatabase']);
    expect(kinds(report)).toEqual(['Database/Db replace', 'ProdDatabase/Db replace']);
  });

  test('the deployed template from `aws cloudformation get-template` (TemplateBody as object or string) against a cdk.out, with --stack', () => {
    const after = writeAssembly({ Database: tpl('orders'), Network: { Resources: {} } });
    const asObject = write('deployed.json', { TemplateBody: tpl('shop'), StagesAvailable: ['Original', 'Processed'] });
    const asString = write('deployed-string.json', { TemplateBody: JSON.stringify(tpl('shop')) });
    for (const deployed of [asObject, asString]) {
      const report = check(deployed, after, 'Database');
      expect(report.compared).toEqual(['stack Database']);
      expect(kinds(report)).toEqual(['Database/Db replace']);
    }
  });

  test('a YAML template, and two single templates with different names, are compared with each other', () => {
    const before = write('old.yaml', 'Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    DeletionPolicy: Retain\n    Properties:\n      Engine: postgres\n      DBName: shop\n');
    const after = write('Database.template.json', tpl('orders'));
    expect(kinds(check(before, after))).toEqual(['Database/Db replace']);
  });

  test('stacks present on one side only are listed as not compared', () => {
    const report = check(writeAssembly({ A: tpl('x'), Gone: tpl('x') }), writeAssembly({ A: tpl('x'), New: tpl('y') }));
    expect(report.compared).toEqual(['stack A']);
    expect(report.notCompared).toEqual(['Gone (before only)', 'New (after only)']);
    expect(report.findings).toEqual([]);
  });

  test('a stack is found by its deployed stack name too', () => {
    const after = writeAssembly({ Database: tpl('orders'), Network: { Resources: {} } });
    const manifest = JSON.parse(fs.readFileSync(path.join(after, 'manifest.json'), 'utf-8'));
    manifest.artifacts.Database.properties.stackName = 'shop-database-prod';
    fs.writeFileSync(path.join(after, 'manifest.json'), JSON.stringify(manifest));
    expect(kinds(check(write('deployed.json', tpl('shop')), after, 'shop-database-prod'))).toEqual(['shop-database-prod/Db replace']);
  });
});

describe('Kubernetes inputs', () => {
  const sts = (image: string) => `apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: prod }
spec:
  serviceName: db
  selector: { matchLabels: { app: db } }
  template: { metadata: { labels: { app: db } }, spec: { containers: [{ name: postgres, image: "${image}" }] } }
  volumeClaimTemplates: [{ metadata: { name: data }, spec: { resources: { requests: { storage: 1Gi } } } }]
`;

  test('a directory of YAML files, read recursively, with several documents per file', () => {
    write('before/a/db.yaml', `${sts('postgres:15')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: prod }\n`);
    write('after/x.yml', sts('postgres:16'));
    write('after/notes.txt', 'not read');
    expect(kinds(check(path.join(dir, 'before'), path.join(dir, 'after')))).toEqual(['StatefulSet/prod/db k8s-major-upgrade']);
  });

  test('a `kubectl get -o yaml` List, and YAML given as text', () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n${sts('postgres:15').split('\n').map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`)).join('\n')}`;
    const report = DeploySafety.check(DeploySafetyInput.fromKubernetesYaml(list, 'live'), DeploySafetyInput.fromKubernetesYaml(sts('postgres:16')));
    expect(kinds(report)).toEqual(['StatefulSet/prod/db k8s-major-upgrade']);
    expect(report.compared).toEqual(['Kubernetes objects (1 before, 1 after)']);
  });

  test('a cdk.out with Kubernetes YAML next to it compares both', () => {
    const before = writeAssembly({ Database: tpl('shop') });
    const after = writeAssembly({ Database: tpl('shop') });
    fs.writeFileSync(path.join(before, 'app.k8s.yaml'), sts('postgres:15'));
    fs.writeFileSync(path.join(after, 'app.k8s.yaml'), sts('postgres:16'));
    const report = check(before, after);
    expect(report.compared).toEqual(['stack Database', 'Kubernetes objects (1 before, 1 after)']);
    expect(kinds(report)).toEqual(['StatefulSet/prod/db k8s-major-upgrade']);
  });
});

describe('errors', () => {
  test('throws when a path does not exist', () => {
    expect(() => check(path.join(dir, 'missing'), write('a.json', tpl('x'))))
      .toThrow(/^DeploySafetyInput: before must be an existing file or directory \(got ".*missing"\)\. Give a CloudFormation template/);
  });

  test('throws on a file that is not valid JSON', () => {
    expect(() => check(write('a.json', tpl('x')), write('b.json', '{ "Resources": ')))
      .toThrow(/^DeploySafetyInput: after must be valid JSON or YAML \(got ".*b\.json": .*\)\. Fix the file, or regenerate it with `cdk synth`\.$/);
  });

  test('throws on a file that is not valid YAML', () => {
    expect(() => check(write('a.yaml', 'kind: [unclosed'), write('b.json', tpl('x')))).toThrow(/^DeploySafetyInput: before must be valid JSON or YAML \(got ".*a\.yaml": /);
  });

  test('throws when a path holds neither a template nor Kubernetes objects', () => {
    write('empty/readme.md', '# nothing');
    expect(() => check(path.join(dir, 'empty'), write('b.json', tpl('x'))))
      .toThrow(/^DeploySafetyInput: before must hold a CloudFormation template or Kubernetes objects \(got ".*empty", which has neither\)/);
    expect(() => DeploySafety.check(DeploySafetyInput.fromTemplate({ foo: 1 }), DeploySafetyInput.fromTemplate(tpl('x'))))
      .toThrow(/^DeploySafetyInput: before must hold a CloudFormation template or Kubernetes objects \(got "a template object named template"/);
  });

  test('throws when the stack name is not on a side', () => {
    const after = writeAssembly({ Database: tpl('x'), Network: { Resources: {} } });
    expect(() => check(write('a.json', tpl('x')), after, 'Databse'))
      .toThrow(/^DeploySafety: stackName must name a stack of after \(.*\) \(got "Databse"; it has "Database", "Network"\)\. Use the artifact id/);
  });

  test('throws when the two sides have nothing in common', () => {
    write('k8s.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n');
    expect(() => check(write('a.json', tpl('x')), path.join(dir, 'k8s.yaml')))
      .toThrow(/^DeploySafety: before and after must share a stack \(matched by name\) or both hold Kubernetes objects/);
    expect(() => check(writeAssembly({ A: tpl('x'), B: tpl('x') }), writeAssembly({ C: tpl('x'), D: tpl('x') })))
      .toThrow(/nothing in common/);
  });

  test('throws when given something other than a DeploySafetyInput', () => {
    expect(() => DeploySafety.check({} as DeploySafetyInput, DeploySafetyInput.fromTemplate(tpl('x'))))
      .toThrow(/^DeploySafety: before must be a DeploySafetyInput \(got object\)\. Create it with DeploySafetyInput\.fromPath/);
  });
});
