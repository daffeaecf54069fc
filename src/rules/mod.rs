//! The rule registry and the finding type every rule produces.
//!
//! A rule is a plain function of one trigger and its [`Scope`]: the template it came from, the
//! other triggers of that template (for rules about triggers sharing a source), and the
//! configuration. Cross-resource lookups go through `crate::links`. Severity belongs to the
//! rule; the long documentation lives in `rules/<slug>.md` and is compiled in.

mod broker_missing_basic_auth;
mod deployed_processing_problem;
mod dynamodb_stream_not_enabled;
mod dynamodb_too_many_readers;
mod filter_pattern_wrong_field;
mod invalid_filter_pattern;
mod invalid_on_failure_destination;
mod invalid_property_value;
pub mod invalid_syntax;
mod kafka_error_handling_without_provisioned_mode;
mod kafka_implicit_consumer_group;
mod kafka_incomplete_access_configuration;
mod kms_key_without_filter;
mod missing_batching_window;
pub mod missing_include;
mod missing_starting_position;
mod missing_starting_position_timestamp;
mod property_not_supported_for_source;
mod provisioned_pollers_billed_when_idle;
mod serverless_at_timestamp_dropped;
mod serverless_fn_sub_source_arn;
mod serverless_ignored_event_key;
mod serverless_intrinsic_arn_without_type;
mod serverless_s3_destination_gets_sqs_iam;
mod source_is_not_an_arn;
mod sqs_batch_window_required;
mod sqs_dlq_on_function;
mod sqs_fifo_batch_limits;
mod sqs_filter_deletes_messages;
mod sqs_low_max_receive_count;
mod sqs_no_partial_batch_response;
mod sqs_queue_without_dlq;
mod sqs_reserved_concurrency_throttling;
mod sqs_visibility_below_function_timeout;
mod sqs_visibility_timeout_margin;
mod stream_concurrency_below_parallelism;
mod stream_implicit_starting_position;
mod stream_missing_iterator_age_alarm;
mod stream_missing_on_failure_destination;
mod stream_no_bisect_on_error;
mod stream_record_age_exceeds_retention;
mod stream_small_batch_size;
mod stream_trim_horizon_replay;
mod stream_unbounded_record_age;
mod stream_unbounded_retries;
mod trigger_disabled;
pub mod unused_suppression;

use std::fmt;

use crate::model::{KindBasis, Prop, Setting, SettingValue, Trigger};
use crate::source::Span;
use crate::template::Template;

/// How serious a finding is. Ordered so that `Error > Warning > Note`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Note,
    /// The default `fail-on`.
    #[default]
    Warning,
    Error,
}

