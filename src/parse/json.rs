//! JSON to [`Node`] through jsonc-parser in strict mode (no comments, no trailing commas, no
//! JSON5 extensions). YAML parsers are not used for JSON: they reject valid surrogate-pair
//! escapes that CDK output contains.

use jsonc_parser::ast::{self, ObjectPropName};
use jsonc_parser::errors::ParseErrorKind;
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};

use super::{KeySet, ParseError};
use crate::source::{FileId, Span};
use crate::tree::{Entry, Map, Node, Value};

const STRICT: ParseOptions = ParseOptions {
    allow_comments: false,
    allow_loose_object_property_names: false,
    allow_trailing_commas: false,
    allow_missing_commas: false,
    allow_single_quoted_strings: false,
    allow_hexadecimal_numbers: false,
    allow_unary_plus_numbers: false,
    allow_bare_decimal_point_numbers: false,
    allow_non_finite_numbers: false,
    allow_extended_string_escapes: false,
};

/// jsonc-parser's own nesting limit (fixed inside it, and equal to the YAML side's
/// [`super::MAX_DEPTH`]).
const PARSER_MAX_DEPTH: usize = 512;

/// Parses a JSON document. `Ok(None)` for a file with no value (empty or whitespace only).
/// jsonc-parser bounds nesting depth itself (512 levels), so recursion here is bounded too.
pub fn parse(text: &str, file: FileId) -> Result<Option<Node>, ParseError> {
    let parsed =
        parse_to_ast(text, &CollectOptions::default(), &STRICT).map_err(|e| ParseError {
            offset: e.range().start,
            message: match e.kind() {
                ParseErrorKind::NestingDepthExceeded => {
                    format!("nesting deeper than {PARSER_MAX_DEPTH} levels")
                }
                kind => kind.to_string(),
            },
        })?;
    parsed.value.map(|v| convert(v, file)).transpose()
}

fn convert(value: ast::Value<'_>, file: FileId) -> Result<Node, ParseError> {
    let span = |r: jsonc_parser::common::Range| Span::new(file, r.start, r.end);
    Ok(match value {
        ast::Value::StringLit(s) => Node::new(span(s.range), Value::Str(s.value.into_owned())),
        ast::Value::NumberLit(n) => Node::new(span(n.range), number(n.value)),
        ast::Value::BooleanLit(b) => Node::new(span(b.range), Value::Bool(b.value)),
        ast::Value::NullKeyword(n) => Node::new(span(n.range), Value::Null),
        ast::Value::Array(a) => {
            let items = a
                .elements
                .into_iter()
                .map(|v| convert(v, file))
                .collect::<Result<Vec<_>, _>>()?;
            Node::new(span(a.range), Value::Seq(items))
        }
        ast::Value::Object(o) => {
            let object_span = span(o.range);
            let mut seen = KeySet::default();
            let mut entries: Vec<Entry> = Vec::with_capacity(o.properties.len());
            for prop in o.properties {
                let (key, key_range) = match prop.name {
                    ObjectPropName::String(s) => (s.value.into_owned(), s.range),
                    ObjectPropName::Word(w) => (w.value.to_string(), w.range),
                };
                if !seen.insert(&key, &entries) {
                    return Err(ParseError {
                        offset: key_range.start,
                        message: format!("duplicate object key \"{key}\""),
                    });
                }
                entries.push(Entry {
                    key,
                    key_span: span(key_range),
                    value: convert(prop.value, file)?,
                });
            }
            Node::mapping(object_span, Map { entries })
        }
    })
}

fn number(text: &str) -> Value {
    let integral = !text.contains(['.', 'e', 'E']);
    match (integral, text.parse::<i64>()) {
        (true, Ok(i)) => Value::Int(i),
        _ => text
            .parse::<f64>()
            .map_or_else(|_| Value::Str(text.to_string()), Value::Float),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_keep_key_and_value_spans() {
        let text = r#"{"a": {"Fn::GetAtt": ["Q", "Arn"]}, "b": 10, "c": 0.5}"#;
        let root = parse(text, FileId(0)).unwrap().unwrap();
        let a = root.as_map().unwrap().entry("a").unwrap();
        assert_eq!(&text[a.key_span.range()], "\"a\"");
        assert_eq!(a.value.as_intrinsic().unwrap().name, "Fn::GetAtt");
        assert_eq!(root.get("b").unwrap().value, Value::Int(10));
        assert_eq!(root.get("c").unwrap().value, Value::Float(0.5));
    }

    #[test]
    fn surrogate_pairs_and_strictness() {
        let root = parse(r#"{"s": "\ud83d\ude00"}"#, FileId(0))
            .unwrap()
            .unwrap();
        assert_eq!(root.get("s").unwrap().as_str(), Some("😀"));
        assert!(parse("{\"a\": 1,}", FileId(0)).is_err());
        assert!(parse("{\"a\": 1} // c", FileId(0)).is_err());
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = parse(r#"{"a": 1, "a": 2}"#, FileId(0)).unwrap_err();
        assert_eq!(err.offset, 9);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000) + &"]".repeat(100_000);
        assert!(parse(&text, FileId(0)).is_err());
    }
}
