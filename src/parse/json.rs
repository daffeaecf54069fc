//! JSON to [`Node`] from jsonc-parser's scanner in strict mode (no comments, no trailing
//! commas, no JSON5 extensions). YAML parsers are not used for JSON: they reject valid surrogate-pair
//! escapes that CDK output contains.

use jsonc_parser::errors::ParseErrorKind;
use jsonc_parser::tokens::Token;
use jsonc_parser::{Scanner, ScannerOptions};

use super::{KeySet, ParseError};
use crate::source::{FileId, Span};
use crate::tree::{Entry, Map, Node, Value};

/// Strict JSON: no single quotes, hexadecimal, `+1`, `.5`, `NaN` or JSON5 escapes. Comments
/// and trailing commas are refused by the builder.
const STRICT: ScannerOptions = ScannerOptions {
    allow_single_quoted_strings: false,
    allow_hexadecimal_numbers: false,
    allow_unary_plus_numbers: false,
    allow_bare_decimal_point_numbers: false,
    allow_non_finite_numbers: false,
    allow_extended_string_escapes: false,
};

/// Nesting deeper than this is refused (the YAML side's [`super::MAX_DEPTH`] too): recursion
/// stays bounded whatever the input.
const MAX_DEPTH: usize = 512;

/// Parses a JSON document. `Ok(None)` for a file with no value (empty or whitespace only).
///
/// The tree is built straight from jsonc-parser's tokens rather than from its syntax tree:
/// building that tree first and converting it cost more than parsing itself on large
/// templates.
pub fn parse(text: &str, file: FileId) -> Result<Option<Node>, ParseError> {
    let mut builder = Builder {
        scanner: Scanner::new(text, &STRICT),
        file,
        depth: 0,
        // Enough for the nesting of a typical template, so the stacks rarely grow.
        items: Vec::with_capacity(64),
        entries: Vec::with_capacity(64),
    };
    let Some(first) = builder.next()? else {
        return Ok(None);
    };
    let root = builder.value(first)?;
    match builder.next()? {
        None => Ok(Some(root)),
        Some(_) => Err(builder.error("text cannot contain more than one JSON value")),
    }
}

struct Builder<'a> {
    scanner: Scanner<'a>,
    file: FileId,
    depth: usize,
    /// The items and entries of the open arrays and objects, innermost last: each collection
    /// is allocated once, at its exact size, when it closes.
    items: Vec<Node>,
    entries: Vec<Entry>,
}

