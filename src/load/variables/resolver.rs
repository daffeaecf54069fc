//! The resolver: walks the service, resolving each variable from its sources in the
//! framework's order and recording where each value was defined.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::source::{FileId, Span};
use crate::tree::{Entry, Intrinsic, Map, Node, Value, resolve_plain_scalar};

use super::handover::{Step, node_at, placed_at};
use super::syntax::{Part, Source, parse};
use super::{
    Context, Definition, IncludeError, Included, MAX_RESOLUTIONS, MissingFile, VariableTable,
    VariableUse, has_variable,
};
/// Why a source gives no value.
#[derive(Clone)]
pub(super) struct Failure {
    pub(super) reason: String,
    /// A `${file(...)}` that names no file, by its path as written: a note when no fallback
    /// makes up for it.
    pub(super) missing_file: Option<String>,
    /// The source is read at deploy time (`ssm`, `cf`, `env`...): a fallback written after it
    /// is only a placeholder, not the value.
    pub(super) deploy_time: bool,
    /// The text with what could be resolved filled in and the rest as written, for telling
    /// an ARN's service and name.
    pub(super) partial: Option<String>,
}

impl Failure {
    pub(super) fn new(reason: impl Into<String>) -> Failure {
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
pub(super) struct Found {
    pub(super) node: Node,
    pub(super) definitions: Vec<Definition>,
    /// Why a fallback was taken (a source that is not read).
    pub(super) assumption: Option<String>,
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

pub(super) type Outcome = Result<Found, Failure>;

pub(super) struct Resolver<'r> {
    pub(super) root: &'r Node,
    pub(super) context: &'r Context<'r>,
    pub(super) service_file: FileId,
    pub(super) table: VariableTable,
    /// Included files by canonical path: their id and parsed root (`None` when unusable).
    pub(super) files: HashMap<PathBuf, (FileId, Option<Node>)>,
    pub(super) included: Vec<Included>,
    pub(super) errors: Vec<IncludeError>,
    pub(super) missing_files: Vec<MissingFile>,
    pub(super) self_cache: HashMap<String, Result<Found, Failure>>,
    pub(super) in_progress: Vec<String>,
    pub(super) resolutions: usize,
    pub(super) stage: Option<String>,
    pub(super) region: Option<String>,
    /// The places of the service file's variables, when the framework's values are given.
    pub(super) framework_places: HashMap<Span, Vec<Step>>,
}

impl Resolver<'_> {
    /// The stage or region: from the command line, else `provider.<key>` as written
    /// (where `${opt:...}` without the option falls back), else the framework's default.
    pub(super) fn compute(&mut self, key: &str) -> String {
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
    pub(super) fn replacements(&mut self, node: &Node, dir: &Path, out: &mut Vec<Option<Node>>) {
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
    pub(super) fn walk(
        &mut self,
        start: &Node,
        address: &str,
        dir: &Path,
        depth: usize,
    ) -> Outcome {
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
}

pub(super) fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::Str(s) | Value::Yaml11Bool(_, s) => Some(s.to_string()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some("null".to_string()),
        _ => None,
    }
}
