//! A Terraform plan's mappings, located in the `.tf` files they were planned from. The plan
//! names each module call's `source` and each resource's address; saved in its root module's
//! folder (`terraform show -json tf.plan > plan.json`), it sits beside those files, so each
//! finding about a mapping also points at the mapping's `resource` block.

use std::path::Path;

use super::FileReport;
use crate::hcl::Body;
use crate::load::plan::declarations;
use crate::load::terraform::resources::declaration_span;
use crate::parse;
use crate::rules::Related;
use crate::source::{FileId, FileIds, SourceFile, Span};
use crate::tree::Node;

/// The `.tf` files of one module folder, parsed.
struct Folder<'a> {
    name: &'a str,
    files: Vec<(FileId, SourceFile, Body)>,
}

/// Adds the `resource` block of each finding's mapping as a related location, where the
/// plan's configuration leads to one in the linted tree.
pub(super) fn point_at_declarations(
    report: &mut FileReport,
    plan: &Path,
    lowered: &Node,
    ids: &FileIds,
) {
    let declarations = declarations(lowered);
    if declarations.is_empty() {
        return;
    }
    // A plan read from standard input is the working folder's.
    let root = match plan.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    let mut folders: Vec<Folder<'_>> = Vec::new();
    let mut found: Vec<(&str, Span)> = Vec::new();
    for declaration in &declarations {
        let index = match folders.iter().position(|f| f.name == declaration.folder) {
            Some(index) => index,
            None => {
                folders.push(read_folder(
                    &root.join(declaration.folder),
                    declaration.folder,
                    ids,
                ));
                folders.len() - 1
            }
        };
        let span = folders[index].files.iter().find_map(|(_, _, body)| {
            body.blocks()
                .find(|b| {
                    b.kind == "resource"
                        && b.label(0) == Some(declaration.type_)
                        && b.label(1) == Some(declaration.name)
                })
                .map(declaration_span)
        });
        if let Some(span) = span {
            found.push((declaration.address, span));
        }
    }
    let mut used: Vec<FileId> = Vec::new();
    for finding in report.findings.iter_mut().chain(report.ignored.iter_mut()) {
        if let Some((_, span)) = found.iter().find(|(a, _)| *a == &*finding.path) {
            finding.related.push(Related {
                span: *span,
                message: "the mapping's resource block".to_string(),
            });
            used.push(span.file);
        }
    }
    for (id, source, _) in folders.into_iter().flat_map(|f| f.files) {
        if used.contains(&id) {
            report.sources.insert(id, source);
        }
    }
}

/// The `.tf` files of a folder that parse; none when it cannot be read.
fn read_folder<'a>(dir: &Path, name: &'a str, ids: &FileIds) -> Folder<'a> {
    let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    paths.sort();
    let files = paths
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let id = ids.next();
            let body = parse::hcl::parse(&text, id).ok()?;
            Some((id, SourceFile::new(path, text), body))
        })
        .collect();
    Folder { name, files }
}
