import { Token, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { DatabaseConnectionDetails } from '../../core/connection-details';
import { RdsRules } from '../../core/private/rds-rules';
import { host, port, Problem } from '../../core/private/validators';

/** What a bound database must offer the Beanstalk binding: checked once, at the binding's entry point. */

/** The database must have a security group and a default port to open. */
export function connectionsProblems(connections: ec2.Connections): Problem[] {
  return [
    connections.defaultPort === undefined
      ? 'database.connections has no defaultPort (got undefined), so the binding cannot open the database port. Give the database connections a defaultPort (ec2.Port.tcp(<port>)).'
      : undefined,
    connections.securityGroups.length === 0
      ? 'database.connections has no security group (got 0), so there is nothing to open the database port on. Bind a database that has its own security group.'
      : undefined,
  ];
}

/** The connection details must give a concrete port and non-empty host, database and user. */
export function detailsProblems(details: DatabaseConnectionDetails, readerHost: string | undefined): Problem[] {
  const prop = 'database.connectionDetails';
  const problems: Problem[] = [RdsRules.knownPortError(details.port, `${prop}.port`) ?? port(`${prop}.port`, details.port)];
  for (const [name, value] of [['host', details.host], ['databaseName', details.databaseName], ['username', details.username]]) {
    if (!Token.isUnresolved(value) && value.trim() === '') {
      problems.push(`${prop}.${name} must not be empty (got '${value}'). Bind a database that exposes its ${name}.`);
    }
  }
  if (readerHost !== undefined && !Token.isUnresolved(readerHost)) problems.push(host('readerHost', readerHost));
  return problems;
}

/** The key of the password in a secret delivered by ARN and JSON key. */
export function jsonKeyProblem(jsonKey: string): Problem {
  if (jsonKey.trim() === '' || jsonKey.includes(':')) {
    return `secretDelivery jsonKey must be a non-empty JSON key without ':' (got '${jsonKey}'). Use the key of the password in the secret, e.g. 'password'.`;
  }
  return undefined;
}
