import { Duration, aws_elasticbeanstalk as elasticbeanstalk, aws_iam as iam } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { numberProp, perturb, stringProp, wildCdkDuration, wildMap, wildString } from './arbitraries';
import { freshStack, literal, templateOf } from './aws-fixtures';
import { CFN_LINT_SAMPLE, FUZZ_LONG, fuzzParameters, judge, TemplateSample } from './oracle';
import {
  BeanstalkDatabaseBinding, DatabaseEngine, DatabasePreset, IndependentRds, SecretDelivery,
} from '../../src/aws';

/**
 * The constructs that attach to a database (RdsProxy, ReplicaAutoscaling, BeanstalkDatabaseBinding)
 * under fuzzed props, with the same oracle as IndependentRds.
 */
const ENGINES = [DatabaseEngine.POSTGRES_16, DatabaseEngine.MYSQL_8_0, DatabaseEngine.AURORA_POSTGRES_16, DatabaseEngine.AURORA_MYSQL_3];

function database(engine: DatabaseEngine) {
  const { stack, vpc } = freshStack();
  const db = new IndependentRds(stack, 'Db', { vpc, engine, preset: DatabasePreset.DEVELOPMENT, readReplicas: engine.isCluster ? 1 : 0 });
  return { stack, vpc, db };
}

const seconds = (min: number, max: number) => fc.integer({ min, max }).map((s) => Duration.seconds(s));