impl<'a> Builder<'a> {
    /// The next token; comments are errors (strict JSON).
    fn next(&mut self) -> Result<Option<Token<'a>>, ParseError> {
        let token = self.scanner.scan().map_err(|e| ParseError {
            offset: e.range().start,
            message: match e.kind() {
                ParseErrorKind::UnexpectedToken => "unexpected token".to_string(),
                kind => kind.to_string(),
            },
        })?;
        match token {
            Some(Token::CommentLine(_) | Token::CommentBlock(_)) => {
                Err(self.error("comments are not allowed"))
            }
            other => Ok(other),
        }
    }

    /// A token that must be there: the end of the text is an error.
    fn expect(&mut self, what: &str) -> Result<Token<'a>, ParseError> {
        self.next()?
            .ok_or_else(|| self.error(&format!("expected {what}, found the end of the text")))
    }

    fn error(&self, message: &str) -> ParseError {
        ParseError {
            offset: self.scanner.token_start(),
            message: message.to_string(),
        }
    }

    fn span(&self, start: usize) -> Span {
        Span::new(self.file, start, self.scanner.token_end())
    }

    /// The value that starts with `token` (already scanned).
    fn value(&mut self, token: Token<'a>) -> Result<Node, ParseError> {
        let start = self.scanner.token_start();
        let value = match token {
            Token::String(s) => Value::Str(crate::tree::Text::from(s.as_ref())),
            Token::Number(n) => number(n).ok_or_else(|| {
                self.error("number out of range: it is too large for a 64-bit float")
            })?,
            Token::Boolean(b) => Value::Bool(b),
            Token::Null => Value::Null,
            Token::OpenBrace => return self.nested(start, Self::object),
            Token::OpenBracket => return self.nested(start, Self::array),
            Token::Word(_) => return Err(self.error("unexpected word")),
            _ => return Err(self.error("unexpected token")),
        };
        Ok(Node::new(self.span(start), value))
    }

    /// An object or array, one level deeper.
    fn nested(
        &mut self,
        start: usize,
        body: fn(&mut Self, usize) -> Result<Node, ParseError>,
    ) -> Result<Node, ParseError> {
        if self.depth >= MAX_DEPTH {
            return Err(ParseError {
                offset: start,
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
            });
        }
        self.depth += 1;
        let node = body(self, start);
        self.depth -= 1;
        node
    }

    fn object(&mut self, start: usize) -> Result<Node, ParseError> {
        let first = self.entries.len();
        let mut seen = KeySet::default();
        let mut token = self.expect("a property name or '}'")?;
        if matches!(token, Token::CloseBrace) {
            return Ok(Node::mapping(self.span(start), Map::default()));
        }
        let closed = loop {
            let Token::String(key) = token else {
                return Err(self.error("expected a property name in double quotes"));
            };
            let key_span = self.span(self.scanner.token_start());
            if !seen.insert(&key, &self.entries[first..]) {
                return Err(ParseError {
                    offset: key_span.start as usize,
                    message: format!("duplicate object key \"{key}\""),
                });
            }
            if !matches!(self.expect("':'")?, Token::Colon) {
                return Err(self.error("expected ':'"));
            }
            let value_token = self.expect("a value")?;
            let value = self.value(value_token)?;
            self.entries.push(Entry {
                key: crate::tree::Text::from(key.as_ref()),
                key_span,
                value,
            });
            match self.expect("',' or '}'")? {
                Token::Comma => token = self.expect("a property name")?,
                Token::CloseBrace => break self.span(start),
                _ => return Err(self.error("expected ',' or '}'")),
            }
            if matches!(token, Token::CloseBrace) {
                return Err(self.error("trailing commas are not allowed"));
            }
        };
        let entries = self.entries.drain(first..).collect();
        Ok(Node::mapping(closed, Map { entries }))
    }

    fn array(&mut self, start: usize) -> Result<Node, ParseError> {
        let first = self.items.len();
        let mut token = self.expect("a value or ']'")?;
        if matches!(token, Token::CloseBracket) {
            return Ok(Node::new(self.span(start), Value::Seq(Vec::new())));
        }
        let closed = loop {
            let item = self.value(token)?;
            self.items.push(item);
            match self.expect("',' or ']'")? {
                Token::Comma => token = self.expect("a value")?,
                Token::CloseBracket => break self.span(start),
                _ => return Err(self.error("expected ',' or ']'")),
            }
            if matches!(token, Token::CloseBracket) {
                return Err(self.error("trailing commas are not allowed"));
            }
        };
        let items = self.items.drain(first..).collect();
        Ok(Node::new(closed, Value::Seq(items)))
    }
}

