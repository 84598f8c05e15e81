import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { BENCH_NAMESPACE, benchAppName } from './library-k8s';

/**
 * The floor for the Kubernetes benchmark: hand-written cdk8s-plus-28 (`k8s.Kube*`) code emitting
 * the same objects as one SharedPostgres with `n` apps: the server's StatefulSet, two Services,
 * PodDisruptionBudget, NetworkPolicy, superuser Secret and its bootstrap (ServiceAccount, Role,
 * RoleBinding, Job), the server certificate (two Secrets, a ConfigMap, ServiceAccount, Role,
 * RoleBinding, Job and renewal CronJob), the backup claim and CronJob, and per app a Secret,
 * ServiceAccount, Role, RoleBinding and init Job. Scripts are plain template strings; nothing is validated.
 */

const NS = BENCH_NAMESPACE;
const HOST = `postgres-service.${NS}.svc.cluster.local`;
const labels = { 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/instance': 'postgres', 'app.kubernetes.io/component': 'database' };
const meta = (name: string, l: { [k: string]: string } = labels) => ({ name, namespace: NS, labels: l });
const secure = (uid: number): k8s.SecurityContext => ({
  runAsUser: uid,
  runAsGroup: uid,
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
});
const podSecurity: k8s.PodSecurityContext = {
  runAsUser: 70, runAsGroup: 70, fsGroup: 70, fsGroupChangePolicy: 'OnRootMismatch', runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' },
};
const small = { requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('32Mi') }, limits: { cpu: k8s.Quantity.fromString('200m'), memory: k8s.Quantity.fromString('128Mi') } };

function bootstrapScript(secret: string, key: string, urlPrefix?: string, urlSuffix?: string): string {
  return `set -eu
secret='${secret}'
: "\${POD_NAMESPACE:?POD_NAMESPACE must name the namespace of the Secret}"
state=$(kubectl get secret "$secret" --namespace="$POD_NAMESPACE" -o 'jsonpath={.metadata.resourceVersion}{"|"}{.data.${key}}{"|"}{.data.DATABASE_URL}')
rv=\${state%%|*}
rest=\${state#*|}
current=\${rest%%|*}
current_url=\${rest#*|}
url_prefix='${urlPrefix ?? ''}'
url_suffix='${urlSuffix ?? ''}'
b64() { printf '%s' "$1" | base64 | tr -d '\\n'; }
if [ -n "$current" ]; then
  echo "secret-bootstrap: Secret $secret already has ${key}; leaving it unchanged."
  password=$(printf '%s' "$current" | base64 -d)
  case "$password" in
    *[!A-Za-z0-9._~-]*) echo "secret-bootstrap: ${key} needs percent-encoding; leaving DATABASE_URL as it is."; exit 0 ;;
  esac
  wanted_url=$(b64 "$url_prefix$password$url_suffix")
  if [ "$wanted_url" != "$current_url" ]; then
    patch=$(printf '{"metadata":{"resourceVersion":"%s"},"data":{"DATABASE_URL":"%s"}}' "$rv" "$wanted_url")
    kubectl patch secret "$secret" --namespace="$POD_NAMESPACE" --type=merge -p "$patch" >/dev/null
  fi
  exit 0
fi
password=$(LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32)
if [ "\${#password}" -ne 32 ]; then echo "secret-bootstrap: could not read 32 random characters" >&2; exit 1; fi
patch=$(printf '{"metadata":{"resourceVersion":"%s"},"data":{"${key}":"%s","DATABASE_URL":"%s"}}' "$rv" "$(b64 "$password")" "$(b64 "$url_prefix$password$url_suffix")")
kubectl patch secret "$secret" --namespace="$POD_NAMESPACE" --type=merge -p "$patch" >/dev/null
echo "secret-bootstrap: generated ${key} for Secret $secret."
`;
}

