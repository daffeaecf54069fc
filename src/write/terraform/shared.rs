//! Fixes of Terraform triggers that share what they are written in: every call of a module
//! evaluates the module's mapping block again, and every `for_each` / `count` instance is the
//! same block. An edit there changes every trigger that reads it, so it is applied only when
//! each of them has a finding of the same rule whose fix makes the very same edits; otherwise
//! the fix is display only and says which instance differs.

use crate::model::{Applicability, SourceTexts, TextEdit, Trigger};
use crate::rules::Finding;
use crate::source::Span;

/// Lowers to display only the Terraform fixes whose edits reach triggers that do not want
/// them (see the module's documentation). `triggers` are the report's, `findings` its
/// findings with their fixes resolved.
pub fn reconcile_shared(texts: &dyn SourceTexts, triggers: &[Trigger], findings: &mut [Finding]) {
    let verdicts: Vec<Option<String>> = findings
        .iter()
        .map(|finding| why_not_shared(texts, triggers, findings, finding))
        .collect();
    for (finding, why) in findings.iter_mut().zip(verdicts) {
        if let (Some(why), Some(fix)) = (why, finding.fix.as_mut()) {
            fix.applicability = Applicability::Display;
            fix.edits.clear();
            fix.why_display = Some(why);
        }
    }
}

/// Why a finding's fix may not be applied to a block it shares, if so.
fn why_not_shared(
    texts: &dyn SourceTexts,
    triggers: &[Trigger],
    findings: &[Finding],
    finding: &Finding,
) -> Option<String> {
    let fix = finding.fix.as_ref()?;
    if fix.applicability == Applicability::Display || fix.edits.is_empty() {
        return None;
    }
    let trigger = trigger_of(triggers, finding)?;
    let at = trigger.settings_at?;
    let sharers = triggers
        .iter()
        .filter(|u| u.path != trigger.path && u.settings_at == Some(at))
        .filter(|u| fix.edits.iter().any(|e| reaches(texts, trigger, u, e)));
    for other in sharers {
        let same_rule = findings
            .iter()
            .filter(|f| f.path == other.path && f.rule.code == finding.rule.code)
            .filter_map(|f| f.fix.as_ref())
            .find(|f| f.applicability != Applicability::Display);
        match same_rule {
            Some(theirs) if theirs.edits == fix.edits => {}
            Some(_) => {
                let (one, two) = instances(trigger, other);
                return Some(format!(
                    "{one} and {two} share this block and need different values"
                ));
            }
            None => {
                let (one, two) = instances(trigger, other);
                return Some(format!(
                    "{one} shares this block with {two}, which does not need the change"
                ));
            }
        }
    }
    None
}

fn trigger_of<'t>(triggers: &'t [Trigger], finding: &Finding) -> Option<&'t Trigger> {
    triggers.iter().find(|t| t.path == finding.path)
}

/// Whether an edit of `trigger`'s fix changes what `other` reads: always, unless it is inside
/// a module call of `trigger`'s chain that `other` is not evaluated through (an argument of
/// that call alone).
fn reaches(texts: &dyn SourceTexts, trigger: &Trigger, other: &Trigger, edit: &TextEdit) -> bool {
    let other_sites: Vec<Span> = other
        .module_call
        .iter()
        .flat_map(|c| c.sites.iter().copied())
        .collect();
    !trigger
        .module_call
        .iter()
        .flat_map(|c| c.sites.iter())
        .filter(|site| !other_sites.contains(site))
        .filter_map(|site| call_block(texts, *site))
        .any(|call| call.file == edit.file && call.start <= edit.start && edit.end <= call.end)
}

/// The whole `module` block whose declaration (`module "name"`) is at `site`.
fn call_block(texts: &dyn SourceTexts, site: Span) -> Option<Span> {
    let text = texts.text(site.file)?;
    let body = crate::parse::hcl::parse(text, site.file).ok()?;
    body.blocks()
        .find(|b| crate::load::terraform::resources::declaration_span(b) == site)
        .map(|b| b.span)
}

/// How a message names two instances: by their module calls when those differ, else by their
/// addresses.
fn instances<'t>(one: &'t Trigger, two: &'t Trigger) -> (&'t str, &'t str) {
    match (&one.module_call, &two.module_call) {
        (Some(a), Some(b)) if a.address != b.address => (&a.address, &b.address),
        _ => (&one.path, &two.path),
    }
}
