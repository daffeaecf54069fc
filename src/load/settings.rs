//! Effective settings from CloudFormation-shaped properties: the written value, else what the
//! deploy tool writes, else the AWS default for the source kind, else unset.

use crate::model::{Format, Origin, Prop, Property, Setting, Settings, SourceKind, Tool};
use crate::source::Span;
use crate::template::{Template, describe};
use crate::tree::{Node, Value, expected};

/// A value a deploy tool writes when the author does not.
#[derive(Clone, Debug, PartialEq)]
pub enum DefaultValue {
    Int(i64),
    Bool(bool),
    Str(&'static str),
}

/// What a lookup of a (possibly nested) property found.
enum Found {
    Absent,
    Unknown(Span, String),
    /// The resolved value, the span where the author wrote it, and where the value comes from.
    Value(Node, Span, Origin),
}

/// Why a written value gives no usable setting.
pub enum Fail<T> {
    /// The wrong type or shape: validity rules report it.
    Invalid(String),
    /// The right type, but a value AWS refuses (out of range, say): validity rules report it,
    /// and the others must not quote it as the effective value.
    Rejected(String, T),
    /// Depends on something only known at deploy time.
    Unknown(String),
}

impl<T> Fail<T> {
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Fail<U> {
        match self {
            Fail::Invalid(why) => Fail::Invalid(why),
            Fail::Rejected(why, value) => Fail::Rejected(why, f(value)),
            Fail::Unknown(why) => Fail::Unknown(why),
        }
    }
}

impl<T> From<String> for Fail<T> {
    fn from(why: String) -> Self {
        Fail::Invalid(why)
    }
}

type Parsed<T> = Result<T, Fail<T>>;

struct Ctx<'t, 'a> {
    props: &'t [Property],
    kind: SourceKind,
    tool: Option<Tool>,
    tool_defaults: &'t [(Prop, DefaultValue)],
    template: &'t Template<'a>,
}

pub fn derive(
    props: &[Property],
    kind: SourceKind,
    tool_defaults: &[(Prop, DefaultValue)],
    tool: Option<Tool>,
    template: &Template<'_>,
) -> Settings {
    let ctx = Ctx {
        props,
        kind,
        tool,
        tool_defaults,
        template,
    };
    let format = template.format;
    let retry_controls = kind.has_retry_controls();
    let window_default = match kind {
        SourceKind::Kinesis
        | SourceKind::DynamoDb
        | SourceKind::KinesisOrDynamoDb
        | SourceKind::Sqs { .. }
        | SourceKind::SqsStandardOrFifo => Some(0.0),
        SourceKind::Msk
        | SourceKind::SelfManagedKafka
        | SourceKind::Mq
        | SourceKind::DocumentDb => Some(0.5),
        SourceKind::Unknown => None,
    };
    let batch_default = match kind {
        SourceKind::Sqs { .. } | SourceKind::SqsStandardOrFifo => Some(10),
        SourceKind::Unknown => None,
        _ => Some(100),
    };
    let fifo = kind == SourceKind::Sqs { fifo: true };
    Settings {
        enabled: ctx.setting(Prop::Enabled, |n| Ok(as_bool(n, format)?), Some(true)),
        batch_size: ctx.kind_setting(
            Prop::BatchSize,
            |n| within(n.to_int()?, if fifo { 1..=10 } else { 1..=10_000 }),
            batch_default,
        ),
        batching_window: ctx.kind_setting(
            Prop::MaximumBatchingWindowInSeconds,
            |n| {
                let seconds = within(n.to_int()?, 0..=300).map_err(|e| e.map(|v| v as f64))?;
                if fifo && seconds > 0 {
                    return Err(Fail::Rejected(
                        "FIFO queues take no batching window".to_string(),
                        seconds as f64,
                    ));
                }
                Ok(seconds as f64)
            },
            window_default,
        ),
        starting_position: ctx.setting(
            Prop::StartingPosition,
            |n| starting_position(as_string(n)?, kind),
            None,
        ),
        starting_position_timestamp: ctx.setting(
            Prop::StartingPositionTimestamp,
            |n| Ok(as_float(n)?),
            None,
        ),
        maximum_retry_attempts: ctx.setting(
            Prop::MaximumRetryAttempts,
            |n| within(n.to_int()?, -1..=10_000),
            retry_controls.then_some(-1),
        ),
        maximum_record_age: ctx.setting(
            Prop::MaximumRecordAgeInSeconds,
            |n| record_age(n.to_int()?),
            retry_controls.then_some(-1),
        ),
        bisect_on_error: ctx.setting(
            Prop::BisectBatchOnFunctionError,
            |n| Ok(as_bool(n, format)?),
            retry_controls.then_some(false),
        ),
        parallelization_factor: ctx.setting(
            Prop::ParallelizationFactor,
            |n| within(n.to_int()?, 1..=10),
            kind.is_stream().then_some(1),
        ),
        tumbling_window: ctx.setting(
            Prop::TumblingWindowInSeconds,
            |n| within(n.to_int()?, 0..=900),
            kind.is_stream().then_some(0),
        ),
        function_response_types: ctx.setting(
            Prop::FunctionResponseTypes,
            |n| response_types(as_string_list(n, template)?),
            (retry_controls || kind.is_sqs()).then(Vec::new),
        ),
        on_failure: ctx.setting(Prop::OnFailureDestination, |n| Ok(describe(n)), None),
        filter_count: ctx.setting(Prop::FilterCriteria, |n| Ok(as_count(n)?), None),
        maximum_concurrency: ctx.setting(
            Prop::MaximumConcurrency,
            |n| within(n.to_int()?, 2..=1000),
            None,
        ),
    }
}

/// A value AWS accepts only within `range`.
fn within(value: i64, range: std::ops::RangeInclusive<i64>) -> Parsed<i64> {
    if range.contains(&value) {
        return Ok(value);
    }
    let why = if value < *range.start() {
        format!("below the minimum of {}", range.start())
    } else {
        format!("above the maximum of {}", range.end())
    };
    Err(Fail::Rejected(why, value))
}

/// -1 (no limit) or 60 to 604 800 seconds: Lambda rejects the ages in between.
fn record_age(value: i64) -> Parsed<i64> {
    if value == -1 || (60..=604_800).contains(&value) {
        Ok(value)
    } else {
        Err(Fail::Rejected(
            "neither -1 nor between 60 and 604800".to_string(),
            value,
        ))
    }
}

fn starting_position(value: String, kind: SourceKind) -> Parsed<String> {
    match value.as_str() {
        "AT_TIMESTAMP" if kind == SourceKind::DynamoDb => Err(Fail::Rejected(
            "DynamoDB streams cannot start at a timestamp".to_string(),
            value,
        )),
        "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP" => Ok(value),
        _ => Err(Fail::Rejected("not a starting position".to_string(), value)),
    }
}

fn response_types(types: Vec<String>) -> Parsed<Vec<String>> {
    let valid = types.len() <= 1 && types.iter().all(|t| t == "ReportBatchItemFailures");
    if valid {
        Ok(types)
    } else {
        Err(Fail::Rejected(
            "only [ReportBatchItemFailures] is accepted".to_string(),
            types,
        ))
    }
}

impl Ctx<'_, '_> {
    /// A setting whose AWS default is the same for every kind that has one.
    fn setting<T: FromDefault>(
        &self,
        prop: Prop,
        parse: impl Fn(&Node) -> Parsed<T>,
        service_default: Option<T>,
    ) -> Setting<T> {
        match self.lookup(prop) {
            Found::Value(node, span, origin) => match parse(&node) {
                Ok(value) => Setting::Written {
                    value,
                    span,
                    origin,
                },
                Err(Fail::Invalid(why)) => Setting::Invalid {
                    span,
                    why,
                    value: None,
                },
                Err(Fail::Rejected(why, value)) => Setting::Invalid {
                    span,
                    why,
                    value: Some(value),
                },
                Err(Fail::Unknown(why)) => Setting::Unknown {
                    span: Some(span),
                    why,
                },
            },
            Found::Unknown(span, why) => Setting::Unknown {
                span: Some(span),
                why,
            },
            // The Lambda API lists every value in effect: what it leaves out is not set,
            // whatever AWS's default for a new mapping would be.
            Found::Absent if self.template.format == Format::Deployed => Setting::Unset,
            Found::Absent => self.default_of(prop, service_default),
        }
    }

