// The consumer's own snapshot test of what cdk-db-platform synthesizes (run twice: written, then matched).
const fs = require('node:fs');
const path = require('node:path');

const read = (dir, suffix) => fs.readdirSync(dir).filter((f) => f.endsWith(suffix)).sort()
  .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf-8')]);

test('CloudFormation templates', () => {
  expect(read(path.join(__dirname, 'cdk.out'), '.template.json')).toMatchSnapshot();
});

test('Kubernetes manifests', () => {
  expect(read(path.join(__dirname, 'dist'), '.k8s.yaml')).toMatchSnapshot();
});
