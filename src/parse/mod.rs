//! Reading bytes into text and text into a [`Node`] tree, with every limit that keeps hostile
//! input cheap: file size, nesting depth, alias expansion, binary content.

pub mod hcl;
pub mod json;
pub mod yaml;

use std::path::Path;

use crate::source::FileId;
use crate::tree::Node;

/// Files above this size are refused rather than parsed (the largest real templates are a few
/// megabytes; CloudFormation itself accepts at most 1 MB from S3).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Deeper nesting than any real template; bounds recursion in everything that walks the tree.
pub const MAX_DEPTH: usize = 512;
/// Total nodes that aliases may copy into one document.
pub const MAX_ALIAS_EXPANSION: usize = 500_000;

/// Detects duplicate mapping keys: a scan of the entries so far for the small mappings that
/// templates are made of, a hash set once a mapping grows large.
/// Large mappings remember key hashes only, and confirm a repeated hash against the entries.
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    hashes: Option<crate::fxhash::FxHashSet<u64>>,
}

const SCAN_LIMIT: usize = 16;

impl KeySet {
    /// Whether `key` is new among `entries` (the mapping's entries so far); remembers it.
    pub(crate) fn insert(&mut self, key: &str, entries: &[crate::tree::Entry]) -> bool {
        if let Some(hashes) = &mut self.hashes {
            let fresh = hashes.insert(crate::fxhash::hash_str(key));
            return fresh || !entries.iter().any(|e| e.key == key);
        }
        if entries.iter().any(|e| e.key == key) {
            return false;
        }
        if entries.len() >= SCAN_LIMIT {
            let mut hashes: crate::fxhash::FxHashSet<u64> = entries
                .iter()
                .map(|e| crate::fxhash::hash_str(&e.key))
                .collect();
            hashes.insert(crate::fxhash::hash_str(key));
            self.hashes = Some(hashes);
        }
        true
    }
}

/// Where and why text could not be parsed or read. `offset` is a byte offset in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    Json,
    Yaml,
}

/// JSON for `.json` files and for other files whose first character opens a JSON value;
/// YAML otherwise. (Every JSON template is YAML too, but YAML parsers reject some valid JSON.)
pub fn syntax_of(path: &Path, text: &str) -> Syntax {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("json") => Syntax::Json,
        Some("yml" | "yaml") => Syntax::Yaml,
        _ => match text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .chars()
            .next()
        {
            Some('{' | '[') => Syntax::Json,
            _ => Syntax::Yaml,
        },
    }
}

pub fn parse(text: &str, syntax: Syntax, file: FileId) -> Result<Option<Node>, ParseError> {
    match syntax {
        Syntax::Json => json::parse(text.strip_prefix('\u{feff}').unwrap_or(text), file)
            .map(|node| node.map(|n| shift(n, bom_len(text))))
            .map_err(|e| ParseError {
                offset: e.offset + bom_len(text),
                ..e
            }),
        Syntax::Yaml => yaml::parse(text, file),
    }
}

fn bom_len(text: &str) -> usize {
    if text.starts_with('\u{feff}') { 3 } else { 0 }
}

/// Moves every span of a tree by `by` bytes (JSON parsed after a byte-order mark).
fn shift(mut node: Node, by: usize) -> Node {
    if by == 0 {
        return node;
    }
    shift_spans(&mut node, by as u32);
    node
}

/// Moves every span of a tree by `by` bytes (a part of a text parsed on its own).
pub fn shift_spans(node: &mut Node, by: u32) {
    use crate::tree::Value;
    node.span.start += by;
    node.span.end += by;
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| shift_spans(n, by)),
        Value::Map(m) => {
            for e in &mut m.entries {
                e.key_span.start += by;
                e.key_span.end += by;
                shift_spans(&mut e.value, by);
            }
        }
        Value::Intrinsic(i) => shift_spans(&mut i.arg, by),
        _ => {}
    }
}

