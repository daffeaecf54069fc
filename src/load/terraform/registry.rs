//! Models of the registry modules that create trigger sources, written as the Terraform they
//! stand for: a module call whose `source` names one (and that `terraform init` has not
//! downloaded) reads the model like a local module, so its inputs, defaults and outputs follow
//! the same rules. Each model says which version of the module it follows. The Lambda module
//! is modelled apart (`module_function`, `module_mappings`), as its map entries are triggers.

/// A registry module's model.
pub struct Model {
    pub name: &'static str,
    /// How reports name the model's text, should a finding point into it.
    pub path: &'static str,
    pub text: &'static str,
}

const SQS: Model = Model {
    name: "terraform-aws-modules/sqs/aws",
    path: "<terraform-aws-modules/sqs/aws model>/main.tf",
    text: include_str!("registry/sqs.tf"),
};

const DYNAMODB_TABLE: Model = Model {
    name: "terraform-aws-modules/dynamodb-table/aws",
    path: "<terraform-aws-modules/dynamodb-table/aws model>/main.tf",
    text: include_str!("registry/dynamodb_table.tf"),
};

/// The model for a call's `source`: the registry address (with or without the
/// `registry.terraform.io/` host) or the module's GitHub repository, any version.
pub fn model(source: &str) -> Option<&'static Model> {
    let source = source.trim_start_matches("registry.terraform.io/");
    let names = |registry: &str, repository: &str| {
        source == registry
            || source.starts_with(&format!("{registry}//"))
            || source.contains(&format!("terraform-aws-modules/{repository}"))
    };
    if names(SQS.name, "terraform-aws-sqs") {
        return Some(&SQS);
    }
    if names(DYNAMODB_TABLE.name, "terraform-aws-dynamodb-table") {
        return Some(&DYNAMODB_TABLE);
    }
    None
}
