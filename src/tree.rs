//! One small spanned document tree for YAML and JSON.
//!
//! Both parsers build this tree, so loaders never know which syntax a template was written in.
//! CloudFormation intrinsic functions are normalised here: `!GetAtt A.B`, `{"Fn::GetAtt":
//! ["A", "B"]}` and `Fn::GetAtt: [A, B]` all become the same [`Intrinsic`] node.

use crate::source::Span;

/// Text of a key or string scalar: inline up to 24 bytes, so most keys and values of a
/// template cost no allocation of their own.
pub type Text = compact_str::CompactString;

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A plain YAML scalar that YAML 1.1 reads as a boolean (`yes`, `off`, `Y`...) and YAML 1.2
    /// reads as a string. CloudFormation reads it as a boolean; the Serverless Framework (js-yaml,
    /// YAML 1.2) reads it as a string. Loaders choose.
    Yaml11Bool(bool, Text),
    Int(i64),
    Float(f64),
    Str(Text),
    Seq(Vec<Node>),
    Map(Map),
    Intrinsic(Box<Intrinsic>),
    /// A value the document states only as an expression resolved at deploy time, which the
    /// loaders could not resolve: a Serverless variable (`${ssm:/path}`), a Terraform
    /// reference to an input without a default. Never guessed, never taken as absent.
    Unknown(Box<Unknown>),
}

/// What an unknown value looks like as written, and why it is unknown.
#[derive(Clone, Debug, PartialEq)]
pub struct Unknown {
    /// The text, with what could be resolved filled in (`arn:aws:sqs:${aws:region}:${aws:accountId}:jobs`):
    /// enough to tell the service of an ARN or the name of a queue.
    pub text: String,
    pub why: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Map {
    pub entries: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Text,
    pub key_span: Span,
    pub value: Node,
}

/// A CloudFormation intrinsic function or condition reference.
#[derive(Clone, Debug, PartialEq)]
pub struct Intrinsic {
    /// The long-form name: `Ref`, `Condition`, or `Fn::<Name>`. Unknown YAML tags keep their
    /// tag text (`!Foo`) so they are never mistaken for literals.
    pub name: String,
    pub arg: Node,
    /// How the author wrote it, when that was not CloudFormation (a Terraform reference
    /// `aws_sqs_queue.jobs.arn` lowered to `Fn::GetAtt`): messages quote this.
    pub written: Option<Box<str>>,
}

impl Intrinsic {
    pub fn new(name: impl Into<String>, arg: Node) -> Intrinsic {
        Intrinsic {
            name: name.into(),
            arg,
            written: None,
        }
    }
}

/// Short-form YAML tags CloudFormation understands, by tag suffix.
const SHORT_FORMS: &[&str] = &[
    "Ref",
    "Condition",
    "GetAtt",
    "Sub",
    "Join",
    "If",
    "ImportValue",
    "Select",
    "Split",
    "FindInMap",
    "Base64",
    "GetAZs",
    "Equals",
    "Not",
    "And",
    "Or",
    "Cidr",
    "Transform",
    "ToJsonString",
    "Length",
    "ForEach",
];

/// The long-form name of a short-form tag suffix (`GetAtt` -> `Fn::GetAtt`), if it is one.
pub fn long_form_of_tag(suffix: &str) -> Option<String> {
    let known = SHORT_FORMS.contains(&suffix);
    match suffix {
        "Ref" | "Condition" => Some(suffix.to_string()),
        _ if known => Some(format!("Fn::{suffix}")),
        _ => None,
    }
}

/// Whether a single-key mapping with this key is the long form of an intrinsic function.
pub fn is_long_form_intrinsic(key: &str, value: &Value) -> bool {
    match key {
        "Ref" => true,
        // `Condition` is also an ordinary resource attribute; only a lone `{Condition: Name}`
        // (as inside `Fn::And`) is a condition reference.
        "Condition" => matches!(value, Value::Str(_)),
        _ => key.starts_with("Fn::"),
    }
}

impl Node {
    /// A text that two nodes share whenever [`Node::same_expression`] holds: a key to index
    /// expressions by (two different expressions may share one; compare them after).
    pub fn expression_key(&self) -> String {
        let mut key = String::new();
        self.write_expression_key(&mut key);
        key
    }

    fn write_expression_key(&self, key: &mut String) {
        match &self.value {
            Value::Unknown(u) => {
                key.push('?');
                key.push_str(bare_interpolation(&u.text));
            }
            Value::Intrinsic(i) => {
                key.push_str(&i.name);
                key.push('(');
                i.arg.write_expression_key(key);
                key.push(')');
            }
            Value::Seq(items) => {
                key.push('[');
                for item in items {
                    item.write_expression_key(key);
                    key.push(',');
                }
                key.push(']');
            }
            Value::Map(map) => {
                key.push('{');
                for entry in &map.entries {
                    key.push_str(&entry.key);
                    key.push('=');
                    entry.value.write_expression_key(key);
                    key.push(',');
                }
                key.push('}');
            }
            scalar => {
                use std::fmt::Write;
                let _ = write!(key, "{scalar:?}");
            }
        }
    }

