import * as cdk from 'aws-cdk-lib';
import { Validations, aws_backup as backup, aws_ec2 as ec2, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CrossRegionReplica, DatabaseEngine, IndependentRds, RestoreSource } from '../src/aws';

/**
 * Restore and disaster recovery for the shop database (the README's "Restore and disaster
 * recovery" runbooks, as code). Two regions, six stacks:
 *
 * - `Network`, `Database` (eu-west-1): the shop's IndependentRds, with its automated backups
 *   replicated to eu-central-1 (`backupReplication`) and an AWS Backup plan keeping a daily recovery
 *   point for a year, copied to the DR vault (`backupPlan`);
 * - `Restore` (eu-west-1): "the database was dropped at 14:02": a second IndependentRds restored to
 *   14:01 next to the old one (`RestoreSource.pointInTime`), and one restored from the snapshot taken
 *   before a migration (`RestoreSource.fromSnapshot`). Apps are moved to it by binding them to it;
 *   the old database is retired afterwards, never restored in place;
 * - `DrNetwork`, `Dr` (eu-central-1): the DR key and vault, and a cross-region read replica of the
 *   shop database (`CrossRegionReplica`), promoted when eu-west-1 is lost;
 * - `DrRestore` (eu-central-1): the other DR path, and the periodic DR test: a database restored
 *   from the replicated automated backups.
 *
 * Values known only after a first deploy (the shop instance's identifier and ARN, the DR key's ARN,
 * the replicated backups' ARN) are written here as text, from the stacks' outputs and the RDS
 * console: references between stacks of two regions would need cross-region references, and a
 * restore must not depend on the stack of the database it replaces.
 */
const PRIMARY = 'eu-west-1';
const DR = 'eu-central-1';
const ACCOUNT = '123456789012';
/** The shop instance (`Database` stack output `InstanceIdentifier`). */
const SHOP_DB = 'shop-db';
/** Its ARN (`Database` stack output `InstanceArn`). */
const SHOP_DB_ARN = `arn:aws:rds:${PRIMARY}:${ACCOUNT}:db:${SHOP_DB}`;
/** The shop database's own KMS key (`Database` stack output `KeyArn`): restored instances keep it. */
const SHOP_KEY_ARN = `arn:aws:kms:${PRIMARY}:${ACCOUNT}:key/0a1b2c3d-1111-2222-3333-444455556666`;
/** The DR key (`Dr` stack output `KeyArn`). */
const DR_KEY_ARN = `arn:aws:kms:${DR}:${ACCOUNT}:key/9f8e7d6c-aaaa-bbbb-cccc-ddddeeeeffff`;
/** The DR vault, named in the `Dr` stack. */
const DR_VAULT_NAME = 'shop-dr';
/** The shop's replicated automated backups in the DR region (`aws rds describe-db-instance-automated-backups --region eu-central-1`). */
const REPLICATED_BACKUPS_ARN = `arn:aws:rds:${DR}:${ACCOUNT}:auto-backup:ab-shopdb0example0replicated0backups`;

