import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Validations, aws_logs as logs, aws_rds as rds } from 'aws-cdk-lib';
import {
  acknowledgedFindingsInAssembly,
  applyCfnGuard,
  applyNag,
  cfnGuardFindings,
  cfnGuardFindingsInAssembly,
  cfnLint,
  expectCfnGuardClean,
  cfnLintAll,
  expectCfnLintClean,
  expectCfnLintCleanFiles,
  expectK8sValid,
  expectNagClean,
  expectNoSecrets,
  nagFindings,
  nagFindingsInAssembly,
  scanForSecrets,
  synthTemplate,
  synthValidated,
  GUARD_PLUGIN,
  templateSanityProblems,
  toolOrSkip,
  validateK8s,
  validateK8sNames,
  which,
} from '.';
import { goodChart, goodStack, jobManifest, unencryptedDbStack } from './fixtures';

describe('cfn-lint helper', () => {
  test('accepts a clean template', () => {
    if (!toolOrSkip('cfn-lint')) return;
    expectCfnLintClean(synthTemplate(goodStack()));
  });

  test('reports a misspelled CloudFormation property', () => {
    if (!toolOrSkip('cfn-lint')) return;
    const template = {
      Resources: { Param: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Valeu: 'x' } } },
    };
    const findings = cfnLint(template);
    expect(findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['E3002']));
    expect(() => expectCfnLintClean(template)).toThrow(/Valeu/);
  });

  test('reads a template from a file path', () => {
    if (!toolOrSkip('cfn-lint')) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfnlint-file-'));
    const file = path.join(dir, 'Bad.template.json');
    fs.writeFileSync(file, JSON.stringify({ Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { DelaySecond: 1 } } } }));
    expect(() => expectCfnLintClean(file)).toThrow(/E3002/);
    fs.rmSync(dir, { recursive: true });
  });

  test('lints many template files in one run and names the file with findings', () => {
    if (!toolOrSkip('cfn-lint')) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfnlint-files-'));
    const good = path.join(dir, 'Good.template.json');
    const bad = path.join(dir, 'Bad.template.json');
    fs.writeFileSync(good, JSON.stringify(synthTemplate(goodStack())));
    fs.writeFileSync(bad, JSON.stringify({ Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { DelaySecond: 1 } } } }));
    expect(() => expectCfnLintCleanFiles([good])).not.toThrow();
    expect(() => expectCfnLintCleanFiles([good, bad])).toThrow(/finding\(s\) for .*Bad\.template\.json:\n.*E3002/);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('cdk-nag helper (cdk-nag 3, a policy validation plugin)', () => {
  test('accepts a stack without findings', () => {
    expectNagClean(goodStack());
  });

  test('reports an unencrypted DB instance', () => {
    const findings = nagFindings(unencryptedDbStack());
    expect(findings.join('\n')).toMatch(/AwsSolutions-RDS2 at HarnessUnencrypted\/Db:/);
    expect(() => expectNagClean(unencryptedDbStack())).toThrow(/AwsSolutions-RDS2/);
  });

  test('reads findings from an assembly synthesized once', () => {
    const bad = unencryptedDbStack();
    applyNag(bad);
    expect(nagFindingsInAssembly(synthValidated(bad)).join('\n')).toMatch(/AwsSolutions-RDS2/);
    const good = goodStack();
    applyNag(good);
    expect(nagFindingsInAssembly(synthValidated(good))).toEqual([]);
  });

  test('honours an acknowledgment on the resource, and only there', () => {
    const stack = unencryptedDbStack();
    const other = new rds.CfnDBInstance(stack, 'Other', {
      engine: 'postgres', engineVersion: '16.4', dbInstanceClass: 'db.t4g.micro', allocatedStorage: '20', storageEncrypted: false, masterUsername: 'fixture', manageMasterUserPassword: true,
    });
    Validations.of(other).acknowledge({ id: 'AwsSolutions-RDS2', reason: 'fixture: proves the acknowledgment is scoped to this resource' });
    const findings = nagFindings(stack).filter((f) => f.startsWith('AwsSolutions-RDS2 '));
    expect(findings).toEqual([expect.stringMatching(/ at HarnessUnencrypted\/Db:/)]);
  });
});

