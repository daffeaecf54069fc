//! Fix writers: each turns a [`Change`](crate::model::Change) into text edits in one format's
//! syntax, keeping everything else of the file as the author wrote it. They sit beside the
//! loaders (they read a format's syntax) and below the engine, which resolves each finding's
//! plan with the writer of its file.
//!
//! - `yaml.rs`: CloudFormation, SAM and Serverless YAML.
//! - `json.rs`: CloudFormation and SAM JSON, `serverless.json`.
//! - `terraform.rs`: Terraform `.tf` (helper fixb).

mod json;
mod terraform;
mod yaml;

pub use terraform::reconcile_shared as reconcile_shared_terraform_fixes;

use std::path::Path;

use crate::model::{Format, Trigger, Writer};
use crate::parse::{self, Syntax};

/// The writer for the file a trigger is fixed in, or why the trigger's fixes are display only
/// (a plan, a deployed listing, a synthesized `cdk.out` template).
pub fn writer_for(
    trigger: &Trigger,
    path: &Path,
    text: &str,
) -> Result<&'static dyn Writer, String> {
    if let Some(construct) = &trigger.construct_path {
        return Err(format!(
            "the template is synthesized by the CDK: change the construct `{construct}` and \
             synthesize again"
        ));
    }
    if path.components().any(|c| c.as_os_str() == "cdk.out") {
        return Err(
            "the template is synthesized by the CDK (`cdk.out`): change the construct that \
             declares the mapping and synthesize again"
                .to_string(),
        );
    }
    match trigger.format {
        Format::TerraformPlan => Err(
            "a Terraform plan is generated: change the configuration it was planned from"
                .to_string(),
        ),
        Format::Deployed => Err(
            "a deployed mapping is read from AWS: change the template or module that deploys it"
                .to_string(),
        ),
        // A module `terraform init` downloaded is not the author's to edit.
        Format::Terraform if path.components().any(|c| c.as_os_str() == ".terraform") => Err(
            "the mapping is in a module `terraform init` downloaded (`.terraform/modules`): \
             change it where the module is published, or pass the value in the module call"
                .to_string(),
        ),
        Format::Terraform => Ok(&terraform::TerraformWriter),
        Format::CloudFormation | Format::Sam | Format::Serverless => {
            match parse::syntax_of(path, text) {
                Syntax::Json => Ok(&json::JsonWriter),
                Syntax::Yaml => Ok(&yaml::YamlWriter),
            }
        }
    }
}
