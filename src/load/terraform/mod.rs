//! Terraform (and OpenTofu): a module is a folder, and every `.tf` / `.tf.json` file of it is
//! read before any trigger is built. The resources links care about are lowered into the same
//! template view the other formats fill (queues, functions, streams, tables, consumers, topics,
//! alarms, under their addresses), so links and rules never read HCL. Triggers come from
//! `aws_lambda_event_source_mapping` resources and from the entries of the terraform-aws-modules
//! Lambda module's `event_source_mapping` map.

pub mod expr;
pub mod mapping;
pub mod nodes;
pub mod policies;
pub mod registry;
pub mod resources;
pub mod schema;

use std::sync::Arc;

use crate::fxhash::FxHashMap;
use crate::hcl::{Block, Body, Expr};
use crate::model::{Format, LoaderNote, ModuleCall, Property, SourceKind, Tool, Trigger};
use crate::source::{FileId, Span};
use crate::template::{FROM_VAR_FILE, Template};
use crate::tree::{Entry, Node, Value};
use expr::{Instance, Lowerer, Names};
use nodes::{entry, map_node};

use super::Draft;
use super::settings::DefaultValue;

/// One file of a module, parsed.
pub struct ModuleFile<'a> {
    pub id: FileId,
    pub text: &'a str,
    pub body: &'a Body,
}

/// Which kind of Lambda module a module call's `source` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LambdaModule {
    /// The module itself, which creates the function.
    Function,
    /// Its `modules/alias` submodule, whose mappings invoke an alias.
    Alias,
}

/// Tells the Lambda module from the source of a module call: the registry address and the git
/// repository here; a local path through `local` (which must read the folder it names).
pub fn lambda_module(
    source: &str,
    local: &dyn Fn(&str) -> Option<LambdaModule>,
) -> Option<LambdaModule> {
    let alias = source.contains("modules/alias");
    let remote = source.contains("terraform-aws-modules/lambda/aws")
        || source.contains("terraform-aws-modules/terraform-aws-lambda");
    if remote {
        return Some(if alias {
            LambdaModule::Alias
        } else {
            LambdaModule::Function
        });
    }
    (source.starts_with("./") || source.starts_with("../"))
        .then(|| local(source))
        .flatten()
}

/// Whether the text of a local module's files is the Lambda module's: it declares the
/// `event_source_mapping` input and feeds it to mappings.
pub fn is_lambda_module_text(text: &str) -> bool {
    text.contains("variable \"event_source_mapping\"")
}

/// The folders of a module tree: the module linted first, then each module its calls read
/// (a local folder, a module `terraform init` downloaded, or a registry module's model).
pub struct Folder<'a> {
    pub files: Vec<ModuleFile<'a>>,
    /// The calls of this folder whose module was read: call name, and that module's index.
    pub calls: FxHashMap<String, usize>,
}

/// What lowering a module gives: the template view's document and the mappings to load.
pub struct Lowered {
    pub root: Node,
    pub mappings: Vec<MappingDraft>,
}

/// A mapping before the shared finishing steps.
pub struct MappingDraft {
    pub address: String,
    pub anchor: Span,
    /// An entry of the lambda module's map, rather than a resource.
    pub module: Option<LambdaModule>,
    pub properties: Vec<Property>,
    pub event_source: Option<Node>,
    pub function_name: Option<Node>,
    pub notes: Vec<LoaderNote>,
    /// The module call the mapping was lowered for, when it is in a called module.
    pub call: Option<Arc<ModuleCall>>,
    /// Where the mapping's own arguments are written: the resource block's body, or the
    /// module entry's object (braces included).
    pub settings_at: Span,
}

/// Deepest chain of module calls followed (a module calling itself stops here).
const MAX_CALL_DEPTH: usize = 8;

/// Most instances one `for_each` or `count` is expanded into.
const MAX_INSTANCES: usize = 256;

/// Most module calls lowered in one tree (calls of calls multiply), and most resources and
/// mappings in its view: beyond them the rest is left out rather than the run slowed down.
const MAX_MODULE_INSTANCES: usize = 512;
const MAX_VIEW_ENTRIES: usize = 50_000;

