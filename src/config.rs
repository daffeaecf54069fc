//! `triggerlint.toml`: which rules run, at which severity, with which options, on which files.
//!
//! The file is read into toml's spanned tree and checked key by key, so every mistake is
//! reported at its line with the list of keys that would have been valid.
//!
//! ```toml
//! fail-on = "warning"
//! exclude = ["legacy/**"]
//!
//! [rules]
//! select = ["TL1", "missing-batching-window"]
//! ignore = ["TL102"]
//!
//! [rules.stream-small-batch-size]
//! severity = "note"
//! min-batch-size = 50
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::rules::{ALL, Rule, RuleSettings, Severity};
use crate::text::closest;

/// The file names searched for, in order of preference.
pub const FILE_NAMES: &[&str] = &["triggerlint.toml", ".triggerlint.toml"];

/// Everything that shapes a lint run.
#[derive(Clone, Debug)]
pub struct Config {
    /// Rule selectors (codes, slugs or code prefixes like `TL1`); empty means all rules.
    pub select: Vec<String>,
    /// Rule selectors to switch off; applied after `select`.
    pub ignore: Vec<String>,
    /// Severities and option values of rules.
    pub rules: RuleSettings,
    /// Findings at or above this severity make the exit code 1.
    pub fail_on: Severity,
    pub exclude: Exclude,
    /// Report findings that suppressions would hide (`--no-ignore`).
    pub no_ignore: bool,
    /// `--stage`, `--region` and `--param` for Serverless variables.
    pub serverless: crate::load::variables::ServerlessOptions,
    /// `--var-file`: values of Terraform input variables.
    pub var_files: Vec<PathBuf>,
    /// The file these settings came from, if any.
    pub source: Option<PathBuf>,
    /// `[fix] fixable`: rule selectors whose fixes `--fix` applies; empty means all.
    pub fixable: Vec<String>,
    /// `[fix] unfixable`: rule selectors whose fixes are never applied (shown only).
    pub unfixable: Vec<String>,
    /// Leave findings' fixes unresolved (`fix` stays `None`) until `engine::resolve_fixes`
    /// asks: the language server lints on every keystroke, and needs the edits only when the
    /// editor asks for code actions.
    pub defer_fixes: bool,
    /// Whether each fix's edits must be exactly what `--fix` writes (the default). The human,
    /// concise and GitHub reports show only whether a finding can be fixed, so `check` turns
    /// this off for them: the Terraform writer then adds an argument's line without realigning
    /// the lines around it, which was most of resolving a Terraform fix. Whether a fix can be
    /// written, and its title, are the same either way.
    pub exact_fix_edits: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            select: Vec::new(),
            ignore: Vec::new(),
            rules: RuleSettings::default(),
            fail_on: Severity::Warning,
            exclude: Exclude::default(),
            no_ignore: false,
            serverless: Default::default(),
            var_files: Vec::new(),
            source: None,
            fixable: Vec::new(),
            unfixable: Vec::new(),
            defer_fixes: false,
            exact_fix_edits: true,
        }
    }
}

impl Config {
    /// The enabled rules, in code order.
    pub fn enabled_rules(&self) -> Vec<&'static Rule> {
        ALL.iter().copied().filter(|r| self.is_enabled(r)).collect()
    }

    /// Whether `--fix` may apply the rule's fixes (`[fix] fixable` and `unfixable`).
    pub fn is_fixable(&self, rule: &Rule) -> bool {
        let listed = self.fixable.is_empty() || self.fixable.iter().any(|s| rule.matches(s));
        listed && !self.unfixable.iter().any(|s| rule.matches(s))
    }

    pub fn is_enabled(&self, rule: &Rule) -> bool {
        let selected = self.select.is_empty() || self.select.iter().any(|s| rule.matches(s));
        selected && !self.ignore.iter().any(|s| rule.matches(s))
    }

    pub fn severity_of(&self, rule: &Rule) -> Severity {
        self.rules.severity_of(rule)
    }

    /// The value of a rule option: configured, else its default.
    pub fn option(&self, rule: &Rule, name: &str) -> i64 {
        self.rules.option(rule, name)
    }
}

