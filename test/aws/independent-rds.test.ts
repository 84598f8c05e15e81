import { App, CfnElement, CfnParameter, Duration, RemovalPolicy, Stack, aws_ec2 as ec2, aws_iam as iam, aws_kms as kms, aws_rds as rds, aws_secretsmanager as secretsmanager, aws_sns as sns } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { databaseStack, networkStack, plainStack } from './fixtures';
import { DatabaseEngine, DatabaseEngineFamily, DatabasePreset, IndependentRds, IndependentRdsProps, RdsProxy, ReplicaAutoscaling } from '../../src/aws';
import { SslMode } from '../../src/core/ssl-mode';

const GiB = 1024 * 1024 * 1024;

describe('IndependentRds', () => {
  let stack: Stack;
  let vpc: ec2.Vpc;
  beforeEach(() => {
    const app = new App();
    ({ stack, vpc } = networkStack(app, 'Stack'));
  });
  const make = (props: Partial<IndependentRdsProps> = {}) => new IndependentRds(stack, 'Db', { vpc, ...props });
  const template = () => Template.fromStack(stack);
  const instanceProps = (props: object) => template().hasResourceProperties('AWS::RDS::DBInstance', props);

  describe('production preset (default) on PostgreSQL', () => {
    let db: IndependentRds;
    let t: Template;
    beforeEach(() => {
      db = make();
      t = template();
    });

    test('creates one DB instance as the child "Resource", with PostgreSQL 16.9', () => {
      expect(db.instance!.node.id).toBe('Resource');
      expect(db.cluster).toBeUndefined();
      t.resourceCountIs('AWS::RDS::DBInstance', 1);
      t.hasResourceProperties('AWS::RDS::DBInstance', { Engine: 'postgres', EngineVersion: '16.9' });
    });
    test('is Multi-AZ', () => t.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: true }));
    test('has deletion protection', () => t.hasResourceProperties('AWS::RDS::DBInstance', { DeletionProtection: true }));
    test('is retained when removed from the stack', () => {
      t.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    });
    test('keeps backups 7 days in window 03:00-04:00, with a non-overlapping maintenance window', () => {
      t.hasResourceProperties('AWS::RDS::DBInstance', {
        BackupRetentionPeriod: 7, PreferredBackupWindow: '03:00-04:00', PreferredMaintenanceWindow: 'sun:04:30-sun:05:30',
      });
    });
    test('encrypts storage with a new, rotating, retained KMS key', () => {
      t.hasResourceProperties('AWS::RDS::DBInstance', { StorageEncrypted: true, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('DbKey'), 'Arn'] } });
      t.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
      expect(db.encryptionKey).toBeDefined();
    });
    test('uses gp3 storage autoscaling from 20 to 100 GiB', () => {
      t.hasResourceProperties('AWS::RDS::DBInstance', { StorageType: 'gp3', AllocatedStorage: '20', MaxAllocatedStorage: 100 });
    });
    test('keeps Performance Insights 7 days, encrypted with the key', () => {
      t.hasResourceProperties('AWS::RDS::DBInstance', {
        EnablePerformanceInsights: true, PerformanceInsightsRetentionPeriod: 7, PerformanceInsightsKMSKeyId: Match.anyValue(),
      });
    });
    test('has enhanced monitoring every 60 s', () => {
      t.hasResourceProperties('AWS::RDS::DBInstance', { MonitoringInterval: 60, MonitoringRoleArn: Match.anyValue() });
    });
    test('exports postgresql and upgrade logs', () => {
      t.hasResourceProperties('AWS::RDS::DBInstance', { EnableCloudwatchLogsExports: ['postgresql', 'upgrade'] });
    });
    test('uses a parameter group with slow-query logging, TLS forced and pg_stat_statements', () => {
      t.hasResourceProperties('AWS::RDS::DBParameterGroup', {
        Family: 'postgres16',
        Parameters: {
          'rds.force_ssl': '1',
          'log_min_duration_statement': '1000',
          'shared_preload_libraries': 'pg_stat_statements',
          'pg_stat_statements.track': 'all',
        },
      });
    });
    test('is private: not publicly accessible, in the private subnets', () => {
      t.hasResourceProperties('AWS::RDS::DBInstance', { PubliclyAccessible: false });
      t.hasResourceProperties('AWS::RDS::DBSubnetGroup', {
        SubnetIds: [{ Ref: Match.stringLikeRegexp('VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('VpcPrivateSubnet2') }],
      });
    });
    test('has its own security group whose only ingress is the rotation function', () => {
      t.hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('no ingress until'), SecurityGroupIngress: Match.absent() });
      const ingress = t.findResources('AWS::EC2::SecurityGroupIngress');
      expect(Object.keys(ingress)).toHaveLength(1);
      const rule: any = Object.values(ingress)[0];
      expect(rule.Properties.SourceSecurityGroupId['Fn::GetAtt'][0]).toMatch(/RotationSingleUser/);
      expect(rule.Properties.CidrIp).toBeUndefined();
    });
    test('copies tags to snapshots, and upgrades minor versions only when the engine version in code changes', () => {
      t.hasResourceProperties('AWS::RDS::DBInstance', { CopyTagsToSnapshot: true, AutoMinorVersionUpgrade: false });
    });
    test('uses db.m6g.large', () => t.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.m6g.large' }));
    test('turns IAM database authentication on', () => t.hasResourceProperties('AWS::RDS::DBInstance', { EnableIAMDatabaseAuthentication: true }));
    test('generates a 32-character password without / " @ \\ \' or spaces, in the rotation JSON shape', () => {
      t.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: {
          PasswordLength: 32,
          GenerateStringKey: 'password',
          // The user name only: the attachment adds host, port, engine and dbname (see the deploy-safety tests).
          SecretStringTemplate: JSON.stringify({ username: 'dbadmin' }),
          ExcludeCharacters: Match.anyValue(),
          KmsKeyId: Match.absent(),
        },
        KmsKeyId: Match.anyValue(),
      });
      const secret: any = Object.values(t.findResources('AWS::SecretsManager::Secret'))[0];
      for (const ch of ['/', '"', '@', '\\', "'", ' ']) expect(secret.Properties.GenerateSecretString.ExcludeCharacters).toContain(ch);
      t.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', { TargetType: 'AWS::RDS::DBInstance' });
    });
    test('retains the secret with the database', () => {
      t.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    });
    test('never puts a plaintext password in the template', () => {
      t.hasResourceProperties('AWS::RDS::DBInstance', {
        MasterUsername: 'dbadmin',
        MasterUserPassword: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('resolve:secretsmanager')])] },
      });
    });
    test('rotates the password every 30 days', () => {
      t.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(30 days)' } });
    });
    test('creates alarms for CPU, connections, memory, latency and free storage', () => {
      expect(db.alarms).toHaveLength(6);
      t.resourceCountIs('AWS::CloudWatch::Alarm', 6);
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'CPUUtilization', Threshold: 80, EvaluationPeriods: 2, Period: 300, ComparisonOperator: 'GreaterThanThreshold',
      });
      t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'FreeStorageSpace', Threshold: 2 * GiB, ComparisonOperator: 'LessThanThreshold' });
      // 80% of max_connections, which RDS sets near 820-900 for PostgreSQL on db.m6g.large (8 GiB).
      const connections = t.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'DatabaseConnections' } });
      const [threshold] = Object.values<any>(connections).map((a) => a.Properties.Threshold);
      expect(threshold).toBeGreaterThanOrEqual(650);
      expect(threshold).toBeLessThanOrEqual(720);
      t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'FreeableMemory', Threshold: 256 * 1024 * 1024 });
      t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ReadLatency', Threshold: 0.02 });
      t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'WriteLatency', Threshold: 0.02 });
      const topic = stack.getLogicalId(db.alarmTopic!.node.defaultChild as CfnElement);
      for (const alarm of Object.values<any>(t.findResources('AWS::CloudWatch::Alarm'))) {
        expect([alarm.Properties.AlarmActions, alarm.Properties.OKActions]).toEqual([[{ Ref: topic }], [{ Ref: topic }]]);
      }
    });
    test('exposes the connection details: endpoint, the concrete port, database, user and sslmode require', () => {
      const logicalId = stack.getLogicalId(db.instance!.node.defaultChild as CfnElement);
      expect(stack.resolve(db.connectionDetails.host)).toEqual({ 'Fn::GetAtt': [logicalId, 'Endpoint.Address'] });
      expect(db.connectionDetails.port).toBe(5432);
      expect(db.connectionDetails.databaseName).toBe('app');
      expect(db.connectionDetails.username).toBe('dbadmin');
      expect(db.connectionDetails.sslMode).toBe(SslMode.REQUIRE);
      expect(db.connectionDetails.readerHost).toBeUndefined();
      expect(db.secret).toBeDefined();
      expect(db.readReplicaCount).toBe(0);
      expect(db.preset).toBe(DatabasePreset.PRODUCTION);
      expect(db.vpc).toBe(vpc);
    });
    test('the secret has no fixed name and rotates every 30 days', () => {
      expect(db.secretName).toBeUndefined();
      expect(db.rotationInterval?.toDays()).toBe(30);
      t.hasResourceProperties('AWS::SecretsManager::Secret', { Name: Match.absent() });
    });
  });

  describe('development preset', () => {
    let t: Template;
    beforeEach(() => {
      make({ preset: DatabasePreset.DEVELOPMENT });
      t = template();
    });
    test('is single-AZ on db.t4g.micro', () => t.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: false, DBInstanceClass: 'db.t4g.micro' }));
    test('keeps backups 1 day', () => t.hasResourceProperties('AWS::RDS::DBInstance', { BackupRetentionPeriod: 1 }));
    test('snapshots on removal, without deletion protection', () => {
      t.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Snapshot', Properties: Match.objectLike({ DeletionProtection: false }) });
    });
    test('is still encrypted and private', () => {
      t.hasResourceProperties('AWS::RDS::DBInstance', { StorageEncrypted: true, PubliclyAccessible: false });
    });
    test('has no Performance Insights or enhanced monitoring', () => {
      t.hasResourceProperties('AWS::RDS::DBInstance', { EnablePerformanceInsights: false, MonitoringInterval: Match.absent() });
    });
    test('still creates alarms', () => t.resourceCountIs('AWS::CloudWatch::Alarm', 6));
  });

  describe('engines', () => {
    test('MySQL: TLS required, slow-query log, every log type exported, port 3306', () => {
      const db = make({ engine: DatabaseEngine.MYSQL_8_0 });
      instanceProps({ Engine: 'mysql', EngineVersion: '8.0.42', EnableCloudwatchLogsExports: ['audit', 'error', 'general', 'slowquery'], Port: '3306' });
      template().hasResourceProperties('AWS::RDS::DBParameterGroup', {
        Family: 'mysql8.0', Parameters: { require_secure_transport: 'ON', slow_query_log: '1', long_query_time: '1' },
      });
      expect(db.connections.defaultPort!.toString()).toBe('3306');
    });
    test('MariaDB: an instance with the MariaDB parameter family', () => {
      make({ engine: DatabaseEngine.MARIADB_11_4 });
      instanceProps({ Engine: 'mariadb', EngineVersion: '11.4.5' });
      template().hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'mariadb11.4', Parameters: Match.objectLike({ require_secure_transport: 'ON' }) });
    });
    test('Aurora PostgreSQL: a cluster "Resource" with a writer and one reader on db.r6g.large', () => {
      const db = make({ engine: DatabaseEngine.AURORA_POSTGRES_16 });
      const t = template();
      expect(db.cluster!.node.id).toBe('Resource');
      expect(db.instance).toBeUndefined();
      t.hasResource('AWS::RDS::DBCluster', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({
          Engine: 'aurora-postgresql',
          EngineVersion: '16.6',
          StorageEncrypted: true,
          DeletionProtection: true,
          BackupRetentionPeriod: 7,
          PreferredBackupWindow: '03:00-04:00',
          CopyTagsToSnapshot: true,
          EnableIAMDatabaseAuthentication: true,
          EnableCloudwatchLogsExports: ['postgresql'],
        }),
      });
      t.resourceCountIs('AWS::RDS::DBInstance', 2);
      t.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.r6g.large', PubliclyAccessible: false, EnablePerformanceInsights: true });
      t.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Family: 'aurora-postgresql16', Parameters: { 'rds.force_ssl': '1', 'log_min_duration_statement': '1000', 'shared_preload_libraries': 'pg_stat_statements', 'pg_stat_statements.track': 'all' } });
      expect(stack.resolve(db.connectionDetails.host)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(db.cluster!.node.defaultChild as CfnElement), 'Endpoint.Address'] });
      expect(stack.resolve(db.connectionDetails.readerHost)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(db.cluster!.node.defaultChild as CfnElement), 'ReadEndpoint.Address'] });
      expect(db.readReplicaCount).toBe(1);
    });
    test('Aurora PostgreSQL: replica lag alarm over 1000 ms and a free local storage alarm', () => {
      make({ engine: DatabaseEngine.AURORA_POSTGRES_16 });
      template().hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'AuroraReplicaLagMaximum', Threshold: 1000 });
      template().hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'FreeLocalStorage' });
    });
    test('Aurora MySQL: exports audit, error, general and slowquery logs', () => {
      make({ engine: DatabaseEngine.AURORA_MYSQL_3 });
      template().hasResourceProperties('AWS::RDS::DBCluster', {
        Engine: 'aurora-mysql', EngineVersion: '8.0.mysql_aurora.3.08.0', EnableCloudwatchLogsExports: ['audit', 'error', 'general', 'slowquery'],
      });
      template().hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Family: 'aurora-mysql8.0', Parameters: Match.objectLike({ require_secure_transport: 'ON' }) });
    });
    test('Aurora MySQL in production: backtrack window of 24 hours', () => {
      make({ engine: DatabaseEngine.AURORA_MYSQL_3 });
      template().hasResourceProperties('AWS::RDS::DBCluster', { BacktrackWindow: 86400 });
    });
    test('Aurora PostgreSQL: no backtrack window', () => {
      make({ engine: DatabaseEngine.AURORA_POSTGRES_16 });
      template().hasResourceProperties('AWS::RDS::DBCluster', { BacktrackWindow: Match.absent() });
    });
    test('Aurora in development: one writer on db.t4g.medium, no replica lag alarm', () => {
      make({ engine: DatabaseEngine.AURORA_POSTGRES_16, preset: DatabasePreset.DEVELOPMENT });
      template().resourceCountIs('AWS::RDS::DBInstance', 1);
      instanceProps({ DBInstanceClass: 'db.t4g.medium' });
      template().hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Snapshot' });
      expect(Object.keys(template().findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'AuroraReplicaLagMaximum' } }))).toHaveLength(0);
    });
    test('DatabaseEngine exposes family, version, major version and cluster-ness', () => {
      expect(DatabaseEngine.POSTGRES_16.family).toBe(DatabaseEngineFamily.POSTGRES);
      expect(DatabaseEngine.AURORA_POSTGRES_16.family).toBe(DatabaseEngineFamily.AURORA_POSTGRESQL);
      expect(DatabaseEngine.AURORA_MYSQL_3.family.name).toBe('aurora-mysql');
      expect(DatabaseEngine.MARIADB_11_4.defaultPort).toBe(3306);
      expect(DatabaseEngine.postgres('16.4').majorVersion).toBe('16');
      expect(DatabaseEngine.MYSQL_8_4.majorVersion).toBe('8.4');
      expect(DatabaseEngine.AURORA_MYSQL_3.isCluster).toBe(true);
      expect(DatabaseEngine.POSTGRES_17.toString()).toBe('postgres 17.5');
    });
    test('throws when an Aurora engine is asked for an instance engine, or the reverse', () => {
      expect(() => DatabaseEngine.AURORA_POSTGRES_16.instanceEngine()).toThrow(/runs as a cluster/);
      expect(() => DatabaseEngine.POSTGRES_16.clusterEngine()).toThrow(/runs as an instance/);
    });
  });

  describe('read replicas', () => {
    test('creates replicas encrypted like their source (same key), in the same security group, each with a lag alarm over 1 s', () => {
      const db = make({ readReplicas: 2 });
      const t = template();
      t.resourceCountIs('AWS::RDS::DBInstance', 3);
      // A replica holds no data of its own: it is deleted when it leaves the template, even in production.
      t.hasResource('AWS::RDS::DBInstance', {
        DeletionPolicy: 'Delete',
        UpdateReplacePolicy: 'Delete',
        Properties: Match.objectLike({
          SourceDBInstanceIdentifier: Match.anyValue(),
          StorageEncrypted: Match.absent(),
          KmsKeyId: Match.anyValue(),
          DeletionProtection: true,
          MultiAZ: true,
          PubliclyAccessible: false,
        }),
      });
      t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ReplicaLag', Threshold: 1 });
      expect(db.readReplicas).toHaveLength(2);
      expect(db.readReplicaCount).toBe(2);
      expect(stack.resolve(db.connectionDetails.readerHost)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(db.readReplicas[0].node.defaultChild as CfnElement), 'Endpoint.Address'] });
    });

    test('throws at synth when an escape hatch asks RDS to manage the master password of a database with replicas', () => {
      const db = make({ readReplicas: 1 });
      (db.instance!.node.defaultChild as rds.CfnDBInstance).manageMasterUserPassword = true;
      expect(() => template()).toThrow(/IndependentRds: manageMasterUserPassword cannot be combined with read replicas \(got 1 replica\(s\)\); RDS refuses it/);
    });

    test('throws at synth when the managed master password is set as a raw override on an Aurora cluster with readers', () => {
      const db = make({ engine: DatabaseEngine.AURORA_POSTGRES_16 });
      (db.cluster!.node.defaultChild as rds.CfnDBCluster).addPropertyOverride('ManageMasterUserPassword', true);
      expect(() => template()).toThrow(/manageMasterUserPassword cannot be combined with read replicas/);
    });

    test('allows an escape-hatch managed master password without replicas', () => {
      const db = make({ readReplicas: 0 });
      (db.instance!.node.defaultChild as rds.CfnDBInstance).manageMasterUserPassword = true;
      expect(() => template()).not.toThrow();
    });
  });

  describe('overrides', () => {
    test('every knob can be overridden', () => {
      make({
        instanceClass: 'db.r6g.xlarge',
        multiAz: false,
        backupRetention: Duration.days(14),
        preferredBackupWindow: '01:00-02:00',
        preferredMaintenanceWindow: 'sat:05:00-sat:06:00',
        deletionProtection: false,
        removalPolicy: RemovalPolicy.SNAPSHOT,
        allocatedStorage: 50,
        maxAllocatedStorage: 500,
        performanceInsightRetentionDays: 31,
        monitoringInterval: Duration.seconds(15),
        cloudwatchLogsExports: ['postgresql'],
        port: 6432,
        databaseName: 'orders',
        username: 'owner',
      });
      const t = template();
      t.hasResource('AWS::RDS::DBInstance', {
        DeletionPolicy: 'Snapshot',
        Properties: Match.objectLike({
          DBInstanceClass: 'db.r6g.xlarge',
          MultiAZ: false,
          BackupRetentionPeriod: 14,
          PreferredBackupWindow: '01:00-02:00',
          PreferredMaintenanceWindow: 'sat:05:00-sat:06:00',
          DeletionProtection: false,
          AllocatedStorage: '50',
          MaxAllocatedStorage: 500,
          PerformanceInsightsRetentionPeriod: 31,
          MonitoringInterval: 15,
          EnableCloudwatchLogsExports: ['postgresql'],
          Port: '6432',
          DBName: 'orders',
          MasterUsername: 'owner',
        }),
      });
    });
    test('the port in the connection details is the configured one', () => {
      const db = make({ port: 6432 });
      expect(db.connectionDetails.port).toBe(6432);
      expect(db.connections.defaultPort!.toString()).toBe('6432');
    });
    test('secretName names the generated secret, keeping its logical id', () => {
      const db = make({ secretName: 'prod/shop/db-master' });
      expect(db.secretName).toBe('prod/shop/db-master');
      const secrets = template().findResources('AWS::SecretsManager::Secret');
      expect(Object.keys(secrets)).toEqual([stack.getLogicalId(db.node.findChild('Secret').node.defaultChild as CfnElement)]);
      expect(Object.keys(secrets)[0]).toMatch(/^DbSecret/);
      expect(Object.values<any>(secrets)[0].Properties.Name).toBe('prod/shop/db-master');
    });
    test('a parameter override that stops forcing TLS drops sslmode from the connection details', () => {
      expect(make({ parameters: { 'rds.force_ssl': '0' } }).connectionDetails.sslMode).toBeUndefined();
    });
    test('MySQL forces TLS with require_secure_transport, so its sslmode is require too', () => {
      expect(make({ engine: DatabaseEngine.MYSQL_8_0 }).connectionDetails.sslMode).toBe(SslMode.REQUIRE);
    });
    test('a shared_preload_libraries of the user replaces the default (pg_stat_statements listed by hand is kept)', () => {
      make({ parameters: { shared_preload_libraries: 'pg_stat_statements,pg_cron' } });
      template().hasResourceProperties('AWS::RDS::DBParameterGroup', {
        Parameters: { 'shared_preload_libraries': 'pg_stat_statements,pg_cron', 'pg_stat_statements.track': 'all' },
      });
    });
    test('extra parameters merge over the defaults', () => {
      make({ parameters: { log_min_duration_statement: '500', work_mem: '65536' } });
      template().hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: { 'rds.force_ssl': '1', 'log_min_duration_statement': '500', 'work_mem': '65536' } });
    });
    test('an existing KMS key is used instead of a new one', () => {
      const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
      const db = make({ encryptionKey: key });
      expect(db.encryptionKey).toBe(key);
      template().resourceCountIs('AWS::KMS::Key', 1);
    });
    test('rotation can be switched off', () => {
      make({ rotation: false });
      template().resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
      template().resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    });
    test('rotation interval can be changed', () => {
      make({ rotationInterval: Duration.days(7) });
      template().hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(7 days)' } });
    });
    test('the resolved rotation interval is exposed, and absent without rotation', () => {
      expect(make({ rotationInterval: Duration.days(7) }).rotationInterval?.toDays()).toBe(7);
      expect(new IndependentRds(stack, 'NoRotation', { vpc, rotation: false }).rotationInterval).toBeUndefined();
    });
    test('a secret brought by the user is used instead of a generated one', () => {
      const secret = new secretsmanager.Secret(stack, 'Mine', { generateSecretString: { secretStringTemplate: '{"username":"owner"}', generateStringKey: 'password' } });
      const db = make({ secret, username: 'owner' });
      template().resourceCountIs('AWS::SecretsManager::Secret', 1);
      instanceProps({ MasterUsername: 'owner' });
      expect(db.connectionDetails.username).toBe('owner');
      expect(db.secretName).toBeUndefined();
    });
    test('alarms can be switched off', () => {
      const db = make({ alarms: false });
      expect(db.alarms).toHaveLength(0);
      template().resourceCountIs('AWS::CloudWatch::Alarm', 0);
    });
    test('alarms notify the SNS topic when given', () => {
      const topic = new sns.Topic(stack, 'Topic');
      make({ alarmTopic: topic });
      template().hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: Match.stringLikeRegexp('Topic') }], OKActions: [{ Ref: Match.stringLikeRegexp('Topic') }] });
    });
    test('the connections threshold can be changed', () => {
      make({ connectionsAlarmThreshold: 400 });
      template().hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DatabaseConnections', Threshold: 400 });
    });
    test('isolated subnets are accepted, with a warning about the rotation function', () => {
      const db = make({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
      template().hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: [{ Ref: Match.stringLikeRegexp('VpcIsolatedSubnet1') }, Match.anyValue()] });
      expect(db.node.metadata.some((m) => String(m.data).includes('Secrets Manager interface endpoint'))).toBe(true);
    });
  });

  describe('surface', () => {
    test('connections carry the default port, so allowDefaultPortFrom opens only that port from that group', () => {
      const db = make();
      const app = new ec2.SecurityGroup(stack, 'AppSg', { vpc });
      db.connections.allowDefaultPortFrom(app);
      template().hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp', SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('AppSg'), 'GroupId'] },
      });
    });
    test('grantConnect gives rds-db:connect for the master user', () => {
      const db = make();
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      db.grantConnect(role);
      template().hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: [Match.objectLike({ Action: 'rds-db:connect', Effect: 'Allow' })] },
      });
    });
    test('grantConnect works for Aurora with a named user', () => {
      const db = make({ engine: DatabaseEngine.AURORA_POSTGRES_16 });
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      db.grantConnect(role, 'reporter');
      template().hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: [Match.objectLike({ Action: 'rds-db:connect', Resource: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':dbuser:', '/reporter'])] }) })] },
      });
    });
    test('grantSecretRead gives GetSecretValue on the secret and Decrypt on its key via Secrets Manager, in the grantee policy only', () => {
      const db = make();
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      db.grantSecretRead(role);
      expect(db.secret.encryptionKey).toBe(db.encryptionKey);
      template().hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [
            { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('DbSecretAttachment') } },
            {
              Action: 'kms:Decrypt',
              Effect: 'Allow',
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('DbKey'), 'Arn'] },
              Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] } } },
            },
          ],
        },
      });
      const keyPolicy = JSON.stringify(Object.values<any>(template().findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy);
      expect(keyPolicy).not.toMatch(/Role/);
    });
    test('an application stack can be granted the secret and the port without a dependency cycle', () => {
      const app = new App();
      const network = networkStack(app);
      const { stack: dbStack, db } = databaseStack(app, network.vpc);
      const appStack = plainStack(app, 'App');
      const role = new iam.Role(appStack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      const sg = new ec2.SecurityGroup(appStack, 'AppSg', { vpc: network.vpc });
      db.grantSecretRead(role);
      db.grantConnect(role);
      // Opened from the application's side, so CDK writes the ingress rule into the app stack.
      sg.connections.allowToDefaultPort(db);
      expect(() => app.synth()).not.toThrow();
      Template.fromStack(appStack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 5432, ToPort: 5432 });
      expect(appStack.dependencies).toContain(dbStack);
      expect(dbStack.dependencies).not.toContain(appStack);
    });
    test('fromDatabaseAttributes returns an RDS database with its connection details and a default port', () => {
      const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'DbSg', 'sg-12345678');
      const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'S', 'prod/db');
      const db = IndependentRds.fromDatabaseAttributes(stack, 'Imported', {
        engine: DatabaseEngine.POSTGRES_16,
        vpc,
        instanceIdentifier: 'prod-db',
        endpointAddress: 'db.example.internal',
        port: 5432,
        databaseName: 'app',
        username: 'dbadmin',
        secret,
        securityGroups: [sg],
      });
      expect(db.connectionDetails).toEqual({ host: 'db.example.internal', port: 5432, databaseName: 'app', username: 'dbadmin', readerHost: undefined });
      expect(db.connections.defaultPort!.toString()).toBe('5432');
      expect(db.secret).toBe(secret);
      expect(db.instance!.instanceIdentifier).toBe('prod-db');
      expect(db.cluster).toBeUndefined();
      expect(db.readReplicaCount).toBe(0);
    });
    test('addProxy puts an RdsProxy in front of the database, as a child', () => {
      const db = make();
      const proxy = db.addProxy('Proxy', { maxConnectionsPercent: 60 });
      expect(proxy).toBeInstanceOf(RdsProxy);
      expect(proxy.node.scope).toBe(db);
      template().hasResourceProperties('AWS::RDS::DBProxyTargetGroup', { ConnectionPoolConfigurationInfo: Match.objectLike({ MaxConnectionsPercent: 60 }) });
    });
    test('addReplicaAutoscaling makes the readers follow the load, as a child', () => {
      const db = make({ engine: DatabaseEngine.AURORA_POSTGRES_16 });
      const scaling = db.addReplicaAutoscaling('ReadScaling', { maxCapacity: 5 });
      expect(scaling).toBeInstanceOf(ReplicaAutoscaling);
      expect(scaling.node.scope).toBe(db);
      template().hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 5 });
    });
    test('an instance accepts a security group reference from another construct', () => {
      const db = make();
      expect(db.connections.securityGroups).toEqual([db.securityGroup]);
      expect(db.instance).toBeInstanceOf(rds.DatabaseInstance);
    });
  });

  describe('validation', () => {
    const throwsWith = (props: Partial<IndependentRdsProps>, re: RegExp) => expect(() => make(props)).toThrow(re);
    test('throws when backupRetention is over 35 days', () => throwsWith({ backupRetention: Duration.days(40) }, /IndependentRds: backupRetention must be 0–35 whole days \(got 40\)/));
    test('throws when backupRetention is 0 in production', () => throwsWith({ backupRetention: Duration.days(0) }, /backupRetention of 0 days .* production preset refuses/));
    test('throws when the backup window is not hh24:mi-hh24:mi', () => throwsWith({ preferredBackupWindow: '3:00-4:00' }, /preferredBackupWindow must be 'hh24:mi-hh24:mi'.*got '3:00-4:00'/));
    test('throws when the backup window is shorter than 30 minutes', () => throwsWith({ preferredBackupWindow: '03:00-03:20' }, /at least 30 minutes long \(got '03:00-03:20', 20 minutes\)/));
    test('throws when the maintenance window is malformed', () => throwsWith({ preferredMaintenanceWindow: 'sunday:04:00-sunday:05:00' }, /preferredMaintenanceWindow must be 'ddd:hh24:mi-ddd:hh24:mi'/));
    test('throws when the backup and maintenance windows overlap', () => throwsWith({ preferredMaintenanceWindow: 'mon:03:30-mon:04:30' }, /overlaps preferredMaintenanceWindow 'mon:03:30-mon:04:30'/));
    test('throws when allocatedStorage is below 20 GiB', () => throwsWith({ allocatedStorage: 10 }, /allocatedStorage must be 20–65536 GiB for gp3 storage \(got 10\)/));
    test('throws when maxAllocatedStorage is below allocatedStorage', () => throwsWith({ allocatedStorage: 200, maxAllocatedStorage: 100 }, /maxAllocatedStorage must be at least allocatedStorage \(200 GiB\).*got 100/));
    test('throws when maxAllocatedStorage is above 65536 GiB', () => throwsWith({ maxAllocatedStorage: 70000 }, /maxAllocatedStorage .* at most 65536 GiB \(got 70000\)/));
    test('throws when iops is set on gp2', () => throwsWith({ storageType: rds.StorageType.GP2, iops: 3000 }, /iops can only be set with gp3, io1 or io2 storage \(got 3000 with gp2\)/));
    test('throws when iops is set on gp3 under 400 GiB', () => throwsWith({ iops: 12000 }, /iops can only be set on gp3 storage of at least 400 GiB \(got 12000 with 20 GiB\)/));
    test('throws when io1 storage has no iops', () => throwsWith({ storageType: rds.StorageType.IO1, allocatedStorage: 100, maxAllocatedStorage: 200 }, /iops is required for io1 storage/));
    test('throws when storageThroughput is set on io1', () => throwsWith({ storageType: rds.StorageType.IO1, iops: 3000, allocatedStorage: 100, storageThroughput: 500 }, /storageThroughput can only be set with gp3 storage \(got 500 MiB\/s with io1\)/));
    test('throws when storageThroughput is set on gp3 under 400 GiB', () => throwsWith({ storageThroughput: 500 }, /storageThroughput can only be set on gp3 storage of at least 400 GiB/));
    test('throws when the instance class is not db.<family>.<size>', () => throwsWith({ instanceClass: 'm6g.large' }, /instanceClass must look like 'db.<family>.<size>' \(got "m6g.large"\)/));
    test('throws when Aurora is given a micro class', () => throwsWith({ engine: DatabaseEngine.AURORA_POSTGRES_16, instanceClass: 'db.t4g.micro' }, /instanceClass 'db.t4g.micro' is not offered for aurora-postgresql/));
    test('throws when the serverless class is asked for', () => throwsWith({ engine: DatabaseEngine.AURORA_MYSQL_3, instanceClass: 'db.serverless' }, /'db.serverless' .* is not offered/));
    test('throws when the engine version is a bare major version', () => expect(() => DatabaseEngine.postgres('16')).toThrow(/DatabaseEngine: engine version for postgres must be a full minor version \(got "16"\)/));
    test('throws when a MySQL version lacks the patch number', () => expect(() => DatabaseEngine.mysql('8.0')).toThrow(/full minor version \(got "8.0"\)\. Pin one such as '8.0.42'/));
    test('throws when an Aurora MySQL version is not the mysql_aurora form', () => expect(() => DatabaseEngine.auroraMysql('3.08.0')).toThrow(/aurora-mysql must be a full minor version/));
    test('throws when the port is out of range', () => throwsWith({ port: 80 }, /IndependentRds: port must be a whole number from 1150 to 65535 \(got 80\)/));
    test('throws when the port is an unresolved token', () => {
      const port = new CfnParameter(stack, 'Port', { type: 'Number' }).valueAsNumber;
      throwsWith({ port }, /IndependentRds: port must be a number known at synth time \(got an unresolved token\)/);
    });
    test('throws when secretName is not a Secrets Manager name', () => throwsWith({ secretName: 'prod shop' }, /IndependentRds: secretName must be 1-512 letters, digits and '\/_\+=\.@-' \(got "prod shop"\)/));
    test('throws when secretName is given with a secret of your own', () => {
      const secret = new secretsmanager.Secret(stack, 'Mine');
      throwsWith({ secret, secretName: 'prod/db' }, /IndependentRds: secretName names the secret IndependentRds generates, but secret is given/);
    });
    test('throws when the username is reserved', () => throwsWith({ username: 'postgres' }, /username 'postgres' is reserved by postgres/));
    test('throws when the username is too long for MariaDB', () => throwsWith({ engine: DatabaseEngine.MARIADB_11_4, username: 'a_very_long_admin_name' }, /username may be at most 16 characters for mariadb/));
    test('throws when the username does not start with a letter', () => throwsWith({ username: '1admin' }, /username must start with a letter .*got "1admin"/));
    test('throws when the database name is invalid', () => throwsWith({ databaseName: 'my-db' }, /databaseName must start with a letter .*got "my-db"/));
    test('throws when multiAz is combined with an availability zone', () => throwsWith({ availabilityZone: 'us-east-1a' }, /availabilityZone 'us-east-1a' places a single-AZ instance, but multiAz is true/));
    test('throws when PUBLIC subnets are selected by type', () => throwsWith({ vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }, /vpcSubnets selects PUBLIC subnets/));
    test('throws when public subnets are selected by hand', () => {
      expect(() => make({ vpcSubnets: { subnets: vpc.publicSubnets } })).toThrow(/vpcSubnets selects public subnets \(got .*PublicSubnet1/);
    });
    test('throws when the VPC has no subnets of the selected type', () => {
      const publicOnly = new ec2.Vpc(stack, 'PublicOnly', { maxAzs: 2, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
      expect(() => new IndependentRds(stack, 'Db', { vpc: publicOnly })).toThrow(/vpcSubnets selects no usable subnets in the VPC/);
    });
    test('throws when removalPolicy is DESTROY in production', () => throwsWith({ removalPolicy: RemovalPolicy.DESTROY }, /removalPolicy DESTROY would delete the production database/));
    test('throws when Performance Insights retention is not 7 or a month multiple', () => throwsWith({ performanceInsightRetentionDays: 10 }, /performanceInsightRetentionDays must be 7, a multiple of 31 .*got 10/));
    test('throws when Performance Insights retention is set with Performance Insights off', () => throwsWith({ performanceInsights: false, performanceInsightRetentionDays: 7 }, /performanceInsightRetentionDays is set \(got 7\) but performanceInsights is off/));
    test('throws when the monitoring interval is not offered', () => throwsWith({ monitoringInterval: Duration.seconds(45) }, /monitoringInterval must be one of 0, 1, 5, 10, 15, 30 or 60 seconds \(got 45\)/));
    test('throws when the monitoring interval is not whole seconds', () => throwsWith({ monitoringInterval: Duration.millis(1500) }, /IndependentRds: monitoringInterval must be one of .*\(got 1.5\)/));
    test('throws when there are more than 15 read replicas', () => throwsWith({ readReplicas: 16 }, /readReplicas must be a whole number from 0 to 15 \(got 16\)/));
    test('throws when storage sizes are given to Aurora', () => throwsWith({ engine: DatabaseEngine.AURORA_POSTGRES_16, allocatedStorage: 100 }, /allocatedStorage does not apply to aurora-postgresql/));
    test('throws when an availability zone is given to Aurora', () => throwsWith({ engine: DatabaseEngine.AURORA_POSTGRES_16, multiAz: false, availabilityZone: 'us-east-1a' }, /availabilityZone does not apply to aurora-postgresql clusters/));
    test('throws when Aurora is Multi-AZ without a reader', () => throwsWith({ engine: DatabaseEngine.AURORA_POSTGRES_16, readReplicas: 0 }, /multiAz needs at least one Aurora reader .*got readReplicas 0/));
    test('throws when the rotation interval is under a day', () => throwsWith({ rotationInterval: Duration.hours(1) }, /rotationInterval must be 1–1000 days/));
    test('throws when the connections threshold is not positive', () => throwsWith({ connectionsAlarmThreshold: 0 }, /connectionsAlarmThreshold must be a finite number above 0 \(got 0\)/));
    test('throws when a backtrack window is asked of a non-Aurora-MySQL engine', () => throwsWith({ backtrackWindow: Duration.hours(4) }, /backtrackWindow is only offered by Aurora MySQL \(got 4 hours with postgres\)/));
    test('throws when the backtrack window is over 72 hours', () => throwsWith({ engine: DatabaseEngine.AURORA_MYSQL_3, backtrackWindow: Duration.hours(100) }, /backtrackWindow may be at most 72 hours \(got 100\)/));
    test('throws listing every broken rule at once', () => throwsWith({ port: 80, allocatedStorage: 10 }, /port must be .* \(and 1 more: allocatedStorage must be/));
    test('throws when the subnets selection contains public subnets, after the other rules', () => {
      expect(() => make({ port: 80, vpcSubnets: { subnets: vpc.publicSubnets } })).toThrow(/port must be .* \(and 1 more: vpcSubnets selects public subnets/);
    });
    test('accepts 0-day backups in development', () => {
      expect(() => make({ preset: DatabasePreset.DEVELOPMENT, backupRetention: Duration.days(0) })).not.toThrow();
    });
    test('accepts DESTROY in development', () => {
      make({ preset: DatabasePreset.DEVELOPMENT, removalPolicy: RemovalPolicy.DESTROY });
      template().hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Delete' });
    });
  });
});