/// A number's value; `None` when it overflows a 64-bit float (`1e400`), which JSON parsers
/// such as serde_json refuse rather than read as infinity.
fn number(text: &str) -> Option<Value> {
    let integral = !text.contains(['.', 'e', 'E']);
    match (integral, text.parse::<i64>()) {
        (true, Ok(i)) => Some(Value::Int(i)),
        _ => match text.parse::<f64>() {
            Ok(f) if f.is_infinite() => None,
            Ok(f) => Some(Value::Float(f)),
            Err(_) => Some(Value::Str(text.into())),
        },
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
    fn what_strict_json_refuses_is_an_error_at_its_place() {
        let cases: &[(&str, usize, &str)] = &[
            ("[1, 2,]", 6, "trailing commas are not allowed"),
            ("{\"a\": 1,}", 8, "trailing commas are not allowed"),
            ("{\"a\" 1}", 5, "expected ':'"),
            ("{a: 1}", 1, "expected a property name in double quotes"),
            ("{'a': 1}", 1, "Single-quoted strings are not allowed"),
            ("[0x10]", 1, "Hexadecimal numbers are not allowed"),
            ("[NaN]", 1, "unexpected token"),
            ("[1 2]", 3, "expected ',' or ']'"),
            (
                "{\"a\": 1} {}",
                9,
                "text cannot contain more than one JSON value",
            ),
            ("// note\n{}", 0, "comments are not allowed"),
            ("[1, ", 4, "expected a value, found the end of the text"),
            ("\"open", 0, "Unterminated string literal"),
        ];
        for (text, offset, message) in cases {
            let err = parse(text, FileId(0)).expect_err(text);
            assert_eq!(
                (err.offset, err.message.as_str()),
                (*offset, *message),
                "{text}"
            );
        }
        assert_eq!(parse("  \n", FileId(0)), Ok(None));
    }

    /// Our tree as serde_json's value, intrinsic functions back as the objects they were.
    fn as_json(node: &Node) -> serde_json::Value {
        use serde_json::Value as J;
        match &node.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => J::from(*f),
            Value::Str(s) => J::String(s.to_string()),
            Value::Seq(items) => J::Array(items.iter().map(as_json).collect()),
            Value::Map(map) => J::Object(
                map.entries
                    .iter()
                    .map(|e| (e.key.to_string(), as_json(&e.value)))
                    .collect(),
            ),
            Value::Intrinsic(i) => {
                J::Object([(i.name.clone(), as_json(&i.arg))].into_iter().collect())
            }
            other => panic!("JSON never gives {other:?}"),
        }
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        use serde_json::Value as J;
        let leaf = prop_oneof![
            Just(J::Null),
            any::<bool>().prop_map(J::Bool),
            any::<i64>().prop_map(J::from),
            (-1e6f64..1e6).prop_map(J::from),
            "[a-zA-Z0-9 :\"\\\\/\u{e9}\u{1f600}-]{0,12}".prop_map(J::String),
        ];
        leaf.prop_recursive(6, 64, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(J::Array),
                proptest::collection::btree_map("(Fn::|Ref)?[a-z]{0,6}", inner, 0..6)
                    .prop_map(|m| J::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// Every value serde_json writes, compact or pretty, reads back as the same value, and
        /// every node's span is exactly the text of that node.
        #[test]
        fn what_serde_json_writes_reads_back_with_exact_spans(value in json_value(), pretty: bool) {
            let text = if pretty {
                serde_json::to_string_pretty(&value).unwrap()
            } else {
                serde_json::to_string(&value).unwrap()
            };
            let root = parse(&text, FileId(0)).unwrap().unwrap();
            proptest::prop_assert_eq!(as_json(&root), value);
            let mut stack = vec![&root];
            while let Some(node) = stack.pop() {
                let written: serde_json::Value = serde_json::from_str(&text[node.span.range()]).unwrap();
                proptest::prop_assert_eq!(written, as_json(node));
                match &node.value {
                    Value::Seq(items) => stack.extend(items),
                    Value::Map(map) => stack.extend(map.entries.iter().map(|e| &e.value)),
                    Value::Intrinsic(i) => stack.push(&i.arg),
                    _ => {}
                }
            }
        }

        /// Text made of JSON's pieces is accepted exactly when serde_json (strict RFC 8259 too)
        /// accepts it, duplicate keys aside.
        #[test]
        fn acceptance_agrees_with_serde_json(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "{", "}", "[", "]", ",", ":", "\"a\"", "\"b\"", "1", "-0.5e3", "01", "true",
                    "null", " ", "\n", "'", "/", "\"\\u00e9\"", "tru", "\"\\x\"",
                ]),
                0..14,
            )
        ) {
            let text = pieces.concat();
            let ours = parse(&text, FileId(0));
            let theirs = serde_json::from_str::<serde_json::Value>(&text);
            let duplicate = ours.as_ref().is_err_and(|e| e.message.starts_with("duplicate"));
            let blank = text.trim().is_empty();
            if !duplicate && !blank {
                proptest::prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}: {:?}", text, ours);
            }
        }
    }

    #[test]
    fn a_number_too_large_for_a_float_is_an_error() {
        let error = parse("{\"a\": -0.5e311}", FileId(0)).unwrap_err();
        assert_eq!(error.offset, 6);
        assert!(
            error.message.starts_with("number out of range"),
            "{error:?}"
        );
        assert!(parse("{\"a\": 1e308}", FileId(0)).is_ok());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000) + &"]".repeat(100_000);
        assert!(parse(&text, FileId(0)).is_err());
    }
}
