//! The wire contract as TypeScript, generated from the Rust types so the UI never hand-writes
//! them (Yaak's pattern). `ui/src/generated/contract.ts` is this module's output, committed; the
//! engine's test `generated_typescript_is_current` fails when it is stale and says how to
//! regenerate it.

use ts_rs::{Config, TS};

use crate::contract::{Answer, AnswerError, DataTable, SqlParamJson, StageReport, StageStatus};
use crate::db::{ColumnInfo, ForeignKeyInfo, Schema, TableInfo};
use crate::error::ErrorKind;
use crate::llm::Check;
use crate::llm::profile::{ModelProfile, ProfileView, Protocol, Provider};
use crate::pipeline::agents::{FollowUp, SentToModel};
use crate::progress::StageEvent;
use crate::settings::{Author, SandboxMode, Settings, Theme};

/// Where the generated file lives, relative to the repository root.
pub const BINDINGS_PATH: &str = "ui/src/generated/contract.ts";

/// The contents of [`BINDINGS_PATH`].
pub fn bindings() -> String {
    let cfg = Config::new();
    let declarations = [
        "export type AnalysisType = \"forecast\" | \"correlation\" | \"anomaly\" | \"summary\" | \"trend\";"
            .to_string(),
        Answer::decl(&cfg),
        SqlParamJson::decl(&cfg),
        DataTable::decl(&cfg),
        StageStatus::decl(&cfg),
        StageReport::decl(&cfg),
        AnswerError::decl(&cfg),
        ErrorKind::decl(&cfg),
        StageEvent::decl(&cfg),
        Schema::decl(&cfg),
        TableInfo::decl(&cfg),
        ColumnInfo::decl(&cfg),
        ForeignKeyInfo::decl(&cfg),
        Settings::decl(&cfg),
        SandboxMode::decl(&cfg),
        Theme::decl(&cfg),
        Author::decl(&cfg),
        ModelProfile::decl(&cfg),
        Provider::decl(&cfg),
        Protocol::decl(&cfg),
        ProfileView::decl(&cfg),
        Check::decl(&cfg),
        SentToModel::decl(&cfg),
        FollowUp::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from crates/sightline-engine (src/typescript.rs). Do not edit: run\n\
         // `SIGHTLINE_BLESS=1 cargo test -p sightline-engine --test engine generated_typescript`.\n\n",
    );
    for declaration in declarations {
        if !declaration.starts_with("export ") {
            out.push_str("export ");
        }
        out.push_str(&declaration);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}
