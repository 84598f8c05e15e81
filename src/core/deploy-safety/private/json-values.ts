import { Json, JsonObject } from './model';

/** Plain JSON value helpers: equality that ignores key order, paths, references, display. */

/** True for a JSON object (not an array, not null). */
export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep equality of two JSON values; object key order does not matter. */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * The value at a `/`-separated path under `root` (`Tier/Name`), or undefined. A `*` segment maps
 * over the elements of an array.
 */
export function valueAt(root: Json | undefined, path: string): Json | undefined {
  let current: Json | undefined = root;
  const parts = path.split('/');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part === '*') {
      if (!Array.isArray(current)) return undefined;
      const rest = parts.slice(i + 1).join('/');
      return rest === '' ? current : current.map((el) => valueAt(el, rest) ?? null);
    }
    if (!isObject(current)) return undefined;
    current = current[part];
  }
  return current;
}

/** Logical ids a value refers to with `Ref` or `Fn::GetAtt` (pseudo parameters excluded). */
export function referencedIds(value: Json | undefined): string[] {
  const found = new Set<string>();
  const walk = (v: Json | undefined): void => {
    if (Array.isArray(v)) {v.forEach(walk);} else if (isObject(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === 'Ref' && typeof v.Ref === 'string' && !v.Ref.startsWith('AWS::')) {found.add(v.Ref);} else if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
        const target = v['Fn::GetAtt'];
        const id = Array.isArray(target) ? target[0] : typeof target === 'string' ? target.split('.')[0] : undefined;
        if (typeof id === 'string') found.add(id);
      } else {Object.values(v).forEach(walk);}
    }
  };
  walk(value);
  return [...found];
}

/** Replaces every `Ref`/`Fn::GetAtt` target by a placeholder, so values can be compared across renames. */
export function withoutReferenceIds(value: Json | undefined): Json | undefined {
  if (Array.isArray(value)) return value.map((v) => withoutReferenceIds(v) ?? null);
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Ref') return { Ref: '*' };
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
    const target = value['Fn::GetAtt'];
    return { 'Fn::GetAtt': Array.isArray(target) ? ['*', ...target.slice(1)] : '*' };
  }
  const out: JsonObject = {};
  for (const k of keys) out[k] = withoutReferenceIds(value[k]) ?? null;
  return out;
}

/** A short, single-line rendering of a value for messages: `"shop"`, `20`, `{"Ref":"Key"}`, `(absent)`. */
export function display(value: Json | undefined, max = 120): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A number from a number or a numeric string (CloudFormation accepts both), else undefined. */
export function numberOf(value: Json | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

/** True for `true` or `"true"` (CloudFormation accepts both). */
export function isTrue(value: Json | undefined): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}
