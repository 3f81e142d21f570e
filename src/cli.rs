//! Commands of the `apilings` binary. Glue only: finds the pack and the workspace,
//! calls the session, prints the report, records progress.
//!
//! Exit codes: 0 success (for `check`, `grade` and `verify`: everything passed), 1 items
//! failed, 2 the command could not do its work (bad input, no workspace, …),
//! 130, 143 or 129 when stopped by SIGINT (Ctrl-C), SIGTERM or SIGHUP.

mod dev;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

use apilings::lessons::{Lesson, Pack};
use apilings::report::{self, GradeReport, Reporter, RunReport};
use apilings::session::{self, RunOptions, Stack};
use apilings::workspace::{LessonState, PackCheck, Progress, Workspace};

/// A terminal kata workbook: build production-ready HTTP backends in axum,
/// one graded lesson at a time.
#[derive(Debug, Parser)]
#[command(name = "apilings", version, about)]
pub struct Args {
    /// Load the lesson pack from this folder (holding pack.toml) instead of the built-in one.
    #[arg(long, global = true, value_name = "DIR", env = "APILINGS_LESSONS")]
    lessons: Option<PathBuf>,

    /// The most seconds a build may take before it is stopped (the first build compiles every dependency).
    #[arg(long, global = true, value_name = "SECS", default_value_t = 900)]
    build_timeout: u64,

    #[command(subcommand)]
    command: Option<Command>,
}

/// A format of `grade`'s report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// One line per lesson, then every failure in full.
    Text,
    /// One JSON document (docs/grading.md, docs/report.schema.json).
    Json,
    /// JUnit XML, one testcase per checklist item (GitLab, GitHub reporters, Jenkins).
    Junit,
    /// exercism's results.json, version 3.
    Exercism,
    /// GitHub Classroom's runner result: one test per item, one point each.
    Classroom,
}

/// Grade a server other than the lesson's crate (any stack).
#[derive(Debug, Clone, clap::Args)]
struct ServerArgs {
    /// Start this command instead of the lesson's crate (run by `sh -c` here,
    /// with PORT set; `{port}` in it is the port), e.g. "uvicorn app:app --port {port}".
    #[arg(long, value_name = "COMMAND", conflicts_with = "url")]
    cmd: Option<String>,
    /// Grade the server already running at this loopback URL, e.g. http://127.0.0.1:8000.
    #[arg(long, value_name = "URL")]
    url: Option<String>,
}

