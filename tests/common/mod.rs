//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses a different subset

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Tests of one binary that build lessons run one at a time: lesson crates of
/// different workspaces share a binary path in the shared target dir.
pub static BUILDS: Mutex<()> = Mutex::new(());

/// The target dir every workspace the tests build shares, so the lesson
/// dependencies compile once per machine.
pub fn shared_target() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("lessons")
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// A pack of the test-only lessons in tests/fixtures, with the real pack's
/// dependencies, lock and kit (so nothing new is compiled but the lessons).
/// Returns the temp dir and the pack's lessons folder.
pub fn fixture_pack() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lessons = tmp.path().join("lessons");
    copy_dir(&src.join("tests/fixtures/lessons"), &lessons);
    copy_dir(
        &src.join("tests/fixtures/solutions"),
        &tmp.path().join("solutions"),
    );
    copy_dir(&src.join("lessons/kit"), &lessons.join("kit"));
    for f in ["pack.toml", "Cargo.lock"] {
        fs::copy(src.join("lessons").join(f), lessons.join(f)).unwrap();
    }
    (tmp, lessons)
}

/// Live (not zombie) processes whose working directory is inside `dir`
/// (lesson servers, and what they spawn, run in their lesson folder).
pub fn processes_in(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.parse::<u32>().is_err() {
            continue;
        }
        if fs::read_link(format!("/proc/{name}/cwd")).is_ok_and(|cwd| cwd.starts_with(dir)) {
            let cmdline = fs::read_to_string(format!("/proc/{name}/cmdline")).unwrap_or_default();
            found.push(format!("{name}: {}", cmdline.replace('\0', " ")));
        }
    }
    found
}

/// Live (not zombie) processes whose command line mentions `needle`.
pub fn processes_mentioning(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let name = entry.file_name();
        let Ok(pid) = name.to_string_lossy().parse::<u32>() else {
            continue;
        };
        let cmdline = fs::read_to_string(format!("/proc/{pid}/cmdline"))
            .unwrap_or_default()
            .replace('\0', " ");
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let zombie = stat
            .rfind(')')
            .is_some_and(|i| stat[i + 2..].starts_with('Z'));
        if cmdline.contains(needle) && !zombie {
            found.push(format!("{pid}: {cmdline}"));
        }
    }
    found
}

/// A plain GET to 127.0.0.1:`port`, bounded: the raw response, or the error.
pub fn http_get(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let bound = std::time::Duration::from_secs(5);
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = match std::net::TcpStream::connect_timeout(&addr, bound) {
        Ok(s) => s,
        Err(e) => return format!("connect: {e}"),
    };
    let _ = s.set_read_timeout(Some(bound));
    let _ = write!(
        s,
        "GET {path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n"
    );
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

/// The `apilings` binary in `dir`, building in the shared target dir, bounded.
pub fn apilings(dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("apilings").unwrap();
    cmd.current_dir(dir)
        .env("CARGO_TARGET_DIR", shared_target())
        .env_remove("RUSTFLAGS")
        .timeout(std::time::Duration::from_secs(900));
    cmd
}

/// How many lessons the built-in pack has: tests derive counts from the pack.
pub fn lesson_count() -> usize {
    apilings::lessons::Pack::embedded().unwrap().lessons.len()
}

/// The built-in pack's lesson ids, in order.
pub fn lesson_ids() -> Vec<String> {
    let pack = apilings::lessons::Pack::embedded().unwrap();
    pack.lessons.iter().map(|l| l.id.clone()).collect()
}
