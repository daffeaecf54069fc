//! TL304: self-managed Kafka access configurations that Lambda rejects.

use super::{Finding, Rule, Scope, Severity, access_types};
use crate::model::{SourceKind, Trigger};

pub static RULE: Rule = Rule {
    code: "TL304",
    slug: "kafka-incomplete-access-configuration",
    summary: "self-managed Kafka with half a VPC configuration or two authentication methods fails",
    severity: Severity::Error,
    docs: include_str!("../../rules/kafka-incomplete-access-configuration.md"),
    options: &[],
    check,
};

/// The types that choose how Lambda authenticates to the brokers; a trigger uses one.
const AUTHENTICATION: &[&str] = &[
    "BASIC_AUTH",
    "SASL_SCRAM_256_AUTH",
    "SASL_SCRAM_512_AUTH",
    "CLIENT_CERTIFICATE_TLS_AUTH",
];

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    if t.source != SourceKind::SelfManagedKafka {
        return Vec::new();
    }
    let Some(types) = access_types(t, scope.template) else {
        return Vec::new();
    };
    let Some(property) = t.property("SourceAccessConfigurations") else {
        return Vec::new();
    };
    let name = t.setting_name(&["SourceAccessConfigurations"]);
    let has = |wanted: &str| types.iter().find(|(t, _)| t == wanted);
    let mut findings = Vec::new();
    match (has("VPC_SUBNET"), has("VPC_SECURITY_GROUP")) {
        (Some((_, span)), None) => {
            findings.push(half_vpc(&name, *span, "VPC_SUBNET", "VPC_SECURITY_GROUP"))
        }
        (None, Some((_, span))) => {
            findings.push(half_vpc(&name, *span, "VPC_SECURITY_GROUP", "VPC_SUBNET"))
        }
        _ => {}
    }
    let mut methods: Vec<&(String, _)> = types
        .iter()
        .filter(|(t, _)| AUTHENTICATION.contains(&t.as_str()))
        .collect();
    methods.dedup_by(|a, b| a.0 == b.0);
    if let [first, second, ..] = methods.as_slice() {
        findings.push(
            RULE.at(
                second.1,
                format!(
                    "`{name}` has both {} and {}: a trigger authenticates to the brokers one way, \
                     and the deploy fails",
                    first.0, second.0
                ),
            )
            .label("second authentication method")
            .related(property.key_span, "access configurations")
            .help("keep the one authentication method the brokers expect"),
        );
    }
    findings
}

fn half_vpc(name: &str, span: crate::source::Span, has: &str, lacks: &str) -> Finding {
    RULE.at(
        span,
        format!("`{name}` has {has} but no {lacks}: Lambda needs both to reach brokers in a VPC, and the deploy fails"),
    )
    .label(format!("no {lacks}"))
    .help(format!("add a {lacks} entry (Lambda needs both subnets and security groups), or remove {has} if the brokers are public"))
}