const BACKUP_SCRIPT = `set -eu
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
list="$(mktemp)"
psql -X -A -t -v ON_ERROR_STOP=1 -d postgres -c "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate AND datname <> 'postgres' ORDER BY datname" > "$list"
failed=0
while IFS= read -r db; do
  [ -n "$db" ] || continue
  mkdir -p "$BACKUP_DIR/$db"
  out="$BACKUP_DIR/$db/$db-$stamp.dump"
  if pg_dump -Fc --dbname="$db" --file="$out.partial"; then mv "$out.partial" "$out"; else rm -f "$out.partial"; failed=1; fi
  ls -1 "$BACKUP_DIR/$db" | sort -r | tail -n +"$((BACKUP_KEEP + 1))" | while IFS= read -r old; do rm -f "$BACKUP_DIR/$db/$old"; done
done < "$list"
exit "$failed"
`;

/** ServiceAccount, Role (get/patch one Secret) and RoleBinding named `name`. */
function rbac(chart: Chart, id: string, name: string, secretName: string, l: { [k: string]: string }) {
  new k8s.KubeServiceAccount(chart, `${id}-sa`, { metadata: meta(name, l), automountServiceAccountToken: false });
  new k8s.KubeRole(chart, `${id}-role`, {
    metadata: meta(name, l),
    rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: [secretName], verbs: ['get', 'patch'] }],
  });
  new k8s.KubeRoleBinding(chart, `${id}-binding`, {
    metadata: meta(name, l),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name }],
  });
}

const pgEnv = (secretKey: string): k8s.EnvVar[] => [
  { name: 'PGHOST', value: HOST },
  { name: 'PGPORT', value: '5432' },
  { name: 'PGUSER', value: 'postgres' },
  { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-superuser', key: secretKey } } },
  { name: 'PGSSLMODE', value: 'prefer' },
  { name: 'PGCONNECT_TIMEOUT', value: '10' },
];
const bootstrapEnv: k8s.EnvVar[] = [
  { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
  { name: 'HOME', value: '/tmp' },
];

const CERT_SCRIPT = `set -eu
work=$(mktemp -d); cd "$work"
ca=$(kubectl get secret postgres-tls-ca --namespace="$POD_NAMESPACE" -o 'jsonpath={.data.ca\\.crt}')
if [ -z "$ca" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.crt -days 3650 -subj '/CN=postgres CA'
  kubectl patch secret postgres-tls-ca --namespace="$POD_NAMESPACE" --type=merge -p "{\\"data\\":{\\"ca.crt\\":\\"$(base64 -w0 ca.crt)\\",\\"ca.key\\":\\"$(base64 -w0 ca.key)\\"}}"
fi
`;

/** The self-signed server certificate: Secrets, CA ConfigMap, RBAC, Job and renewal CronJob. */
function certificate(chart: Chart): void {
  const l = { ...labels, 'app.kubernetes.io/component': 'server-certificate' };
  new k8s.KubeSecret(chart, 'tls-secret', { metadata: meta('postgres-tls', l), type: 'Opaque' });
  new k8s.KubeSecret(chart, 'tls-ca-secret', { metadata: meta('postgres-tls-ca', l), type: 'Opaque' });
  new k8s.KubeConfigMap(chart, 'tls-ca', { metadata: meta('postgres-ca', l) });
  new k8s.KubeServiceAccount(chart, 'tls-sa', { metadata: meta('postgres-tls', l), automountServiceAccountToken: false });
  new k8s.KubeRole(chart, 'tls-role', {
    metadata: meta('postgres-tls', l),
    rules: [
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['postgres-tls', 'postgres-tls-ca'], verbs: ['get', 'patch'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['postgres-ca'], verbs: ['get', 'patch'] },
    ],
  });
  new k8s.KubeRoleBinding(chart, 'tls-binding', {
    metadata: meta('postgres-tls', l),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'postgres-tls' },
    subjects: [{ kind: 'ServiceAccount', name: 'postgres-tls' }],
  });
  const template: k8s.PodTemplateSpec = {
    metadata: { labels: l },
    spec: {
      serviceAccountName: 'postgres-tls',
      automountServiceAccountToken: true,
      restartPolicy: 'OnFailure',
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'server-certificate',
        image: 'bitnamilegacy/kubectl:1.28.15',
        command: ['/bin/sh', '-c', CERT_SCRIPT],
        env: bootstrapEnv,
        resources: small,
        securityContext: secure(1001),
        volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
      }],
      volumes: [{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('16Mi') } }],
    },
  };
  new k8s.KubeJob(chart, 'tls-job', { metadata: meta('postgres-tls', l), spec: { backoffLimit: 6, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 86400, template } });
  new k8s.KubeCronJob(chart, 'tls-renew', {
    metadata: meta('postgres-tls-renew', l),
    spec: { schedule: '17 4 * * 1', concurrencyPolicy: 'Forbid', jobTemplate: { spec: { backoffLimit: 6, activeDeadlineSeconds: 600, template } } },
  });
}

