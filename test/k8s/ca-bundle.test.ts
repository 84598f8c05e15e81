import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { CaBundle } from '../../src/k8s/ca-bundle';
import { expectK8sValid } from '../harness';

function podSpec(chart: Chart): any {
  return Testing.synth(chart).find((d: any) => d.kind === 'Deployment').spec.template.spec;
}

describe('CaBundle', () => {
  let chart: Chart;
  let dep: kplus.Deployment;
  beforeEach(() => {
    chart = Testing.chart();
    dep = new kplus.Deployment(chart, 'App', { containers: [{ name: 'app', image: 'app:1.0.0' }] });
  });

  test('mounts one key of a ConfigMap read-only at /etc/db-ca/<key> by default', () => {
    // GIVEN
    const ca = new CaBundle(chart, 'Ca', { configMapName: 'rds-ca', key: 'rds-global-bundle.pem' });
    // WHEN
    ca.mountInto(dep.containers[0]);
    // THEN
    expect(ca.path).toBe('/etc/db-ca/rds-global-bundle.pem');
    const spec = podSpec(chart);
    expect(spec.volumes).toEqual([{ name: 'db-ca', configMap: { name: 'rds-ca', optional: false, items: [{ key: 'rds-global-bundle.pem', path: 'rds-global-bundle.pem' }] } }]);
    expect(spec.containers[0].volumeMounts).toEqual([{ name: 'db-ca', mountPath: '/etc/db-ca', readOnly: true }]);
    expectK8sValid(chart);
  });

  test('mounts a Secret key under a custom directory and file name', () => {
    const ca = new CaBundle(chart, 'Ca', { secretName: 'db-ca', key: 'ca.crt', mountDirectory: '/var/run/ca', fileName: 'root.pem' });
    ca.mountInto(dep.containers[0]);
    expect(ca.path).toBe('/var/run/ca/root.pem');
    expect(podSpec(chart).volumes[0].secret).toEqual({ secretName: 'db-ca', optional: false, items: [{ key: 'ca.crt', path: 'root.pem' }] });
    expectK8sValid(chart);
  });

  test('throws when the CA source is missing', () => {
    expect(() => new CaBundle(chart, 'Ca', { key: 'ca.pem' })).toThrow(/a CA source is missing \(got neither configMapName nor secretName\)/);
  });
  test('throws when both a ConfigMap and a Secret are given', () => {
    expect(() => new CaBundle(chart, 'Ca', { configMapName: 'a', secretName: 'b', key: 'ca.pem' })).toThrow(/give only one CA source/);
  });
  test('throws on an invalid key', () => {
    expect(() => new CaBundle(chart, 'Ca', { configMapName: 'a', key: 'ca/pem' })).toThrow(/^CaBundle: key must be a Secret key of 1-253 letters, digits, '-', '_' and '\.' \(got "ca\/pem"\)\. Use e\.g\. 'DB_PASSWORD'\.$/);
  });
  test('throws on a relative mount directory', () => {
    expect(() => new CaBundle(chart, 'Ca', { configMapName: 'a', key: 'ca.pem', mountDirectory: 'etc/ca' })).toThrow(/CaBundle: mountDirectory must be an absolute file path without spaces or '\.\.' \(got "etc\/ca"\)/);
  });
  test('throws on a mount directory that hides the system CAs', () => {
    expect(() => new CaBundle(chart, 'Ca', { configMapName: 'a', key: 'ca.pem', mountDirectory: '/etc/ssl/certs' })).toThrow(/would hide the image's own files/);
  });
  test('throws on a mount directory with a trailing slash', () => {
    expect(() => new CaBundle(chart, 'Ca', { configMapName: 'a', key: 'ca.pem', mountDirectory: '/etc/db-ca/' })).toThrow(/CaBundle: mountDirectory must not end in '\/'/);
  });
  test('throws on a Secret name that is not a DNS subdomain', () => {
    expect(() => new CaBundle(chart, 'Ca', { secretName: 'DB_CA', key: 'ca.pem' })).toThrow(/CaBundle: secretName must be a DNS-1123 subdomain/);
  });
  test('throws on a file name with a path', () => {
    expect(() => new CaBundle(chart, 'Ca', { configMapName: 'a', key: 'ca.pem', fileName: '..' })).toThrow(/fileName must be a plain file name/);
  });
  test('throws on a ConfigMap name that is not a DNS subdomain', () => {
    expect(() => new CaBundle(chart, 'Ca', { configMapName: 'RDS CA', key: 'ca.pem' })).toThrow(/CaBundle.*configMapName/);
  });
});
