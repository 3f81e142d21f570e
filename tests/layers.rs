//! The dependency rules of docs/architecture.md, checked on the source:
//! cli → tui → session → { lessons, workspace, runner, checks } → report.
//! A module may name (`crate::x`, `apilings::x`) only the modules this table
//! allows; test code inside a module (`#[cfg(test)]` onwards) is not counted.

use std::fs;
use std::path::Path;

/// Each module and the modules it may use (besides itself).
const ALLOWED: &[(&str, &[&str])] = &[
    ("report", &[]),
    ("checks", &["report"]),
    ("lessons", &["checks", "report"]),
    ("workspace", &["lessons", "report"]),
    ("runner", &["report"]),
    (
        "session",
        &["lessons", "workspace", "runner", "checks", "report"],
    ),
    // The TUI shows reports and lessons and keeps progress; runs go through session.
    (
        "tui",
        &["session", "lessons", "workspace", "report", "checks"],
    ),
    (
        "cli",
        &["tui", "session", "lessons", "workspace", "report", "runner"],
    ),
];

const MODULES: &[&str] = &[
    "report",
    "checks",
    "lessons",
    "workspace",
    "runner",
    "session",
    "tui",
    "cli",
];

/// The module a source file belongs to: `src/checks/eval.rs` → `checks`.
fn module_of(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first).to_string();
    MODULES.contains(&name.as_str()).then_some(name)
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The modules named in `code` (before its tests), each with the line it is on.
fn named_modules(code: &str) -> Vec<(String, usize)> {
    let code = code.split("#[cfg(test)]").next().unwrap_or(code);
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let line = line.split("//").next().unwrap_or(line);
        for prefix in ["crate::", "apilings::"] {
            let mut rest = line;
            while let Some(at) = rest.find(prefix) {
                rest = &rest[at + prefix.len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if MODULES.contains(&name.as_str()) {
                    out.push((name, n + 1));
                }
            }
        }
        // `use crate::{a, b}` groups.
        if let Some(at) = line.find("crate::{") {
            for part in line[at + 8..].split([',', '}']) {
                let name = part.trim().split("::").next().unwrap_or("").trim();
                if MODULES.contains(&name) {
                    out.push((name.to_string(), n + 1));
                }
            }
        }
    }
    out
}

#[test]
fn every_module_depends_only_the_way_the_architecture_says() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut broken = Vec::new();
    let mut seen = 0;
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let Some(module) = module_of(rel) else {
            continue; // lib.rs, main.rs
        };
        seen += 1;
        let allowed = ALLOWED.iter().find(|(m, _)| *m == module).unwrap().1;
        for (named, line) in named_modules(&fs::read_to_string(&file).unwrap()) {
            if named != module && !allowed.contains(&named.as_str()) {
                broken.push(format!(
                    "src/{}:{line}: `{module}` uses `{named}`",
                    rel.display()
                ));
            }
        }
    }
    assert!(seen > 20, "read {seen} files");
    // How results are shown is chosen in cli (and drawn by the TUI): nothing
    // below them calls the text renderer.
    for file in {
        let mut all = Vec::new();
        rust_files(&src, &mut all);
        all
    } {
        let rel = file.strip_prefix(&src).unwrap();
        let module = module_of(rel).unwrap_or_default();
        if ["cli", "tui", "report"].contains(&module.as_str()) {
            continue;
        }
        let code = fs::read_to_string(&file).unwrap();
        let code = code.split("#[cfg(test)]").next().unwrap_or("");
        for (n, line) in code.lines().enumerate() {
            if line.contains("report::text") {
                broken.push(format!(
                    "src/{}:{}: `{module}` calls the text renderer",
                    rel.display(),
                    n + 1
                ));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "against docs/architecture.md:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_check_sees_a_wrong_way_import() {
    assert_eq!(
        named_modules(
            "use crate::checks::exec::ServerTap;\nfn f() { crate::report::clean(\"\"); }\n#[cfg(test)]\nuse crate::tui;"
        ),
        vec![("checks".to_string(), 1), ("report".to_string(), 2)]
    );
    assert_eq!(
        named_modules("use crate::{runner, report::Verdict};"),
        vec![("runner".to_string(), 1), ("report".to_string(), 1)]
    );
}
