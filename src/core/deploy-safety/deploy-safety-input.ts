import { InputLoader, registerInput } from './private/input-registry';
import { loadPath, loadTemplateObject, loadYamlText } from './private/load';
import { Json } from './private/model';

/**
 * One side (before or after) of a deploy-safety comparison: CloudFormation templates, a cdk.out
 * cloud assembly, or Kubernetes manifests. Inputs are read when they are checked.
 */
export class DeploySafetyInput {
  /**
   * Reads a path, whatever it holds:
   * - a CloudFormation template file (`.json`, `.yaml`), including the output of
   *   `aws cloudformation get-template` (its `TemplateBody` is used); the file name without
   *   `.template.json` / `.json` is its stack name;
   * - a cdk.out directory (with `manifest.json`): every stack, by artifact id, nested assemblies
   *   (stages) included, and any Kubernetes YAML next to them;
   * - Kubernetes YAML: a file of one or more documents, or a directory of `*.yaml` / `*.yml`
   *   files (and `*.template.json` templates), read recursively.
   */
  public static fromPath(path: string): DeploySafetyInput {
    return new DeploySafetyInput(`path ${path}`, (prop) => loadPath(prop, path));
  }

  /**
   * A CloudFormation template given as a JSON object, such as `Template.fromStack(stack).toJSON()`
   * in a test.
   *
   * @param template the template (or `aws cloudformation get-template` output)
   * @param stackName the stack it is matched with on the other side. @default 'template'
   */
  public static fromTemplate(template: { [key: string]: unknown }, stackName?: string): DeploySafetyInput {
    const name = stackName ?? 'template';
    return new DeploySafetyInput(`template ${name}`, (prop) => loadTemplateObject(prop, template as Json, name));
  }

  /**
   * Kubernetes manifests given as YAML text: one or more documents, or a `kind: List`, such as the
   * output of `Testing.synth(chart)` joined by `---`.
   *
   * @param yaml the manifests
   * @param source a name for messages. @default 'manifests'
   */
  public static fromKubernetesYaml(yaml: string, source?: string): DeploySafetyInput {
    const name = source ?? 'manifests';
    return new DeploySafetyInput(`Kubernetes YAML ${name}`, (prop) => loadYamlText(prop, yaml, `${name}.yaml`));
  }

  /**
   * Kubernetes objects given as JSON objects, such as the result of `Testing.synth(chart)`.
   *
   * @param objects the objects (each with kind and metadata.name)
   * @param source a name for messages. @default 'manifests'
   */
  public static fromKubernetesObjects(objects: Array<{ [key: string]: unknown }>, source?: string): DeploySafetyInput {
    const name = source ?? 'manifests';
    return new DeploySafetyInput(`Kubernetes objects ${name}`, (prop) => loadYamlText(prop, JSON.stringify({ kind: 'List', items: objects }), `${name}.json`));
  }

  /** What this input reads, for messages. */
  public readonly description: string;

  private constructor(description: string, loader: InputLoader) {
    this.description = description;
    registerInput(this, loader);
  }
}
