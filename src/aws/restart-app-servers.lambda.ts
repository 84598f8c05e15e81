import { ElasticBeanstalkClient, RestartAppServerCommand } from '@aws-sdk/client-elastic-beanstalk';

/** The part of an EventBridge event (Secrets Manager via CloudTrail) the handler reads. */
export interface SecretRotationEvent {
  readonly detail?: {
    readonly eventName?: string;
    readonly additionalEventData?: { readonly SecretId?: string };
  };
}

/** The one call the handler makes; an `ElasticBeanstalkClient` satisfies it. */
export interface RestartClient {
  send(command: RestartAppServerCommand): Promise<unknown>;
}

/** What the handler did, for its log line and for tests. */
export interface RestartResult {
  readonly environmentName: string;
  readonly secretId: string;
}

/**
 * Restarts the app servers of one Elastic Beanstalk environment so that they read the rotated
 * secret again (Elastic Beanstalk resolves `environmentsecrets` only when an instance boots or the
 * app server restarts). Errors propagate, so Lambda's asynchronous retries try again, for example
 * while the environment is still updating.
 */
export async function restartAppServers(
  event: SecretRotationEvent,
  client: RestartClient,
  environmentName: string | undefined,
): Promise<RestartResult> {
  if (!environmentName) {
    throw new Error('restart-app-servers: ENVIRONMENT_NAME is not set; the function was deployed without its environment.');
  }
  const secretId = event.detail?.additionalEventData?.SecretId ?? '(unknown secret)';
  await client.send(new RestartAppServerCommand({ EnvironmentName: environmentName }));
  console.log(JSON.stringify({ action: 'RestartAppServer', environmentName, secretId }));
  return { environmentName, secretId };
}

const client = new ElasticBeanstalkClient({});

/** Lambda entry point: driven by the EventBridge rule on `RotationSucceeded`. */
export async function handler(event: SecretRotationEvent): Promise<RestartResult> {
  return restartAppServers(event, client, process.env.ENVIRONMENT_NAME);
}
