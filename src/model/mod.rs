//! The one trigger model every format is normalised into.
//!
//! A [`Trigger`] is an event source mapping as AWS will receive it: each setting carries its
//! effective value and who chose it ([`Setting`]). Nothing downstream of the loaders knows which
//! format a trigger came from, except to word a message with the user's own key names.

use std::sync::Arc;

use crate::source::{FileId, Span};
use crate::tree::Node;

mod fix;
mod format;
mod setting;
mod source_kind;

use format::{lower_first, snake_case};

pub use fix::{
    Applicability, Change, Fix, FixPlan, FixValue, SourceTexts, TextEdit, Writer, line_end_of,
};
pub use format::{
    Format, TERRAFORM_MAPPING_ARGUMENTS, TERRAFORM_MODULE_EVENT, Violation, resource_property_name,
    terraform_provider_validates,
};
pub use setting::{Origin, Prop, Property, Setting, SettingValue, SettingView, Settings, Tool};
pub use source_kind::{KindBasis, SourceKind};

/// The function a trigger invokes, with the settings of it that matter to triggers.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionInfo {
    /// Logical id (CloudFormation, SAM), function key (Serverless), or the literal name.
    pub name: Arc<str>,
    /// Whether `name` is a resource in the same template.
    pub in_template: bool,
    pub timeout: Setting<i64>,
    pub reserved_concurrency: Setting<i64>,
    /// The function's logical id in the deployed template (`HelloLambdaFunction` for a
    /// Serverless function named `hello`); what alarms and mappings refer to.
    pub resource_id: Option<Arc<str>>,
    /// The key that declares the function, for related labels.
    pub declared_at: Option<Span>,
    /// Where a dead-letter queue for asynchronous invokes is written (`DeadLetterConfig`, SAM
    /// `DeadLetterQueue`, Serverless `onError`).
    pub dead_letter: Option<Span>,
    /// Where the author gives the function an execution role of its own (`Role`, SAM
    /// `Globals`, Serverless `role`, `provider.role` or `provider.iam.role` as a name or ARN):
    /// SAM and the Serverless Framework then add no permission for a destination to it.
    pub own_role: Option<Span>,
}

impl FunctionInfo {
    /// Reserved concurrency, when the author wrote a known value, and where.
    pub fn written_reserved_concurrency(&self) -> Option<(i64, Span)> {
        match self.reserved_concurrency {
            Setting::Written { value, span, .. } => Some((value, span)),
            _ => None,
        }
    }
}

/// One event source mapping, normalised.
#[derive(Clone, Debug, PartialEq)]
pub struct Trigger {
    pub format: Format,
    /// Serverless event key (`stream`, `sqs`...) or SAM event `Type`; `None` for a plain
    /// CloudFormation resource.
    pub event_type: Option<String>,
    pub file: FileId,
    /// The key that declares the trigger: "unset" findings point here.
    pub anchor: Span,
    /// Logical path, e.g. `functions/consumer/events/0/stream` (shared by its findings).
    pub path: Arc<str>,
    pub source: SourceKind,
    pub kind_basis: KindBasis,
    /// The event source as written (`EventSourceArn`, SAM `Stream`/`Queue`..., Serverless `arn`).
    pub event_source: Option<Node>,
    pub function: Option<FunctionInfo>,
    pub properties: Vec<Property>,
    pub settings: Settings,
    /// What the loader noticed about how the deploy tool treats what was written (a value the
    /// Serverless Framework silently drops, say); shown by `inspect`.
    pub notes: Vec<LoaderNote>,
    /// `Metadata: {triggerlint: {ignore: [...]}}` entries of the mapping resource or of the
    /// function resource, which apply to this trigger.
    pub metadata_ignores: Vec<MetadataIgnore>,
    /// The CDK construct that synthesized the mapping (`Metadata["aws:cdk:path"]`), which is
    /// where the author changes it.
    pub construct_path: Option<Arc<str>>,
    /// The event as the author wrote it, for rules about how a deploy tool mishandles it (the
    /// Serverless event's settings); `None` for mapping resources and SAM events.
    pub declaration: Option<Node>,
    /// Keys of the event that the deploy tool does not read: it warns (or not) and deploys
    /// without them, so the settings they were meant to make are unset.
    pub ignored_keys: Vec<IgnoredKey>,
    /// What the Lambda API says of a deployed mapping besides its settings.
    pub deployed: Option<DeployedState>,
    /// The Terraform module call the trigger was evaluated for, when it is declared in a
    /// called module: one trigger per call.
    pub module_call: Option<Arc<ModuleCall>>,
    /// Where the trigger's own settings are written: the map of a mapping's `Properties`, a
    /// SAM event's `Properties`, a Serverless event's map (or its short-form scalar), a
    /// Terraform block's body. Fix writers add keys here. `None` for plans and deployed
    /// listings, which are never written.
    pub settings_at: Option<Span>,
}

/// A Terraform module call, as the findings of a called module name it.
#[derive(Clone, Debug, PartialEq)]
pub struct ModuleCall {
    /// The module instance's address (`module.orders`, `module.app.module.queue["a"]`).
    pub address: String,
    /// The `module` blocks of the chain of calls, outermost first.
    pub sites: Vec<Span>,
}

/// A deployed mapping's identity and state, as the Lambda API describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct DeployedState {
    pub uuid: Arc<str>,
    /// `State` (`Enabled`, `Disabled`, `Creating`, `Updating`...) and where it is written.
    pub state: Option<(String, Span)>,
    pub state_reason: Option<String>,
    /// `LastProcessingResult` (`OK`, `No records processed`, `PROBLEM: ...`).
    pub last_processing_result: Option<(String, Span)>,
}

