//! The writer on real triggers: each text is linted as a module folder, the change is written
//! for one of its triggers, and the result is compared whole (and must parse).

use super::*;
use crate::config::Config;

/// A module folder holding `main.tf` (and the other files), linted with its triggers kept.
struct Linted {
    _dir: tempfile::TempDir,
    run: crate::engine::Run,
    main: FileId,
    text: String,
}

fn lint(text: &str, others: &[(&str, &str)]) -> Linted {
    let dir = tempfile::tempdir().unwrap();
    for (name, other) in others {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, other).unwrap();
    }
    let path = dir.path().join("main.tf");
    std::fs::write(&path, text).unwrap();
    let run = crate::engine::run(&[dir.path().to_path_buf()], &Config::default());
    assert!(run.errors.is_empty(), "{:?}", run.errors);
    let main = run
        .sources
        .iter()
        .find(|(_, f)| f.path == path)
        .map(|(id, _)| id)
        .expect("main.tf is read");
    Linted {
        _dir: dir,
        run,
        main,
        text: text.to_string(),
    }
}

impl Linted {
    fn trigger(&self, address: &str) -> &Trigger {
        self.run
            .triggers
            .iter()
            .find(|t| &*t.path == address)
            .unwrap_or_else(|| {
                let paths: Vec<&str> = self.run.triggers.iter().map(|t| &*t.path).collect();
                panic!("no trigger {address} in {paths:?}")
            })
    }

    fn write(&self, address: &str, change: &Change) -> Result<String, String> {
        let edits = TerraformWriter.edits(&self.run.sources, self.trigger(address), change)?;
        assert!(edits.iter().all(|e| e.file == self.main), "{edits:?}");
        let out = apply(&self.text, &edits);
        crate::parse::hcl::parse(&out, FileId(0))
            .unwrap_or_else(|e| panic!("the result does not parse: {e:?}\n{out}"));
        Ok(out)
    }

    fn set(&self, address: &str, prop: Prop, value: FixValue) -> Result<String, String> {
        self.write(address, &Change::SetSetting { prop, value })
    }

    /// Removes the key written first as `key` in the main file.
    fn remove(&self, address: &str, key: &str) -> Result<String, String> {
        let key_span = self.span_of(key);
        self.write(address, &Change::RemoveKey { key_span })
    }

    /// The span of the first occurrence of `needle` in the main file.
    fn span_of(&self, needle: &str) -> Span {
        let at = self.text.find(needle).expect("the needle is in the text");
        Span::new(self.main, at, at + needle.len())
    }
}

const MAPPING: &str = r#"resource "aws_sqs_queue" "jobs" {
  name                       = "jobs"
  visibility_timeout_seconds = 30 # seconds
}

resource "aws_lambda_event_source_mapping" "jobs" {
  # The worker reads the jobs queue.
  event_source_arn = aws_sqs_queue.jobs.arn
  function_name    = "worker"
  batch_size       = 100 # was 10

  scaling_config {
    maximum_concurrency = 5
  }
}
"#;

#[test]
fn settings_are_written_in_the_resource_body() {
    let linted = lint(MAPPING, &[]);
    let trigger = linted.trigger("aws_lambda_event_source_mapping.jobs");
    let at = trigger
        .settings_at
        .expect("a Terraform mapping says where it is written");
    let body = &MAPPING[at.range()];
    assert!(body.starts_with("{\n  # The worker"), "{body}");
    assert!(body.ends_with("  }\n}"), "{body}");
}

#[test]
fn a_literal_value_is_replaced_where_written() {
    let linted = lint(MAPPING, &[]);
    let out = linted
        .set(
            "aws_lambda_event_source_mapping.jobs",
            Prop::BatchSize,
            FixValue::Int(10),
        )
        .unwrap();
    assert_eq!(out, MAPPING.replace("= 100 # was 10", "= 10 # was 10"));
}

#[test]
fn a_new_argument_joins_the_last_group_and_realigns_it() {
    let linted = lint(MAPPING, &[]);
    let out = linted
        .set(
            "aws_lambda_event_source_mapping.jobs",
            Prop::MaximumBatchingWindowInSeconds,
            FixValue::Int(1),
        )
        .unwrap();
    let expected = MAPPING.replace(
        "  event_source_arn = aws_sqs_queue.jobs.arn\n  function_name    = \"worker\"\n  batch_size       = 100 # was 10\n",
        "  event_source_arn                   = aws_sqs_queue.jobs.arn\n  function_name                      = \"worker\"\n  batch_size                         = 100 # was 10\n  maximum_batching_window_in_seconds = 1\n",
    );
    assert_eq!(out, expected);
}