impl ServerArgs {
    /// The stack these arguments choose, run from `cwd`.
    fn stack(&self, cwd: &Path) -> Result<Stack> {
        Ok(match (&self.cmd, &self.url) {
            (Some(line), _) => Stack::Command {
                line: line.clone(),
                cwd: cwd.to_path_buf(),
            },
            (None, Some(url)) => Stack::running(url).map_err(anyhow::Error::msg)?,
            (None, None) => Stack::Crate,
        })
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create your workspace (default: ./apilings-workspace), or add what is missing to one.
    Init {
        /// Where to create it.
        dir: Option<PathBuf>,
    },
    /// Show the lessons in order with their state.
    List,
    /// Bring the pack's new lessons and files into your workspace (your files are kept).
    Update,
    /// Build a lesson, start its server and grade every checklist item.
    Check {
        /// Lesson id, slug or number (default: the current lesson).
        lesson: Option<String>,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Grade lessons headless, for CI and instructors (exit 0 only when every lesson passes).
    ///
    /// One build of every lesson, then each lesson's checks. Reads the workspace,
    /// never writes to it.
    Grade {
        /// Only these lessons (default: all).
        #[arg(value_name = "LESSON")]
        only: Vec<String>,
        /// How to write the report: `text` for people, the others for programs (docs/grading.md).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Write the report to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        server: ServerArgs,
        /// A TOML file naming each lesson's server (docs/grading.md); without
        /// LESSONs, the lessons it names are graded.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["cmd", "url"])]
        servers: Option<PathBuf>,
        /// Grade a class: every folder in DIR is a learner's workspace; their
        /// dependencies are built once (docs/grading.md). Text, json or junit.
        #[arg(long, value_name = "DIR", conflicts_with_all = ["cmd", "url", "servers"])]
        class: Option<PathBuf>,
    },
    /// Show the hints of a lesson's failing items.
    Hint {
        /// Lesson id, slug or number (default: the current lesson).
        lesson: Option<String>,
    },
    /// Put a lesson's files back as they were, keeping a backup of yours.
    Reset {
        /// Lesson id, slug or number.
        lesson: String,
    },
    /// Show a lesson's solution (once the lesson has passed).
    Solution {
        /// Lesson id, slug or number.
        lesson: String,
        /// Show it even though the lesson has not passed yet.
        #[arg(long)]
        force: bool,
    },
    /// For instructors: scaffold a pack or a lesson, check a pack (docs/first-lesson.md).
    Dev {
        #[command(subcommand)]
        command: dev::DevCommand,
    },
    /// For instructors: prove every item fails on its stub and passes on its solution.
    Verify {
        /// Only these lessons (default: all).
        #[arg(value_name = "LESSON")]
        only: Vec<String>,
        /// Build in this target dir (default: $CARGO_TARGET_DIR, else a cache folder).
        #[arg(long, value_name = "DIR")]
        target_dir: Option<PathBuf>,
        /// Build with --locked: fail if the pack's Cargo.lock is out of date.
        #[arg(long)]
        locked: bool,
    },
}

/// Runs the parsed command.
pub async fn run(args: Args) -> Result<ExitCode> {
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    let mut opts = RunOptions::default();
    opts.bounds.build = std::time::Duration::from_secs(args.build_timeout);
    let command = match args.command {
        Some(Command::Dev { command }) => return dev::run(command, args.lessons, &cwd, opts).await,
        other => other,
    };
    let pack = match &args.lessons {
        Some(dir) => match Pack::from_dir(dir) {
            Ok(pack) => pack,
            Err(e) => {
                use std::io::IsTerminal as _;
                eprint!("{}", e.render(std::io::stderr().is_terminal()));
                return Ok(ExitCode::from(2));
            }
        },
        None => Pack::embedded().context("the built-in lesson pack is broken")?,
    };
    match command {
        None => open_default(pack, &cwd, opts).await,
        Some(Command::Init { dir }) => {
            let dir = dir
                .map(|d| cwd.join(d))
                .unwrap_or_else(|| session::default_workspace_dir(&cwd));
            init(&pack, &dir)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::List) => {
            let ws = open_workspace(&pack, &cwd)?;
            print!("{}", list_text(&pack, &load_progress(&ws)));
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Update) => update(&pack, &cwd),
        Some(Command::Check { lesson, server }) => {
            opts.stacks.default = server.stack(&cwd)?;
            check(&pack, &cwd, lesson.as_deref(), &opts).await
        }
        Some(Command::Grade {
            mut only,
            format,
            output,
            server,
            servers,
            class,
        }) => {
            if let Some(dir) = class {
                return grade_class(
                    &pack,
                    &cwd.join(dir),
                    &only,
                    &opts,
                    format,
                    output.as_deref(),
                )
                .await;
            }
            opts.stacks.default = server.stack(&cwd)?;
            if let Some(file) = servers {
                let named = read_servers(&pack, &cwd.join(file), &mut opts.stacks)?;
                if only.is_empty() {
                    only = named;
                }
            }
            grade(&pack, &cwd, &only, &opts, format, output.as_deref()).await
        }
        Some(Command::Hint { lesson }) => hint(&pack, &cwd, lesson.as_deref()),
        Some(Command::Reset { lesson }) => {
            let ws = open_workspace(&pack, &cwd)?;
            let _lock = ws.lock()?;
            let lesson = pack.find(&lesson)?;
            match ws.reset(&pack, lesson)? {
                Some(backup) => println!(
                    "Reset {}. Your previous files are kept in {}",
                    lesson.id,
                    backup.display()
                ),
                None => println!(
                    "{} already matches its starting files; nothing to back up.",
                    lesson.id
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Solution { lesson, force }) => {
            let ws = open_workspace(&pack, &cwd)?;
            let lesson = pack.find(&lesson)?;
            if load_progress(&ws).state(&lesson.id) != LessonState::Passed && !force {
                bail!(
                    "{} has not passed yet. Try `apilings hint {}` first, or add --force to see the solution anyway",
                    lesson.id,
                    lesson.id
                );
            }
            for (rel, text) in &lesson.solution {
                println!("── {}/{rel} ──\n{text}", lesson.id);
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Verify {
            only,
            target_dir,
            locked,
        }) => verify(&pack, &only, target_dir, locked, opts).await,
        Some(Command::Dev { .. }) => Ok(ExitCode::from(2)), // ran above, before the pack loaded
    }
}

async fn open_default(pack: Pack, cwd: &Path, opts: RunOptions) -> Result<ExitCode> {
    use std::io::IsTerminal as _;
    let pack_ref = &pack;
    let mut welcome = None;
    let ws = match Workspace::find(cwd) {
        Some(ws) => {
            open_workspace(pack_ref, ws.root())?;
            ws
        }
        None => {
            let dir = session::default_workspace_dir(cwd);
            if !dir.join(apilings::workspace::META_DIR).exists() {
                println!("No workspace here yet; creating one at {}", dir.display());
                welcome = Some(format!("Created your workspace in {}", dir.display()));
            }
            init(pack_ref, &dir)?
        }
    };
    // The TUI needs a terminal; piped (scripts, tests) it prints the list and the next step.
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        apilings::tui::run(pack, ws, opts, welcome).await?;
        return Ok(ExitCode::SUCCESS);
    }
    let progress = load_progress(&ws);
    print!("{}", list_text(pack_ref, &progress));
    match current_lesson(pack_ref, &progress) {
        Some(lesson) => println!(
            "\nNext: read {}/README.md, edit {} in your editor, then run `apilings check` inside {}",
            lesson.id,
            lesson
                .edit
                .iter()
                .map(|e| format!("{}/{e}", lesson.id))
                .collect::<Vec<_>>()
                .join(", "),
            ws.root().display()
        ),
        None => println!("\nEvery lesson passes. Well done!"),
    }
    Ok(ExitCode::SUCCESS)
}

/// The workspace around `cwd`, made from `pack`: another pack's is refused
/// (with what to run instead); a changed pack is a warning (`apilings update`).
fn open_workspace(pack: &Pack, cwd: &Path) -> Result<Workspace> {
    let ws = Workspace::open(cwd)?;
    match ws.pack_check(pack)? {
        PackCheck::Same => {}
        PackCheck::Changed(why) => eprintln!("warning: {why}"),
        PackCheck::Other(why) => bail!("{why}"),
    }
    Ok(ws)
}

fn update(pack: &Pack, cwd: &Path) -> Result<ExitCode> {
    let ws = Workspace::open(cwd)?;
    let _lock = ws.lock()?;
    let report = ws.update(pack)?;
    if report.new_lessons.is_empty() {
        println!("No new lessons in the `{}` pack.", pack.name);
    } else {
        println!("New lessons: {}", report.new_lessons.join(", "));
    }
    println!(
        "{} file(s) added; your lesson files were left as they are.",
        report.added
    );
    if let Some(backup) = &report.backup {
        println!(
            "{} of apilings' own file(s) (manifests, lock, kit) written anew; the old ones are in {}",
            report.refreshed,
            backup.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn init(pack: &Pack, dir: &Path) -> Result<Workspace> {
    let (ws, report) = Workspace::init(dir, pack)?;
    if report.existed {
        println!(
            "{} is already an apilings workspace: added {} missing file(s), left {} of yours untouched.",
            dir.display(),
            report.written,
            report.kept
        );
    } else {
        println!(
            "Created your apilings workspace in {} ({} lessons).\n\
             The first build compiles the dependencies once (about a minute); later builds take about a second.",
            dir.display(),
            pack.lessons.len()
        );
    }
    Ok(ws)
}

fn load_progress(ws: &Workspace) -> Progress {
    let (progress, warning) = ws.progress();
    if let Some(w) = warning {
        eprintln!("warning: {w}");
    }
    progress
}

/// The first lesson that has not passed.
fn current_lesson<'p>(pack: &'p Pack, progress: &Progress) -> Option<&'p Lesson> {
    pack.lessons
        .iter()
        .find(|l| progress.state(&l.id) != LessonState::Passed)
}

/// The lesson named, else the one whose folder `cwd` is in, else the current one.
fn pick<'p>(
    pack: &'p Pack,
    ws: &Workspace,
    cwd: &Path,
    progress: &Progress,
    name: Option<&str>,
) -> Result<&'p Lesson> {
    match name {
        Some(n) => Ok(pack.find(n)?),
        None => ws
            .lesson_at(pack, cwd)
            .or_else(|| current_lesson(pack, progress))
            .or(pack.lessons.last())
            .context("the pack has no lessons"),
    }
}

fn list_text(pack: &Pack, progress: &Progress) -> String {
    let done = pack
        .lessons
        .iter()
        .filter(|l| progress.state(&l.id) == LessonState::Passed)
        .count();
    let current = current_lesson(pack, progress).map(|l| l.id.as_str());
    let mut s = String::new();
    for l in &pack.lessons {
        let state = progress.state(&l.id);
        let mark = match state {
            LessonState::Passed => "✓",
            LessonState::Failing => "✗",
            LessonState::NotStarted => " ",
        };
        let here = if Some(l.id.as_str()) == current {
            "  ← current"
        } else {
            ""
        };
        s.push_str(&format!(
            "{mark} {:<28} {:<12} {}{here}\n",
            l.id,
            state.to_string(),
            l.title
        ));
    }
    s.push_str(&format!(
        "\n{done} of {} lessons done.\n",
        pack.lessons.len()
    ));
    s
}

async fn check(pack: &Pack, cwd: &Path, name: Option<&str>, opts: &RunOptions) -> Result<ExitCode> {
    if opts.stacks.default != Stack::Crate {
        return check_other_stack(pack, cwd, name, opts).await;
    }
    let ws = open_workspace(pack, cwd)?;
    let _lock = ws.lock()?;
    let mut progress = load_progress(&ws);
    let lesson = pick(pack, &ws, cwd, &progress, name)?;
    println!("Checking {} …", lesson.id);
    let (events, progress_events) = tokio::sync::mpsc::unbounded_channel();
    let shown = tokio::spawn(show_build_progress(progress_events, ws.clone()));
    let run = session::run_lesson_reporting(ws.root(), lesson, opts, Some(events));
    let report: RunReport = match unless_interrupted(run, "the build and the server").await {
        Ok(report) => report,
        Err(code) => return Ok(code),
    };
    let _ = shown.await;
    print!("{}", report::text::Lessons.lesson(&report));
    progress.record_run(&report);
    ws.save_progress(&progress)?;
    if report.passed() {
        if let Some(next) = pack.lessons.iter().skip_while(|l| l.id != lesson.id).nth(1) {
            println!(
                "Next lesson: {} — {} (`apilings check {}`)",
                next.id, next.title, next.id
            );
        }
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::FAILURE)
    }
}

/// `check` of a server that is not the lesson's crate: no workspace needed,
/// and no progress recorded (the workspace's progress is its crates').
async fn check_other_stack(
    pack: &Pack,
    cwd: &Path,
    name: Option<&str>,
    opts: &RunOptions,
) -> Result<ExitCode> {
    let lesson = match name {
        Some(n) => pack.find(n)?,
        None => bail!(
            "name the lesson to check its server against, e.g. `apilings check 01 --cmd \"…\"`"
        ),
    };
    println!("Checking {} …", lesson.id);
    let run = session::run_lesson(cwd, lesson, opts);
    let report = match unless_interrupted(run, "the server").await {
        Ok(report) => report,
        Err(code) => return Ok(code),
    };
    print!("{}", report::text::Lessons.lesson(&report));
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Reads a servers file into `stacks`; returns the lessons it names, in pack order.
///
/// ```toml
/// [lessons]
/// 01 = { cmd = "python -m uvicorn lesson01:app --port {port}" }
/// 02-rest-resources = { cmd = "…", cwd = "app" }   # cwd: relative to this file
/// 03 = { url = "http://127.0.0.1:8000" }
/// ```
fn read_servers(pack: &Pack, file: &Path, stacks: &mut session::Stacks) -> Result<Vec<String>> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        lessons: std::collections::BTreeMap<String, Entry>,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Entry {
        cmd: Option<String>,
        url: Option<String>,
        cwd: Option<PathBuf>,
    }
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the servers file {}", file.display()))?;
    let parsed: File = toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|s| apilings::lessons::line_col(&text, s.start))
            .map(|(line, col)| format!(":{line}:{col}"))
            .unwrap_or_default();
        anyhow::anyhow!("{}{at}: {}\n{e}", file.display(), e.message())
    })?;
    let base = file.parent().unwrap_or(Path::new("."));
    let mut named = Vec::new();
    for (key, entry) in parsed.lessons {
        let lesson = pack
            .find(&key)
            .with_context(|| format!("{}: lesson `{key}`", file.display()))?;
        let stack = match (entry.cmd, entry.url) {
            (Some(line), None) => Stack::Command {
                line,
                cwd: base.join(entry.cwd.unwrap_or_default()),
            },
            (None, Some(url)) => Stack::running(&url)
                .map_err(|e| anyhow::anyhow!("{}: lesson `{key}`: {e}", file.display()))?,
            _ => bail!(
                "{}: lesson `{key}` needs either `cmd` or `url`, not both or neither",
                file.display()
            ),
        };
        stacks.lessons.insert(lesson.id.clone(), stack);
        named.push(lesson.id.clone());
    }
    named.sort_by_key(|id| pack.lessons.iter().position(|l| &l.id == id));
    Ok(named)
}

