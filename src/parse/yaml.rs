//! YAML to [`Node`] through saphyr-parser's event stream: one pass, spans on every node,
//! anchors, aliases and merge keys resolved here, with bounds on what hostile input can cost.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

use super::{KeySet, MAX_ALIAS_EXPANSION, MAX_DEPTH, ParseError};
use crate::source::{FileId, Span};
use crate::tree::{
    Entry, Intrinsic, Map, Node, Text, Value, long_form_of_tag, resolve_plain_scalar,
};

/// Parses the first document of a YAML stream. `Ok(None)` for a stream without documents.
///
/// saphyr-parser follows YAML 1.2 to the letter in three places where libyaml, PyYAML and
/// js-yaml (and so CloudFormation, SAM and the Serverless Framework) accept the text: a flow
/// collection whose continuation lines are indented less than its key, a flow item that is a
/// lone `-` (`!Split [-, ...]`), and a multi-line quoted scalar whose continuation lines are
/// indented less than its key (`!Sub '{` ... `}'` with the closing line at the key's own
/// indentation). All occur in deployed templates, so they are accepted here through
/// same-length rewrites of the text (spans stay valid) and a retry.
pub fn parse(text: &str, file: FileId) -> Result<Option<Node>, ParseError> {
    let mut rewritten: Option<String> = None;
    let mut restored = Restored::default();
    for _ in 0..MAX_LENIENT_REWRITES {
        let current = rewritten.as_deref().unwrap_or(text);
        let failure = match parse_once(current, text, &restored, file) {
            Ok(root) => return Ok(root),
            Err(failure) => failure,
        };
        let (bytes, fix) = match lenient_rewrite(current, &failure) {
            Some(fix) => fix,
            None => return Err(where_the_mistake_is(text, failure.error)),
        };
        let mut next = current.to_string();
        next.replace_range(fix.range.clone(), &bytes);
        match fix.kind {
            RewriteKind::Dash => restored.dashes.push(fix.range.start),
            RewriteKind::QuotedLines => restored.quoted.push(fix.range.start),
            RewriteKind::FlowLines => {}
        }
        rewritten = Some(next);
    }
    parse_once(rewritten.as_deref().unwrap_or(text), text, &restored, file)
        .map_err(|f| where_the_mistake_is(text, f.error))
}

/// Moves an error to where the author erred, when the parser can only notice it later. A key
/// without a space after its colon (`MappingRestEdge:curc`) is plain text, which YAML continues
/// onto the next line; the parser stops only at that line's `:`.
fn where_the_mistake_is(text: &str, error: ParseError) -> ParseError {
    if error.message != "mapping values are not allowed in this context" {
        return error;
    }
    let line_start = |at: usize| text[..at].rfind('\n').map_or(0, |i| i + 1);
    let here = line_start(error.offset.min(text.len()));
    if here == 0 {
        return error;
    }
    let mut previous = line_start(here - 1);
    while previous > 0 && text[previous..here].trim().is_empty() {
        previous = line_start(previous - 1);
    }
    let line = text[previous..here].trim_end();
    let content = line.trim_start().trim_start_matches("- ").trim_start();
    let glued = content.find(':').filter(|&colon| {
        !content.starts_with('#')
            && !content.contains(": ")
            && !content.ends_with(':')
            && !content.starts_with(['"', '\'', '{', '['])
            && colon > 0
    });
    let Some(colon) = glued else {
        return error;
    };
    let content_start = previous + line.len() - content.len();
    ParseError {
        offset: content_start + colon,
        message: format!(
            "`{content}` has no space after its colon, so it is not a key: it reads as text \
             that runs on into the next line"
        ),
    }
}

/// Where rewritten text changed a scalar's value, so the builder takes it from the original.
#[derive(Default)]
struct Restored {
    /// Rewritten lone dashes (each inside a plain scalar).
    dashes: Vec<usize>,
    /// Openings of quoted scalars whose lines were joined.
    quoted: Vec<usize>,
}

/// Bounds the retries a file can cost (each one re-parses the whole text).
const MAX_LENIENT_REWRITES: usize = 32;