/// The files as a report that shows no edit's text reads them (`exact_edits` off).
struct WithoutExactEdits<'a>(&'a crate::source::Sources);

impl SourceTexts for WithoutExactEdits<'_> {
    fn text(&self, file: FileId) -> Option<&str> {
        self.0.text(file)
    }

    fn exact_edits(&self) -> bool {
        false
    }
}

/// Where only whether a fix can be written is shown, the new argument is the one edit: its
/// group is not realigned, and nothing else tells the two apart.
#[test]
fn without_exact_edits_a_new_argument_is_inserted_alone() {
    let linted = lint(MAPPING, &[]);
    let change = Change::SetSetting {
        prop: Prop::MaximumBatchingWindowInSeconds,
        value: FixValue::Int(1),
    };
    let trigger = linted.trigger("aws_lambda_event_source_mapping.jobs");
    let edits = TerraformWriter
        .edits(&WithoutExactEdits(&linted.run.sources), trigger, &change)
        .unwrap();
    let at = MAPPING.find("\n\n  scaling_config").unwrap() + 1;
    assert_eq!(
        edits,
        vec![TextEdit::insert(
            linted.main,
            at,
            "  maximum_batching_window_in_seconds = 1\n"
        )]
    );
    let exact = TerraformWriter
        .edits(&linted.run.sources, trigger, &change)
        .unwrap();
    assert!(exact.len() > 1, "{exact:?}");
}

#[test]
fn a_short_new_argument_takes_the_group_alignment() {
    let linted = lint(MAPPING, &[]);
    let out = linted
        .set(
            "aws_lambda_event_source_mapping.jobs",
            Prop::Enabled,
            FixValue::Bool(true),
        )
        .unwrap();
    assert_eq!(
        out,
        MAPPING.replace(
            "  batch_size       = 100 # was 10\n",
            "  batch_size       = 100 # was 10\n  enabled          = true\n"
        )
    );
}

#[test]
fn an_unformatted_block_gets_a_plain_line() {
    let text = "resource \"aws_lambda_event_source_mapping\" \"m\" {\n  event_source_arn = \"arn:aws:sqs:us-east-1:123456789012:q\"\n  function_name = \"f\"\n}\n";
    let linted = lint(text, &[]);
    let out = linted
        .set(
            "aws_lambda_event_source_mapping.m",
            Prop::BatchSize,
            FixValue::Int(10),
        )
        .unwrap();
    assert_eq!(
        out,
        text.replace(
            "  function_name = \"f\"\n",
            "  function_name = \"f\"\n  batch_size = 10\n"
        )
    );
}

const SIZED: &str = "resource \"aws_lambda_event_source_mapping\" \"m\" {\n  event_source_arn = \"arn:aws:sqs:us-east-1:123456789012:q\"\n  function_name    = \"f\"\n  batch_size       = var.size\n}\n";

const SIZE: &str = "variable \"size\" {\n  type    = number\n  default = 100 # the most\n}\n";

#[test]
fn a_variable_read_by_this_argument_only_is_changed_at_its_default() {
    let linted = lint(SIZED, &[("variables.tf", SIZE)]);
    let trigger = linted.trigger("aws_lambda_event_source_mapping.m");
    let edits = TerraformWriter
        .edits(
            &linted.run.sources,
            trigger,
            &Change::SetSetting {
                prop: Prop::BatchSize,
                value: FixValue::Int(10),
            },
        )
        .unwrap();
    assert_eq!(edits.len(), 1);
    assert_ne!(edits[0].file, linted.main);
    assert_eq!(
        apply(SIZE, &edits),
        "variable \"size\" {\n  type    = number\n  default = 10 # the most\n}\n"
    );
}

#[test]
fn a_variable_read_elsewhere_too_is_display_only_and_says_so() {
    let outputs = "output \"size\" {\n  value = var.size\n}\n";
    let linted = lint(SIZED, &[("variables.tf", SIZE), ("outputs.tf", outputs)]);
    let why = linted
        .set(
            "aws_lambda_event_source_mapping.m",
            Prop::BatchSize,
            FixValue::Int(10),
        )
        .unwrap_err();
    assert_eq!(
        why,
        "`batch_size` is `var.size`, an input variable that something else reads too, or that \
         a var file sets: change the value where it is defined, if nothing else uses it, or \
         write the value here"
    );
}

