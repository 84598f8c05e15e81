import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { CreateDBInstanceCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { CreateHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { App, aws_elasticbeanstalk as elasticbeanstalk, aws_iam as iam, aws_kms as kms, aws_lambda as lambda } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { databaseStack, networkStack, plainStack } from './fixtures';
import { BeanstalkDatabaseBinding, DatabaseEngine, IndependentRds, ReplicaAutoscaling } from '../../src/aws';
import { DEFAULT_LAMBDA_RUNTIME } from '../../src/aws/private/library-function';
import { LAMBDA_BUNDLE_NODE_MAJOR } from '../../src/core/private/validators';
import { useMoto } from '../harness';

/**
 * The runtime of the Lambda functions the library bundles: a prop on each construct that makes one
 * (`lambdaRuntime`), a default that matches what the handlers are bundled for, and the bundles
 * themselves run with a fake event.
 */

const ROOT = path.join(__dirname, '..', '..');
const BUNDLES = ['aws/database-user-provisioner.lambda', 'aws/replica-controller.lambda', 'aws/restart-app-servers.lambda'];

function replicaScaling(props: Record<string, unknown> = {}, engine = DatabaseEngine.POSTGRES_16) {
  const app = new App();
  const network = networkStack(app);
  const { stack, db } = databaseStack(app, network.vpc, { engine });
  const make = () => new ReplicaAutoscaling(stack, 'ReadScaling', { database: db, ...props });
  return { stack, db, make };
}

function binding(props: Record<string, unknown> = {}) {
  const app = new App();
  const network = networkStack(app);
  const { db } = databaseStack(app, network.vpc);
  const stack = plainStack(app, 'App');
  const environment = new elasticbeanstalk.CfnEnvironment(stack, 'Environment', { applicationName: 'shop', solutionStackName: '64bit Amazon Linux 2023 v6.6.0 running Node.js 22' });
  const instanceRole = new iam.Role(stack, 'InstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const make = () => new BeanstalkDatabaseBinding(stack, 'Binding', { database: db, environment, instanceRole, vpc: network.vpc, ...props });
  return { stack, make };
}

describe('the runtime of the library Lambda functions', () => {
  test('the default is the newest Node.js runtime aws-cdk-lib knows, and the one the handlers are bundled for', () => {
    // The projen bundle tasks that build assets/ (esbuild --target=nodeNN).
    const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf-8')).tasks;
    const bundleTasks = Object.keys(tasks).filter((name) => /^bundle:.*\.lambda$/.test(name));
    expect(bundleTasks.map((t) => t.replace(/^bundle:/, '')).sort()).toEqual(BUNDLES);
    for (const name of bundleTasks) {
      const args: string[] = tasks[name].steps[0].execArgs;
      expect(args).toContain(`--target=node${LAMBDA_BUNDLE_NODE_MAJOR}`);
    }
    expect(DEFAULT_LAMBDA_RUNTIME.name).toBe(`nodejs${LAMBDA_BUNDLE_NODE_MAJOR}.x`);
    expect(DEFAULT_LAMBDA_RUNTIME.family).toBe(lambda.RuntimeFamily.NODEJS);
    // No Node.js runtime newer than the default is known to the aws-cdk-lib in use.
    const known = Object.values(lambda.Runtime)
      .filter((r): r is lambda.Runtime => r instanceof lambda.Runtime && /^nodejs\d+\.x$/.test(r.name))
      .map((r) => Number(/\d+/.exec(r.name)![0]));
    expect(Math.max(...known)).toBe(LAMBDA_BUNDLE_NODE_MAJOR);
  });

  test('the replica controller and the restart function run on it by default', () => {
    const scaling = replicaScaling();
    scaling.make();
    Template.fromStack(scaling.stack).hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Handler: 'index.handler' });
    const bound = binding();
    bound.make();
    Template.fromStack(bound.stack).hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Handler: 'index.handler' });
  });

  test('lambdaRuntime chooses a newer Node.js runtime', () => {
    const next = new lambda.Runtime('nodejs26.x', lambda.RuntimeFamily.NODEJS);
    const scaling = replicaScaling({ lambdaRuntime: next });
    scaling.make();
    Template.fromStack(scaling.stack).hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs26.x' });
    const bound = binding({ lambdaRuntime: next });
    bound.make();
    Template.fromStack(bound.stack).hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs26.x' });
  });

  test('throws for a runtime that is not Node.js', () => {
    expect(replicaScaling({ lambdaRuntime: lambda.Runtime.PYTHON_3_12 }).make).toThrow(
      'ReplicaAutoscaling: lambdaRuntime must be a Node.js runtime, nodejs24.x or newer (got "python3.12"). The handlers are JavaScript bundled for Node.js 24: use lambda.Runtime.NODEJS_24_X or a newer Node.js runtime.');
    expect(binding({ lambdaRuntime: lambda.Runtime.PYTHON_3_12 }).make).toThrow(/^BeanstalkDatabaseBinding: lambdaRuntime must be a Node.js runtime, nodejs24.x or newer \(got "python3.12"\)/);
  });

  test('throws for a Node.js runtime older than the bundles', () => {
    expect(replicaScaling({ lambdaRuntime: lambda.Runtime.NODEJS_22_X }).make).toThrow(/lambdaRuntime must be a Node.js runtime, nodejs24.x or newer \(got "nodejs22.x"\)/);
  });

  test('throws for lambdaRuntime on Aurora, which scales without a Lambda', () => {
    expect(replicaScaling({ lambdaRuntime: lambda.Runtime.NODEJS_24_X }, DatabaseEngine.AURORA_POSTGRES_16).make).toThrow(
      /ReplicaAutoscaling: lambdaRuntime is for plain RDS instances only, whose replicas a Lambda scales \(got nodejs24.x on aurora-postgresql 16.6\)/);
  });

  test('throws for lambdaRuntime on a binding without the restart function', () => {
    expect(binding({ lambdaRuntime: lambda.Runtime.NODEJS_24_X, restartOnSecretRotation: false }).make).toThrow(
      /BeanstalkDatabaseBinding: lambdaRuntime sets the runtime of the restart function, which restartOnSecretRotation: false turns off \(got nodejs24.x\)/);
  });
});

