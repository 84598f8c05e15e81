import * as path from 'node:path';
import { PodMonitor, PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import * as ts from 'typescript';

/**
 * Validators for the prometheus-operator objects (`monitoring.coreos.com/v1` PodMonitor and
 * PrometheusRule), for the Kubernetes schema check's `customResources` option:
 *
 * 1. the CRDs' OpenAPI schemas as `@kubernetes-models/prometheus-operator` compiles them
 *    (`validate()`: types, required fields, enums, patterns);
 * 2. unknown fields, which those schemas let through: every field must exist in the package's
 *    TypeScript types of the object (generated from the same CRDs), read with the TypeScript
 *    compiler; maps (`{ [key: string]: … }`) accept any key.
 */

const MODELS = path.dirname(require.resolve('@kubernetes-models/prometheus-operator/package.json'));
const KINDS: { [kind: string]: { readonly model: new (data: any) => { validate(): void }; readonly file: string; readonly type: string } } = {
  PodMonitor: { model: PodMonitor, file: 'monitoring.coreos.com/v1/PodMonitor.d.ts', type: 'IPodMonitor' },
  PrometheusRule: { model: PrometheusRule, file: 'monitoring.coreos.com/v1/PrometheusRule.d.ts', type: 'IPrometheusRule' },
};

let checker: { program: ts.Program; checker: ts.TypeChecker } | undefined;

function typeOf(kind: string): { type: ts.Type; checker: ts.TypeChecker } {
  const files = Object.values(KINDS).map((k) => path.join(MODELS, k.file));
  checker ??= (() => {
    const program = ts.createProgram(files, { strict: true, noEmit: true, skipLibCheck: true });
    return { program, checker: program.getTypeChecker() };
  })();
  const source = checker.program.getSourceFile(path.join(MODELS, KINDS[kind].file))!;
  const decl = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === KINDS[kind].type)!;
  return { type: checker.checker.getTypeAtLocation(decl), checker: checker.checker };
}

/** Object types a value may have under `type` (unions and arrays unwrapped). */
function objectTypes(type: ts.Type, c: ts.TypeChecker): ts.Type[] {
  const parts = type.isUnion() ? type.types : [type];
  return parts.flatMap((t) => {
    if (c.isArrayType(t)) return objectTypes(c.getTypeArguments(t as ts.TypeReference)[0], c);
    // eslint-disable-next-line no-bitwise
    return t.flags & ts.TypeFlags.Object ? [t] : [];
  });
}

function unknownFields(value: unknown, type: ts.Type, c: ts.TypeChecker, where: string, out: string[]): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => unknownFields(v, type, c, `${where}[${i}]`, out));
    return;
  }
  const candidates = objectTypes(type, c);
  if (candidates.length === 0) return;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const owner = candidates.find((t) => t.getProperty(key) !== undefined);
    if (owner) {
      const prop = owner.getProperty(key)!;
      unknownFields(child, c.getTypeOfSymbol(prop), c, `${where}.${key}`, out);
      continue;
    }
    const map = candidates.map((t) => t.getStringIndexType()).find((t) => t !== undefined);
    if (map) {
      unknownFields(child, map, c, `${where}.${key}`, out);
      continue;
    }
    out.push(`${where}.${key}: unknown field`);
  }
}

/** Problems of one prometheus-operator object: schema errors, then unknown fields. */
export function validatePrometheusOperator(doc: any): string[] {
  const kind = KINDS[doc?.kind];
  if (!kind) return [`${doc?.kind} is not a prometheus-operator kind this validator knows`];
  const out: string[] = [];
  try {
    new kind.model(doc).validate();
  } catch (e: any) {
    out.push(String(e.message ?? e));
  }
  const { type, checker: c } = typeOf(doc.kind);
  unknownFields(doc, type, c, doc.kind, out);
  return out;
}

/** The `customResources` entries for the Kubernetes schema check. */
export const PROMETHEUS_OPERATOR_SCHEMA: { [apiVersionKind: string]: (doc: any) => string[] } = {
  'monitoring.coreos.com/v1/PodMonitor': validatePrometheusOperator,
  'monitoring.coreos.com/v1/PrometheusRule': validatePrometheusOperator,
};
