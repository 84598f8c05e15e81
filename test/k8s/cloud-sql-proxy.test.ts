import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { DatabaseProvider } from '../../src/core/database-provider';
import { CloudSqlAuthProxy } from '../../src/k8s/cloud-sql-proxy';
import { expectK8sValid } from '../harness';

const INSTANCE = 'my-project:europe-west1:orders-db';

function initContainers(chart: Chart): any[] {
  return Testing.synth(chart).find((d: any) => d.kind === 'Deployment').spec.template.spec.initContainers;
}

describe('CloudSqlAuthProxy', () => {
  let chart: Chart;
  let dep: kplus.Deployment;
  beforeEach(() => {
    chart = Testing.chart();
    dep = new kplus.Deployment(chart, 'App', { containers: [{ name: 'app', image: 'app:1.0.0' }] });
  });

  test('adds a native sidecar (init container, restartPolicy Always) with the pinned v2 image', () => {
    // WHEN
    CloudSqlAuthProxy.addTo(dep, { provider: DatabaseProvider.cloudSqlAuthProxy({ instanceConnectionName: INSTANCE }) });
    // THEN
    const [proxy] = initContainers(chart);
    expect(proxy.name).toBe('cloud-sql-proxy');
    expect(proxy.restartPolicy).toBe('Always');
    expect(proxy.image).toBe('gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.15.2');
    expect(proxy.args).toEqual(['--structured-logs', '--port=5432', '--health-check', '--http-address=0.0.0.0', '--http-port=9801', INSTANCE]);
    expectK8sValid(chart);
  });

  test('runs as non-root with a read-only root file system', () => {
    CloudSqlAuthProxy.addTo(dep, { provider: DatabaseProvider.cloudSqlAuthProxy({ instanceConnectionName: INSTANCE }) });
    expect(initContainers(chart)[0].securityContext).toMatchObject({
      runAsNonRoot: true, runAsUser: 65532, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,
    });
  });

  test('gates the app on the proxy startup probe and restarts a hung proxy', () => {
    CloudSqlAuthProxy.addTo(dep, { provider: DatabaseProvider.cloudSqlAuthProxy({ instanceConnectionName: INSTANCE }) });
    const [proxy] = initContainers(chart);
    expect(proxy.startupProbe.httpGet).toMatchObject({ path: '/startup', port: 9801 });
    expect(proxy.livenessProbe.httpGet).toMatchObject({ path: '/liveness', port: 9801 });
  });

  test('uses the provider port, --private-ip, --auto-iam-authn and a custom image', () => {
    CloudSqlAuthProxy.addTo(dep, {
      provider: DatabaseProvider.cloudSqlAuthProxy({ instanceConnectionName: INSTANCE, proxyPort: 6543 }),
      privateIp: true,
      autoIamAuthn: true,
      image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.3',
      healthCheckPort: 9090,
    });
    const [proxy] = initContainers(chart);
    expect(proxy.args).toEqual(['--structured-logs', '--port=6543', '--health-check', '--http-address=0.0.0.0', '--http-port=9090', '--private-ip', '--auto-iam-authn', INSTANCE]);
    expect(proxy.image).toBe('gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.3');
  });

  test('throws for a provider that is not the Cloud SQL Auth Proxy', () => {
    expect(() => CloudSqlAuthProxy.addTo(dep, { provider: DatabaseProvider.cloudSqlPrivateIp({ privateIp: '10.0.0.3' }) }))
      .toThrow(/provider must come from DatabaseProvider.cloudSqlAuthProxy\(\) \(got a 'cloud-sql-private-ip' provider\)/);
  });
  test('throws for an image that is not a pinned v2 proxy', () => {
    const provider = DatabaseProvider.cloudSqlAuthProxy({ instanceConnectionName: INSTANCE });
    expect(() => CloudSqlAuthProxy.addTo(dep, { provider, image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:latest' }))
      .toThrow(/image must be the Cloud SQL Auth Proxy v2 pinned to a version/);
  });
  test('throws for a health-check port that clashes with the proxy port', () => {
    const provider = DatabaseProvider.cloudSqlAuthProxy({ instanceConnectionName: INSTANCE });
    expect(() => CloudSqlAuthProxy.addTo(dep, { provider, healthCheckPort: 5432 }))
      .toThrow(/CloudSqlAuthProxy: healthCheckPort must differ from the proxy port 5432 \(got 5432\)/);
  });
  test('throws for a privileged health-check port', () => {
    const provider = DatabaseProvider.cloudSqlAuthProxy({ instanceConnectionName: INSTANCE });
    expect(() => CloudSqlAuthProxy.addTo(dep, { provider, healthCheckPort: 80 }))
      .toThrow(/CloudSqlAuthProxy: healthCheckPort must be a whole number from 1024 to 65535 \(got 80\)/);
  });
});