/// What the module tree's lowering collects, across every module instance.
#[derive(Default)]
struct Sink {
    resources: Vec<Entry>,
    parameters: Vec<Entry>,
    mappings: Vec<MappingDraft>,
    /// Module calls lowered so far.
    calls: usize,
}

impl Sink {
    fn is_full(&self) -> bool {
        self.resources.len() + self.mappings.len() >= MAX_VIEW_ENTRIES
    }
}

/// The module tree and what it is lowered with.
struct Tree<'t, 'a> {
    folders: &'t [Folder<'a>],
    local_module: &'t dyn Fn(&str) -> Option<LambdaModule>,
}

/// Lowers a module tree (`folders[0]` is the module linted; `var_values` are the
/// `--var-file` values) into the template view and the mappings it declares. A called module
/// is lowered once per call, with its variables bound to the call's arguments.
pub fn lower<'a>(
    folders: &[Folder<'a>],
    var_values: &[(&'a str, &'a Expr)],
    local_module: &dyn Fn(&str) -> Option<LambdaModule>,
) -> Lowered {
    let tree = Tree {
        folders,
        local_module,
    };
    let mut sink = Sink::default();
    if let Some(root) = folders.first() {
        let names = collect(&root.files, var_values, local_module);
        lower_module(&tree, 0, names, None, &mut sink);
    }
    let nowhere = Span::default();
    let root = map_node(
        nowhere,
        vec![
            entry("Parameters", nowhere, map_node(nowhere, sink.parameters)),
            entry("Resources", nowhere, map_node(nowhere, sink.resources)),
        ],
    );
    Lowered {
        root,
        mappings: sink.mappings,
    }
}

/// Lowers one module instance into the sink and returns its outputs.
fn lower_module<'a>(
    tree: &Tree<'_, 'a>,
    folder: usize,
    names: Names<'a>,
    call: Option<Arc<ModuleCall>>,
    sink: &mut Sink,
) -> FxHashMap<String, Node> {
    let files = &tree.folders[folder].files;
    let lowerer = Lowerer::new(&names);
    let blocks: Vec<&Block> = files.iter().flat_map(|f| f.body.blocks()).collect();
    let expansions = expand_blocks(&lowerer, &blocks);
    lower_calls(
        tree,
        folder,
        &lowerer,
        &blocks,
        &expansions,
        call.as_ref(),
        sink,
    );
    let mut redrives = Vec::new();
    let mut policies = Vec::new();
    for (block, instances) in blocks.iter().zip(&expansions) {
        for instance in instances {
            if sink.is_full() {
                break;
            }
            let instance = instance.clone().unwrap_or_default();
            if let (kind, Some(type_)) = (block.kind.as_str(), block.label(0))
                && policies::is_policy(kind, type_)
            {
                policies.push((instance, *block));
                continue;
            }
            let suffix = instance.suffix();
            let lowerer = lowerer.for_instance(instance);
            lower_block(&lowerer, block, &suffix, call.as_ref(), sink, &mut redrives);
        }
    }
    for (lowerer_instance, redrive) in redrives {
        let lowerer = lowerer.for_instance(lowerer_instance);
        attach_redrive_policy(&lowerer, redrive, &mut sink.resources);
    }
    // Grants only matter to a source nothing else names: the policies are lowered only when a
    // mapping lowered so far (this module's or a called one's) reads an unknown value.
    if sink.mappings.iter().any(MappingDraft::reads_unknown_source) {
        for (instance, block) in policies {
            let address = policy_address(&lowerer.names.prefix, block, &instance);
            let lowerer = lowerer.for_instance(instance);
            let lowered = policies::lower(&lowerer, block, &address);
            sink.resources.extend(lowered.into_iter().map(view_entry));
        }
    }
    sink.parameters.extend(parameters(&lowerer));
    names
        .outputs
        .iter()
        .map(|(name, value)| (name.to_string(), lowerer.node(value)))
        .collect()
}

impl MappingDraft {
    /// Whether the event source is a value known only at plan or apply time.
    fn reads_unknown_source(&self) -> bool {
        self.event_source
            .as_ref()
            .is_some_and(|n| matches!(n.value, Value::Unknown(_)))
    }
}

/// A policy block's address: `data.` before a data source's type, the module instance before
/// it all, the block's instance key after it.
fn policy_address(prefix: &str, block: &Block, instance: &Instance) -> String {
    let data = if block.kind == "data" { "data." } else { "" };
    let (type_, name) = (block.label(0).unwrap_or(""), block.label(1).unwrap_or(""));
    format!("{prefix}{data}{type_}.{name}{}", instance.suffix())
}

