//! The learner's workspace on disk: a Cargo workspace with one crate per lesson,
//! the kit crate, a pinned `Cargo.lock` and `.apilings/` (workspace metadata,
//! progress, backups). Writing here never overwrites a learner's file without a
//! backup, and every metadata write is atomic.

mod origin;
mod progress;

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::lessons::{Lesson, Pack};
pub use origin::{PackCheck, UpdateReport};
pub use progress::{LessonState, Progress, Recorded};

/// The metadata folder inside a workspace.
pub const META_DIR: &str = ".apilings";
/// The folder the bare `apilings` creates a workspace in, inside the current one.
pub const DEFAULT_DIR: &str = "apilings-workspace";
const META_FILE: &str = "workspace.toml";
/// The workspace format this version writes and reads.
pub const FORMAT: u32 = 1;

/// A learner's workspace, found or created.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
}

#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    format: u32,
    pack: String,
    /// The pack's version, hash and folder (`embedded` for the built-in one)
    /// when the workspace was made or last updated. Older workspaces have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pack_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pack_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pack_origin: Option<String>,
    created_by: String,
    /// The apilings that last ran `update` here, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    updated_by: Option<String>,
    /// Marks this workspace's own crates (`0.1.0+ws.<build>`), so that in a
    /// target dir shared by several workspaces (same package names, same
    /// paths) none is ever graded on another's binary. Older workspaces have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    build: Option<String>,
}

/// Holds the workspace lock; released when dropped (or when the process ends, however it ends).
#[derive(Debug)]
pub struct WorkspaceLock {
    _file: fs::File,
}

/// What `init` did.
#[derive(Debug, Default)]
pub struct InitReport {
    /// Files written.
    pub written: usize,
    /// Files that were already there and were left as they are.
    pub kept: usize,
    /// True when the folder already was a workspace.
    pub existed: bool,
}

impl Workspace {
    /// The workspace containing `start` (or `start` itself), if any.
    pub fn find(start: &Path) -> Option<Workspace> {
        let is_workspace = |dir: &Path| dir.join(META_DIR).join(META_FILE).is_file();
        let root = start
            .ancestors()
            .find(|dir| is_workspace(dir))
            .map(Path::to_path_buf)
            // Where the bare `apilings` creates it: so every command run where
            // that one was (e.g. `cargo run -- list` in the repository) finds it.
            .or_else(|| Some(start.join(DEFAULT_DIR)).filter(|d| is_workspace(d)))?;
        Some(Workspace { root })
    }

    /// Where resets keep the learner's files (one folder per lesson and time).
    pub fn backups_dir(&self) -> PathBuf {
        self.root.join(META_DIR).join("backups")
    }

    /// About how many crates a first build compiles: the packages in Cargo.lock.
    pub fn lock_packages(&self) -> usize {
        fs::read_to_string(self.root.join("Cargo.lock"))
            .map(|t| t.matches("[[package]]").count())
            .unwrap_or(0)
    }

