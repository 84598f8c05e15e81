import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { isObject } from './json-values';
import { CfnTemplate, Json, K8sObject, SafetyModel, StackTemplate } from './model';
import { existingPath, parsable, readableInput } from '../../private/deploy-safety-validators';
import { throwIfAny } from '../../private/validators';

/**
 * Reads the checker's inputs: CloudFormation templates (JSON or YAML, including the output of
 * `aws cloudformation get-template`), cdk.out cloud assemblies (every stack, nested assemblies
 * included), and Kubernetes manifests (multi-document YAML, `kind: List`).
 */

const OWNER = 'DeploySafetyInput';

/** What one parsed document is. */
interface Parsed {
  readonly templates: CfnTemplate[];
  readonly objects: K8sObject[];
}

/** A template from `aws cloudformation get-template` output (`TemplateBody`), or a template itself. */
function asTemplate(doc: Json): CfnTemplate | undefined {
  let body: Json | undefined = doc;
  if (isObject(doc) && 'TemplateBody' in doc) {
    body = typeof doc.TemplateBody === 'string' ? (YAML.parse(doc.TemplateBody) as Json) : doc.TemplateBody;
  }
  return isObject(body) && isObject(body.Resources) ? (body as unknown as CfnTemplate) : undefined;
}

function asK8sObjects(doc: Json): K8sObject[] {
  if (!isObject(doc) || typeof doc.kind !== 'string') return [];
  if (doc.kind.endsWith('List') && Array.isArray(doc.items)) return doc.items.flatMap(asK8sObjects);
  return isObject(doc.metadata) && typeof doc.metadata.name === 'string' ? [doc as unknown as K8sObject] : [];
}

function classify(docs: Json[]): Parsed {
  const templates: CfnTemplate[] = [];
  const objects: K8sObject[] = [];
  for (const doc of docs) {
    const template = asTemplate(doc);
    if (template) templates.push(template);
    else objects.push(...asK8sObjects(doc));
  }
  return { templates, objects };
}

/** Parses JSON or (multi-document) YAML text; throws a clear message when it cannot. */
function parseText(prop: string, text: string, source: string): Json[] {
  let error: string | undefined;
  let docs: Json[] = [];
  if (source.endsWith('.json')) {
    try {
      docs = [JSON.parse(text) as Json];
    } catch (e) {
      error = (e as Error).message;
    }
  } else {
    const parsed = YAML.parseAllDocuments(text);
    const failed = (Array.isArray(parsed) ? parsed : [parsed]).flatMap((d) => d.errors);
    if (failed.length > 0) error = failed[0].message.split('\n')[0];
    else docs = (Array.isArray(parsed) ? parsed : [parsed]).map((d) => d.toJS() as Json).filter((d) => d !== null);
  }
  throwIfAny(OWNER, [parsable(prop, source, error)]);
  return docs;
}

function stackNameOf(file: string): string {
  return path.basename(file).replace(/\.template\.json$/, '').replace(/\.(json|ya?ml)$/, '');
}

function readFile(prop: string, file: string, into: { stacks: StackTemplate[]; k8s: K8sObject[] }): void {
  const parsed = classify(parseText(prop, fs.readFileSync(file, 'utf-8'), file));
  parsed.templates.forEach((template, i) => into.stacks.push({ name: i === 0 ? stackNameOf(file) : `${stackNameOf(file)}#${i + 1}`, template }));
  into.k8s.push(...parsed.objects);
}

interface ManifestArtifact {
  readonly type?: string;
  readonly properties?: { readonly templateFile?: string; readonly stackName?: string; readonly directoryName?: string };
}

/** Every stack of a cloud assembly (cdk.out), by artifact id; nested assemblies (stages) included. */
function readAssembly(prop: string, dir: string, into: { stacks: StackTemplate[]; k8s: K8sObject[] }): void {
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = parseText(prop, fs.readFileSync(manifestFile, 'utf-8'), manifestFile)[0];
  const artifacts = (isObject(manifest) && isObject(manifest.artifacts) ? manifest.artifacts : {}) as unknown as { [id: string]: ManifestArtifact };
  for (const id of Object.keys(artifacts).sort()) {
    const artifact = artifacts[id];
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      const file = path.join(dir, artifact.properties.templateFile);
      const template = asTemplate(parseText(prop, fs.readFileSync(file, 'utf-8'), file)[0]);
      if (template) into.stacks.push({ name: id, stackName: artifact.properties.stackName ?? id, template });
    } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      readAssembly(prop, path.join(dir, artifact.properties.directoryName), into);
    }
  }
}

const SKIPPED_DIRS = /^(node_modules|\..*|asset\..*)$/;

/** Files of a directory, sorted, recursing into subdirectories (not node_modules, assets or dot-dirs). */
function filesUnder(dir: string, recurse: boolean): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return recurse && !SKIPPED_DIRS.test(e.name) ? filesUnder(full, true) : [];
      return [full];
    });
}

/**
 * Reads a path: a template or manifest file, a cdk.out directory (`manifest.json`; Kubernetes YAML
 * next to it is read too), or a directory of `*.template.json` and `*.yaml` / `*.yml` files.
 */
export function loadPath(prop: string, p: string): SafetyModel {
  throwIfAny(OWNER, [existingPath(prop, p)]);
  const into = { stacks: [] as StackTemplate[], k8s: [] as K8sObject[] };
  if (fs.statSync(p).isDirectory()) {
    const isAssembly = fs.existsSync(path.join(p, 'manifest.json'));
    if (isAssembly) readAssembly(prop, p, into);
    for (const file of filesUnder(p, !isAssembly)) {
      if (/\.ya?ml$/.test(file) || (!isAssembly && file.endsWith('.template.json'))) readFile(prop, file, into);
    }
  } else {
    readFile(prop, p, into);
  }
  throwIfAny(OWNER, [readableInput(prop, p, into.stacks.length, into.k8s.length)]);
  return { source: p, ...into };
}

/** A template given as a JSON object (`Template.fromStack(stack).toJSON()`, or `get-template` output). */
export function loadTemplateObject(prop: string, template: Json, name: string): SafetyModel {
  const t = asTemplate(template);
  const objects = t ? [] : asK8sObjects(template);
  throwIfAny(OWNER, [readableInput(prop, `a template object named ${name}`, t ? 1 : 0, objects.length)]);
  return { source: name, stacks: t ? [{ name, template: t }] : [], k8s: objects };
}

/** Kubernetes YAML given as text (several documents, `kind: List`). */
export function loadYamlText(prop: string, text: string, source: string): SafetyModel {
  const parsed = classify(parseText(prop, text, source));
  throwIfAny(OWNER, [readableInput(prop, source, parsed.templates.length, parsed.objects.length)]);
  return { source, stacks: parsed.templates.map((template, i) => ({ name: i === 0 ? source : `${source}#${i + 1}`, template })), k8s: parsed.objects };
}
