import * as cdk from 'aws-cdk-lib';
import { aws_codepipeline as codepipeline, aws_iam as iam, pipelines } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { addShopStacks, ShopStacks } from './beanstalk-app-with-independent-rds';

/**
 * A CDK Pipelines app (`pipelines.CodePipeline`) that deploys the three-stack layout of
 * beanstalk-app-with-independent-rds (`Network`, `Database`, `App`) as stage `Prod`, and runs the
 * deploy-safety checker before the database stack is deployed:
 *
 * 1. `Synth` builds `cdk.out` from the repository (a CodeStar connection to GitHub; the ARN below
 *    is a placeholder, so the app synthesizes offline).
 * 2. `DatabaseSafety`, a CodeBuild step before `Prod-Database` is prepared, fetches the deployed
 *    template (`aws cloudformation get-template`) and runs `cdk-db-safety` against the new
 *    `cdk.out`. An unsafe change (a replaced, orphaned or re-keyed database, a refused upgrade)
 *    exits 1 and stops the pipeline before anything is deployed; a change someone decided to make
 *    goes through with `--allow <resource>:<change>` added to the command, in a reviewed commit.
 *    On the first deploy there is nothing to compare with: the step says so and passes.
 *
 * `cdk-db-safety` is the `bin` of this package: `npm ci` in the step installs it with the rest of
 * the app's dependencies.
 */
export const PIPELINE_ENV = { account: '111111111111', region: 'eu-west-1' };

/** Placeholder: create the connection in the console (Developer Tools > Connections) and put its ARN here. */
const CONNECTION_ARN = `arn:aws:codeconnections:${PIPELINE_ENV.region}:${PIPELINE_ENV.account}:connection/00000000-0000-0000-0000-000000000000`;

/** The deployed stage: the three stacks with their own lifecycles. */
export class ShopStage extends cdk.Stage {
  public readonly stacks: ShopStacks;

  constructor(scope: Construct, id: string, props: cdk.StageProps = {}) {
    super(scope, id, props);
    this.stacks = addShopStacks(this);
  }
}

/**
 * The step that compares the deployed database stack with the one about to be deployed. Exit code
 * 0 when safe, 1 on an unsafe finding (the pipeline stops), 2 on bad usage or a failed AWS call.
 */
