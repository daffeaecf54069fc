//! Settings and their provenance: the effective value of each tracked setting, who chose it,
//! and the property as the author wrote it.

use std::sync::Arc;

use crate::source::Span;
use crate::tree::Node;

use super::SourceKind;

/// The deploy tools that write values the author did not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Serverless,
    /// SAM writes values only for the queue it subscribes to an SNS topic (`SqsSubscription`).
    Sam,
    /// The AWS provider for Terraform sends some arguments with its own default.
    TerraformProvider,
    /// The terraform-aws-modules Lambda module fills in some keys of its `event_source_mapping`
    /// entries and some function arguments.
    TerraformModule,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::Serverless => "the Serverless Framework",
            Tool::Sam => "AWS SAM",
            Tool::TerraformProvider => "the Terraform AWS provider",
            Tool::TerraformModule => "the terraform-aws-modules Lambda module",
        }
    }

    /// The provenance identifier of the values it writes.
    pub fn provenance_id(self) -> &'static str {
        match self {
            Tool::Serverless => "serverless-default",
            Tool::Sam => "sam-default",
            Tool::TerraformProvider => "provider-default",
            Tool::TerraformModule => "module-default",
        }
    }
}

/// Where a written value comes from, when that is more than the place it is used.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// Written where it applies.
    Direct,
    /// SAM `Globals`, which SAM copies into every function that does not set the property.
    SamGlobals { span: Span },
    /// The `Default` of the CloudFormation parameter the setting refers to.
    ParameterDefault { name: Arc<str>, span: Span },
    /// The `default` of the Terraform input variable the setting refers to.
    VariableDefault { name: Arc<str>, span: Span },
    /// The value a `--var-file` gives the Terraform input variable the setting refers to.
    VarFile { name: Arc<str>, span: Span },
    /// A field of a mapping as the Lambda API describes it: what runs in the account.
    Deployed,
}

impl Origin {
    pub fn id(&self) -> &'static str {
        match self {
            Origin::Direct => "written",
            Origin::SamGlobals { .. } => "sam-globals",
            Origin::ParameterDefault { .. } => "parameter-default",
            Origin::VariableDefault { .. } => "variable-default",
            Origin::VarFile { .. } => "var-file",
            Origin::Deployed => "deployed",
        }
    }

    /// How a message names it, after the value: "the default of parameter BatchSize".
    pub fn text(&self) -> Option<String> {
        match self {
            Origin::Direct => None,
            Origin::SamGlobals { .. } => Some("from SAM `Globals`".to_string()),
            Origin::ParameterDefault { name, .. } => {
                Some(format!("the default of parameter {name}"))
            }
            Origin::VariableDefault { name, .. } => Some(format!("the default of variable {name}")),
            Origin::VarFile { name, .. } => {
                Some(format!("variable {name} as the var file sets it"))
            }
            Origin::Deployed => Some("as deployed".to_string()),
        }
    }

    /// Where the value itself is written, when that is elsewhere.
    pub fn definition(&self) -> Option<Span> {
        match self {
            Origin::SamGlobals { span }
            | Origin::ParameterDefault { span, .. }
            | Origin::VariableDefault { span, .. }
            | Origin::VarFile { span, .. } => Some(*span),
            Origin::Direct | Origin::Deployed => None,
        }
    }
}

/// The effective value of one setting and who chose it.
#[derive(Clone, Debug, PartialEq)]
pub enum Setting<T> {
    /// The author wrote it; `span` is where it is used, `origin` where the value comes from.
    Written {
        value: T,
        span: Span,
        origin: Origin,
    },
    /// The deploy tool writes it when the author does not.
    ToolDefault { value: T, tool: Tool },
    /// Nobody writes it; AWS applies this default.
    ServiceDefault { value: T },
    /// Absent and without a default: no destination, no filter, no starting position.
    Unset,
    /// Written, but not statically knowable (a parameter, a condition, a variable).
    Unknown { span: Option<Span>, why: String },
    /// Written with a value of the wrong type, or one AWS rejects (`value`, when it has the
    /// right type): validity rules report it, the others stay quiet rather than quote it.
    Invalid {
        span: Span,
        why: String,
        value: Option<T>,
    },
}

impl<T> Setting<T> {
    /// A value written where it applies.
    pub fn written(value: T, span: Span) -> Self {
        Setting::Written {
            value,
            span,
            origin: Origin::Direct,
        }
    }

    /// The value AWS will use, when it is known and valid.
    pub fn value(&self) -> Option<&T> {
        match self {
            Setting::Written { value, .. }
            | Setting::ToolDefault { value, .. }
            | Setting::ServiceDefault { value } => Some(value),
            _ => None,
        }
    }

