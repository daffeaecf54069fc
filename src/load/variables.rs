//! Serverless Framework variables, resolved statically the way the framework does it:
//! `${self:...}`, `${file(...)}` (YAML or JSON, relative to the file that holds the reference),
//! `${sls:stage}`, `${opt:stage}`, `${opt:region}`, `${param:...}`, fallbacks, and variables
//! nested in addresses and parameters.
//!
//! Anything that needs the outside world (`env`, `ssm`, `cf`, `s3`, `aws`...) is not read: it
//! counts as absent, so a literal fallback applies, and without one the value stays unknown
//! with the reason. The one exception is a value the framework itself resolved for this run and
//! handed over (`--resolved-service`, written by the Serverless plugin): it is taken as is. Cycles, missing keys and missing files never crash and never guess. Files
//! outside the project root are refused: the linter runs on untrusted pull requests.
//!
//! The result is the service document with every resolvable variable replaced. A value that
//! came through a variable keeps the span of the place it was used, so findings point there; the
//! [`VariableTable`] records where it was defined, for related labels and `inspect`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::source::{FileId, FileIds, SourceFile, Span};
use crate::tree::{Entry, Intrinsic, Map, Node, Value, resolve_plain_scalar};

/// Deepest chain of `${file(...)}` includes followed.
pub const MAX_INCLUDE_DEPTH: usize = 10;
/// Most variables resolved for one service (bounds hostile nesting and fan-out).
const MAX_RESOLUTIONS: usize = 100_000;

/// Values the command line gives (`--stage`, `--region`, `--param k=v`, `--resolved-service`).
#[derive(Clone, Debug, Default)]
pub struct ServerlessOptions {
    pub stage: Option<String>,
    pub region: Option<String>,
    pub params: Vec<(String, String)>,
    /// The service as the Serverless Framework resolved it for this run. A string of the
    /// service file whose variables cannot be resolved here (`${ssm:...}`, another plugin's
    /// source) takes the value found at the same place in it.
    pub resolved: Option<Arc<Node>>,
}

/// Reads the configuration the Serverless Framework resolved (JSON, as the plugin writes it).
pub fn read_resolved_service(path: &Path) -> Result<Node, String> {
    let failed =
        |why: String| format!("cannot read the resolved service {}: {why}", path.display());
    let bytes = std::fs::read(path).map_err(|e| failed(crate::discover::io_message(&e)))?;
    if bytes.len() as u64 > crate::parse::MAX_FILE_BYTES {
        return Err(failed("it is larger than the 64 MiB limit".to_string()));
    }
    let text = crate::parse::decode(&bytes).map_err(|e| failed(e.message))?;
    match crate::parse::parse(&text, crate::parse::Syntax::Json, FileId::default()) {
        Ok(Some(root)) if root.as_map().is_some() => Ok(root),
        Ok(_) => Err(failed("it is not a JSON object".to_string())),
        Err(e) => {
            let at = SourceFile::new(path.to_path_buf(), text).line_col(e.offset);
            Err(failed(format!(
                "invalid JSON at line {}, column {}: {}",
                at.line, at.column, e.message
            )))
        }
    }
}

/// One step from a node to a child: a map key (or an intrinsic function's name), or an index.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Where each string of the service file that holds a variable is written, as steps from the
/// root, so the framework's value for it can be found in the resolved service.
fn variable_places(root: &Node) -> HashMap<Span, Vec<Step>> {
    fn visit(node: &Node, steps: &mut Vec<Step>, out: &mut HashMap<Span, Vec<Step>>) {
        match &node.value {
            Value::Str(text) if text.contains("${") => {
                out.insert(node.span, steps.clone());
            }
            Value::Seq(items) => {
                for (index, item) in items.iter().enumerate() {
                    steps.push(Step::Index(index));
                    visit(item, steps, out);
                    steps.pop();
                }
            }
            Value::Map(map) => {
                for entry in map.iter() {
                    steps.push(Step::Key(entry.key.to_string()));
                    visit(&entry.value, steps, out);
                    steps.pop();
                }
            }
            Value::Intrinsic(i) => {
                steps.push(Step::Key(i.name.clone()));
                visit(&i.arg, steps, out);
                steps.pop();
            }
            _ => {}
        }
    }
    let mut out = HashMap::new();
    visit(root, &mut Vec::new(), &mut out);
    out
}

/// The node at these steps, through maps, sequences and intrinsic functions alike.
fn node_at<'n>(root: &'n Node, steps: &[Step]) -> Option<&'n Node> {
    steps
        .iter()
        .try_fold(root, |node, step| match (&node.value, step) {
            (Value::Map(map), Step::Key(key)) => map.get(key),
            (Value::Intrinsic(i), Step::Key(name)) if &i.name == name => Some(&i.arg),
            (Value::Seq(items), Step::Index(index)) => items.get(*index),
            _ => None,
        })
}