const MODULE: &str = r#"module "worker" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.0"

  function_name = "worker"
  timeout       = 60

  event_source_mapping = {
    sqs = {
      event_source_arn = aws_sqs_queue.jobs.arn
      batch_size       = 100
    }
    fifo = { event_source_arn = aws_sqs_queue.jobs.arn, batch_size = 5 }
  }
}

resource "aws_sqs_queue" "jobs" {
  name = "jobs"
}
"#;

#[test]
fn a_module_entry_is_written_in_its_object() {
    let linted = lint(MODULE, &[]);
    let address = "module.worker.event_source_mapping[\"sqs\"]";
    let at = linted.trigger(address).settings_at.unwrap();
    assert!(MODULE[at.range()].starts_with("{\n      event_source_arn"));
    let out = linted
        .set(
            address,
            Prop::MaximumBatchingWindowInSeconds,
            FixValue::Int(1),
        )
        .unwrap();
    assert_eq!(
        out,
        MODULE.replace(
            "      event_source_arn = aws_sqs_queue.jobs.arn\n      batch_size       = 100\n",
            "      event_source_arn                   = aws_sqs_queue.jobs.arn\n      batch_size                         = 100\n      maximum_batching_window_in_seconds = 1\n"
        )
    );
}

#[test]
fn a_one_line_module_entry_gets_the_argument_inside_its_braces() {
    let linted = lint(MODULE, &[]);
    let address = "module.worker.event_source_mapping[\"fifo\"]";
    let out = linted
        .set(address, Prop::Enabled, FixValue::Bool(false))
        .unwrap();
    assert_eq!(
        out,
        MODULE.replace("batch_size = 5 }", "batch_size = 5, enabled = false }")
    );
    let out = linted
        .set(address, Prop::BatchSize, FixValue::Int(10))
        .unwrap();
    assert_eq!(out, MODULE.replace("batch_size = 5 }", "batch_size = 10 }"));
}

#[test]
fn a_removed_argument_takes_its_line_and_the_group_realigns() {
    let linted = lint(MAPPING, &[]);
    let out = linted
        .remove("aws_lambda_event_source_mapping.jobs", "event_source_arn")
        .unwrap();
    assert_eq!(
        out,
        MAPPING.replace(
            "  event_source_arn = aws_sqs_queue.jobs.arn\n  function_name    = \"worker\"\n  batch_size       = 100 # was 10\n",
            "  function_name = \"worker\"\n  batch_size    = 100 # was 10\n"
        )
    );
}

#[test]
fn a_removed_block_takes_its_lines() {
    let linted = lint(MAPPING, &[]);
    let out = linted
        .remove("aws_lambda_event_source_mapping.jobs", "scaling_config")
        .unwrap();
    assert_eq!(
        out,
        MAPPING.replace("  scaling_config {\n    maximum_concurrency = 5\n  }\n", "")
    );
}

#[test]
fn a_removed_item_of_a_one_line_object_takes_its_comma() {
    let linted = lint(MODULE, &[]);
    let key_span = linted.span_of("batch_size = 5");
    let key_span = Span::new(
        key_span.file,
        key_span.start as usize,
        key_span.start as usize + "batch_size".len(),
    );
    let out = linted
        .write(
            "module.worker.event_source_mapping[\"fifo\"]",
            &Change::RemoveKey { key_span },
        )
        .unwrap();
    assert_eq!(
        out,
        MODULE.replace(
            "{ event_source_arn = aws_sqs_queue.jobs.arn, batch_size = 5 }",
            "{ event_source_arn = aws_sqs_queue.jobs.arn }"
        )
    );
}

#[test]
fn a_renamed_key_realigns_its_group() {
    let text = "resource \"aws_lambda_event_source_mapping\" \"m\" {\n  event_source_arn = \"arn:aws:sqs:us-east-1:123456789012:q\"\n  function_name    = \"f\"\n  batchsize        = 5\n}\n";
    let linted = lint(text, &[]);
    let key_span = linted.span_of("batchsize");
    let out = linted
        .write(
            "aws_lambda_event_source_mapping.m",
            &Change::RenameKey {
                key_span,
                to: "batch_size".to_string(),
            },
        )
        .unwrap();
    assert_eq!(
        out,
        text.replace("batchsize        = 5", "batch_size       = 5")
    );
}

