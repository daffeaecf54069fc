//! GitHub Actions workflow commands: each finding becomes an annotation on the pull request's
//! diff (`::warning file=...,line=...::message`).

use std::io::Write;

use super::{Batch, Summary, Writer, line_cols};
use crate::Run;
use crate::rules::Severity;

/// Writes one workflow command per error and finding, then the summary line.
pub struct GithubWriter<W: Write> {
    out: W,
}

impl<W: Write> GithubWriter<W> {
    pub fn new(out: W) -> Self {
        GithubWriter { out }
    }
}

impl<W: Write> Writer for GithubWriter<W> {
    fn batch(&mut self, batch: Batch<'_>) -> std::io::Result<()> {
        for e in batch.errors {
            let file = batch.sources.get(e.file);
            let mut properties = format!("file={}", property(&file.path.to_string_lossy()));
            if let Some(offset) = e.offset {
                let lc = file.line_col(offset);
                properties.push_str(&format!(",line={},col={}", lc.line, lc.column));
            }
            writeln!(
                self.out,
                "::error {properties},title=triggerlint::{}",
                data(&e.message)
            )?;
        }
        for f in batch.findings {
            let (start, end) = line_cols(batch.sources, f.span);
            let file = batch
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
            writeln!(
                self.out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                property(&file),
                start.line,
                start.column,
                end.line,
                end.column,
                property(&format!("{} {}", f.rule.code, f.rule.slug)),
                data(&message),
            )?;
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> std::io::Result<()> {
        writeln!(self.out, "{}", super::human::summary_line(summary))?;
        self.out.flush()
    }
}

pub fn render(run: &Run) -> String {
    let buffer = super::Buffer::default();
    super::render_run(&mut GithubWriter::new(buffer.clone()), run);
    buffer.text()
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
