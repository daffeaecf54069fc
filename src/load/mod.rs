//! From a parsed document to triggers: decide the format by content, run that format's loader,
//! and finish every draft the same way (source kind, effective settings).

pub mod cloudformation;
pub mod deployed;
pub mod plan;
pub mod sam;
pub mod serverless;
pub mod settings;
pub mod terraform;
pub mod variables;

use crate::model::{
    Format, FunctionInfo, KindBasis, LoaderNote, MetadataIgnore, Prop, Property, SourceKind, Tool,
    Trigger,
};
use crate::source::{FileId, Span};
use crate::template::Template;
use crate::tree::Node;
use settings::DefaultValue;

/// A template and the triggers found in it.
pub struct Loaded<'a> {
    pub template: Template<'a>,
    pub triggers: Vec<Trigger>,
}

/// Whether a text that does not parse still looks like a template (a Serverless service, a
/// CloudFormation or SAM template, a deployed listing, a Terraform plan): then its syntax error
/// is worth reporting.
pub fn looks_like_template(text: &str) -> bool {
    let starts = |prefix: &str| text.lines().any(|l| l.starts_with(prefix));
    let cloudformation = [
        "AWSTemplateFormatVersion",
        "AWS::Serverless",
        "AWS::Lambda::",
    ]
    .iter()
    .any(|marker| text.contains(marker))
        || starts("Resources:")
        || starts("Transform:")
        || text.contains("\"Resources\"");
    let deployed = text.contains("\"EventSourceMappings\"") || text.contains("\"FunctionArn\"");
    let plan = text.contains("\"format_version\"")
        && (text.contains("\"planned_values\"") || text.contains("\"resource_changes\""));
    let serverless = starts("service:") && (starts("provider:") || starts("functions:"));
    cloudformation || serverless || deployed || plan
}

/// Whether a text that does not parse may still hold a trigger: it names an event source
/// mapping (the CloudFormation type, the Terraform resource, the Lambda module's input, the
/// Lambda API's keys), or a SAM or Serverless event of a polled kind. A file found in a folder
/// walk that does not parse is reported when this says yes, and passed over otherwise.
pub fn may_hold_trigger(text: &str) -> bool {
    const NAMES: [&str; 4] = [
        "EventSourceMapping",
        "event_source_mapping",
        "EventSourceArn",
        "event_source_arn",
    ];
    NAMES.iter().any(|name| text.contains(name)) || text.lines().any(declares_polled_event)
}

/// A line such as `- sqs:`, `"stream": {`, `Type: Kinesis` or `"Type": "SQS"`: a Serverless
/// event or SAM event type of a kind Lambda polls.
fn declares_polled_event(line: &str) -> bool {
    const SERVERLESS_EVENTS: [&str; 6] = ["sqs", "stream", "msk", "kafka", "activemq", "rabbitmq"];
    const SAM_TYPES: [&str; 7] = [
        "SQS",
        "Kinesis",
        "DynamoDB",
        "MSK",
        "MQ",
        "SelfManagedKafka",
        "DocumentDB",
    ];
    fn unquote(s: &str) -> &str {
        s.trim().trim_matches(|c| c == '"' || c == '\'' || c == ',')
    }
    let line = line.trim_start().trim_start_matches('{').trim_start();
    // Serverless events are list items (`- sqs:`), or quoted keys in JSON; a bare `kafka:`
    // is as likely a docker-compose service.
    let (item, line) = match line.strip_prefix("- ") {
        Some(rest) => (true, rest.trim_start()),
        None => (line.starts_with('"'), line),
    };
    let Some((key, value)) = line.split_once(':') else {
        return false;
    };
    let key = unquote(key);
    let value = unquote(value.split(" #").next().unwrap_or(value));
    (item && SERVERLESS_EVENTS.contains(&key)) || (key == "Type" && SAM_TYPES.contains(&value))
}

