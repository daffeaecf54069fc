'use strict';

// Which event source mappings of the compiled template other plugins added. The framework's
// own (from `functions.*.events`, and `resources.Resources` as written) are linted in the
// service file, where their lines are; a mapping another plugin generated exists only in the
// compiled template. Every hook is wrapped, and a mapping that appears while a hook runs (in
// the compiled template, or in `resources.Resources` for the framework to merge) belongs to
// the plugin of the innermost hook running: a hook can spawn a whole command (`deploy` spawns
// `package`), whose own hooks claim what they add first.

const MAPPING = 'AWS::Lambda::EventSourceMapping';

// Stands for the framework's own plugins.
const FRAMEWORK = null;

function mappingIds(resources) {
  if (!resources || typeof resources !== 'object') return [];
  return Object.keys(resources).filter((id) => resources[id] && resources[id].Type === MAPPING);
}

function currentIds(service) {
  const template = (service.provider && service.provider.compiledCloudFormationTemplate) || {};
  const custom = (service.resources && service.resources.Resources) || {};
  return new Set([...mappingIds(template.Resources), ...mappingIds(custom)]);
}

class MappingWatch {
  constructor(serverless, self) {
    this.serverless = serverless;
    this.self = self;
    // logical id -> the plugin that added it, as listed under `plugins` (FRAMEWORK for its own)
    this.owners = new Map();
    this.watching = false;
  }

  // Wraps the hooks once every plugin is loaded (the `initialize` lifecycle event). Without
  // the plugin manager's usual shape nothing is wrapped and `watching` stays false.
  start() {
    const manager = this.serverless.pluginManager;
    if (this.watching || !manager || !manager.hooks || !manager.externalPlugins) return;
    const external = new Map();
    for (const plugin of manager.externalPlugins) {
      const type = plugin.constructor;
      external.set(type.name, type._serverlessExternalPluginName || type.name);
    }
    const own = this.self.constructor.name;
    for (const hooks of Object.values(manager.hooks)) {
      if (!Array.isArray(hooks)) continue;
      for (const entry of hooks) {
        if (!entry || typeof entry.hook !== 'function' || entry.pluginName === own) continue;
        const owner = external.has(entry.pluginName) ? external.get(entry.pluginName) : FRAMEWORK;
        entry.hook = this.wrap(entry.hook, owner);
      }
    }
    this.watching = true;
  }

  wrap(hook, owner) {
    return async (...args) => {
      const before = currentIds(this.serverless.service);
      try {
        return await hook(...args);
      } finally {
        for (const id of currentIds(this.serverless.service)) {
          if (!before.has(id) && !this.owners.has(id)) this.owners.set(id, owner);
        }
      }
    };
  }

  // The mappings of the final template that other plugins added: logical id -> plugin.
  addedByPlugins(template) {
    const present = new Set(mappingIds(template && template.Resources));
    return new Map(
      [...this.owners].filter(([id, owner]) => owner !== FRAMEWORK && present.has(id)),
    );
  }
}

module.exports = { MappingWatch };