function server(chart: Chart): void {
  new k8s.KubeSecret(chart, 'superuser', { metadata: meta('postgres-superuser'), type: 'Opaque', stringData: { POSTGRES_USER: 'postgres' } });
  const bl = { 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/instance': 'postgres', 'app.kubernetes.io/component': 'secret-bootstrap' };
  rbac(chart, 'superuser-bootstrap', 'postgres-superuser', 'postgres-superuser', bl);
  new k8s.KubeJob(chart, 'superuser-bootstrap-job', {
    metadata: meta('postgres-superuser-bootstrap', bl),
    spec: {
      backoffLimit: 4,
      activeDeadlineSeconds: 600,
      ttlSecondsAfterFinished: 86400,
      template: {
        metadata: { labels: bl },
        spec: {
          serviceAccountName: 'postgres-superuser',
          automountServiceAccountToken: true,
          restartPolicy: 'OnFailure',
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'bootstrap',
            image: 'bitnami/kubectl:1.28.15',
            command: ['/bin/sh', '-c', bootstrapScript('postgres-superuser', 'POSTGRES_PASSWORD')],
            env: bootstrapEnv,
            resources: small,
            securityContext: secure(1001),
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
          }],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  });
  const ports = [{ name: 'postgres', port: 5432, targetPort: k8s.IntOrString.fromString('postgres') }];
  new k8s.KubeService(chart, 'headless', { metadata: meta('postgres-headless'), spec: { clusterIp: 'None', selector: labels, ports } });
  new k8s.KubeService(chart, 'service', { metadata: meta('postgres-service'), spec: { type: 'ClusterIP', selector: labels, ports } });
  const isReady = { command: ['/bin/sh', '-c', 'exec pg_isready -q -h 127.0.0.1 -p 5432 -U "$POSTGRES_USER" -d postgres'] };
  new k8s.KubeStatefulSet(chart, 'statefulset', {
    metadata: meta('postgres'),
    spec: {
      serviceName: 'postgres-headless',
      replicas: 1,
      selector: { matchLabels: labels },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: { labels: { app: 'postgres', ...labels } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 60,
          securityContext: podSecurity,
          containers: [{
            name: 'postgres',
            image: 'postgres:15-alpine',
            args: ['-c', 'max_connections=100'],
            ports: [{ name: 'postgres', containerPort: 5432 }],
            env: [
              { name: 'POSTGRES_USER', valueFrom: { secretKeyRef: { name: 'postgres-superuser', key: 'POSTGRES_USER' } } },
              { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-superuser', key: 'POSTGRES_PASSWORD' } } },
              { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
            ],
            resources: {
              requests: { cpu: k8s.Quantity.fromString('250m'), memory: k8s.Quantity.fromString('256Mi') },
              limits: { cpu: k8s.Quantity.fromString('500m'), memory: k8s.Quantity.fromString('512Mi') },
            },
            securityContext: secure(70),
            volumeMounts: [
              { name: 'data', mountPath: '/var/lib/postgresql/data' },
              { name: 'run', mountPath: '/var/run/postgresql' },
              { name: 'tmp', mountPath: '/tmp' },
            ],
            startupProbe: { exec: isReady, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 120 },
            readinessProbe: { exec: isReady, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
            livenessProbe: { exec: isReady, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
          }],
          volumes: [{ name: 'run', emptyDir: {} }, { name: 'tmp', emptyDir: {} }],
        },
      },
      volumeClaimTemplates: [{
        metadata: { name: 'data', labels },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: k8s.Quantity.fromString('10Gi') } } },
      }],
    },
  });
  new k8s.KubePodDisruptionBudget(chart, 'pdb', { metadata: meta('postgres'), spec: { minAvailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: labels } } });
  const backupLabels = { 'app.kubernetes.io/name': 'postgres-backup', 'app.kubernetes.io/instance': 'postgres', 'app.kubernetes.io/component': 'backup' };
  new k8s.KubePersistentVolumeClaim(chart, 'backup-claim', {
    metadata: meta('postgres-backups', backupLabels),
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: k8s.Quantity.fromString('10Gi') } } },
  });
  new k8s.KubeCronJob(chart, 'backup', {
    metadata: meta('postgres-backup', backupLabels),
    spec: {
      schedule: '0 3 * * *',
      concurrencyPolicy: 'Forbid',
      failedJobsHistoryLimit: 3,
      successfulJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          activeDeadlineSeconds: 21600,
          backoffLimit: 2,
          template: {
            metadata: { labels: { ...backupLabels, 'postgres.postgres.cdk-db-platform.io/client': 'true' } },
            spec: {
              automountServiceAccountToken: false,
              restartPolicy: 'Never',
              securityContext: podSecurity,
              containers: [{
                name: 'backup',
                image: 'postgres:15-alpine',
                command: ['/bin/sh', '-c', BACKUP_SCRIPT],
                env: [...pgEnv('POSTGRES_PASSWORD'), { name: 'BACKUP_DIR', value: '/backups' }, { name: 'BACKUP_KEEP', value: '7' }],
                securityContext: secure(70),
                volumeMounts: [{ name: 'backups', mountPath: '/backups' }, { name: 'tmp', mountPath: '/tmp' }],
              }],
              volumes: [{ name: 'backups', persistentVolumeClaim: { claimName: 'postgres-backups' } }, { name: 'tmp', emptyDir: {} }],
            },
          },
        },
      },
    },
  });
}