/// A copy of a handed-over value placed at `span`: findings about it point where it is used,
/// since the resolved service is not a file anyone edits.
fn placed_at(node: &Node, span: Span) -> Node {
    let value = match &node.value {
        Value::Seq(items) => Value::Seq(items.iter().map(|n| placed_at(n, span)).collect()),
        Value::Map(map) => Value::Map(Map {
            entries: map
                .iter()
                .map(|e| Entry {
                    key: e.key.clone(),
                    key_span: span,
                    value: placed_at(&e.value, span),
                })
                .collect(),
        }),
        Value::Intrinsic(i) => Value::Intrinsic(Box::new(Intrinsic {
            arg: placed_at(&i.arg, span),
            ..(**i).clone()
        })),
        other => other.clone(),
    };
    Node::new(span, value)
}

/// Where a value used through a variable was defined.
#[derive(Clone, Debug, PartialEq)]
pub struct Definition {
    pub span: Span,
    /// What was looked up (`custom.batchSize`, `./settings.yml:batch`, `the stage`).
    pub what: String,
}

/// What became of one variable use.
#[derive(Clone, Debug, PartialEq)]
pub struct VariableUse {
    /// The expression as written (`${self:custom.batchSize}`).
    pub expression: String,
    /// The chain of definitions the value came through, nearest first.
    pub definitions: Vec<Definition>,
    /// Why the value stays unknown, when it does.
    pub unresolved: Option<String>,
    /// An assumption the value rests on (a fallback taken because a source is not read).
    pub assumption: Option<String>,
}

/// Every variable use of a service, by the span where it is used.
#[derive(Clone, Debug, Default)]
pub struct VariableTable {
    uses: HashMap<Span, VariableUse>,
}

impl VariableTable {
    pub fn get(&self, span: Span) -> Option<&VariableUse> {
        self.uses.get(&span)
    }

    /// Adds another table's uses (spans carry their file, so they never collide).
    pub fn extend(&mut self, other: VariableTable) {
        self.uses.extend(other.uses);
    }

    pub fn len(&self) -> usize {
        self.uses.len()
    }

    pub fn is_empty(&self) -> bool {
        self.uses.is_empty()
    }
}

/// A file read for a `${file(...)}` include.
pub struct Included {
    pub source: SourceFile,
    pub id: FileId,
}

/// A problem reading an included file: an error for the service that includes it.
#[derive(Clone, Debug)]
pub struct IncludeError {
    pub file: FileId,
    pub offset: Option<usize>,
    pub message: String,
    /// The included file was read but is not valid YAML or JSON (or not text): a syntax
    /// problem of that file, rather than one of reading it.
    pub invalid_syntax: bool,
}

/// A `${file(...)}` include whose file does not exist (generated or git-ignored files are
/// common): the values read from it are unknown, and the rest of the service is linted.
#[derive(Clone, Debug)]
pub struct MissingFile {
    /// Where the include is used.
    pub span: Span,
    /// The path as written.
    pub path: String,
}

/// The outcome of resolving a service.
pub struct Resolved {
    /// The resolved value of every string that held `${`, in document order (`None` where it
    /// stays as written); [`Resolved::apply`] puts them in place.
    replacements: Vec<Option<Node>>,
    pub table: VariableTable,
    pub included: Vec<Included>,
    pub errors: Vec<IncludeError>,
    pub missing_files: Vec<MissingFile>,
}

/// How the service is being linted.
pub struct Context<'a> {
    pub options: &'a ServerlessOptions,
    /// The folder of the service file.
    pub service_dir: PathBuf,
    /// Files outside this folder are never read.
    pub project_root: PathBuf,
    /// A fragment linted without the service that includes it: `self` is unknown.
    pub fragment_alone: bool,
    /// Hands out file ids for included files (shared by a whole run).
    pub ids: &'a FileIds,
}

/// Resolves every variable of a service document.
pub fn resolve_service(root: &Node, file: FileId, context: &Context<'_>) -> Resolved {
    let mut resolver = Resolver {
        root,
        context,
        service_file: file,
        table: VariableTable::default(),
        files: HashMap::new(),
        included: Vec::new(),
        errors: Vec::new(),
        missing_files: Vec::new(),
        self_cache: HashMap::new(),
        in_progress: Vec::new(),
        resolutions: 0,
        stage: None,
        region: None,
        framework_places: match &context.options.resolved {
            Some(_) => variable_places(root),
            None => HashMap::new(),
        },
    };
    resolver.stage = Some(resolver.compute("stage"));
    resolver.region = Some(resolver.compute("region"));
    let mut replacements = Vec::new();
    resolver.replacements(root, &context.service_dir, &mut replacements);
    Resolved {
        replacements,
        table: resolver.table,
        included: resolver.included,
        errors: resolver.errors,
        missing_files: resolver.missing_files,
    }
}

