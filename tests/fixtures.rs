//! Every rule against its fixtures: each `bad.*` file is snapshot-tested with only that rule
//! enabled (so snapshots hold no other rule's findings), and each `good.*` file must give no
//! finding of that rule with every rule enabled.

mod common;

use std::path::{Path, PathBuf};

use triggerlint::config::Config;
use triggerlint::report::human::{self, Style};
use triggerlint::rules::{self, Rule, unused_suppression};

const PLAIN: Style = Style {
    color: false,
    unicode: false,
};

/// Fixture files of a rule, as paths relative to the project root (as a user would type them).
fn fixture_files(slug: &str) -> Vec<PathBuf> {
    let dir = Path::new("fixtures").join(slug);
    let mut files: Vec<PathBuf> = std::fs::read_dir(common::project_root().join(&dir))
        .unwrap_or_else(|e| panic!("fixtures/{slug}: {e}"))
        .map(|e| dir.join(e.expect("entry").file_name()))
        .collect();
    files.sort();
    files
}

fn lint(path: &Path, config: &Config) -> triggerlint::Run {
    common::lint_clean(&common::project_root().join(path), config)
}

/// The run that shows one rule's findings: only that rule enabled, except for
/// unused-suppression, which is about the other rules' findings, so every rule runs and only
/// its findings are kept.
fn only(rule: &Rule, path: &Path) -> triggerlint::Run {
    let text = std::fs::read_to_string(common::project_root().join(path)).expect("fixture");
    let config = if rule.code == unused_suppression::RULE.code {
        Config::default()
    } else {
        Config {
            select: vec![rule.code.to_string()],
            ..Config::default()
        }
    };
    // The path as given, so snapshots do not depend on where the project lives.
    let mut run = triggerlint::run_text(path, text, &config);
    assert!(
        run.errors.is_empty(),
        "{}: {:?}",
        path.display(),
        run.errors
    );
    run.findings.retain(|f| f.rule.code == rule.code);
    run
}

#[test]
fn bad_fixtures_fire_their_rule() {
    for rule in rules::ALL {
        let bad: Vec<PathBuf> = fixture_files(rule.slug)
            .into_iter()
            .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with("bad."))
            .collect();
        assert!(!bad.is_empty(), "{} has no bad fixture", rule.slug);
        for path in bad {
            let run = only(rule, &path);
            assert!(
                !run.findings.is_empty(),
                "{} does not fire on {}",
                rule.code,
                path.display()
            );
            let name = format!(
                "{}__{}",
                rule.slug,
                path.file_name().unwrap().to_str().unwrap()
            );
            insta::assert_snapshot!(name, human::render(&run, PLAIN));
        }
    }
}

#[test]
fn good_fixtures_stay_quiet() {
    for rule in rules::ALL {
        let good: Vec<PathBuf> = fixture_files(rule.slug)
            .into_iter()
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with("good.")
            })
            .collect();
        assert!(!good.is_empty(), "{} has no good fixture", rule.slug);
        for path in good {
            let run = lint(&path, &Config::default());
            assert!(
                !run.triggers.is_empty(),
                "{} has no trigger",
                path.display()
            );
            let own: Vec<_> = run
                .findings
                .iter()
                .filter(|f| f.rule.code == rule.code)
                .map(|f| f.message.clone())
                .collect();
            assert!(
                own.is_empty(),
                "{} fires on {}: {own:?}",
                rule.code,
                path.display()
            );
        }
    }
}
