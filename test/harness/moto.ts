import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { freePort } from './ports';
import { toolOrSkip, which } from './tools';

/** Connection settings for any AWS SDK v3 client pointed at moto. */
export interface MotoClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** A moto_server owned by one test file. */
export interface MotoHarness {
  endpoint: string;
  /** The endpoint for S3 clients: `http://localhost:<port>` (with 127.0.0.1 moto reads the host as a bucket name). */
  s3Endpoint: string;
  region: string;
  available: boolean;
  version: string;
  clientConfig: MotoClientConfig;
  /** CreateStack and wait; throws with the failed events when the stack does not complete. */
  deployStack(stackName: string, template: object): Promise<{ status: string; outputs: Record<string, string> }>;
  /** DeleteStack and wait. */
  deleteStack(stackName: string): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An empty but valid zip archive (end-of-central-directory record only). */
const EMPTY_ZIP = Buffer.from('504b0506000000000000000000000000000000000000', 'hex');

/**
 * Lambda code referenced from S3 (CDK assets) must exist in moto's S3 before CreateStack. Upload
 * a placeholder archive for each one (moto does not run the code).
 */
async function stageLambdaAssets(endpoint: string, region: string, template: any): Promise<void> {
  // moto's default account; CDK names its asset bucket with `Fn::Sub` over account and region.
  const resolve = (v: any): unknown =>
    typeof v?.['Fn::Sub'] === 'string'
      ? v['Fn::Sub'].replace(/\$\{AWS::AccountId\}/g, '123456789012').replace(/\$\{AWS::Region\}/g, region).replace(/\$\{AWS::Partition\}/g, 'aws')
      : v;
  for (const res of Object.values<any>(template.Resources ?? {})) {
    if (res.Type !== 'AWS::Lambda::Function') continue;
    const code = res.Properties?.Code;
    const bucket = resolve(code?.S3Bucket);
    const key = resolve(code?.S3Key);
    if (typeof bucket !== 'string' || typeof key !== 'string') continue;
    await fetch(`${endpoint}/${bucket}`, { method: 'PUT' });
    await fetch(`${endpoint}/${bucket}/${key}`, { method: 'PUT', body: EMPTY_ZIP });
  }
}

/** Starts `moto_server` on a free loopback port. */
export async function startMoto(): Promise<MotoHarness> {
  const exe = which('moto_server');
  if (!exe) throw new Error('moto_server is not installed');
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const proc: ChildProcess = spawn(exe, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore', detached: true });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.status < 500) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`moto_server did not start on ${endpoint}`);
    await sleep(200);
  }
  const region = 'us-east-1';
  const clientConfig: MotoClientConfig = { endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const cfn = new CloudFormationClient(clientConfig);
  const version = spawnSync('python3', ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf-8' }).stdout.trim();

  const waitFor = async (stackName: string, until: (status: string | undefined) => boolean): Promise<any> => {
    const end = Date.now() + 300_000;
    for (;;) {
      let stack: any;
      try {
        stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
      } catch (e: any) {
        if (/does not exist/.test(String(e.message))) return undefined;
        throw e;
      }
      if (until(stack?.StackStatus)) return stack;
      if (Date.now() > end) throw new Error(`stack ${stackName} stuck in ${stack?.StackStatus}`);
      await sleep(250);
    }
  };

  return {
    endpoint,
    s3Endpoint: `http://localhost:${port}`,
    region,
    available: true,
    version,
    clientConfig,
    async deployStack(stackName, template) {
      await stageLambdaAssets(endpoint, region, template);
      await cfn.send(
        new CreateStackCommand({
          StackName: stackName,
          TemplateBody: JSON.stringify(template),
          Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
        }),
      );
      const stack = await waitFor(stackName, (s) => !!s && !s.endsWith('_IN_PROGRESS'));
      const status: string = stack?.StackStatus ?? 'MISSING';
      if (status !== 'CREATE_COMPLETE') {
        const events = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName }));
        const failed = (events.StackEvents ?? [])
          .filter((e) => /FAILED/.test(e.ResourceStatus ?? ''))
          .map((e) => `${e.LogicalResourceId}: ${e.ResourceStatusReason}`);
        throw new Error(`stack ${stackName} ended in ${status}:\n  ${failed.join('\n  ')}`);
      }
      const outputs: Record<string, string> = {};
      for (const o of stack.Outputs ?? []) outputs[o.OutputKey] = o.OutputValue;
      return { status, outputs };
    },
    async deleteStack(stackName) {
      await cfn.send(new DeleteStackCommand({ StackName: stackName }));
      const stack = await waitFor(stackName, (s) => !s || s === 'DELETE_COMPLETE' || s === 'DELETE_FAILED');
      if (stack?.StackStatus === 'DELETE_FAILED') throw new Error(`stack ${stackName} failed to delete: ${stack.StackStatusReason}`);
    },
    async stop() {
      cfn.destroy();
      try {
        process.kill(-proc.pid!, 'SIGTERM');
      } catch {
        proc.kill('SIGTERM');
      }
    },
  };
}

/**
 * Registers beforeAll/afterAll hooks that start and stop moto_server for the calling test file.
 * `available` stays false when moto is missing here (and CI is not set): tests return early.
 */
export function useMoto(): MotoHarness {
  const handle: any = { available: false };
  let running: MotoHarness | undefined;
  beforeAll(async () => {
    if (!toolOrSkip('moto_server')) return;
    running = await startMoto();
    Object.assign(handle, running);
  }, 120_000);
  afterAll(async () => {
    await running?.stop();
  }, 60_000);
  return handle as MotoHarness;
}