export function databaseSafetyStep(pipelineStack: cdk.Stack, input: pipelines.IFileSetProducer, synth: pipelines.IFileSetProducer,
  databaseStackName: string): pipelines.CodeBuildStep {
  return new pipelines.CodeBuildStep('DatabaseSafety', {
    input,
    additionalInputs: { 'cdk.out': synth },
    installCommands: ['npm ci'],
    commands: [[
      'set -eu',
      `STACK=${databaseStackName}`,
      // Only "does not exist" means a first deploy; any other failure (permissions, throttling) stops the pipeline.
      'if aws cloudformation describe-stacks --stack-name "$STACK" > /dev/null 2> describe-error.txt; then',
      '  aws cloudformation get-template --stack-name "$STACK" --template-stage Original --output json > deployed-database.json',
      '  npx cdk-db-safety --before deployed-database.json --after cdk.out --stack "$STACK"',
      'elif grep -q "does not exist" describe-error.txt; then',
      '  echo "$STACK is not deployed yet: nothing to compare, the first deploy creates it."',
      'else',
      '  cat describe-error.txt; exit 2',
      'fi',
    ].join('\n')],
    rolePolicyStatements: [
      new iam.PolicyStatement({
        actions: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'],
        resources: [pipelineStack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${databaseStackName}/*` })],
      }),
    ],
  });
}

export function build(outdir: string): { aws?: cdk.App } {
  const app = new cdk.App({ outdir });
  const pipelineStack = new cdk.Stack(app, 'Pipeline', { env: PIPELINE_ENV });

  const source = pipelines.CodePipelineSource.connection('example-org/shop-infrastructure', 'main', { connectionArn: CONNECTION_ARN });
  const synth = new pipelines.ShellStep('Synth', {
    input: source,
    installCommands: ['npm ci'],
    commands: ['npx cdk synth'],
  });
  const pipeline = new pipelines.CodePipeline(pipelineStack, 'Pipeline', {
    synth,
    pipelineType: codepipeline.PipelineType.V2,
    // Artifacts and CodeBuild projects encrypted with a customer managed key that rotates.
    crossAccountKeys: true,
    enableKeyRotation: true,
    // One CodeBuild step per asset type.
    publishAssetsInParallel: false,
  });

  // The stage's stacks are environment-agnostic, like the stand-alone example (availability zones
  // resolve at deploy time): they deploy to the pipeline's account and region.
  const prod = new ShopStage(app, 'Prod');
  const databaseStack = prod.stacks.database;
  pipeline.addStage(prod, {
    stackSteps: [{ stack: databaseStack, pre: [databaseSafetyStep(pipelineStack, source, synth, databaseStack.stackName)] }],
  });

  pipeline.buildPipeline();
  acknowledgePipelineFindings(pipeline, databaseStack.stackName);
  cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CfnGuardValidator());
  // cfn-lint 1.51 on what CDK Pipelines generates for the CodePipeline resource, both harmless:
  // E3703 reports its style hint "prefer Fn::Sub over Fn::Join" (I1022 elsewhere) on the deploy
  // actions' RoleArn, and W3005 a DependsOn on the pipeline role that its RoleArn already implies.
  (pipeline.pipeline.node.defaultChild as codepipeline.CfnPipeline).addMetadata('cfn-lint', { config: { ignore_checks: ['E3703', 'W3005'] } });
  return { aws: app };
}

/**
 * The cdk-nag AwsSolutions and cfn-guard findings on what CDK Pipelines generates, each
 * acknowledged with its reason on the pipeline (an acknowledgment covers the construct's subtree).
 */
function acknowledgePipelineFindings(pipeline: pipelines.CodePipeline, databaseStackName: string): void {
  const { account, region } = PIPELINE_ENV;
  const ack = (ids: string[], reason: string) => {
    for (const id of ids) cdk.Validations.of(pipeline).acknowledge({ id, reason });
  };
  const projects = ['PipelineBuildSynthCdkBuildProject6BEFA8E6', 'PipelineProdDatabaseDatabaseSafety6288540A', 'PipelineUpdatePipelineSelfMutationDAA41400'];
  ack(['AwsSolutions-S1', 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check'],
    "The artifact bucket holds short-lived build outputs, encrypted with the pipeline's rotating KMS key and readable only by the pipeline's roles; "
    + 'every read needs that key, so CloudTrail records it (kms:Decrypt) without S3 access logs.');
  ack(['cdk-validator-cfnguard::s3_bucket_versioning_enabled_check', 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
    'cdk-validator-cfnguard::s3_lifecycle_policy_check', 'cdk-validator-cfnguard::s3_event_notifications_enabled_check'],
  'The artifact bucket of CDK Pipelines holds build outputs that every run writes anew from the repository: nothing in it needs versions, locks, expiry rules or notifications.');
  ack(['cdk-validator-cfnguard::kms_create_grant_aws_service_check'],
    "The artifact key of CDK Pipelines: its key policy grants the pipeline's own roles, none of which creates grants.");
  ack(['cdk-validator-cfnguard::codebuild_project_logging_enabled_check'],
    "CodeBuild writes each project's logs to CloudWatch Logs under /aws/codebuild/<project> by default; the rule wants the setting spelled out.");
  ack([
    'Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*', 'Action::s3:DeleteObject*', 'Action::s3:Abort*',
    'Action::kms:ReEncrypt*', 'Action::kms:GenerateDataKey*', 'Resource::<PipelineArtifactsBucketAEA9A052.Arn>/*',
  ].map((f) => `AwsSolutions-IAM5[${f}]`),
  "CDK Pipelines' grants on the pipeline's own artifact bucket and key: object-level actions on that one bucket, data-key actions on that one key.");
  ack([
    ...projects.flatMap((p) => [
      `Resource::arn:<AWS::Partition>:logs:${region}:${account}:log-group:/aws/codebuild/<${p}>:*`,
      `Resource::arn:<AWS::Partition>:codebuild:${region}:${account}:report-group/<${p}>-*`,
    ]),
    `Resource::arn:<AWS::Partition>:logs:${region}:${account}:log-group:/aws/codebuild/*`,
    `Resource::arn:<AWS::Partition>:codebuild:${region}:${account}:report-group/*`,
  ].map((f) => `AwsSolutions-IAM5[${f}]`),
  "CodeBuild writes its logs and test reports under its own project's log group and report-group prefix (the asset publishing role, shared by its projects, under /aws/codebuild/).");
  ack([`AwsSolutions-IAM5[Resource::arn:*:iam::${account}:role/*]`],
    'Self-mutation runs cdk deploy: it may assume only the CDK bootstrap roles of the account, which the aws-cdk:bootstrap-role tag condition restricts to the deploy and publishing roles.');
  ack(['AwsSolutions-IAM5[Resource::*]'],
    'Unscoped read-only calls CDK Pipelines makes: cloudformation:DescribeStacks and s3:ListBucket for self-mutation, and the CodeBuild build calls of the asset publishing role.');
  ack([`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:${region}:${account}:stack/${databaseStackName}/*]`],
    `The deploy-safety step reads one stack: a stack ARN ends in a generated id, so the wildcard covers ${databaseStackName} only.`);
}

if (require.main === module) {
  const apps = build(process.env.CDK_OUTDIR ?? 'cdk.out');
  apps.aws?.synth();
}
