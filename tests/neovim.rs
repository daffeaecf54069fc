//! The language server with a real client: Neovim's built-in LSP client, headless, opens a
//! template and reads back `vim.diagnostic.get()`. Where Neovim is missing, the project's CI
//! (`TRIGGERLINT_CI=1`) installs it from Debian's packages; anywhere else the test says so and
//! returns, since a test never installs system packages on a developer's machine.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs the README's Neovim configuration, opens the template and writes back the diagnostics.
const SCRIPT: &str = r#"
local file = os.getenv("TEMPLATE")
local out = os.getenv("OUT")
dofile(os.getenv("README_LUA"))
vim.cmd("edit " .. file)
vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local lines = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or "-"
  table.insert(lines, string.format("%s %d:%d %d %s", code, d.lnum, d.col, d.severity, d.source or "-"))
end
table.sort(lines)
vim.fn.writefile(lines, out)
for _, client in pairs(vim.lsp.get_active_clients()) do
  client.stop()
  vim.wait(10000, function() return client.is_stopped() end, 50)
end
vim.cmd("qa!")
"#;

/// The Lua block of the README's "In the editor" section, as users copy it.
fn readme_lua() -> String {
    let readme = std::fs::read_to_string(common::project_root().join("README.md")).unwrap();
    let section = &readme[readme.find("## In the editor").expect("the editor section")..];
    let block = section.split("```lua\n").nth(1).expect("a Lua block");
    block.split("```").next().unwrap().to_string()
}

const TEMPLATE: &str = "\
service: orders
provider:
  name: aws
functions:
  consumer:
    handler: handler.consume
    events:
      - stream:
          arn: arn:aws:kinesis:us-east-1:123456789012:stream/orders
          startingPosition: LATEST
          maximumRetryAttempts: 3
";

fn has_neovim() -> bool {
    Command::new("nvim")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Installs Neovim with apt when it is missing, in the project's CI only; says why not
/// otherwise.
fn ensure_neovim() -> Result<(), String> {
    if has_neovim() {
        return Ok(());
    }
    if !common::project_ci() {
        return Err("Neovim is not installed (the project's CI installs it with apt-get)".into());
    }
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null())
            .status()
    };
    let mut installed = apt(&["install", "-y", "-q", "neovim"]);
    if !installed.as_ref().is_ok_and(|s| s.success()) {
        // A fresh machine may not have read the package lists yet.
        let _ = apt(&["update", "-q"]);
        installed = apt(&["install", "-y", "-q", "neovim"]);
    }
    match installed {
        Ok(s) if s.success() && has_neovim() => Ok(()),
        Ok(s) => Err(format!("`apt-get install neovim` failed ({s})")),
        Err(e) => Err(format!("apt-get cannot run: {e}")),
    }
}

#[test]
fn neovim_shows_the_servers_diagnostics() {
    if let Err(why) = ensure_neovim() {
        assert!(
            !common::project_ci(),
            "Neovim is needed under TRIGGERLINT_CI=1: {why}"
        );
        eprintln!("skipping the Neovim test: {why}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    // A `.template` file: the README's configuration gives it a filetype.
    let template = dir.path().join("orders.template");
    std::fs::write(&template, TEMPLATE).unwrap();
    let script = dir.path().join("test.lua");
    std::fs::write(&script, SCRIPT).unwrap();
    let config = dir.path().join("readme.lua");
    std::fs::write(&config, readme_lua()).unwrap();
    let out = dir.path().join("diagnostics.txt");
    // The README runs `triggerlint` from the PATH.
    let binary = Path::new(env!("CARGO_BIN_EXE_triggerlint"));
    let path = std::env::join_paths(
        std::iter::once(binary.parent().unwrap().to_path_buf()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .unwrap();
    let mut nvim = Command::new("nvim")
        .args(["--headless", "--clean", "-c"])
        .arg(format!("luafile {}", script.display()))
        .current_dir(dir.path())
        .env("PATH", path)
        .env("README_LUA", &config)
        .env("TEMPLATE", &template)
        .env("OUT", &out)
        .env("HOME", dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while nvim.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(90) {
            let _ = nvim.kill();
            panic!("Neovim did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        read_lines(&out),
        [
            "TL002 7:8 3 triggerlint",
            "TL102 7:8 3 triggerlint",
            "TL103 7:8 2 triggerlint",
            "TL104 7:8 2 triggerlint",
            "TL107 7:8 2 triggerlint",
            "TL108 7:8 3 triggerlint",
        ]
    );
}

fn read_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("Neovim wrote no diagnostics to {}: {e}", path.display()))
        .lines()
        .map(str::to_string)
        .collect()
}
