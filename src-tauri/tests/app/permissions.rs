//! S8: the window may call exactly the app's own commands, each allowed by name, and no plugin
//! that reaches the shell, the file system or the network. The lists are read from the sources
//! (build.rs, main.rs, capabilities/main.json), so adding a command without deciding who may
//! call it fails here.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

fn source(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    fs::read_to_string(&full).unwrap_or_else(|e| panic!("cannot read {}: {e}", full.display()))
}

/// The quoted names between `const COMMANDS` and the end of its list in build.rs.
fn declared_commands() -> BTreeSet<String> {
    let build = source("build.rs");
    let start = build
        .find("const COMMANDS")
        .expect("build.rs declares COMMANDS");
    let list = &build[start..start + build[start..].find("];").expect("COMMANDS ends")];
    list.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The `commands::NAME` entries of `generate_handler!` in main.rs.
fn registered_commands() -> BTreeSet<String> {
    let main = source("src/main.rs");
    let start = main
        .find("generate_handler![")
        .expect("main.rs registers commands");
    let list = &main[start..start + main[start..].find(']').expect("the list ends")];
    list.split("commands::")
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

fn capability() -> serde_json::Value {
    serde_json::from_str(&source("capabilities/main.json")).expect("capabilities/main.json is JSON")
}

fn permissions() -> Vec<String> {
    capability()["permissions"]
        .as_array()
        .expect("a permissions list")
        .iter()
        .map(|p| p.as_str().expect("permissions are names").to_string())
        .collect()
}

#[test]
fn every_registered_command_is_declared_and_allowed_by_name() {
    let declared = declared_commands();
    let registered = registered_commands();
    assert!(
        registered.len() >= 10,
        "parsed too few commands: {registered:?}"
    );
    assert_eq!(
        declared, registered,
        "build.rs COMMANDS and main.rs generate_handler! must list the same commands"
    );
    let allowed: BTreeSet<String> = permissions()
        .iter()
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    assert_eq!(
        allowed, declared,
        "capabilities/main.json must allow exactly the app's commands"
    );
}

#[test]
fn the_window_gets_no_shell_fs_or_http_plugin() {
    for permission in permissions() {
        let plugin = permission.split(':').next().unwrap_or_default();
        assert!(
            !["shell", "fs", "http", "process", "opener"].contains(&plugin),
            "{permission} must not be granted to the window"
        );
    }
    assert_eq!(capability()["windows"], serde_json::json!(["main"]));
}

#[test]
fn the_csp_forbids_eval_and_remote_sources() {
    let config: serde_json::Value =
        serde_json::from_str(&source("../tauri.conf.json")).expect("tauri.conf.json is JSON");
    let csp = &config["app"]["security"]["csp"];
    assert_eq!(csp["default-src"], "'self'");
    assert_eq!(csp["script-src"], "'self'");
    assert_eq!(
        csp["connect-src"], "ipc: http://ipc.localhost",
        "the window talks only to the app's own IPC"
    );
    for (directive, sources) in csp.as_object().expect("the CSP is an object of directives") {
        let sources = sources.as_str().unwrap_or_default();
        for forbidden in ["unsafe-eval", "*"] {
            assert!(
                !sources.contains(forbidden),
                "{directive} allows {forbidden}"
            );
        }
        if directive != "connect-src" {
            assert!(
                !sources.contains("http"),
                "{directive} allows a remote source: {sources}"
            );
        }
    }
    assert!(
        config["app"]["security"]["freezePrototype"].is_null(),
        "freezePrototype breaks Plotly and Preact (see ui/README.md)"
    );
}
