import { App, Chart } from 'cdk8s';
import { SharedPostgres } from '../src/k8s';

/** Namespace of the Kubernetes benchmark charts. */
export const BENCH_NAMESPACE = 'production';

/** Name of app `i` (`app_0`, `app_1`, ...). */
export function benchAppName(i: number): string {
  return `app_${i}`;
}

/** A SharedPostgres (defaults) with `n` apps added with `addApp`, in one chart. */
export function libraryK8s(outdir: string, n: number): App {
  const app = new App({ outdir, outputFileExtension: '.k8s.yaml' });
  const chart = new Chart(app, 'database', { namespace: BENCH_NAMESPACE, disableResourceNameHashes: true });
  const db = new SharedPostgres(chart, 'Postgres', { namespace: BENCH_NAMESPACE });
  for (let i = 0; i < n; i++) db.addApp(benchAppName(i));
  return app;
}