impl Severity {
    pub fn id(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "note" => Some(Severity::Note),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The severities and option values a configuration gives rules (the configuration file
/// fills them; rules know nothing of files).
#[derive(Clone, Debug, Default)]
pub struct RuleSettings {
    /// Severity overrides by rule code.
    pub severities: std::collections::BTreeMap<&'static str, Severity>,
    /// Rule option values by (rule code, option name); absent means the option's default.
    pub options: std::collections::BTreeMap<(&'static str, &'static str), i64>,
}

impl RuleSettings {
    pub fn severity_of(&self, rule: &Rule) -> Severity {
        self.severities
            .get(rule.code)
            .copied()
            .unwrap_or(rule.severity)
    }

    /// The value of a rule option: configured, else its default.
    pub fn option(&self, rule: &Rule, name: &str) -> i64 {
        let option = rule
            .options
            .iter()
            .find(|o| o.name == name)
            .unwrap_or_else(|| panic!("{} has no option {name}", rule.code));
        self.options
            .get(&(rule.code, option.name))
            .copied()
            .unwrap_or(option.default)
    }
}

/// What a rule sees besides the trigger it checks: the linked view of its template, and the
/// rule settings of the run.
pub struct Scope<'s> {
    pub view: crate::links::View<'s>,
    pub settings: &'s RuleSettings,
}

impl<'s> Scope<'s> {
    pub fn new(
        template: &'s Template<'s>,
        triggers: &'s [Trigger],
        settings: &'s RuleSettings,
    ) -> Self {
        Scope {
            view: crate::links::View::new(template, triggers),
            settings,
        }
    }
}

/// Rules read the template, the triggers and the links through the scope as if it were the view.
impl<'s> std::ops::Deref for Scope<'s> {
    type Target = crate::links::View<'s>;

    fn deref(&self) -> &Self::Target {
        &self.view
    }
}

pub type Check = fn(&Trigger, &Scope<'_>) -> Vec<Finding>;

pub struct Rule {
    pub code: &'static str,
    pub slug: &'static str,
    pub summary: &'static str,
    pub severity: Severity,
    /// The rule's page, `rules/<slug>.md`.
    pub docs: &'static str,
    /// Settings the configuration file may change (`[rules.<slug>]`).
    pub options: &'static [RuleOption],
    pub check: Check,
}

/// An integer setting of a rule, with its default and valid range.
#[derive(Debug)]
pub struct RuleOption {
    pub name: &'static str,
    pub default: i64,
    pub min: i64,
    pub max: i64,
    pub help: &'static str,
}

/// Where the rule pages are published: `rules/` of the repository.
const PAGES: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/rules/");

impl Rule {
    /// The rule's page on the web (what editors link a diagnostic's code to).
    pub fn page_url(&self) -> String {
        format!("{PAGES}{}.md", self.slug)
    }
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.slug)
    }
}

impl Rule {
    /// Whether a selector names this rule: its code, its slug, or a prefix of its code.
    pub fn matches(&self, selector: &str) -> bool {
        let selector = selector.trim();
        !selector.is_empty()
            && (self.slug == selector
                || self
                    .code
                    .to_ascii_uppercase()
                    .starts_with(&selector.to_ascii_uppercase()))
    }

    /// Starts a finding at `span` with the message shown as its title.
    pub fn at(&'static self, span: Span, message: impl Into<String>) -> Finding {
        Finding {
            rule: self,
            severity: self.severity,
            message: message.into(),
            span,
            label: None,
            help: None,
            related: Vec::new(),
            path: std::sync::Arc::from(""),
            function: None,
            source_kind: None,
            construct_path: None,
            mapping_uuid: None,
            module: None,
            plan_address: None,
            fix_plan: None,
            fix: None,
        }
    }
}

/// Every rule, in code order.
pub static ALL: &[&Rule] = &[
    &invalid_property_value::RULE,
    &missing_batching_window::RULE,
    &property_not_supported_for_source::RULE,
    &missing_starting_position::RULE,
    &trigger_disabled::RULE,
    &invalid_on_failure_destination::RULE,
    &source_is_not_an_arn::RULE,
    &missing_starting_position_timestamp::RULE,
    &serverless_ignored_event_key::RULE,
    &invalid_filter_pattern::RULE,
    &filter_pattern_wrong_field::RULE,
    &provisioned_pollers_billed_when_idle::RULE,
    &deployed_processing_problem::RULE,
    &kms_key_without_filter::RULE,
    &stream_unbounded_retries::RULE,
    &stream_unbounded_record_age::RULE,
    &stream_missing_on_failure_destination::RULE,
    &stream_no_bisect_on_error::RULE,
    &stream_implicit_starting_position::RULE,
    &stream_trim_horizon_replay::RULE,
    &stream_small_batch_size::RULE,
    &stream_missing_iterator_age_alarm::RULE,
    &stream_record_age_exceeds_retention::RULE,
    &dynamodb_stream_not_enabled::RULE,
    &stream_concurrency_below_parallelism::RULE,
    &dynamodb_too_many_readers::RULE,
    &sqs_batch_window_required::RULE,
    &sqs_fifo_batch_limits::RULE,
    &sqs_visibility_below_function_timeout::RULE,
    &sqs_visibility_timeout_margin::RULE,
    &sqs_queue_without_dlq::RULE,
    &sqs_low_max_receive_count::RULE,
    &sqs_no_partial_batch_response::RULE,
    &sqs_dlq_on_function::RULE,
    &sqs_reserved_concurrency_throttling::RULE,
    &sqs_filter_deletes_messages::RULE,
    &kafka_error_handling_without_provisioned_mode::RULE,
    &kafka_implicit_consumer_group::RULE,
    &broker_missing_basic_auth::RULE,
    &kafka_incomplete_access_configuration::RULE,
    &serverless_fn_sub_source_arn::RULE,
    &serverless_at_timestamp_dropped::RULE,
    &serverless_intrinsic_arn_without_type::RULE,
    &serverless_s3_destination_gets_sqs_iam::RULE,
    &unused_suppression::RULE,
    &missing_include::RULE,
    &invalid_syntax::RULE,
];

/// Looks a rule up by code (any case) or slug.
pub fn find(code_or_slug: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_slug) || r.slug == code_or_slug)
}

