// Validates ExternalSecret manifests against the External Secrets Operator v1 schema of
// @kubernetes-models/external-secrets (an ES module, so it runs in a process of its own).
// Input on stdin: a JSON array of documents. Output on stdout: a JSON array of one list of
// problems per document.
import { ExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';

let input = '';
process.stdin.setEncoding('utf-8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const docs = JSON.parse(input);
  const results = docs.map((doc) => {
    try {
      new ExternalSecret(doc).validate();
      return [];
    } catch (e) {
      return [`external-secrets.io/v1 schema: ${e.message}`];
    }
  });
  process.stdout.write(JSON.stringify(results));
});
