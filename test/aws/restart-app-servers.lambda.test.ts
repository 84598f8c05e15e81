import { RestartAppServerCommand } from '@aws-sdk/client-elastic-beanstalk';
import { RestartClient, restartAppServers } from '../../src/aws/restart-app-servers.lambda';

const ROTATION_EVENT = {
  'source': 'aws.secretsmanager',
  'detail-type': 'AWS Service Event via CloudTrail',
  'detail': {
    eventSource: 'secretsmanager.amazonaws.com',
    eventName: 'RotationSucceeded',
    additionalEventData: { SecretId: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf' },
  },
};

function recordingClient(fail?: Error): RestartClient & { sent: RestartAppServerCommand[] } {
  const sent: RestartAppServerCommand[] = [];
  return {
    sent,
    async send(command: RestartAppServerCommand) {
      sent.push(command);
      if (fail) throw fail;
      return {};
    },
  };
}

describe('restart-app-servers handler', () => {
  let log: jest.SpyInstance;
  beforeEach(() => { log = jest.spyOn(console, 'log').mockImplementation(() => undefined); });
  afterEach(() => log.mockRestore());

  test('calls RestartAppServer once for the configured environment', async () => {
    // GIVEN
    const client = recordingClient();

    // WHEN
    const result = await restartAppServers(ROTATION_EVENT, client, 'shop-prod');

    // THEN
    expect(client.sent).toHaveLength(1);
    expect(client.sent[0]).toBeInstanceOf(RestartAppServerCommand);
    expect(client.sent[0].input).toEqual({ EnvironmentName: 'shop-prod' });
    expect(result).toEqual({ environmentName: 'shop-prod', secretId: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf' });
  });

  test('logs the environment and the secret id, never a secret value', async () => {
    await restartAppServers(ROTATION_EVENT, recordingClient(), 'shop-prod');
    expect(log).toHaveBeenCalledWith(expect.stringContaining('"environmentName":"shop-prod"'));
  });

  test('restarts even when the event carries no secret id', async () => {
    const client = recordingClient();
    const result = await restartAppServers({}, client, 'shop-prod');
    expect(client.sent).toHaveLength(1);
    expect(result.secretId).toBe('(unknown secret)');
  });

  test('rejects when ENVIRONMENT_NAME is missing, without calling Elastic Beanstalk', async () => {
    const client = recordingClient();
    await expect(restartAppServers(ROTATION_EVENT, client, undefined)).rejects.toThrow(/ENVIRONMENT_NAME is not set/);
    expect(client.sent).toHaveLength(0);
  });

  test('rejects with the Elastic Beanstalk error so that Lambda retries', async () => {
    const client = recordingClient(new Error('Environment named shop-prod is in an invalid state for this operation. Must be Ready.'));
    await expect(restartAppServers(ROTATION_EVENT, client, 'shop-prod')).rejects.toThrow(/invalid state/);
  });
});
