import { CfnResource, RemovalPolicy, Token, aws_kms as kms, aws_logs as logs } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { cloudWatchLogsStatement, keyForService } from './kms-policy';
import { RdsSettings } from './rds-settings';

/**
 * The log groups of the exported logs, `/aws/rds/instance/<id>/<log>` (Aurora:
 * `/aws/rds/cluster/<id>/<log>`), made before the database (which depends on them) so that RDS
 * writes into them instead of creating its own: with the settings' retention, encrypted with the
 * database's key (or a key of their own, id 'LogsKey', when that key's policy cannot be extended),
 * and retained when they leave the stack (they hold the database's history).
 *
 * Only when the identifier is known (else the names are not) and for literal log types (a token
 * has no construct id); the construct id of each is `LogGroup` plus the log type.
 */
export function createLogGroups(scope: Construct, s: RdsSettings, database: IConstruct, key: kms.IKey): logs.LogGroup[] {
  if (s.identifier === undefined) return [];
  const types = s.cloudwatchLogsExports.filter((t) => !Token.isUnresolved(t));
  if (types.length === 0) return [];
  // RDS stores identifiers in lower case, and names the log groups after the stored identifier.
  const id = Token.isUnresolved(s.identifier) ? s.identifier : s.identifier.toLowerCase();
  const kind = s.engine.isCluster ? 'cluster' : 'instance';
  const encryptionKey = keyForService(scope, 'LogsKey', key, cloudWatchLogsStatement(), `Encrypts the exported logs of ${scope.node.path}`);
  const resource = database.node.defaultChild as CfnResource;
  return types.map((type) => {
    const group = new logs.LogGroup(scope, `LogGroup${pascal(type)}`, {
      logGroupName: `/aws/rds/${kind}/${id}/${type}`,
      retention: s.cloudwatchLogsRetention,
      encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    resource.addDependency(group.node.defaultChild as CfnResource);
    return group;
  });
}

/** 'iam-db-auth-error' → 'IamDbAuthError'. */
function pascal(type: string): string {
  return type.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}
