//! Terraform (and OpenTofu): a module is a folder, and every `.tf` / `.tf.json` file of it is
//! read before any trigger is built. The resources links care about are lowered into the same
//! template view the other formats fill (queues, functions, streams, tables, consumers, topics,
//! alarms, under their addresses), so links and rules never read HCL. Triggers come from
//! `aws_lambda_event_source_mapping` resources and from the entries of the terraform-aws-modules
//! Lambda module's `event_source_mapping` map.

pub mod expr;
pub mod mapping;
pub mod resources;
pub mod schema;

use crate::hcl::{Block, Body, Expr};
use crate::model::{Format, LoaderNote, Property, SourceKind, Tool, Trigger};
use crate::source::{FileId, Span};
use crate::template::{FROM_VAR_FILE, Template};
use crate::tree::{Entry, Map, Node, Value};
use expr::{Lowerer, Names};
use resources::{entry, map_node};

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
}

/// Lowers a module's files (`var_values` are the `--var-file` values) into the template view
/// and the mappings it declares.
pub fn lower<'a>(
    files: &[ModuleFile<'a>],
    var_values: &[(&'a str, &'a Expr)],
    local_module: &dyn Fn(&str) -> Option<LambdaModule>,
) -> Lowered {
    let names = collect(files, var_values, local_module);
    let lowerer = Lowerer::new(&names);
    let mut resources: Vec<Entry> = Vec::new();
    let mut mappings = Vec::new();
    let mut redrives = Vec::new();
    for file in files {
        for block in file.body.blocks() {
            match (block.kind.as_str(), block.label(0)) {
                ("resource", Some("aws_lambda_event_source_mapping")) => {
                    mappings.extend(resource_mapping(&lowerer, block));
                }
                ("resource", Some("aws_sqs_queue_redrive_policy")) => redrives.push(block),
                ("resource", _) => {
                    resources.extend(resources::lower(&lowerer, block).map(view_entry))
                }
                ("module", Some(name)) => {
                    let kind = names.modules.get(name).copied().flatten();
                    if let Some(kind) = kind {
                        mappings.extend(module_mappings(&lowerer, block, name, kind));
                        if kind == LambdaModule::Function {
                            resources.push(module_function(&lowerer, block, name));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    for redrive in redrives {
        attach_redrive_policy(&lowerer, redrive, &mut resources);
    }
    let root = map_node(
        Span::default(),
        vec![
            entry("Parameters", Span::default(), parameters(&lowerer)),
            entry(
                "Resources",
                Span::default(),
                Node::new(Span::default(), Value::Map(Map { entries: resources })),
            ),
        ],
    );
    Lowered { root, mappings }
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
            if let Some(default) = block.body.attribute("default")
                && !matches!(default.value.kind, crate::hcl::ExprKind::Null)
            {
                names.variables.insert(name, &default.value);
            }
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
        _ => {}
    }
}

/// Input variables with a value become parameters whose default is that value, so `var.x`
/// resolves like `!Ref X` does.
fn parameters(lowerer: &Lowerer<'_, '_>) -> Node {
    let names = lowerer.names;
    let mut variables: Vec<(&&str, &&Expr)> = names.variables.iter().collect();
    variables.sort_by_key(|(name, _)| **name);
    let entries = variables
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
                &format!("var.{name}"),
                value.span,
                map_node(value.span, fields),
            )
        })
        .collect();
    Node::new(Span::default(), Value::Map(Map { entries }))
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
fn module_function(lowerer: &Lowerer<'_, '_>, block: &Block, name: &str) -> Entry {
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
    let properties = schema::lower_body(lowerer, &block.body, FIELDS).entries;
    view_entry(resources::Lowered {
        address: format!("module.{name}"),
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
fn resource_mapping(lowerer: &Lowerer<'_, '_>, block: &Block) -> Option<MappingDraft> {
    let name = block.label(1)?;
    let lowered = schema::lower_body(lowerer, &block.body, mapping::RESOURCE_FIELDS);
    Some(draft(
        format!("aws_lambda_event_source_mapping.{name}"),
        resources::declaration_span(block),
        None,
        lowered,
    ))
}

/// The entries of a literal `event_source_mapping` map passed to the Lambda module; a map that
/// is not written out (`var.mappings`) declares no mapping that can be seen.
fn module_mappings(
    lowerer: &Lowerer<'_, '_>,
    block: &Block,
    name: &str,
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
            &format!("module.{name}"),
            "Arn",
            &format!("the function of module.{name}"),
        )
    });
    items
        .iter()
        .filter_map(|item| {
            let key = item.key.as_deref()?;
            let body = object_body(&item.value)?;
            let lowered = schema::lower_body(lowerer, &body, mapping::MODULE_FIELDS);
            let mut draft = draft(
                format!("module.{name}.event_source_mapping[\"{key}\"]"),
                item.key_span,
                Some(kind),
                lowered,
            );
            draft.function_name.clone_from(&function);
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
