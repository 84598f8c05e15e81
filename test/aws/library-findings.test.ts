import { App, Validations, aws_iam as iam, aws_lambda as lambda } from 'aws-cdk-lib';
import type * as cxapi from 'aws-cdk-lib/cx-api';
import { EveryConstructApp, everyConstructApp, isLibraryPath } from './every-construct-app';
import { networkStack, plainStack } from './fixtures';
import { DatabaseEngine, DatabasePreset, IndependentRds } from '../../src/aws';
import {
  acknowledgedFindingsInAssembly, applyCfnGuard, applyNag, formatFindings, GUARD_PLUGIN, NAG_PLUGIN, PolicyFinding,
  policyFindingsInAssembly, synthValidated,
} from '../harness';

/**
 * A consumer's app that uses every AWS construct of the library and carries no acknowledgment of
 * its own, checked as a consumer checks it: cdk-nag 3 and the cfn-guard validator registered with
 * `Validations.of(app).addPlugins(...)`. Where the library disagrees with a rule it acknowledges it
 * on its own resources, with a reason; everything else it fixes. So: no finding on a resource the
 * library creates, while the consumer's own resources are still checked.
 */

/** The consumer's own resources that break rules the library acknowledges on its own resources. */
function addConsumerResources(built: EveryConstructApp): void {
  // A Lambda outside any VPC (CT.LAMBDA.PR.3) on an old runtime (AwsSolutions-L1).
  new lambda.Function(built.application, 'ConsumerFunction', {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({});'),
  });
  // A role with the AWS-managed enhanced monitoring policy (AwsSolutions-IAM4).
  new iam.Role(built.application, 'ConsumerMonitoringRole', {
    assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
  });
}

function check(built: EveryConstructApp): cxapi.CloudAssembly {
  applyNag(built.app);
  applyCfnGuard(built.app);
  return synthValidated(built.app);
}

/** The cdk-nag and cfn-guard findings (aws-cdk-lib's own default validator reports warnings too). */
function nagAndGuard(assembly: cxapi.CloudAssembly): PolicyFinding[] {
  return [...policyFindingsInAssembly(assembly, NAG_PLUGIN), ...policyFindingsInAssembly(assembly, GUARD_PLUGIN)];
}

/**
 * Every acknowledgment of a cdk-nag or cfn-guard rule recorded in the app: where, which rule, why.
 * (aws-cdk-lib acknowledges some rules of its own default validator on its own constructs.)
 */
function acknowledgments(built: EveryConstructApp): Array<{ path: string; rule: string; reason: string }> {
  return built.app.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([rule, reason]) => ({ path: c.node.path, rule: rule.replace(/^Annotation::/i, ''), reason }))))
    .filter((a) => a.rule.startsWith('AwsSolutions-') || a.rule.startsWith(`${GUARD_PLUGIN}::`));
}

