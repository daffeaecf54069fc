//! `triggerlint inspect`: every trigger found, with each setting's effective value and who
//! chose it. This is how a user sees what AWS will actually get.

use serde::Serialize;
use serde_json::Value as J;

use super::json::{JsonError, JsonSummary, errors, summary};
use crate::Run;
use crate::load::variables::{VariableTable, VariableUse};
use crate::model::{Setting, SettingValue, SettingView, Trigger};
use crate::source::{FileId, Sources, Span};
use crate::template::describe;

#[derive(Serialize)]
struct InspectReport {
    version: u32,
    triggers: Vec<J>,
    errors: Vec<JsonError>,
    summary: JsonSummary,
}

/// What kept files from being inspected: the run's errors, and the templates that do not
/// parse (which `check` reports as invalid-syntax findings).
fn problems(run: &Run) -> Vec<JsonError> {
    let syntax = &crate::rules::invalid_syntax::RULE;
    let unparsed = run
        .findings
        .iter()
        .filter(|f| std::ptr::eq(f.rule, syntax))
        .map(|f| {
            let file = run.sources.get(f.span.file);
            let at = file.line_col(f.span.start as usize);
            JsonError {
                file: super::display_path(&file.path),
                line: Some(at.line),
                column: Some(at.column),
                message: f.message.clone(),
            }
        });
    errors(run).into_iter().chain(unparsed).collect()
}

fn position(sources: &Sources, span: Option<Span>) -> (J, J) {
    match span {
        Some(span) => {
            let lc = sources.get(span.file).line_col(span.start as usize);
            (J::from(lc.line), J::from(lc.column))
        }
        None => (J::Null, J::Null),
    }
}

fn setting_json(run: &Run, key: String, view: &SettingView) -> J {
    let sources = &run.sources;
    let (line, column) = position(sources, view.span);
    let reason = match view.provenance {
        "unknown" | "invalid" => J::String(view.provenance_text.clone()),
        _ => J::Null,
    };
    let mut json = serde_json::json!({
        "key": key,
        "value": view.value.clone().unwrap_or(J::Null),
        "provenance": view.provenance,
        "line": line,
        "column": column,
        "reason": reason,
    });
    if let Some(used) = view.span.and_then(|s| run.variables.get(s)) {
        json["via"] = via_json(sources, used);
    }
    json
}

/// How a value came through Serverless variables: the expression, each definition on the way,
/// and any assumption.
fn via_json(sources: &Sources, used: &VariableUse) -> J {
    let definitions: Vec<J> = used
        .definitions
        .iter()
        .filter(|d| d.span != Span::default())
        .map(|d| {
            let file = sources.get(d.span.file);
            let lc = file.line_col(d.span.start as usize);
            serde_json::json!({
                "what": d.what,
                "file": super::display_path(&file.path),
                "line": lc.line,
                "column": lc.column,
            })
        })
        .collect();
    serde_json::json!({
        "expression": used.expression,
        "definitions": definitions,
        "assumption": used.assumption,
    })
}

/// " via ${self:custom.batch} (custom.batch at serverless.yml:40)".
fn via_text(sources: &Sources, used: &VariableUse) -> String {
    let chain: Vec<String> = used
        .definitions
        .iter()
        .filter(|d| d.span != Span::default())
        .map(|d| {
            let file = sources.get(d.span.file);
            let lc = file.line_col(d.span.start as usize);
            format!(
                "{} at {}:{}",
                d.what,
                super::display_path(&file.path),
                lc.line
            )
        })
        .collect();
    let mut text = format!(" via {}", used.expression);
    if !chain.is_empty() {
        text.push_str(&format!(" ({})", chain.join(" <- ")));
    }
    if let Some(assumption) = &used.assumption {
        text.push_str(&format!("; {assumption}"));
    }
    text
}

fn int_setting_json(sources: &Sources, setting: &Setting<i64>) -> J {
    let (line, column) = position(sources, setting.span());
    serde_json::json!({
        "value": setting.value().map(SettingValue::to_json).unwrap_or(J::Null),
        "provenance": setting.provenance_id(),
        "line": line,
        "column": column,
    })
}