impl Resolved {
    /// Writes the resolved values into the document they were computed from. Resolution reads
    /// the document as written (a `${self:...}` points into it) and only then is it changed in
    /// place: only the strings with variables are replaced, nothing else is copied.
    pub fn apply(&mut self, root: &mut Node) {
        let mut replacements = std::mem::take(&mut self.replacements).into_iter();
        apply_in_order(root, &mut replacements);
    }
}

/// Visits the strings holding `${` in the same order as [`Resolver::replacements`].
fn apply_in_order(node: &mut Node, replacements: &mut impl Iterator<Item = Option<Node>>) {
    match &mut node.value {
        Value::Str(text) if text.contains("${") => {
            if let Some(Some(resolved)) = replacements.next() {
                *node = resolved;
            }
        }
        Value::Seq(items) => items
            .iter_mut()
            .for_each(|n| apply_in_order(n, replacements)),
        Value::Map(map) => map
            .entries
            .iter_mut()
            .for_each(|e| apply_in_order(&mut e.value, replacements)),
        Value::Intrinsic(i) => apply_in_order(&mut i.arg, replacements),
        _ => {}
    }
}

/// Whether a string holds a Serverless variable (not `${AWS::Region}` or `${Resource.Arn}`,
/// which belong to CloudFormation's `Fn::Sub`).
pub fn has_variable(text: &str) -> bool {
    text.contains("${")
        && parse(text)
            .iter()
            .any(|p| matches!(p, Part::Variable { .. }))
}

// ---------------------------------------------------------------------------------------
// Syntax
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum Part {
    Text(String),
    Variable { text: String, sources: Vec<Source> },
}