    /// A written value whatever its validity, with its span: what validity rules check.
    pub fn written_value(&self) -> Option<(&T, Span)> {
        match self {
            Setting::Written { value, span, .. }
            | Setting::Invalid {
                value: Some(value),
                span,
                ..
            } => Some((value, *span)),
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

    /// Where the value comes from, for a written value.
    pub fn origin(&self) -> Option<&Origin> {
        match self {
            Setting::Written { origin, .. } => Some(origin),
            _ => None,
        }
    }

    /// Where a written value is defined, with a label saying so, when that is not where it is
    /// used: a parameter's or variable's default, a var file. SAM `Globals` are used where they
    /// are written, so the use says enough there.
    pub fn definition(&self) -> Option<(Span, String)> {
        let Setting::Written { origin, span, .. } = self else {
            return None;
        };
        let (definition, text) = (origin.definition()?, origin.text()?);
        (definition != *span).then(|| (definition, format!("the value comes from here ({text})")))
    }

    /// The provenance as a stable identifier for JSON output.
    pub fn provenance_id(&self) -> &'static str {
        match self {
            Setting::Written { origin, .. } => origin.id(),
            Setting::ToolDefault { tool, .. } => tool.provenance_id(),
            Setting::ServiceDefault { .. } => "aws-default",
            Setting::Unset => "unset",
            Setting::Unknown { .. } => "unknown",
            Setting::Invalid { .. } => "invalid",
        }
    }

    /// The provenance in words, for humans.
    pub fn provenance_text(&self) -> String {
        match self {
            Setting::Written { origin, .. } => origin.text().unwrap_or_else(|| "written".into()),
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

    /// The argument of `aws_lambda_event_source_mapping` (a dotted path into nested blocks).
    pub fn terraform_key(self) -> &'static str {
        match self {
            Prop::Enabled => "enabled",
            Prop::BatchSize => "batch_size",
            Prop::MaximumBatchingWindowInSeconds => "maximum_batching_window_in_seconds",
            Prop::StartingPosition => "starting_position",
            Prop::StartingPositionTimestamp => "starting_position_timestamp",
            Prop::MaximumRetryAttempts => "maximum_retry_attempts",
            Prop::MaximumRecordAgeInSeconds => "maximum_record_age_in_seconds",
            Prop::BisectBatchOnFunctionError => "bisect_batch_on_function_error",
            Prop::ParallelizationFactor => "parallelization_factor",
            Prop::TumblingWindowInSeconds => "tumbling_window_in_seconds",
            Prop::FunctionResponseTypes => "function_response_types",
            Prop::OnFailureDestination => "destination_config.on_failure.destination_arn",
            Prop::FilterCriteria => "filter_criteria.filter",
            Prop::MaximumConcurrency => "scaling_config.maximum_concurrency",
        }
    }

    /// The key of an entry of the terraform-aws-modules Lambda module's `event_source_mapping`
    /// map (module versions 7 and 8 pass these to the provider).
    pub fn terraform_module_key(self) -> Option<&'static str> {
        Some(match self {
            Prop::OnFailureDestination => "destination_arn_on_failure",
            Prop::FilterCriteria => "filter_criteria",
            Prop::MaximumConcurrency => "scaling_config.maximum_concurrency",
            other => other.terraform_key(),
        })
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
    // A rejected value is still shown, beside why it is rejected.
    let shown = s.value().or_else(|| s.written_value().map(|(v, _)| v));
    SettingView {
        prop,
        value: shown.map(SettingValue::to_json),
        display: shown.map_or_else(|| "-".to_string(), SettingValue::display),
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

    /// The span and origin of every written setting.
    pub fn origins(&self) -> impl Iterator<Item = (Span, &Origin)> {
        fn of<T>(s: &Setting<T>) -> Option<(Span, &Origin)> {
            match s {
                Setting::Written { span, origin, .. } => Some((*span, origin)),
                _ => None,
            }
        }
        [
            of(&self.enabled),
            of(&self.batch_size),
            of(&self.batching_window),
            of(&self.starting_position),
            of(&self.starting_position_timestamp),
            of(&self.maximum_retry_attempts),
            of(&self.maximum_record_age),
            of(&self.bisect_on_error),
            of(&self.parallelization_factor),
            of(&self.tumbling_window),
            of(&self.function_response_types),
            of(&self.on_failure),
            of(&self.filter_count),
            of(&self.maximum_concurrency),
        ]
        .into_iter()
        .flatten()
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
    /// How the author's format names the keys nested inside the value, where it names them
    /// differently from CloudFormation (Terraform's `on_failure` for `OnFailure`); empty when
    /// the author did not write them one by one.
    pub nested_names: &'static [(&'static str, &'static str)],
    /// The keys nested in the value are the author's own keys, written beside each other and
    /// gathered into one property by the loader (SAM's `ConsumerGroupId` and
    /// `SchemaRegistryConfig` become `AmazonManagedKafkaEventSourceConfig`).
    pub flattened: bool,
    /// Where the value is defined, when that is elsewhere and nothing else reads it there (a
    /// Terraform variable's default or a caller's argument, a local, read by this argument
    /// only): a fix may change the value at its definition.
    pub sole_definition: Option<Span>,
}

impl Property {
    /// The author's name for a value nested in this property, given the CloudFormation keys
    /// below it (`["MinimumPollers"]`): their own key for the property, then their format's
    /// names for the nested keys where it names them one by one (Terraform's
    /// `provisioned_poller_config.minimum_pollers`). A key the loader translated as a whole
    /// (SAM's `ConsumerGroupId`, Serverless `consumerGroupId`) names the value alone.
    pub fn display_path<'k>(&self, nested: impl IntoIterator<Item = &'k str>) -> String {
        if self.flattened {
            let keys: Vec<&str> = nested.into_iter().collect();
            return if keys.is_empty() {
                self.key.clone()
            } else {
                keys.join(".")
            };
        }
        let translated = self.key != self.name;
        nested.into_iter().fold(self.key.clone(), |path, key| {
            let named = self.nested_names.iter().find(|(cfn, _)| *cfn == key);
            match (key.parse::<usize>(), named) {
                (Ok(i), _) => format!("{path}[{i}]"),
                (Err(_), Some((_, name))) => format!("{path}.{name}"),
                (Err(_), None) if translated => path,
                (Err(_), None) => format!("{path}.{key}"),
            }
        })
    }

    /// The value at a path of CloudFormation keys below this property.
    pub fn nested(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(&self.value, |node, key| node.get(key))
    }

    pub fn new(name: &str, key: &str, key_span: Span, value: Node) -> Property {
        Property {
            name: name.to_string(),
            key: key.to_string(),
            key_span,
            value,
            nested_names: &[],
            flattened: false,
            sole_definition: None,
        }
    }
}
