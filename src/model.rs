//! The one trigger model every format is normalised into.
//!
//! A [`Trigger`] is an event source mapping as AWS will receive it: each setting carries its
//! effective value and who chose it ([`Setting`]). Nothing downstream of the loaders knows which
//! format a trigger came from, except to word a message with the user's own key names.

use std::fmt;

use crate::source::{FileId, Span};
use crate::tree::Node;

/// The format a trigger was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    CloudFormation,
    Sam,
    Serverless,
}

impl Format {
    pub fn id(self) -> &'static str {
        match self {
            Format::CloudFormation => "cloudformation",
            Format::Sam => "sam",
            Format::Serverless => "serverless",
        }
    }
}

/// What the trigger reads from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceKind {
    Kinesis,
    DynamoDb,
    Sqs { fifo: bool },
    Msk,
    SelfManagedKafka,
    Mq,
    DocumentDb,
    Unknown,
}

impl SourceKind {
    /// The stable identifier used in JSON output.
    pub fn id(self) -> &'static str {
        match self {
            SourceKind::Kinesis => "kinesis",
            SourceKind::DynamoDb => "dynamodb",
            SourceKind::Sqs { fifo: false } => "sqs",
            SourceKind::Sqs { fifo: true } => "sqs-fifo",
            SourceKind::Msk => "msk",
            SourceKind::SelfManagedKafka => "self-managed-kafka",
            SourceKind::Mq => "mq",
            SourceKind::DocumentDb => "documentdb",
            SourceKind::Unknown => "unknown",
        }
    }

    /// How messages name it.
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Kinesis => "Kinesis",
            SourceKind::DynamoDb => "DynamoDB stream",
            SourceKind::Sqs { fifo: false } => "SQS",
            SourceKind::Sqs { fifo: true } => "SQS FIFO",
            SourceKind::Msk => "MSK",
            SourceKind::SelfManagedKafka => "self-managed Kafka",
            SourceKind::Mq => "Amazon MQ",
            SourceKind::DocumentDb => "DocumentDB",
            SourceKind::Unknown => "unknown source",
        }
    }

    /// Kinesis Data Streams and DynamoDB Streams: shard-ordered, retried until expiry.
    pub fn is_stream(self) -> bool {
        matches!(self, SourceKind::Kinesis | SourceKind::DynamoDb)
    }

    pub fn is_kafka(self) -> bool {
        matches!(self, SourceKind::Msk | SourceKind::SelfManagedKafka)
    }

    pub fn is_sqs(self) -> bool {
        matches!(self, SourceKind::Sqs { .. })
    }

    /// Sources with the stream retry controls (retries, record age, bisect, destinations).
    pub fn has_retry_controls(self) -> bool {
        self.is_stream() || self.is_kafka()
    }
}

/// Why the source kind is what it is; shown by `inspect`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KindBasis {
    /// SAM event `Type` or the Serverless event key (`stream` with `type:` included).
    Declared(String),
    /// The service segment of an ARN written in the template.
    Arn(String),
    /// The type of a resource in the same template that the source refers to.
    Resource { logical_id: String, type_: String },
    /// A property only one source kind has (`SelfManagedEventSource`).
    Shape(&'static str),
    /// Not statically knowable, with the reason when there is a specific one.
    Unknown(Option<String>),
}

impl fmt::Display for KindBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KindBasis::Declared(how) => write!(f, "declared by {how}"),
            KindBasis::Arn(arn) => write!(f, "from the ARN {arn}"),
            KindBasis::Resource { logical_id, type_ } => {
                write!(f, "from resource {logical_id} ({type_})")
            }
            KindBasis::Shape(prop) => write!(f, "from the {prop} property"),
            KindBasis::Unknown(None) => write!(f, "could not be determined statically"),
            KindBasis::Unknown(Some(why)) => write!(f, "could not be determined statically: {why}"),
        }
    }
}

/// The deploy tools that write values the author did not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Serverless,
    /// SAM writes values only for the queue it subscribes to an SNS topic (`SqsSubscription`).
    Sam,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::Serverless => "the Serverless Framework",
            Tool::Sam => "AWS SAM",
        }
    }
}

/// The effective value of one setting and who chose it.
#[derive(Clone, Debug, PartialEq)]
pub enum Setting<T> {
    /// The author wrote it; `span` is the value.
    Written { value: T, span: Span },
    /// The deploy tool writes it when the author does not.
    ToolDefault { value: T, tool: Tool },
    /// Nobody writes it; AWS applies this default.
    ServiceDefault { value: T },
    /// Absent and without a default: no destination, no filter, no starting position.
    Unset,
    /// Written, but not statically knowable (a parameter, a condition, a variable).
    Unknown { span: Option<Span>, why: String },
    /// Written with a value of the wrong type; validity rules report it, others stay quiet.
    Invalid { span: Span, why: String },
}

