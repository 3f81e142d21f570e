//! docs/first-lesson.md, followed step by step as a new instructor would:
//! each `console` block's commands are run in order (`cd` moves), each line
//! shown after a command must appear in what it printed, `[exit: N]` is its
//! exit code (0 when not shown), and each block with `file=PATH` is written.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{BUILDS, shared_target};

/// One step of the tutorial.
#[derive(Debug)]
enum Step {
    Run {
        command: String,
        shows: Vec<String>,
        exit: i32,
    },
    Write {
        path: String,
        text: String,
    },
}

/// The steps of a Markdown tutorial, in order.
fn steps(markdown: &str) -> Vec<Step> {
    let mut out = Vec::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        let fence: String = line.chars().take_while(|c| *c == '`').collect();
        if fence.len() < 3 {
            continue;
        }
        let info = &line[fence.len()..];
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| l.trim_end() != fence)
            .collect();
        if let Some(path) = info
            .split_whitespace()
            .find_map(|w| w.strip_prefix("file="))
        {
            out.push(Step::Write {
                path: path.to_string(),
                text: body.join("\n") + "\n",
            });
        } else if info.trim() == "console" {
            for l in body {
                if let Some(command) = l.strip_prefix("$ ") {
                    out.push(Step::Run {
                        command: command.to_string(),
                        shows: vec![],
                        exit: 0,
                    });
                } else if let Some(Step::Run { shows, exit, .. }) = out.last_mut() {
                    match l
                        .trim()
                        .strip_prefix("[exit: ")
                        .and_then(|c| c.strip_suffix(']'))
                    {
                        Some(code) => *exit = code.parse().unwrap(),
                        None if !l.trim().is_empty() => shows.push(l.trim().to_string()),
                        None => {}
                    }
                }
            }
        }
    }
    out
}

#[test]
fn the_tutorial_works_as_written() {
    let _one = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/first-lesson.md");
    let steps = steps(&std::fs::read_to_string(&doc).unwrap());
    let runs = steps
        .iter()
        .filter(|s| matches!(s, Step::Run { .. }))
        .count();
    let writes = steps.len() - runs;
    assert!(
        runs >= 12 && writes >= 4,
        "{runs} commands, {writes} files: {steps:#?}"
    );
    for needed in [
        "dev new-pack",
        "dev new ",
        "dev check",
        "verify",
        "init",
        "check 02",
    ] {
        assert!(
            steps
                .iter()
                .any(|s| matches!(s, Step::Run { command, .. } if command.contains(needed))),
            "the tutorial runs `{needed}`"
        );
    }

    let tmp = tempfile::tempdir().unwrap();
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_apilings"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cwd = tmp.path().to_path_buf();
    for step in &steps {
        match step {
            Step::Write { path, text } => {
                let file = cwd.join(path);
                assert!(
                    file.is_file(),
                    "the tutorial replaces {path}, which `dev new` wrote"
                );
                std::fs::write(file, text).unwrap();
            }
            Step::Run {
                command,
                shows,
                exit,
            } => {
                if let Some(dir) = command.strip_prefix("cd ") {
                    cwd = cwd.join(dir);
                    assert!(cwd.is_dir(), "`{command}`: no such folder");
                    continue;
                }
                let out = Command::new("sh")
                    .arg("-c")
                    .arg(command)
                    .current_dir(&cwd)
                    .env("PATH", &path)
                    .env("CARGO_TARGET_DIR", shared_target())
                    .env_remove("APILINGS_LESSONS")
                    .env_remove("RUSTFLAGS")
                    .output()
                    .unwrap();
                let said = format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
                assert_eq!(
                    out.status.code(),
                    Some(*exit),
                    "`{command}` exits {exit}; it said:\n{said}"
                );
                for line in shows {
                    assert!(
                        said.contains(line.as_str()),
                        "`{command}` shows {line:?}; it said:\n{said}"
                    );
                }
            }
        }
    }
}
