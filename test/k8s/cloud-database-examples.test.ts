import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { examples, synthesizeExample } from '../../examples/catalog';
import { expectK8sValid, expectNoSecrets } from '../harness';
import { EXTERNAL_SECRET_SCHEMA } from './external-secret-schema';

/**
 * The cloud-database examples' manifests, checked with the Kubernetes 1.28 schema plus the
 * ExternalSecret validator (the generic example test knows only built-in kinds).
 */
const NAMES = ['eks-app-on-independent-rds', 'k8s-app-on-neon', 'k8s-app-on-cloudsql'];

describe.each(NAMES)('example %s', (name) => {
  const example = examples().find((e) => e.name === name)!;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `example-${name}-`));
  const out = synthesizeExample(example, outdir);
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('every manifest passes the schema check, ExternalSecrets included', () => {
    expect(out.manifests.length).toBeGreaterThan(0);
    for (const m of out.manifests) expectK8sValid(fs.readFileSync(m, 'utf-8'), { customResources: EXTERNAL_SECRET_SCHEMA });
  });

  test('no file holds a secret', () => {
    expectNoSecrets(outdir);
  });
});

test('the EKS example links the ExternalSecret to the RDS secret name in the template', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-eks-link-'));
  try {
    const out = synthesizeExample(examples().find((e) => e.name === 'eks-app-on-independent-rds')!, outdir);
    const template = JSON.parse(fs.readFileSync(out.templates.find((t) => path.basename(t).startsWith('Database'))!, 'utf-8'));
    const names = Object.values(template.Resources).filter((r: any) => r.Type === 'AWS::SecretsManager::Secret').map((r: any) => r.Properties.Name);
    const manifest = out.manifests.map((m) => fs.readFileSync(m, 'utf-8')).join('\n');
    expect(names).toEqual(['prod/shop/db-master']);
    expect(manifest).toContain('key: prod/shop/db-master');
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});