/// One instance of a block of the module.
fn lower_block<'a>(
    lowerer: &Lowerer<'_, 'a>,
    block: &'a Block,
    suffix: &str,
    call: Option<&Arc<ModuleCall>>,
    sink: &mut Sink,
    redrives: &mut Vec<(Instance, &'a Block)>,
) {
    let prefix = lowerer.names.prefix.as_str();
    match (block.kind.as_str(), block.label(0), block.label(1)) {
        ("resource", Some("aws_lambda_event_source_mapping"), Some(name)) => {
            let address = [prefix, "aws_lambda_event_source_mapping.", name, suffix].concat();
            let mut draft = resource_mapping(lowerer, block, address);
            draft.call = call.cloned();
            sink.mappings.push(draft);
        }
        ("resource", Some("aws_sqs_queue_redrive_policy"), _) => {
            redrives.push((lowerer.instance.clone(), block));
        }
        ("resource", Some(kind), Some(name)) if resources::is_read(kind) => {
            let address = [prefix, kind, ".", name, suffix].concat();
            sink.resources
                .extend(resources::lower(lowerer, block, address).map(view_entry));
        }
        ("module", Some(name), _) => {
            let kind = lowerer.names.modules.get(name).copied().flatten();
            if let Some(kind) = kind {
                let address = [prefix, "module.", name, suffix].concat();
                for mut draft in module_mappings(lowerer, block, &address, kind) {
                    draft.call = call.cloned();
                    sink.mappings.push(draft);
                }
                if kind == LambdaModule::Function {
                    sink.resources
                        .push(module_function(lowerer, block, &address));
                }
            }
        }
        _ => {}
    }
}

/// The instances each block is lowered as: one without `for_each` / `count` (or when they
/// are not known), one per key or index when they are. Module calls that are read are lowered
/// by [`lower_calls`] and get none here.
fn expand_blocks(lowerer: &Lowerer<'_, '_>, blocks: &[&Block]) -> Vec<Vec<Option<Instance>>> {
    blocks
        .iter()
        .map(|block| {
            let expanded = instances(lowerer, block);
            if let (Some(list), ("resource", Some(kind), Some(name))) = (
                &expanded,
                (block.kind.as_str(), block.label(0), block.label(1)),
            ) {
                let keys = list
                    .iter()
                    .map(|i| {
                        i.key.clone().unwrap_or_else(|| {
                            Node::new(block.span, Value::Int(i.index.unwrap_or(0)))
                        })
                    })
                    .collect();
                lowerer.names.expanded.borrow_mut().insert(
                    [lowerer.names.prefix.as_str(), kind, ".", name].concat(),
                    keys,
                );
                lowerer.names.learned();
            }
            match expanded {
                Some(list) => list.into_iter().map(Some).collect(),
                None => vec![None],
            }
        })
        .collect()
}

/// The instances a block's `for_each` or `count` creates, when known and not empty (an empty
/// one is kept as the block itself: its values may differ where the module is deployed).
fn instances(lowerer: &Lowerer<'_, '_>, block: &Block) -> Option<Vec<Instance>> {
    if let Some(for_each) = block.body.attribute("for_each") {
        let collection = lowerer.value(&for_each.value);
        let list: Vec<Instance> = match &collection.value {
            Value::Map(map) => map
                .iter()
                .map(|e| Instance {
                    key: Some(Node::new(e.key_span, Value::Str(e.key.clone()))),
                    value: Some(e.value.clone()),
                    index: None,
                })
                .collect(),
            Value::Seq(items) if items.iter().all(|i| i.as_str().is_some()) => items
                .iter()
                .map(|i| Instance {
                    key: Some(i.clone()),
                    value: Some(i.clone()),
                    index: None,
                })
                .collect(),
            _ => return None,
        };
        return (!list.is_empty() && list.len() <= MAX_INSTANCES).then_some(list);
    }
    let count = block.body.attribute("count")?;
    match lowerer.value(&count.value).value {
        Value::Int(n) if n >= 1 && (n as usize) <= MAX_INSTANCES => Some(
            (0..n)
                .map(|index| Instance {
                    index: Some(index),
                    ..Instance::default()
                })
                .collect(),
        ),
        _ => None,
    }
}