    /// A setting whose AWS default depends on the source kind; unknown when the kind is.
    fn kind_setting<T: FromDefault>(
        &self,
        prop: Prop,
        parse: impl Fn(&Node) -> Parsed<T>,
        service_default: Option<T>,
    ) -> Setting<T> {
        let setting = self.setting(prop, parse, service_default);
        match (&setting, self.kind) {
            (Setting::Unset, SourceKind::Unknown) => Setting::Unknown {
                span: None,
                why: "the AWS default depends on the source kind, which is unknown".to_string(),
            },
            _ => setting,
        }
    }

    fn default_of<T: FromDefault>(&self, prop: Prop, service_default: Option<T>) -> Setting<T> {
        let tool_default = self
            .tool_defaults
            .iter()
            .find(|(p, _)| *p == prop)
            .and_then(|(_, v)| T::from_default(v));
        match (tool_default, self.tool, service_default) {
            (Some(value), Some(tool), _) => Setting::ToolDefault { value, tool },
            (_, _, Some(value)) => Setting::ServiceDefault { value },
            _ => Setting::Unset,
        }
    }

    /// Finds the written value of a setting, following nested CloudFormation paths and
    /// resolving parameters at each level. Nested values are small, so they are copied out.
    /// The span is where the author wrote the innermost value (the `!Ref`, not the default).
    fn lookup(&self, prop: Prop) -> Found {
        let mut path = prop.cfn_name().split('.').peekable();
        let top = path.next().unwrap_or_default();
        let Some(property) = self.props.iter().find(|p| p.name == top) else {
            return Found::Absent;
        };
        let mut use_span = property.value.span;
        let mut origin = self.template.origin_of(&property.value);
        let mut current = match self.resolve(prop, &property.value, path.peek().is_none()) {
            Ok(node) => node,
            Err(why) => return Found::Unknown(use_span, why),
        };
        while let Some(key) = path.next() {
            let Some(child) = current.get(key) else {
                return Found::Absent;
            };
            use_span = child.span;
            origin = self.template.origin_of(child);
            current = match self.resolve(prop, child, path.peek().is_none()) {
                Ok(node) => node,
                Err(why) => return Found::Unknown(use_span, why),
            };
        }
        Found::Value(current, use_span, origin)
    }

