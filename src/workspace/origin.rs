//! Which pack a workspace was made from (name, version, hash, folder), what a
//! command says when it meets another pack, and `apilings update`.

use std::fs;
use std::path::PathBuf;

use anyhow::{Result, bail};

use super::{
    Workspace, lesson_manifest, lock_with_members, member_version, root_manifest, with_version,
    write_atomic,
};
use crate::lessons::Pack;

/// How a loaded pack relates to the one a workspace was made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackCheck {
    /// The same pack (or an old workspace that recorded only the name, and it matches).
    Same,
    /// The same pack, changed since (new lessons, changed checks): what to do.
    Changed(String),
    /// Another pack: what to do instead.
    Other(String),
}

/// What `update` did.
#[derive(Debug, Default)]
pub struct UpdateReport {
    /// Lessons that were not in the workspace and are now.
    pub new_lessons: Vec<String>,
    /// Files written that were missing.
    pub added: usize,
    /// apilings' own files (manifests, lock, kit) written anew; the old ones are in `backup`.
    pub refreshed: usize,
    /// Where the replaced files were kept, if any were replaced.
    pub backup: Option<PathBuf>,
}

/// How a workspace records the apilings that made or updated it.
pub(super) fn this_apilings() -> String {
    format!("apilings {}", env!("CARGO_PKG_VERSION"))
}

/// How a workspace records where its pack came from.
pub(super) fn of(pack: &Pack) -> String {
    if pack.origin == "embedded" {
        return pack.origin.clone();
    }
    fs::canonicalize(&pack.origin)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| pack.origin.clone())
}

impl Workspace {
    /// Whether `pack` is the one this workspace was made from.
    pub fn pack_check(&self, pack: &Pack) -> Result<PackCheck> {
        let meta = self.meta()?;
        let root = self.root.display();
        if meta.pack != pack.name {
            let how = match meta.pack_origin.as_deref() {
                Some("embedded") | None => "without --lessons (with the built-in pack)".to_string(),
                Some(dir) => format!("with `--lessons {dir}` (or APILINGS_LESSONS={dir})"),
            };
            return Ok(PackCheck::Other(format!(
                "{root} was made from the `{}` pack, but this command loaded the `{}` pack ({}); run it {how}",
                meta.pack, pack.name, pack.origin
            )));
        }
        match meta.pack_hash {
            Some(hash) if hash != pack.hash => {
                let missing: Vec<&str> = pack
                    .lessons
                    .iter()
                    .filter(|l| !self.lesson_dir(l).exists())
                    .map(|l| l.id.as_str())
                    .collect();
                let news = if missing.is_empty() {
                    "its lessons or checks changed".to_string()
                } else {
                    format!("it has new lessons: {}", missing.join(", "))
                };
                let this = this_apilings();
                let (made, by) = match &meta.updated_by {
                    Some(by) => ("last updated", by),
                    None => ("made", &meta.created_by),
                };
                let by = if *by == this {
                    String::new()
                } else {
                    format!(" (by {by}; this is {this})")
                };
                Ok(PackCheck::Changed(format!(
                    "{root} was {made} from the `{}` pack version {}{by}, and this is version {} ({news}); \
                     `apilings update` brings the new lessons and files in, and keeps every file of yours",
                    meta.pack,
                    meta.pack_version.as_deref().unwrap_or("unknown"),
                    pack.version
                )))
            }
            _ => Ok(PackCheck::Same),
        }
    }