/// Lowers the calls of this module whose module was read, each as called, before the rest of
/// the module (whose expressions may read their outputs). A call whose arguments read another
/// call's outputs waits for that call.
fn lower_calls<'a>(
    tree: &Tree<'_, 'a>,
    folder: usize,
    lowerer: &Lowerer<'_, 'a>,
    blocks: &[&'a Block],
    expansions: &[Vec<Option<Instance>>],
    call: Option<&Arc<ModuleCall>>,
    sink: &mut Sink,
) {
    let depth = call.map_or(0, |c| c.sites.len());
    let calls = &tree.folders[folder].calls;
    let mut pending: Vec<(usize, &str, usize)> = blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| b.kind == "module")
        .filter_map(|(i, b)| {
            let name = b.label(0)?;
            Some((i, name, *calls.get(name)?))
        })
        .collect();
    if depth >= MAX_CALL_DEPTH {
        return;
    }
    while !pending.is_empty() {
        let waits = |block: &Block| {
            pending.iter().any(|(_, other, _)| {
                block.body.attributes().any(|a| {
                    lowerer
                        .text(a.value.span)
                        .contains(&format!("module.{other}."))
                })
            })
        };
        let next = pending
            .iter()
            .position(|(i, _, _)| !waits(blocks[*i]))
            .unwrap_or(0);
        let (index, name, child) = pending.remove(next);
        for instance in &expansions[index] {
            if sink.calls >= MAX_MODULE_INSTANCES || sink.is_full() {
                return;
            }
            sink.calls += 1;
            let lowerer = lowerer.for_instance(instance.clone().unwrap_or_default());
            let suffix = instance.as_ref().map(Instance::suffix).unwrap_or_default();
            let outputs = lower_call(
                tree,
                &lowerer,
                blocks[index],
                name,
                &suffix,
                child,
                call,
                sink,
            );
            lowerer
                .names
                .module_outputs
                .borrow_mut()
                .insert(format!("{name}{suffix}"), outputs);
            lowerer.names.learned();
        }
    }
}

/// Arguments of a module call that are not inputs of the module.
const META_ARGUMENTS: &[&str] = &[
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];

/// One call of a module that was read: its variables bound to the call's arguments, lowered
/// where the call is written.
#[allow(clippy::too_many_arguments)]
fn lower_call<'a>(
    tree: &Tree<'_, 'a>,
    caller: &Lowerer<'_, 'a>,
    block: &'a Block,
    name: &str,
    suffix: &str,
    child: usize,
    call: Option<&Arc<ModuleCall>>,
    sink: &mut Sink,
) -> FxHashMap<String, Node> {
    let mut names = collect(&tree.folders[child].files, &[], tree.local_module);
    let address = format!("{}module.{name}{suffix}", caller.names.prefix);
    names.prefix = format!("{address}.");
    names.called = true;
    for attribute in block.body.attributes() {
        let argument = attribute.name.as_str();
        if META_ARGUMENTS.contains(&argument) {
            continue;
        }
        if let Some((&variable, _)) = names.declared.get_key_value(argument) {
            names.bound.insert(variable, caller.node(&attribute.value));
        }
    }
    let mut sites = call.map(|c| c.sites.clone()).unwrap_or_default();
    sites.push(resources::declaration_span(block));
    let this_call = Arc::new(ModuleCall { address, sites });
    lower_module(tree, child, names, Some(this_call), sink)
}

/// Everything expressions may refer to, across the module's files.
fn collect<'a>(
    files: &[ModuleFile<'a>],
    var_values: &[(&'a str, &'a Expr)],
    local_module: &dyn Fn(&str) -> Option<LambdaModule>,
) -> Names<'a> {
    let mut names = Names::default();
    for file in files {
        names.texts.insert(file.id, file.text);
        for block in file.body.blocks() {
            collect_block(&mut names, block, local_module);
        }
    }
    for (name, value) in var_values {
        if names.declared.contains_key(name) {
            names.variables.insert(name, value);
            names.from_var_file.insert(name);
        }
    }
    names
}

