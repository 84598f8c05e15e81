import * as cdk from 'aws-cdk-lib';
import { Validations, aws_ec2 as ec2, aws_iam as iam } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IndependentRds, SecretReferenceFor } from '../src/aws';
import { CaBundle, DatabaseSecretSource, ExternalDatabaseSecret, ExternalSecretStoreRef, WaitForDatabase } from '../src/k8s';

/**
 * An EKS app on an IndependentRds, AWS and Kubernetes side by side:
 *
 * - CDK: `Network` (VPC) and `Database` (IndependentRds; the app's own user `db.addUser('shop')`
 *   with a named secret, rotated every 30 days with alternating users; a role that External
 *   Secrets Operator assumes through EKS Pod Identity to read that secret alone);
 * - cdk8s: an `ExternalSecret` copying the app user's secret into `shop-db-secret` with the
 *   contract keys (DB_USER from the secret's `username`, which alternates) and a verify-full
 *   `DATABASE_URL`, the RDS CA bundle mounted from a ConfigMap, and the app Deployment with a
 *   `wait-for-db` init container.
 *
 * The user's secret name (its `secretName` option) reaches the ExternalSecret as a typed
 * `SecretsManagerSecretRef` (`SecretReferenceFor.databaseUser`), together with the rotation
 * period the refresh interval must beat.
 *
 * In the cluster beforehand: External Secrets Operator with a ClusterSecretStore
 * `aws-secrets-manager` (provider `aws`, service `SecretsManager`, the stack's region), a Pod
 * Identity association of the operator's ServiceAccount with `ExternalSecretsRole`, and the RDS CA
 * bundle as ConfigMap `rds-ca` (`kubectl -n shop create configmap rds-ca
 * --from-file=global-bundle.pem=<downloaded bundle>`).
 */
export function build(outdir: string): { aws?: cdk.App; k8s?: cdk8s.App } {
  const aws = new cdk.App({ outdir });

  // --- AWS: network and database, each with its own lifecycle ---
  const network = new cdk.Stack(aws, 'Network');
  const vpc = new ec2.Vpc(network, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    subnetConfiguration: [
      // Only NAT gateways and load balancers live here; nothing gets a public IP by itself.
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const flowLog = vpc.addFlowLog('FlowLog');
  // VPC flow logs hold connection metadata only (addresses, ports, byte counts), which CloudWatch
  // Logs encrypts at rest with its own key; a customer managed key would add a key policy to keep.
  Validations.of(flowLog).acknowledge({
    id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
    reason: 'VPC flow logs hold connection metadata only; CloudWatch Logs encrypts them at rest with its own key.',
  });
  // Security group for the app's pods (EKS security groups for pods).
  const podSecurityGroup = new ec2.SecurityGroup(network, 'ShopPods', { vpc, description: 'Pods of the shop app', allowAllOutbound: true });

  // Termination protection: deleting this stack must be a deliberate, two-step act.
  const data = new cdk.Stack(aws, 'Database', { terminationProtection: true });
  // The master secret keeps its fixed name (administration only).
  const db = new IndependentRds(data, 'Database', { vpc, databaseName: 'shop', username: 'shop', secretName: 'prod/shop/db-master' });
  db.connections.allowDefaultPortFrom(podSecurityGroup, 'shop pods');
  // The app's own user, whose secret has a fixed name the ExternalSecret can refer to.
  const shopUser = db.addUser('shop', { secretName: 'prod/shop/db-app' });

  // The typed bridge: the user's secret name and its rotation period, read from the user.
  const secretRef = SecretReferenceFor.databaseUser(shopUser);

  // External Secrets Operator reads the app user's secret (and only it) through EKS Pod Identity.
  const esoRole = new iam.Role(data, 'ExternalSecretsRole', {
    assumedBy: new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com')),
    description: 'External Secrets Operator: reads the shop app user secret',
  });
  shopUser.grantSecretRead(esoRole);

  // Every stack is checked at synth time by cdk-nag's AwsSolutions pack and by AWS Control Tower's
  // proactive controls (cfn-guard); a finding fails the synthesis. The library acknowledges, with
  // its reasons, the rules it disagrees with on its own resources: only this app's resources need
  // acknowledgments here.
  Validations.of(aws).addPlugins(new AwsSolutionsChecks(aws), new CfnGuardValidator());

  // --- Kubernetes: the app's Secret, CA bundle and Deployment ---
  const k8s = new cdk8s.App({ outdir, outputFileExtension: '.k8s.yaml' });
  const chart = new cdk8s.Chart(k8s, 'shop', { namespace: 'shop', disableResourceNameHashes: true });
  const ca = new CaBundle(chart, 'RdsCa', { configMapName: 'rds-ca', key: 'global-bundle.pem' });
  const dbSecret = new ExternalDatabaseSecret(chart, 'DbSecret', {
    secretName: 'shop-db-secret',
    source: DatabaseSecretSource.externalSecret({
      secret: secretRef,
      store: ExternalSecretStoreRef.clusterSecretStore('aws-secrets-manager'),
      refreshInterval: cdk8s.Duration.hours(1),
      caPath: ca.path,
    }),
    labels: { 'app.kubernetes.io/name': 'shop' },
  });

  const app = new kplus.Deployment(chart, 'Shop', {
    metadata: { name: 'shop' },
    replicas: 2,
    securityContext: { user: 1000, group: 1000, ensureNonRoot: true },
    containers: [{
      name: 'shop',
      image: 'ghcr.io/example/shop:1.4.2',
      portNumber: 8080,
      envVariables: dbSecret.envVariables({ sslRootCertPath: ca.path }),
      securityContext: { user: 1000, group: 1000 },
      resources: {
        cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
        memory: { request: cdk8s.Size.mebibytes(128), limit: cdk8s.Size.mebibytes(256) },
      },
    }],
  });
  ca.mountInto(app.containers[0]);
  WaitForDatabase.addTo(app, { secret: dbSecret.secret, caBundle: ca });

  return { aws, k8s };
}

if (require.main === module) {
  const apps = build(process.env.CDK_OUTDIR ?? 'cdk.out');
  apps.aws?.synth();
  apps.k8s?.synth();
}