/// A verification problem in the instructor's words.
fn problem_text(p: &session::Problem) -> String {
    use session::Problem;
    match p {
        Problem::StubStopped(why) => format!(
            "the stub must build and run so that each item fails on its own merits, but: {}",
            report::text::stopped_line(why)
        ),
        Problem::PassesOnStub(item) => format!("item `{item}` does not fail on the stub"),
        Problem::SolutionStopped(why) => format!(
            "the solution did not run: {}",
            report::text::stopped_line(why)
        ),
        Problem::FailsOnSolution(item) => format!("item `{item}` does not pass on the solution"),
    }
}

/// Prints the build's progress on stderr once it has taken a while (the first
/// build compiles every dependency): a line that updates on a terminal, a line
/// every few seconds otherwise. Quiet on the fast loop.
async fn show_build_progress(
    mut events: tokio::sync::mpsc::UnboundedReceiver<apilings::runner::BuildEvent>,
    ws: Workspace,
) {
    use apilings::runner::BuildEvent;
    use std::io::{IsTerminal as _, Write as _};
    let started = std::time::Instant::now();
    let terminal = std::io::stderr().is_terminal();
    let mut last_line = started;
    let mut drew = false;
    // Read only once a build is slow: the fast loop never pays for it.
    let mut total = None;
    while let Some(event) = events.recv().await {
        let elapsed = started.elapsed();
        if elapsed < std::time::Duration::from_secs(2) {
            continue;
        }
        let text = match event {
            BuildEvent::Finished(done) => format!(
                "building: {done}/{} crates ({:.0} s; the first build compiles the dependencies once)",
                (*total.get_or_insert_with(|| ws.lock_packages())).max(done),
                elapsed.as_secs_f64()
            ),
            BuildEvent::WaitingForLock => {
                "building: waiting for another cargo's build lock (rust-analyzer, a terminal)"
                    .into()
            }
        };
        let mut err = std::io::stderr();
        if terminal {
            let _ = write!(err, "\r\x1b[2K{text}");
            drew = true;
        } else if last_line.elapsed() >= std::time::Duration::from_secs(5) {
            let _ = writeln!(err, "{text}");
            last_line = std::time::Instant::now();
        }
    }
    if drew {
        let _ = writeln!(std::io::stderr());
    }
}

