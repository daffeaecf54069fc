//! Invariants of the rule registry: adding a rule means one source file, one page, one line in
//! `ALL`, one fixture folder and one README row. This test fails when any of them is missing,
//! or when something is left over from a rule that no longer exists.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use triggerlint::rules::{self, ALL};

fn names_in(dir: &str, suffix: &str) -> BTreeSet<String> {
    std::fs::read_dir(common::project_root().join(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(suffix).map(str::to_string))
        .collect()
}

#[test]
fn codes_and_slugs_are_unique_and_well_formed() {
    let codes: BTreeSet<&str> = ALL.iter().map(|r| r.code).collect();
    let slugs: BTreeSet<&str> = ALL.iter().map(|r| r.slug).collect();
    assert_eq!(codes.len(), ALL.len(), "duplicate code");
    assert_eq!(slugs.len(), ALL.len(), "duplicate slug");
    for rule in ALL {
        assert!(
            rule.code.len() == 5
                && rule.code.starts_with("TL")
                && rule.code[2..].bytes().all(|b| b.is_ascii_digit()),
            "{}",
            rule.code
        );
        assert!(
            rule.slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{}",
            rule.slug
        );
        assert_eq!(rules::find(rule.code).map(|r| r.slug), Some(rule.slug));
        assert_eq!(rules::find(rule.slug).map(|r| r.code), Some(rule.code));
    }
    let mut sorted = ALL.to_vec();
    sorted.sort_by_key(|r| r.code);
    assert_eq!(
        sorted.iter().map(|r| r.code).collect::<Vec<_>>(),
        ALL.iter().map(|r| r.code).collect::<Vec<_>>(),
        "ALL is in code order"
    );
}

#[test]
fn every_rule_has_its_source_file_page_fixtures_and_readme_row() {
    let readme = std::fs::read_to_string(common::project_root().join("README.md")).unwrap();
    for rule in ALL {
        let source = format!("src/rules/{}.rs", rule.slug.replace('-', "_"));
        assert!(
            common::project_root().join(&source).is_file(),
            "{source} is missing"
        );
        let page = common::project_root().join(format!("rules/{}.md", rule.slug));
        let text = std::fs::read_to_string(&page)
            .unwrap_or_else(|_| panic!("{} is missing", page.display()));
        assert_eq!(
            text, rule.docs,
            "the compiled-in page is rules/{}.md",
            rule.slug
        );
        assert!(
            text.starts_with(&format!("# {} ({})\n", rule.slug, rule.code)),
            "{} page title",
            rule.slug
        );
        for section in [
            "## What it does",
            "## Why is this risky",
            "## Example",
            "## Fix",
            "## References",
        ] {
            assert!(text.contains(section), "{} page lacks {section}", rule.slug);
        }
        let fixtures = common::project_root().join("fixtures").join(rule.slug);
        let files = names_in(&format!("fixtures/{}", rule.slug), "");
        assert!(
            files.iter().any(|f| f.starts_with("bad."))
                && files.iter().any(|f| f.starts_with("good.")),
            "{} needs bad and good fixtures",
            fixtures.display()
        );
        let row = format!("| {} | `{}` | {} |", rule.code, rule.slug, rule.severity);
        assert!(readme.contains(&row), "README lacks the row `{row}`");
    }
}

#[test]
fn nothing_is_left_over_from_rules_that_do_not_exist() {
    let slugs: BTreeSet<String> = ALL.iter().map(|r| r.slug.to_string()).collect();
    let sources: BTreeSet<String> = names_in("src/rules", ".rs")
        .into_iter()
        .filter(|n| n != "mod")
        .map(|n| n.replace('_', "-"))
        .collect();
    assert_eq!(sources, slugs, "src/rules/*.rs");
    assert_eq!(names_in("rules", ".md"), slugs, "rules/*.md");
    let fixture_dirs: BTreeSet<String> = names_in("fixtures", "")
        .into_iter()
        .filter(|n| !n.starts_with('_'))
        .collect();
    assert_eq!(fixture_dirs, slugs, "fixtures/<slug>/");
}

/// Codes, slugs and severities agree with the product's rule catalogue, where it is present.
#[test]
fn rules_match_the_catalogue() {
    let catalogue = common::project_root().join("../shared/reference/rule-catalog.md");
    let Ok(text) = std::fs::read_to_string(Path::new(&catalogue)) else {
        common::shared_folder_missing(&catalogue);
        return;
    };
    for rule in ALL {
        let row = format!("| {} | {} | {} |", rule.code, rule.slug, rule.severity);
        // Rules about the linting itself (TL9xx) may be the project's own additions.
        let listed = text.contains(&format!("| {} |", rule.code));
        if !listed && rule.code.starts_with("TL9") {
            continue;
        }
        assert!(text.contains(&row), "the catalogue has no row `{row}`");
    }
}

/// The published configuration schema is the one built from the registry. Regenerate it with
/// `TRIGGERLINT_WRITE_SCHEMA=1 cargo test --test registry` after adding a rule or an option.
#[test]
fn the_published_config_schema_is_current() {
    let path = common::project_root().join("triggerlint.schema.json");
    let mut expected = serde_json::to_string_pretty(&triggerlint::config::json_schema()).unwrap();
    expected.push('\n');
    if std::env::var_os("TRIGGERLINT_WRITE_SCHEMA").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let published = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        published == expected,
        "triggerlint.schema.json is stale: run TRIGGERLINT_WRITE_SCHEMA=1 cargo test --test registry"
    );
}