export function build(outdir: string): { aws?: cdk.App } {
  const app = new cdk.App({ outdir });
  const engine = DatabaseEngine.POSTGRES_16;

  // --- primary region: the database, its backups leaving the region ---
  const vpc = network(app, 'Network', PRIMARY);
  const data = new cdk.Stack(app, 'Database', { env: { region: PRIMARY }, terminationProtection: true });
  const db = new IndependentRds(data, 'Database', {
    vpc, engine, databaseName: 'shop', username: 'shop',
    backupReplication: { region: DR, encryptionKeyArn: DR_KEY_ARN },
    backupPlan: { retention: cdk.Duration.days(365), copyToVaultArn: `arn:aws:backup:${DR}:${ACCOUNT}:backup-vault:${DR_VAULT_NAME}` },
  });
  new cdk.CfnOutput(data, 'InstanceIdentifier', { value: db.instance!.instanceIdentifier, description: 'restoreSource sourceInstanceIdentifier' });
  new cdk.CfnOutput(data, 'InstanceArn', { value: db.instance!.instanceArn, description: 'CrossRegionReplica sourceInstanceArn' });
  new cdk.CfnOutput(data, 'KeyArn', { value: db.encryptionKey!.keyArn, description: 'restoreSource sourceEncryptionKey' });

  // --- primary region: restores next to the old database ---
  const restore = new cdk.Stack(app, 'Restore', { env: { region: PRIMARY }, terminationProtection: true });
  const shopKey = kms.Key.fromKeyArn(restore, 'ShopKey', SHOP_KEY_ARN);
  // "The database was dropped at 14:02": the state at 14:01, in a new database.
  new IndependentRds(restore, 'Restored', {
    vpc, engine, databaseName: 'shop', username: 'shop',
    restoreSource: RestoreSource.pointInTime({
      sourceInstanceIdentifier: SHOP_DB,
      restoreTime: new Date('2025-06-02T14:01:00Z'),
      sourceEngine: engine,
      sourceEncryptionKey: shopKey,
    }),
  });
  // The state before a migration, from the manual snapshot taken before it.
  new IndependentRds(restore, 'BeforeMigration', {
    vpc, engine, databaseName: 'shop', username: 'shop',
    restoreSource: RestoreSource.fromSnapshot('shop-before-migration-2025-06-01', { sourceEngine: engine, sourceEncryptionKey: shopKey }),
  });

  // --- DR region: key, vault, cross-region replica ---
  const drVpc = network(app, 'DrNetwork', DR);
  const dr = new cdk.Stack(app, 'Dr', { env: { region: DR }, terminationProtection: true });
  const drKey = new kms.Key(dr, 'Key', {
    description: 'Encrypts the shop database copies in the DR region: replicated backups, the vault, the replica',
    enableKeyRotation: true,
    removalPolicy: cdk.RemovalPolicy.RETAIN,
  });
  // Grants on the key only for AWS resources (RDS, AWS Backup), never to a principal directly.
  drKey.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'CreateGrantOnlyForAwsResources',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
  new backup.BackupVault(dr, 'Vault', {
    backupVaultName: DR_VAULT_NAME, encryptionKey: drKey, removalPolicy: cdk.RemovalPolicy.RETAIN, blockRecoveryPointDeletion: true,
  });
  new cdk.CfnOutput(dr, 'KeyArn', { value: drKey.keyArn, description: 'Database backupReplication encryptionKeyArn' });
  new CrossRegionReplica(dr, 'Replica', { vpc: drVpc, engine, sourceInstanceArn: SHOP_DB_ARN, encryptionKey: drKey });

  // --- DR region: restore of the replicated backups (region lost without a replica, and the DR test) ---
  const drRestore = new cdk.Stack(app, 'DrRestore', { env: { region: DR }, terminationProtection: true });
  new IndependentRds(drRestore, 'Restored', {
    vpc: drVpc, engine, databaseName: 'shop', username: 'shop',
    restoreSource: RestoreSource.pointInTime({
      sourceAutomatedBackupsArn: REPLICATED_BACKUPS_ARN,
      sourceEngine: engine,
      sourceEncryptionKey: kms.Key.fromKeyArn(drRestore, 'DrKey', DR_KEY_ARN),
    }),
  });

  // Every stack is checked at synth time by cdk-nag's AwsSolutions pack and by AWS Control Tower's
  // proactive controls (cfn-guard); a finding fails the synthesis. The library acknowledges, with
  // its reasons, the rules it disagrees with on its own resources: only this app's resources need
  // acknowledgments here.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CfnGuardValidator());

  return { aws: app };
}

/** A VPC in its own stack of `region`: private subnets for databases, AZs resolved at deploy time. */
function network(app: cdk.App, id: string, region: string): ec2.IVpc {
  const stack = new cdk.Stack(app, id, { env: { region } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    subnetConfiguration: [
      // Only NAT gateways live here; nothing gets a public IP by itself.
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    ],
  });
  const flowLog = vpc.addFlowLog('FlowLog');
  // VPC flow logs hold connection metadata only (addresses, ports, byte counts), which CloudWatch
  // Logs encrypts at rest with its own key; a customer managed key would add a key policy to keep.
  Validations.of(flowLog).acknowledge({
    id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
    reason: 'VPC flow logs hold connection metadata only; CloudWatch Logs encrypts them at rest with its own key.',
  });
  return vpc;
}

if (require.main === module) {
  const apps = build(process.env.CDK_OUTDIR ?? 'cdk.out');
  apps.aws?.synth();
}