/// Decides the format by content, not by file name. `None` for files that are not templates
/// (workflows, docker-compose files, Kubernetes manifests...): they are skipped quietly.
pub fn sniff(root: &Node) -> Option<Format> {
    let map = root.as_map()?;
    if plan::looks_like_plan(map) {
        return Some(Format::TerraformPlan);
    }
    if deployed::looks_deployed(map) {
        return Some(Format::Deployed);
    }
    if serverless::looks_like_serverless(map) {
        return Some(Format::Serverless);
    }
    let resources = map.get("Resources").and_then(Node::as_map);
    let resource_types = || {
        resources
            .into_iter()
            .flat_map(|r| r.iter())
            .filter_map(|e| e.value.get("Type").and_then(Node::as_str))
    };
    if sam::has_serverless_transform(root)
        || resource_types().any(|t| t.starts_with("AWS::Serverless::"))
    {
        return Some(Format::Sam);
    }
    let is_cfn = map.contains_key("AWSTemplateFormatVersion")
        || resource_types().any(|t| t.starts_with("AWS::") || t.starts_with("Custom::"));
    is_cfn.then_some(Format::CloudFormation)
}

/// The document with what the deploy tool adds on its own that links must see (the queues SAM
/// creates for SNS subscriptions). Run once, before [`load`].
pub fn with_created_resources(format: Format, root: Node) -> Node {
    match format {
        Format::Sam => sam::add_subscription_queues(root),
        // A plan is lowered whole: its resources under their addresses, in the view's shape.
        Format::TerraformPlan => plan::lower(&root),
        _ => root,
    }
}

/// Loads every trigger of a document in the given format. A Serverless service's variables
/// must be resolved first (see [`variables::resolve_service`]).
pub fn load(format: Format, file: FileId, root: &Node) -> Loaded<'_> {
    let maps = match format {
        Format::Serverless => serverless::resource_maps(root),
        _ => resource_maps(root),
    };
    let mut template = Template::new(format, file, root, &maps);
    if format == Format::TerraformPlan {
        template.property_defaults = Some(Tool::TerraformProvider);
    }
    let triggers = match format {
        Format::CloudFormation => cloudformation::load(&template, "Resources"),
        Format::Sam => sam::load(&template),
        Format::Serverless => serverless::load(&template),
        Format::Deployed => deployed::load(&template),
        Format::Terraform => cloudformation::load(&template, "Resources"),
        Format::TerraformPlan => plan::load(&template),
    };
    Loaded { template, triggers }
}

/// Loads the triggers of a Terraform module, lowered by [`terraform::lower`], over the
/// template view it gives.
pub fn load_terraform(file: FileId, lowered: &terraform::Lowered) -> Loaded<'_> {
    let maps = resource_maps(&lowered.root);
    let mut template = Template::new(Format::Terraform, file, &lowered.root, &maps);
    template.property_defaults = Some(Tool::TerraformProvider);
    let triggers = terraform::load(&template, &lowered.mappings);
    Loaded { template, triggers }
}

fn resource_maps(root: &Node) -> Vec<&Node> {
    root.get("Resources").into_iter().collect()
}

/// What a format's loader knows about a trigger before the shared finishing steps.
pub struct Draft {
    pub format: Format,
    pub event_type: Option<String>,
    pub anchor: Span,
    pub path: String,
    /// The kind the format states outright, and how it says so.
    pub declared: Option<(SourceKind, String)>,
    pub event_source: Option<Node>,
    pub function: Option<FunctionInfo>,
    pub properties: Vec<Property>,
    pub tool: Option<Tool>,
    pub tool_defaults: Vec<(Prop, DefaultValue)>,
    pub notes: Vec<LoaderNote>,
    pub metadata_ignores: Vec<MetadataIgnore>,
    pub construct_path: Option<std::sync::Arc<str>>,
    pub declaration: Option<Node>,
    pub ignored_keys: Vec<crate::model::IgnoredKey>,
    pub deployed: Option<crate::model::DeployedState>,
    pub module_call: Option<std::sync::Arc<crate::model::ModuleCall>>,
    /// See `Trigger::settings_at`.
    pub settings_at: Option<Span>,
}

