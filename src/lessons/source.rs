//! Where a pack's files come from: embedded in the binary, or a folder on disk.
//! Either way they are read whole into memory once (a pack is small text).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use super::PackError;

static LESSONS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/lessons");
static SOLUTIONS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/solutions");

/// Every text file of a pack, by path relative to the `lessons/` and `solutions/` folders.
#[derive(Debug, Clone, Default)]
pub struct PackFiles {
    lessons_root: Option<PathBuf>,
    solutions_root: Option<PathBuf>,
    lessons: BTreeMap<String, String>,
    solutions: BTreeMap<String, String>,
}

impl PackFiles {
    /// The pack compiled into this binary.
    pub fn embedded() -> Self {
        let mut files = PackFiles::default();
        collect_embedded(&LESSONS, &mut files.lessons);
        collect_embedded(&SOLUTIONS, &mut files.solutions);
        files
    }

    /// A pack from memory (for tests and tools): paths use `/`.
    pub fn from_maps(
        lessons: BTreeMap<String, String>,
        solutions: BTreeMap<String, String>,
    ) -> Self {
        PackFiles {
            lessons,
            solutions,
            ..PackFiles::default()
        }
    }

    /// A pack on disk. Solutions are read from `solutions` in `pack.toml`
    /// (relative to `lessons_dir`), by default `../solutions`.
    pub fn from_dir(lessons_dir: PathBuf) -> Result<Self, PackError> {
        let mut lessons = BTreeMap::new();
        read_tree(&lessons_dir, &lessons_dir, &mut lessons)?;
        let solutions_rel = lessons
            .get("pack.toml")
            .and_then(|t| t.parse::<toml::Table>().ok())
            .and_then(|t| {
                t.get("solutions")
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "../solutions".to_string());
        let solutions_dir = lessons_dir.join(&solutions_rel);
        // `solutions` may point next to the lessons, never anywhere else on the machine.
        let parent = lessons_dir
            .canonicalize()
            .ok()
            .and_then(|d| d.parent().map(Path::to_path_buf));
        if let (Ok(sol), Some(parent)) = (solutions_dir.canonicalize(), parent)
            && !sol.starts_with(&parent)
        {
            return Err(PackError::file(
                lessons_dir.join("pack.toml").display().to_string(),
                format!(
                    "`solutions = \"{solutions_rel}\"` leads out of the pack's folder ({}); keep solutions beside the lessons",
                    parent.display()
                ),
            ));
        }
        let mut solutions = BTreeMap::new();
        if solutions_dir.is_dir() {
            read_tree(&solutions_dir, &solutions_dir, &mut solutions)?;
        }
        Ok(PackFiles {
            lessons_root: Some(lessons_dir),
            solutions_root: Some(solutions_dir),
            lessons,
            solutions,
        })
    }

    /// A hash of every file of the pack, by path and text (FNV-1a, 64 bits:
    /// stable across builds and versions, unlike std's hasher).
    pub fn hash(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |bytes: &[u8]| {
            for b in bytes {
                h ^= u64::from(*b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        };
        for (side, map) in [("lessons", &self.lessons), ("solutions", &self.solutions)] {
            for (path, text) in map {
                for part in [side.as_bytes(), path.as_bytes(), text.as_bytes()] {
                    eat(part);
                    eat(&[0]);
                }
            }
        }
        format!("{h:016x}")
    }

    /// `embedded` or the folder the pack was read from.
    pub fn origin(&self) -> String {
        match &self.lessons_root {
            Some(p) => p.display().to_string(),
            None => "embedded".into(),
        }
    }

    /// How to name a pack file in a message.
    pub fn label(&self, rel: &str) -> String {
        match &self.lessons_root {
            Some(root) => root.join(rel).display().to_string(),
            None => format!("lessons/{rel}"),
        }
    }

    /// The solutions folder of a pack on disk (`solutions` of pack.toml).
    pub fn solutions_root(&self) -> PathBuf {
        self.solutions_root
            .clone()
            .unwrap_or_else(|| PathBuf::from("solutions"))
    }

    /// How to name a lesson's solution folder in a message.
    pub fn solutions_label(&self, dir: &str) -> String {
        match &self.solutions_root {
            Some(root) => root.join(dir).display().to_string(),
            None => format!("solutions/{dir}"),
        }
    }

    /// Top-level folders that hold a `lesson.toml`, sorted (the lesson order).
    pub fn lesson_dirs(&self) -> Vec<String> {
        self.lessons
            .keys()
            .filter_map(|p| p.strip_suffix("/lesson.toml"))
            .filter(|d| !d.contains('/'))
            .map(str::to_string)
            .collect()
    }

    /// One file of the `lessons/` folder.
    pub fn lesson_file(&self, rel: &str) -> Option<&str> {
        self.lessons.get(rel).map(String::as_str)
    }

    /// Every file below `dir` of the `lessons/` folder, relative to `dir`.
    pub fn under(&self, dir: &str) -> Vec<(String, String)> {
        under(&self.lessons, dir)
    }

    /// Every file below `dir` of the `solutions/` folder, relative to `dir`.
    pub fn solution_files(&self, dir: &str) -> Vec<(String, String)> {
        under(&self.solutions, dir)
    }
}

fn under(map: &BTreeMap<String, String>, dir: &str) -> Vec<(String, String)> {
    let prefix = format!("{dir}/");
    map.iter()
        .filter_map(|(p, t)| {
            p.strip_prefix(&prefix)
                .map(|rel| (rel.to_string(), t.clone()))
        })
        .collect()
}

fn collect_embedded(dir: &Dir<'_>, out: &mut BTreeMap<String, String>) {
    for file in dir.files() {
        if let Some(text) = file.contents_utf8() {
            let key = file.path().to_string_lossy().replace('\\', "/");
            out.insert(key, text.to_string());
        }
    }
    for sub in dir.dirs() {
        collect_embedded(sub, out);
    }
}

/// The most bytes of one pack file: packs are small text, and a huge file is a mistake.
const FILE_CAP: u64 = 1 << 20;
/// The most files of a pack folder.
const FILES_CAP: usize = 10_000;

fn read_tree(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) -> Result<(), PackError> {
    let io = |path: &Path, source| PackError::Io {
        path: path.display().to_string(),
        source,
    };
    let refuse = |path: &Path, why: String| PackError::file(path.display().to_string(), why);
    for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
        let entry = entry.map_err(|e| io(dir, e))?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // Build output and editor droppings are not part of a pack.
        if name.starts_with('.') || name == "target" {
            continue;
        }
        // Not followed: a symlink may only name a regular file inside the pack.
        let kind = entry.file_type().map_err(|e| io(&path, e))?;
        if kind.is_dir() {
            read_tree(root, &path, out)?;
            continue;
        }
        if kind.is_symlink() {
            let inside = match (path.canonicalize(), root.canonicalize()) {
                (Ok(target), Ok(root)) => target.starts_with(root) && target.is_file(),
                _ => false,
            };
            if !inside {
                return Err(refuse(&path, "a symlink that leads out of the pack (or to no file): packs hold only their own files".into()));
            }
        } else if !kind.is_file() {
            return Err(refuse(
                &path,
                "not a regular file (a pipe, a socket or a device): packs hold only text files"
                    .into(),
            ));
        }
        let size = std::fs::metadata(&path).map_err(|e| io(&path, e))?.len();
        if size > FILE_CAP {
            return Err(refuse(
                &path,
                format!("{size} bytes; a pack file may hold at most 1 MiB"),
            ));
        }
        if out.len() >= FILES_CAP {
            return Err(refuse(
                dir,
                format!("more than {FILES_CAP} files: is this really a lesson pack?"),
            ));
        }
        let bytes = std::fs::read(&path).map_err(|e| io(&path, e))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let valid = std::str::from_utf8(valid).unwrap_or_default();
            PackError::Problems(vec![super::Problem::at(
                path.display().to_string(),
                valid,
                valid.len()..valid.len(),
                "not valid UTF-8: packs are text",
            )])
        })?;
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        out.insert(rel, text);
    }
    Ok(())
}
