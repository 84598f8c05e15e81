import { Lazy, Token } from 'aws-cdk-lib';
import * as v from '../../src/core/private/validators';

describe('validators', () => {
  describe('throwIfAny', () => {
    test('does nothing without problems', () => {
      expect(() => v.throwIfAny('Owner', [undefined, undefined])).not.toThrow();
    });
    test('throws one message naming the owner, the first problem and the rest', () => {
      expect(() => v.throwIfAny('Owner', ['a must be 1 (got 2). Fix a.', undefined, 'b must be 3 (got 4). Fix b.']))
        .toThrow(/^Owner: a must be 1 \(got 2\)\. Fix a\. \(and 1 more: b must be 3 \(got 4\)\. Fix b\.\)$/);
    });
  });

  test('isToken recognizes CDK string and number tokens, and nothing else', () => {
    expect(v.isToken(Lazy.string({ produce: () => 'x' }))).toBe(true);
    expect(v.isToken(Lazy.number({ produce: () => 3 }))).toBe(true);
    expect(v.isToken(Token.asNumber({ Ref: 'Port' }))).toBe(true);
    for (const plain of ['x', '${notatoken}', 5, -1e300, NaN, Infinity]) expect(v.isToken(plain)).toBe(false);
  });

  test.each([
    ['intRange', () => v.intRange('replicas', 2.5, 1, 10, 'Use 2.'), /^replicas must be a whole number from 1 to 10 \(got 2\.5\)\. Use 2\.$/],
    ['intRange NaN', () => v.intRange('replicas', NaN, 1, 10, 'Use 2.'), /\(got NaN\)/],
    ['intAtLeast', () => v.intAtLeast('poolSize', -1, 1, 'Use 10.'), /^poolSize must be a whole number of at least 1 \(got -1\)\. Use 10\.$/],
    ['durationSeconds', () => v.durationSeconds('timeout', 0.5, 1, 60, 'Use 30.'), /^timeout must be whole seconds from 1 to 60 \(got 0\.5 s\)\. Use 30\.$/],
    ['dnsLabel', () => v.dnsLabel('name', 'My_App'), /^name must be a DNS-1123 label: .* \(got "My_App"\)\. Try "my-app"\.$/],
    ['dns1035Label', () => v.dns1035Label('serviceName', '1db'), /^serviceName must be a DNS-1035 label: .*starting with a letter.* \(got "1db"\)\. Try "db"\.$/],
    ['dnsSubdomain', () => v.dnsSubdomain('secretName', 'a..b'), /^secretName must be a DNS-1123 subdomain: .* \(got "a\.\.b"\)/],
    ['kubernetesName StatefulSet', () => v.kubernetesName('StatefulSet', 'name', 'a'.repeat(53)), /^name must be at most 52 characters for a StatefulSet/],
    ['kubernetesName CronJob', () => v.kubernetesName('CronJob', 'name', 'a'.repeat(53)), /^name must be at most 52 characters for a CronJob/],
    ['kubernetesName Service', () => v.kubernetesName('Service', 'serviceName', '9svc'), /DNS-1035 label/],
    ['secretKey', () => v.secretKey('passwordKey', 'a b'), /^passwordKey must be a Secret key of 1-253 letters, digits, '-', '_' and '\.' \(got "a b"\)\. Use e\.g\. 'DB_PASSWORD'\.$/],
    ['secretKey long', () => v.secretKey('key', 'k'.repeat(10000)), /\(got "k{40}"… \(10000 characters\)\)/],
    ['labelKey', () => v.labelKey('podLabels', '-bad'), /^podLabels key "-bad" must be \[prefix\/\]name/],
    ['labelValue', () => v.labelValue('podLabels', 'has space'), /^podLabels value "has space" must be at most 63 letters/],
    ['labels empty', () => v.labels('podLabels', {}, true)[0], /^podLabels must not be empty \(got \{\}\)/],
    ['imageRef', () => v.imageRef('image', 'Postgres:15', 'postgres:15-alpine'), /^image must be a container image reference such as "postgres:15-alpine" \(got "Postgres:15"\)/],
    ['imageRef latest', () => v.imageRef('image', 'postgres:latest', 'postgres:15-alpine'), /^image must be pinned to a version \(got "postgres:latest"\)/],
    ['imageRef untagged', () => v.imageRef('image', 'postgres', 'postgres:15-alpine'), /^image must be pinned to a version/],
    ['quantity', () => v.quantity('storageSize', '10Gb', '10Gi'), /^storageSize must be a Kubernetes quantity such as "10Gi" \(got "10Gb"\)\. .*Gi, not Gb/],
    ['quantity min', () => v.quantity('storageSize', '1Ki', '10Gi', 2 ** 20), /^storageSize must be at least 1048576 base units \(got "1Ki"\)/],
    ['cronSchedule fields', () => v.cronSchedule('schedule', '0 3 * *'), /^schedule must be a cron schedule with five fields, .* \(got "0 3 \* \*"\)/],
    ['cronSchedule range', () => v.cronSchedule('schedule', '0 25 * * *'), /the hour field must lie in 0-23\) \(got "0 25 \* \* \*"\)/],
    ['cronSchedule all out of range', () => v.cronSchedule('schedule', '99 99 99 99 99'), /the minute field must lie in 0-59/],
    ['cronSchedule never runs', () => v.cronSchedule('schedule', '0 3 31 2 *'), /^schedule must run at least once \(got "0 3 31 2 \*", which names no day of the calendar\)\. Check the day-of-month/],
    ['s3BucketName', () => v.s3BucketName('bucket', 'my_bucket'), /^bucket must be an S3 bucket name of 3-63 lower-case letters, digits, '\.' and '-'.* \(got "my_bucket"\)\. Give the bucket's name only/],
    ['s3BucketName IP', () => v.s3BucketName('bucket', '192.168.1.1'), /^bucket must be an S3 bucket name/],
    ['s3KeyPrefix', () => v.s3KeyPrefix('prefix', 'prod//db'), /^prefix must be a key prefix of '\/'-separated names .* \(got "prod\/\/db"\)\. Use e\.g\. 'production\/postgres'\.$/],
    ['endpointUrl', () => v.endpointUrl('endpoint', 'ftp://minio', 'https://minio:9000'), /^endpoint must be an http:\/\/ or https:\/\/ URL of the endpoint alone.* \(got "ftp:\/\/minio"\)\. Use e\.g\. "https:\/\/minio:9000"/],
    ['endpointUrl query', () => v.endpointUrl('endpoint', 'https://minio:9000/?x=1', 'https://minio:9000'), /^endpoint must be an http/],
    ['storageRegionName', () => v.storageRegionName('region', 'eu west'), /^region must be a region name of lower-case letters, digits and '-' \(got "eu west"\)\. Use e\.g\. 'eu-west-1'\.$/],
    ['kmsKeyId', () => v.kmsKeyId('key', ''), /^key must be a KMS key id, key ARN or alias .* \(got ""\)/],
    ['iamRoleArn', () => v.iamRoleArn('roleArn', 'arn:aws:iam::123:role/x'), /^roleArn must be an IAM role ARN \(got "arn:aws:iam::123:role\/x"\)\. Use e\.g\./],
    ['promDuration', () => v.promDuration('interval', '30 s'), /^interval must be a Prometheus duration such as '30s', '1m' or '1h30m' \(got "30 s"\)/],
    ['promDuration zero', () => v.promDuration('interval', '0s'), /^interval must be a Prometheus duration/],
    ['promDuration order', () => v.promDuration('interval', '30s1m'), /^interval must be a Prometheus duration/],
    ['envVarName', () => v.envVarName('envNames.DB_HOST', '1X'), /^envNames\.DB_HOST must be an environment variable name .* \(got "1X"\)/],
    ['pgIdentifier empty', () => v.pgIdentifier('databaseName', ''), /^databaseName must not be empty \(got ""\)/],
    ['pgIdentifier long', () => v.pgIdentifier('databaseName', 'd'.repeat(64)), /^databaseName must be at most 63 bytes \(got 64: "d+"\)/],
    ['pgIdentifier chars', () => v.pgIdentifier('databaseName', 'a-b'), /^databaseName must be a PostgreSQL identifier .* \(got "a-b"\)/],
    ['pgDatabaseName reserved', () => v.pgDatabaseName('databaseName', 'template1'), /^databaseName must not be a reserved database \(got "template1"\)/],
    ['pgRoleName pg_', () => v.pgRoleName('username', 'pg_x'), /^username must not start with 'pg_' \(got "pg_x"\)/],
    ['pgRoleName reserved', () => v.pgRoleName('username', 'PUBLIC'), /^username must not be the reserved role name "PUBLIC"/],
    ['pgSchemaName system', () => v.pgSchemaName('schemaName', 'public'), /^schemaName must not be a system schema/],
    ['appName', () => v.appName('appName', 'My_App', 46), /^appName must be 1-46 lower-case letters, digits, '_' or '-', .* \(got "My_App"\)\. .*try "my-app"\.$/],
    ['appName long', () => v.appName('appName', 'a'.repeat(47), 46), /^appName must be 1-46 .*try "a{46}"\.$/],
    ['pgSettings name', () => v.pgSettings('settings', { 'bad key': '1' })[0], /^settings keys must be PostgreSQL parameter names such as 'shared_buffers' \(got "bad key"\)/],
    ['pgSettings value', () => v.pgSettings('settings', { work_mem: '4MB\nssl=off' })[0], /^settings\.work_mem must be a single line \(got "4MB\\nssl=off"\)/],
    ['fileName', () => v.fileName('fileName', '../ca.pem', 'ca.pem'), /^fileName must be a plain file name of letters, digits, '-', '_' and '\.' \(got "\.\.\/ca\.pem"\)\. Use e\.g\. "ca\.pem"\.$/],
    ['fileName dots', () => v.fileName('fileName', '..', 'ca.pem'), /^fileName must be a plain file name/],
    ['host scheme', () => v.host('host', 'https://db'), /^host must be a bare host name without a scheme/],
    ['host port', () => v.host('host', 'db:5432'), /^host must not include a port/],
    ['host spaces', () => v.host('host', 'd b'), /^host must not contain spaces/],
    ['host chars', () => v.host('host', 'db_1.example.com'), /^host must be a DNS name of letters/],
    ['host empty', () => v.host('host', ''), /^host must not be empty \(got ""\)/],
    ['port', () => v.port('port', 70000), /^port must be a whole number from 1 to 65535 \(got 70000\)/],
    ['absolutePath', () => v.absolutePath('caPath', 'ca.pem', '/etc/ca.pem'), /^caPath must be an absolute file path without spaces or '\.\.' \(got "ca\.pem"\)\. Use e\.g\. "\/etc\/ca\.pem"\.$/],
  ])('%s: names the prop, the value and the fix', (_name, check, message) => {
    expect(check()).toMatch(message);
  });

  test.each([
    () => v.intRange('n', 3, 1, 10, ''),
    () => v.dnsLabel('n', 'postgres-0'),
    () => v.dns1035Label('n', 'postgres-service'),
    () => v.dnsSubdomain('n', 'tls.example.com'),
    () => v.kubernetesName('Secret', 'n', 'tls.example.com'),
    () => v.secretKey('n', 'tls.crt'),
    () => v.labelKey('n', 'app.kubernetes.io/name'),
    () => v.labelValue('n', ''),
    () => v.imageRef('n', 'registry.example.com:5000/team/postgres:15.6-alpine', 'x:1'),
    () => v.imageRef('n', `postgres@sha256:${'a'.repeat(64)}`, 'x:1'),
    () => v.quantity('n', '512Mi', '1Gi'),
    () => v.cronSchedule('n', '*/15 0-6,22 * JAN-mar mon-fri'),
    () => v.cronSchedule('n', '@daily'),
    () => v.cronSchedule('n', '0 0 29 2 *'),
    () => v.s3BucketName('n', 'acme-db-backups.eu'),
    () => v.s3KeyPrefix('n', 'production/postgres-1'),
    () => v.endpointUrl('n', 'http://minio.storage.svc.cluster.local:9000', 'x'),
    () => v.endpointUrl('n', 'https://s3.eu-west-1.amazonaws.com/', 'x'),
    () => v.storageRegionName('n', 'auto'),
    () => v.kmsKeyId('n', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
    () => v.iamRoleArn('n', 'arn:aws-us-gov:iam::111122223333:role/team/db-backups'),
    () => v.promDuration('n', '1h30m'),
    () => v.envVarName('n', 'DATABASE_HOST'),
    () => v.pgRoleName('n', 'orders_app'),
    () => v.appName('n', 'example_app', 46),
    () => v.appName('n', 'my-app-2', 46),
    () => v.pgSettings('n', { 'shared_buffers': '128MB', 'pg_stat_statements.max': '1000' })[1],
    () => v.fileName('n', 'example_app_db-20240101T030000Z.dump', 'x'),
    () => v.host('n', '::1'),
    () => v.host('n', 'db.example.com.'),
  ])('accepts a valid value (%#)', (check) => {
    expect(check()).toBeUndefined();
  });

  test('quantityValue parses binary and decimal suffixes', () => {
    expect(v.quantityValue('250m')).toBeCloseTo(0.25);
    expect(v.quantityValue('10Gi')).toBe(10 * 2 ** 30);
    expect(v.quantityValue('1.5k')).toBe(1500);
    expect(v.quantityValue('ten')).toBeUndefined();
  });
});
