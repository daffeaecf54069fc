//! The layers run one way (DESIGN.md): no two top-level modules of the library import each
//! other, and nothing the rules read (links, the model, the template view) imports the rules.
//! Read from the sources, outside their `#[cfg(test)]` modules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each top-level module (`links`, `rules`, `load`...) and the top-level modules it names as
/// `crate::<name>`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(&src).unwrap();
            let first = relative.components().next().unwrap();
            let module = first
                .as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap();
            let names = out.entry(module.clone()).or_default();
            for (i, _) in code.match_indices("crate::") {
                let name: String = code[i + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != module {
                    names.insert(name);
                }
            }
        }
    }
    out
}

#[test]
fn no_two_top_level_modules_import_each_other() {
    let imports = imports();
    let mut circles = Vec::new();
    for (module, names) in &imports {
        for name in names {
            if module < name && imports.get(name).is_some_and(|n| n.contains(module)) {
                circles.push(format!("{module} <-> {name}"));
            }
        }
    }
    assert_eq!(circles, Vec::<String>::new());
}

#[test]
fn what_rules_read_does_not_import_the_rules() {
    let imports = imports();
    for below in ["links", "model", "template", "kind", "tree", "source"] {
        assert!(
            !imports[below].contains("rules"),
            "{below} imports rules: {:?}",
            imports[below]
        );
    }
}