/// A secondary location shown with a finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// One reported problem.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static Rule,
    pub severity: Severity,
    /// The title: what is wrong and why, in one sentence.
    pub message: String,
    pub span: Span,
    /// A short text shown at the span.
    pub label: Option<String>,
    pub help: Option<String>,
    pub related: Vec<Related>,
    /// Logical path of the trigger (a stable identity that survives line changes).
    pub path: std::sync::Arc<str>,
    pub function: Option<std::sync::Arc<str>>,
    pub source_kind: Option<&'static str>,
    /// The CDK construct that synthesized the trigger, when the template says.
    pub construct_path: Option<std::sync::Arc<str>>,
    /// The UUID of a deployed mapping, read from the Lambda API's description.
    pub mapping_uuid: Option<std::sync::Arc<str>>,
    /// The Terraform module call the trigger was evaluated for, when it is in a called module.
    pub module: Option<std::sync::Arc<crate::model::ModuleCall>>,
    /// The resource address of a mapping read from a Terraform plan, which every output names
    /// (the plan's JSON is hard to read around a location).
    pub plan_address: Option<std::sync::Arc<str>>,
    /// What the rule proposes to change (set by rules with [`Finding::fix`]). Shared: a
    /// finding is copied whole where it is kept twice (the editor's last lint), and the plan is
    /// the largest part of it.
    pub fix_plan: Option<std::sync::Arc<crate::model::FixPlan>>,
    /// The plan resolved into edits by the engine, with the format's writer.
    pub fix: Option<crate::model::Fix>,
}

