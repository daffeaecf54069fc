//! Tells the tests whether the shared corpus (`../shared/corpus`, beside the project, not in
//! it) is there: where it is not (a user's clone), the tests that need it are marked ignored
//! with the reason, so `cargo test` shows them as skipped instead of passing silently. Under
//! `CI=true` they are never ignored: a missing corpus then fails them.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(corpus_absent)");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-changed=../shared/corpus");
    println!("cargo::rerun-if-changed=../shared/reference");
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let present = shared.join("corpus").is_dir() && shared.join("reference").is_dir();
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    if !present && !ci {
        println!("cargo::rustc-cfg=corpus_absent");
    }
}