impl Draft {
    pub fn new(format: Format, anchor: Span, path: String) -> Draft {
        Draft {
            format,
            event_type: None,
            anchor,
            path,
            declared: None,
            event_source: None,
            function: None,
            properties: Vec::new(),
            tool: None,
            tool_defaults: Vec::new(),
            notes: Vec::new(),
            metadata_ignores: Vec::new(),
            construct_path: None,
            declaration: None,
            ignored_keys: Vec::new(),
            deployed: None,
            module_call: None,
            settings_at: None,
        }
    }

    /// Source kind and effective settings: the same steps for every format.
    pub fn finish(self, template: &Template<'_>) -> Trigger {
        let (source, kind_basis) = self.source_kind(template);
        let settings = settings::derive(
            &self.properties,
            source,
            &self.tool_defaults,
            self.tool,
            template,
        );
        Trigger {
            format: self.format,
            event_type: self.event_type,
            // The file the trigger is written in: an included file, for a Serverless fragment.
            file: self.anchor.file,
            anchor: self.anchor,
            path: self.path.into(),
            source,
            kind_basis,
            event_source: self.event_source,
            function: self.function,
            properties: self.properties,
            settings,
            notes: self.notes,
            metadata_ignores: self.metadata_ignores,
            construct_path: self.construct_path,
            declaration: self.declaration,
            ignored_keys: self.ignored_keys,
            deployed: self.deployed,
            module_call: self.module_call,
            settings_at: self.settings_at,
        }
    }

    /// Why the event source cannot be read, when a template resolution says so.
    fn unknown_source_reason(&self, template: &Template<'_>) -> Option<String> {
        let source = self.event_source.as_ref()?;
        template.resolve(source).err()
    }

    /// The declared kind first; then what the event source's ARN or referenced resource says;
    /// then what [`Draft::assumed_kind`] finds for a source nothing names.
    fn source_kind(&self, template: &Template<'_>) -> (SourceKind, KindBasis) {
        let inferred = self
            .event_source
            .as_ref()
            .and_then(|node| crate::kind::kind_of_source(node, template));
        match (&self.declared, inferred) {
            (Some((SourceKind::Sqs { .. }, how)), Some((SourceKind::Sqs { fifo }, _))) => {
                (SourceKind::Sqs { fifo }, KindBasis::Declared(how.clone()))
            }
            // A queue event that names a queue not in view: standard or FIFO is not known.
            (Some((SourceKind::Sqs { .. }, how)), None) if self.event_source.is_some() => (
                SourceKind::SqsStandardOrFifo,
                KindBasis::Declared(how.clone()),
            ),
            // A Serverless `stream` event reads what its ARN names, when that is known.
            (Some((SourceKind::KinesisOrDynamoDb, _)), Some(found)) => found,
            (Some((kind, how)), _) => (*kind, KindBasis::Declared(how.clone())),
            (None, Some(found)) => found,
            (None, None) => self.assumed_kind(template),
        }
    }

    /// For a source nothing names: the mapping's own arguments, and the template's own IAM
    /// grants on the source, asked only when the arguments leave the kind open (none, or
    /// "Kinesis or DynamoDB", which a grant settles).
    fn assumed_kind(&self, template: &Template<'_>) -> (SourceKind, KindBasis) {
        let granted = || {
            self.event_source
                .as_ref()
                .and_then(|node| crate::kind::kind_from_grants(node, template))
        };
        match self.kind_from_arguments() {
            Some((SourceKind::KinesisOrDynamoDb, basis)) => match granted() {
                Some(found) if found.0.is_stream() => found,
                _ => (SourceKind::KinesisOrDynamoDb, basis),
            },
            Some(assumed) => assumed,
            None => granted().unwrap_or_else(|| {
                (
                    SourceKind::Unknown,
                    KindBasis::Unknown(self.unknown_source_reason(template)),
                )
            }),
        }
    }
}