function addApp(chart: Chart, appName: string, ingress: k8s.NetworkPolicyIngressRule[]): void {
  const r = appName.replace(/_/g, '-');
  const db = `${appName}_db`;
  const user = `${appName}_user`;
  const secretName = `${r}-db-secret`;
  new k8s.KubeSecret(chart, `${r}-secret`, {
    metadata: meta(secretName, { 'app.kubernetes.io/name': r, 'app.kubernetes.io/component': 'database-credentials' }),
    immutable: false,
    stringData: { DB_HOST: HOST, DB_PORT: '5432', DB_NAME: db, DB_USER: user, DB_SSL_MODE: 'prefer' },
  });
  const l = { 'app.kubernetes.io/name': r, 'app.kubernetes.io/component': 'db-init' };
  rbac(chart, `${r}-init`, `${r}-db-init`, secretName, l);
  const podLabels = { ...l, 'postgres.postgres.cdk-db-platform.io/client': 'true' };
  new k8s.KubeJob(chart, `${r}-job`, {
    metadata: meta(`${r}-db-init`, podLabels),
    spec: {
      backoffLimit: 4,
      activeDeadlineSeconds: 600,
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels: podLabels },
        spec: {
          serviceAccountName: `${r}-db-init`,
          automountServiceAccountToken: false,
          restartPolicy: 'OnFailure',
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'secret-bootstrap',
            image: 'bitnami/kubectl:1.28.15',
            command: ['/bin/sh', '-c', bootstrapScript(secretName, 'DB_PASSWORD', `postgresql://${user}:`, `@${HOST}:5432/${db}?sslmode=prefer&connect_timeout=10`)],
            env: bootstrapEnv,
            resources: small,
            securityContext: secure(1001),
            volumeMounts: [
              { name: 'tmp', mountPath: '/tmp' },
              { name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
            ],
          }],
          volumes: [
            { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
            {
              name: 'kube-api-access',
              projected: {
                defaultMode: 0o444,
                sources: [
                  { serviceAccountToken: { expirationSeconds: 3600, path: 'token' } },
                  { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
                  { downwardApi: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
                ],
              },
            },
          ],
        },
      },
    },
  });
  ingress.push({
    from: [{ podSelector: { matchLabels: { app: r } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NS } } }],
    ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(5432) }],
  });
}

