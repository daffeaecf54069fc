//! One line per finding, `path:line:col: CODE [severity] message`, as compilers and ruff print
//! them: what a large repository's output needs to stay readable and greppable.

use super::{Batch, Render, Rendered};
use crate::report::{display_path, line_cols};

#[derive(Clone, Copy, Debug, Default)]
pub struct ConciseRender;

impl Render for ConciseRender {
    fn render(&self, batch: Batch<'_>) -> Rendered {
        let mut items: Vec<String> = batch
            .errors
            .iter()
            .map(|e| {
                let file = batch.sources.get(e.file);
                let at = e.offset.map_or_else(String::new, |offset| {
                    let lc = file.line_col(offset);
                    format!(":{}:{}", lc.line, lc.column)
                });
                format!("{}{at}: error: {}\n", display_path(&file.path), e.message)
            })
            .collect();
        items.extend(batch.findings.iter().map(|f| {
            let (start, _) = line_cols(batch.sources, f.span);
            let module = f.module.as_ref().map_or_else(String::new, |call| {
                format!(" (in {})", super::module_call_text(batch.sources, call))
            });
            format!(
                "{}:{}:{}: {} [{}] {}{module}\n",
                display_path(&batch.sources.get(f.span.file).path),
                start.line,
                start.column,
                f.rule.code,
                f.severity,
                f.message
            )
        }));
        Rendered {
            items,
            deferred: Vec::new(),
        }
    }
}