async fn grade(
    pack: &Pack,
    cwd: &Path,
    names: &[String],
    opts: &RunOptions,
    format: Format,
    output: Option<&Path>,
) -> Result<ExitCode> {
    let lessons = select(pack, names)?;
    // A workspace only when a lesson's crate is graded. No workspace lock:
    // grading writes nothing there, so it may run while the TUI is open, and
    // on a workspace it cannot write to at all.
    let builds = lessons.iter().any(|l| *opts.stacks.of(l) == Stack::Crate);
    let root = if builds {
        open_workspace(pack, cwd)?.root().to_path_buf()
    } else {
        cwd.to_path_buf()
    };
    let mut opts = opts.clone();
    // Cargo would otherwise write Cargo.lock when a manifest changed.
    opts.locked = true;
    if builds
        && opts.target_dir.is_none()
        && std::env::var_os("CARGO_TARGET_DIR").is_none()
        && !writable(&root.join("target"))
    {
        // A read-only workspace (a mounted submission): build in a cache folder.
        opts.target_dir = cache_dir("grade-target");
    }
    let opts = &opts;
    let mut reporter: Box<dyn Reporter> = match format {
        Format::Text => Box::new(report::text::Summary::new(
            lessons
                .iter()
                .filter(|l| *opts.stacks.of(l) == Stack::Crate)
                .count(),
        )),
        Format::Json => Box::new(report::json::Json),
        Format::Junit => Box::new(report::junit::Junit),
        Format::Exercism => Box::new(report::exercism::Exercism),
        Format::Classroom => Box::new(report::classroom::Classroom),
    };
    // Standard output carries the report alone when a program reads it.
    let heading = format!(
        "Grading {} lesson(s) in {} …",
        lessons.len(),
        root.display()
    );
    if format == Format::Text && output.is_none() {
        println!("{heading}");
    } else {
        eprintln!("{heading}");
    }
    // Each lesson's part as it is graded, or all of it into the file at the end.
    let mut kept = String::new();
    let run = session::grade(&root, &lessons, opts, |r| {
        let part = reporter.lesson(r);
        match output {
            Some(_) => kept.push_str(&part),
            None => print!("{part}"),
        }
    });
    let graded = match unless_interrupted(run, "the build and the server").await {
        Ok(graded) => graded,
        Err(code) => return Ok(code),
    };
    kept.push_str(&reporter.finish(&graded));
    deliver(output, &kept)?;
    Ok(grade_exit(graded.could_not_grade(), graded.passed()))
}