    /// The lesson whose folder holds `path`, if any.
    pub fn lesson_at<'p>(&self, pack: &'p Pack, path: &Path) -> Option<&'p Lesson> {
        let rel = path.strip_prefix(&self.root).ok()?;
        let first = rel.components().next()?.as_os_str().to_str()?;
        pack.lessons.iter().find(|l| l.id == first)
    }

    /// Opens the workspace containing `start`, checking that this version can use it.
    pub fn open(start: &Path) -> Result<Workspace> {
        if Workspace::find(start).is_none()
            && let Some(root) = start.ancestors().find(|d| d.join(META_DIR).is_dir())
        {
            bail!(
                "{} is missing: run `apilings init {}` to recreate it (your files are kept)",
                root.join(META_DIR).join(META_FILE).display(),
                root.display()
            );
        }
        let ws = Workspace::find(start).with_context(|| {
            format!(
                "{} is not inside an apilings workspace; create one with `apilings init [DIR]`",
                start.display()
            )
        })?;
        ws.meta()?;
        ws.sweep_temp_files();
        Ok(ws)
    }

    /// Removes what a writer killed mid-write left behind: temp files of
    /// [`write_atomic`] older than a minute (no write takes that long).
    fn sweep_temp_files(&self) {
        let Ok(entries) = fs::read_dir(self.root.join(META_DIR)) else {
            return;
        };
        for e in entries.flatten() {
            let stale = e
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age.as_secs() > 60));
            if e.file_name().to_string_lossy().starts_with(".apilings-tmp") && stale {
                let _ = fs::remove_file(e.path());
            }
        }
    }

    /// Writes a new workspace for `pack` into `dir`, or completes an existing one
    /// (writing only missing files). Refuses a non-empty folder that is not a workspace.
    pub fn init(dir: &Path, pack: &Pack) -> Result<(Workspace, InitReport)> {
        let ws = Workspace {
            root: dir.to_path_buf(),
        };
        let existed = dir.join(META_DIR).join(META_FILE).is_file();
        // A workspace whose workspace.toml was deleted: made again, files kept.
        let repaired = !existed && dir.join(META_DIR).is_dir();
        if existed {
            ws.meta()?;
            // Completing a workspace with another pack's lessons would mix two courses.
            if let PackCheck::Other(why) = ws.pack_check(pack)? {
                bail!("{why}");
            }
        } else if dir.exists() && !repaired {
            let mut entries = fs::read_dir(dir)
                .with_context(|| format!("cannot read {}", dir.display()))?
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect::<Vec<_>>();
            entries.sort();
            if !entries.is_empty() {
                bail!(
                    "{} is not empty and is not an apilings workspace (it holds {}); \
                     choose an empty or new folder so nothing of yours is overwritten",
                    dir.display(),
                    entries
                        .iter()
                        .take(3)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                        + if entries.len() > 3 { ", …" } else { "" }
                );
            }
        }
        let build = if existed {
            ws.meta()?.build
        } else if repaired {
            // The mark its crates already carry, so the crates written now agree.
            fs::read_to_string(dir.join("kit/Cargo.toml"))
                .ok()
                .and_then(|t| {
                    t.split("+ws.")
                        .nth(1)
                        .map(|r| r.chars().take_while(char::is_ascii_hexdigit).collect())
                })
        } else {
            Some(build_mark())
        };
        let version = member_version(build.as_deref());
        let mut report = InitReport {
            existed: existed || repaired,
            ..InitReport::default()
        };
        let mut put = |rel: &str, text: &str| -> Result<()> {
            let path = dir.join(rel);
            if path.exists() {
                report.kept += 1;
                return Ok(());
            }
            write_atomic(&path, text.as_bytes())?;
            report.written += 1;
            Ok(())
        };
        put("Cargo.toml", &root_manifest(pack))?;
        if let Some(lock) = &pack.lock {
            put("Cargo.lock", &lock_with_members(lock, pack, &version))?;
        }
        put(".gitignore", "/target\n")?;
        for (rel, text) in &pack.kit {
            if rel == "Cargo.toml" {
                put("kit/Cargo.toml", &with_version(text, &version))?;
            } else {
                put(&format!("kit/{rel}"), text)?;
            }
        }
        for lesson in &pack.lessons {
            put(
                &format!("{}/Cargo.toml", lesson.id),
                &lesson_manifest(pack, lesson, &version),
            )?;
            for (rel, text) in &lesson.stub {
                put(&format!("{}/{rel}", lesson.id), text)?;
            }
        }
        if !existed {
            let meta = Meta {
                format: FORMAT,
                pack: pack.name.clone(),
                pack_version: Some(pack.version.clone()),
                pack_hash: Some(pack.hash.clone()),
                pack_origin: Some(origin::of(pack)),
                created_by: origin::this_apilings(),
                updated_by: None,
                build,
            };
            write_atomic(&ws.meta_path(), toml::to_string(&meta)?.as_bytes())?;
        }
        if !ws.progress_path().exists() {
            ws.save_progress(&Progress::default())?;
        }
        Ok((ws, report))
    }

    /// The workspace's root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder of a lesson's crate.
    pub fn lesson_dir(&self, lesson: &Lesson) -> PathBuf {
        self.root.join(&lesson.id)
    }

    /// The progress file's path.
    pub fn progress_path(&self) -> PathBuf {
        self.root.join(META_DIR).join("progress.toml")
    }

    /// Reads progress; a corrupt file is moved aside (the warning says where) and progress restarts.
    pub fn progress(&self) -> (Progress, Option<String>) {
        Progress::load(&self.progress_path())
    }

    /// Writes progress atomically.
    pub fn save_progress(&self, progress: &Progress) -> Result<()> {
        write_atomic(&self.progress_path(), progress.to_toml()?.as_bytes())
    }

    /// Puts the lesson's stub files (and its generated manifest) back. Every file
    /// that differs is first copied to a timestamped backup folder, which is returned.
    pub fn reset(&self, pack: &Pack, lesson: &Lesson) -> Result<Option<PathBuf>> {
        let mut files = lesson.stub.clone();
        let version = member_version(self.meta()?.build.as_deref());
        files.push(("Cargo.toml".into(), lesson_manifest(pack, lesson, &version)));
        self.write_lesson_files(lesson, &files)
    }

    /// Writes files into a lesson's crate, backing up any existing file that differs.
    /// Returns the backup folder when something was backed up.
    pub fn write_lesson_files(
        &self,
        lesson: &Lesson,
        files: &[(String, String)],
    ) -> Result<Option<PathBuf>> {
        let dir = self.lesson_dir(lesson);
        let stamp = jiff::Timestamp::now()
            .strftime("%Y%m%dT%H%M%S%.3fZ")
            .to_string();
        let backup = self.backups_dir().join(&lesson.id).join(stamp);
        // Read every file first: one that cannot be read stops the whole reset
        // before anything is written. Only "not found" means there is nothing to keep.
        let mut current = Vec::new();
        for (rel, _) in files {
            let path = dir.join(rel);
            let old = match fs::symlink_metadata(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => bail!("cannot read {}: {e}; nothing was reset", path.display()),
                Ok(m) if !m.is_file() => bail!(
                    "{} is not a regular file; nothing was reset (move it away, then reset again)",
                    path.display()
                ),
                Ok(_) => Some(fs::read(&path).map_err(|e| {
                    anyhow::anyhow!("cannot read {}: {e}; nothing was reset", path.display())
                })?),
            };
            current.push(old);
        }
        let mut backed_up = false;
        for ((rel, text), old) in files.iter().zip(current) {
            let path = dir.join(rel);
            if let Some(old) = old {
                if old == text.as_bytes() {
                    continue;
                }
                // Synced before the stub replaces the file; a failed write leaves no empty backup.
                write_atomic(&backup.join(rel), &old).with_context(|| {
                    format!("cannot back up {}; it was not replaced", path.display())
                })?;
                backed_up = true;
            }
            write_atomic(&path, text.as_bytes())?;
        }
        Ok(backed_up.then_some(backup))
    }

    /// Takes the workspace's lock, so a second apilings on the same workspace gets a
    /// clear error instead of interleaved writes. Held until the guard is dropped.
    pub fn lock(&self) -> Result<WorkspaceLock> {
        let path = self.root.join(META_DIR).join("lock");
        use std::os::unix::fs::OpenOptionsExt as _;
        let mut file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            // A lock file that is a symlink is never followed (it could point anywhere).
            .custom_flags(nix::fcntl::OFlag::O_NOFOLLOW.bits())
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let holder = fs::read_to_string(&path).unwrap_or_default();
                let holder = holder.trim();
                let who = if holder.is_empty() {
                    String::new()
                } else {
                    format!(" (process {holder})")
                };
                bail!(
                    "another apilings is already working in {}{who}; close it first, or wait for it to finish",
                    self.root.display()
                );
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()));
            }
        }
        // Who holds it, for the message above; the lock itself does not need it
        // (on a full disk the pid cannot be written, and the lock still holds).
        let _ = file
            .set_len(0)
            .and_then(|()| write!(file, "{}", std::process::id()));
        Ok(WorkspaceLock { _file: file })
    }

    fn meta_path(&self) -> PathBuf {
        self.root.join(META_DIR).join(META_FILE)
    }

    fn meta(&self) -> Result<Meta> {
        let path = self.meta_path();
        let text =
            fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let meta: Meta =
            toml::from_str(&text).with_context(|| format!("{} is damaged", path.display()))?;
        if meta.format != FORMAT {
            bail!(
                "{} was made by a different apilings (workspace format {}, this one reads {FORMAT}); \
                 install the matching version, or create a new workspace with `apilings init DIR` and copy your files over",
                self.root.display(),
                meta.format
            );
        }
        Ok(meta)
    }
}

