import { Problem, show } from './problem';

// ---------------------------------------------------------------------------------------------
// Lambda runtimes of the functions the library bundles

/**
 * The Node.js major version the library's Lambda handlers are bundled for (esbuild
 * `--target=node24`, set in .projenrc.ts): the oldest runtime they may run on.
 */
export const LAMBDA_BUNDLE_NODE_MAJOR = 24;

/**
 * A runtime for a Lambda function the library bundles: a Node.js runtime (`nodejsNN.x`), no older
 * than the Node.js version the handlers are bundled for.
 */
export function lambdaRuntimeError(prop: string, runtimeName: string): Problem {
  const major = /^nodejs(\d+)\.x$/.exec(runtimeName)?.[1];
  if (major === undefined || Number(major) < LAMBDA_BUNDLE_NODE_MAJOR) {
    return `${prop} must be a Node.js runtime, nodejs${LAMBDA_BUNDLE_NODE_MAJOR}.x or newer (got ${show(runtimeName)}). `
      + `The handlers are JavaScript bundled for Node.js ${LAMBDA_BUNDLE_NODE_MAJOR}: use lambda.Runtime.NODEJS_${LAMBDA_BUNDLE_NODE_MAJOR}_X or a newer Node.js runtime.`;
  }
  return undefined;
}