describe('an app with every AWS construct and no acknowledgment of its own', () => {
  const built = everyConstructApp();
  addConsumerResources(built);
  const assembly = check(built);
  const findings = nagAndGuard(assembly);

  test('both plugins ran', () => {
    expect(policyFindingsInAssembly(assembly).filter((f) => f.rule === 'plugin-error')).toEqual([]);
    expect(findings.some((f) => f.plugin === NAG_PLUGIN)).toBe(true);
    expect(findings.some((f) => f.plugin === GUARD_PLUGIN)).toBe(true);
  });

  test('gets zero cdk-nag and zero cfn-guard findings on library-created resources', () => {
    expect(formatFindings(findings.filter((f) => isLibraryPath(built, f.constructPath)))).toEqual([]);
  });

  test('the database stack, which holds only library constructs, has no finding at all', () => {
    const prefix = `${built.database.node.path}/`;
    expect(formatFindings(findings.filter((f) => f.constructPath === '' || f.constructPath.startsWith(prefix)))).toEqual([]);
  });

  test("the library's acknowledgments do not silence the same rules on the consumer's resources", () => {
    const rules = (p: string) => findings.filter((f) => f.constructPath.startsWith(p)).map((f) => f.rule);
    expect(rules('App/ConsumerFunction/')).toEqual(expect.arrayContaining(['CT.LAMBDA.PR.3 lambda_inside_vpc_check', 'AwsSolutions-L1']));
    expect(rules('App/ConsumerMonitoringRole/')).toEqual([
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
    ]);
  });

  test('every acknowledgment sits on a library construct and gives its reason', () => {
    const acks = acknowledgments(built);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect({ ...ack, library: isLibraryPath(built, `${ack.path}/`) }).toEqual({ ...ack, library: true });
      expect(ack.reason.length).toBeGreaterThan(60);
    }
    // The cfn-guard findings aws-cdk-lib suppressed were acknowledged on the resource or its owner.
    for (const f of acknowledgedFindingsInAssembly(assembly, GUARD_PLUGIN)) {
      expect(f.constructPath.startsWith(`${f.acknowledgedAt}/`)).toBe(true);
    }
  });

  test('the library acknowledges exactly the rules it disagrees with', () => {
    const rules = [...new Set(acknowledgments(built).map((a) => a.rule))].sort();
    expect(rules).toEqual([
      // DatabaseBackupPlan's selection role (the AWS-managed AWS Backup policy).
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
      'AwsSolutions-IAM5[Resource::*]',
      // The replica controller's alarms of the replicas it makes, under its own name prefix.
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:DatabasePostgresReadScaling2832957F-*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:rds:<AWS::Region>:<AWS::AccountId>:db:*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:rds:<AWS::Region>:<AWS::AccountId>:pg:*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:rds:<AWS::Region>:<AWS::AccountId>:subgrp:*]',
      'AwsSolutions-RDS11',
      // CrossRegionReplica, single-AZ by default until it is promoted.
      'AwsSolutions-RDS3',
      'cdk-validator-cfnguard::lambda_inside_vpc_check',
      'cdk-validator-cfnguard::rds_instance_automatic_minor_version_upgrade_enabled_check',
      'cdk-validator-cfnguard::rds_instance_multi_az_support_check',
      'cdk-validator-cfnguard::rds_instance_no_default_ports_check',
    ]);
  });
});

describe('the same app with weak cross-stack references (what `cdk init` sets)', () => {
  const built = everyConstructApp({ context: { '@aws-cdk/core:defaultCrossStackReferences': 'weak' } });
  const assembly = check(built);

  test('references between its stacks are weak', () => {
    expect(JSON.stringify(assembly.getStackByName(built.application.stackName).template)).toContain('Fn::GetStackOutput');
  });

  test('gets zero cdk-nag and zero cfn-guard findings on library-created resources', () => {
    expect(formatFindings(nagAndGuard(assembly).filter((f) => isLibraryPath(built, f.constructPath)))).toEqual([]);
  });
});

describe.each([
  ['PostgreSQL, development preset', DatabaseEngine.POSTGRES_16, DatabasePreset.DEVELOPMENT],
  ['MySQL', DatabaseEngine.MYSQL_8_4, DatabasePreset.PRODUCTION],
  ['MariaDB', DatabaseEngine.MARIADB_11_4, DatabasePreset.PRODUCTION],
  ['Aurora MySQL', DatabaseEngine.AURORA_MYSQL_3, DatabasePreset.PRODUCTION],
  ['Aurora PostgreSQL, development preset', DatabaseEngine.AURORA_POSTGRES_16, DatabasePreset.DEVELOPMENT],
])('IndependentRds on %s, with read replicas and no acknowledgment of its own', (_name, engine, preset) => {
  test('gets zero cdk-nag and zero cfn-guard findings', () => {
    const app = new App();
    const network = networkStack(app);
    const stack = plainStack(app, 'Database');
    new IndependentRds(stack, 'Database', { vpc: network.vpc, engine, preset, readReplicas: engine.isCluster ? 2 : 1 });
    applyNag(app);
    applyCfnGuard(app);
    // Everything in the database stack is the library's.
    const found = nagAndGuard(synthValidated(app)).filter((f) => f.constructPath === '' || f.constructPath.startsWith('Database/'));
    expect(formatFindings(found)).toEqual([]);
  });
});