/** One Job provisioning every app in one psql session, each app's password from its Secret. */
function serverInit(chart: Chart, appNames: string[]): void {
  const rows = appNames.map((a, i) => `\\set p '' \\set l '' \\getenv p APP_${i}_DB_PASSWORD \\getenv l APP_${i}_DB_USER\n`
    + `INSERT INTO apps VALUES ('${a}', '${a.replace(/_/g, '-')}-db-secret', '${a}_db', '${a}_user', '${a}', false, NULL, :'p', :'l');`);
  const script = `set -eu
until pg_isready -q -t 5 -d 'postgres'; do sleep 2; done
psql -X -q -v ON_ERROR_STOP=1 -d 'postgres' <<'__DB_INIT_SQL__'
CREATE TEMP TABLE apps (app text, secret text, db name, usr name, schema name, alternates boolean, conn_limit int, password text, login name);
${rows.join('\n')}
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', usr, password) FROM apps WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = usr)
\\gexec
SELECT format('CREATE DATABASE %I OWNER %I', db, usr) FROM apps WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = db)
\\gexec
SELECT format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC', db) FROM apps
\\gexec
SELECT format('ALTER ROLE %I IN DATABASE %I SET search_path TO %I, public', usr, db, schema) FROM apps
\\gexec
__DB_INIT_SQL__
`;
  const podLabels = { 'postgres.postgres.cdk-db-platform.io/client': 'true' };
  new k8s.KubeJob(chart, 'apps-init', {
    metadata: meta('postgres-apps-init', { 'app.kubernetes.io/component': 'apps-init' }),
    spec: {
      backoffLimit: 10,
      activeDeadlineSeconds: 1800,
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels: podLabels },
        spec: {
          automountServiceAccountToken: false,
          restartPolicy: 'OnFailure',
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'db-init',
            image: 'postgres:15-alpine',
            command: ['/bin/sh', '-c', script],
            env: [
              ...pgEnv('POSTGRES_PASSWORD'),
              ...appNames.flatMap((a, i) => ['PASSWORD', 'USER'].map((k) => ({
                name: `APP_${i}_DB_${k}`, valueFrom: { secretKeyRef: { name: `${a.replace(/_/g, '-')}-db-secret`, key: `DB_${k}`, optional: true } },
              }))),
            ],
            resources: small,
            securityContext: secure(70),
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
          }],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } }],
        },
      },
    },
  });
}

/** The same objects as `libraryK8s(outdir, n)`, written with plain cdk8s-plus-28. */
export function baselineK8s(outdir: string, n: number): App {
  const app = new App({ outdir, outputFileExtension: '.k8s.yaml' });
  const chart = new Chart(app, 'database', { namespace: NS, disableResourceNameHashes: true });
  server(chart);
  certificate(chart);
  const ingress: k8s.NetworkPolicyIngressRule[] = [{
    from: [{
      podSelector: { matchLabels: { 'postgres.postgres.cdk-db-platform.io/client': 'true' } },
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NS } },
    }],
    ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(5432) }],
  }];
  const appNames = Array.from({ length: n }, (_, i) => benchAppName(i));
  for (const a of appNames) addApp(chart, a, ingress);
  if (n > 0) serverInit(chart, appNames);
  new k8s.KubeNetworkPolicy(chart, 'network-policy', {
    metadata: meta('postgres'),
    spec: { podSelector: { matchLabels: labels }, policyTypes: ['Ingress'], ingress },
  });
  return app;
}