fn collect_block<'a>(
    names: &mut Names<'a>,
    block: &'a Block,
    local_module: &dyn Fn(&str) -> Option<LambdaModule>,
) {
    match (block.kind.as_str(), block.label(0), block.label(1)) {
        ("variable", Some(name), _) => {
            names.declared.insert(name, block.span);
            if let Some(default) = block.body.attribute("default") {
                names.variables.insert(name, &default.value);
            }
            let conditions = block
                .body
                .blocks()
                .filter(|b| b.kind == "validation")
                .filter_map(|b| b.body.attribute("condition"))
                .map(|a| &a.value);
            names
                .validations
                .entry(name)
                .or_default()
                .extend(conditions);
        }
        ("locals", _, _) => {
            for attribute in block.body.attributes() {
                names.locals.insert(&attribute.name, &attribute.value);
            }
        }
        ("data", Some(kind), Some(name)) => {
            names.data.insert(format!("{kind}.{name}"), &block.body);
        }
        ("module", Some(name), _) => {
            let kind = block
                .body
                .attribute("source")
                .and_then(|a| a.value.as_str())
                .and_then(|source| lambda_module(source, local_module));
            names.modules.insert(name, kind);
        }
        ("output", Some(name), _) => {
            if let Some(value) = block.body.attribute("value") {
                names.outputs.push((name, &value.value));
            }
        }
        _ => {}
    }
}

/// Input variables with a value (and not bound by a caller) become parameters whose default
/// is that value, so `var.x` resolves like `!Ref X` does.
fn parameters(lowerer: &Lowerer<'_, '_>) -> Vec<Entry> {
    let names = lowerer.names;
    let mut variables: Vec<(&&str, &&Expr)> = names
        .variables
        .iter()
        .filter(|(name, _)| !names.bound.contains_key(**name) && names.value_of(name).is_some())
        .collect();
    variables.sort_by_key(|(name, _)| **name);
    variables
        .into_iter()
        .map(|(name, value)| {
            let mut fields = vec![entry("Default", value.span, lowerer.node(value))];
            if names.from_var_file.contains(*name) {
                fields.push(entry(
                    FROM_VAR_FILE,
                    value.span,
                    Node::new(value.span, Value::Bool(true)),
                ));
            }
            entry(
                &format!("{}var.{name}", names.prefix),
                value.span,
                map_node(value.span, fields),
            )
        })
        .collect()
}

fn view_entry(lowered: resources::Lowered) -> Entry {
    let span = lowered.anchor;
    let resource = map_node(
        span,
        vec![
            entry(
                "Type",
                span,
                Node::new(span, Value::Str(lowered.type_.into())),
            ),
            entry("Properties", span, map_node(span, lowered.properties)),
        ],
    );
    entry(&lowered.address, span, resource)
}

/// The function the Lambda module creates, from the arguments of its call (the module's own
/// defaults apply to what the call leaves out).
fn module_function(lowerer: &Lowerer<'_, '_>, block: &Block, address: &str) -> Entry {
    use schema::{Field, Kind, value, with};
    static FIELDS: &[Field] = &[
        value("function_name", "FunctionName"),
        value("timeout", "Timeout"),
        value(
            "reserved_concurrent_executions",
            "ReservedConcurrentExecutions",
        ),
        with(
            "dead_letter_target_arn",
            "DeadLetterConfig",
            Kind::Nested(&["TargetArn"]),
        ),
    ];
    let properties = schema::lower_properties(lowerer, &block.body, FIELDS);
    view_entry(resources::Lowered {
        address: address.to_string(),
        anchor: resources::declaration_span(block),
        type_: "AWS::Lambda::Function",
        properties,
    })
}

/// `aws_sqs_queue_redrive_policy` gives the queue its `queue_url` names a redrive policy.
fn attach_redrive_policy(lowerer: &Lowerer<'_, '_>, block: &Block, resources: &mut [Entry]) {
    let (Some(url), Some(policy)) = (
        block.body.attribute("queue_url"),
        block.body.attribute("redrive_policy"),
    ) else {
        return;
    };
    let target = lowerer.node(&url.value);
    let Some((queue, _)) = crate::template::referenced_resource(&target) else {
        return;
    };
    let Some(resource) = resources.iter_mut().find(|e| e.key == queue) else {
        return;
    };
    let Value::Map(fields) = &mut resource.value.value else {
        return;
    };
    let properties = fields.entries.iter_mut().find(|e| e.key == "Properties");
    if let Some(Entry {
        value: Node {
            value: Value::Map(properties),
            ..
        },
        ..
    }) = properties
        && !properties.contains_key("RedrivePolicy")
    {
        properties.entries.push(entry(
            "RedrivePolicy",
            policy.name_span,
            lowerer.node(&policy.value),
        ));
    }
}

