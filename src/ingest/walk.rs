//! Finding the files to ingest: files and directories walked recursively in sorted order,
//! hidden entries (`.name`) skipped, each file keyed by its path relative to the directory
//! argument. Reads directory listings only, never file contents.

use std::path::{Path, PathBuf};

use super::IngestFailure;

/// One file to ingest and its page key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    pub path: PathBuf,
    /// Path relative to the directory argument it was found under (`/`-separated), or the
    /// file name for a file argument: stable however the inbox is mounted.
    pub key: String,
}

/// Lists the files under `paths` (directories recursively, sorted, hidden entries skipped);
/// unreadable paths become failures.
pub fn walk(paths: &[PathBuf]) -> (Vec<InputFile>, Vec<IngestFailure>) {
    let mut files = Vec::new();
    let mut failed = Vec::new();
    for root in paths {
        match std::fs::metadata(root) {
            Ok(m) if m.is_dir() => walk_dir(root, root, &mut files, &mut failed),
            Ok(_) => {
                let key = root.file_name().map_or_else(
                    || root.display().to_string(),
                    |n| n.to_string_lossy().into(),
                );
                files.push(InputFile {
                    path: root.clone(),
                    key,
                });
            }
            Err(e) => failed.push(IngestFailure {
                path: root.clone(),
                reason: format!("cannot read: {e}"),
            }),
        }
    }
    (files, failed)
}

fn walk_dir(root: &Path, dir: &Path, files: &mut Vec<InputFile>, failed: &mut Vec<IngestFailure>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(Result::ok).collect::<Vec<_>>(),
        Err(e) => {
            failed.push(IngestFailure {
                path: dir.to_path_buf(),
                reason: format!("cannot read directory: {e}"),
            });
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .into_iter()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk_dir(root, &path, files, failed);
        } else if path.is_file() {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let key = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            files.push(InputFile { path, key });
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn walk_sorts_skips_hidden_and_keys_relative_to_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/c")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        for f in ["b/c/2.txt", "a.txt", ".hidden", ".git/x", "b/1.txt"] {
            std::fs::write(root.join(f), "x").unwrap();
        }
        let (files, failed) = walk(&[root.to_path_buf(), root.join("a.txt"), root.join("nope")]);
        let keys: Vec<&str> = files.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["a.txt", "b/1.txt", "b/c/2.txt", "a.txt"]);
        assert_eq!(failed.len(), 1);
        assert!(failed[0].reason.starts_with("cannot read"));
    }
}