impl Draft {
    /// The kind the mapping's own settings leave, when the source does not say: settings only
    /// one kind of source takes (`Queues` only Amazon MQ, `ScalingConfig` only SQS), else the
    /// stream settings that leave Kinesis or DynamoDB. A setting that may turn out absent (a
    /// condition, a value known at deploy time) decides nothing.
    fn kind_from_arguments(&self) -> Option<(SourceKind, KindBasis)> {
        let written = |name: &str| {
            self.properties
                .iter()
                .find(|p| p.name == name && !p.value.may_be_absent())
        };
        let has_source = self.event_source.is_some();
        if written("SelfManagedEventSource").is_some() {
            return Some((
                SourceKind::SelfManagedKafka,
                KindBasis::Shape("SelfManagedEventSource"),
            ));
        }
        let (kind, property) = if let Some(p) = written("SelfManagedKafkaEventSourceConfig") {
            (SourceKind::SelfManagedKafka, p)
        } else if let Some(p) = written("AmazonManagedKafkaEventSourceConfig") {
            (SourceKind::Msk, p)
        } else if let Some(p) = written("Topics").filter(|_| has_source) {
            // A topic read through an ARN: only MSK has one (self-managed Kafka names brokers).
            (SourceKind::Msk, p)
        } else if let Some(p) = written("Queues") {
            (SourceKind::Mq, p)
        } else if let Some(p) = written("DocumentDBEventSourceConfig") {
            (SourceKind::DocumentDb, p)
        } else if let Some(p) = written("ScalingConfig") {
            (SourceKind::SqsStandardOrFifo, p)
        } else {
            return self.stream_from_arguments();
        };
        let how = match kind {
            SourceKind::SqsStandardOrFifo => format!(
                "assumed from `{}`, which only SQS mappings take (standard or FIFO is not known)",
                property.key
            ),
            _ => format!(
                "assumed from `{}`, which only {} mappings take",
                property.key,
                kind.family_label()
            ),
        };
        Some((kind, KindBasis::Arguments(how)))
    }
}

/// Settings only Kinesis and DynamoDB mappings take.
const STREAM_ONLY: [&str; 2] = ["ParallelizationFactor", "TumblingWindowInSeconds"];

/// Settings streams share with Kafka (and, for `StartingPosition`, DocumentDB).
const STREAM_OR_KAFKA: [&str; 5] = [
    "StartingPosition",
    "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "DestinationConfig",
];

/// Settings every mapping of another kind that takes [`STREAM_OR_KAFKA`] settings has, or
/// that streams never take: Kafka needs `Topics`, DocumentDB its configuration, and only
/// Kafka, MQ and DocumentDB take source access configurations.
const NOT_A_STREAM: [&str; 8] = [
    "Topics",
    "Queues",
    "SelfManagedEventSource",
    "SelfManagedKafkaEventSourceConfig",
    "AmazonManagedKafkaEventSourceConfig",
    "DocumentDBEventSourceConfig",
    "SourceAccessConfigurations",
    "ScalingConfig",
];

impl Draft {
    /// Kinesis or DynamoDB, which one not known: a setting only they take, or one they share
    /// with Kafka on a mapping without what every Kafka mapping has. Any sign of another kind,
    /// even one that may turn out absent, leaves the kind unknown.
    fn stream_from_arguments(&self) -> Option<(SourceKind, KindBasis)> {
        let present = |name: &str| self.properties.iter().any(|p| p.name == name);
        if NOT_A_STREAM.iter().any(|name| present(name)) {
            return None;
        }
        let written = |names: &[&str]| {
            self.properties
                .iter()
                .find(|p| names.contains(&p.name.as_str()) && !p.value.may_be_absent())
        };
        let how = if let Some(p) = written(&STREAM_ONLY) {
            format!(
                "assumed from `{}`, which only Kinesis and DynamoDB mappings take (which of the \
                 two is not known)",
                p.key
            )
        } else if let Some(p) = written(&STREAM_OR_KAFKA) {
            format!(
                "assumed from `{}` on a mapping without the topic every Kafka mapping names \
                 (Kinesis or DynamoDB is not known)",
                p.key
            )
        } else {
            return None;
        };
        Some((SourceKind::KinesisOrDynamoDb, KindBasis::Arguments(how)))
    }
}

/// Every entry of a mapping node as a written property with its CloudFormation name.
pub fn properties_of(map: Option<&Node>) -> Vec<Property> {
    map.and_then(Node::as_map)
        .map(|m| {
            m.iter()
                .map(|e| Property::new(&e.key, &e.key, e.key_span, e.value.clone()))
                .collect()
        })
        .unwrap_or_default()
}
