'use strict';

// serverless-triggerlint: lints the service's Lambda triggers with triggerlint on every
// `package` (and so `deploy`), as the framework resolved the service for that run, and stops
// the command on findings at or above `custom.triggerlint.failOn`.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { readSettings, SCHEMA } = require('./lib/settings');
const { findBinary, checkVersion, MissingBinary } = require('./lib/binary');
const { MappingWatch } = require('./lib/mappings');
const { runTriggerlint, keepOnce, toJson } = require('./lib/lint');
const { writeFindings, plural } = require('./lib/output');

// What triggerlint reads itself; a `serverless.js` or `.ts` service has only its resolved form.
const LINTABLE = /\.(ya?ml|json)$/i;

class ServerlessTriggerlint {
  constructor(serverless, options = {}, utils = {}) {
    this.serverless = serverless;
    this.options = options;
    this.log = logger(serverless, utils.log);
    this.mappings = new MappingWatch(serverless, this);
    this.commands = {
      triggerlint: {
        usage: "Lint the service's Lambda triggers (event source mappings) with triggerlint",
        lifecycleEvents: ['check'],
      },
    };
    this.hooks = {
      initialize: () => this.mappings.start(),
      'after:package:finalize': () => this.onPackage(),
      'triggerlint:check': () => this.check({ withTemplate: false }),
    };
    const schema = serverless.configSchemaHandler;
    if (schema && typeof schema.defineCustomProperties === 'function') {
      schema.defineCustomProperties({ type: 'object', properties: { triggerlint: SCHEMA } });
    }
  }

  async onPackage() {
    if (!this.settings().enabled) {
      this.log.info('triggerlint: disabled by custom.triggerlint.enabled');
      return;
    }
    await this.check({ withTemplate: true });
  }

  settings() {
    try {
      return readSettings(this.serverless.service.custom);
    } catch (error) {
      throw this.error(error.message);
    }
  }

  // Lints the service (and, after packaging, the mappings other plugins added to the compiled
  // template), reports, and throws when a finding reaches `failOn`.
  async check({ withTemplate }) {
    const started = Date.now();
    const settings = this.settings();
    if (!this.isAws()) return;
    const binary = this.binary(settings);
    if (!binary) return;
    const serviceDir = this.serverless.serviceDir || process.cwd();
    const service = this.serviceFile(serviceDir);
    if (!service) return;
    const template = withTemplate ? this.pluginMappings() : null;
    const files = template ? [service, template.file] : [service];
    const report = this.lint(binary, settings, serviceDir, files);
    const kept = keepOnce(report, {
      template: template && template.file,
      added: template ? template.added : new Map(),
      cwd: serviceDir,
    });
    const counts = writeFindings(this.log, kept, report, {
      service: path.relative(serviceDir, service) || service,
      pluginMappings: template ? template.added.size : 0,
      verbose: Boolean(this.options.verbose || this.options.debug),
    });
    this.log.info(`triggerlint: checked in ${Date.now() - started} ms`);
    this.failIfNeeded(counts, settings.failOn);
  }

  isAws() {
    const provider = this.serverless.service.provider;
    const name = provider && typeof provider === 'object' ? provider.name : provider;
    if (name === 'aws') return true;
    this.log.info(
      `triggerlint: not run: the provider is ${name}, and triggerlint lints AWS services`,
    );
    return false;
  }

