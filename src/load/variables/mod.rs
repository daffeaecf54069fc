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
use std::path::PathBuf;
use std::sync::Arc;

use crate::source::{FileId, FileIds, SourceFile, Span};
use crate::tree::{Node, Value};

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

mod handover;
mod include;
mod resolver;
mod syntax;

pub use handover::read_resolved_service;
use handover::variable_places;
use resolver::Resolver;
use syntax::{Part, parse};

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

#[cfg(test)]
mod tests {
    use super::handover::{Step, node_at, placed_at};
    use super::syntax::Source;
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
