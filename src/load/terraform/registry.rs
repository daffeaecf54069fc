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

const SQS_V3: Model = Model {
    name: "terraform-aws-modules/sqs/aws v3",
    path: "<terraform-aws-modules/sqs/aws v3 model>/main.tf",
    text: include_str!("registry/sqs_v3.tf"),
};

const DYNAMODB_TABLE: Model = Model {
    name: "terraform-aws-modules/dynamodb-table/aws",
    path: "<terraform-aws-modules/dynamodb-table/aws model>/main.tf",
    text: include_str!("registry/dynamodb_table.tf"),
};

/// The model for a call's `source`: the registry address (with or without the
/// `registry.terraform.io/` host) or the module's GitHub repository; for the SQS module, the
/// model of the major version its `version` constraint names (the newest when none).
pub fn model(source: &str, version: Option<&str>) -> Option<&'static Model> {
    let source = source.trim_start_matches("registry.terraform.io/");
    let names = |registry: &str, repository: &str| {
        source == registry
            || source.starts_with(&format!("{registry}//"))
            || source.contains(&format!("terraform-aws-modules/{repository}"))
    };
    if names(SQS.name, "terraform-aws-sqs") {
        let before_v4 = version.and_then(major).is_some_and(|major| major < 4)
            || git_ref_major(source).is_some_and(|major| major < 4);
        return Some(if before_v4 { &SQS_V3 } else { &SQS });
    }
    if names(DYNAMODB_TABLE.name, "terraform-aws-dynamodb-table") {
        return Some(&DYNAMODB_TABLE);
    }
    None
}

/// The major version a constraint names first (`~> 3.0`, `>= 2.1, < 4`, `3.5.0`).
fn major(constraint: &str) -> Option<u32> {
    let digits: String = constraint
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The major version of a git source's `?ref=v3.2.0`.
fn git_ref_major(source: &str) -> Option<u32> {
    let (_, reference) = source.split_once("?ref=")?;
    major(reference.strip_prefix('v')?)
}

/// Whether a text is one of the models (a value found there is the module's default, which
/// the author changes in the module call, never in the model).
pub fn is_model_text(text: &str) -> bool {
    [&SQS, &SQS_V3, &DYNAMODB_TABLE]
        .iter()
        .any(|model| model.text == text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_and_versions_pick_the_model() {
        let name = |source: &str, version: Option<&str>| model(source, version).map(|m| m.name);
        assert_eq!(
            name("terraform-aws-modules/sqs/aws", Some("~> 3.0")),
            Some("terraform-aws-modules/sqs/aws v3")
        );
        assert_eq!(
            name("terraform-aws-modules/sqs/aws", Some(">= 4.0")),
            Some("terraform-aws-modules/sqs/aws")
        );
        assert_eq!(
            name("terraform-aws-modules/sqs/aws", None),
            Some("terraform-aws-modules/sqs/aws")
        );
        assert_eq!(
            name(
                "git::https://github.com/terraform-aws-modules/terraform-aws-sqs.git?ref=v3.3.0",
                None
            ),
            Some("terraform-aws-modules/sqs/aws v3")
        );
        assert_eq!(
            name(
                "registry.terraform.io/terraform-aws-modules/dynamodb-table/aws",
                Some("4.0.0")
            ),
            Some("terraform-aws-modules/dynamodb-table/aws")
        );
        assert_eq!(name("terraform-aws-modules/sns/aws", None), None);
        assert_eq!(name("./modules/sqs", None), None);
    }
}
