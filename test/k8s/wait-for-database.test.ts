import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { CaBundle } from '../../src/k8s/ca-bundle';
import { WaitForDatabase } from '../../src/k8s/wait-for-database';
import { expectK8sValid } from '../harness';

function initContainer(chart: Chart): any {
  return Testing.synth(chart).find((d: any) => d.kind === 'Deployment').spec.template.spec.initContainers[0];
}

describe('WaitForDatabase', () => {
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
    WaitForDatabase.addTo(dep, { secret });
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
    WaitForDatabase.addTo(dep, { secret });
    expect(initContainer(chart).command[2]).toContain('deadline=$(( $(date +%s) + 300 ))');
    expect(initContainer(chart).command[2]).toContain('sleep 2');
  });

  test('uses a mapped URL key, a custom timeout and mounts a CA bundle', () => {
    const ca = new CaBundle(chart, 'Ca', { configMapName: 'rds-ca', key: 'ca.pem' });
    WaitForDatabase.addTo(dep, { secret, urlKey: 'database-url', timeout: Duration.seconds(60), interval: Duration.seconds(5), caBundle: ca });
    const c = initContainer(chart);
    expect(c.env[0].valueFrom.secretKeyRef.key).toBe('database-url');
    expect(c.command[2]).toContain('+ 60 ))');
    expect(c.volumeMounts).toEqual([{ name: 'db-ca', mountPath: '/etc/db-ca', readOnly: true }]);
    expectK8sValid(chart);
  });

  test('throws on a timeout under one second', () => {
    expect(() => WaitForDatabase.addTo(dep, { secret, timeout: Duration.millis(500) })).toThrow(/WaitForDatabase: timeout must be whole seconds from 1 to 86400 \(got 0.5 s\)/);
  });
  test('throws on an interval not shorter than the timeout', () => {
    expect(() => WaitForDatabase.addTo(dep, { secret, timeout: Duration.seconds(10), interval: Duration.seconds(10) }))
      .toThrow(/WaitForDatabase: interval must be whole seconds from 1 to 9 \(got 10 s\)\. .*shorter than timeout/);
  });
  test('throws on an unpinned image', () => {
    expect(() => WaitForDatabase.addTo(dep, { secret, image: 'postgres' })).toThrow(/WaitForDatabase: image must be pinned to a version \(got "postgres"\)/);
    expect(() => WaitForDatabase.addTo(dep, { secret, image: 'postgres:latest' })).toThrow(/image must be pinned/);
  });
  test('throws on an image reference with a space', () => {
    expect(() => WaitForDatabase.addTo(dep, { secret, image: 'postgres 15' })).toThrow(/WaitForDatabase: image must be a container image reference/);
  });
  test('throws on an invalid urlKey', () => {
    expect(() => WaitForDatabase.addTo(dep, { secret, urlKey: 'database url' })).toThrow(/WaitForDatabase: urlKey must be a Secret key/);
  });
});
