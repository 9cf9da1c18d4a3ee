//! `sightline llm list`, `llm test` and `ask --llm` against the fake OpenAI-compatible server
//! (the engine's, shared by path): the `env` profile of CONTRACT.md and a profile the desktop app
//! saved in its settings file.

#[path = "../../crates/sightline-engine/tests/engine/fake_model.rs"]
mod fake_model;

use fake_model::{FakeModel, MODEL};
use serde_json::json;

use crate::util::{sample_db, sightline_env};

const KEY: &str = "sk-cli-test-0123456789abcdef";

fn env_profile(model: &FakeModel) -> Vec<(&'static str, String)> {
    vec![
        ("SIGHTLINE_LLM_BASE_URL", model.base_url.clone()),
        ("SIGHTLINE_LLM_MODEL", MODEL.to_string()),
        ("SIGHTLINE_LLM_API_KEY", KEY.to_string()),
    ]
}

fn pairs<'a>(vars: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    vars.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[test]
fn llm_test_checks_the_env_profile_end_to_end() {
    let model = FakeModel::start_in_background(vec![fake_model::completion("ready")]);
    let vars = env_profile(&model);
    let run = sightline_env(&["llm", "test", "env", "--json"], &pairs(&vars));
    run.expect_code(0);
    let check = run.json();
    assert_eq!(check["method"], format!("llm:custom:{MODEL}"));
    assert_eq!(check["reply"], "ready");
    assert_eq!(check["models"], json!([MODEL]));
    let chats = model.chats();
    assert_eq!(chats.len(), 1);
    assert_eq!(
        chats[0].header("authorization"),
        Some(&*format!("Bearer {KEY}"))
    );
    assert!(!run.stdout.contains(KEY) && !run.stderr.contains(KEY));
}

#[test]
fn llm_test_reports_a_refused_key_without_echoing_it() {
    let model = FakeModel::start_in_background(vec![fake_model::error(
        401,
        &format!("Incorrect API key provided: {KEY}"),
        &[],
    )]);
    let vars = env_profile(&model);
    let run = sightline_env(&["llm", "test", "env", "--json"], &pairs(&vars));
    run.expect_code(2);
    let error = &run.json()["error"];
    assert_eq!(error["kind"], "llm_unavailable");
    assert!(error["message"].as_str().unwrap().contains("not accepted"));
    assert!(!run.stdout.contains(KEY) && !run.stderr.contains(KEY));
}

#[test]
fn ask_with_the_env_profile_uses_the_models_sql() {
    let sql = "SELECT region, COUNT(*) AS customers FROM customers GROUP BY region ORDER BY region";
    let model =
        FakeModel::start_in_background(vec![fake_model::sql_reply(sql, "Customers per region")]);
    let vars = env_profile(&model);
    let run = sightline_env(
        &[
            "ask",
            "--db",
            &sample_db(),
            "--llm",
            "env",
            "--json",
            "How many customers per region?",
        ],
        &pairs(&vars),
    );
    run.expect_code(0);
    let answer = run.json();
    assert_eq!(answer["method"], format!("llm:custom:{MODEL}"));
    assert_eq!(answer["sql"], sql);
    assert_eq!(answer["data"]["columns"], json!(["region", "customers"]));
    assert_eq!(answer["sent_to_model"]["sample_values"], 0);
    assert!(
        answer["sent_to_model"]["tables"]
            .to_string()
            .contains("customers")
    );
}

#[test]
fn a_profile_saved_by_the_app_is_listed_and_used() {
    let model = FakeModel::start_in_background(vec![fake_model::sql_reply(
        "SELECT plan, AVG(monthly_spend) AS spend FROM customers GROUP BY plan",
        "Average spend per plan",
    )]);
    let home = tempfile::tempdir().unwrap();
    let settings = json!({
        "settings": {
            "model_profile": "work",
            "profiles": [{"name": "work", "provider": "custom", "base_url": model.base_url, "model": "qwen2.5-coder"}]
        },
        "recent_databases": []
    });
    std::fs::write(home.path().join("settings.json"), settings.to_string()).unwrap();
    let home_path = home.path().display().to_string();
    let env = [("SIGHTLINE_HOME", home_path.as_str())];

    let list = sightline_env(&["llm", "list", "--json"], &env);
    list.expect_code(0);
    let listing = list.json();
    assert_eq!(listing["active"], "work");
    let names: Vec<String> = listing["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert!(names.contains(&"work".to_string()) && names.contains(&"groq".to_string()));

    let run = sightline_env(
        &[
            "ask",
            "--db",
            &sample_db(),
            "--llm",
            "work",
            "--json",
            "Average monthly spend per plan",
        ],
        &env,
    );
    run.expect_code(0);
    let answer = run.json();
    assert_eq!(answer["method"], "llm:custom:qwen2.5-coder");
    assert_eq!(model.chats()[0].body["model"], "qwen2.5-coder");
}

#[test]
fn an_unknown_profile_is_a_clear_error() {
    let run = sightline_env(
        &[
            "ask",
            "--db",
            &sample_db(),
            "--llm",
            "nonesuch",
            "--json",
            "revenue",
        ],
        &[],
    );
    run.expect_code(2);
    let error = &run.json()["error"];
    assert_eq!(error["kind"], "llm_unavailable");
    assert!(error["message"].as_str().unwrap().contains("groq"));
}