#[derive(Clone, Debug, PartialEq)]
enum Source {
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
fn parse(text: &str) -> Vec<Part> {
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
fn matching_brace(text: &str, start: usize) -> Option<usize> {
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
fn split_top_level(text: &str, separator: u8) -> Vec<&str> {
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

fn parse_sources(inner: &str) -> Option<Vec<Source>> {
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
fn parse_reference(text: &str) -> Option<Source> {
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

fn matching_paren(text: &str) -> Option<usize> {
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

fn unquote(text: &str) -> String {
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
fn parse_literal(text: &str) -> Option<Source> {
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

// ---------------------------------------------------------------------------------------
// Resolution
// ---------------------------------------------------------------------------------------

/// Why a source gives no value.
#[derive(Clone)]
struct Failure {
    reason: String,
    /// A `${file(...)}` that names no file, by its path as written: a note when no fallback
    /// makes up for it.
    missing_file: Option<String>,
    /// The source is read at deploy time (`ssm`, `cf`, `env`...): a fallback written after it
    /// is only a placeholder, not the value.
    deploy_time: bool,
    /// The text with what could be resolved filled in and the rest as written, for telling
    /// an ARN's service and name.
    partial: Option<String>,
}

impl Failure {
    fn new(reason: impl Into<String>) -> Failure {
        Failure {
            reason: reason.into(),
            missing_file: None,
            deploy_time: false,
            partial: None,
        }
    }

    fn deploy_time(what: &str) -> Failure {
        Failure {
            deploy_time: true,
            ..Failure::new(format!("{what} is resolved at deploy time"))
        }
    }
}

/// A resolved value, where it was defined, and what it assumes.
#[derive(Clone)]
struct Found {
    node: Node,
    definitions: Vec<Definition>,
    /// Why a fallback was taken (a source that is not read).
    assumption: Option<String>,
}

impl Found {
    fn plain(node: Node) -> Found {
        Found {
            node,
            definitions: Vec::new(),
            assumption: None,
        }
    }
}

type Outcome = Result<Found, Failure>;

struct Resolver<'r> {
    root: &'r Node,
    context: &'r Context<'r>,
    service_file: FileId,
    table: VariableTable,
    /// Included files by canonical path: their id and parsed root (`None` when unusable).
    files: HashMap<PathBuf, (FileId, Option<Node>)>,
    included: Vec<Included>,
    errors: Vec<IncludeError>,
    missing_files: Vec<MissingFile>,
    self_cache: HashMap<String, Result<Found, Failure>>,
    in_progress: Vec<String>,
    resolutions: usize,
    stage: Option<String>,
    region: Option<String>,
    /// The places of the service file's variables, when the framework's values are given.
    framework_places: HashMap<Span, Vec<Step>>,
}

impl Resolver<'_> {
    /// The stage or region: from the command line, else `provider.<key>` as written
    /// (where `${opt:...}` without the option falls back), else the framework's default.
    fn compute(&mut self, key: &str) -> String {
        let (cli, default) = match key {
            "stage" => (self.context.options.stage.clone(), "dev"),
            _ => (self.context.options.region.clone(), "us-east-1"),
        };
        if let Some(value) = cli {
            return value;
        }
        let Some(node) = self.root.get_path(&["provider", key]) else {
            return default.to_string();
        };
        let dir = self.context.service_dir.clone();
        match self.node_value(node, &dir, 0) {
            Ok(found) => found
                .node
                .as_str()
                .map_or_else(|| default.to_string(), str::to_string),
            Err(_) => default.to_string(),
        }
    }

    /// Resolves every string of the document that holds `${`, in document order, without
    /// copying the rest (see [`Resolved::apply`]).
    fn replacements(&mut self, node: &Node, dir: &Path, out: &mut Vec<Option<Node>>) {
        match &node.value {
            Value::Str(text) if text.contains("${") => {
                let replacement = match self.string(text, node.span, dir, 0) {
                    Ok(found) => Some(found.node),
                    // Text that only looks like a variable (`${AWS::Region}` for `Fn::Sub`).
                    Err(_) if !has_variable(text) => None,
                    Err(failure) => Some(Node::unknown(
                        node.span,
                        failure.partial.unwrap_or_else(|| text.to_string()),
                        failure.reason,
                    )),
                };
                out.push(replacement);
            }
            Value::Seq(items) => items.iter().for_each(|n| self.replacements(n, dir, out)),
            Value::Map(map) => map
                .iter()
                .for_each(|e| self.replacements(&e.value, dir, out)),
            Value::Intrinsic(i) => self.replacements(&i.arg, dir, out),
            _ => {}
        }
    }

    /// Resolves every string of a subtree. `dir` is the folder of the file it comes from.
    fn tree(&mut self, node: &Node, dir: &Path, depth: usize) -> Node {
        match &node.value {
            Value::Str(text) if text.contains("${") => {
                match self.string(text, node.span, dir, depth) {
                    Ok(found) => found.node,
                    Err(_) => node.clone(),
                }
            }
            Value::Seq(items) => Node::new(
                node.span,
                Value::Seq(items.iter().map(|n| self.tree(n, dir, depth)).collect()),
            ),
            Value::Map(map) => Node::new(
                node.span,
                Value::Map(Map {
                    entries: map
                        .iter()
                        .map(|e| Entry {
                            key: e.key.clone(),
                            key_span: e.key_span,
                            value: self.tree(&e.value, dir, depth),
                        })
                        .collect(),
                }),
            ),
            Value::Intrinsic(i) => Node::new(
                node.span,
                Value::Intrinsic(Box::new(Intrinsic {
                    arg: self.tree(&i.arg, dir, depth),
                    ..(**i).clone()
                })),
            ),
            _ => node.clone(),
        }
    }

    /// A node's value with its variables resolved (a string), or the resolved subtree.
    fn node_value(&mut self, node: &Node, dir: &Path, depth: usize) -> Outcome {
        match &node.value {
            Value::Str(text) if text.contains("${") => self.string(text, node.span, dir, depth),
            _ => Ok(Found::plain(self.tree(node, dir, depth))),
        }
    }

    /// Resolves the variables in one string written at `span`, recording the outcome.
    fn string(&mut self, text: &str, span: Span, dir: &Path, depth: usize) -> Outcome {
        let parts = parse(text);
        if !parts.iter().any(|p| matches!(p, Part::Variable { .. })) {
            return Ok(Found::plain(Node::new(span, Value::Str(text.into()))));
        }
        let outcome = match parts.as_slice() {
            [Part::Variable { sources, .. }] => self.variable(sources, span, dir, depth),
            _ => self.interpolate(&parts, span, dir, depth),
        };
        let outcome = outcome.or_else(|failure| self.framework_value(span).ok_or(failure));
        self.record(text, span, &outcome);
        outcome.map(|mut found| {
            found.node.span = span;
            found
        })
    }

    /// What the framework resolved for the string of the service file written at `span`, when
    /// it was handed over: used only where resolving here failed, so values resolved here keep
    /// their chain of definitions.
    fn framework_value(&self, span: Span) -> Option<Found> {
        let resolved = self.context.options.resolved.as_deref()?;
        let value = node_at(resolved, self.framework_places.get(&span)?)?;
        Some(Found {
            node: placed_at(value, span),
            definitions: Vec::new(),
            assumption: Some(
                "the value the Serverless Framework resolved for this run (--resolved-service)"
                    .to_string(),
            ),
        })
    }

    /// Keeps the first outcome seen for a place (the stage is computed before the full walk).
    fn record(&mut self, text: &str, span: Span, outcome: &Outcome) {
        let entry = VariableUse {
            expression: text.to_string(),
            definitions: outcome
                .as_ref()
                .map(|f| f.definitions.clone())
                .unwrap_or_default(),
            unresolved: outcome.as_ref().err().map(|f| f.reason.clone()),
            assumption: outcome.as_ref().ok().and_then(|f| f.assumption.clone()),
        };
        self.table.uses.entry(span).or_insert(entry);
    }

    /// Text with variables inside: every variable must give a scalar. When one does not, the
    /// failure carries the text with the others filled in.
    fn interpolate(&mut self, parts: &[Part], span: Span, dir: &Path, depth: usize) -> Outcome {
        let mut text = String::new();
        let mut definitions = Vec::new();
        let mut assumption = None;
        let mut failure: Option<Failure> = None;
        for part in parts {
            match part {
                Part::Text(t) => text.push_str(t),
                Part::Variable {
                    text: expression,
                    sources,
                } => {
                    let piece =
                        self.variable(sources, span, dir, depth).and_then(
                            |found| match scalar_text(&found.node) {
                                Some(piece) => Ok((piece, found)),
                                None => Err(Failure::new(format!(
                                    "`{expression}` is not a scalar and cannot be part of a string"
                                ))),
                            },
                        );
                    match piece {
                        Ok((piece, found)) => {
                            text.push_str(&piece);
                            definitions.extend(found.definitions);
                            assumption = assumption.or(found.assumption);
                        }
                        Err(f) => {
                            text.push_str(expression);
                            failure.get_or_insert(f);
                        }
                    }
                }
            }
        }
        if let Some(mut failure) = failure {
            failure.partial = Some(text);
            return Err(failure);
        }
        Ok(Found {
            node: Node::new(span, Value::Str(text.into())),
            definitions,
            assumption,
        })
    }

    /// The first source that gives a value; literals and defaults as the framework applies them.
    fn variable(&mut self, sources: &[Source], span: Span, dir: &Path, depth: usize) -> Outcome {
        self.resolutions += 1;
        if self.resolutions > MAX_RESOLUTIONS {
            return Err(Failure::new(format!(
                "more than {MAX_RESOLUTIONS} variables to resolve"
            )));
        }
        let mut first_failure: Option<Failure> = None;
        for (index, source) in sources.iter().enumerate() {
            match self.source(source, span, dir, depth) {
                Ok(mut found) => {
                    // Say what a fallback rests on.
                    if let Some(failure) = &first_failure {
                        found.assumption = Some(format!("a fallback is used: {}", failure.reason));
                    }
                    return Ok(found);
                }
                // What the deploy reads decides; a fallback after it is only a placeholder.
                Err(mut failure) if failure.deploy_time => {
                    if index + 1 < sources.len() {
                        failure.reason.push_str(
                            ", and the fallback written after it is only a placeholder for when \
                             that finds nothing",
                        );
                    }
                    return Err(failure);
                }
                Err(failure) => {
                    first_failure.get_or_insert(failure);
                }
            }
        }
        // `${opt:stage}` with no option and no fallback: the framework deploys to its stage.
        if let Some(Source::Reference {
            kind,
            address: Some(address),
            ..
        }) = sources.first()
            && kind == "opt"
            && matches!(address.as_str(), "stage" | "region")
        {
            let value = if address == "stage" {
                &self.stage
            } else {
                &self.region
            };
            if let Some(value) = value.clone() {
                return Ok(Found {
                    node: Node::new(span, Value::Str(value.into())),
                    definitions: Vec::new(),
                    assumption: Some(format!(
                        "--{address} is not given, so the framework's {address} is used"
                    )),
                });
            }
        }
        let failure = first_failure.unwrap_or_else(|| Failure::new("has no source"));
        // One note per missing file, at its first use.
        if let Some(path) = &failure.missing_file
            && !self.missing_files.iter().any(|m| &m.path == path)
        {
            self.missing_files.push(MissingFile {
                span,
                path: path.clone(),
            });
        }
        Err(failure)
    }

    fn source(&mut self, source: &Source, span: Span, dir: &Path, depth: usize) -> Outcome {
        let (kind, params, address) = match source {
            Source::Literal(value) => return Ok(Found::plain(Node::new(span, value.clone()))),
            Source::Invalid(text) => {
                return Err(Failure::new(format!("`{text}` is not a valid fallback")));
            }
            Source::Reference {
                kind,
                params,
                address,
            } => (kind, params, address),
        };
        let address = match address {
            Some(a) => Some(self.text_of(a, span, dir, depth)?),
            None => None,
        };
        let external = Failure::deploy_time;
        match kind.as_str() {
            "self" => self.self_reference(address.as_deref().unwrap_or(""), depth),
            "file" => {
                let Some(path) = params.first() else {
                    return Err(Failure::new("`file()` names no file".to_string()));
                };
                let path = self.text_of(path, span, dir, depth)?;
                self.file_reference(&path, address.as_deref(), dir, depth)
            }
            "sls" | "opt" => self.stage_or_region(kind, address.as_deref().unwrap_or(""), span),
            "param" => self.param(address.as_deref().unwrap_or(""), span, dir, depth),
            "env" => Err(external(&format!(
                "the environment variable {}",
                address.unwrap_or_default()
            ))),
            "ssm" | "cf" | "s3" | "aws" | "git" | "secretsmanager" => Err(external(&format!(
                "`${{{kind}:{}}}`",
                address.unwrap_or_default()
            ))),
            other => Err(external(&format!("the `{other}` variable source"))),
        }
    }

    /// An address or parameter that may itself hold variables, as text.
    fn text_of(
        &mut self,
        text: &str,
        span: Span,
        dir: &Path,
        depth: usize,
    ) -> Result<String, Failure> {
        if !text.contains("${") {
            return Ok(text.to_string());
        }
        let parts = parse(text);
        let found = self.interpolate(&parts, span, dir, depth)?;
        Ok(found.node.as_str().unwrap_or_default().to_string())
    }

    fn stage_or_region(&mut self, kind: &str, address: &str, _span: Span) -> Outcome {
        let cli = match address {
            "stage" => self.context.options.stage.clone(),
            "region" => self.context.options.region.clone(),
            _ => None,
        };
        let value = match (kind, address) {
            ("opt", "stage" | "region") => cli,
            ("sls", "stage") => self.stage.clone(),
            _ => None,
        };
        match value {
            Some(value) => Ok(Found::plain(Node::new(
                Span::default(),
                Value::Str(value.into()),
            ))),
            None if kind == "opt" => Err(Failure::new(format!(
                "the command-line option --{address} is not given"
            ))),
            None => Err(Failure::new(format!(
                "`${{sls:{address}}}` is not known before deploy time"
            ))),
        }
    }

    fn param(&mut self, name: &str, span: Span, dir: &Path, depth: usize) -> Outcome {
        if let Some((_, value)) = self.context.options.params.iter().find(|(k, _)| k == name) {
            return Ok(Found::plain(Node::new(span, resolve_plain_scalar(value))));
        }
        let stage = self.stage.clone().unwrap_or_else(|| "dev".to_string());
        // v4 `stages.<stage>.params`, v3 `params.<stage>`; the stage's own first, then `default`.
        let candidates = [
            vec!["stages", stage.as_str(), "params", name],
            vec!["params", stage.as_str(), name],
            vec!["stages", "default", "params", name],
            vec!["params", "default", name],
        ];
        for path in candidates {
            if let Some(node) = self.root.get_path(&path) {
                let what = path.join(".");
                let mut found = self.node_value(node, dir, depth)?;
                found.definitions.insert(
                    0,
                    Definition {
                        span: node.span,
                        what,
                    },
                );
                return Ok(found);
            }
        }
        Err(Failure::new(format!(
            "the parameter `{name}` is not defined for the stage `{stage}` (give it with --param {name}=...)"
        )))
    }

    /// `${self:a.b.c}`: a property of the service, itself resolved.
    fn self_reference(&mut self, address: &str, depth: usize) -> Outcome {
        if self.context.fragment_alone {
            return Err(Failure::new(format!(
                "`self:{address}` refers to the service that includes this fragment, which is not linted with it"
            )));
        }
        if let Some(cached) = self.self_cache.get(address) {
            return cached.clone();
        }
        if self.in_progress.iter().any(|a| a == address) {
            let chain = self.in_progress.join(" -> ");
            return Err(Failure::new(format!(
                "the variables form a cycle: {chain} -> {address}"
            )));
        }
        self.in_progress.push(address.to_string());
        let root = self.root;
        let dir = self.context.service_dir.clone();
        let outcome = self.walk(root, address, &dir, depth).map(|mut found| {
            found.definitions.insert(
                0,
                Definition {
                    span: found.node.span,
                    what: address.to_string(),
                },
            );
            found
        });
        self.in_progress.pop();
        self.self_cache.insert(address.to_string(), outcome.clone());
        outcome
    }

    /// Follows a dotted address from a node, resolving variables met on the way.
    fn walk(&mut self, start: &Node, address: &str, dir: &Path, depth: usize) -> Outcome {
        let mut current = start.clone();
        let mut walked = Vec::new();
        let mut definitions = Vec::new();
        let mut assumption = None;
        for key in address.split('.').filter(|k| !k.is_empty()) {
            if let Value::Str(text) = &current.value
                && text.contains("${")
            {
                let found = self.string(&text.clone(), current.span, dir, depth)?;
                current = found.node;
                definitions.extend(found.definitions);
                assumption = assumption.or(found.assumption);
            }
            let child = match &current.value {
                Value::Map(m) => m.get(key).cloned(),
                Value::Seq(items) => key
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i).cloned()),
                _ => None,
            };
            walked.push(key);
            let Some(child) = child else {
                return Err(Failure::new(format!(
                    "`{}` is not defined",
                    walked.join(".")
                )));
            };
            current = child;
        }
        let span = current.span;
        let mut found = self.node_value(&current, dir, depth)?;
        found.node.span = span;
        // A value already resolved while its file was read keeps its own chain in the table.
        if found.definitions.is_empty()
            && let Some(used) = self.table.get(span)
        {
            found.definitions.clone_from(&used.definitions);
            found.assumption = found.assumption.or_else(|| used.assumption.clone());
        }
        definitions.extend(found.definitions);
        Ok(Found {
            node: found.node,
            definitions,
            assumption: assumption.or(found.assumption),
        })
    }

    /// `${file(path):address}`: a YAML or JSON file inside the project, resolved in turn.
    fn file_reference(
        &mut self,
        path: &str,
        address: Option<&str>,
        dir: &Path,
        depth: usize,
    ) -> Outcome {
        if depth >= MAX_INCLUDE_DEPTH {
            return Err(Failure::new(format!(
                "includes nest deeper than {MAX_INCLUDE_DEPTH} files"
            )));
        }
        let located = self.locate(path, dir)?;
        let root = self.load_file(&located)?;
        let file_dir = located.parent().map(Path::to_path_buf).unwrap_or_default();
        let what = match address {
            Some(a) => format!("{path}:{a}"),
            None => path.to_string(),
        };
        let mut found = self.walk(&root, address.unwrap_or(""), &file_dir, depth + 1)?;
        found.definitions.insert(
            0,
            Definition {
                span: found.node.span,
                what,
            },
        );
        Ok(found)
    }

    /// The canonical path of an include: relative to the including file, else to the service
    /// folder (the framework's own base); refused outside the project root.
    fn locate(&mut self, path: &str, dir: &Path) -> Result<PathBuf, Failure> {
        let candidates = [dir.join(path), self.context.service_dir.join(path)];
        let found = candidates
            .iter()
            .find_map(|c| std::fs::canonicalize(c).ok());
        let Some(found) = found else {
            return Err(Failure {
                missing_file: Some(path.to_string()),
                ..Failure::new(format!("the file `{path}` does not exist"))
            });
        };
        let root = std::fs::canonicalize(&self.context.project_root)
            .unwrap_or_else(|_| self.context.project_root.clone());
        if !found.starts_with(&root) {
            let message = format!(
                "refused to read `{path}` ({}): it is outside the project root {}",
                found.display(),
                root.display()
            );
            self.errors.push(IncludeError {
                file: self.service_file,
                offset: None,
                message: message.clone(),
                invalid_syntax: false,
            });
            return Err(Failure::new(message));
        }
        Ok(found)
    }

    /// Reads and parses an included file once per run of this service.
    fn load_file(&mut self, path: &Path) -> Result<Node, Failure> {
        if let Some((_, root)) = self.files.get(path) {
            return root
                .clone()
                .ok_or_else(|| Failure::new(format!("`{}` could not be read", path.display())));
        }
        let id = self.context.ids.next();
        let (source, root, problem) = read_include(path, id);
        if let Some(problem) = problem {
            self.errors.push(IncludeError {
                file: id,
                offset: problem.offset,
                message: problem.message,
                invalid_syntax: problem.invalid_syntax,
            });
        }
        self.included.push(Included { source, id });
        self.files.insert(path.to_path_buf(), (id, root.clone()));
        root.ok_or_else(|| Failure::new(format!("`{}` could not be read", path.display())))
    }
}

/// A problem with an included file: where (a byte offset, when known) and what.
struct ReadProblem {
    offset: Option<usize>,
    message: String,
    invalid_syntax: bool,
}

impl ReadProblem {
    fn unreadable(message: String) -> Option<ReadProblem> {
        Some(ReadProblem {
            offset: None,
            message,
            invalid_syntax: false,
        })
    }

    fn invalid(offset: usize, message: String) -> Option<ReadProblem> {
        Some(ReadProblem {
            offset: Some(offset),
            message,
            invalid_syntax: true,
        })
    }
}

/// Reads an include as YAML or JSON (by extension, as the framework does).
fn read_include(path: &Path, id: FileId) -> (SourceFile, Option<Node>, Option<ReadProblem>) {
    let display = path.to_path_buf();
    let bytes = match std::fs::read(path) {
        Ok(bytes) if bytes.len() as u64 <= crate::parse::MAX_FILE_BYTES => bytes,
        Ok(_) => {
            return (
                SourceFile::new(display, String::new()),
                None,
                ReadProblem::unreadable(
                    "included file is larger than the 64 MiB limit".to_string(),
                ),
            );
        }
        Err(e) => {
            return (
                SourceFile::new(display, String::new()),
                None,
                ReadProblem::unreadable(crate::discover::io_message(&e)),
            );
        }
    };
    let text = match crate::parse::decode(&bytes) {
        Ok(text) => text,
        Err(e) => {
            return (
                SourceFile::new(display, String::new()),
                None,
                // The text is not kept, so the problem is placed at its start.
                ReadProblem::invalid(0, format!("{} at byte {}", e.message, e.offset)),
            );
        }
    };
    let syntax = crate::parse::syntax_of(path, &text);
    let parsed = crate::parse::parse(&text, syntax, id);
    let source = SourceFile::new(display, text);
    match parsed {
        Ok(Some(root)) => (source, Some(root), None),
        Ok(None) => (source, Some(Node::new(Span::default(), Value::Null)), None),
        Err(e) => (source, None, ReadProblem::invalid(e.offset, e.message)),
    }
}

fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::Str(s) | Value::Yaml11Bool(_, s) => Some(s.to_string()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some("null".to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_parse_with_sources_params_addresses_and_fallbacks() {
        let parts = parse("${file(./env.${opt:stage}.json):SIZE, 1000}");
        let [Part::Variable { sources, .. }] = parts.as_slice() else {
            panic!("{parts:?}")
        };
        assert_eq!(
            sources[0],
            Source::Reference {
                kind: "file".into(),
                params: vec!["./env.${opt:stage}.json".into()],
                address: Some("SIZE".into())
            }
        );
        assert_eq!(sources[1], Source::Literal(Value::Int(1000)));
        let parts = parse("${opt:stage, self:provider.stage, 'dev'}");
        let [Part::Variable { sources, .. }] = parts.as_slice() else {
            panic!()
        };
        assert_eq!(sources.len(), 3);
        assert_eq!(sources[2], Source::Literal(Value::Str("dev".into())));
    }

    #[test]
    fn cloudformation_placeholders_are_text() {
        assert!(!has_variable(
            "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:q"
        ));
        assert!(!has_variable("${Queue.Arn}"));
        assert!(
            !has_variable("${custom.batch}"),
            "the framework needs a source"
        );
        assert!(has_variable("arn:aws:sqs:${self:provider.region}:1:q"));
        let parts = parse("a-${sls:stage}-b");
        assert_eq!(parts.len(), 3);
    }

    /// The framework's value for a string is found at the same place in its configuration,
    /// through sequences and intrinsic functions (the YAML short form and JSON's long form
    /// are the same node).
    #[test]
    fn a_variable_is_found_at_the_same_place_in_the_resolved_service() {
        let yaml = "a:\n  - x: !Sub 'q-${tl:name}'\n  - y: ${ssm:/p}\n";
        let root = crate::parse::parse(yaml, crate::parse::Syntax::Yaml, FileId(1))
            .unwrap()
            .unwrap();
        let resolved = r#"{"a": [{"x": {"Fn::Sub": "q-jobs"}}, {"y": [1, {"z": true}]}]}"#;
        let resolved = crate::parse::parse(resolved, crate::parse::Syntax::Json, FileId(0))
            .unwrap()
            .unwrap();
        let places = variable_places(&root);
        assert_eq!(places.len(), 2);
        let mut found: Vec<Node> = places
            .iter()
            .map(|(span, steps)| placed_at(node_at(&resolved, steps).unwrap(), *span))
            .collect();
        found.sort_by_key(|n| n.span.start);
        assert_eq!(found[0].as_str(), Some("q-jobs"));
        let Value::Seq(items) = &found[1].value else {
            panic!("{:?}", found[1])
        };
        assert_eq!(
            items[1].get("z").map(|z| &z.value),
            Some(&Value::Bool(true))
        );
        let use_span = found[1].span;
        assert_eq!(use_span.file, FileId(1));
        assert!(
            items.iter().all(|n| n.span == use_span),
            "findings about a handed-over value point at its use"
        );
        assert_eq!(node_at(&resolved, &[Step::Key("b".into())]), None);
    }
}