#[test]
fn the_queue_timeout_is_replaced_or_added_in_the_queue_block() {
    let linted = lint(MAPPING, &[]);
    let address = "aws_lambda_event_source_mapping.jobs";
    let container = linted.span_of("resource \"aws_sqs_queue\" \"jobs\"");
    let value_at = Some(linted.span_of("30"));
    let change = |value_at| Change::SetResourceProperty {
        container,
        key: "visibility_timeout_seconds".to_string(),
        value_at,
        value: FixValue::Int(360),
    };
    let out = linted.write(address, &change(value_at)).unwrap();
    assert_eq!(
        out,
        MAPPING.replace("seconds = 30 # seconds", "seconds = 360 # seconds")
    );

    let without = MAPPING.replace("  visibility_timeout_seconds = 30 # seconds\n", "");
    let linted = lint(&without, &[]);
    let container = linted.span_of("resource \"aws_sqs_queue\" \"jobs\"");
    let out = linted
        .write(
            address,
            &Change::SetResourceProperty {
                container,
                key: "visibility_timeout_seconds".to_string(),
                value_at: None,
                value: FixValue::Int(360),
            },
        )
        .unwrap();
    assert_eq!(
        out,
        without.replace(
            "  name                       = \"jobs\"\n",
            "  name                       = \"jobs\"\n  visibility_timeout_seconds = 360\n"
        )
    );
}

#[test]
fn comments_heredocs_and_other_blocks_stay_as_written() {
    let text = r#"locals {
  policy = <<EOF
  batch_size = 1
EOF
}

# The mapping.
resource "aws_lambda_event_source_mapping" "m" {
  event_source_arn = "arn:aws:kinesis:us-east-1:123456789012:stream/s" // the stream
  function_name    = "f"                                                // the function
  starting_position = "LATEST"
}
"#;
    let linted = lint(text, &[]);
    let out = linted
        .set(
            "aws_lambda_event_source_mapping.m",
            Prop::BisectBatchOnFunctionError,
            FixValue::Bool(true),
        )
        .unwrap();
    assert_eq!(
        out,
        text.replace(
            "  starting_position = \"LATEST\"\n",
            "  starting_position = \"LATEST\"\n  bisect_batch_on_function_error = true\n"
        )
    );
}

#[test]
fn strings_are_quoted_and_escaped_for_hcl() {
    assert_eq!(render(&FixValue::Str("LATEST".into())), "\"LATEST\"");
    assert_eq!(
        render(&FixValue::Str("a\"b ${x} %{y}".into())),
        "\"a\\\"b $${x} %%{y}\""
    );
}

#[test]
fn json_syntax_is_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("main.tf.json");
    let text = r#"{"resource": {"aws_lambda_event_source_mapping": {"m": {"event_source_arn": "arn:aws:sqs:us-east-1:123456789012:q", "function_name": "f"}}}}"#;
    std::fs::write(&path, text).unwrap();
    let report = crate::engine::report_document(&path, text.to_string(), &Config::default());
    let trigger = &report.triggers[0];
    let why = TerraformWriter
        .edits(
            &report.sources,
            trigger,
            &Change::SetSetting {
                prop: Prop::BatchSize,
                value: FixValue::Int(10),
            },
        )
        .unwrap_err();
    assert!(why.contains(".tf.json"), "{why}");
}

const CONSUMER: &str = "variable \"queue_arn\" {}\nvariable \"batch\" {}\n\nresource \"aws_lambda_event_source_mapping\" \"this\" {\n  event_source_arn = var.queue_arn\n  function_name    = \"worker\"\n  batch_size       = var.batch\n}\n";

#[test]
fn a_caller_argument_read_once_by_the_module_is_changed_in_the_call() {
    let root = "module \"orders\" {\n  source    = \"./consumer\"\n  queue_arn = \"arn:aws:sqs:us-east-1:123456789012:orders\"\n  batch     = 100\n}\n";
    let linted = lint(root, &[("consumer/main.tf", CONSUMER)]);
    let out = linted
        .set(
            "module.orders.aws_lambda_event_source_mapping.this",
            Prop::BatchSize,
            FixValue::Int(10),
        )
        .unwrap();
    assert_eq!(out, root.replace("batch     = 100", "batch     = 10"));
}

mod shared_blocks {
    use super::*;
    use crate::model::{Applicability, Fix};
    use crate::rules::Finding;

    const CALLS: &str = "module \"orders\" {\n  source    = \"./consumer\"\n  queue_arn = \"arn:aws:sqs:us-east-1:123456789012:orders\"\n  batch     = 100\n}\n\nmodule \"billing\" {\n  source    = \"./consumer\"\n  queue_arn = \"arn:aws:sqs:us-east-1:123456789012:billing\"\n  batch     = 100\n}\n";

    const ORDERS: &str = "module.orders.aws_lambda_event_source_mapping.this";
    const BILLING: &str = "module.billing.aws_lambda_event_source_mapping.this";