impl<T> Setting<T> {
    /// The value AWS will use, when it is known.
    pub fn value(&self) -> Option<&T> {
        match self {
            Setting::Written { value, .. }
            | Setting::ToolDefault { value, .. }
            | Setting::ServiceDefault { value } => Some(value),
            _ => None,
        }
    }

    pub fn is_written(&self) -> bool {
        matches!(self, Setting::Written { .. })
    }

    pub fn is_unset(&self) -> bool {
        matches!(self, Setting::Unset)
    }

    /// Whether rules must stay quiet about it.
    pub fn is_unknowable(&self) -> bool {
        matches!(self, Setting::Unknown { .. } | Setting::Invalid { .. })
    }

    /// Where the author wrote it, if they did.
    pub fn span(&self) -> Option<Span> {
        match self {
            Setting::Written { span, .. } | Setting::Invalid { span, .. } => Some(*span),
            Setting::Unknown { span, .. } => *span,
            _ => None,
        }
    }

    /// The provenance as a stable identifier for JSON output.
    pub fn provenance_id(&self) -> &'static str {
        match self {
            Setting::Written { .. } => "written",
            Setting::ToolDefault {
                tool: Tool::Serverless,
                ..
            } => "serverless-default",
            Setting::ToolDefault {
                tool: Tool::Sam, ..
            } => "sam-default",
            Setting::ServiceDefault { .. } => "aws-default",
            Setting::Unset => "unset",
            Setting::Unknown { .. } => "unknown",
            Setting::Invalid { .. } => "invalid",
        }
    }

    /// The provenance in words, for humans.
    pub fn provenance_text(&self) -> String {
        match self {
            Setting::Written { .. } => "written".to_string(),
            Setting::ToolDefault { tool, .. } => format!("default of {}", tool.name()),
            Setting::ServiceDefault { .. } => "AWS default".to_string(),
            Setting::Unset => "not set".to_string(),
            Setting::Unknown { why, .. } => format!("unknown: {why}"),
            Setting::Invalid { why, .. } => format!("invalid: {why}"),
        }
    }
}

/// The trigger settings the model tracks, named as in CloudFormation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Prop {
    Enabled,
    BatchSize,
    MaximumBatchingWindowInSeconds,
    StartingPosition,
    StartingPositionTimestamp,
    MaximumRetryAttempts,
    MaximumRecordAgeInSeconds,
    BisectBatchOnFunctionError,
    ParallelizationFactor,
    TumblingWindowInSeconds,
    FunctionResponseTypes,
    OnFailureDestination,
    FilterCriteria,
    MaximumConcurrency,
}

impl Prop {
    pub const ALL: [Prop; 14] = [
        Prop::Enabled,
        Prop::BatchSize,
        Prop::MaximumBatchingWindowInSeconds,
        Prop::StartingPosition,
        Prop::StartingPositionTimestamp,
        Prop::MaximumRetryAttempts,
        Prop::MaximumRecordAgeInSeconds,
        Prop::BisectBatchOnFunctionError,
        Prop::ParallelizationFactor,
        Prop::TumblingWindowInSeconds,
        Prop::FunctionResponseTypes,
        Prop::OnFailureDestination,
        Prop::FilterCriteria,
        Prop::MaximumConcurrency,
    ];