/// The workspace's `Cargo.toml`. Profile settings live here (not in environment
/// variables) so the learner's editor and apilings build with the same flags.
pub fn root_manifest(pack: &Pack) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Generated by apilings from the `{}` lesson pack.",
        pack.name
    );
    s.push_str("# Every lesson crate depends on the same crates with the same features,\n");
    s.push_str("# so building one lesson never rebuilds a dependency.\n\n");
    s.push_str("[workspace]\nresolver = \"3\"\nmembers = [\"kit\"");
    for lesson in &pack.lessons {
        let _ = write!(s, ", \"{}\"", lesson.id);
    }
    s.push_str("]\n\n[workspace.package]\nedition = \"2024\"\npublish = false\n\n");
    s.push_str("[workspace.dependencies]\nkit = { path = \"kit\" }\n");
    for (name, value) in &pack.dependencies {
        let _ = writeln!(s, "{name} = {value}");
    }
    s.push_str(
        "\n# Line tables are enough for panics with file:line, and link faster than full debug info.\n\
         [profile.dev]\ndebug = \"line-tables-only\"\n\n\
         [profile.dev.package.\"*\"]\ndebug = false\n",
    );
    s
}

/// 8 hex characters that tell this workspace's crates from another's (unique,
/// not secret: the clock stands in when the OS random source fails).
fn build_mark() -> String {
    let mut bytes = [0u8; 4];
    if getrandom::fill(&mut bytes).is_err() {
        let t = jiff::Timestamp::now().as_nanosecond() as u64 ^ u64::from(std::process::id());
        bytes.copy_from_slice(&t.to_le_bytes()[..4]);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The version of a workspace's own crates: `0.1.0+ws.<build>`. Cargo tells
/// crates apart by name and version (not by absolute path), so without the
/// build mark two workspaces sharing a target dir would share their lesson
/// crates' fingerprints and binaries.
fn member_version(build: Option<&str>) -> String {
    match build {
        Some(b) => format!("0.1.0+ws.{b}"),
        None => "0.1.0".into(),
    }
}

/// `manifest` (a `Cargo.toml`) with its package version set to `version`.
fn with_version(manifest: &str, version: &str) -> String {
    let mut done = false;
    manifest
        .lines()
        .map(|line| {
            if !done && line.trim_start().starts_with("version") && line.contains('=') {
                done = true;
                format!("version = \"{version}\"")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// The pack's lock with the workspace's own crates at `version`, so that
/// `--locked` builds accept it as it is.
fn lock_with_members(lock: &str, pack: &Pack, version: &str) -> String {
    let mut out = lock.to_string();
    let members =
        std::iter::once("kit".to_string()).chain(pack.lessons.iter().map(Lesson::crate_name));
    for name in members {
        out = out.replace(
            &format!("name = \"{name}\"\nversion = \"0.1.0\"\n"),
            &format!("name = \"{name}\"\nversion = \"{version}\"\n"),
        );
    }
    out
}

/// A lesson crate's `Cargo.toml`: the same dependency list for every lesson.
pub fn lesson_manifest(pack: &Pack, lesson: &Lesson, version: &str) -> String {
    let mut s = format!(
        "# Generated by apilings. Every lesson depends on the same crates, with the same features.\n\
         [package]\nname = \"{}\"\nversion = \"{version}\"\nedition.workspace = true\npublish.workspace = true\n\n\
         [dependencies]\nkit.workspace = true\n",
        lesson.crate_name()
    );
    for name in pack.dependencies.keys() {
        let _ = writeln!(s, "{name}.workspace = true");
    }
    s
}

/// Writes a file so that a crash leaves either the old or the new contents:
/// a temporary file in the same folder, flushed to disk, then renamed over.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().context("a file path has a parent folder")?;
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".apilings-tmp")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {} (is the disk full?)", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    // The rename is only durable once the folder itself is synced.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// A scratch workspace for a lesson's `mutant`: the learner's lesson crate
/// copied (their tests with it), the mutant's file swapped in, and a manifest
/// that builds only it against the workspace's own kit and lock. Lives in
/// `build_folder` (the run's own target folder, writable even when the
/// workspace is not), so the learner's files are never touched; rewritten
/// each time.
pub fn mutant_scratch(
    root: &Path,
    build_folder: &Path,
    lesson: &Lesson,
    name: &str,
) -> Result<PathBuf> {
    let mutant = lesson
        .mutants
        .get(name)
        .with_context(|| format!("lesson {} has no mutant `{name}`", lesson.id))?;
    let scratch = build_folder.join("mutants").join(&lesson.id).join(name);
    let _ = fs::remove_dir_all(&scratch);
    copy_tree(&root.join(&lesson.id), &scratch.join(&lesson.id))?;
    write_atomic(
        &scratch.join(&lesson.id).join(&mutant.file),
        mutant.text.as_bytes(),
    )?;
    // A package of its own name: cargo identifies path packages by their path
    // relative to the workspace root, the same here as in the learner's
    // workspace, and the two builds share a build folder.
    let crate_manifest = scratch.join(&lesson.id).join("Cargo.toml");
    let text = fs::read_to_string(&crate_manifest).context("reading the lesson's Cargo.toml")?;
    let mut package: toml::Table = text.parse().context("parsing the lesson's Cargo.toml")?;
    if let Some(p) = package
        .get_mut("package")
        .and_then(toml::Value::as_table_mut)
    {
        p.insert(
            "name".into(),
            toml::Value::from(mutant_package(lesson, name)),
        );
    }
    write_atomic(&crate_manifest, package.to_string().as_bytes())?;
    let manifest = fs::read_to_string(root.join("Cargo.toml")).context("reading Cargo.toml")?;
    let mut manifest: toml::Table = manifest.parse().context("parsing Cargo.toml")?;
    let kit = root.join("kit").canonicalize().context("finding the kit")?;
    if let Some(ws) = manifest
        .get_mut("workspace")
        .and_then(toml::Value::as_table_mut)
    {
        ws.insert("members".into(), toml::Value::from(vec![lesson.id.clone()]));
        if let Some(deps) = ws
            .get_mut("dependencies")
            .and_then(toml::Value::as_table_mut)
        {
            let mut path = toml::Table::new();
            path.insert("path".into(), toml::Value::from(kit.display().to_string()));
            deps.insert("kit".into(), toml::Value::Table(path));
        }
    }
    write_atomic(&scratch.join("Cargo.toml"), manifest.to_string().as_bytes())?;
    if let Ok(lock) = fs::read(root.join("Cargo.lock")) {
        write_atomic(&scratch.join("Cargo.lock"), &lock)?;
    }
    Ok(scratch)
}

/// The Cargo package name of `lesson`'s mutant `name` in its scratch workspace.
pub fn mutant_package(lesson: &Lesson, name: &str) -> String {
    format!("{}-mutant-{name}", lesson.crate_name())
}

/// Copies the files under `from` to `to`, leaving out `target` folders.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            if entry.file_name() != "target" {
                copy_tree(&path, &to.join(entry.file_name()))?;
            }
        } else {
            fs::copy(&path, to.join(entry.file_name()))
                .with_context(|| format!("copying {}", path.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_with_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let pack = Pack::embedded().unwrap();
        let (ws, _) = Workspace::init(&dir.path().join("ws"), &pack).unwrap();
        let held = ws.lock().unwrap();
        let err = ws.lock().unwrap_err().to_string();
        assert!(
            err.contains("another apilings is already working in"),
            "{err}"
        );
        assert!(err.contains(&std::process::id().to_string()), "{err}");
        drop(held);
        ws.lock().expect("free again once the first is dropped");
    }
}
