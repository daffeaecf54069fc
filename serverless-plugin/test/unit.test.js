'use strict';

// Unit tests of the plugin's pieces that need no framework (`node --test test/`); the
// framework itself runs the plugin in tests/serverless_plugin.rs.

const test = require('node:test');
const assert = require('node:assert/strict');
const { readSettings } = require('../lib/settings');
const { parseVersion, isOlder, findBinary, MissingBinary } = require('../lib/binary');
const { keepOnce, commandLine, toJson } = require('../lib/lint');
const { line } = require('../lib/output');
const { MappingWatch } = require('../lib/mappings');

test('settings default to failOn error, and strings from variables are read', () => {
  assert.deepEqual(readSettings(undefined), {
    enabled: true,
    failOn: 'error',
    config: null,
    args: [],
  });
  assert.deepEqual(
    readSettings({
      triggerlint: { enabled: 'false', failOn: 'never', args: '--select TL1  --no-ignore' },
    }),
    { enabled: false, failOn: 'never', config: null, args: ['--select', 'TL1', '--no-ignore'] },
  );
});

test('wrong settings name the key', () => {
  assert.throws(
    () => readSettings({ triggerlint: { failOn: 'warn' } }),
    /^Error: custom.triggerlint.failOn must be one of error, warning, never, not "warn"$/,
  );
  assert.throws(
    () => readSettings({ triggerlint: { failon: 'error' } }),
    /custom.triggerlint has no setting "failon" \(the settings are enabled, failOn, config, args\)/,
  );
  assert.throws(() => readSettings({ triggerlint: { args: [1] } }), /args must be a list/);
  assert.throws(() => readSettings({ triggerlint: true }), /must be an object/);
});

test('versions compare by number', () => {
  assert.deepEqual(parseVersion('triggerlint 0.10.2\n'), [0, 10, 2]);
  assert.equal(isOlder([0, 9, 9], [0, 10, 0]), true);
  assert.equal(isOlder([0, 10, 0], [0, 10, 0]), false);
  assert.equal(isOlder([1, 0, 0], [0, 10, 0]), false);
  assert.equal(parseVersion('no version'), null);
});

test('a TRIGGERLINT_PATH that is not a file, or nothing found, says how to install', () => {
  assert.throws(
    () => findBinary({ TRIGGERLINT_PATH: '/nowhere/triggerlint', PATH: '' }, []),
    (error) =>
      error instanceof MissingBinary &&
      /TRIGGERLINT_PATH is \/nowhere\/triggerlint, which is not an executable file\. Install it with/.test(
        error.message,
      ),
  );
  assert.throws(
    () => findBinary({ PATH: '' }, []),
    (error) =>
      error instanceof MissingBinary &&
      /^triggerlint was not found\. Install it with/.test(error.message),
  );
});

test("the platform's npm package comes before the PATH", () => {
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'triggerlint-unit-'));
  try {
    const name = `cli-${process.platform}-${process.arch}`;
    const dir = path.join(root, 'node_modules', '@triggerlint', name);
    fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: `@triggerlint/${name}` }),
    );
    const file = path.join(
      dir,
      'bin',
      process.platform === 'win32' ? 'triggerlint.exe' : 'triggerlint',
    );
    fs.writeFileSync(file, '', { mode: 0o755 });
    assert.deepEqual(findBinary({ PATH: '' }, [root]), {
      file,
      via: `the npm package @triggerlint/${name}`,
    });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('the command line passes the run values, then the extra args, then the files', () => {
  assert.deepEqual(
    commandLine({
      files: ['serverless.yml'],
      stage: 'prod',
      region: 'eu-west-1',
      params: ['batch=5'],
      resolvedService: '/tmp/r.json',
      config: '/svc/tl.toml',
      args: ['--select', 'TL1'],
    }),
    [
      'check',
      '--format',
      'json',
      '--exit-zero',
      '--color',
      'never',
      '--stage',
      'prod',
      '--region',
      'eu-west-1',
      '--param',
      'batch=5',
      '--resolved-service',
      '/tmp/r.json',
      '--config',
      '/svc/tl.toml',
      '--select',
      'TL1',
      '--',
      'serverless.yml',
    ],
  );
});

test("of the compiled template, only other plugins' mappings are kept", () => {
  const finding = (file, path, code) => ({
    file,
    path,
    code,
    line: 1,
    column: 1,
    severity: 'warning',
    message: 'm',
  });
  const report = {
    findings: [
      finding('serverless.yml', 'functions/w/events/0/sqs', 'TL204'),
      finding('.serverless/t.json', 'Resources/WorkerEventSourceMappingSQSJobs', 'TL204'),
      finding('.serverless/t.json', 'Resources/AuditMapping', 'TL204'),
    ],
  };
  const kept = keepOnce(report, {
    template: '/svc/.serverless/t.json',
    added: new Map([['AuditMapping', 'audit-plugin']]),
    cwd: '/svc',
  });
  assert.deepEqual(
    kept.map(({ finding: f }) => f.path),
    ['functions/w/events/0/sqs', 'Resources/AuditMapping'],
  );
  assert.equal(
    line(kept[1]),
    '.serverless/t.json:1:1: TL204 [warning] m (mapping AuditMapping, added to the compiled template by the plugin audit-plugin)',
  );
});

test('the resolved configuration keeps repeated objects and drops only cycles', () => {
  const shared = { batchSize: 5 };
  const configuration = { a: shared, b: [shared, shared], when: new Date(0), fn: () => 1 };
  configuration.self = configuration;
  assert.deepEqual(JSON.parse(toJson(configuration)), {
    a: { batchSize: 5 },
    b: [{ batchSize: 5 }, { batchSize: 5 }],
    when: '1970-01-01T00:00:00.000Z',
  });
});

test("a mapping belongs to the innermost hook's plugin, the framework's own are left out", async () => {
  const template = { Resources: {} };
  const hooks = {};
  const serverless = {
    service: {
      provider: { compiledCloudFormationTemplate: template },
      resources: { Resources: {} },
    },
    pluginManager: { hooks, externalPlugins: new Set() },
  };
  class Other {}
  Object.defineProperty(Other, '_serverlessExternalPluginName', { value: 'serverless-other' });
  class Self {}
  const self = new Self();
  serverless.pluginManager.externalPlugins.add(new Other()).add(self);
  const mapping = { Type: 'AWS::Lambda::EventSourceMapping' };
  const framework = async () => {
    template.Resources.FnEventSourceMappingSQSQ = mapping;
  };
  hooks['package:compileEvents'] = [
    // An external hook that spawns a command run by the framework's hooks.
    {
      pluginName: 'Other',
      hook: async () => {
        await hooks.inner[0].hook();
        template.Resources.Extra = mapping;
      },
    },
  ];
  hooks.inner = [{ pluginName: 'AwsCompileSQSEvents', hook: framework }];
  const watch = new MappingWatch(serverless, self);
  watch.start();
  await hooks['package:compileEvents'][0].hook();
  assert.deepEqual([...watch.addedByPlugins(template)], [['Extra', 'serverless-other']]);
});
