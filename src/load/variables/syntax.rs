//! The syntax of Serverless variables: `${source, fallback}` split into text, sources,
//! addresses and literals.

use crate::tree::{Value, resolve_plain_scalar};

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Part {
    Text(String),
    Variable { text: String, sources: Vec<Source> },
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Source {
    /// `type(params):address`, each part still holding nested variables.
    Reference {
        kind: String,
        params: Vec<String>,
        address: Option<String>,
    },
    Literal(Value),
    /// A fallback that is neither: kept to explain why it is not used.
    Invalid(String),
}

/// Splits a string into text and variables. A `${...}` whose content does not start with a
/// lower-case source name followed by `:` or `(` is text, as in the framework.
pub(super) fn parse(text: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$'
            && bytes.get(i + 1) == Some(&b'{')
            && let Some(end) = matching_brace(text, i)
        {
            let whole = &text[i..=end];
            let inner = &text[i + 2..end];
            if let Some(sources) = parse_sources(inner) {
                if !literal.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut literal)));
                }
                parts.push(Part::Variable {
                    text: whole.to_string(),
                    sources,
                });
                i = end + 1;
                continue;
            }
        }
        let c = text[i..].chars().next().expect("a char");
        literal.push(c);
        i += c.len_utf8();
    }
    if !literal.is_empty() {
        parts.push(Part::Text(literal));
    }
    parts
}

/// The index of the `}` closing the `${` at `start`, counting nested `${...}`.
pub(super) fn matching_brace(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        if bytes[i] == b'$' && bytes.get(i + 1) == Some(&b'{') {
            depth += 1;
            i += 2;
            continue;
        }
        if bytes[i] == b'}' {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

/// Indices of `separator` outside nested `${...}`, parentheses and quotes.
pub(super) fn split_top_level(text: &str, separator: u8) -> Vec<&str> {
    let bytes = text.as_bytes();
    let (mut braces, mut parens) = (0usize, 0usize);
    let mut quote: Option<u8> = None;
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'\'' | b'"' if braces == 0 && parens == 0 => quote = Some(b),
                b'$' if bytes.get(i + 1) == Some(&b'{') => {
                    braces += 1;
                    i += 1;
                }
                b'}' if braces > 0 => braces -= 1,
                b'(' => parens += 1,
                b')' => parens = parens.saturating_sub(1),
                _ if b == separator && braces == 0 && parens == 0 => {
                    pieces.push(&text[start..i]);
                    start = i + 1;
                }
                _ => {}
            },
        }
        i += 1;
    }
    pieces.push(&text[start..]);
    pieces
}

pub(super) fn parse_sources(inner: &str) -> Option<Vec<Source>> {
    let pieces = split_top_level(inner, b',');
    let first = parse_reference(pieces[0].trim())?;
    let mut sources = vec![first];
    for piece in &pieces[1..] {
        let piece = piece.trim();
        sources.push(
            parse_reference(piece)
                .or_else(|| parse_literal(piece))
                .unwrap_or_else(|| Source::Invalid(piece.to_string())),
        );
    }
    Some(sources)
}

/// `type:address`, `type(params)` or `type(params):address`, with a lower-case type.
pub(super) fn parse_reference(text: &str) -> Option<Source> {
    let name_end = text
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(text.len());
    let kind = &text[..name_end];
    if !kind.starts_with(|c: char| c.is_ascii_lowercase()) {
        return None;
    }
    let rest = &text[name_end..];
    let (params, rest) = if let Some(after) = rest.strip_prefix('(') {
        let close = matching_paren(after)?;
        let params = split_top_level(&after[..close], b',')
            .into_iter()
            .map(|p| unquote(p.trim()))
            .filter(|p| !p.is_empty())
            .collect();
        (params, &after[close + 1..])
    } else {
        (Vec::new(), rest)
    };
    let address = match rest.strip_prefix(':') {
        Some(address) => Some(unquote(address.trim())),
        None if rest.trim().is_empty() && !params.is_empty() => None,
        None => return None,
    };
    Some(Source::Reference {
        kind: kind.to_string(),
        params,
        address,
    })
}

pub(super) fn matching_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(i),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

pub(super) fn unquote(text: &str) -> String {
    let quoted = text.len() >= 2
        && ((text.starts_with('\'') && text.ends_with('\''))
            || (text.starts_with('"') && text.ends_with('"')));
    if quoted {
        text[1..text.len() - 1].to_string()
    } else {
        text.to_string()
    }
}

/// A quoted string, a number, `true`, `false` or `null`.
pub(super) fn parse_literal(text: &str) -> Option<Source> {
    if text.len() >= 2
        && ((text.starts_with('\'') && text.ends_with('\''))
            || (text.starts_with('"') && text.ends_with('"')))
    {
        return Some(Source::Literal(Value::Str(
            text[1..text.len() - 1].to_string().into(),
        )));
    }
    match resolve_plain_scalar(text) {
        value @ (Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Null) => {
            Some(Source::Literal(value))
        }
        _ => None,
    }
}