    /// Resolves one level of a setting's path. A destination is an expression whatever it
    /// refers to (`!GetAtt Queue.Arn` is as good as an ARN); only a condition makes it unknown,
    /// since the destination may then be absent.
    fn resolve(&self, prop: Prop, node: &Node, leaf: bool) -> Result<Node, String> {
        let expression = leaf && prop == Prop::OnFailureDestination;
        match node.as_intrinsic() {
            Some(i) if expression && i.name != "Fn::If" => Ok(node.clone()),
            _ => self
                .template
                .resolve(node)
                .map(std::borrow::Cow::into_owned),
        }
    }
}

/// Typed values a deploy tool's default can provide.
pub trait FromDefault: Sized {
    fn from_default(v: &DefaultValue) -> Option<Self>;
}

impl FromDefault for i64 {
    fn from_default(v: &DefaultValue) -> Option<Self> {
        match v {
            DefaultValue::Int(i) => Some(*i),
            _ => None,
        }
    }
}

impl FromDefault for f64 {
    fn from_default(v: &DefaultValue) -> Option<Self> {
        i64::from_default(v).map(|i| i as f64)
    }
}

impl FromDefault for bool {
    fn from_default(v: &DefaultValue) -> Option<Self> {
        match v {
            DefaultValue::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl FromDefault for String {
    fn from_default(v: &DefaultValue) -> Option<Self> {
        match v {
            DefaultValue::Str(s) => Some((*s).to_string()),
            _ => None,
        }
    }
}

impl FromDefault for Vec<String> {
    fn from_default(_: &DefaultValue) -> Option<Self> {
        None
    }
}

impl FromDefault for usize {
    fn from_default(_: &DefaultValue) -> Option<Self> {
        None
    }
}

pub fn as_float(node: &Node) -> Result<f64, String> {
    match &node.value {
        Value::Int(i) => Ok(*i as f64),
        Value::Float(f) => Ok(*f),
        Value::Str(s) => s.trim().parse().map_err(|_| expected("a number", node)),
        _ => Err(expected("a number", node)),
    }
}

/// Booleans, also as the strings "true"/"false" in any case. CloudFormation's YAML reader also
/// takes YAML 1.1 words (`yes`, `off`); the Serverless Framework's does not.
pub fn as_bool(node: &Node, format: Format) -> Result<bool, String> {
    match &node.value {
        Value::Bool(b) => Ok(*b),
        Value::Yaml11Bool(b, _) if format != Format::Serverless => Ok(*b),
        Value::Str(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::Str(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(expected("true or false", node)),
    }
}

pub fn as_string(node: &Node) -> Result<String, String> {
    match &node.value {
        Value::Str(s) | Value::Yaml11Bool(_, s) => Ok(s.to_string()),
        Value::Int(i) => Ok(i.to_string()),
        _ => Err(expected("a string", node)),
    }
}

fn as_string_list(node: &Node, template: &Template<'_>) -> Result<Vec<String>, Fail<Vec<String>>> {
    let items = node.as_seq().ok_or_else(|| expected("a list", node))?;
    items
        .iter()
        .map(|item| {
            let resolved = template.resolve(item).map_err(Fail::Unknown)?;
            Ok(as_string(&resolved)?)
        })
        .collect()
}

fn as_count(node: &Node) -> Result<usize, String> {
    node.as_seq()
        .map(<[Node]>::len)
        .ok_or_else(|| expected("a list", node))
}