impl Finding {
    /// A severity other than the rule's, where this finding is milder (or graver) than the
    /// rule's usual case. The configuration's severity for the rule still wins.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// What to change to fix the finding; the engine turns it into edits.
    pub fn fix(mut self, plan: crate::model::FixPlan) -> Self {
        self.fix_plan = Some(std::sync::Arc::new(plan));
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    /// Related locations a link worked out (`links` knows nothing of findings).
    pub fn related_all(mut self, locations: impl IntoIterator<Item = (Span, String)>) -> Self {
        self.related.extend(
            locations
                .into_iter()
                .map(|(span, message)| Related { span, message }),
        );
        self
    }

    /// A related location for a value the finding depends on, and where that value is defined
    /// when it comes from elsewhere (a parameter's or variable's default, a var file).
    pub fn related_value<T>(
        self,
        span: Span,
        message: impl Into<String>,
        setting: &Setting<T>,
    ) -> Self {
        self.related(span, message)
            .related_all(setting.definition())
    }

    /// Fills in what every finding says about its trigger, and where a value it points at is
    /// defined when that is elsewhere (a parameter's default, SAM `Globals`).
    pub fn about(mut self, trigger: &Trigger) -> Self {
        self.path = trigger.path.clone();
        self.function = trigger.function.as_ref().map(|f| f.name.clone());
        self.source_kind = Some(trigger.source.id());
        self.construct_path.clone_from(&trigger.construct_path);
        self.mapping_uuid = trigger.deployed.as_ref().map(|d| d.uuid.clone());
        self.module.clone_from(&trigger.module_call);
        // The kind was assumed from the mapping's own settings: say so, as the finding rests
        // on it.
        let basis = &trigger.kind_basis;
        if let KindBasis::Arguments(_) | KindBasis::Grant { .. } = basis {
            let assumption = format!(
                "The source is taken to be {}: {basis}.",
                trigger.source.assumed_label()
            );
            self.help = Some(match self.help.take() {
                Some(help) => format!("{help} {assumption}"),
                None => assumption,
            });
        }
        if let KindBasis::Grant { statement, .. } = basis
            && !self.related.iter().any(|r| r.span == *statement)
        {
            self.related.push(Related {
                span: *statement,
                message: "the policy statement the source's kind is taken from".to_string(),
            });
        }
        self.plan_address =
            (trigger.format == crate::model::Format::TerraformPlan).then(|| trigger.path.clone());
        let definition = trigger
            .settings
            .origins()
            .find(|(span, _)| *span == self.span)
            .and_then(|(_, origin)| Some((origin.definition()?, origin.text()?)));
        if let Some((span, text)) = definition
            && !self.related.iter().any(|r| r.span == span)
        {
            self.related.push(Related {
                span,
                message: format!("the value comes from here ({text})"),
            });
        }
        self
    }
}

/// Runs the enabled rules (worked out once per file from the configuration) on one trigger.
pub fn check(trigger: &Trigger, scope: &Scope<'_>, enabled: &[&'static Rule]) -> Vec<Finding> {
    enabled
        .iter()
        .flat_map(|rule| (rule.check)(trigger, scope))
        .map(|mut f| {
            if let Some(&configured) = scope.settings.severities.get(f.rule.code) {
                f.severity = configured;
            }
            f.about(trigger)
        })
        .collect()
}

/// Where a finding about a setting points: the written value, else the key that declares the
/// trigger.
pub fn span_of<T>(trigger: &Trigger, setting: &Setting<T>) -> Span {
    match setting {
        Setting::Written { span, .. } => *span,
        _ => trigger.anchor,
    }
}

/// "`batchSize` is not set, so the Serverless Framework writes 10" / "`BatchSize` is 5":
/// the effective value and who chose it, in the author's own key names.
pub fn describe_setting<T: SettingValue>(
    trigger: &Trigger,
    prop: Prop,
    setting: &Setting<T>,
) -> String {
    let key = trigger.key_name(prop);
    match setting {
        Setting::Written { value, origin, .. } => match origin.text() {
            Some(origin) => format!("`{key}` is {}, {origin}", value.display()),
            None => format!("`{key}` is {}", value.display()),
        },
        Setting::ToolDefault { value, tool } => format!(
            "`{key}` is not set, so {} writes {}",
            tool.name(),
            value.display()
        ),
        Setting::ServiceDefault { value } => {
            format!("`{key}` is not set, so AWS uses {}", value.display())
        }
        Setting::Unset => format!("`{key}` is not set"),
        Setting::Unknown { why, .. } | Setting::Invalid { why, .. } => {
            format!("`{key}` {why}")
        }
    }
}

/// When the author's format has no key for a setting (the Serverless Framework cannot set
/// retries on `msk` events, say): that it cannot, and how to set it anyway.
pub fn inexpressible_hint(trigger: &Trigger, prop: Prop) -> Option<String> {
    if trigger.format_key(prop).is_some() {
        return None;
    }
    let name = prop.cfn_name();
    let event = trigger.event_type.as_deref().unwrap_or_default();
    match trigger.format {
        crate::model::Format::Serverless => Some(format!(
            "the Serverless Framework has no key for `{name}` on `{event}` events: declare this \
             mapping as an AWS::Lambda::EventSourceMapping under `resources`"
        )),
        // The object form names a queue that exists already: declaring it again would create
        // a second one.
        crate::model::Format::Sam if reads_existing_queue(trigger) => Some(format!(
            "an SNS event's `SqsSubscription` cannot set `{name}`: in place of \
             `SqsSubscription`, subscribe the existing queue to the topic with an \
             AWS::SNS::Subscription (`Protocol: sqs`) and read it with an SQS event of the \
             function"
        )),
        crate::model::Format::Sam => Some(format!(
            "an SNS event's `SqsSubscription` cannot set `{name}`: declare the queue as an \
             AWS::SQS::Queue subscribed to the topic and read it with an SQS event of the \
             function"
        )),
        crate::model::Format::Terraform | crate::model::Format::TerraformPlan => Some(format!(
            "the lambda module's `event_source_mapping` entries have no key for `{name}`: \
             declare an aws_lambda_event_source_mapping resource"
        )),
        _ => None,
    }
}