/// A parse error, and whether the innermost open collection was a flow collection.
struct Failure {
    error: ParseError,
    in_flow: bool,
}

struct Rewrite {
    range: std::ops::Range<usize>,
    kind: RewriteKind,
}

enum RewriteKind {
    /// A lone `-` in a flow collection, made `^`.
    Dash,
    /// A flow collection's line joined to the one before.
    FlowLines,
    /// A quoted scalar's lines joined into one.
    QuotedLines,
}

/// The same-length rewrite that makes libyaml-accepted text acceptable to saphyr, if any.
fn lenient_rewrite(text: &str, failure: &Failure) -> Option<(String, Rewrite)> {
    let at = failure.error.offset;
    match failure.error.message.as_str() {
        "plain scalar cannot start with '-' followed by ,[]{}"
            if text.as_bytes().get(at) == Some(&b'-') =>
        {
            // `^` is not a YAML indicator, so it scans as a plain scalar; the builder restores
            // the original text of scalars covering a rewritten dash.
            Some((
                "^".to_string(),
                Rewrite {
                    range: at..at + 1,
                    kind: RewriteKind::Dash,
                },
            ))
        }
        "invalid indentation" | "invalid indentation in flow construct" if failure.in_flow => {
            // Inside a flow collection a line break is only white space: join the line to the
            // one before, blanking a trailing comment there so the join does not swallow it.
            let line_start = text[..at].rfind(['\n', '\r']).map(|i| i + 1)?;
            if !text[line_start..at]
                .bytes()
                .all(|b| b == b' ' || b == b'\t')
            {
                return None;
            }
            let break_start = text[..line_start].trim_end_matches(['\n', '\r']).len();
            let previous_start = text[..break_start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
            let comment = comment_start(&text[previous_start..break_start])?;
            let from = comment.map_or(break_start, |c| previous_start + c);
            Some((
                " ".repeat(line_start - from),
                Rewrite {
                    range: from..line_start,
                    kind: RewriteKind::FlowLines,
                },
            ))
        }
        "invalid indentation in quoted scalar" => {
            // Line breaks inside quotes fold to spaces whatever the indentation, so the lines
            // are joined (the builder reads the value back from the original text).
            let quote = *text.as_bytes().get(at)?;
            let end = at + 1 + closing_quote(&text[at + 1..], quote)?;
            let joined: String = text[at..end]
                .chars()
                .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
                .collect();
            Some((
                joined,
                Rewrite {
                    range: at..end,
                    kind: RewriteKind::QuotedLines,
                },
            ))
        }
        _ => None,
    }
}

/// The offset of the quote that closes a scalar opened by `quote`, in the text after it.
fn closing_quote(rest: &str, quote: u8) -> Option<usize> {
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 1,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
            b if b == quote => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The value of a multi-line quoted scalar as written (from its opening to its closing quote),
/// whatever the indentation of its lines: folding ignores a line's leading white space, so the
/// lines are re-indented under a key of their own and parsed again.
fn quoted_value(written: &str) -> Option<String> {
    let mut lines = written.split('\n');
    let mut document = format!("k: {}", lines.next()?);
    for line in lines {
        document.push_str("\n  ");
        document.push_str(line.trim_start_matches([' ', '\t']));
    }
    let mut parser = Parser::new_from_str(&document);
    let mut scalars = 0;
    while let Some(Ok((event, _))) = parser.next_event() {
        if let Event::Scalar(text, ..) = event {
            scalars += 1;
            if scalars == 2 {
                return Some(text.into_owned());
            }
        }
    }
    None
}

/// The scanner's message, reworded where it is cryptic. Its flow level is a `u8`, so flow
/// collections nest at most 255 deep (block nesting is bounded by [`MAX_DEPTH`] here).
fn scan_message(info: &str) -> String {
    match info {
        "recursion limit exceeded" => {
            "flow collections ({ } and [ ]) nested deeper than 255 levels".to_string()
        }
        other => other.to_string(),
    }
}

/// Where a comment starts on a line: `Some(None)` for no comment, `Some(Some(i))` for a `#`
/// at the start or after white space, outside quotes; `None` when the line ends inside a quoted
/// scalar.
pub(crate) fn comment_start(line: &str) -> Option<Option<usize>> {
    let bytes = line.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(b'"') if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'#' && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t')) => {
                return Some(Some(i));
            }
            None => {}
        }
        i += 1;
    }
    quote.is_none().then_some(None)
}