/// Turns raw file bytes into text: UTF-8 (with or without BOM) as is, UTF-16 with a BOM
/// decoded, anything binary or invalid refused with the offset of the problem.
pub fn decode(bytes: &[u8]) -> Result<String, ParseError> {
    if let Some(text) = decode_utf16(bytes) {
        return text;
    }
    if let Some(pos) = bytes.iter().take(8192).position(|&b| b == 0) {
        return Err(ParseError {
            offset: pos,
            message: "binary file (contains NUL bytes)".to_string(),
        });
    }
    String::from_utf8(bytes.to_vec()).map_err(|e| ParseError {
        offset: e.utf8_error().valid_up_to(),
        message: "invalid UTF-8".to_string(),
    })
}

fn decode_utf16(bytes: &[u8]) -> Option<Result<String, ParseError>> {
    let little_endian = match bytes {
        [0xFF, 0xFE, ..] => true,
        [0xFE, 0xFF, ..] => false,
        _ => return None,
    };
    let body = &bytes[2..];
    if !body.len().is_multiple_of(2) {
        return Some(Err(ParseError {
            offset: bytes.len() - 1,
            message: "invalid UTF-16: odd number of bytes".to_string(),
        }));
    }
    let units: Vec<u16> = body
        .chunks_exact(2)
        .map(|c| {
            if little_endian {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        })
        .collect();
    Some(String::from_utf16(&units).map_err(|_| ParseError {
        offset: 0,
        message: "invalid UTF-16".to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_refuses_binary_and_invalid_utf8() {
        assert!(
            decode(b"a: 1\x00\x01")
                .unwrap_err()
                .message
                .contains("binary")
        );
        let err = decode(b"a: \xff\n").unwrap_err();
        assert_eq!(err.offset, 3);
        assert_eq!(decode(b"\xef\xbb\xbfa: 1").unwrap(), "\u{feff}a: 1");
    }

    #[test]
    fn decode_reads_utf16_with_a_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "a: 1\n".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        assert_eq!(decode(&bytes).unwrap(), "a: 1\n");
    }

    #[test]
    fn json_after_a_bom_keeps_byte_offsets() {
        let text = "\u{feff}{\"a\": 1}";
        let root = parse(text, Syntax::Json, FileId(0)).unwrap().unwrap();
        let entry = root.as_map().unwrap().entry("a").unwrap();
        assert_eq!(&text[entry.key_span.range()], "\"a\"");
    }

    #[test]
    fn syntax_is_chosen_by_extension_then_content() {
        assert_eq!(syntax_of(Path::new("t.json"), "a: 1"), Syntax::Json);
        assert_eq!(
            syntax_of(Path::new("t.template"), " {\"a\": 1}"),
            Syntax::Json
        );
        assert_eq!(syntax_of(Path::new("t.template"), "a: 1"), Syntax::Yaml);
        assert_eq!(syntax_of(Path::new("t.yml"), "{a: 1}"), Syntax::Yaml);
    }

    /// Past [`SCAN_LIMIT`] keys the check switches to hashes; a repeat is still caught, at
    /// the repeated key, in both syntaxes, and distinct keys are never mistaken for repeats.
    #[test]
    fn duplicate_keys_are_found_in_large_mappings() {
        let keys: Vec<String> = (0..200).map(|i| format!("Key{i}")).collect();
        let yaml: String = keys.iter().map(|k| format!("{k}: 1\n")).collect();
        let json = format!(
            "{{{}}}",
            keys.iter()
                .map(|k| format!("\"{k}\": 1"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for (text, syntax) in [(&yaml, Syntax::Yaml), (&json, Syntax::Json)] {
            let root = parse(text, syntax, FileId(0)).unwrap().unwrap();
            assert_eq!(root.as_map().unwrap().iter().count(), 200);
        }
        let yaml_dup = format!("{yaml}Key150: 2\n");
        let err = parse(&yaml_dup, Syntax::Yaml, FileId(0)).unwrap_err();
        assert!(err.message.contains("Key150"), "{}", err.message);
        assert_eq!(err.offset, yaml.len());
        let json_dup = format!("{}, \"Key7\": 2}}", &json[..json.len() - 1]);
        let err = parse(&json_dup, Syntax::Json, FileId(0)).unwrap_err();
        assert!(err.message.contains("Key7"), "{}", err.message);
        assert_eq!(err.offset, json.len() + 1);
    }
}
