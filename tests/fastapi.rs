//! The proof on the seed's own stack: FastAPI implementations of the lessons
//! whose checks are pure HTTP (tests/fastapi/, installed into target/venv by
//! scripts/fastapi-venv) pass those lessons' checks through `--cmd`, and a
//! deliberately wrong one fails the right item, naming the cause.

use std::path::{Path, PathBuf};

mod common;

/// The venv's python, or `None` (said on stderr) where python3 itself is missing.
fn venv() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = root.join("target/venv/bin");
    if bin.join("python").exists() {
        return Some(bin);
    }
    let python = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        !python,
        "python3 is here but target/venv is not: run `bash scripts/fastapi-venv` (scripts/test does)"
    );
    eprintln!("SKIPPED: python3 is missing, so the FastAPI apps cannot run here");
    None
}

fn apilings_fastapi(bin: &Path) -> assert_cmd::Command {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fastapi");
    let mut cmd = common::apilings(&dir);
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin.to_path_buf()];
    paths.extend(std::env::split_paths(&path));
    cmd.env("PATH", std::env::join_paths(paths).unwrap());
    cmd
}

#[test]
fn the_fastapi_apps_pass_the_pure_http_lessons() {
    let Some(bin) = venv() else { return };
    let out = apilings_fastapi(&bin)
        .args(["grade", "--servers", "servers.toml", "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let lessons: Vec<(&str, bool)> = doc["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let items = l["items"].as_array().unwrap();
            let passed =
                l["stopped"].is_null() && items.iter().all(|i| i["verdict"]["verdict"] == "pass");
            (l["lesson"].as_str().unwrap(), passed)
        })
        .collect();
    let ids: Vec<&str> = lessons.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        ids,
        [
            "01-first-endpoint",
            "02-rest-resources",
            "03-validation",
            "06-domain-errors",
            "07-auth-dependencies",
            "08-panics",
            "09-config-secrets",
            "10-cors"
        ]
    );
    let failed: Vec<&str> = lessons
        .iter()
        .filter(|(_, p)| !p)
        .map(|(id, _)| *id)
        .collect();
    assert!(
        failed.is_empty() && out.status.code() == Some(0),
        "failed on FastAPI: {failed:?}\n{}",
        serde_json::to_string_pretty(&doc).unwrap()
    );
}

#[test]
fn fastapis_defaults_fail_the_item_that_wants_400_and_415() {
    let Some(bin) = venv() else { return };
    let out = apilings_fastapi(&bin)
        .args([
            "grade",
            "01",
            "--cmd",
            "python -m uvicorn lesson01_defaults:app --port {port}",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = doc["lessons"][0]["items"].as_array().unwrap();
    let failed: Vec<&str> = items
        .iter()
        .filter(|i| i["verdict"]["verdict"] != "pass")
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["greet-rejects-bad-bodies"], "{doc}");
    let failure = &items[2]["verdict"];
    assert_eq!(
        failure["assertions"][0]["expected"], "equals 415",
        "{failure}"
    );
    assert_eq!(failure["assertions"][0]["actual"], "422", "{failure}");
}
