//! Fixes of Terraform triggers that share what they are written in: every call of a module
//! evaluates the module's mapping block again, and every `for_each` / `count` instance is the
//! same block. An edit there changes every trigger that reads it, so it is applied only when
//! each of them has a finding of the same rule whose fix makes the very same edits; otherwise
//! the fix is display only and says which instance differs.

use crate::fxhash::FxHashMap;
use crate::model::{Applicability, Fix, SourceTexts, TextEdit, Trigger};
use crate::rules::Finding;
use crate::source::Span;

/// Lowers to display only the Terraform fixes whose edits reach triggers that do not want
/// them (see the module's documentation). `triggers` are the report's, `findings` its
/// findings with their fixes resolved.
pub fn reconcile_shared(texts: &dyn SourceTexts, triggers: &[Trigger], findings: &mut [Finding]) {
    let mut sharing: FxHashMap<Span, Vec<&Trigger>> = FxHashMap::default();
    for trigger in triggers {
        if let Some(at) = trigger.settings_at {
            sharing.entry(at).or_default().push(trigger);
        }
    }
    sharing.retain(|_, group| group.len() > 1);
    if sharing.is_empty() {
        return;
    }
    let by_path: FxHashMap<&str, &Trigger> = triggers.iter().map(|t| (&*t.path, t)).collect();
    let mut fixes: FxHashMap<(&str, &str), &Fix> = FxHashMap::default();
    for finding in findings.iter() {
        if let Some(fix) = finding.fix.as_ref().filter(|f| is_applied(f)) {
            fixes
                .entry((&*finding.path, finding.rule.code))
                .or_insert(fix);
        }
    }
    let mut calls = CallBlocks::new(texts);
    // Whether every trigger of a block has the same fix of a rule: then none is lowered, and
    // a large `for_each` or call fan-out is settled once rather than trigger by trigger.
    let mut unanimous: FxHashMap<(Span, &str), bool> = FxHashMap::default();
    let verdicts: Vec<Option<String>> = findings
        .iter()
        .map(|finding| {
            let fix = finding.fix.as_ref().filter(|f| is_applied(f))?;
            let trigger = by_path.get(&*finding.path)?;
            let at = trigger.settings_at?;
            let group = sharing.get(&at)?;
            let code = finding.rule.code;
            let theirs = |other: &Trigger| fixes.get(&(&*other.path, code)).copied();
            let all_alike = *unanimous.entry((at, code)).or_insert_with(|| {
                group
                    .iter()
                    .all(|u| theirs(u).is_some_and(|f| f.edits == fix.edits))
            });
            if all_alike {
                return None;
            }
            why_not_shared(trigger, group, fix, theirs, &mut calls)
        })
        .collect();
    for (finding, why) in findings.iter_mut().zip(verdicts) {
        if let (Some(why), Some(fix)) = (why, finding.fix.as_mut()) {
            fix.applicability = Applicability::Display;
            fix.edits.clear();
            fix.why_display = Some(why);
        }
    }
}

fn is_applied(fix: &Fix) -> bool {
    fix.applicability != Applicability::Display && !fix.edits.is_empty()
}

/// Why a fix may not be applied to a block `trigger` shares with `group`, if so; `theirs`
/// gives another trigger's fix of the same rule.
fn why_not_shared<'f>(
    trigger: &Trigger,
    group: &[&Trigger],
    fix: &Fix,
    theirs: impl Fn(&Trigger) -> Option<&'f Fix>,
    calls: &mut CallBlocks<'_>,
) -> Option<String> {
    for other in group.iter().filter(|u| u.path != trigger.path) {
        if !fix.edits.iter().any(|e| reaches(calls, trigger, other, e)) {
            continue;
        }
        let (one, two) = instances(trigger, other);
        match theirs(other) {
            Some(their) if their.edits == fix.edits => {}
            Some(_) => {
                return Some(format!(
                    "{one} and {two} share this block and need different values"
                ));
            }
            None => {
                return Some(format!(
                    "{one} shares this block with {two}, which does not need the change"
                ));
            }
        }
    }
    None
}

/// Whether an edit of `trigger`'s fix changes what `other` reads: always, unless it is inside
/// a module call of `trigger`'s chain that `other` is not evaluated through (an argument of
/// that call alone).
fn reaches(
    calls: &mut CallBlocks<'_>,
    trigger: &Trigger,
    other: &Trigger,
    edit: &TextEdit,
) -> bool {
    let Some(own) = &trigger.module_call else {
        return true;
    };
    let other_sites: &[Span] = other.module_call.as_ref().map_or(&[], |c| &c.sites);
    !own.sites
        .iter()
        .filter(|site| !other_sites.contains(site))
        .filter_map(|site| calls.block(*site))
        .any(|call| call.file == edit.file && call.start <= edit.start && edit.end <= call.end)
}

/// The whole `module` blocks of call sites (`module "name"`), each file read once.
struct CallBlocks<'t> {
    texts: &'t dyn SourceTexts,
    blocks: FxHashMap<Span, Option<Span>>,
}

impl<'t> CallBlocks<'t> {
    fn new(texts: &'t dyn SourceTexts) -> CallBlocks<'t> {
        CallBlocks {
            texts,
            blocks: FxHashMap::default(),
        }
    }

    fn block(&mut self, site: Span) -> Option<Span> {
        if let Some(known) = self.blocks.get(&site) {
            return *known;
        }
        // The lint's own parse of the file when the texts keep it.
        let parsed;
        let body = match self.texts.hcl(site.file) {
            Some(body) => body,
            None => {
                parsed = crate::parse::hcl::parse(self.texts.text(site.file)?, site.file).ok()?;
                &parsed
            }
        };
        for block in body.blocks().filter(|b| b.kind == "module") {
            let declaration = crate::load::terraform::resources::declaration_span(block);
            self.blocks.insert(declaration, Some(block.span));
        }
        *self.blocks.entry(site).or_insert(None)
    }
}

/// How a message names two instances: by their module calls when those differ, else by their
/// addresses.
fn instances<'t>(one: &'t Trigger, two: &'t Trigger) -> (&'t str, &'t str) {
    match (&one.module_call, &two.module_call) {
        (Some(a), Some(b)) if a.address != b.address => (&a.address, &b.address),
        _ => (&one.path, &two.path),
    }
}