/// The published schema and the configuration reader agree on what is valid.
#[test]
fn the_config_schema_and_the_reader_agree() {
    let schema = triggerlint::config::json_schema();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let cases = [
        ("", true),
        ("fail-on = \"note\"\nexclude = [\"a/**\"]\n", true),
        (
            "[rules]\nselect = [\"TL1\"]\nignore = [\"stream-unbounded-record-age\"]\n",
            true,
        ),
        (
            "[rules.stream-small-batch-size]\nseverity = \"error\"\nmin-batch-size = 50\n",
            true,
        ),
        ("[rules.TL101]\nmax-retry-attempts = 0\n", true),
        ("fail-on = \"fatal\"\n", false),
        ("exclude = \"a/**\"\n", false),
        ("excludes = []\n", false),
        (
            "[rules.stream-small-batch-size]\nmin-batch-size = 0\n",
            false,
        ),
        (
            "[rules.stream-small-batch-size]\nmin-batch-size = \"5\"\n",
            false,
        ),
        (
            "[rules.stream-small-batch-size]\nmax-retry-attempts = 5\n",
            false,
        ),
        ("[rules.no-such-rule]\nseverity = \"note\"\n", false),
        ("[rules]\nselect = \"TL1\"\n", false),
    ];
    for (text, valid) in cases {
        let as_json: serde_json::Value = toml::from_str(text).expect("valid TOML");
        assert_eq!(validator.is_valid(&as_json), valid, "schema on {text:?}");
        let read = triggerlint::config::parse(text, Path::new("/repo"));
        assert_eq!(read.is_ok(), valid, "reader on {text:?}: {read:?}");
    }
}

/// Nothing in the build depends on files outside the package: a build script that declared
/// `rerun-if-changed` on a path missing in a user's clone (`../shared`) would make cargo
/// rebuild the crate on every run. Any build script must name only paths inside the package.
#[test]
fn the_build_depends_on_nothing_outside_the_package() {
    let root = common::project_root();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let manifest: toml::Table = manifest.parse().unwrap();
    let script = manifest["package"]
        .get("build")
        .and_then(|b| b.as_str())
        .map_or_else(|| root.join("build.rs"), |b| root.join(b));
    let Ok(text) = std::fs::read_to_string(&script) else {
        return; // no build script at all
    };
    for line in text.lines().filter(|l| l.contains("rerun-if-changed")) {
        let path = line
            .split("rerun-if-changed=")
            .nth(1)
            .unwrap_or("")
            .trim_end_matches(['"', ')', ';']);
        assert!(
            !path.starts_with("..") && !path.starts_with('/'),
            "{}: `{line}` names a path outside the package",
            script.display()
        );
        assert!(
            root.join(path).exists(),
            "{}: `{path}` does not exist",
            script.display()
        );
    }
    assert!(
        !text.contains("../shared"),
        "{} reads the shared folder",
        script.display()
    );
}