fn parse_once(
    text: &str,
    original: &str,
    restored: &Restored,
    file: FileId,
) -> Result<Option<Node>, Failure> {
    let offsets = CharOffsets::new(text);
    let mut builder = Builder::new(original, restored);
    let mut parser = Parser::new_from_str(text);
    while let Some(event) = parser.next_event() {
        let (event, span) = match event {
            Ok(ok) => ok,
            Err(e) => {
                return Err(Failure {
                    error: ParseError {
                        offset: offsets.byte(e.marker().index()),
                        message: scan_message(e.info()),
                    },
                    in_flow: builder.in_flow(original),
                });
            }
        };
        let span = Span::new(
            file,
            offsets.byte(span.start.index()),
            offsets.byte(span.end.index()),
        );
        let flow = builder.on_event(event, span).map_err(|error| Failure {
            error,
            in_flow: false,
        })?;
        if flow == Flow::Done {
            break;
        }
    }
    Ok(builder.root)
}

/// saphyr-parser counts positions in characters; spans are bytes. For ASCII text the two agree;
/// otherwise a checkpoint every [`STEP`] characters keeps the lookup cheap and the table small.
struct CharOffsets<'a> {
    text: &'a str,
    checkpoints: Option<Vec<usize>>,
}

const STEP: usize = 64;

impl<'a> CharOffsets<'a> {
    fn new(text: &'a str) -> Self {
        let checkpoints = (!text.is_ascii()).then(|| {
            text.char_indices()
                .step_by(STEP)
                .map(|(byte, _)| byte)
                .collect()
        });
        CharOffsets { text, checkpoints }
    }

    fn byte(&self, char_index: usize) -> usize {
        let Some(checkpoints) = &self.checkpoints else {
            return char_index.min(self.text.len());
        };
        let Some(&base) = checkpoints.get(char_index / STEP) else {
            return self.text.len();
        };
        let rest = char_index % STEP;
        self.text[base..]
            .char_indices()
            .nth(rest)
            .map_or(self.text.len(), |(b, _)| base + b)
    }
}

#[derive(PartialEq)]
enum Flow {
    Continue,
    Done,
}

struct Key {
    text: Text,
    span: Span,
    /// A plain `<<` key: the YAML merge key.
    is_merge: bool,
}

/// An open collection. Its items or entries so far sit at the end of the builder's shared
/// `items` or `entries` stack, from `first`: each collection then allocates once, at its exact
/// size, when it closes, and the stacks' memory is reused from one collection to the next.
enum Frame {
    Seq {
        start: Span,
        anchor: usize,
        tag: Option<Tag>,
        first: usize,
    },
    Map {
        start: Span,
        anchor: usize,
        tag: Option<Tag>,
        first: usize,
        seen: KeySet,
        pending_key: Option<Key>,
        merges: Vec<Node>,
    },
}

struct Builder<'t> {
    /// The text as written, for scalars whose text was rewritten before parsing.
    original: &'t str,
    restored: &'t Restored,
    stack: Vec<Frame>,
    items: Vec<Node>,
    entries: Vec<Entry>,
    anchors: HashMap<usize, (Node, usize)>,
    expanded: usize,
    root: Option<Node>,
    /// A scalar key is only known to be a key once it is complete; its style decides whether
    /// `<<` is a merge key.
    last_scalar_plain: bool,
}

impl<'t> Builder<'t> {
    fn new(original: &'t str, restored: &'t Restored) -> Self {
        Builder {
            original,
            restored,
            stack: Vec::new(),
            items: Vec::new(),
            entries: Vec::new(),
            anchors: HashMap::new(),
            expanded: 0,
            root: None,
            last_scalar_plain: false,
        }
    }

