//! TL303: Amazon MQ and DocumentDB triggers need exactly one BASIC_AUTH secret.

use super::{Finding, Rule, Scope, Severity, access_types};
use crate::model::{SourceKind, Trigger};

pub static RULE: Rule = Rule {
    code: "TL303",
    slug: "broker-missing-basic-auth",
    summary: "an Amazon MQ or DocumentDB trigger without exactly one BASIC_AUTH secret fails",
    severity: Severity::Error,
    docs: include_str!("../../rules/broker-missing-basic-auth.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    if !matches!(t.source, SourceKind::Mq | SourceKind::DocumentDb) {
        return Vec::new();
    }
    let Some(types) = access_types(t, scope.template) else {
        return Vec::new();
    };
    let basic: Vec<_> = types.iter().filter(|(t, _)| t == "BASIC_AUTH").collect();
    let name = t.setting_name(&["SourceAccessConfigurations"]);
    let (span, message) = match (t.property("SourceAccessConfigurations"), basic.as_slice()) {
        (None, _) => (
            t.anchor,
            format!(
                "no `{name}`: the {} trigger has no credentials",
                t.source.label()
            ),
        ),
        (Some(p), []) => (
            p.key_span,
            format!(
                "`{name}` has no BASIC_AUTH secret: the {} trigger has no credentials",
                t.source.label()
            ),
        ),
        (Some(_), [_, second, ..]) => (
            second.1,
            format!(
                "`{name}` has {} BASIC_AUTH secrets; a trigger takes one",
                basic.len()
            ),
        ),
        (Some(_), [_]) => return Vec::new(),
    };
    vec![
        RULE.at(span, format!("{message}, and the deploy fails"))
            .label("needs one BASIC_AUTH")
            .help(
                "give exactly one source access configuration of type BASIC_AUTH whose URI is the \
                 Secrets Manager secret with the broker's or cluster's user name and password",
            ),
    ]
}