/// What the command line sets on top of every configuration file.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `--select`: replaces the configuration's `select` when not empty.
    pub select: Vec<String>,
    /// `--ignore`: added to the configuration's `ignore`.
    pub ignore: Vec<String>,
    pub fail_on: Option<Severity>,
    pub no_ignore: bool,
    pub serverless: crate::load::variables::ServerlessOptions,
    pub var_files: Vec<PathBuf>,
    /// `--exclude`, relative to the working directory.
    pub exclude: Exclude,
    /// Set when the run's output never shows the text of a fix's edits.
    pub inexact_fix_edits: bool,
}

impl Overrides {
    pub fn apply(&self, mut config: Config) -> Config {
        if !self.select.is_empty() {
            config.select.clone_from(&self.select);
        }
        config.ignore.extend(self.ignore.iter().cloned());
        if let Some(fail_on) = self.fail_on {
            config.fail_on = fail_on;
        }
        config.no_ignore |= self.no_ignore;
        config.serverless = self.serverless.clone();
        config.var_files.clone_from(&self.var_files);
        config.exact_fix_edits &= !self.inexact_fix_edits;
        config
    }
}

/// A file's configuration, or the problems of the configuration file that should have been it.
pub type Lookup = Result<Arc<Config>, Arc<ConfigError>>;

/// Where each linted file's settings come from: one configuration for every file (`--config`,
/// `--no-config`, the library API), or the configuration file nearest each file, found as ruff
/// finds its own: in the file's folder or the closest parent, up to the git repository's root.
pub struct Configs {
    fixed: Option<Arc<Config>>,
    overrides: Overrides,
    /// The nearest configuration file by folder, and each file read, found once.
    by_folder: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
    by_file: Mutex<HashMap<PathBuf, Lookup>>,
    defaults: Arc<Config>,
    /// Invalid configuration files whose problems were shown already.
    reported: Mutex<std::collections::HashSet<PathBuf>>,
}

impl Configs {
    /// The same configuration for every file, as it is (the library API).
    pub fn fixed(config: Config) -> Configs {
        let config = Arc::new(config);
        Configs {
            defaults: config.clone(),
            fixed: Some(config),
            overrides: Overrides::default(),
            by_folder: Mutex::default(),
            by_file: Mutex::default(),
            reported: Mutex::default(),
        }
    }

    /// The same configuration for every file, with the command line's settings on top.
    pub fn fixed_with(config: Config, overrides: Overrides) -> Configs {
        let mut configs = Configs::fixed(overrides.apply(config));
        configs.overrides = overrides;
        configs
    }

    /// For each file, the nearest configuration file, with the command line's settings on top.
    pub fn nearest(overrides: Overrides) -> Configs {
        Configs {
            defaults: Arc::new(overrides.apply(Config::default())),
            fixed: None,
            overrides,
            by_folder: Mutex::default(),
            by_file: Mutex::default(),
            reported: Mutex::default(),
        }
    }

    /// `exclude` patterns that matched nothing in the run: those of the command line, and
    /// those of each configuration file read, with where they were written.
    pub fn unused_excludes(&self) -> Vec<(String, Option<PathBuf>)> {
        let mut unused: Vec<(String, Option<PathBuf>)> = self
            .overrides
            .exclude
            .unused()
            .into_iter()
            .map(|p| (p.to_string(), None))
            .collect();
        let by_file = self.by_file.lock().unwrap_or_else(|e| e.into_inner());
        let configs = self.fixed.iter().chain(by_file.values().flatten());
        let mut from_files: Vec<(String, Option<PathBuf>)> = configs
            .flat_map(|config| {
                let source = config.source.clone();
                config
                    .exclude
                    .unused()
                    .into_iter()
                    .map(move |p| (p.to_string(), source.clone()))
            })
            .collect();
        from_files.sort();
        from_files.dedup();
        unused.extend(from_files);
        unused
    }

