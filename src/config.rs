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

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::rules::{ALL, Rule, Severity};

/// The file names searched for, in order of preference.
pub const FILE_NAMES: &[&str] = &["triggerlint.toml", ".triggerlint.toml"];

/// Everything that shapes a lint run.
#[derive(Clone, Debug)]
pub struct Config {
    /// Rule selectors (codes, slugs or code prefixes like `TL1`); empty means all rules.
    pub select: Vec<String>,
    /// Rule selectors to switch off; applied after `select`.
    pub ignore: Vec<String>,
    /// Severity overrides by rule code.
    pub severities: BTreeMap<&'static str, Severity>,
    /// Rule option values by (rule code, option name); absent means the option's default.
    pub options: BTreeMap<(&'static str, &'static str), i64>,
    /// Findings at or above this severity make the exit code 1.
    pub fail_on: Severity,
    pub exclude: Exclude,
    /// Report findings that suppressions would hide (`--no-ignore`).
    pub no_ignore: bool,
    /// `--stage`, `--region` and `--param` for Serverless variables.
    pub serverless: crate::load::variables::ServerlessOptions,
    /// The file these settings came from, if any.
    pub source: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            select: Vec::new(),
            ignore: Vec::new(),
            severities: BTreeMap::new(),
            options: BTreeMap::new(),
            fail_on: Severity::Warning,
            exclude: Exclude::default(),
            no_ignore: false,
            serverless: Default::default(),
            source: None,
        }
    }
}

impl Config {
    /// The enabled rules, in code order.
    pub fn enabled_rules(&self) -> Vec<&'static Rule> {
        ALL.iter().copied().filter(|r| self.is_enabled(r)).collect()
    }

    pub fn is_enabled(&self, rule: &Rule) -> bool {
        let selected = self.select.is_empty() || self.select.iter().any(|s| rule.matches(s));
        selected && !self.ignore.iter().any(|s| rule.matches(s))
    }

    pub fn severity_of(&self, rule: &Rule) -> Severity {
        self.severities
            .get(rule.code)
            .copied()
            .unwrap_or(rule.severity)
    }

    /// The value of a rule option: configured, else its default.
    pub fn option(&self, rule: &Rule, name: &str) -> i64 {
        let option = rule
            .options
            .iter()
            .find(|o| o.name == name)
            .unwrap_or_else(|| panic!("{} has no option {name}", rule.code));
        self.options
            .get(&(rule.code, option.name))
            .copied()
            .unwrap_or(option.default)
    }
}

/// Glob patterns of files not to lint, relative to the configuration file's folder.
#[derive(Clone, Debug, Default)]
pub struct Exclude {
    base: PathBuf,
    globs: Option<GlobSet>,
}

impl Exclude {
    /// Whether a path (as found or given) is excluded.
    pub fn matches(&self, path: &Path) -> bool {
        let Some(globs) = &self.globs else {
            return false;
        };
        let absolute = crate::discover::absolute(path);
        let relative = absolute.strip_prefix(&self.base).unwrap_or(&absolute);
        globs.is_match(relative)
            || relative
                .ancestors()
                .any(|a| globs.is_match(a) && a != Path::new(""))
    }
}

/// A mistake in a configuration file, at a byte offset of its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub text: String,
    pub offset: Option<usize>,
    pub message: String,
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
                return Err(ConfigError {
                    path: first.clone(),
                    text: String::new(),
                    offset: None,
                    message: format!(
                        "both {} and {} exist; keep one",
                        first.display(),
                        second.display()
                    ),
                });
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
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        text: String::new(),
        offset: None,
        message: format!(
            "cannot read the configuration file: {}",
            crate::discover::io_message(&e)
        ),
    })?;
    let base = crate::discover::absolute(path.parent().unwrap_or(Path::new("")));
    parse(&text, &base)
        .map(|mut config| {
            config.source = Some(path.to_path_buf());
            config
        })
        .map_err(|(offset, message)| ConfigError {
            path: path.to_path_buf(),
            text,
            offset,
            message,
        })
}

type Problem = (Option<usize>, String);

fn at<T>(span: std::ops::Range<usize>, message: impl Into<String>) -> Result<T, Problem> {
    Err((Some(span.start), message.into()))
}