    /// The CloudFormation name (a dotted path for nested settings).
    pub fn cfn_name(self) -> &'static str {
        match self {
            Prop::Enabled => "Enabled",
            Prop::BatchSize => "BatchSize",
            Prop::MaximumBatchingWindowInSeconds => "MaximumBatchingWindowInSeconds",
            Prop::StartingPosition => "StartingPosition",
            Prop::StartingPositionTimestamp => "StartingPositionTimestamp",
            Prop::MaximumRetryAttempts => "MaximumRetryAttempts",
            Prop::MaximumRecordAgeInSeconds => "MaximumRecordAgeInSeconds",
            Prop::BisectBatchOnFunctionError => "BisectBatchOnFunctionError",
            Prop::ParallelizationFactor => "ParallelizationFactor",
            Prop::TumblingWindowInSeconds => "TumblingWindowInSeconds",
            Prop::FunctionResponseTypes => "FunctionResponseTypes",
            Prop::OnFailureDestination => "DestinationConfig.OnFailure.Destination",
            Prop::FilterCriteria => "FilterCriteria.Filters",
            Prop::MaximumConcurrency => "ScalingConfig.MaximumConcurrency",
        }
    }

    /// Whether AWS accepts the setting for a source kind (every setting, when the kind is
    /// unknown).
    pub fn applies_to(self, kind: SourceKind) -> bool {
        let retry_controls = kind.has_retry_controls();
        match self {
            Prop::Enabled
            | Prop::BatchSize
            | Prop::MaximumBatchingWindowInSeconds
            | Prop::FilterCriteria => true,
            _ if kind == SourceKind::Unknown => true,
            Prop::StartingPosition | Prop::StartingPositionTimestamp => {
                retry_controls || kind == SourceKind::DocumentDb
            }
            Prop::MaximumRetryAttempts
            | Prop::MaximumRecordAgeInSeconds
            | Prop::BisectBatchOnFunctionError
            | Prop::OnFailureDestination => retry_controls,
            Prop::ParallelizationFactor | Prop::TumblingWindowInSeconds => kind.is_stream(),
            Prop::FunctionResponseTypes => retry_controls || kind.is_sqs(),
            Prop::MaximumConcurrency => kind.is_sqs(),
        }
    }

    /// The Serverless Framework key for this setting on the given event (`stream`, `sqs`,
    /// `kafka`, `msk`, `activemq`, `rabbitmq`), or `None` where the framework cannot express it.
    pub fn serverless_key(self, event: &str) -> Option<&'static str> {
        let stream = event == "stream";
        let sqs = event == "sqs";
        let kafka = matches!(event, "kafka" | "msk");
        Some(match self {
            Prop::Enabled => "enabled",
            Prop::BatchSize => "batchSize",
            Prop::MaximumBatchingWindowInSeconds if stream => "batchWindow",
            Prop::MaximumBatchingWindowInSeconds => "maximumBatchingWindow",
            Prop::StartingPosition if stream || kafka => "startingPosition",
            Prop::StartingPositionTimestamp if stream || kafka => "startingPositionTimestamp",
            Prop::MaximumRetryAttempts if stream => "maximumRetryAttempts",
            Prop::MaximumRecordAgeInSeconds if stream => "maximumRecordAgeInSeconds",
            Prop::BisectBatchOnFunctionError if stream => "bisectBatchOnFunctionError",
            Prop::ParallelizationFactor if stream => "parallelizationFactor",
            Prop::TumblingWindowInSeconds if stream => "tumblingWindowInSeconds",
            Prop::FunctionResponseTypes if stream || sqs => "functionResponseType",
            Prop::OnFailureDestination if stream => "destinations.onFailure",
            Prop::FilterCriteria => "filterPatterns",
            Prop::MaximumConcurrency if sqs => "maximumConcurrency",
            _ => return None,
        })
    }
}

/// A value shown by `inspect` and compared by the differential tests.
pub trait SettingValue {
    fn to_json(&self) -> serde_json::Value;
    fn display(&self) -> String;
}

impl SettingValue for bool {
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Bool(*self)
    }
    fn display(&self) -> String {
        self.to_string()
    }
}

impl SettingValue for i64 {
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::from(*self)
    }
    fn display(&self) -> String {
        self.to_string()
    }
}

impl SettingValue for f64 {
    fn to_json(&self) -> serde_json::Value {
        if self.fract() == 0.0 && self.abs() < 1e15 {
            serde_json::Value::from(*self as i64)
        } else {
            serde_json::Number::from_f64(*self).map_or(serde_json::Value::Null, Into::into)
        }
    }
    fn display(&self) -> String {
        self.to_string()
    }
}

impl SettingValue for String {
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::String(self.clone())
    }
    fn display(&self) -> String {
        self.clone()
    }
}

impl SettingValue for usize {
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::from(*self)
    }
    fn display(&self) -> String {
        self.to_string()
    }
}

impl SettingValue for Vec<String> {
    fn to_json(&self) -> serde_json::Value {
        self.iter()
            .cloned()
            .map(serde_json::Value::String)
            .collect()
    }
    fn display(&self) -> String {
        if self.is_empty() {
            "[] (none)".to_string()
        } else {
            format!("[{}]", self.join(", "))
        }
    }
}

/// A setting seen without its type: what `inspect` prints.
pub struct SettingView {
    pub prop: Prop,
    pub value: Option<serde_json::Value>,
    pub display: String,
    pub provenance: &'static str,
    pub provenance_text: String,
    pub span: Option<Span>,
}

fn view<T: SettingValue>(prop: Prop, s: &Setting<T>) -> SettingView {
    SettingView {
        prop,
        value: s.value().map(SettingValue::to_json),
        display: s
            .value()
            .map_or_else(|| "-".to_string(), SettingValue::display),
        provenance: s.provenance_id(),
        provenance_text: s.provenance_text(),
        span: s.span(),
    }
}

