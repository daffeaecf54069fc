//! GitHub Actions workflow commands: each finding becomes an annotation on the pull request's
//! diff (`::warning file=...,line=...::message`).

use super::line_cols;
use crate::Run;
use crate::rules::Severity;

pub fn render(run: &Run) -> String {
    let mut out = String::new();
    for e in &run.errors {
        let file = run.sources.get(e.file);
        let mut properties = format!("file={}", property(&file.path.to_string_lossy()));
        if let Some(offset) = e.offset {
            let lc = file.line_col(offset);
            properties.push_str(&format!(",line={},col={}", lc.line, lc.column));
        }
        out.push_str(&format!(
            "::error {properties},title=triggerlint::{}\n",
            data(&e.message)
        ));
    }
    for f in &run.findings {
        let (start, end) = line_cols(&run.sources, f.span);
        let file = run
            .sources
            .get(f.span.file)
            .path
            .to_string_lossy()
            .into_owned();
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let message = match &f.help {
            Some(help) => format!("{}\nHelp: {help}", f.message),
            None => f.message.clone(),
        };
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            property(&file),
            start.line,
            start.column,
            end.line,
            end.column,
            property(&format!("{} {}", f.rule.code, f.rule.slug)),
            data(&message),
        ));
    }
    out.push_str(&super::human::summary(run));
    out.push('\n');
    out
}

/// Escapes a command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value, where `:` and `,` are separators too.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_workflow_command_rules() {
        assert_eq!(data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
