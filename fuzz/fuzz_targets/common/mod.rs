//! Shared by the loader targets: parse (YAML, or JSON when the text opens like JSON), force one
//! loader onto the tree, and run every rule on what it found.

use triggerlint::config::Config;
use triggerlint::model::Format;
use triggerlint::parse;
use triggerlint::source::FileId;

#[allow(dead_code)] // each target uses only part of this module
pub fn load_as(format: Format, data: &[u8]) {
    let Ok(text) = parse::decode(data) else {
        return;
    };
    let syntax = parse::syntax_of(std::path::Path::new("fuzz.template"), &text);
    let Ok(Some(root)) = parse::parse(&text, syntax, FileId(0)) else {
        return;
    };
    let root = triggerlint::load::with_created_resources(format, root);
    let loaded = triggerlint::load::load(format, FileId(0), &root);
    let config = Config::default();
    let enabled = config.enabled_rules();
    let scope = triggerlint::rules::Scope::new(&loaded.template, &loaded.triggers, &config.rules);
    for trigger in &loaded.triggers {
        let _ = triggerlint::rules::check(trigger, &scope, &enabled);
    }
}

/// Renders a run in every output format: spans must stay inside the text they point into.
#[allow(dead_code)] // each target uses only part of this module
pub fn render_every_format(run: &triggerlint::Run) {
    use triggerlint::report::{self, human};
    let style = human::Style {
        color: false,
        unicode: true,
    };
    let _ = human::render(run, style);
    let _ = report::json::render(run);
    let _ = report::sarif::render(run);
    let _ = report::github::render(run);
    let _ = report::inspect::render_json(run);
    let _ = report::inspect::render_human(run);
}
