//! `triggerlint rules`: the registry as a table or as JSON.

use crate::rules::ALL;

pub fn render_human() -> String {
    let slug_width = ALL.iter().map(|r| r.slug.len()).max().unwrap_or(0);
    let mut out = String::new();
    for rule in ALL {
        out.push_str(&format!(
            "{}  {:<slug_width$}  {:<7}  {}\n",
            rule.code,
            rule.slug,
            rule.severity.id(),
            rule.summary
        ));
    }
    out
}

pub fn render_json() -> String {
    let rules: Vec<serde_json::Value> = ALL
        .iter()
        .map(|r| {
            serde_json::json!({
                "code": r.code,
                "slug": r.slug,
                "severity": r.severity.id(),
                "summary": r.summary,
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&serde_json::json!({
        "version": 1,
        "rules": rules,
    }))
    .expect("rules serialise");
    text.push('\n');
    text
}
