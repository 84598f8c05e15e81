import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { examples, synthesizeExample } from '../../examples/catalog';

/**
 * The typed link of the EKS example: the ExternalSecret reads exactly the secret the CDK stack
 * names. (Schema, ExternalSecret and secret-scan checks of every example are in
 * test/examples.test.ts.)
 */
test('the EKS example links the ExternalSecret to the app user secret name in the template, never the master secret', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-eks-link-'));
  try {
    const out = synthesizeExample(examples().find((e) => e.name === 'eks-app-on-independent-rds')!, outdir);
    const template = JSON.parse(fs.readFileSync(out.templates.find((t) => path.basename(t).startsWith('Database'))!, 'utf-8'));
    const names = Object.values(template.Resources).filter((r: any) => r.Type === 'AWS::SecretsManager::Secret').map((r: any) => r.Properties.Name);
    const manifest = out.manifests.map((m) => fs.readFileSync(m, 'utf-8')).join('\n');
    // The master secret and the app user's secret; the app reads only its own.
    expect(names.sort()).toEqual(['prod/shop/db-app', 'prod/shop/db-master']);
    expect(manifest).toContain('key: prod/shop/db-app');
    expect(manifest).not.toContain('prod/shop/db-master');
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});