    /// Brings `pack`'s new lessons and files into the workspace. The lesson
    /// files a learner edits are only ever added, never replaced; apilings'
    /// own files (the manifests, the lock, the kit) are written anew when they
    /// differ, the old ones kept in a backup folder.
    pub fn update(&self, pack: &Pack) -> Result<UpdateReport> {
        if let PackCheck::Other(why) = self.pack_check(pack)? {
            bail!("{why}");
        }
        let mut meta = self.meta()?;
        let version = member_version(meta.build.as_deref());
        let stamp = jiff::Timestamp::now()
            .strftime("%Y%m%dT%H%M%S%.3fZ")
            .to_string();
        let backup = self.backups_dir().join(format!("update-{stamp}"));
        let mut report = UpdateReport::default();
        let mut owned: Vec<(String, String)> = vec![("Cargo.toml".into(), root_manifest(pack))];
        if let Some(lock) = &pack.lock {
            owned.push(("Cargo.lock".into(), lock_with_members(lock, pack, &version)));
        }
        for (rel, text) in &pack.kit {
            let text = if rel == "Cargo.toml" {
                with_version(text, &version)
            } else {
                text.clone()
            };
            owned.push((format!("kit/{rel}"), text));
        }
        let mut learners: Vec<(String, String)> = Vec::new();
        for lesson in &pack.lessons {
            if !self.lesson_dir(lesson).exists() {
                report.new_lessons.push(lesson.id.clone());
            }
            owned.push((
                format!("{}/Cargo.toml", lesson.id),
                lesson_manifest(pack, lesson, &version),
            ));
            for (rel, text) in &lesson.stub {
                learners.push((format!("{}/{rel}", lesson.id), text.clone()));
            }
        }
        for (rel, text) in &owned {
            let path = self.root.join(rel);
            match fs::read(&path) {
                Ok(old) if old == text.as_bytes() => continue,
                Ok(old) => {
                    write_atomic(&backup.join(rel), &old)?;
                    report.backup = Some(backup.clone());
                    report.refreshed += 1;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => report.added += 1,
                Err(e) => bail!("cannot read {}: {e}", path.display()),
            }
            write_atomic(&path, text.as_bytes())?;
        }
        for (rel, text) in &learners {
            let path = self.root.join(rel);
            if fs::symlink_metadata(&path).is_err() {
                write_atomic(&path, text.as_bytes())?;
                report.added += 1;
            }
        }
        meta.pack_version = Some(pack.version.clone());
        meta.pack_hash = Some(pack.hash.clone());
        meta.pack_origin = Some(of(pack));
        meta.updated_by = Some(this_apilings());
        write_atomic(&self.meta_path(), toml::to_string(&meta)?.as_bytes())?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite_meta(ws: &Workspace, edit: impl FnOnce(&mut super::super::Meta)) {
        let mut meta = ws.meta().unwrap();
        edit(&mut meta);
        fs::write(ws.meta_path(), toml::to_string(&meta).unwrap()).unwrap();
    }

    fn changed(ws: &Workspace, pack: &Pack) -> String {
        match ws.pack_check(pack).unwrap() {
            PackCheck::Changed(why) => why,
            other => panic!("a changed hash is a changed pack, not {other:?}"),
        }
    }

    #[test]
    fn a_changed_pack_is_named_with_both_versions_and_who_made_or_updated_the_workspace() {
        let dir = tempfile::tempdir().unwrap();
        let mut pack = Pack::embedded().unwrap();
        let (ws, _) = Workspace::init(&dir.path().join("ws"), &pack).unwrap();
        assert_eq!(ws.pack_check(&pack).unwrap(), PackCheck::Same);

        rewrite_meta(&ws, |m| m.created_by = "apilings 0.0.1".into());
        pack.hash = "changed".into();
        let why = changed(&ws, &pack);
        let this = env!("CARGO_PKG_VERSION");
        assert!(
            why.contains(&format!(
                "was made from the `core` pack version {this} (by apilings 0.0.1; this is apilings {this})"
            )),
            "{why}"
        );
        assert!(why.contains("`apilings update`"), "{why}");

        ws.update(&pack).unwrap();
        assert_eq!(ws.pack_check(&pack).unwrap(), PackCheck::Same);
        pack.hash = "changed again".into();
        let why = changed(&ws, &pack);
        // Updated by this apilings: the message no longer names the old one.
        assert!(
            why.contains("was last updated from the `core` pack version"),
            "{why}"
        );
        assert!(!why.contains("0.0.1"), "{why}");

        pack.name = "other".into();
        let PackCheck::Other(why) = ws.pack_check(&pack).unwrap() else {
            panic!("another name is another pack");
        };
        assert!(
            why.contains("without --lessons (with the built-in pack)"),
            "{why}"
        );
    }
}