describe("cfn-guard helper (AWS Control Tower's proactive controls)", () => {
  test('accepts a stack without findings', () => {
    expectCfnGuardClean(goodStack());
  });

  test('reports an unencrypted DB instance and a log group without a key', () => {
    const stack = unencryptedDbStack();
    new logs.CfnLogGroup(stack, 'Logs', { retentionInDays: 7 });
    const findings = cfnGuardFindings(stack).join('\n');
    expect(findings).toMatch(/CT\.RDS\.PR\.24 \w+ at HarnessUnencrypted\/Db:/);
    expect(findings).toMatch(/CT\.CLOUDWATCH\.PR\.2 \w+ at HarnessUnencrypted\/Logs:/);
    expect(findings).toMatch(/CT\.CLOUDWATCH\.PR\.3 \w+ at HarnessUnencrypted\/Logs:/);
    expect(() => expectCfnGuardClean(stack)).toThrow(/cfn-guard \(Control Tower rules\) reported \d+ finding/);
  });

  test('reads findings from an assembly synthesized once, next to cdk-nag', () => {
    const bad = unencryptedDbStack();
    applyNag(bad);
    applyCfnGuard(bad);
    const assembly = synthValidated(bad);
    expect(cfnGuardFindingsInAssembly(assembly).join('\n')).toMatch(/CT\.RDS\.PR\.24/);
    expect(nagFindingsInAssembly(assembly).join('\n')).toMatch(/AwsSolutions-RDS2/);
  });

  test('honours an acknowledgment on the resource, and only there', () => {
    const stack = unencryptedDbStack();
    const acknowledged = new logs.CfnLogGroup(stack, 'Acknowledged', { retentionInDays: 400 });
    new logs.CfnLogGroup(stack, 'Plain', { retentionInDays: 400 });
    Validations.of(acknowledged).acknowledge({ id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check', reason: 'fixture: proves the acknowledgment is scoped to this resource' });
    const findings = cfnGuardFindings(stack).filter((f) => f.startsWith('CT.CLOUDWATCH.PR.3 '));
    expect(findings).toEqual([expect.stringMatching(/ at HarnessUnencrypted\/Plain:/)]);
    const assembly = synthValidated(stack);
    expect(acknowledgedFindingsInAssembly(assembly, GUARD_PLUGIN)).toEqual([expect.objectContaining({
      constructPath: 'HarnessUnencrypted/Acknowledged', acknowledgedAt: 'HarnessUnencrypted/Acknowledged', reason: expect.stringMatching(/^fixture/),
    })]);
  });
});

describe('Kubernetes schema helper', () => {
  test('accepts a valid chart', () => {
    expectK8sValid(goodChart());
    expect(validateK8s([jobManifest()])).toEqual([]);
  });

  test('reports a Job with a string backoffLimit', () => {
    const problems = validateK8s([jobManifest((j) => { j.spec.backoffLimit = 'four'; })]);
    expect(problems.join('\n')).toMatch(/backoffLimit/);
  });

  test('reports a Job with an unknown field', () => {
    const problems = validateK8s([jobManifest((j) => { j.spec.replica = 2; })]);
    expect(problems).toEqual([expect.stringMatching(/spec\.replica: unknown field/)]);
  });

  test('reports an unknown field deep inside a pod template', () => {
    const problems = validateK8s([jobManifest((j) => { j.spec.template.spec.containers[0].imagePullPolicyy = 'Always'; })]);
    expect(problems).toEqual([expect.stringMatching(/containers\[0\]\.imagePullPolicyy: unknown field/)]);
  });

  test('reports a Job whose restartPolicy is Always or unset', () => {
    expect(validateK8s([jobManifest((j) => { j.spec.template.spec.restartPolicy = 'Always'; })]).join('\n')).toMatch(/Never or OnFailure \(got Always\)/);
    expect(validateK8s([jobManifest((j) => { delete j.spec.template.spec.restartPolicy; })]).join('\n')).toMatch(/Never or OnFailure/);
  });

  test('reports a bad quantity and a missing required field', () => {
    const problems = validateK8s([
      jobManifest((j) => { j.spec.template.spec.containers[0].resources = { limits: { memory: '10 Gb' } }; }),
      jobManifest((j) => { delete j.spec.template.spec.containers; }),
    ]);
    expect(problems.join('\n')).toMatch(/memory/);
    expect(problems.join('\n')).toMatch(/containers/);
  });

  test('reports a kind that Kubernetes 1.28 does not serve', () => {
    expect(validateK8s([{ apiVersion: 'batch/v1beta1', kind: 'CronJob', metadata: { name: 'x' } }])).toEqual([
      expect.stringMatching(/not served by Kubernetes 1\.28/),
    ]);
  });

  test('parses YAML text with several documents', () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndatta: {}\n';
    expect(validateK8s(yaml)).toEqual([expect.stringMatching(/ConfigMap b\.datta: unknown field/)]);
  });
});

describe('Kubernetes name rules', () => {
  const obj = (kind: string, name: string, extra: any = {}) => ({ apiVersion: kind === 'Service' || kind === 'Secret' ? 'v1' : 'apps/v1', kind, metadata: { name, ...extra } });
  test('accepts names, namespaces and labels Kubernetes accepts', () => {
    expect(validateK8sNames([obj('Service', 'db'), obj('Secret', 'tls.example.com', { namespace: 'prod', labels: { 'app.kubernetes.io/name': 'db', 'tier': '' } })])).toEqual([]);
  });
  test('reports a Service name starting with a digit and a StatefulSet name over 52 characters', () => {
    expect(validateK8sNames([obj('Service', '1db'), obj('StatefulSet', 'a'.repeat(53))])).toEqual([
      'Service 1db: metadata.name must be a DNS-1035 label',
      `StatefulSet ${'a'.repeat(53)}: metadata.name must be a DNS-1123 label of at most 52 characters`,
    ]);
  });
  test('reports bad label keys and values, and an upper-case namespace', () => {
    const problems = validateK8sNames([obj('Secret', 's', { namespace: 'Prod', labels: { 'bad key': 'v', 'ok': 'bad value!' } })]).join('\n');
    expect(problems).toMatch(/metadata.namespace must be a DNS-1123 label \(got "Prod"\)/);
    expect(problems).toMatch(/invalid label key "bad key"/);
    expect(problems).toMatch(/invalid label value "bad value!" of ok/);
  });
  test('reports two objects of one kind and name in one namespace, and not across namespaces or kinds', () => {
    expect(validateK8sNames([obj('Secret', 's', { namespace: 'a' }), obj('Secret', 's', { namespace: 'b' }), obj('Service', 's', { namespace: 'a' })])).toEqual([]);
    expect(validateK8sNames([obj('Secret', 's', { namespace: 'a' }), obj('Secret', 's', { namespace: 'a' })]))
      .toEqual(['Secret s: the name is used twice in namespace "a" (documents #0 and #1); the second would overwrite the first']);
  });
  test('is part of the Kubernetes schema check', () => {
    expect(validateK8s([{ apiVersion: 'v1', kind: 'Service', metadata: { name: '1db' }, spec: {} }])).toContain('Service 1db: metadata.name must be a DNS-1035 label');
  });
});

describe('template sanity and cfn-lint over many templates', () => {
  test('reports null, a non-finite number, unresolved token text, a number token and a db.db. class', () => {
    const problems = templateSanityProblems({
      Resources: {
        Db: {
          Properties: {
            Threshold: null, Target: Infinity, Name: '${Token[TOKEN.12]}', Count: -1.8881545897087626e+289, DBInstanceClass: 'db.db.m6g.large',
          },
        },
      },
    });
    expect(problems).toHaveLength(5);
    expect(templateSanityProblems(synthTemplate(goodStack()))).toEqual([]);
  });
  test('cfnLintAll returns the findings of each template in order', () => {
    if (!toolOrSkip('cfn-lint')) return;
    const bad = { Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicNme: 'x' } } } };
    const [first, second] = cfnLintAll([synthTemplate(goodStack()), bad]);
    expect(first).toEqual([]);
    expect(second.map((f) => f.rule)).toContain('E3002');
  });
});