/// Whether a SAM SNS event's `SqsSubscription` names an existing queue (`QueueArn`, `QueueUrl`)
/// rather than having SAM create one (`SqsSubscription: true`).
fn reads_existing_queue(trigger: &Trigger) -> bool {
    trigger
        .property("EventSourceArn")
        .is_some_and(|p| p.key == "QueueArn")
}

/// `FunctionResponseTypes` with `ReportBatchItemFailures`, as the author writes it (the
/// Serverless Framework's `functionResponseType` takes the one value, and lists it itself).
pub fn report_failures_setting(trigger: &Trigger) -> String {
    const VALUE: &str = "ReportBatchItemFailures";
    let key = trigger.key_name(Prop::FunctionResponseTypes);
    if key == "functionResponseType" {
        trigger.format.set_text(key, VALUE)
    } else {
        trigger.format.set_list(key, &[VALUE])
    }
}

/// A help text, after the way around a format that cannot express the fix.
pub fn help_for(trigger: &Trigger, prop: Prop, help: String) -> String {
    match inexpressible_hint(trigger, prop) {
        Some(hint) => format!("{hint}, and {help}"),
        None => help,
    }
}

/// The `Type`s of a trigger's source access configurations, each with its span, when the list
/// is written and every type in it is known; `Some(empty)` when the property is not written.
pub fn access_types(trigger: &Trigger, template: &Template<'_>) -> Option<Vec<(String, Span)>> {
    let Some(property) = trigger.property("SourceAccessConfigurations") else {
        return Some(Vec::new());
    };
    let items = template.resolve(&property.value).ok()?;
    items
        .as_seq()?
        .iter()
        .map(|item| {
            let type_ = item.get("Type")?;
            let resolved = template.resolve(type_).ok()?;
            Some((resolved.as_str()?.to_string(), type_.span))
        })
        .collect()
}

/// A fix that gives one of the trigger's settings a value, titled in the author's key names;
/// `None` when the author's format has no key for the setting (the help says how to set it).
pub fn set_setting_fix(
    trigger: &Trigger,
    applicability: crate::model::Applicability,
    prop: Prop,
    value: crate::model::FixValue,
) -> Option<crate::model::FixPlan> {
    trigger.format_key(prop)?;
    let shown = value.shown();
    Some(
        crate::model::FixPlan::new(
            applicability,
            format!("Set `{}` to {shown}", trigger.key_name(prop)),
        )
        .change(crate::model::Change::SetSetting { prop, value }),
    )
}

/// A fix that removes a key the trigger writes itself, when it does (not one that comes from
/// SAM `Globals`).
pub fn remove_key_fix(trigger: &Trigger, name: &str) -> Option<crate::model::FixPlan> {
    let property = trigger.property(name)?;
    Some(
        crate::model::FixPlan::new(
            crate::model::Applicability::Safe,
            format!("Remove `{}`", property.key),
        )
        .change(crate::model::Change::RemoveKey {
            key_span: property.key_span,
        }),
    )
}

impl Finding {
    /// Attaches a fix plan when there is one.
    pub fn fix_opt(self, plan: Option<crate::model::FixPlan>) -> Self {
        match plan {
            Some(plan) => self.fix(plan),
            None => self,
        }
    }
}