    /// Whether two nodes are the same expression, wherever each is written: equal values, the
    /// same intrinsics over the same arguments, unknown values written alike (`${x}` is `x`).
    pub fn same_expression(&self, other: &Node) -> bool {
        match (&self.value, &other.value) {
            (Value::Unknown(a), Value::Unknown(b)) => {
                bare_interpolation(&a.text) == bare_interpolation(&b.text)
            }
            (Value::Intrinsic(a), Value::Intrinsic(b)) => {
                a.name == b.name && a.arg.same_expression(&b.arg)
            }
            (Value::Seq(a), Value::Seq(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_expression(y))
            }
            (Value::Map(a), Value::Map(b)) => {
                a.entries.len() == b.entries.len()
                    && a.entries
                        .iter()
                        .zip(&b.entries)
                        .all(|(x, y)| x.key == y.key && x.value.same_expression(&y.value))
            }
            (a, b) => a == b,
        }
    }

    /// Whether a written value may turn out to be no value at all: a condition (which may give
    /// `AWS::NoValue`), or a value known only at deploy time (a Terraform `try(x, null)`).
    pub fn may_be_absent(&self) -> bool {
        match &self.value {
            Value::Unknown(_) => true,
            Value::Intrinsic(i) => i.name == "Fn::If",
            _ => false,
        }
    }

    /// An integer, also written as a numeric string (CloudFormation converts them).
    pub fn to_int(&self) -> Result<i64, String> {
        match &self.value {
            Value::Int(i) => Ok(*i),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(*f as i64),
            Value::Str(s) => s.trim().parse().map_err(|_| expected("an integer", self)),
            _ => Err(expected("an integer", self)),
        }
    }
    pub fn new(span: Span, value: Value) -> Node {
        Node { span, value }
    }

    /// Builds a mapping node, turning `{"Fn::X": arg}` into an intrinsic node.
    pub fn mapping(span: Span, map: Map) -> Node {
        if map.entries.len() == 1
            && is_long_form_intrinsic(&map.entries[0].key, &map.entries[0].value.value)
        {
            let entry = map.entries.into_iter().next().expect("one entry");
            return Node::new(
                span,
                Value::Intrinsic(Box::new(Intrinsic::new(entry.key, entry.value))),
            );
        }
        Node::new(span, Value::Map(map))
    }

    pub fn as_map(&self) -> Option<&Map> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a string scalar (a YAML 1.1 boolean word counts as its text).
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) | Value::Yaml11Bool(_, s) => Some(s),
            _ => None,
        }
    }

    /// A value known only at deploy time, with its reason.
    pub fn unknown(span: Span, text: impl Into<String>, why: impl Into<String>) -> Node {
        Node::new(
            span,
            Value::Unknown(Box::new(Unknown {
                text: text.into(),
                why: why.into(),
            })),
        )
    }

    pub fn as_unknown(&self) -> Option<&Unknown> {
        match &self.value {
            Value::Unknown(u) => Some(u),
            _ => None,
        }
    }

    pub fn as_intrinsic(&self) -> Option<&Intrinsic> {
        match &self.value {
            Value::Intrinsic(i) => Some(i),
            _ => None,
        }
    }

    /// Looks up a key of a mapping node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map().and_then(|m| m.get(key))
    }

    /// Follows a path of mapping keys.
    pub fn get_path(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    /// A short description of the node's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) | Value::Yaml11Bool(..) => "boolean",
            Value::Int(_) | Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "list",
            Value::Map(_) => "mapping",
            Value::Intrinsic(_) => "intrinsic function",
            Value::Unknown(_) => "value known at deploy time",
        }
    }

    /// Number of nodes in this subtree (used to bound alias expansion).
    pub fn size(&self) -> usize {
        1 + match &self.value {
            Value::Seq(items) => items.iter().map(Node::size).sum(),
            Value::Map(m) => m.entries.iter().map(|e| e.value.size()).sum(),
            Value::Intrinsic(i) => i.arg.size(),
            _ => 0,
        }
    }

    /// Renders the node as compact JSON with intrinsics in long form; used for messages,
    /// `inspect`, and where a template embeds a JSON document (Serverless filter patterns).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Yaml11Bool(_, s) | Value::Str(s) => J::String(s.to_string()),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(m) => J::Object(
                m.entries
                    .iter()
                    .map(|e| (e.key.to_string(), e.value.to_json()))
                    .collect(),
            ),
            Value::Intrinsic(i) => {
                let mut obj = serde_json::Map::new();
                obj.insert(i.name.clone(), i.arg.to_json());
                J::Object(obj)
            }
            Value::Unknown(u) => J::String(u.text.clone()),
        }
    }
}