/// A mapping resource.
fn resource_mapping(lowerer: &Lowerer<'_, '_>, block: &Block, address: String) -> MappingDraft {
    let lowered = schema::lower_body(lowerer, &block.body, mapping::RESOURCE_FIELDS);
    let mut draft = draft(address, resources::declaration_span(block), None, lowered);
    draft.settings_at = block.body_span(lowerer.file_text(block.span.file));
    note_sole_definitions(lowerer, &block.body, &mut draft.properties);
    draft
}

/// Records, for each argument written as `var.x` or `local.x`, where that value is defined
/// when nothing else in the module reads it (see `Property::sole_definition`).
fn note_sole_definitions(lowerer: &Lowerer<'_, '_>, body: &Body, properties: &mut [Property]) {
    for property in properties {
        let written = body.attributes().find(|a| a.name_span == property.key_span);
        property.sole_definition = written.and_then(|a| sole_definition(lowerer, &a.value));
    }
}

fn sole_definition(lowerer: &Lowerer<'_, '_>, expr: &Expr) -> Option<Span> {
    let (root, path) = expr.traversal()?;
    let [name] = path.as_slice() else {
        return None;
    };
    let names = lowerer.names;
    let definition = match root {
        "var" if names.from_var_file.contains(name) => return None,
        "var" => match names.bound.get(name) {
            Some(argument) => argument.span,
            None => names.value_of(name)?.span,
        },
        "local" => names.locals.get(name)?.span,
        _ => return None,
    };
    let reference = format!("{root}.{name}");
    let known = names.reference_counts.borrow().get(&reference).copied();
    let uses = known.unwrap_or_else(|| {
        let uses = names
            .texts
            .values()
            .map(|text| references(text, &reference))
            .sum();
        names.reference_counts.borrow_mut().insert(reference, uses);
        uses
    });
    (uses == 1).then_some(definition)
}

/// How many times a text names `reference` (`var.size`, not `var.size_max`): comments and
/// strings count too, which only makes a value look shared when it is not.
fn references(text: &str, reference: &str) -> usize {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    memchr::memmem::find_iter(text.as_bytes(), reference.as_bytes())
        .filter(|&at| {
            let before = text[..at].chars().next_back();
            let after = text[at + reference.len()..].chars().next();
            !before.is_some_and(|c| ident(c) || c == '.') && !after.is_some_and(ident)
        })
        .count()
}

/// The entries of a literal `event_source_mapping` map passed to the Lambda module; a map that
/// is not written out (`var.mappings`) declares no mapping that can be seen.
fn module_mappings(
    lowerer: &Lowerer<'_, '_>,
    block: &Block,
    address: &str,
    kind: LambdaModule,
) -> Vec<MappingDraft> {
    let Some(map) = block.body.attribute("event_source_mapping") else {
        return Vec::new();
    };
    let Some(items) = map.value.as_object() else {
        return Vec::new();
    };
    let function = (kind == LambdaModule::Function).then(|| {
        expr::get_att(
            block.span,
            address,
            "Arn",
            &format!("the function of {address}"),
        )
    });
    items
        .iter()
        .filter_map(|item| {
            let key = item.key.as_deref()?;
            let body = object_body(&item.value)?;
            let lowered = schema::lower_body(lowerer, &body, mapping::MODULE_FIELDS);
            let mut draft = draft(
                format!("{address}.event_source_mapping[\"{key}\"]"),
                item.key_span,
                Some(kind),
                lowered,
            );
            draft.function_name.clone_from(&function);
            draft.settings_at = item.value.span;
            note_sole_definitions(lowerer, &body, &mut draft.properties);
            Some(draft)
        })
        .collect()
}

