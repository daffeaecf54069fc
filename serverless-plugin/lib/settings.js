'use strict';

// `custom.triggerlint`: read and checked here, so a typo stops the run with a clear message
// even when the framework's own validation only warns (configValidationMode: warn).

const FAIL_ON = ['error', 'warning', 'never'];

// For the framework's configuration schema (editors and `configValidationMode`).
const SCHEMA = {
  type: 'object',
  properties: {
    enabled: { anyOf: [{ type: 'boolean' }, { type: 'string' }] },
    failOn: { enum: FAIL_ON },
    config: { type: 'string' },
    args: { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string' }] },
  },
  additionalProperties: false,
};

const KEYS = Object.keys(SCHEMA.properties);

// Returns { enabled, failOn, config, args } or throws an Error naming the wrong key.
function readSettings(custom) {
  const raw = custom && custom.triggerlint;
  if (raw == null) return { enabled: true, failOn: 'error', config: null, args: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Error('custom.triggerlint must be an object (enabled, failOn, config, args)');
  }
  const unknown = Object.keys(raw).filter((key) => !KEYS.includes(key));
  if (unknown.length) {
    throw new Error(
      `custom.triggerlint has no setting ${unknown.map((k) => `"${k}"`).join(', ')} ` +
        `(the settings are ${KEYS.join(', ')})`,
    );
  }
  return {
    enabled: readBoolean(raw.enabled, 'enabled', true),
    failOn: readFailOn(raw.failOn),
    config: readString(raw.config, 'config'),
    args: readArgs(raw.args),
  };
}

// Strings too: variables such as `${env:TRIGGERLINT, 'true'}` resolve to text.
function readBoolean(value, key, fallback) {
  if (value == null) return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new Error(`custom.triggerlint.${key} must be true or false, not ${JSON.stringify(value)}`);
}

function readFailOn(value) {
  if (value == null) return 'error';
  if (FAIL_ON.includes(value)) return value;
  throw new Error(
    `custom.triggerlint.failOn must be one of ${FAIL_ON.join(', ')}, not ${JSON.stringify(value)}`,
  );
}

function readString(value, key) {
  if (value == null) return null;
  if (typeof value === 'string' && value !== '') return value;
  throw new Error(`custom.triggerlint.${key} must be a path, not ${JSON.stringify(value)}`);
}

// A list of arguments, or one string split on spaces (`--select TL1 --ignore TL107`).
function readArgs(value) {
  if (value == null) return [];
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value) && value.every((arg) => typeof arg === 'string')) return value;
  throw new Error('custom.triggerlint.args must be a list of command-line arguments');
}

module.exports = { readSettings, SCHEMA };