impl Map {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.entry(key).is_some()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Resolves a plain (unquoted) YAML scalar the way the YAML 1.2 core schema does, keeping
/// YAML 1.1 boolean words distinguishable.
pub fn resolve_plain_scalar(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => {
            return Value::Yaml11Bool(true, text.into());
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
            return Value::Yaml11Bool(false, text.into());
        }
        _ => {}
    }
    // Most scalars are words: only a digit, sign or dot can start a number.
    let may_be_number = text
        .as_bytes()
        .first()
        .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.'));
    if !may_be_number {
        return Value::Str(text.into());
    }
    if let Some(v) = parse_yaml_int(text) {
        return Value::Int(v);
    }
    if let Some(v) = parse_yaml_float(text) {
        return Value::Float(v);
    }
    Value::Str(text.into())
}

fn parse_yaml_int(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let first = *bytes.first()?;
    if !(first.is_ascii_digit() || first == b'-' || first == b'+') {
        return None;
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok();
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok();
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn parse_yaml_float(text: &str) -> Option<f64> {
    match text {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    // Core schema: [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match frac_part {
        Some(f) => digits(int_part) && digits(f) && !(int_part.is_empty() && f.is_empty()),
        None => !int_part.is_empty() && digits(int_part),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    if mantissa_ok && exponent_ok {
        text.parse().ok()
    } else {
        None
    }
}

/// "expected an integer, found the string "x"": what a value of the wrong type is told.
pub fn expected(what: &str, node: &Node) -> String {
    match &node.value {
        Value::Str(s) | Value::Yaml11Bool(_, s) => {
            format!("expected {what}, found the string \"{s}\"")
        }
        _ => format!("expected {what}, found a {}", node.type_name()),
    }
}

/// A list's items, or the one value written where a list may stand (IAM's `Action: x`).
pub fn one_or_many(node: &Node) -> impl Iterator<Item = &Node> {
    match node.as_seq() {
        Some(items) => items.iter(),
        None => std::slice::from_ref(node).iter(),
    }
}

/// `${x}` as `x`: a string made of one interpolation is that expression.
fn bare_interpolation(text: &str) -> &str {
    text.strip_prefix("${")
        .and_then(|t| t.strip_suffix('}'))
        .filter(|inner| !inner.contains("${"))
        .unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown(text: &str) -> Node {
        let why = "known at deploy time".to_string();
        let text = text.to_string();
        Node::new(
            Span::default(),
            Value::Unknown(Box::new(Unknown { text, why })),
        )
    }

    /// An interpolation alone is its expression, wherever either is written; the index key
    /// agrees with the comparison, so an index lookup finds every match.
    #[test]
    fn same_expressions_share_their_key() {
        let pairs = [
            (unknown("module.q.arn"), unknown("${module.q.arn}"), true),
            (unknown("var.a"), unknown("var.b"), false),
            (
                unknown("${var.a}-${var.b}"),
                unknown("var.a}-${var.b"),
                false,
            ),
        ];
        for (a, b, same) in pairs {
            assert_eq!(a.same_expression(&b), same, "{a:?} {b:?}");
            if same {
                assert_eq!(a.expression_key(), b.expression_key());
            }
        }
        let list = |items: Vec<Node>| Node::new(Span::default(), Value::Seq(items));
        let a = list(vec![unknown("var.x"), unknown("${var.y}")]);
        let b = list(vec![unknown("${var.x}"), unknown("var.y")]);
        assert!(a.same_expression(&b));
        assert_eq!(a.expression_key(), b.expression_key());
    }

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        assert_eq!(resolve_plain_scalar("10"), Value::Int(10));
        assert_eq!(resolve_plain_scalar("-1"), Value::Int(-1));
        assert_eq!(resolve_plain_scalar("0.5"), Value::Float(0.5));
        assert_eq!(resolve_plain_scalar("1e3"), Value::Float(1000.0));
        assert_eq!(resolve_plain_scalar("true"), Value::Bool(true));
        assert_eq!(resolve_plain_scalar("~"), Value::Null);
        assert_eq!(
            resolve_plain_scalar("yes"),
            Value::Yaml11Bool(true, "yes".into())
        );
        assert_eq!(
            resolve_plain_scalar("2015-05-11T21:21:33.291"),
            Value::Str("2015-05-11T21:21:33.291".into())
        );
        assert_eq!(resolve_plain_scalar("1.2.3"), Value::Str("1.2.3".into()));
        assert_eq!(resolve_plain_scalar("-"), Value::Str("-".into()));
        assert_eq!(resolve_plain_scalar("."), Value::Str(".".into()));
    }

    #[test]
    fn tag_suffixes_map_to_long_forms() {
        assert_eq!(long_form_of_tag("GetAtt").as_deref(), Some("Fn::GetAtt"));
        assert_eq!(long_form_of_tag("Ref").as_deref(), Some("Ref"));
        assert_eq!(long_form_of_tag("Nope"), None);
    }
}