/// The report into `output`, or on standard output.
fn deliver(output: Option<&Path>, report: &str) -> Result<()> {
    match output {
        Some(path) => std::fs::write(path, report)
            .with_context(|| format!("cannot write the report to {}", path.display())),
        None => {
            print!("{report}");
            Ok(())
        }
    }
}

/// `grade`'s exit code: 2 when a lesson could not be graded for a reason
/// outside the learner's code (cargo missing, no port, a lesson's own bug).
fn grade_exit(could_not_grade: bool, passed: bool) -> ExitCode {
    if could_not_grade {
        ExitCode::from(2)
    } else if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `grade --class DIR`: every folder of DIR graded as a learner's workspace.
async fn grade_class(
    pack: &Pack,
    dir: &Path,
    names: &[String],
    opts: &RunOptions,
    format: Format,
    output: Option<&Path>,
) -> Result<ExitCode> {
    if !matches!(format, Format::Text | Format::Json | Format::Junit) {
        bail!("--class writes text, json or junit");
    }
    let lessons = select(pack, names)?;
    let mut learners: Vec<session::Learner> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the class folder {}", dir.display()))?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir() && !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| session::Learner {
            name: e.file_name().to_string_lossy().into_owned(),
            dir: e.path(),
        })
        .collect();
    learners.sort_by(|a, b| a.name.cmp(&b.name));
    if learners.is_empty() {
        bail!("{} holds no learner folders", dir.display());
    }
    // One build folder per Cargo.lock, shared by the class's workspaces.
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| cache_dir("class-target"))
        .context("no folder to build in: set CARGO_TARGET_DIR or HOME")?;
    let text = format == Format::Text && output.is_none();
    let heading = format!(
        "Grading {} lesson(s) for {} learner(s) in {} …",
        lessons.len(),
        learners.len(),
        dir.display()
    );
    if text {
        println!("{heading}");
    } else {
        eprintln!("{heading}");
    }
    let mut kept = String::new();
    // As `grade`: nothing in a learner's workspace is written, Cargo.lock neither.
    let opts = &RunOptions {
        locked: true,
        ..opts.clone()
    };
    let run = session::grade_class(pack, &learners, &lessons, &base, opts, |l| {
        let line = report::text::learner_line(l);
        match format {
            Format::Text if output.is_none() => print!("{line}"),
            Format::Text => kept.push_str(&line),
            _ => eprint!("{line}"),
        }
    });
    let class = match unless_interrupted(run, "the builds and the servers").await {
        Ok(class) => class,
        Err(code) => return Ok(code),
    };
    let document = match format {
        Format::Json => report::json::class_document(&class),
        Format::Junit => report::junit::class_document(&class),
        _ => format!("\n{}", report::text::class_table(&class)),
    };
    kept.push_str(&document);
    deliver(output, &kept)?;
    let could_not_grade = class
        .learners
        .iter()
        .any(|l| l.grade.as_ref().is_some_and(GradeReport::could_not_grade));
    Ok(grade_exit(could_not_grade, class.passed()))
}