describe('secret scan', () => {
  test('accepts a template that references its secret', () => {
    expectNoSecrets([{ label: 'Good.template.json', text: JSON.stringify(synthTemplate(goodStack())) }]);
    expectNoSecrets([
      {
        label: 'ref.template.json',
        text: JSON.stringify({ Resources: { Db: { Properties: { MasterUserPassword: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: 'S' }, ':SecretString:password::}}']] } } } } }),
      },
      { label: 'env.k8s.yaml', text: 'env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef: {name: s, key: DB_PASSWORD}\n  - name: URL\n    value: postgresql://app:$(DB_PASSWORD)@db:5432/app\n' },
    ]);
  });

  test('reports a template carrying a literal password', () => {
    const text = JSON.stringify({ Resources: { Db: { Type: 'AWS::RDS::DBInstance', Properties: { MasterUserPassword: 'hunter2hunter2' } } } });
    expect(scanForSecrets([{ label: 'Bad.template.json', text }])).toEqual([expect.stringMatching(/MasterUserPassword: literal credential value/)]);
    expect(() => expectNoSecrets([{ label: 'Bad.template.json', text }])).toThrow(/secret scan found 1 problem/);
  });

  test('reports a known test password, a private key, a literal env password and URL credentials', () => {
    const findings = scanForSecrets([
      { label: 'a.txt', text: 'password is SecurePassword123!' },
      // Assembled at run time so the repository itself holds no key-shaped text.
      { label: 'b.txt', text: `-----BEGIN RSA ${'PRIVATE'} KEY-----\nabc\n-----END RSA ${'PRIVATE'} KEY-----` },
      { label: 'c.k8s.yaml', text: 'env:\n  - name: POSTGRES_PASSWORD\n    value: s3cr3t-value\n' },
      { label: 'd.k8s.yaml', text: 'data:\n  url: postgresql://app:pl41n@db:5432/app\n' },
      { label: 'e.k8s.yaml', text: 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  DB_PASSWORD: c2VjcmV0\n' },
      { label: 'f.template.json', text: `{"AccessKeyId": "${'AK' + 'IA'}ABCDEFGHIJKLMNOP"}` },
    ]);
    expect(findings).toEqual(expect.arrayContaining([
      expect.stringMatching(/^a\.txt: contains a known test password/),
      expect.stringMatching(/^b\.txt: contains a private key/),
      expect.stringMatching(/^c\.k8s\.yaml.*env POSTGRES_PASSWORD has a literal value/),
      expect.stringMatching(/^d\.k8s\.yaml: URL with an inline password/),
      expect.stringMatching(/^e\.k8s\.yaml.*Secret carries a credential/),
      expect.stringMatching(/^f\.template\.json: contains an AWS access key id/),
    ]));
  });

  test('scans every file of a directory, including extra secrets', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scan-'));
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'sub', 'x.k8s.yaml'), 'kind: ConfigMap\ndata:\n  note: token-Zq81\n');
    expect(scanForSecrets(dir)).toEqual([]);
    expect(scanForSecrets(dir, ['token-Zq81'])).toEqual([expect.stringMatching(/sub\/x\.k8s\.yaml: contains a known test password/)]);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('tool detection', () => {
  test.each(['cfn-lint', 'moto_server', 'psql', 'openssl'])('finds %s on this machine', (tool) => {
    // Under CI=true a missing tool throws here; elsewhere the check reports the skip.
    expect(toolOrSkip(tool as any)).toBe(true);
  });

  test('does not find a tool that does not exist', () => {
    expect(which('no-such-tool-cdkdb')).toBeUndefined();
  });
});