describe('the log groups of the library Lambda functions', () => {
  test('are kept one year, retained, and encrypted with the database key (controller) or a key of their own (binding)', () => {
    const scaling = replicaScaling();
    scaling.make();
    const t = Template.fromStack(scaling.stack);
    t.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseKey'), 'Arn'] } },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    // CloudWatch Logs may use the key, for log groups of this account and region only.
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'CloudWatchLogsOfThisAccount',
          Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
          Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
        })]),
      },
    });

    const bound = binding();
    bound.make();
    const b = Template.fromStack(bound.stack);
    b.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BindingRestartFunctionLogKey'), 'Arn'] } },
      DeletionPolicy: 'Retain',
    });
    b.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
  });

  test('a database key imported by ARN is left alone: the controller logs get a key of their own', () => {
    const app = new App();
    const network = networkStack(app);
    const stack = plainStack(app, 'Database');
    const encryptionKey = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555');
    const db = new IndependentRds(stack, 'Database', { vpc: network.vpc, encryptionKey });
    new ReplicaAutoscaling(stack, 'ReadScaling', { database: db });
    Template.fromStack(stack).hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReadScalingControllerLogKey'), 'Arn'] },
    });
  });
});

/** Runs `handler(event)` of a bundle in a fresh Node.js process (the local one) and returns what it resolved to. */
function runBundle(bundle: string, event: unknown, env: Record<string, string>): Promise<unknown> {
  const file = path.join(ROOT, 'assets', bundle, 'index.js');
  // The handlers log to stdout too: the result is the last line.
  const script = `require(${JSON.stringify(file)}).handler(${JSON.stringify(event)})`
    + ".then((r) => process.stdout.write('\\n' + JSON.stringify(r)), (e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });";
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script], {
      // NODE_NO_WARNINGS: the AWS SDK warns that it will need Node.js 22 (the local node may be older).
      env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', ...env },
      timeout: 60_000,
    }, (error, stdout, stderr) => {
      try {
        if (error) throw new Error(`${bundle} failed: ${stderr}`);
        resolve(JSON.parse(stdout.trim().split('\n').pop()!));
      } catch (e) {
        reject(e);
      }
    });
  });
}