/// A trigger as JSON, also used by the differential tests (which ignore the positions).
pub fn trigger_json(run: &Run, t: &Trigger) -> J {
    let sources = &run.sources;
    let (line, column) = position(sources, Some(t.anchor));
    let settings: serde_json::Map<String, J> = t
        .settings
        .relevant_views(t.source)
        .map(|view| {
            let name = view.prop.cfn_name().to_string();
            (
                name,
                setting_json(run, t.key_name(view.prop).to_string(), &view),
            )
        })
        .collect();
    let function = t.function.as_ref().map(|f| {
        serde_json::json!({
            "name": &*f.name,
            "in_template": f.in_template,
            "timeout": int_setting_json(sources, &f.timeout),
            "reserved_concurrency": int_setting_json(sources, &f.reserved_concurrency),
        })
    });
    serde_json::json!({
        "file": super::display_path(&sources.get(t.file).path),
        "line": line,
        "column": column,
        "path": t.path,
        "format": t.format.id(),
        "event_type": t.event_type,
        "function": function,
        "source_kind": t.source.id(),
        "source_kind_basis": t.kind_basis.to_string(),
        "event_source": t.event_source.as_ref().map(describe),
        "settings": settings,
        "deployed": t.deployed.as_ref().map(|d| serde_json::json!({
            "uuid": &*d.uuid,
            "state": d.state.as_ref().map(|(s, _)| s),
            "state_reason": d.state_reason,
            "last_processing_result": d.last_processing_result.as_ref().map(|(r, _)| r),
        })),
        "notes": t.notes.iter().map(|n| {
            let (line, column) = position(sources, Some(n.span));
            serde_json::json!({"line": line, "column": column, "message": n.message})
        }).collect::<Vec<_>>(),
    })
}

pub fn render_json(run: &Run) -> String {
    let report = InspectReport {
        version: 1,
        triggers: run.triggers.iter().map(|t| trigger_json(run, t)).collect(),
        errors: problems(run),
        summary: summary(run),
    };
    let mut text = serde_json::to_string_pretty(&report).expect("report serialises");
    text.push('\n');
    text
}

/// " (line 5)", or " (env/prod.yml:5)" for a value written in another file than the trigger.
fn where_written(sources: &Sources, span: Option<Span>, trigger_file: FileId) -> String {
    span.map(|s| {
        let file = sources.get(s.file);
        let lc = file.line_col(s.start as usize);
        if s.file == trigger_file {
            format!(" (line {})", lc.line)
        } else {
            format!(" ({}:{})", super::display_path(&file.path), lc.line)
        }
    })
    .unwrap_or_default()
}

/// One trigger as `inspect` prints it: where it is, its function and source, and every
/// setting with its effective value and who chose it (also the language server's hover).
pub fn trigger_human(sources: &Sources, variables: &VariableTable, t: &Trigger) -> String {
    let mut out = String::new();
    let file = sources.get(t.file);
    let lc = file.line_col(t.anchor.start as usize);
    out.push_str(&format!(
        "{}:{}:{}  {}\n",
        super::display_path(&file.path),
        lc.line,
        lc.column,
        t.path
    ));
    if let Some(f) = &t.function {
        out.push_str(&format!(
            "  function  {}  (timeout: {} s, {}{})\n",
            f.name,
            f.timeout.value().map_or("?".to_string(), i64::to_string),
            f.timeout.provenance_text(),
            where_written(sources, f.timeout.span(), t.file),
        ));
    }
    out.push_str(&format!(
        "  source    {} ({})\n",
        t.source.id(),
        t.kind_basis
    ));
    if let Some(source) = &t.event_source {
        out.push_str(&format!("            {}\n", describe(source)));
    }
    let rows: Vec<(String, String, String)> = t
        .settings
        .relevant_views(t.source)
        .map(|view| {
            (
                t.key_name(view.prop).to_string(),
                view.display.clone(),
                format!(
                    "{}{}{}",
                    view.provenance_text,
                    where_written(sources, view.span, t.file),
                    view.span
                        .and_then(|s| variables.get(s))
                        .map(|used| via_text(sources, used))
                        .unwrap_or_default()
                ),
            )
        })
        .collect();
    let key_width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let value_width = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    for (key, value, provenance) in rows {
        out.push_str(&format!(
            "    {key:<key_width$}  {value:<value_width$}  {provenance}\n"
        ));
    }
    for note in &t.notes {
        out.push_str(&format!(
            "  note: {}{}\n",
            note.message,
            where_written(sources, Some(note.span), t.file)
        ));
    }
    out
}

/// One block per trigger: location, function, source kind, then a settings table.
pub fn render_human(run: &Run) -> String {
    let mut out = String::new();
    for t in &run.triggers {
        out.push_str(&trigger_human(&run.sources, &run.variables, t));
        out.push('\n');
    }
    let problems = problems(run);
    for e in &problems {
        let at = match (e.line, e.column) {
            (Some(l), Some(c)) => format!(":{l}:{c}"),
            _ => String::new(),
        };
        out.push_str(&format!("error: {}{at}: {}\n", e.file, e.message));
    }
    out.push_str(&format!(
        "{} in {} ({} could not be read or parsed)\n",
        super::plural(run.triggers.len(), "trigger"),
        super::plural(run.files(), "file"),
        problems.len()
    ));
    out
}
