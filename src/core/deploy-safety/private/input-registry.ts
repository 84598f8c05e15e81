import { SafetyModel } from './model';

/** Reads one side of a comparison; `prop` ('before' or 'after') names it in error messages. */
export type InputLoader = (prop: string) => SafetyModel;

const loaders = new WeakMap<object, InputLoader>();

/** Remembers how to load an input (kept off the public class, so jsii sees no internal types). */
export function registerInput(input: object, loader: InputLoader): void {
  loaders.set(input, loader);
}

/** Loads an input registered with {@link registerInput}. */
export function loadInput(input: object, prop: string): SafetyModel {
  const loader = loaders.get(input);
  if (!loader) throw new Error(`DeploySafety: ${prop} must be a DeploySafetyInput (got ${typeof input}). Create it with DeploySafetyInput.fromPath(...) or another DeploySafetyInput.fromXxx method.`);
  return loader(prop);
}
