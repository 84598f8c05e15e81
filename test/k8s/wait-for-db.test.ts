import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { CaBundle } from '../../src/k8s/ca-bundle';
import { WaitForDb } from '../../src/k8s/wait-for-db';
import { expectK8sValid } from '../harness';

function initContainer(chart: Chart): any {
  return Testing.synth(chart).find((d: any) => d.kind === 'Deployment').spec.template.spec.initContainers[0];
}

describe('WaitForDb', () => {
  let chart: Chart;
  let dep: kplus.Deployment;
  let secret: kplus.ISecret;
  beforeEach(() => {
    chart = Testing.chart();
    dep = new kplus.Deployment(chart, 'App', { containers: [{ name: 'app', image: 'app:1.0.0' }] });
    secret = kplus.Secret.fromSecretName(chart, 'DbSecret', 'shop-db-secret');
  });

  test('adds a wait-for-db init container running pg_isready with the app Secret URL', () => {
    // WHEN
    WaitForDb.addTo(dep, { secret });
    // THEN
    const c = initContainer(chart);
    expect(c.name).toBe('wait-for-db');
    expect(c.image).toBe('postgres:15-alpine');
    expect(c.command[2]).toContain('pg_isready -q -d "$DATABASE_URL"');
    expect(c.env).toEqual([{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'shop-db-secret', key: 'DATABASE_URL' } } }]);
    expect(c.securityContext).toMatchObject({ runAsUser: 70, runAsNonRoot: true, readOnlyRootFilesystem: true });
    expectK8sValid(chart);
  });

  test('waits 300 s, polling every 2 s, by default', () => {
    WaitForDb.addTo(dep, { secret });
    expect(initContainer(chart).command[2]).toContain('deadline=$(( $(date +%s) + 300 ))');
    expect(initContainer(chart).command[2]).toContain('sleep 2');
  });

  test('uses a mapped URL key, a custom timeout and mounts a CA bundle', () => {
    const ca = new CaBundle(chart, 'Ca', { configMapName: 'rds-ca', key: 'ca.pem' });
    WaitForDb.addTo(dep, { secret, urlKey: 'database-url', timeout: Duration.seconds(60), interval: Duration.seconds(5), caBundle: ca });
    const c = initContainer(chart);
    expect(c.env[0].valueFrom.secretKeyRef.key).toBe('database-url');
    expect(c.command[2]).toContain('+ 60 ))');
    expect(c.volumeMounts).toEqual([{ name: 'db-ca', mountPath: '/etc/db-ca', readOnly: true }]);
    expectK8sValid(chart);
  });

  test('throws on a timeout under one second', () => {
    expect(() => WaitForDb.addTo(dep, { secret, timeout: Duration.millis(500) })).toThrow(/timeout must be a whole number of seconds, at least 1/);
  });
  test('throws on an interval not shorter than the timeout', () => {
    expect(() => WaitForDb.addTo(dep, { secret, timeout: Duration.seconds(10), interval: Duration.seconds(10) })).toThrow(/interval must be a whole number of seconds from 1 to less than timeout/);
  });
  test('throws on an unpinned image', () => {
    expect(() => WaitForDb.addTo(dep, { secret, image: 'postgres' })).toThrow(/image must be pinned to a tag or digest other than 'latest' \(got "postgres"\)/);
    expect(() => WaitForDb.addTo(dep, { secret, image: 'postgres:latest' })).toThrow(/image must be pinned/);
  });
  test('throws on an invalid urlKey', () => {
    expect(() => WaitForDb.addTo(dep, { secret, urlKey: 'database url' })).toThrow(/urlKey must be a Secret key/);
  });
});
