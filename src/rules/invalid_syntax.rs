//! TL902: a template that does not parse. Reported by the engine when a file named on the
//! command line, or found in a folder and showing a sign of a trigger, is not valid YAML, JSON
//! or HCL (or not text at all), so its `check` finds nothing on its own. A finding rather than
//! an error of the run: a repository with one broken template can record it in a baseline and
//! adopt the linter today.

use super::{Finding, Rule, Scope, Severity};
use crate::model::Trigger;
use crate::source::Span;

pub static RULE: Rule = Rule {
    code: "TL902",
    slug: "invalid-syntax",
    summary: "a template that does not parse, so none of its triggers can be checked",
    severity: Severity::Error,
    docs: include_str!("../../rules/invalid-syntax.md"),
    options: &[],
    check,
};

fn check(_: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    Vec::new()
}

/// What kind of text failed to parse, for the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    Yaml,
    Json,
    Hcl,
    /// Bytes that are not text in any encoding the linter reads.
    Text,
}

impl From<crate::parse::Syntax> for Syntax {
    fn from(syntax: crate::parse::Syntax) -> Syntax {
        match syntax {
            crate::parse::Syntax::Json => Syntax::Json,
            crate::parse::Syntax::Yaml => Syntax::Yaml,
        }
    }
}

impl Syntax {
    pub fn name(self) -> &'static str {
        match self {
            Syntax::Yaml => "YAML",
            Syntax::Json => "JSON",
            Syntax::Hcl => "HCL",
            Syntax::Text => "text",
        }
    }
}

/// The finding for a parser's `message` at `span` (the parser's position). `jinja` says the
/// file is a Jinja or cookiecutter template, which only parses once rendered.
pub fn finding(span: Span, syntax: Syntax, message: &str, jinja: bool) -> Finding {
    let what = syntax.name();
    let finding = RULE.at(
        span,
        if jinja {
            format!(
                "not valid {what} ({message}): this is a Jinja template, which is only a template \
                 once rendered, so its triggers cannot be checked"
            )
        } else {
            format!("not valid {what}: {message}, so this file's triggers cannot be checked")
        },
    );
    if jinja {
        finding.label("Jinja syntax").help(
            "lint the rendered template instead (render it in CI, then run triggerlint on the \
             output), and exclude the source with `exclude` in triggerlint.toml",
        )
    } else {
        finding.label("does not parse").help(format!(
            "fix the {what} here; until then, `--write-baseline` can record this finding so the \
             rest of the repository is checked"
        ))
    }
}
