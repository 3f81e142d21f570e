//! The README's commands, in its order, on a fresh folder standing in for a
//! clone: run where the bare command created `./apilings-workspace`, as the
//! README says (`cargo run --release -- <command>` is this binary with those
//! arguments; the test does not rebuild apilings in release for it). The table
//! of commands is read from README.md, so the README cannot drift from the tool.

use std::path::Path;

use assert_cmd::Command;

mod common;
use common::{BUILDS, shared_target};

fn apilings(dir: &Path) -> Command {
    common::apilings(dir)
}

/// The commands of README.md's table, as written (`apilings check [LESSON]`, …).
fn table_commands(readme: &str) -> Vec<String> {
    readme
        .lines()
        .filter_map(|l| l.strip_prefix("| `apilings "))
        .filter_map(|l| l.split('`').next())
        .map(|c| c.trim().to_string())
        .collect()
}

#[test]
fn the_readmes_commands_work_as_written_from_where_the_workspace_was_created() {
    let _one = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(
        readme.contains("```sh\ncargo run --release\n```"),
        "the README starts with the bare command"
    );
    let clone = tempfile::tempdir().unwrap();
    let root = clone.path();
    // `cargo run --release`: piped, it creates ./apilings-workspace and says what to do.
    let out = apilings(root).output().unwrap();
    assert!(out.status.success());
    assert!(
        root.join("apilings-workspace/.apilings/workspace.toml")
            .is_file()
    );

    let commands = table_commands(&readme);
    let names: Vec<&str> = commands
        .iter()
        .map(|c| c.split_whitespace().next().unwrap())
        .collect();
    for expected in [
        "list", "check", "hint", "reset", "solution", "init", "grade", "verify",
    ] {
        assert!(
            names.contains(&expected),
            "the README's table lists `{expected}`: {names:?}"
        );
    }
    for command in &commands {
        let args: Vec<String> = command
            .split_whitespace()
            .map(|w| match w {
                "[LESSON]" | "LESSON" | "[LESSON…]" => "1".to_string(),
                "[DIR]" => "second-workspace".to_string(),
                other => other.to_string(),
            })
            .collect();
        let out = apilings(root).args(&args).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        // On a fresh workspace: a stub fails its checks (1), a solution waits for a pass (2).
        let expected = match args[0].as_str() {
            "check" | "grade" => Some(1),
            "solution" => Some(2),
            _ => Some(0),
        };
        assert_eq!(
            code,
            expected,
            "`apilings {command}` run as `apilings {}` where the README says\nstdout:\n{stdout}\nstderr:\n{stderr}",
            args.join(" ")
        );
        if args[0] == "solution" {
            assert!(stderr.contains("--force"), "{stderr}");
        }
        assert!(
            !stderr.contains("not inside an apilings workspace"),
            "{stderr}"
        );
    }

    // Inside a lesson's folder, `check` checks that lesson.
    let lesson = root.join("apilings-workspace/03-validation/src");
    apilings(&lesson)
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicates::str::contains("Checking 03-validation"));
}

/// The ```rust blocks of a Markdown text, each with the line it starts on.
fn rust_samples(markdown: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (n, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        match &mut current {
            None if trimmed.starts_with("```rust") => current = Some((n + 1, String::new())),
            Some(_) if trimmed.starts_with("```") => out.extend(current.take()),
            Some((_, code)) => {
                code.push_str(line);
                code.push('\n');
            }
            None => {}
        }
    }
    out
}

/// Each lesson README's Rust samples compile where the README puts them: in the
/// lesson's crate (its solution), each sample a module that sees the crate's
/// items and imports.
#[test]
fn every_rust_sample_in_a_lesson_readme_compiles_in_its_lesson() {
    let _one = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    apilings(tmp.path()).arg("init").arg(&ws).assert().success();
    let mut samples = 0;
    for entry in std::fs::read_dir(repo.join("lessons")).unwrap().flatten() {
        let id = entry.file_name().to_string_lossy().into_owned();
        let readme = entry.path().join("README.md");
        let Ok(text) = std::fs::read_to_string(&readme) else {
            continue; // the kit
        };
        common::copy_dir(&repo.join("solutions").join(&id), &ws.join(&id));
        let main = ws.join(&id).join("src/main.rs");
        let mut code = std::fs::read_to_string(&main).unwrap();
        for (n, (line, sample)) in rust_samples(&text).into_iter().enumerate() {
            code.push_str(&format!(
                "\n// lessons/{id}/README.md:{line}\n#[allow(dead_code, unused_imports, unused_variables, unreachable_code, clippy::all)]\nmod readme_sample_{n} {{\n    use super::*;\n{sample}}}\n"
            ));
            samples += 1;
        }
        std::fs::write(&main, code).unwrap();
    }
    assert!(samples >= 10, "found {samples} samples");
    let out = std::process::Command::new("cargo")
        .args([
            "build",
            "--workspace",
            "--message-format=short",
            "--keep-going",
        ])
        .current_dir(&ws)
        .env("CARGO_TARGET_DIR", shared_target())
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "a README sample does not compile where it stands (each error's file is the lesson's main.rs; the comment above the sample's module names its README line):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
