//! `sandbox run` and `sandbox image`: the JSON of CONTRACT.md's sandbox result, exit codes (2 for
//! a guard rejection or bad input), and a real run in Docker when the engine and image exist
//! (required in CI through `SIGHTLINE_REQUIRE_DOCKER=1`).

use std::fs;

use serde_json::{Value, json};

use crate::util::{Run, docker_image_present, sightline};

const FIELDS: [&str; 7] = [
    "success",
    "result",
    "output",
    "error",
    "visualization",
    "mode_used",
    "duration_ms",
];

fn check_shape(run: &Run) -> Value {
    let result = run.json();
    for field in FIELDS {
        assert!(
            result.get(field).is_some(),
            "{:?}: the sandbox result lacks `{field}`: {result}",
            run.args
        );
    }
    assert_eq!(
        result.as_object().map(|o| o.len()),
        Some(FIELDS.len()),
        "no other fields: {result}"
    );
    result
}

#[test]
fn guard_rejection_is_bad_input_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("attack.py");
    fs::write(
        &code,
        "import pandas as pd\nimport os\nresult = os.listdir('/')\n",
    )
    .unwrap();
    let run = sightline(&[
        "sandbox",
        "run",
        "--mode",
        "docker",
        "--code-file",
        code.to_str().unwrap(),
    ]);
    run.expect_code(2);
    let result = check_shape(&run);
    assert_eq!(result["success"], false);
    assert_eq!(result["mode_used"], Value::Null);
    let error = result["error"].as_str().unwrap_or("");
    assert!(
        error.contains("line 2") && error.contains("'os'"),
        "{error}"
    );
}

#[test]
fn bad_arguments_are_bad_input_as_one_json_object() {
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("ok.py");
    fs::write(&code, "result = 1\n").unwrap();
    let code = code.to_str().unwrap();
    for args in [
        vec!["sandbox", "run", "--memory", "lots", "--code-file", code],
        vec!["sandbox", "run", "--mode", "vm", "--code-file", code],
        vec!["sandbox", "run", "--data", "sales", "--code-file", code],
        vec![
            "sandbox",
            "run",
            "--data",
            "sales=/no/such/file.csv",
            "--code-file",
            code,
        ],
        vec![
            "sandbox",
            "run",
            "--data",
            "2bad=/etc/hostname",
            "--code-file",
            code,
        ],
        vec!["sandbox", "run", "--timeout", "0", "--code-file", code],
        vec!["sandbox", "run", "--code-file", "/no/such/code.py"],
        vec!["sandbox", "run", "--bogus-flag", "-"],
    ] {
        let run = sightline(&args);
        run.expect_code(2);
        let result = run.json();
        assert!(
            result["success"] == false || result["error"].is_object(),
            "{args:?}: a failure, as one JSON object: {result}"
        );
    }
}

#[test]
fn runs_code_with_data_in_docker() {
    if !docker_image_present() {
        eprintln!("skipping: no Docker engine or sandbox image");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sales.csv");
    fs::write(&data, "region,amount\nnorth,10\nsouth,5\nnorth,7\n").unwrap();
    let code = dir.path().join("analysis.py");
    fs::write(
        &code,
        "import plotly.express as px\n\
         totals = sales.groupby('region')['amount'].sum()\n\
         print('regions:', len(totals))\n\
         fig = px.bar(x=list(totals.index), y=list(totals.values))\n\
         result = totals\n",
    )
    .unwrap();
    let data_arg = format!("sales={}", data.display());
    let run = sightline(&[
        "sandbox",
        "run",
        "--mode",
        "docker",
        "--timeout",
        "60",
        "--memory",
        "512m",
        "--data",
        &data_arg,
        "--code-file",
        code.to_str().unwrap(),
    ]);
    run.expect_code(0);
    let result = check_shape(&run);
    assert_eq!(result["success"], true, "{result}");
    assert_eq!(result["result"], json!({"north": 17, "south": 5}));
    assert_eq!(result["output"], "regions: 2\n");
    assert_eq!(result["mode_used"], "docker");
    assert_eq!(result["visualization"]["data"][0]["type"], "bar");
    assert!(result["duration_ms"].as_f64().is_some_and(|ms| ms > 0.0));
}

#[test]
fn a_timeout_is_reported_with_its_seconds() {
    if !docker_image_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("loop.py");
    fs::write(&code, "while True:\n    pass\n").unwrap();
    let run = sightline(&[
        "sandbox",
        "run",
        "--timeout",
        "2",
        "--code-file",
        code.to_str().unwrap(),
    ]);
    run.expect_code(2);
    let result = check_shape(&run);
    assert_eq!(result["success"], false);
    assert!(
        result["error"]
            .as_str()
            .unwrap_or("")
            .contains("timed out after 2 s"),
        "{result}"
    );
}

#[test]
fn sandbox_image_refuses_a_directory_that_is_not_a_rootfs() {
    let dir = tempfile::tempdir().unwrap();
    let run = sightline(&[
        "sandbox",
        "image",
        "--offline-rootfs",
        dir.path().to_str().unwrap(),
        "--json",
    ]);
    run.expect_code(2);
    let error = &run.json()["error"];
    assert_eq!(error["kind"], "bad_input", "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or("")
            .contains("scripts/sandbox-rootfs"),
        "{error}"
    );
}