    fn on_event(&mut self, event: Event<'_>, span: Span) -> Result<Flow, ParseError> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                self.last_scalar_plain = style == ScalarStyle::Plain && tag.is_none();
                let text = self.written_text(text, style, span);
                let value = scalar_value(&text, style, tag.as_deref());
                let node = tagged(span, value, tag.as_deref());
                self.register_anchor(anchor, &node);
                self.complete(node)
            }
            Event::Alias(id) => {
                self.last_scalar_plain = false;
                let node = self.expand_alias(id, span)?;
                self.complete(node)
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(Frame::Seq {
                    start: span,
                    anchor,
                    tag: tag.map(|t| t.into_owned()),
                    first: self.items.len(),
                })?;
                Ok(Flow::Continue)
            }
            Event::MappingStart(anchor, tag) => {
                self.open(Frame::Map {
                    start: span,
                    anchor,
                    tag: tag.map(|t| t.into_owned()),
                    first: self.entries.len(),
                    seen: KeySet::default(),
                    pending_key: None,
                    merges: Vec::new(),
                })?;
                Ok(Flow::Continue)
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(span),
            Event::DocumentEnd if self.root.is_some() => Ok(Flow::Done),
            _ => Ok(Flow::Continue),
        }
    }

    /// Whether the innermost open collection is a flow collection (`[` or `{`).
    fn in_flow(&self, text: &str) -> bool {
        let start = match self.stack.last() {
            Some(Frame::Seq { start, .. } | Frame::Map { start, .. }) => *start,
            None => return false,
        };
        // The start event spans any anchor and tag, then the bracket of a flow collection.
        let mut rest = text.get(start.range()).unwrap_or_default().trim_start();
        while rest.starts_with(['&', '!']) {
            rest = rest
                .find(char::is_whitespace)
                .map_or("", |i| rest[i..].trim_start());
        }
        rest.starts_with(['[', '{'])
    }

    /// A plain scalar covering a rewritten `-`, or a quoted scalar whose lines were joined,
    /// gets its text back from the original.
    fn written_text<'e>(
        &self,
        text: std::borrow::Cow<'e, str>,
        style: ScalarStyle,
        span: Span,
    ) -> std::borrow::Cow<'e, str> {
        let covers = |offsets: &[usize]| offsets.iter().any(|&d| span.range().contains(&d));
        let Some(original) = self.original.get(span.range()) else {
            return text;
        };
        match style {
            ScalarStyle::Plain if covers(&self.restored.dashes) => {
                std::borrow::Cow::Owned(original.trim().to_string())
            }
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted
                if covers(&self.restored.quoted) =>
            {
                quoted_value(original).map_or(text, std::borrow::Cow::Owned)
            }
            _ => text,
        }
    }

    fn open(&mut self, frame: Frame) -> Result<(), ParseError> {
        if self.stack.len() >= MAX_DEPTH {
            let start = match &frame {
                Frame::Seq { start, .. } | Frame::Map { start, .. } => *start,
            };
            return Err(ParseError {
                offset: start.start as usize,
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
            });
        }
        self.stack.push(frame);
        Ok(())
    }

    fn close(&mut self, end: Span) -> Result<Flow, ParseError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(Flow::Continue);
        };
        let node = match frame {
            Frame::Seq {
                start,
                anchor,
                tag,
                first,
            } => {
                let items: Vec<Node> = self.items.drain(first..).collect();
                let span = collection_span(start, end, items.last().map(|n| n.span));
                let node = tagged(span, Value::Seq(items), tag.as_ref());
                self.register_anchor(anchor, &node);
                node
            }
            Frame::Map {
                start,
                anchor,
                tag,
                first,
                merges,
                ..
            } => {
                let mut entries: Vec<Entry> = self.entries.drain(first..).collect();
                let last = entries.last().map(|e| e.value.span);
                apply_merges(&mut entries, merges);
                let span = collection_span(start, end, last);
                let node = match tag {
                    Some(tag) => tagged(span, Value::Map(Map { entries }), Some(&tag)),
                    None => Node::mapping(span, Map { entries }),
                };
                self.register_anchor(anchor, &node);
                node
            }
        };
        self.complete(node)
    }

    /// Places a finished node: as the document root, a sequence item, a key, or a value.
    fn complete(&mut self, node: Node) -> Result<Flow, ParseError> {
        let key_is_plain = self.last_scalar_plain;
        match self.stack.last_mut() {
            None => {
                self.root.get_or_insert(node);
                Ok(Flow::Continue)
            }
            Some(Frame::Seq { .. }) => {
                self.items.push(node);
                Ok(Flow::Continue)
            }
            Some(Frame::Map {
                first,
                seen,
                pending_key,
                merges,
                ..
            }) => {
                match pending_key.take() {
                    None => {
                        let text = key_text(&node);
                        *pending_key = Some(Key {
                            is_merge: key_is_plain && text == "<<",
                            text,
                            span: node.span,
                        });
                    }
                    Some(key) if key.is_merge => merges.push(node),
                    Some(key) => {
                        if !seen.insert(&key.text, &self.entries[*first..]) {
                            return Err(ParseError {
                                offset: key.span.start as usize,
                                message: format!("duplicate mapping key `{}`", key.text),
                            });
                        }
                        self.entries.push(Entry {
                            key: key.text,
                            key_span: key.span,
                            value: node,
                        });
                    }
                }
                Ok(Flow::Continue)
            }
        }
    }

    fn register_anchor(&mut self, anchor: usize, node: &Node) {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), node.size()));
        }
    }

    fn expand_alias(&mut self, id: usize, span: Span) -> Result<Node, ParseError> {
        let Some((node, size)) = self.anchors.get(&id) else {
            return Err(ParseError {
                offset: span.start as usize,
                message: "alias to an unknown anchor".to_string(),
            });
        };
        self.expanded += size;
        if self.expanded > MAX_ALIAS_EXPANSION {
            return Err(ParseError {
                offset: span.start as usize,
                message: format!(
                    "aliases expand to more than {MAX_ALIAS_EXPANSION} nodes (an alias bomb?)"
                ),
            });
        }
        // Values inside keep pointing at the anchored definition; the alias itself is where
        // the value is used.
        let mut node = node.clone();
        node.span = span;
        Ok(node)
    }
}

