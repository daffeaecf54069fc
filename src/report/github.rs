//! GitHub Actions workflow commands: each finding becomes an annotation on the pull request's
//! diff (`::warning file=...,line=...::message`).

use super::{Batch, Render, Rendered, line_cols};
use crate::Run;
use crate::rules::Severity;

/// One workflow command per error and finding.
#[derive(Clone, Copy, Debug, Default)]
pub struct GithubRender;

impl Render for GithubRender {
    fn render(&self, batch: Batch<'_>) -> Rendered {
        let mut items: Vec<String> = batch
            .errors
            .iter()
            .map(|e| {
                let file = batch.sources.get(e.file);
                let mut properties = format!("file={}", property(&super::display_path(&file.path)));
                if let Some(offset) = e.offset {
                    let lc = file.line_col(offset);
                    properties.push_str(&format!(",line={},col={}", lc.line, lc.column));
                }
                format!(
                    "::error {properties},title=triggerlint::{}\n",
                    data(&e.message)
                )
            })
            .collect();
        items.extend(batch.findings.iter().map(|f| {
            let (start, end) = line_cols(batch.sources, f.span);
            let file = super::display_path(&batch.sources.get(f.span.file).path);
            let command = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "notice",
            };
            let mut message = f.message.clone();
            if let Some(construct) = &f.construct_path {
                message.push_str(&format!("\nCDK construct: {construct}"));
            }
            if let Some(uuid) = &f.mapping_uuid {
                message.push_str(&format!("\nDeployed mapping: {uuid}"));
            }
            if let Some(call) = &f.module {
                let text = super::module_call_text(batch.sources, call);
                message.push_str(&format!("\nModule: {text}"));
            }
            if let Some(address) = &f.plan_address {
                message.push_str(&format!("\nTerraform resource: {address}"));
            }
            if let Some(help) = &f.help {
                message.push_str(&format!("\nHelp: {help}"));
            }
            format!(
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                property(&file),
                start.line,
                start.column,
                end.line,
                end.column,
                property(&format!("{} {}", f.rule.code, f.rule.slug)),
                data(&message),
            )
        }));
        Rendered {
            items,
            deferred: Vec::new(),
        }
    }
}

pub fn render(run: &Run) -> String {
    let buffer = super::Buffer::default();
    super::render_run(
        &GithubRender,
        &mut super::TextWriter::new(buffer.clone()),
        run,
    );
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