/// The lessons named, in the order given, or every lesson when none is.
fn select<'p>(pack: &'p Pack, names: &[String]) -> Result<Vec<&'p Lesson>> {
    if names.is_empty() {
        return Ok(pack.lessons.iter().collect());
    }
    Ok(names
        .iter()
        .map(|n| pack.find(n))
        .collect::<Result<_, _>>()?)
}

fn hint(pack: &Pack, cwd: &Path, name: Option<&str>) -> Result<ExitCode> {
    let ws = open_workspace(pack, cwd)?;
    let progress = load_progress(&ws);
    let lesson = pick(pack, &ws, cwd, &progress, name)?;
    let failing = progress
        .lessons
        .get(&lesson.id)
        .map(|r| r.failing.clone())
        .unwrap_or_default();
    println!("{} — {}", lesson.id, lesson.title);
    let shown: Vec<_> = if failing.is_empty() {
        lesson.items.iter().collect()
    } else {
        lesson
            .items
            .iter()
            .filter(|i| failing.contains(&i.id))
            .collect()
    };
    for item in shown {
        println!("\n{} — {}", item.id, item.title);
        for (n, h) in item.hints.iter().enumerate() {
            println!("  {}. {h}", n + 1);
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn verify(
    pack: &Pack,
    names: &[String],
    target_dir: Option<PathBuf>,
    locked: bool,
    opts: RunOptions,
) -> Result<ExitCode> {
    let lessons = select(pack, names)?;
    let tmp = tempfile::Builder::new()
        .prefix("apilings-verify")
        .tempdir()?;
    let opts = RunOptions {
        locked,
        target_dir: target_dir.or_else(default_verify_target),
        ..opts
    };
    println!(
        "Verifying {} lesson(s) of the `{}` pack ({})",
        lessons.len(),
        pack.name,
        pack.origin
    );
    let mut failed = 0;
    let run = session::verify(pack, tmp.path(), &lessons, &opts, |v| {
        let problems = v.problems();
        let stub_failing = v.stub.items.iter().filter(|i| !i.verdict.is_pass()).count();
        let total = v.stub.items.len();
        if problems.is_empty() {
            println!(
                "✓ {}: {stub_failing}/{total} items fail on the stub, {}/{total} pass on the solution",
                v.lesson,
                v.solution.passed_count()
            );
        } else {
            failed += 1;
            println!("✗ {}:", v.lesson);
            for p in &problems {
                println!("    {}", problem_text(p));
            }
            if v.solution.passed_count() != total || v.solution.stopped.is_some() {
                println!(
                    "  the solution's run:\n{}",
                    report::text::render(&v.solution)
                );
            }
            if v.stub.stopped.is_some() {
                println!("  the stub's run:\n{}", report::text::render(&v.stub));
            }
        }
    });
    match unless_interrupted(run, "the builds and the servers").await {
        Ok(verified) => {
            verified?;
        }
        Err(code) => return Ok(code),
    }
    if failed == 0 {
        println!("All {} lesson(s) verified.", lessons.len());
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{failed} lesson(s) failed verification.");
        Ok(ExitCode::FAILURE)
    }
}

fn default_verify_target() -> Option<PathBuf> {
    if std::env::var_os("CARGO_TARGET_DIR").is_some() {
        return None;
    }
    cache_dir("verify-target")
}

/// `name` in apilings' cache folder (`$XDG_CACHE_HOME/apilings`, else `~/.cache/apilings`).
fn cache_dir(name: &str) -> Option<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(cache.join("apilings").join(name))
}

/// True when a file can be created in `dir` (created if missing).
fn writable(dir: &Path) -> bool {
    std::fs::create_dir_all(dir).is_ok() && tempfile::tempfile_in(dir).is_ok()
}

/// `run`'s result, or the exit code when apilings is asked to stop first.
/// Dropping the run kills what it started (`what`, as the message says):
/// cargo's and the server's process groups are owned.
async fn unless_interrupted<T>(run: impl Future<Output = T>, what: &str) -> Result<T, ExitCode> {
    tokio::select! {
        r = run => Ok(r),
        code = interrupted() => {
            eprintln!("\nInterrupted: {what} were stopped.");
            Err(code)
        }
    }
}

/// Resolves when apilings is asked to stop: Ctrl-C (SIGINT), SIGTERM (what
/// `timeout` and a cancelled CI job send) or SIGHUP (a closed terminal), with
/// the exit code a shell expects (128 + the signal). The caller returns, which
/// drops the run and so kills what it started.
async fn interrupted() -> ExitCode {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        let _ = tokio::signal::ctrl_c().await;
        return ExitCode::from(130);
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => ExitCode::from(130),
        _ = term.recv() => ExitCode::from(143),
        _ = hup.recv() => ExitCode::from(129),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shell line of a template that runs apilings, as the shell splits
    /// it (the templates quote nothing but whole words), up to `||`.
    fn apilings_commands(script: &str) -> Vec<Vec<String>> {
        script
            .lines()
            .flat_map(|l| l.split("||"))
            .map(str::trim)
            .filter(|l| l.starts_with("apilings "))
            .map(|l| l.split_whitespace().map(String::from).collect())
            .collect()
    }

    /// Every string under `key` anywhere in a YAML document.
    fn strings_under<'a>(doc: &'a serde_yaml_ng::Value, key: &str, out: &mut Vec<&'a str>) {
        match doc {
            serde_yaml_ng::Value::Mapping(m) => {
                for (k, v) in m {
                    match (k.as_str(), v) {
                        (Some(k), serde_yaml_ng::Value::String(s)) if k == key => out.push(s),
                        (Some(k), serde_yaml_ng::Value::Sequence(items)) if k == key => {
                            out.extend(items.iter().filter_map(|i| i.as_str()))
                        }
                        _ => strings_under(v, key, out),
                    }
                }
            }
            serde_yaml_ng::Value::Sequence(items) => {
                items.iter().for_each(|i| strings_under(i, key, out))
            }
            _ => {}
        }
    }

    /// The CI templates parse, run only commands this CLI accepts, and hand
    /// on the files those commands write.
    #[test]
    fn every_template_runs_commands_the_cli_accepts() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let (mut scripts, mut commands) = (Vec::new(), Vec::new());
            strings_under(&doc, "run", &mut scripts);
            strings_under(&doc, "script", &mut scripts);
            for script in &scripts {
                commands.extend(apilings_commands(script));
            }
            assert!(
                !commands.is_empty(),
                "{}: no apilings command",
                path.display()
            );
            for words in &commands {
                let args = Args::try_parse_from(words)
                    .unwrap_or_else(|e| panic!("{}: `{}`: {e}", path.display(), words.join(" ")));
                // What a grade writes is what the template hands on.
                if let Some(Command::Grade {
                    output: Some(file), ..
                }) = &args.command
                {
                    let file = file.display().to_string();
                    assert!(
                        text.matches(&file).count() >= 2,
                        "{}: {file} is written but never used",
                        path.display()
                    );
                }
            }
            seen += 1;
        }
        assert!(seen >= 3, "the templates are in templates/");
    }
}
