import { RemovalPolicy, aws_kms as kms, aws_lambda as lambda, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeGuard } from './acknowledgments';
import { cloudWatchLogsStatement, keyForService } from './kms-policy';

/**
 * The one place every Lambda function the library bundles (src/**\/*.lambda.ts) gets what it has
 * in common: its runtime, its log group and the rules the library acknowledges on it. A new
 * library Lambda is made with {@link libraryFunction}.
 */

/**
 * The default runtime of the library's Lambda functions: the newest Node.js runtime the
 * aws-cdk-lib minimum knows, and the one the handlers are bundled for (esbuild --target=node24 in
 * .projenrc.ts; `LAMBDA_BUNDLE_NODE_MAJOR` in the validators). A pinned runtime keeps the template
 * the same in every region and checkable before deployment.
 */
export const DEFAULT_LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** What every library function shares, handed to the code that makes the function. */
export interface LibraryFunctionBase {
  /** The runtime: the `lambdaRuntime` prop, or {@link DEFAULT_LAMBDA_RUNTIME}. */
  readonly runtime: lambda.Runtime;
  /** The function's log group (`<id>Logs`), to pass as `logGroup` and to grant writes to. */
  readonly logGroup: logs.LogGroup;
}

/** How one library function differs from the others. */
export interface LibraryFunctionOptions {
  /** The runtime the consumer chose (validated at the construct's entry point). @default DEFAULT_LAMBDA_RUNTIME */
  readonly runtime?: lambda.Runtime;
  /**
   * The construct's own key: the log group is encrypted with it when its key policy can take
   * CloudWatch Logs' statement.
   * @default - a new key `<id>LogKey` for the log group
   */
  readonly key?: kms.IKey;
  /**
   * Why the function runs outside a VPC (the library's answer to AWS Control Tower CT.LAMBDA.PR.3).
   * @default - the function runs in a VPC: nothing to acknowledge
   */
  readonly outsideVpcReason?: string;
}

/**
 * Makes a library Lambda function (`make` creates it with id `id` from the runtime and log group
 * given) with:
 * - the runtime: the consumer's `lambdaRuntime`, or the newest Node.js runtime;
 * - a log group `<id>Logs` kept for one year and retained with the stack (CT.CLOUDWATCH.PR.2), and
 *   encrypted with the construct's key or a key of its own (CT.CLOUDWATCH.PR.3);
 * - CT.LAMBDA.PR.3 (function in a VPC) acknowledged with `outsideVpcReason`.
 */
export function libraryFunction<F extends lambda.Function>(
  scope: Construct, id: string, options: LibraryFunctionOptions, make: (base: LibraryFunctionBase) => F,
): F {
  const key = keyForService(scope, `${id}LogKey`, options.key, cloudWatchLogsStatement(), `Encrypts the log group of ${scope.node.path}/${id}`);
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
    encryptionKey: key,
  });
  const fn = make({ runtime: options.runtime ?? DEFAULT_LAMBDA_RUNTIME, logGroup });
  if (options.outsideVpcReason !== undefined) acknowledgeGuard(fn, 'lambda_inside_vpc_check', options.outsideVpcReason);
  return fn;
}