/// An object expression read as a body of attributes.
fn object_body(value: &Expr) -> Option<Body> {
    let items = value.as_object()?;
    Some(Body {
        items: items
            .iter()
            .filter_map(|i| {
                Some(crate::hcl::Item::Attribute(crate::hcl::Attribute {
                    name: i.key.clone()?,
                    name_span: i.key_span,
                    value: i.value.clone(),
                }))
            })
            .collect(),
    })
}

fn draft(
    address: String,
    anchor: Span,
    module: Option<LambdaModule>,
    lowered: schema::LoweredBody,
) -> MappingDraft {
    let mut properties: Vec<Property> = lowered
        .entries
        .into_iter()
        .zip(lowered.fields)
        .map(|(entry, field)| Property {
            nested_names: mapping::NESTED_NAMES,
            ..Property::new(&entry.key, field.key(), entry.key_span, entry.value)
        })
        .collect();
    // Arguments no field describes reach validity rules under their own names: the provider
    // rejects them. The lambda module instead ignores keys it does not know.
    let mut notes = Vec::new();
    for (name, span, value) in lowered.unknown {
        if mapping::IGNORED.contains(&name.as_str()) {
            continue;
        }
        match module {
            None => properties.push(Property::new(&name, &name, span, value)),
            Some(_) => notes.push(LoaderNote {
                span,
                message: format!(
                    "the lambda module does not read `{name}` in an `event_source_mapping` \
                     entry, so it is not deployed{}",
                    module_key_hint(&name)
                ),
            }),
        }
    }
    let take = |name: &str| {
        properties
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.value.clone())
    };
    let event_source = take("EventSourceArn");
    let function_name = take("FunctionName");
    // The module sets the function itself: a `FunctionName` of the entry is not read.
    properties.retain(|p| p.name != "FunctionName" || module.is_none());
    MappingDraft {
        address,
        anchor,
        module,
        properties,
        event_source,
        function_name,
        notes,
        call: None,
        settings_at: anchor,
    }
}

/// The module key meant by one it does not read.
fn module_key_hint(name: &str) -> String {
    if name == "maximum_concurrency" {
        return " (write `scaling_config = { maximum_concurrency = ... }`)".to_string();
    }
    let known = mapping::MODULE_FIELDS.iter().map(|f| f.tf);
    crate::text::closest(name, known)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

/// Finishes the mappings of a lowered module into triggers, over its template view.
pub fn load(template: &Template<'_>, mappings: &[MappingDraft]) -> Vec<Trigger> {
    mappings.iter().map(|m| trigger(template, m)).collect()
}

fn trigger(template: &Template<'_>, mapping: &MappingDraft) -> Trigger {
    let mut draft = Draft::new(Format::Terraform, mapping.anchor, mapping.address.clone());
    draft.properties.clone_from(&mapping.properties);
    draft.event_source.clone_from(&mapping.event_source);
    draft.notes.clone_from(&mapping.notes);
    draft.module_call.clone_from(&mapping.call);
    draft.settings_at = Some(mapping.settings_at);
    draft.function = mapping.function_name.as_ref().map(|name| {
        let mut function = super::cloudformation::function_info(template, name);
        // The module's own default, where the call leaves the timeout out.
        if function
            .resource_id
            .as_deref()
            .is_some_and(|id| id.starts_with("module."))
            && let crate::model::Setting::ToolDefault { tool, .. } = &mut function.timeout
        {
            *tool = Tool::TerraformModule;
        }
        function
    });
    let (tool, event_type) = match mapping.module {
        Some(LambdaModule::Function) => (
            Tool::TerraformModule,
            Some(crate::model::TERRAFORM_MODULE_EVENT),
        ),
        Some(LambdaModule::Alias) => (
            Tool::TerraformProvider,
            Some(crate::model::TERRAFORM_MODULE_EVENT),
        ),
        None => (Tool::TerraformProvider, None),
    };
    draft.event_type = event_type.map(str::to_string);
    draft.tool = Some(tool);
    draft.tool_defaults = vec![(crate::model::Prop::Enabled, DefaultValue::Bool(true))];
    // Kafka without an ARN: `self_managed_event_source` says so.
    if mapping.event_source.is_none()
        && mapping
            .properties
            .iter()
            .any(|p| p.name == "SelfManagedEventSource")
    {
        draft.declared = Some((
            SourceKind::SelfManagedKafka,
            "the self_managed_event_source block".to_string(),
        ));
    }
    draft.finish(template)
}
