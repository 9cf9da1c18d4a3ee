//! Reads the app's configuration from the top-level `tauri.conf.json` and declares the app's own
//! commands, so each one needs an explicit `allow-…` permission in `capabilities/` (S8).

/// Every command of `src/commands.rs`; one not listed here cannot be called from the window.
const COMMANDS: &[&str] = &[
    "ask",
    "analyze",
    "cancel",
    "schema",
    "connections",
    "forget_connection",
    "glossary_get",
    "glossary_set",
    "settings_get",
    "settings_set",
    "key_set",
    "key_clear",
    "key_status",
    "llm_profiles",
    "llm_test",
    "sandbox_status",
    "sandbox_run",
    "sandbox_build_image",
    "export_answer",
    "save_png",
    "save_svg",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        println!("cargo::error=tauri-build failed: {e:#}");
    }
}