/// Parses configuration text; `base` is the folder `exclude` patterns are relative to.
pub fn parse(text: &str, base: &Path) -> Result<Config, Problem> {
    let table = DeTable::parse(text).map_err(|e| {
        (
            e.span().map(|s| s.start),
            format!("invalid TOML: {}", e.message()),
        )
    })?;
    let mut config = Config {
        exclude: Exclude {
            base: base.to_path_buf(),
            globs: None,
        },
        ..Config::default()
    };
    for (key, value) in table.get_ref().iter() {
        match key.get_ref().as_ref() {
            "fail-on" => config.fail_on = severity(value)?,
            "exclude" => config.exclude.globs = Some(globs(value)?),
            "rules" => rules_table(value, &mut config)?,
            other => return unknown_key(key, other, &["fail-on", "exclude", "rules"], "top level"),
        }
    }
    Ok(config)
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

fn rules_table(value: &Spanned<DeValue<'_>>, config: &mut Config) -> Result<(), Problem> {
    let DeValue::Table(table) = value.get_ref() else {
        return at(value.span(), "`rules` must be a table");
    };
    for (key, value) in table.iter() {
        match key.get_ref().as_ref() {
            "select" => config.select = selectors(value)?,
            "ignore" => config.ignore = selectors(value)?,
            name => {
                let Some(rule) = crate::rules::find(name) else {
                    let names = ALL.iter().map(|r| r.slug);
                    let hint = closest(name, names)
                        .map(|c| format!("; did you mean `{c}`?"))
                        .unwrap_or_default();
                    return at(
                        key.span(),
                        format!(
                            "`[rules.{name}]` names no rule{hint} (`triggerlint rules` lists them)"
                        ),
                    );
                };
                rule_table(rule, value, config)?;
            }
        }
    }
    Ok(())
}

fn rule_table(
    rule: &'static Rule,
    value: &Spanned<DeValue<'_>>,
    config: &mut Config,
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
        if name == "severity" {
            config.severities.insert(rule.code, severity(value)?);
            continue;
        }
        let Some(option) = rule.options.iter().find(|o| o.name == name) else {
            return unknown_key(key, name, &valid, &format!("table [rules.{}]", rule.slug));
        };
        let DeValue::Integer(integer) = value.get_ref() else {
            return at(value.span(), format!("`{name}` must be an integer"));
        };
        let number = i64::from_str_radix(integer.as_str(), integer.radix())
            .ok()
            .filter(|n| (option.min..=option.max).contains(n));
        let Some(number) = number else {
            return at(
                value.span(),
                format!("`{name}` must be between {} and {}", option.min, option.max),
            );
        };
        config.options.insert((rule.code, option.name), number);
    }
    Ok(())
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

fn selectors(value: &Spanned<DeValue<'_>>) -> Result<Vec<String>, Problem> {
    strings(value, "rule selectors")?
        .into_iter()
        .map(|(selector, span)| {
            if ALL.iter().any(|r| r.matches(&selector)) {
                Ok(selector)
            } else {
                at(
                    span,
                    format!("`{selector}` names no rule (`triggerlint rules` lists them)"),
                )
            }
        })
        .collect()
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

fn globs(value: &Spanned<DeValue<'_>>) -> Result<GlobSet, Problem> {
    let mut builder = GlobSetBuilder::new();
    for (pattern, span) in strings(value, "`exclude`")? {
        match Glob::new(&pattern) {
            Ok(glob) => {
                builder.add(glob);
            }
            Err(e) => {
                return at(
                    span,
                    format!("`{pattern}` is not a valid glob: {}", e.kind()),
                );
            }
        }
    }
    builder
        .build()
        .map_err(|e| (Some(value.span().start), format!("invalid `exclude`: {e}")))
}

/// The valid name closest to a mistyped one, if it is close enough to be the intent.
pub(crate) fn closest<'a>(name: &str, valid: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    valid
        .map(|v| (edit_distance(name, v), v))
        .filter(|(d, v)| *d <= 2.max(v.len() / 4) || (name.len() > 3 && v.starts_with(name)))
        .min_by_key(|(d, _)| *d)
        .map(|(_, v)| v)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
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
    rules.insert("ignore".into(), selectors);
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
        let (offset, message) = parse(text, Path::new("/repo")).expect_err("invalid");
        (offset.expect("an offset"), message)
    }

    #[test]
    fn every_key_is_read() {
        let config = parse_ok(
            "fail-on = \"note\"\nexclude = [\"legacy/**\"]\n[rules]\nselect = [\"TL1\"]\nignore = [\"TL102\"]\n[rules.stream-small-batch-size]\nseverity = \"note\"\nmin-batch-size = 50\n[rules.TL101]\nmax-retry-attempts = 5\n",
        );
        assert_eq!(config.fail_on, Severity::Note);
        assert_eq!(config.select, ["TL1"]);
        assert_eq!(config.ignore, ["TL102"]);
        assert_eq!(config.severities.get("TL107"), Some(&Severity::Note));
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
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("exlude", "exclude"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(closest("zzz", ["exclude", "rules"].into_iter()), None);
    }
}