/// Every tracked setting of a trigger.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub enabled: Setting<bool>,
    pub batch_size: Setting<i64>,
    /// Seconds; Kafka, MQ and DocumentDB default to half a second.
    pub batching_window: Setting<f64>,
    pub starting_position: Setting<String>,
    pub starting_position_timestamp: Setting<f64>,
    pub maximum_retry_attempts: Setting<i64>,
    pub maximum_record_age: Setting<i64>,
    pub bisect_on_error: Setting<bool>,
    pub parallelization_factor: Setting<i64>,
    pub tumbling_window: Setting<i64>,
    pub function_response_types: Setting<Vec<String>>,
    /// The on-failure destination, as written (an ARN or an intrinsic shown in short form).
    pub on_failure: Setting<String>,
    /// The number of event filters.
    pub filter_count: Setting<usize>,
    pub maximum_concurrency: Setting<i64>,
}

impl Settings {
    pub fn view(&self, prop: Prop) -> SettingView {
        match prop {
            Prop::Enabled => view(prop, &self.enabled),
            Prop::BatchSize => view(prop, &self.batch_size),
            Prop::MaximumBatchingWindowInSeconds => view(prop, &self.batching_window),
            Prop::StartingPosition => view(prop, &self.starting_position),
            Prop::StartingPositionTimestamp => view(prop, &self.starting_position_timestamp),
            Prop::MaximumRetryAttempts => view(prop, &self.maximum_retry_attempts),
            Prop::MaximumRecordAgeInSeconds => view(prop, &self.maximum_record_age),
            Prop::BisectBatchOnFunctionError => view(prop, &self.bisect_on_error),
            Prop::ParallelizationFactor => view(prop, &self.parallelization_factor),
            Prop::TumblingWindowInSeconds => view(prop, &self.tumbling_window),
            Prop::FunctionResponseTypes => view(prop, &self.function_response_types),
            Prop::OnFailureDestination => view(prop, &self.on_failure),
            Prop::FilterCriteria => view(prop, &self.filter_count),
            Prop::MaximumConcurrency => view(prop, &self.maximum_concurrency),
        }
    }

    pub fn views(&self) -> impl Iterator<Item = SettingView> + '_ {
        Prop::ALL.into_iter().map(|p| self.view(p))
    }

    /// The settings worth showing for a kind: those AWS accepts for it, and any the author
    /// wrote anyway.
    pub fn relevant_views(&self, kind: SourceKind) -> impl Iterator<Item = SettingView> + '_ {
        self.views()
            .filter(move |v| v.prop.applies_to(kind) || v.provenance != "unset" && v.span.is_some())
    }
}

/// A property as the author wrote it, under its CloudFormation name. Serverless and SAM
/// properties are translated into CloudFormation's shape with their original spans, so
/// validity rules check every format the same way.
#[derive(Clone, Debug, PartialEq)]
pub struct Property {
    /// Top-level CloudFormation property name (`BatchSize`, `DestinationConfig`...).
    pub name: String,
    /// The key as the author wrote it (`batchWindow`, `Stream`, `BatchSize`).
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// The function a trigger invokes, with the settings of it that matter to triggers.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionInfo {
    /// Logical id (CloudFormation, SAM), function key (Serverless), or the literal name.
    pub name: std::sync::Arc<str>,
    /// Whether `name` is a resource in the same template.
    pub in_template: bool,
    pub timeout: Setting<i64>,
    pub reserved_concurrency: Setting<i64>,
    /// The function's logical id in the deployed template (`HelloLambdaFunction` for a
    /// Serverless function named `hello`); what alarms and mappings refer to.
    pub resource_id: Option<std::sync::Arc<str>>,
    /// The key that declares the function, for related labels.
    pub declared_at: Option<Span>,
    /// Where a dead-letter queue for asynchronous invokes is written (`DeadLetterConfig`, SAM
    /// `DeadLetterQueue`, Serverless `onError`).
    pub dead_letter: Option<Span>,
}

impl FunctionInfo {
    /// Reserved concurrency, when the author wrote a known value, and where.
    pub fn written_reserved_concurrency(&self) -> Option<(i64, Span)> {
        match self.reserved_concurrency {
            Setting::Written { value, span } => Some((value, span)),
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
    pub path: std::sync::Arc<str>,
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
    /// The event as the author wrote it, for rules about how a deploy tool mishandles it (the
    /// Serverless event's settings); `None` for mapping resources and SAM events.
    pub declaration: Option<Node>,
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
        if self.format != Format::Serverless {
            return prop.cfn_name();
        }
        let written = (!prop.cfn_name().contains('.'))
            .then(|| self.properties.iter().find(|p| p.name == prop.cfn_name()))
            .flatten();
        if let Some(p) = written {
            return &p.key;
        }
        self.event_type
            .as_deref()
            .and_then(|event| prop.serverless_key(event))
            .unwrap_or(prop.cfn_name())
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
