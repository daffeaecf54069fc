//! `AWS::Lambda::EventSourceMapping` resources, in CloudFormation and SAM templates and in the
//! `resources` section of Serverless services.

use super::{Draft, properties_of};
use crate::model::{Format, FunctionInfo, MetadataIgnore, Origin, Setting, Trigger};
use crate::template::{Resource, Template, referenced_resource};
use crate::tree::Node;

pub const ESM_TYPE: &str = "AWS::Lambda::EventSourceMapping";

/// Every event source mapping resource, with logical paths under `prefix`.
pub fn load(template: &Template<'_>, prefix: &str) -> Vec<Trigger> {
    template
        .resources
        .iter()
        .filter(|r| r.type_ == ESM_TYPE)
        .map(|r| draft(template, r, prefix).finish(template))
        .collect()
}

fn draft(template: &Template<'_>, resource: &Resource<'_>, prefix: &str) -> Draft {
    let mut draft = Draft::new(
        Format::CloudFormation,
        resource.id_span,
        format!("{prefix}/{}", resource.logical_id),
    );
    draft.properties = properties_of(resource.properties);
    draft.settings_at = resource.properties.map(|p| p.span);
    draft.event_source = resource.property("EventSourceArn").cloned();
    draft.function = resource
        .property("FunctionName")
        .map(|name| function_info(template, name));
    draft.metadata_ignores = MetadataIgnore::of_resource(resource.node);
    draft.construct_path = resource
        .node
        .get_path(&["Metadata", "aws:cdk:path"])
        .and_then(Node::as_str)
        .map(Into::into);
    if let Some(function) = resource
        .property("FunctionName")
        .and_then(|name| function_resource(template, name))
    {
        draft
            .metadata_ignores
            .extend(MetadataIgnore::of_resource(function.node));
    }
    draft
}

/// Resolves `FunctionName` (`!Ref Fn`, `!GetAtt Fn.Arn`, an alias or version of it, or a
/// literal name or ARN) to the function it invokes.
pub fn function_info(template: &Template<'_>, function_name: &Node) -> FunctionInfo {
    if let Some(function) = function_resource(template, function_name) {
        return function_resource_info(template, &function);
    }
    let name = match template.resolve(function_name) {
        Ok(node) => node
            .as_str()
            .map(|s| s.rsplit(":function:").next().unwrap_or(s).to_string())
            .unwrap_or_else(|| crate::template::describe(function_name)),
        Err(_) => crate::template::describe(function_name),
    };
    FunctionInfo {
        name: name.into(),
        in_template: false,
        timeout: Setting::Unknown {
            span: None,
            why: "the function is not defined in this template".to_string(),
        },
        reserved_concurrency: Setting::Unknown {
            span: None,
            why: "the function is not defined in this template".to_string(),
        },
        resource_id: None,
        declared_at: None,
        dead_letter: None,
        own_role: None,
    }
}

const FUNCTION_TYPES: &[&str] = &["AWS::Lambda::Function", "AWS::Serverless::Function"];
const POINTER_TYPES: &[&str] = &["AWS::Lambda::Alias", "AWS::Lambda::Version"];

/// The function resource an expression names, looking through aliases and versions.
fn function_resource<'a>(template: &Template<'a>, node: &Node) -> Option<Resource<'a>> {
    let (id, _) = referenced_resource(node)?;
    let resource = *template.resource(id)?;
    if FUNCTION_TYPES.contains(&resource.type_) {
        return Some(resource);
    }
    if POINTER_TYPES.contains(&resource.type_) {
        let target = resource.property("FunctionName")?;
        let (target_id, _) = referenced_resource(target)?;
        let target = *template.resource(target_id)?;
        return FUNCTION_TYPES.contains(&target.type_).then_some(target);
    }
    None
}

/// Timeout and reserved concurrency of a function resource, with SAM globals and AWS defaults.
pub fn function_resource_info(template: &Template<'_>, function: &Resource<'_>) -> FunctionInfo {
    FunctionInfo {
        name: function.logical_id.into(),
        in_template: true,
        timeout: int_property(template, function, "Timeout", Some(3)),
        reserved_concurrency: reservation(int_property(
            template,
            function,
            "ReservedConcurrentExecutions",
            None,
        )),
        resource_id: Some(function.logical_id.into()),
        declared_at: Some(function.id_span),
        dead_letter: ["DeadLetterConfig", "DeadLetterQueue"]
            .iter()
            .find_map(|name| template.function_property(function, name))
            .map(|(node, _)| node.span),
        own_role: template
            .function_property(function, "Role")
            .map(|(node, _)| node.span),
    }
}

/// A negative reserved concurrency is no reservation: Terraform writes -1 (its default, also
/// through variables) for "unreserved", and CloudFormation would reject it anyway.
fn reservation(setting: Setting<i64>) -> Setting<i64> {
    match setting {
        Setting::Written { value, .. } if value < 0 => Setting::Unset,
        other => other,
    }
}

/// An integer property of a function, from SAM `Globals` when the function does not set it.
fn int_property(
    template: &Template<'_>,
    function: &Resource<'_>,
    name: &str,
    service_default: Option<i64>,
) -> Setting<i64> {
    let Some((node, from_globals)) = template.function_property(function, name) else {
        return template.int_or_default(None, service_default);
    };
    match template.written_int(node) {
        Setting::Written { value, span, .. } if from_globals => Setting::Written {
            value,
            span,
            origin: Origin::SamGlobals { span: node.span },
        },
        other => other,
    }
}