    /// A finding of the first rule on a trigger, with a fix of these edits.
    fn finding(trigger: &Trigger, edits: Vec<TextEdit>) -> Finding {
        let mut finding = crate::rules::ALL[0].at(trigger.anchor, "m");
        finding.path = trigger.path.clone();
        finding.fix = Some(Fix {
            title: "t".to_string(),
            applicability: Applicability::Unsafe,
            edits,
            why_display: None,
        });
        finding
    }

    fn edit(span: Span, text: &str) -> Vec<TextEdit> {
        vec![TextEdit::replace(span, text)]
    }

    /// The consumer module with its batch size written in the mapping block itself.
    fn literal_module() -> Linted {
        lint(
            CALLS,
            &[("consumer/main.tf", &CONSUMER.replace("var.batch", "100"))],
        )
    }

    fn block_literal(linted: &Linted) -> Span {
        let trigger = linted.trigger(ORDERS);
        trigger.settings.view(Prop::BatchSize).span.unwrap()
    }

    fn reconciled(linted: &Linted, mut findings: Vec<Finding>) -> Vec<Option<Fix>> {
        reconcile_shared(&linted.run.sources, &linted.run.triggers, &mut findings);
        findings.into_iter().map(|f| f.fix).collect()
    }

    #[test]
    fn a_block_every_call_wants_changed_alike_is_changed() {
        let linted = literal_module();
        let at = block_literal(&linted);
        let fixes = reconciled(
            &linted,
            vec![
                finding(linted.trigger(ORDERS), edit(at, "10")),
                finding(linted.trigger(BILLING), edit(at, "10")),
            ],
        );
        for fix in fixes {
            assert_eq!(fix.unwrap().applicability, Applicability::Unsafe);
        }
    }

    #[test]
    fn calls_that_need_different_values_make_the_fix_display_only() {
        let linted = literal_module();
        let at = block_literal(&linted);
        let fixes = reconciled(
            &linted,
            vec![
                finding(linted.trigger(ORDERS), edit(at, "10")),
                finding(linted.trigger(BILLING), edit(at, "20")),
            ],
        );
        let fix = fixes[0].clone().unwrap();
        assert_eq!(fix.applicability, Applicability::Display);
        assert!(fix.edits.is_empty());
        assert_eq!(
            fix.why_display.as_deref(),
            Some("module.orders and module.billing share this block and need different values")
        );
    }

    #[test]
    fn a_call_that_does_not_need_the_change_keeps_the_block_as_is() {
        let linted = literal_module();
        let at = block_literal(&linted);
        let fixes = reconciled(
            &linted,
            vec![finding(linted.trigger(ORDERS), edit(at, "10"))],
        );
        assert_eq!(
            fixes[0].as_ref().unwrap().why_display.as_deref(),
            Some(
                "module.orders shares this block with module.billing, which does not need the change"
            )
        );
    }

    #[test]
    fn an_argument_of_one_call_is_that_call_s_own() {
        let linted = lint(CALLS, &[("consumer/main.tf", CONSUMER)]);
        let orders = linted.trigger(ORDERS);
        let edits = TerraformWriter
            .edits(
                &linted.run.sources,
                orders,
                &Change::SetSetting {
                    prop: Prop::BatchSize,
                    value: FixValue::Int(10),
                },
            )
            .unwrap();
        assert_eq!(edits[0].file, linted.main);
        let fixes = reconciled(&linted, vec![finding(orders, edits)]);
        assert_eq!(
            fixes[0].as_ref().unwrap().applicability,
            Applicability::Unsafe
        );
    }
}

#[test]
fn a_queue_timeout_from_a_variable_is_display_only_without_claiming_other_readers() {
    let text = MAPPING.replace(
        "visibility_timeout_seconds = 30 # seconds",
        "visibility_timeout_seconds = var.timeout",
    );
    let linted = lint(
        &text,
        &[(
            "variables.tf",
            "variable \"timeout\" {\n  default = 30\n}\n",
        )],
    );
    let container = linted.span_of("resource \"aws_sqs_queue\" \"jobs\"");
    let value_at = Some(linted.span_of("var.timeout"));
    let why = linted
        .write(
            "aws_lambda_event_source_mapping.jobs",
            &Change::SetResourceProperty {
                container,
                key: "visibility_timeout_seconds".to_string(),
                value_at,
                value: FixValue::Int(360),
            },
        )
        .unwrap_err();
    assert_eq!(
        why,
        "`visibility_timeout_seconds` is `var.timeout`, an input variable: change the value where \
         it is defined, if nothing else uses it, or write the value here"
    );
}
