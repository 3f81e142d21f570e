//! `apilings dev …`: an instructor's tools to write a pack — scaffold one,
//! scaffold a lesson in it, check it like a compiler and verify it.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use apilings::lessons::scaffold;
use apilings::lessons::{Pack, PackError, PackFiles, Schema, problem};
use apilings::session::RunOptions;

/// What `apilings dev` does.
#[derive(Debug, clap::Subcommand)]
pub enum DevCommand {
    /// Scaffold a lesson pack in DIR (lessons/ and solutions/) that builds and verifies.
    NewPack {
        /// The folder to create (must not exist or be empty).
        dir: PathBuf,
        /// The pack's name (default: the folder's name).
        #[arg(long)]
        name: Option<String>,
    },
    /// Scaffold a lesson at the end of the pack (--lessons DIR, else ./lessons).
    New {
        /// The lesson's slug, e.g. `rate-limits` (the folder becomes `NN-rate-limits`).
        slug: String,
    },
    /// Print the JSON Schema of lesson.toml or pack.toml (for a pack's `lesson.schema.json`, `pack.schema.json`).
    Schema {
        /// Which file's schema.
        #[arg(value_enum, default_value_t = SchemaOf::Lesson)]
        of: SchemaOf,
    },
    /// Check a pack (--lessons DIR, else ./lessons): every problem at once, then verify it.
    Check {
        /// Only check the files; do not build and verify the lessons.
        #[arg(long)]
        no_build: bool,
        /// Build in this target dir (default: $CARGO_TARGET_DIR, else a cache folder).
        #[arg(long, value_name = "DIR")]
        target_dir: Option<PathBuf>,
        /// Build with --locked: fail if the pack's Cargo.lock is out of date.
        #[arg(long)]
        locked: bool,
    },
}

/// The files `dev schema` describes.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SchemaOf {
    /// lesson.toml
    Lesson,
    /// pack.toml
    Pack,
}

/// Runs a `dev` command. `lessons` is `--lessons` (or `APILINGS_LESSONS`).
pub async fn run(
    command: DevCommand,
    lessons: Option<PathBuf>,
    cwd: &Path,
    opts: RunOptions,
) -> Result<ExitCode> {
    match command {
        DevCommand::NewPack { dir, name } => new_pack(&dir, name),
        DevCommand::New { slug } => new_lesson(&pack_dir(lessons, cwd)?, &slug),
        DevCommand::Schema { of } => {
            let schema = match of {
                SchemaOf::Lesson => Schema::Lesson,
                SchemaOf::Pack => Schema::Pack,
            };
            print!("{}", schema.text());
            Ok(ExitCode::SUCCESS)
        }
        DevCommand::Check {
            no_build,
            target_dir,
            locked,
        } => {
            let dir = pack_dir(lessons, cwd)?;
            let files = match PackFiles::from_dir(dir.clone()) {
                Ok(files) => files,
                Err(e) => {
                    eprint!("{}", e.render(std::io::stderr().is_terminal()));
                    return Ok(ExitCode::FAILURE);
                }
            };
            let (pack, problems) = Pack::check(&files);
            if !problems.is_empty() {
                eprint!(
                    "{}",
                    problem::render(&problems, std::io::stderr().is_terminal())
                );
                return Ok(ExitCode::FAILURE);
            }
            let pack = pack.context("the pack did not load, yet no problem was found")?;
            let n = pack.lessons.len();
            println!(
                "✓ {}: the `{}` pack's files are well formed ({n} lesson{})",
                dir.display(),
                pack.name,
                if n == 1 { "" } else { "s" }
            );
            if no_build {
                return Ok(ExitCode::SUCCESS);
            }
            super::verify(&pack, &[], target_dir, locked, opts).await
        }
    }
}

/// The pack to work on: `--lessons`, else `./lessons` when it holds a pack.
fn pack_dir(lessons: Option<PathBuf>, cwd: &Path) -> Result<PathBuf> {
    // Paths stay as given (relative to the current folder): messages read better.
    if let Some(dir) = lessons {
        return Ok(dir);
    }
    if cwd.join("lessons/pack.toml").is_file() {
        return Ok(PathBuf::from("lessons"));
    }
    bail!(
        "which pack? Name its lessons folder (the one holding pack.toml) with `--lessons DIR` \
         or APILINGS_LESSONS; `apilings dev new-pack DIR` makes a new one"
    )
}

fn new_pack(dir: &Path, name: Option<String>) -> Result<ExitCode> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .next()
            .is_some()
    {
        bail!(
            "{} already exists and is not empty: a new pack needs a folder of its own",
            dir.display()
        );
    }
    let name = name.unwrap_or_else(|| {
        dir.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "my-pack".into())
    });
    write_new(dir, &scaffold::new_pack(&name))?;
    let lessons = dir.join("lessons");
    println!(
        "Created the `{name}` pack in {}: lessons/ (pack.toml, kit, lesson 01-hello) and solutions/.\n\
         Next: `apilings dev new SLUG --lessons {}` adds a lesson; `apilings dev check --lessons {}` checks and verifies the pack.",
        dir.display(),
        lessons.display(),
        lessons.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn new_lesson(lessons: &Path, slug: &str) -> Result<ExitCode> {
    if !lessons.join("pack.toml").is_file() {
        bail!(
            "{} holds no pack.toml: name a pack's lessons folder (`apilings dev new-pack DIR` makes one)",
            lessons.display()
        );
    }
    let files = match PackFiles::from_dir(lessons.to_path_buf()) {
        Ok(files) => files,
        Err(e @ PackError::Io { .. }) => return Err(e.into()),
        Err(e) => {
            eprint!("{}", e.render(std::io::stderr().is_terminal()));
            return Ok(ExitCode::from(2));
        }
    };
    let dir = scaffold::next_dir(&files.lesson_dirs(), slug).map_err(anyhow::Error::msg)?;
    // The schema editors read: the pack's own copy, else the repository's (core pack).
    let schema = if lessons.join("lesson.schema.json").is_file() {
        "../lesson.schema.json"
    } else if lessons.join("../docs/lesson.schema.json").is_file() {
        "../../docs/lesson.schema.json"
    } else {
        std::fs::write(lessons.join("lesson.schema.json"), Schema::Lesson.text())?;
        "../lesson.schema.json"
    };
    let solutions = files.solutions_root();
    // `lessons/../solutions` reads as `solutions`.
    let solutions = match solutions.strip_prefix(lessons.join("..")) {
        Ok(rel) => lessons.parent().unwrap_or(Path::new("")).join(rel),
        Err(_) => solutions,
    };
    let (lesson, solution) = scaffold::new_lesson(&dir, schema);
    write_new(lessons, &lesson)?;
    write_new(&solutions, &solution)?;
    println!(
        "Created {}/{dir}: lesson.toml, README.md and src/main.rs (the stub), and its solution in {}/{dir}.\n\
         It verifies as it is; `apilings dev check --lessons {}` lists what is left for you to write.",
        lessons.display(),
        solutions.display(),
        lessons.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes files that must not exist yet (never overwrites an author's file).
fn write_new(root: &Path, files: &[(String, String)]) -> Result<()> {
    for (rel, text) in files {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        std::io::Write::write_all(&mut file, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}
