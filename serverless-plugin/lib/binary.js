'use strict';

// Finding the triggerlint binary: TRIGGERLINT_PATH, then the npm package of this platform (see
// DISTRIBUTION.md: installed as an optional dependency once published, it matches the plugin's
// version), then `triggerlint` on the PATH, then the binary the Python package installed (it may
// sit in a scripts folder that is not on the PATH, such as ~/.local/bin after `pip install
// --user`).

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

// The oldest triggerlint this plugin works with: it passes `--resolved-service`.
const MIN_VERSION = '0.1.0';

const INSTALL_HINT =
  'Install it with `cargo install --locked --git https://github.com/triggerlint/triggerlint ' +
  'triggerlint` or `pip install triggerlint` (the Python package ships the binary), put it on ' +
  'the PATH, or set TRIGGERLINT_PATH to the binary.';

class MissingBinary extends Error {}

const isWindows = process.platform === 'win32';

function isExecutable(file) {
  try {
    fs.accessSync(file, isWindows ? fs.constants.F_OK : fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch (error) {
    return false;
  }
}

function onPath(name, env) {
  const extensions = isWindows ? (env.PATHEXT || '.EXE').split(';') : [''];
  for (const dir of (env.PATH || '').split(path.delimiter).filter(Boolean)) {
    for (const extension of extensions) {
      const candidate = path.join(dir, name + extension.toLowerCase());
      if (isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

// Asks Python where the `triggerlint` distribution put its binary (maturin's `bindings =
// "bin"` lists it among the distribution's files, under bin/ or Scripts/).
const PYTHON_LOOKUP = `
import sys
try:
    import importlib.metadata as metadata
    files = metadata.distribution("triggerlint").files or []
except Exception:
    sys.exit(1)
for f in files:
    if f.name in ("triggerlint", "triggerlint.exe") and f.parent.name in ("bin", "Scripts"):
        print(f.locate())
        break
`;

function fromPythonPackage(env) {
  for (const python of ['python3', 'python']) {
    if (!onPath(python, env)) continue;
    const result = spawnSync(python, ['-c', PYTHON_LOOKUP], {
      encoding: 'utf8',
      env,
      timeout: 10000,
    });
    const found = result.status === 0 && result.stdout.trim();
    if (found && isExecutable(found)) return found;
  }
  return null;
}

// The binary of `@triggerlint/cli-<platform>-<arch>`, where npm installed it.
function fromNpmPackage(searchFrom) {
  const name = `@triggerlint/cli-${process.platform}-${process.arch}`;
  try {
    const manifest = require.resolve(`${name}/package.json`, { paths: searchFrom });
    const file = path.join(
      path.dirname(manifest),
      'bin',
      isWindows ? 'triggerlint.exe' : 'triggerlint',
    );
    return isExecutable(file) ? { file, via: `the npm package ${name}` } : null;
  } catch (error) {
    return null;
  }
}

// { file, via } or throws MissingBinary with what to do. `searchFrom`: where npm packages are
// looked up (the plugin's own folder).
function findBinary(env = process.env, searchFrom = [__dirname]) {
  if (env.TRIGGERLINT_PATH) {
    if (isExecutable(env.TRIGGERLINT_PATH)) {
      return { file: env.TRIGGERLINT_PATH, via: 'TRIGGERLINT_PATH' };
    }
    throw new MissingBinary(
      `TRIGGERLINT_PATH is ${env.TRIGGERLINT_PATH}, which is not an executable file. ${INSTALL_HINT}`,
    );
  }
  const packaged = fromNpmPackage(searchFrom);
  if (packaged) return packaged;
  const found = onPath('triggerlint', env);
  if (found) return { file: found, via: 'the PATH' };
  const python = fromPythonPackage(env);
  if (python) return { file: python, via: 'the triggerlint Python package' };
  throw new MissingBinary(`triggerlint was not found. ${INSTALL_HINT}`);
}

function parseVersion(text) {
  const match = /(\d+)\.(\d+)\.(\d+)/.exec(text || '');
  return match ? match.slice(1, 4).map(Number) : null;
}

function isOlder(version, than) {
  for (let i = 0; i < 3; i += 1) {
    if (version[i] !== than[i]) return version[i] < than[i];
  }
  return false;
}

// The binary's version, and a warning when it is older than the plugin expects (or says no
// version at all).
function checkVersion(binary) {
  const result = spawnSync(binary.file, ['--version'], { encoding: 'utf8', timeout: 30000 });
  const version = result.status === 0 ? parseVersion(result.stdout) : null;
  if (!version) {
    const why = result.error ? result.error.message : (result.stderr || result.stdout || '').trim();
    throw new MissingBinary(
      `${binary.file} (from ${binary.via}) does not run as triggerlint --version: ${why}. ${INSTALL_HINT}`,
    );
  }
  const text = version.join('.');
  const warning = isOlder(version, parseVersion(MIN_VERSION))
    ? `triggerlint ${text} (${binary.file}) is older than this plugin expects ` +
      `(${MIN_VERSION} or newer): update it, or options the plugin passes may be refused.`
    : null;
  return { version: text, warning };
}

module.exports = { findBinary, checkVersion, MissingBinary, MIN_VERSION, parseVersion, isOlder };