    /// The configuration for a file.
    pub fn for_file(&self, path: &Path) -> Lookup {
        if let Some(fixed) = &self.fixed {
            return Ok(fixed.clone());
        }
        let folder = crate::discover::absolute(path.parent().unwrap_or(Path::new("")));
        let found = {
            let mut by_folder = self.by_folder.lock().unwrap_or_else(|e| e.into_inner());
            match by_folder.get(&folder) {
                Some(found) => found.clone(),
                None => {
                    let found = match discover(&folder) {
                        Ok(found) => found,
                        Err(e) => return Err(Arc::new(e)),
                    };
                    by_folder.insert(folder, found.clone());
                    found
                }
            }
        };
        let Some(file) = found else {
            return Ok(self.defaults.clone());
        };
        let mut by_file = self.by_file.lock().unwrap_or_else(|e| e.into_inner());
        by_file
            .entry(file.clone())
            .or_insert_with(|| {
                load(&file)
                    .map(|config| Arc::new(self.overrides.apply(config)))
                    .map_err(Arc::new)
            })
            .clone()
    }

    /// True the first time it is asked about an invalid configuration file, so its problems
    /// are shown once however many files it covers.
    pub fn first_report_of(&self, config_file: &Path) -> bool {
        let mut reported = self.reported.lock().unwrap_or_else(|e| e.into_inner());
        reported.insert(config_file.to_path_buf())
    }

    /// Whether a file or folder is excluded: by the command line, or by its configuration.
    pub fn excludes(&self, path: &Path) -> bool {
        self.overrides.exclude.matches(path)
            || self
                .for_file(path)
                .is_ok_and(|config| config.exclude.matches(path))
    }
}

/// Glob patterns of files not to lint, relative to the configuration file's folder. `{a,b}`
/// is alternation, as in shells and `.gitignore`-style tools.
#[derive(Clone, Debug, Default)]
pub struct Exclude {
    base: PathBuf,
    globs: Option<GlobSet>,
    patterns: Vec<String>,
    /// Which patterns matched a path during the run (shared by the clones every file's
    /// configuration holds), so patterns that matched nothing can be reported.
    used: Arc<Vec<std::sync::atomic::AtomicBool>>,
}

impl Exclude {
    /// Patterns relative to `base`; a pattern that is not a valid glob is the error.
    pub fn new(base: &Path, patterns: &[String]) -> Result<Exclude, String> {
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            let glob = Glob::new(pattern)
                .map_err(|e| format!("`{pattern}` is not a valid glob: {}", e.kind()))?;
            builder.add(glob);
        }
        let globs = builder.build().map_err(|e| e.to_string())?;
        Ok(Exclude {
            base: crate::discover::absolute(base),
            globs: Some(globs),
            patterns: patterns.to_vec(),
            used: Arc::new(patterns.iter().map(|_| Default::default()).collect()),
        })
    }

    /// Whether a path (as found or given) is excluded.
    pub fn matches(&self, path: &Path) -> bool {
        let Some(globs) = &self.globs else {
            return false;
        };
        let absolute = crate::discover::absolute(path);
        let relative = absolute.strip_prefix(&self.base).unwrap_or(&absolute);
        let matching = |candidate: &Path| {
            let hits = globs.matches(candidate);
            for &hit in &hits {
                self.used[hit].store(true, std::sync::atomic::Ordering::Relaxed);
            }
            !hits.is_empty()
        };
        matching(relative)
            || relative
                .ancestors()
                .any(|a| a != Path::new("") && matching(a))
    }

    /// The patterns that have matched no path so far.
    pub fn unused(&self) -> Vec<&str> {
        self.patterns
            .iter()
            .zip(self.used.iter())
            .filter(|(_, used)| !used.load(std::sync::atomic::Ordering::Relaxed))
            .map(|(pattern, _)| pattern.as_str())
            .collect()
    }
}

/// The mistakes in a configuration file, each at a byte offset of its text when it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub text: String,
    pub problems: Vec<Problem>,
}

impl ConfigError {
    fn one(path: &Path, message: String) -> ConfigError {
        ConfigError {
            path: path.to_path_buf(),
            text: String::new(),
            problems: vec![(None, message)],
        }
    }

