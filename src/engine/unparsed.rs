//! Files that do not parse. One named on the command line, or found in a folder walk and
//! showing a sign of a trigger, is an invalid-syntax finding at the parser's position: it counts
//! like any finding (exit status, baseline, `exclude`), so one broken template does not stop a
//! repository from adopting the linter. One found in a walk with no such sign, or a Jinja
//! template, is passed over like any other file that is not a template, with the reason `-v`
//! prints.

use std::path::Path;

use crate::config::Config;
use crate::rules::Finding;
use crate::rules::invalid_syntax::{self, Syntax};
use crate::source::{FileId, Span};

/// A file's text that failed to parse, and where.
pub(super) struct Failure<'a> {
    pub file: FileId,
    pub path: &'a Path,
    /// The text the offset points into (for undecodable bytes, the valid prefix).
    pub text: &'a str,
    /// What to look for signs of a trigger in (for undecodable bytes, a lossy decoding).
    pub content: &'a str,
    pub syntax: Syntax,
    pub offset: usize,
    pub message: &'a str,
}

/// What becomes of a file that does not parse.
pub(super) enum Unparsed {
    Reported(Box<Finding>),
    /// Passed over, with why.
    Skipped(String),
}

pub(super) fn judge(failure: &Failure<'_>, named: bool, config: &Config) -> Unparsed {
    let jinja = is_jinja(failure.path, failure.content);
    let what = format!("not valid {} ({})", failure.syntax.name(), failure.message);
    if !named && jinja {
        return Unparsed::Skipped(format!("{what}: a Jinja or cookiecutter template"));
    }
    if !named && !crate::load::may_hold_trigger(failure.content) {
        return Unparsed::Skipped(format!("{what} and no sign of a trigger"));
    }
    if config
        .ignore
        .iter()
        .any(|s| invalid_syntax::RULE.matches(s))
    {
        return Unparsed::Skipped(format!("{what}; invalid-syntax is ignored"));
    }
    let span = span_at(failure.file, failure.text, failure.offset);
    let mut finding = invalid_syntax::finding(span, failure.syntax, failure.message, jinja);
    finding.severity = config.severity_of(&invalid_syntax::RULE);
    Unparsed::Reported(Box::new(finding))
}

/// The character at `offset` (nothing at the end of a line or of the text), so the report
/// points at exactly where the parser stopped.
fn span_at(file: FileId, text: &str, offset: usize) -> Span {
    let mut start = offset.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let end = text[start..]
        .chars()
        .next()
        .filter(|c| *c != '\n' && *c != '\r')
        .map_or(start, |c| start + c.len_utf8());
    Span::new(file, start, end)
}

/// A Jinja or cookiecutter template: `{{` in its path (cookiecutter's folder names), or Jinja
/// tags or expressions in its text. CloudFormation's own `{{resolve:...}}` references are not
/// Jinja, and neither are the `${{ }}` expressions of CI workflows.
pub(super) fn is_jinja(path: &Path, text: &str) -> bool {
    crate::discover::is_jinja_path(path)
        || text.contains("{%")
        || text.match_indices("{{").any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let inside = text[at + 2..].trim_start();
            before != Some('$') && !inside.starts_with("resolve:") && inside.contains("}}")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jinja_is_told_from_cloudformation_references_and_workflow_expressions() {
        let plain = Path::new("template.yaml");
        assert!(is_jinja(plain, "Runtime: {{ runtime }}\n"));
        assert!(is_jinja(plain, "{% if sqs %}\n"));
        assert!(is_jinja(
            Path::new("{{cookiecutter.name}}/template.yaml"),
            ""
        ));
        assert!(!is_jinja(plain, "Value: '{{resolve:ssm:/orders/arn}}'\n"));
        assert!(!is_jinja(plain, "run: echo ${{ github.sha }}\n"));
    }

    #[test]
    fn spans_cover_the_character_where_parsing_stopped() {
        let file = FileId(0);
        assert_eq!(span_at(file, "a: é\n", 3), Span::new(file, 3, 5));
        assert_eq!(span_at(file, "a: é\n", 4), Span::new(file, 3, 5));
        assert_eq!(span_at(file, "a:\n", 2), Span::new(file, 2, 2));
        assert_eq!(span_at(file, "a:", 9), Span::new(file, 2, 2));
    }
}