describe('RdsProxy under fuzzed props', () => {
  // Linted in the long run only: `npm test` spends its one cfn-lint run on IndependentRds.
  const sample = new TemplateSample(FUZZ_LONG ? CFN_LINT_SAMPLE : 0);
  test('refuses bad input by name, and synthesizes what it accepts', () => {
    const valid = fc.record({
      requireTLS: fc.boolean(),
      iamAuth: fc.boolean(),
      idleClientTimeout: seconds(1, 28800),
      maxConnectionsPercent: fc.integer({ min: 1, max: 100 }),
      borrowTimeout: seconds(1, 3600),
      dbProxyName: fc.option(fc.stringMatching(/^[a-z][a-z0-9]{0,20}(-[a-z0-9]{1,8})?$/), { nil: undefined }),
      idle: fc.integer({ min: 0, max: 100 }),
    }).map(({ idle, ...r }) => ({ ...r, maxIdleConnectionsPercent: Math.min(idle, r.maxConnectionsPercent) }));
    const wild = {
      idleClientTimeout: wildCdkDuration(),
      borrowTimeout: wildCdkDuration(),
      maxConnectionsPercent: numberProp(fc.constant(90)),
      maxIdleConnectionsPercent: numberProp(fc.constant(50)),
      dbProxyName: stringProp(fc.constant('orders-proxy')),
      readOnlyEndpoint: fc.boolean(),
    };
    fc.assert(fc.property(fc.constantFrom(...ENGINES), perturb(valid, wild), (engine, { props, perturbed }) => {
      const { stack, db } = database(engine);
      const template = judge({ owners: ['RdsProxy'], perturbed, mentions: { maxConnectionsPercent: ['maxConnectionsPercent', 'maxIdleConnectionsPercent'] } }, () => {
        db.addProxy('Proxy', props);
        return templateOf(stack);
      });
      if (template === undefined) return;
      sample.add(template);
      const proxy = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::RDS::DBProxy').Properties;
      expect(proxy.IdleClientTimeout).toBe(props.idleClientTimeout.toSeconds());
      expect(proxy.MaxConnectionsPercent ?? Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::RDS::DBProxyTargetGroup').Properties.ConnectionPoolConfigurationInfo.MaxConnectionsPercent).toBe(literal(stack, props.maxConnectionsPercent));
      if (props.dbProxyName !== undefined) expect(proxy.DBProxyName).toBe(literal(stack, props.dbProxyName));
    }), fuzzParameters());
  });
  test('a sample of the accepted templates passes cfn-lint', () => sample.expectCfnLintClean());
});

describe('ReplicaAutoscaling under fuzzed props', () => {
  test('refuses bad input by name, and synthesizes what it accepts', () => {
    const valid = fc.record({
      minCapacity: fc.integer({ min: 0, max: 3 }),
      extra: fc.integer({ min: 0, max: 12 }),
      targetCpu: fc.double({ min: 1, max: 99, noNaN: true }),
      scaleInCooldown: seconds(0, 3600),
      scaleOutCooldown: seconds(0, 3600),
    }).map(({ extra, ...r }) => ({ ...r, maxCapacity: Math.max(1, r.minCapacity) + extra }));
    const wild = {
      minCapacity: numberProp(fc.constant(1)),
      maxCapacity: numberProp(fc.constant(3)),
      targetCpu: numberProp(fc.constant(70)),
      targetConnections: numberProp(fc.constant(100)),
      scaleInCooldown: wildCdkDuration(),
      scaleOutCooldown: wildCdkDuration(),
      readerZoneName: stringProp(fc.constant('orders.db.internal')),
    };
    fc.assert(fc.property(fc.constantFrom(...ENGINES), perturb(valid, wild), (engine, { props, perturbed }) => {
      const { stack, db } = database(engine);
      const template = judge({
        owners: ['ReplicaAutoscaling'],
        perturbed,
        mentions: { minCapacity: ['minCapacity', 'maxCapacity'], maxCapacity: ['maxCapacity', 'minCapacity'], targetConnections: ['targetConnections', 'targetCpu'] },
      }, () => {
        db.addReplicaAutoscaling('Scaling', props);
        return templateOf(stack);
      });
      if (template === undefined) return;
      new TemplateSample().add(template);
      if (engine.isCluster) {
        const target = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::ApplicationAutoScaling::ScalableTarget').Properties;
        // JSON has no -0: compare numerically.
        expect(target.MinCapacity).toEqual(Number(literal(stack, props.minCapacity)) + 0);
        expect(target.MaxCapacity).toEqual(Number(literal(stack, props.maxCapacity)) + 0);
      }
    }), fuzzParameters());
  });
});

describe('BeanstalkDatabaseBinding under fuzzed props', () => {
  const CONTRACT = ['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_SSL_MODE', 'DB_READ_HOST', 'DB_PASSWORD', 'DB_SECRET_ARN'];
  test('refuses bad input by name, and sets only valid, distinct variables', () => {
    const valid = fc.record({
      envNames: fc.subarray(CONTRACT, { maxLength: 3 }).map((keys) => Object.fromEntries(keys.map((k) => [k, `APP_${k}`]))),
      readerHost: fc.option(fc.constantFrom('reader.orders.internal', '10.0.0.7'), { nil: undefined }),
      restartOnSecretRotation: fc.boolean(),
      jsonKey: fc.constantFrom('password', 'pw'),
      arnOnly: fc.boolean(),
    });
    const wild = {
      envNames: fc.oneof(wildMap(), fc.dictionary(fc.constantFrom(...CONTRACT), wildString(), { maxKeys: 2 })),
      readerHost: stringProp(fc.constant('reader.internal')),
      jsonKey: wildString(),
    };
    fc.assert(fc.property(perturb(valid, wild), ({ props, perturbed }) => {
      const { stack, vpc, db } = database(DatabaseEngine.POSTGRES_16);
      const environment = new elasticbeanstalk.CfnEnvironment(stack, 'Env', { applicationName: 'orders', solutionStackName: '64bit Amazon Linux 2023 v6.6.0 running Node.js 22' });
      const instanceRole = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      const template = judge({ owners: ['BeanstalkDatabaseBinding'], perturbed, mentions: { jsonKey: ['jsonKey'], envNames: ['envNames'] } }, () => {
        new BeanstalkDatabaseBinding(stack, 'Binding', {
          database: db,
          environment,
          instanceRole,
          vpc,
          envNames: props.envNames,
          readerHost: props.readerHost,
          restartOnSecretRotation: props.restartOnSecretRotation,
          secretDelivery: props.arnOnly ? SecretDelivery.secretArnOnly() : SecretDelivery.environmentSecret(props.jsonKey),
        });
        return templateOf(stack);
      });
      if (template === undefined) return;
      new TemplateSample().add(template);
      const env = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::ElasticBeanstalk::Environment').Properties;
      const names = env.OptionSettings.filter((o: any) => o.Namespace.startsWith('aws:elasticbeanstalk:application:environment')).map((o: any) => o.OptionName);
      expect(new Set(names).size).toBe(names.length);
      for (const n of names) expect(n).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    }), fuzzParameters());
  });
});