    /// Every problem in one line each, for places without room for snippets.
    pub fn summary(&self) -> String {
        self.problems
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Finds the configuration file for a run started in `start`: the nearest `triggerlint.toml`
/// or `.triggerlint.toml` in it or a parent, stopping at the root of the git repository.
pub fn discover(start: &Path) -> Result<Option<PathBuf>, ConfigError> {
    let start = crate::discover::absolute(start);
    for dir in start.ancestors() {
        let found: Vec<PathBuf> = FILE_NAMES
            .iter()
            .map(|name| dir.join(name))
            .filter(|p| p.is_file())
            .collect();
        match found.as_slice() {
            [] => {}
            [one] => return Ok(Some(one.clone())),
            [first, second, ..] => {
                return Err(ConfigError::one(
                    first,
                    format!(
                        "both {} and {} exist; keep one",
                        first.display(),
                        second.display()
                    ),
                ));
            }
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    Ok(None)
}

/// Reads and checks a configuration file.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError::one(
            path,
            format!(
                "cannot read the configuration file: {}",
                crate::discover::io_message(&e)
            ),
        )
    })?;
    let base = crate::discover::absolute(path.parent().unwrap_or(Path::new("")));
    parse(&text, &base)
        .map(|mut config| {
            config.source = Some(path.to_path_buf());
            config
        })
        .map_err(|problems| ConfigError {
            path: path.to_path_buf(),
            text,
            problems,
        })
}

/// One mistake: where (a byte offset, when known) and what.
pub type Problem = (Option<usize>, String);

fn at<T>(span: std::ops::Range<usize>, message: impl Into<String>) -> Result<T, Problem> {
    Err((Some(span.start), message.into()))
}

/// Parses configuration text; `base` is the folder `exclude` patterns are relative to. Every
/// mistake is reported, not only the first.
pub fn parse(text: &str, base: &Path) -> Result<Config, Vec<Problem>> {
    let table = DeTable::parse(text).map_err(|e| {
        vec![(
            e.span().map(|s| s.start),
            format!("invalid TOML: {}", e.message()),
        )]
    })?;
    let mut config = Config {
        exclude: Exclude {
            base: base.to_path_buf(),
            ..Exclude::default()
        },
        ..Config::default()
    };
    let mut problems = Vec::new();
    for (key, value) in table.get_ref().iter() {
        let outcome = match key.get_ref().as_ref() {
            "fail-on" => severity(value).map(|s| config.fail_on = s),
            "exclude" => exclude(value, base).map(|e| config.exclude = e),
            "rules" => rules_table(value, &mut config, &mut problems),
            "fix" => fix_table(value, &mut config, &mut problems),
            other => unknown_key(
                key,
                other,
                &["fail-on", "exclude", "rules", "fix"],
                "top level",
            ),
        };
        problems.extend(outcome.err());
    }
    if problems.is_empty() {
        Ok(config)
    } else {
        // In the order of the file (tables are read in no particular order).
        problems.sort_by_key(|(offset, _)| offset.unwrap_or(usize::MAX));
        Err(problems)
    }
}