/// Applies a tag: CloudFormation short forms become intrinsics, core-schema tags are
/// already reflected in the value, anything else is kept as an opaque intrinsic so it is
/// never taken for a literal.
fn tagged(span: Span, value: Value, tag: Option<&Tag>) -> Node {
    let Some(tag) = tag else {
        return Node::new(span, value);
    };
    if tag.is_yaml_core_schema() {
        return Node::new(span, value);
    }
    let name = if tag.handle == "!" {
        long_form_of_tag(&tag.suffix).unwrap_or_else(|| format!("!{}", tag.suffix))
    } else {
        tag.to_string()
    };
    let arg = match (name.as_str(), value) {
        ("Fn::GetAtt", Value::Str(dotted)) => split_get_att(span, &dotted),
        (_, value) => Node::new(span, value),
    };
    Node::new(span, Value::Intrinsic(Box::new(Intrinsic::new(name, arg))))
}

/// `!GetAtt Resource.Attr.Sub` is `[Resource, "Attr.Sub"]` in long form.
fn split_get_att(span: Span, dotted: &str) -> Node {
    let parts = match dotted.split_once('.') {
        Some((resource, attribute)) => vec![resource, attribute],
        None => vec![dotted],
    };
    let items = parts
        .into_iter()
        .map(|p| Node::new(span, Value::Str(p.into())))
        .collect();
    Node::new(span, Value::Seq(items))
}

fn scalar_value(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    if let Some(tag) = tag.filter(|t| t.is_yaml_core_schema()) {
        return match tag.suffix.as_str() {
            "str" => Value::Str(text.into()),
            "null" => Value::Null,
            _ => resolve_plain_scalar(text),
        };
    }
    if style == ScalarStyle::Plain {
        resolve_plain_scalar(text)
    } else {
        Value::Str(text.into())
    }
}

fn key_text(node: &Node) -> Text {
    match &node.value {
        Value::Str(s) | Value::Yaml11Bool(_, s) => s.clone(),
        Value::Int(i) => compact_str::format_compact!("{i}"),
        Value::Float(f) => compact_str::format_compact!("{f}"),
        Value::Bool(b) => compact_str::format_compact!("{b}"),
        Value::Null => Text::const_new("null"),
        Value::Intrinsic(i) => i.name.as_str().into(),
        Value::Seq(_) | Value::Map(_) | Value::Unknown(_) => Text::const_new("<complex key>"),
    }
}

