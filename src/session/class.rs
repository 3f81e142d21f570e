//! A class on one machine: every learner's workspace graded, with the
//! dependencies built once for the workspaces that share them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::lessons::{Lesson, Pack};
use crate::report::{ClassReport, LearnerReport};
use crate::workspace::Workspace;

use super::{RunOptions, grade};

/// What identifies the dependency build of a workspace: the registry
/// packages of its Cargo.lock `text` (each workspace's own lesson crates carry
/// a version of their own, so the whole files always differ).
fn dependencies_key(text: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut packages: Vec<String> = toml::from_str::<toml::Table>(text)
        .ok()
        .and_then(|t| t.get("package")?.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter(|p| p.get("source").is_some())
        .map(|p| p.to_string())
        .collect();
    packages.sort();
    let mut h = std::hash::DefaultHasher::new();
    packages.hash(&mut h);
    format!("{:016x}", h.finish())
}

/// A learner's folder in a class.
pub struct Learner {
    /// The folder's name.
    pub name: String,
    /// The folder.
    pub dir: PathBuf,
}

/// Grades every learner's workspace of a class, one after another, so that
/// the dependencies compile **once** for every workspace with the same
/// Cargo.lock: those share the build folder `base`; a workspace whose lock
/// differs from the class's is built in a folder of its own under it, and its
/// report says why. `on_learner` sees each learner as they are done.
pub async fn grade_class(
    pack: &Pack,
    learners: &[Learner],
    lessons: &[&Lesson],
    base: &Path,
    opts: &RunOptions,
    mut on_learner: impl FnMut(&LearnerReport),
) -> ClassReport {
    let locks: Vec<String> = learners
        .iter()
        .map(|l| {
            dependencies_key(&std::fs::read_to_string(l.dir.join("Cargo.lock")).unwrap_or_default())
        })
        .collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for lock in &locks {
        *counts.entry(lock).or_default() += 1;
    }
    // The class's lock: the one most workspaces have; on a tie, the pack's.
    let pack_lock = pack.lock.as_deref().map(dependencies_key);
    let class_lock = locks
        .iter()
        .max_by_key(|l| (counts[l.as_str()], Some(*l) == pack_lock.as_ref()))
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for (learner, lock) in learners.iter().zip(&locks) {
        let is_workspace = learner.dir.join(crate::workspace::META_DIR).is_dir();
        let own_build = (is_workspace && *lock != class_lock).then(|| {
            format!(
                "its Cargo.lock differs from the one {} of the class's workspaces share, so its dependencies were built on their own",
                counts[class_lock.as_str()]
            )
        });
        let mut report = LearnerReport {
            learner: learner.name.clone(),
            own_build,
            error: None,
            grade: None,
        };
        let other_pack =
            Workspace::open(&learner.dir)
                .ok()
                .and_then(|ws| match ws.pack_check(pack) {
                    Ok(crate::workspace::PackCheck::Other(why)) => Some(why),
                    _ => None,
                });
        match Workspace::open(&learner.dir) {
            // Another course's workspace: grading it with this pack's checks says nothing.
            Ok(_) if other_pack.is_some() => report.error = other_pack,
            Ok(ws) if ws.root() == learner.dir => {
                // The class's lock builds in `base` itself; another in a folder of its own.
                let target_dir = if *lock == class_lock {
                    base.to_path_buf()
                } else {
                    base.join(format!("lock-{lock}"))
                };
                let opts = RunOptions {
                    target_dir: Some(target_dir),
                    ..opts.clone()
                };
                report.grade = Some(grade(ws.root(), lessons, &opts, |_| {}).await);
            }
            Ok(_) | Err(_) => {
                report.error = Some(format!(
                    "{} is not an apilings workspace (no {}/ in it); the pack `{}` makes one with `apilings init`",
                    learner.dir.display(),
                    crate::workspace::META_DIR,
                    pack.name
                ));
            }
        }
        on_learner(&report);
        out.push(report);
    }
    ClassReport {
        lessons: lessons.iter().map(|l| l.id.clone()).collect(),
        learners: out,
    }
}
