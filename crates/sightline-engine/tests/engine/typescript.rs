//! The committed TypeScript contract (`ui/src/generated/contract.ts`) is what the Rust types
//! generate, so the UI and the engine cannot drift apart.

use std::path::PathBuf;

use sightline_engine::typescript::{BINDINGS_PATH, bindings};

#[test]
fn generated_typescript_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(BINDINGS_PATH);
    let generated = bindings();
    if std::env::var_os("SIGHTLINE_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale or missing: run `SIGHTLINE_BLESS=1 cargo test -p sightline-engine --test engine generated_typescript` and commit it",
        path.display()
    );
    for name in [
        "Answer",
        "StageEvent",
        "ErrorKind",
        "Schema",
        "AnalysisType",
    ] {
        assert!(
            generated.contains(&format!("export type {name} ")),
            "{name} is exported"
        );
    }
}