/// Block collections end where the next token starts (often lines later); their span should
/// end with their last child. Flow collections end at their closing bracket.
fn collection_span(start: Span, end: Span, last_child: Option<Span>) -> Span {
    let end_offset = if end.end > end.start {
        end.end
    } else {
        last_child.map_or(start.end, |c| c.end)
    };
    Span {
        file: start.file,
        start: start.start,
        end: end_offset.max(start.start),
    }
}

/// YAML merge keys: entries written in the mapping win; among merged mappings, earlier wins.
fn apply_merges(entries: &mut Vec<Entry>, merges: Vec<Node>) {
    for merge in merges {
        let sources: Vec<Node> = match merge.value {
            Value::Seq(items) => items,
            _ => vec![merge],
        };
        for source in sources {
            let Value::Map(map) = source.value else {
                continue;
            };
            for entry in map.entries {
                if !entries.iter().any(|e| e.key == entry.key) {
                    entries.push(entry);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Node {
        parse(text, FileId(0))
            .expect("parses")
            .expect("has a document")
    }

    fn text_of(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    #[test]
    fn spans_are_bytes_even_after_multibyte_characters() {
        let text = "# café ☕\nkey: välue\nother: 2\n";
        let root = parse_str(text);
        let entry = root.as_map().unwrap().entry("other").unwrap();
        assert_eq!(text_of(text, entry.key_span), "other");
        assert_eq!(text_of(text, entry.value.span), "2");
        let v = root.get("key").unwrap();
        assert_eq!(text_of(text, v.span), "välue");
    }

    #[test]
    fn short_form_tags_become_long_form_intrinsics() {
        let root = parse_str("a: !GetAtt Queue.Arn\nb: !Ref X\nc: !Join [':', [a, b]]\n");
        let a = root.get("a").unwrap().as_intrinsic().unwrap();
        assert_eq!(a.name, "Fn::GetAtt");
        assert_eq!(a.arg.to_json(), serde_json::json!(["Queue", "Arn"]));
        let long = parse_str("a:\n  Fn::GetAtt: [Queue, Arn]\n");
        assert_eq!(
            root.get("a").unwrap().to_json(),
            long.get("a").unwrap().to_json()
        );
        assert_eq!(root.get("b").unwrap().as_intrinsic().unwrap().name, "Ref");
        assert_eq!(
            root.get("c").unwrap().to_json(),
            serde_json::json!({"Fn::Join": [":", ["a", "b"]]})
        );
    }

    #[test]
    fn anchors_aliases_and_merge_keys_resolve() {
        let text = "base: &b\n  x: 1\n  y: 2\nuse:\n  <<: *b\n  y: 3\nref: *b\n";
        let root = parse_str(text);
        assert_eq!(
            root.get("use").unwrap().to_json(),
            serde_json::json!({"y": 3, "x": 1})
        );
        assert_eq!(
            root.get("ref").unwrap().to_json(),
            serde_json::json!({"x": 1, "y": 2})
        );
        // A quoted "<<" is an ordinary key.
        let quoted = parse_str("'<<': 1\n");
        assert!(quoted.get("<<").is_some());
    }

    #[test]
    fn duplicate_keys_are_errors_at_the_second_key() {
        let err = parse("a: 1\nb: 2\na: 3\n", FileId(0)).unwrap_err();
        assert_eq!(err.offset, 10);
        assert!(err.message.contains("duplicate mapping key `a`"));
    }

    #[test]
    fn alias_bombs_are_stopped() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let err = parse(&text, FileId(0)).unwrap_err();
        assert!(err.message.contains("alias bomb"), "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let text = "- ".repeat(5000) + "x\n";
        let err = parse(&text, FileId(0)).unwrap_err();
        assert!(err.message.contains("nesting deeper"), "{}", err.message);
    }

    #[test]
    fn syntax_errors_carry_a_byte_offset() {
        let err = parse("é: [1, 2\nb: 3\n", FileId(0)).unwrap_err();
        assert!(err.offset > 0 && err.offset <= 14, "{err:?}");
    }

    #[test]
    fn lone_dashes_in_flow_collections_are_accepted_like_libyaml() {
        let text = "a: !Split [-, !Ref X]\nb: [x-, y]\n";
        let root = parse_str(text);
        let a = root.get("a").unwrap().as_intrinsic().unwrap();
        assert_eq!(a.arg.as_seq().unwrap()[0].as_str(), Some("-"));
        assert_eq!(
            root.get("b").unwrap().to_json(),
            serde_json::json!(["x-", "y"])
        );
    }

    #[test]
    fn flow_continuation_lines_may_be_less_indented_like_libyaml() {
        let text = "s:\n  - Action: [\n      \"a\",\n      \"b\"\n    ]\n    Effect: Allow\n";
        let root = parse_str(text);
        let item = &root.get("s").unwrap().as_seq().unwrap()[0];
        assert_eq!(
            item.get("Action").unwrap().to_json(),
            serde_json::json!(["a", "b"])
        );
        let effect = item.as_map().unwrap().entry("Effect").unwrap();
        assert_eq!(&text[effect.key_span.range()], "Effect");
    }

    /// The parser notices a key glued to its value only on the next line; the error points at
    /// the glued key.
    #[test]
    fn a_key_without_a_space_after_its_colon_is_reported_on_its_own_line() {
        let text = "Resources:\n  Edge:\n    Properties:\n      MappingRestEdge:curc\n\n      BatchSize: 10\n";
        let error = parse(text, FileId(0)).unwrap_err();
        assert_eq!(&text[error.offset..error.offset + 5], ":curc");
        assert_eq!(
            error.message,
            "`MappingRestEdge:curc` has no space after its colon, so it is not a key: it reads as \
             text that runs on into the next line"
        );
        // Other errors stay where the parser found them.
        let other = parse("a: b: c\n", FileId(0)).unwrap_err();
        assert_eq!(other.offset, 4);
    }

    /// AWS samples write `!Sub '{` ... `}'` with the closing line at the key's own
    /// indentation; PyYAML (and so cfn-lint and CloudFormation) read the folded value.
    #[test]
    fn quoted_scalars_whose_lines_are_indented_too_little_read_as_libyaml_reads_them() {
        let text = "Resources:\n  S:\n    Properties:\n      SecretString: !Sub '{\n        \"u\": \"${User}\",\n\n        \"p\": \"it''s\"\n      }'\n      Name: \"a\n    b\"\n    Next: 1\n";
        let root = parse_str(text);
        let properties = root
            .get("Resources")
            .unwrap()
            .get("S")
            .unwrap()
            .get("Properties")
            .unwrap();
        let secret = properties.get("SecretString").unwrap();
        let Value::Intrinsic(intrinsic) = &secret.value else {
            panic!("a Sub: {secret:?}");
        };
        assert_eq!(
            intrinsic.arg.as_str(),
            Some("{ \"u\": \"${User}\",\n\"p\": \"it's\" }")
        );
        assert_eq!(properties.get("Name").unwrap().as_str(), Some("a b"));
        let next = root
            .get("Resources")
            .unwrap()
            .get("S")
            .unwrap()
            .get("Next")
            .unwrap();
        assert_eq!(&text[next.span.range()], "1");
    }

    #[test]
    fn a_comment_before_a_less_indented_flow_line_is_kept_out_of_the_join() {
        let text = "s:\n  - Action: [ # list\n      \"a\" # first\n    ]\n";
        let root = parse_str(text);
        let item = &root.get("s").unwrap().as_seq().unwrap()[0];
        assert_eq!(
            item.get("Action").unwrap().to_json(),
            serde_json::json!(["a"])
        );
    }

    #[test]
    fn block_collections_end_at_their_last_child() {
        let text = "a:\n  b: 1\n  c: 2\n\nd: 3\n";
        let root = parse_str(text);
        assert_eq!(text_of(text, root.get("a").unwrap().span), "b: 1\n  c: 2");
    }
}