/// A key the deploy tool does not read for this kind of event.
#[derive(Clone, Debug, PartialEq)]
pub struct IgnoredKey {
    pub key: String,
    pub span: Span,
    pub meant: MeantSetting,
}

/// What an ignored key was probably meant to set.
#[derive(Clone, Debug, PartialEq)]
pub enum MeantSetting {
    /// The event reads this setting under another key.
    OtherKey(&'static str),
    /// A mapping property (its CloudFormation name) that the event has no key for.
    NotOnEvent(&'static str),
    /// A setting this kind of source does not have at all, and why.
    NotForSource(&'static str),
    /// Nothing the tool knows by a similar name.
    Unknown,
}

/// One entry of a resource's `Metadata.triggerlint.ignore` list.
#[derive(Clone, Debug, PartialEq)]
pub struct MetadataIgnore {
    /// A rule code, slug or code prefix.
    pub selector: String,
    pub reason: Option<String>,
    pub span: Span,
}

impl MetadataIgnore {
    /// Reads `Metadata.triggerlint.ignore` of a resource: entries are selectors, or mappings
    /// `{rule: <selector>, reason: <text>}`.
    pub fn of_resource(resource: &Node) -> Vec<MetadataIgnore> {
        let Some(entries) = resource
            .get_path(&["Metadata", "triggerlint", "ignore"])
            .and_then(Node::as_seq)
        else {
            return Vec::new();
        };
        entries
            .iter()
            .filter_map(|entry| {
                let (selector, reason) = match entry.as_str() {
                    Some(s) => (s, None),
                    None => (
                        entry.get("rule")?.as_str()?,
                        entry.get("reason").and_then(Node::as_str),
                    ),
                };
                Some(MetadataIgnore {
                    selector: selector.to_string(),
                    reason: reason.map(str::to_string),
                    span: entry.span,
                })
            })
            .collect()
    }
}

/// A remark about a written value, at that value.
#[derive(Clone, Debug, PartialEq)]
pub struct LoaderNote {
    pub span: Span,
    pub message: String,
}

impl Trigger {
    /// The name the author would use for a setting: their own key when they wrote it, else
    /// the name their format uses.
    pub fn key_name(&self, prop: Prop) -> &str {
        let top_level = !prop.cfn_name().contains('.');
        if top_level && let Some(p) = self.property(prop.cfn_name()) {
            return &p.key;
        }
        self.format_key(prop).unwrap_or(prop.cfn_name())
    }

    /// The key the author's format has for a setting on this trigger; `None` when the format
    /// cannot express it (retries on a Serverless `sqs` event, a batching window on a SAM SNS
    /// subscription).
    pub fn format_key(&self, prop: Prop) -> Option<&'static str> {
        match (self.format, self.event_type.as_deref()) {
            (Format::Serverless, Some(event)) => prop.serverless_key(event),
            (Format::Sam, Some("SNS")) => (prop == Prop::BatchSize).then_some("BatchSize"),
            (Format::Terraform, Some(TERRAFORM_MODULE_EVENT)) => prop.terraform_module_key(),
            (Format::Terraform | Format::TerraformPlan, _) => Some(prop.terraform_key()),
            _ => Some(prop.cfn_name()),
        }
    }

    /// The author's name for a setting given as a path of CloudFormation keys
    /// (`["AmazonManagedKafkaEventSourceConfig", "ConsumerGroupId"]`), written or not.
    pub fn setting_name(&self, path: &[&str]) -> String {
        let Some((top, nested)) = path.split_first() else {
            return String::new();
        };
        // A property that holds the path names it (a translated key such as Serverless
        // `maximumConcurrency` names the value alone), else one that spells out its nesting.
        let written = || self.properties.iter().filter(|p| p.name == *top);
        let naming = written()
            .find(|p| p.nested(nested).is_some())
            .or_else(|| written().find(|p| p.key == p.name || !p.nested_names.is_empty()));
        if let Some(p) = naming {
            return p.display_path(nested.iter().copied());
        }
        let event = self.event_type.as_deref().unwrap_or_default();
        match (self.format, *top) {
            (Format::Serverless, "SourceAccessConfigurations") => match event {
                "kafka" => "accessConfigurations",
                "msk" => "saslScram512",
                _ => "basicAuthArn",
            }
            .to_string(),
            (Format::Terraform | Format::TerraformPlan, "SourceAccessConfigurations") => {
                "source_access_configuration".to_string()
            }
            _ => self.nested_setting_name(path),
        }
    }

    /// `setting_name` for the paths every format spells by a rule.
    fn nested_setting_name(&self, path: &[&str]) -> String {
        let nested = &path[1..];
        let kafka_config = path[0].ends_with("KafkaEventSourceConfig");
        match self.format {
            Format::Serverless if kafka_config => nested
                .iter()
                .map(|k| lower_first(k))
                .collect::<Vec<_>>()
                .join("."),
            Format::Sam if kafka_config => nested.join("."),
            Format::Terraform | Format::TerraformPlan => path
                .iter()
                .map(|k| snake_case(k))
                .collect::<Vec<_>>()
                .join("."),
            _ => path.join("."),
        }
    }

    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// The function and its written reserved concurrency (value and span), when both are known.
    pub fn reserved_concurrency(&self) -> Option<(&FunctionInfo, i64, Span)> {
        let function = self.function.as_ref()?;
        let (value, span) = function.written_reserved_concurrency()?;
        Some((function, value, span))
    }

    pub fn function_name(&self) -> Option<&str> {
        self.function.as_ref().map(|f| &*f.name)
    }
}
