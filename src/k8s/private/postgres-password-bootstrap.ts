import { createHash } from 'node:crypto';
import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { postgresPodSecurityContext } from './postgres-pod-defaults';
import { SecretBootstrap } from './secret-bootstrap';

/** Options of {@link bootstrapPasswordSecret}. */
export interface PasswordBootstrapOptions {
  readonly namespace: string;
  /** Name of the ServiceAccount, Role and RoleBinding; the Job is `<name>-<hash>`. */
  readonly name: string;
  /** The Secret (already in the manifest) receiving the password. */
  readonly secretName: string;
  /** Key receiving the generated password. */
  readonly passwordKey: string;
  /** Labels of every object. */
  readonly labels: { [key: string]: string };
}

/**
 * A {@link SecretBootstrap} (ServiceAccount whose Role may only `get` and `patch` the one Secret)
 * and a Job running its container, which generates a password inside the cluster and patches it
 * into the Secret when the key is missing (never replacing an existing password). The Job's name
 * carries a hash of its pod template, since a Job's template is immutable.
 */
export function bootstrapPasswordSecret(scope: Construct, id: string, o: PasswordBootstrapOptions): ApiObject {
  const labels = { ...o.labels, 'app.kubernetes.io/component': 'secret-bootstrap' };
  const bootstrap = new SecretBootstrap(scope, id, {
    name: o.name,
    secretName: o.secretName,
    passwordKey: o.passwordKey,
    labels,
  });
  // Plain JSON: the bootstrap container comes as plain Kubernetes JSON.
  pinNamespace(bootstrap, o.namespace);
  const template = {
    metadata: { labels },
    spec: {
      serviceAccountName: bootstrap.serviceAccountName,
      automountServiceAccountToken: true,
      restartPolicy: 'OnFailure',
      securityContext: postgresPodSecurityContext(),
      containers: [bootstrap.container('bootstrap', 'tmp')],
      volumes: [{ name: 'tmp', emptyDir: {} }],
    },
  };
  const hash = createHash('sha256').update(JSON.stringify(template)).digest('hex').slice(0, 8);
  return new ApiObject(bootstrap, 'Job', {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${o.name}-${hash}`, namespace: o.namespace, labels },
    spec: { backoffLimit: 4, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 86400, template },
  });
}

/**
 * Gives every ApiObject under `scope` that has no namespace of its own (neither in its metadata
 * nor from its chart) the namespace `namespace`.
 */
export function pinNamespace(scope: Construct, namespace: string): void {
  for (const c of scope.node.findAll()) {
    if (c instanceof ApiObject && c.metadata.namespace === undefined) {
      c.addJsonPatch(JsonPatch.add('/metadata/namespace', namespace));
    }
  }
}