  // The report of one triggerlint run, handed the configuration the framework resolved through
  // a temporary file.
  lint(binary, settings, serviceDir, files) {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'triggerlint-'));
    try {
      const resolvedService = path.join(scratch, 'resolved-service.json');
      fs.writeFileSync(resolvedService, toJson(this.serverless.configurationInput));
      return this.runOrThrow(binary, {
        cwd: serviceDir,
        files,
        ...this.runValues(),
        resolvedService,
        config: settings.config && path.resolve(serviceDir, settings.config),
        args: settings.args,
      });
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }

  // The binary, or null (with a warning) when it is missing and `failOn` is `never`.
  binary(settings) {
    try {
      const binary = findBinary(process.env);
      const { warning } = checkVersion(binary);
      if (warning) this.log.warning(warning);
      return binary;
    } catch (error) {
      if (!(error instanceof MissingBinary)) throw error;
      if (settings.failOn === 'never') {
        this.log.warning(`triggerlint: not run: ${error.message}`);
        return null;
      }
      throw this.error(error.message);
    }
  }

  serviceFile(serviceDir) {
    const name = this.serverless.configurationFilename;
    if (name && LINTABLE.test(name)) return path.resolve(serviceDir, name);
    this.log.warning(
      `triggerlint: not run: it reads serverless.yml or serverless.json, and this service is ${name || 'not a file'}`,
    );
    return null;
  }

  // The compiled template and the mappings other plugins added to it, or null when there are
  // none (or they cannot be told apart from the framework's own).
  pluginMappings() {
    if (!this.mappings.watching) {
      this.log.info(
        'triggerlint: cannot tell mappings added by plugins apart; the compiled template is not linted',
      );
      return null;
    }
    const compiled = this.serverless.service.provider.compiledCloudFormationTemplate;
    const added = this.mappings.addedByPlugins(compiled);
    if (!added.size) return null;
    return { file: this.compiledTemplateFile(compiled), added };
  }

  // The template the framework wrote, where it moved it (`--package`, `package.path`).
  compiledTemplateFile(compiled) {
    const provider = this.serverless.getProvider('aws');
    const name = provider.naming.getCompiledTemplateFileName();
    const packageDir =
      this.options.package ||
      (this.serverless.service.package && this.serverless.service.package.path) ||
      '.serverless';
    const file = path.resolve(this.serverless.serviceDir || process.cwd(), packageDir, name);
    if (fs.existsSync(file)) return file;
    // Not where the framework writes it: lint a copy of what it compiled.
    const copy = path.join(path.dirname(file), 'triggerlint-compiled-template.json');
    fs.mkdirSync(path.dirname(copy), { recursive: true });
    fs.writeFileSync(copy, JSON.stringify(compiled, null, 2));
    return copy;
  }

  // The stage, region and `--param` values of this run, as the framework resolved them.
  runValues() {
    const provider = this.serverless.getProvider('aws');
    const param = this.options.param;
    return {
      stage: provider.getStage(),
      region: provider.getRegion(),
      params: (Array.isArray(param) ? param : param ? [param] : []).map(String),
    };
  }

  runOrThrow(binary, run) {
    try {
      return runTriggerlint(binary, run);
    } catch (error) {
      throw this.error(`triggerlint: ${error.message}`);
    }
  }

  failIfNeeded(counts, failOn) {
    if (failOn === 'never') return;
    const failing = [plural(counts.error, 'error')];
    if (failOn === 'warning') failing.push(plural(counts.warning, 'warning'));
    if (counts.notLinted) failing.push(`${plural(counts.notLinted, 'file')} not linted`);
    const total = counts.error + counts.notLinted + (failOn === 'warning' ? counts.warning : 0);
    if (!total) return;
    throw this.error(
      `triggerlint found ${failing.join(', ')} (custom.triggerlint.failOn: ${failOn}); ` +
        'see the findings above. Fix them, or suppress one with a ' +
        '"# triggerlint: ignore[CODE] reason" comment.',
    );
  }

  error(message) {
    const ServerlessError = (this.serverless.classes && this.serverless.classes.Error) || Error;
    return new ServerlessError(message, 'TRIGGERLINT');
  }
}

// The framework's logger for plugins (v3, osls, v4), or its older `cli.log`.
function logger(serverless, log) {
  if (log && typeof log.error === 'function') return log;
  const write = (text) => serverless.cli.log(text);
  return { error: write, warning: write, notice: write, info: () => {} };
}

module.exports = ServerlessTriggerlint;
