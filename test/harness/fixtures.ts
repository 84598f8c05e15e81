import { App, DefaultStackSynthesizer, Stack, aws_rds as rds, aws_ssm as ssm } from 'aws-cdk-lib';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';

/**
 * Tiny fixtures that prove each validator of the harness can fail. They are not public constructs.
 */

/** A stack every validator accepts: one SSM parameter. */
export function goodStack(): Stack {
  const app = new App();
  const stack = new Stack(app, 'HarnessGood', { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) });
  new ssm.StringParameter(stack, 'Param', { parameterName: '/harness/fixture', stringValue: 'fixture-value' });
  return stack;
}

/** A stack with an unencrypted DB instance (cdk-nag AwsSolutions-RDS2 must flag it). */
export function unencryptedDbStack(): Stack {
  const app = new App();
  const stack = new Stack(app, 'HarnessUnencrypted');
  new rds.CfnDBInstance(stack, 'Db', {
    engine: 'postgres',
    engineVersion: '16.4',
    dbInstanceClass: 'db.t4g.micro',
    allocatedStorage: '20',
    storageEncrypted: false,
    masterUsername: 'fixture',
    manageMasterUserPassword: true,
  });
  return stack;
}

/** A chart with a valid Job. */
export function goodChart(): Chart {
  const chart = Testing.chart();
  new kplus.Job(chart, 'Job', {
    backoffLimit: 4,
    containers: [{ image: 'postgres:15-alpine', command: ['pg_isready'], securityContext: { user: 70, group: 70 } }],
  });
  return chart;
}

/** A raw batch/v1 Job manifest; `patch` changes it into a bad one. */
export function jobManifest(patch: (job: any) => void = () => undefined): any {
  const job: any = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'fixture' },
    spec: {
      backoffLimit: 4,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'main', image: 'postgres:15-alpine', command: ['pg_isready'] }],
        },
      },
    },
  };
  patch(job);
  return job;
}