fn unknown_key<T>(
    key: &Spanned<toml::de::DeString<'_>>,
    name: &str,
    valid: &[&str],
    place: &str,
) -> Result<T, Problem> {
    let hint = closest(name, valid.iter().copied())
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default();
    at(
        key.span(),
        format!(
            "unknown key `{name}` at the {place}{hint} (valid: {})",
            valid
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

fn rules_table(
    value: &Spanned<DeValue<'_>>,
    config: &mut Config,
    problems: &mut Vec<Problem>,
) -> Result<(), Problem> {
    let DeValue::Table(table) = value.get_ref() else {
        return at(value.span(), "`rules` must be a table");
    };
    for (key, value) in table.iter() {
        let outcome = match key.get_ref().as_ref() {
            "select" => selectors(value, problems).map(|s| config.select = s),
            "ignore" => selectors(value, problems).map(|s| config.ignore = s),
            name => match crate::rules::find(name) {
                Some(rule) => rule_table(rule, value, config, problems),
                None => {
                    // A misspelt `select` or `ignore` is as likely as a misspelt rule.
                    let names = ["select", "ignore"]
                        .into_iter()
                        .chain(ALL.iter().map(|r| r.slug));
                    let hint = closest(name, names)
                        .map(|c| format!("; did you mean `{c}`?"))
                        .unwrap_or_default();
                    // `selct = [...]` is a key of `[rules]`; `[rules.selct]` is a table.
                    let what = if matches!(value.get_ref(), DeValue::Table(_)) {
                        format!("`[rules.{name}]` names no rule")
                    } else {
                        format!("`{name}` is not a key of `[rules]` (nor a rule)")
                    };
                    at(
                        key.span(),
                        format!("{what}{hint} (`triggerlint rules` lists the rules)"),
                    )
                }
            },
        };
        problems.extend(outcome.err());
    }
    Ok(())
}

/// `[fix]`: which rules' fixes `--fix` applies.
fn fix_table(
    value: &Spanned<DeValue<'_>>,
    config: &mut Config,
    problems: &mut Vec<Problem>,
) -> Result<(), Problem> {
    let DeValue::Table(table) = value.get_ref() else {
        return at(value.span(), "`fix` must be a table");
    };
    for (key, value) in table.iter() {
        let outcome = match key.get_ref().as_ref() {
            "fixable" => selectors(value, problems).map(|s| config.fixable = s),
            "unfixable" => selectors(value, problems).map(|s| config.unfixable = s),
            other => unknown_key(key, other, &["fixable", "unfixable"], "`[fix]` table"),
        };
        problems.extend(outcome.err());
    }
    Ok(())
}

fn rule_table(
    rule: &'static Rule,
    value: &Spanned<DeValue<'_>>,
    config: &mut Config,
    problems: &mut Vec<Problem>,
) -> Result<(), Problem> {
    let DeValue::Table(table) = value.get_ref() else {
        return at(
            value.span(),
            format!("`rules.{}` must be a table", rule.slug),
        );
    };
    let mut valid = vec!["severity"];
    valid.extend(rule.options.iter().map(|o| o.name));
    for (key, value) in table.iter() {
        let name = key.get_ref().as_ref();
        let outcome = if name == "severity" {
            severity(value).map(|s| {
                config.rules.severities.insert(rule.code, s);
            })
        } else {
            match rule.options.iter().find(|o| o.name == name) {
                Some(option) => option_value(option, value).map(|number| {
                    config
                        .rules
                        .options
                        .insert((rule.code, option.name), number);
                }),
                None => unknown_key(key, name, &valid, &format!("table [rules.{}]", rule.slug)),
            }
        };
        problems.extend(outcome.err());
    }
    Ok(())
}

fn option_value(
    option: &crate::rules::RuleOption,
    value: &Spanned<DeValue<'_>>,
) -> Result<i64, Problem> {
    let name = option.name;
    let DeValue::Integer(integer) = value.get_ref() else {
        return at(value.span(), format!("`{name}` must be an integer"));
    };
    i64::from_str_radix(integer.as_str(), integer.radix())
        .ok()
        .filter(|n| (option.min..=option.max).contains(n))
        .ok_or_else(|| {
            (
                Some(value.span().start),
                format!("`{name}` must be between {} and {}", option.min, option.max),
            )
        })
}

fn strings(
    value: &Spanned<DeValue<'_>>,
    what: &str,
) -> Result<Vec<(String, std::ops::Range<usize>)>, Problem> {
    let DeValue::Array(items) = value.get_ref() else {
        return at(value.span(), format!("{what} must be a list of strings"));
    };
    items
        .iter()
        .map(|item| match item.get_ref() {
            DeValue::String(s) => Ok((s.to_string(), item.span())),
            _ => at(item.span(), format!("{what} must be a list of strings")),
        })
        .collect()
}

/// Rule selectors; each one that names no rule is a problem of its own.
fn selectors(
    value: &Spanned<DeValue<'_>>,
    problems: &mut Vec<Problem>,
) -> Result<Vec<String>, Problem> {
    let mut valid = Vec::new();
    for (selector, span) in strings(value, "rule selectors")? {
        match unknown_selector_message(&selector) {
            None => valid.push(selector),
            Some(message) => problems.push((Some(span.start), message)),
        }
    }
    Ok(valid)
}

/// Why a selector names no rule, with the closest rule name; `None` when it names one.
pub fn unknown_selector_message(selector: &str) -> Option<String> {
    if ALL.iter().any(|r| r.matches(selector)) {
        return None;
    }
    let names = ALL.iter().flat_map(|r| [r.slug, r.code]);
    let hint = closest(selector, names)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default();
    Some(format!(
        "`{selector}` names no rule{hint} (`triggerlint rules` lists them)"
    ))
}

fn severity(value: &Spanned<DeValue<'_>>) -> Result<Severity, Problem> {
    match value.get_ref() {
        DeValue::String(s) => match Severity::parse(s) {
            Some(severity) => Ok(severity),
            None => at(
                value.span(),
                format!("`{s}` is not a severity: use \"error\", \"warning\" or \"note\""),
            ),
        },
        _ => at(
            value.span(),
            "a severity must be \"error\", \"warning\" or \"note\"",
        ),
    }
}

/// The `exclude` list, relative to `base`; the first pattern that is no glob is the problem.
fn exclude(value: &Spanned<DeValue<'_>>, base: &Path) -> Result<Exclude, Problem> {
    let patterns = strings(value, "`exclude`")?;
    for (pattern, span) in &patterns {
        if let Err(e) = Glob::new(pattern) {
            return at(
                span.clone(),
                format!("`{pattern}` is not a valid glob: {}", e.kind()),
            );
        }
    }
    let patterns: Vec<String> = patterns.into_iter().map(|(p, _)| p).collect();
    Exclude::new(base, &patterns)
        .map_err(|e| (Some(value.span().start), format!("invalid `exclude`: {e}")))
}

/// The JSON schema of the configuration file (for editors such as Taplo or Even Better TOML),
/// built from the rule registry so it cannot fall behind. `triggerlint.schema.json` in the
/// repository is this, written out.
pub fn json_schema() -> serde_json::Value {
    use serde_json::json;
    let severity = json!({"enum": ["error", "warning", "note"]});
    let selectors = json!({
        "type": "array",
        "items": {"type": "string"},
        "description": "rule codes (TL101), slugs (stream-unbounded-retries) or code prefixes (TL1)",
    });
    let mut rules = serde_json::Map::new();
    rules.insert("select".into(), selectors.clone());
    rules.insert("ignore".into(), selectors.clone());
    let listed = |description: &str| {
        let mut list = selectors.clone();
        list["description"] = json!(format!(
            "{description}: {}",
            selectors["description"].as_str().unwrap_or_default()
        ));
        list
    };
    let fix = json!({
        "type": "object",
        "description": "which rules' fixes `check --fix` applies",
        "additionalProperties": false,
        "properties": {
            "fixable": listed("rules whose fixes may be applied (all when absent)"),
            "unfixable": listed("rules whose fixes are shown but never applied"),
        },
    });
    for rule in ALL {
        let mut properties = serde_json::Map::new();
        properties.insert("severity".into(), severity.clone());
        for option in rule.options {
            properties.insert(
                option.name.into(),
                json!({
                    "type": "integer",
                    "minimum": option.min,
                    "maximum": option.max,
                    "default": option.default,
                    "description": option.help,
                }),
            );
        }
        let table = json!({
            "type": "object",
            "description": format!("{} ({}): {}", rule.slug, rule.code, rule.summary),
            "additionalProperties": false,
            "properties": properties,
        });
        rules.insert(rule.slug.into(), table.clone());
        rules.insert(rule.code.into(), table);
    }
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "triggerlint configuration (triggerlint.toml)",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "fail-on": severity,
            "exclude": {
                "type": "array",
                "items": {"type": "string"},
                "description": "glob patterns, relative to this file's folder, of files not to lint",
            },
            "rules": {
                "type": "object",
                "additionalProperties": false,
                "properties": rules,
            },
            "fix": fix,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Config {
        parse(text, Path::new("/repo")).expect("valid")
    }

    fn parse_err(text: &str) -> (usize, String) {
        let problems = parse(text, Path::new("/repo")).expect_err("invalid");
        let (offset, message) = problems[0].clone();
        (offset.expect("an offset"), message)
    }

    #[test]
    fn every_mistake_is_reported_with_the_closest_name() {
        let problems = parse(
            "[rules]\nselct = [\"TL1\"]\nignore = [\"stream-unbounded-retires\", \"TL101\"]\nfail-on = 3\n",
            Path::new("/repo"),
        )
        .expect_err("invalid");
        let messages: Vec<&str> = problems.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:#?}");
        assert!(
            messages[0]
                .contains("`selct` is not a key of `[rules]` (nor a rule); did you mean `select`?")
        );
        assert!(
            messages[1].contains("did you mean `stream-unbounded-retries`?"),
            "{}",
            messages[1]
        );
        assert!(
            messages[2].contains("`fail-on` is not a key of `[rules]`"),
            "{}",
            messages[2]
        );
    }

    #[test]
    fn every_key_is_read() {
        let config = parse_ok(
            "fail-on = \"note\"\nexclude = [\"legacy/**\"]\n[rules]\nselect = [\"TL1\"]\nignore = [\"TL102\"]\n[rules.stream-small-batch-size]\nseverity = \"note\"\nmin-batch-size = 50\n[rules.TL101]\nmax-retry-attempts = 5\n[fix]\nfixable = [\"TL2\", \"TL101\"]\nunfixable = [\"sqs-visibility-timeout-margin\"]\n",
        );
        assert_eq!(config.fail_on, Severity::Note);
        let fixable = |code| config.is_fixable(crate::rules::find(code).unwrap());
        assert!(fixable("TL203") && fixable("TL101"));
        assert!(!fixable("TL204"), "unfixable wins");
        assert!(!fixable("TL102"), "not listed in fixable");
        assert_eq!(config.select, ["TL1"]);
        assert_eq!(config.ignore, ["TL102"]);
        assert_eq!(config.rules.severities.get("TL107"), Some(&Severity::Note));
        let small = crate::rules::find("TL107").unwrap();
        assert_eq!(config.option(small, "min-batch-size"), 50);
        let retries = crate::rules::find("TL101").unwrap();
        assert_eq!(config.option(retries, "max-retry-attempts"), 5);
        assert!(
            config
                .exclude
                .matches(Path::new("/repo/legacy/a/serverless.yml"))
        );
        assert!(
            !config
                .exclude
                .matches(Path::new("/repo/services/serverless.yml"))
        );
    }

    #[test]
    fn the_fix_table_takes_selectors_only() {
        let (_, message) = parse_err("[fix]\nfixable = [\"TL999\"]\n");
        assert!(message.starts_with("`TL999` names no rule"), "{message}");
        let (_, message) = parse_err("[fix]\nfixabel = []\n");
        assert!(
            message
                .starts_with("unknown key `fixabel` at the `[fix]` table; did you mean `fixable`?"),
            "{message}"
        );
    }

    #[test]
    fn mistakes_are_reported_at_their_key_with_a_suggestion() {
        let (offset, message) = parse_err("fail-on = \"warning\"\nexlude = []\n");
        assert_eq!(offset, 20);
        assert!(
            message.starts_with("unknown key `exlude` at the top level; did you mean `exclude`?"),
            "{message}"
        );
        let (_, message) = parse_err("[rules.stream-small-batchsize]\nseverity = \"note\"\n");
        assert!(
            message.contains("did you mean `stream-small-batch-size`?"),
            "{message}"
        );
        let (_, message) = parse_err("[rules.stream-small-batch-size]\nmin-batch = 3\n");
        assert!(
            message.contains("did you mean `min-batch-size`?"),
            "{message}"
        );
        let (_, message) = parse_err("[rules.stream-small-batch-size]\nmin-batch-size = \"3\"\n");
        assert_eq!(message, "`min-batch-size` must be an integer");
        let (_, message) = parse_err("[rules.stream-small-batch-size]\nmin-batch-size = 0\n");
        assert_eq!(message, "`min-batch-size` must be between 1 and 10000");
        let (_, message) = parse_err("fail-on = \"fatal\"\n");
        assert!(message.contains("not a severity"));
        let (_, message) = parse_err("[rules]\nselect = [\"TL999\"]\n");
        assert!(message.contains("`TL999` names no rule"));
        let (_, message) = parse_err("exclude = \"a/**\"\n");
        assert_eq!(message, "`exclude` must be a list of strings");
        let (offset, message) = parse_err("a = [\n");
        assert!(message.starts_with("invalid TOML"), "{message}");
        assert_eq!(offset, 5);
    }

    #[test]
    fn no_suggestion_for_what_is_nothing_alike() {
        assert_eq!(closest("zzz", ["exclude", "rules"].into_iter()), None);
    }
}