describe(`the bundled handlers run on Node.js (locally ${process.version}, deployed on nodejs${LAMBDA_BUNDLE_NODE_MAJOR}.x)`, () => {
  const moto = useMoto();

  test('every bundle exists (run `npx projen bundle`)', () => {
    for (const bundle of BUNDLES) expect(fs.existsSync(path.join(ROOT, 'assets', bundle, 'index.js'))).toBe(true);
  });

  test('restart-app-servers: a RotationSucceeded event restarts the environment named in ENVIRONMENT_NAME', async () => {
    // Elastic Beanstalk's query API, recorded: moto has no RestartAppServer.
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        requests.push(body);
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end('<RestartAppServerResponse xmlns="http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/"><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></RestartAppServerResponse>');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const secretId = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf';
      const result = await runBundle('aws/restart-app-servers.lambda', {
        'source': 'aws.secretsmanager',
        'detail-type': 'AWS Service Event via CloudTrail',
        'detail': { eventSource: 'secretsmanager.amazonaws.com', eventName: 'RotationSucceeded', additionalEventData: { SecretId: secretId } },
      }, { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, ENVIRONMENT_NAME: 'shop-prod' });
      expect(result).toEqual({ environmentName: 'shop-prod', secretId });
      expect(requests).toHaveLength(1);
      expect(new URLSearchParams(requests[0]).get('Action')).toBe('RestartAppServer');
      expect(new URLSearchParams(requests[0]).get('EnvironmentName')).toBe('shop-prod');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('replica-controller: a scheduled run brings the replicas up to minCapacity and points the reader name at the source meanwhile', async () => {
    if (!moto.available) return;
    const rds = new RDSClient(moto.clientConfig);
    const r53 = new Route53Client(moto.clientConfig);
    await rds.send(new CreateDBInstanceCommand({
      DBInstanceIdentifier: 'bundle-src',
      Engine: 'postgres',
      EngineVersion: '16.9',
      DBInstanceClass: 'db.t4g.micro',
      AllocatedStorage: 20,
      MasterUsername: 'dbadmin',
      MasterUserPassword: 'not-a-real-password-1',
      StorageEncrypted: true,
    }));
    const zone = await r53.send(new CreateHostedZoneCommand({ Name: 'bundle.example.com', CallerReference: `bundle-${Date.now()}` }));
    const zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');

    const result = await runBundle('aws/replica-controller.lambda', { 'source': 'aws.events', 'detail-type': 'Scheduled Event', 'detail': {} }, {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: moto.region,
      SOURCE_INSTANCE_ID: 'bundle-src',
      CONTROLLER_ID: 'Bundle-Controller',
      MIN_CAPACITY: '1',
      MAX_CAPACITY: '3',
      TARGET_CPU: '70',
      SCALE_IN_COOLDOWN_SECONDS: '300',
      SCALE_OUT_COOLDOWN_SECONDS: '60',
      HOSTED_ZONE_ID: zoneId,
      READER_RECORD_NAME: 'reader.bundle.example.com',
    }) as { decision: { action: string }; createdReplicaId?: string };

    expect(result.decision.action).toBe('CREATE');
    const replicas = (await rds.send(new DescribeDBInstancesCommand({}))).DBInstances!.filter((d) => d.ReadReplicaSourceDBInstanceIdentifier === 'bundle-src');
    expect(replicas.map((r) => r.DBInstanceIdentifier)).toEqual([result.createdReplicaId]);
    const records = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
    expect((records.ResourceRecordSets ?? []).filter((r) => r.Name === 'reader.bundle.example.com.' && r.Type === 'CNAME').length).toBeGreaterThan(0);
    rds.destroy();
    r53.destroy();
  });
});
