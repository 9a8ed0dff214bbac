//! Atomic file writes: a temporary file in the same folder, written, fsynced, renamed
//! over the final name, and the folder fsynced. An interrupted export leaves at worst a
//! `.casepanel-tmp-*` file (which `verify` reports as an extra file), never a file that
//! has its final name and only part of its content.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::ExportError;

/// Prefix of the temporary files; nothing else in an export starts with it.
pub const TMP_PREFIX: &str = ".casepanel-tmp-";

fn tmp_path(path: &Path) -> PathBuf {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let nonce = (u64::from(nanos) << 20) ^ n;
    dir.join(format!(
        "{TMP_PREFIX}{}-{nonce:016x}-{name}",
        std::process::id()
    ))
}

fn write_tmp(tmp: &Path, bytes: &[u8], private: bool) -> std::io::Result<()> {
    create_and_write(tmp, bytes, private)?.sync_all()
}

/// Creates `tmp` (which must not exist) and writes `bytes`, without syncing.
fn create_and_write(tmp: &Path, bytes: &[u8], private: bool) -> std::io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(if private { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut f = opts.open(tmp)?;
    f.write_all(bytes)?;
    Ok(f)
}

/// Syncs a folder so that a rename in it is durable.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to `path` atomically, replacing a file of that name. `private` makes the
/// file readable by its owner only (0600).
pub fn write(path: &Path, bytes: &[u8], private: bool) -> Result<(), ExportError> {
    let tmp = tmp_path(path);
    let result = write_tmp(&tmp, bytes, private).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(ExportError::io(path, e));
    }
    sync_dir(parent(path)).map_err(|e| ExportError::io(parent(path), e))
}

/// Writes many files into the folder `dir` with the guarantee of [`write`] for each (no file
/// ever has its final name with only part of its content), but one sync for all instead of
/// one per file: every file is written under a temporary name, then the whole file system
/// is synced once (`syncfs`), then each is renamed, then the folder is synced. On an error
/// the temporary files written so far are removed and no final name has been touched.
pub fn write_many(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    private: bool,
) -> Result<(), ExportError> {
    let cleanup = |tmps: &[PathBuf]| {
        for t in tmps {
            let _ = std::fs::remove_file(t);
        }
    };
    let mut tmps: Vec<PathBuf> = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let path = dir.join(name);
        let tmp = tmp_path(&path);
        if let Err(e) = create_and_write(&tmp, bytes, private) {
            let _ = std::fs::remove_file(&tmp);
            cleanup(&tmps);
            return Err(ExportError::io(&path, e));
        }
        tmps.push(tmp);
    }
    if let Err(e) = sync_file_system(dir, &tmps) {
        cleanup(&tmps);
        return Err(ExportError::io(dir, e));
    }
    for (i, (name, _)) in files.iter().enumerate() {
        let path = dir.join(name);
        if let Err(e) = std::fs::rename(&tmps[i], &path) {
            cleanup(&tmps[i..]);
            return Err(ExportError::io(&path, e));
        }
    }
    sync_dir(dir).map_err(|e| ExportError::io(dir, e))
}

/// Makes the data of `files` (all in `dir`) durable: one `syncfs` of the file system holding
/// `dir` on Linux, else one fsync per file.
fn sync_file_system(dir: &Path, files: &[PathBuf]) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        let _ = files;
        let d = File::open(dir)?;
        rustix::fs::syncfs(&d).map_err(std::io::Error::from)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        for f in files {
            File::open(f)?.sync_all()?;
        }
        Ok(())
    }
}

/// A folder that does not exist yet, written whole under a temporary name beside it and
/// renamed to its name when complete: until then nothing has that name, and an error (or
/// a crash) leaves at worst a `.casepanel-tmp-*` folder beside it, never a half-written
/// folder. Its files are created with their final names inside it (no rename each) and
/// may be added from several threads; [`NewFolder::finish`] makes them all durable with one
/// sync, then gives the folder its name. Dropped unfinished, it removes what it wrote.
pub struct NewFolder {
    tmp: PathBuf,
    dest: PathBuf,
    names: std::sync::Mutex<Vec<PathBuf>>,
    /// The folders above `dest` that [`NewFolder::start`] made, outermost first: removed
    /// again (when still empty) if the folder is never finished.
    made: Vec<PathBuf>,
    finished: bool,
}

/// Makes the folder `dir` and those above it that are missing (as `create_dir_all` does),
/// and returns the ones it made, outermost first. On an error it removes them again, so a
/// path that cannot be made leaves nothing behind.
fn make_folders(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut missing = Vec::new();
    let mut at = dir;
    loop {
        match std::fs::symlink_metadata(at) {
            Ok(_) => break,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => missing.push(at.to_path_buf()),
            Err(e) => return Err(e),
        }
        match at.parent() {
            Some(up) if !up.as_os_str().is_empty() => at = up,
            _ => break,
        }
    }
    let mut made = Vec::with_capacity(missing.len());
    for d in missing.into_iter().rev() {
        match std::fs::create_dir(&d) {
            Ok(()) => made.push(d),
            // Made meanwhile by someone else (or `a/..`): theirs, not ours to remove.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && d.is_dir() => {}
            Err(e) => {
                remove_made(&made);
                return Err(e);
            }
        }
    }
    Ok(made)
}

/// Removes the folders [`make_folders`] made, innermost first, each only if it is empty.
fn remove_made(made: &[PathBuf]) {
    for d in made.iter().rev() {
        let _ = std::fs::remove_dir(d);
    }
}

impl NewFolder {
    /// Starts the folder `dest`, or None when `dest` exists (the caller writes into it file
    /// by file). The folders it goes into are created if missing (and removed again if it
    /// is never finished). [`ExportError::Folder`] when it cannot be made: nothing of it is
    /// left behind.
    pub fn start(dest: &Path) -> Result<Option<NewFolder>, ExportError> {
        let cannot = |source| ExportError::Folder {
            path: dest.to_path_buf(),
            exists: false,
            source,
        };
        match std::fs::symlink_metadata(dest) {
            Ok(_) => return Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(cannot(e)),
        }
        let made = make_folders(parent(dest)).map_err(cannot)?;
        let tmp = tmp_path(dest);
        if let Err(e) = std::fs::create_dir(&tmp) {
            remove_made(&made);
            return Err(cannot(e));
        }
        Ok(Some(NewFolder {
            tmp,
            dest: dest.to_path_buf(),
            names: std::sync::Mutex::new(Vec::new()),
            made,
            finished: false,
        }))
    }

    /// Writes the file `name` (new) into the folder, without syncing it yet.
    pub fn add(&self, name: &str, bytes: &[u8], private: bool) -> Result<(), ExportError> {
        let path = self.tmp.join(name);
        create_and_write(&path, bytes, private)
            .map_err(|e| ExportError::io(&self.dest.join(name), e))?;
        self.names
            .lock()
            .expect("no thread panics holding it")
            .push(path);
        Ok(())
    }

    /// Makes every file durable (one `syncfs` on Linux), then renames the folder to its
    /// name (refused if something took the name meanwhile) and syncs the folder holding it.
    pub fn finish(mut self) -> Result<(), ExportError> {
        let files = std::mem::take(&mut *self.names.lock().expect("no thread panics holding it"));
        sync_file_system(&self.tmp, &files).map_err(|e| ExportError::io(&self.dest, e))?;
        #[cfg(not(target_os = "linux"))]
        sync_dir(&self.tmp).map_err(|e| ExportError::io(&self.dest, e))?;
        if std::fs::symlink_metadata(&self.dest).is_ok() {
            return Err(ExportError::io(
                &self.dest,
                std::io::Error::from(std::io::ErrorKind::AlreadyExists),
            ));
        }
        std::fs::rename(&self.tmp, &self.dest).map_err(|e| ExportError::io(&self.dest, e))?;
        self.finished = true;
        let parent = parent(&self.dest);
        sync_dir(parent).map_err(|e| ExportError::io(parent, e))
    }
}

impl Drop for NewFolder {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_dir_all(&self.tmp);
            remove_made(&self.made);
        }
    }
}

/// Like [`write`], but fails if `path` exists (the final step is a hard link, which never
/// replaces a file). For keys.
pub fn write_new(path: &Path, bytes: &[u8], private: bool) -> Result<(), ExportError> {
    let tmp = tmp_path(path);
    if let Err(e) = write_tmp(&tmp, bytes, private) {
        let _ = std::fs::remove_file(&tmp);
        return Err(ExportError::io(path, e));
    }
    let result = match std::fs::hard_link(&tmp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
        // A file system without hard links (FAT on a USB stick): check, then rename.
        Err(_) if path.exists() => Err(std::io::Error::from(std::io::ErrorKind::AlreadyExists)),
        Err(_) => std::fs::rename(&tmp, path),
    };
    let _ = std::fs::remove_file(&tmp);
    result.map_err(|e| ExportError::io(path, e))?;
    sync_dir(parent(path)).map_err(|e| ExportError::io(parent(path), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in folder `d`, sorted.
    fn listing(d: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn many_files_at_once_all_or_none_get_their_names() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(&d.join("b.txt"), b"old", false).unwrap();
        let files = vec![
            ("a.txt".to_string(), b"A".to_vec()),
            ("b.txt".to_string(), b"B".to_vec()),
        ];
        write_many(d, &files, false).unwrap();
        assert_eq!(std::fs::read(d.join("a.txt")).unwrap(), b"A");
        assert_eq!(std::fs::read(d.join("b.txt")).unwrap(), b"B");
        // The second file cannot be created: the first never gets its name, no temporary
        // file is left, and the files already there are untouched.
        let bad = vec![
            ("c.txt".to_string(), b"C".to_vec()),
            ("missing/d.txt".to_string(), b"D".to_vec()),
        ];
        assert!(write_many(d, &bad, false).is_err());
        let mut names: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["a.txt", "b.txt"]);
    }

    #[test]
    fn a_new_folder_gets_its_name_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        // A file that cannot be written half-way: the folder never gets its name, and its
        // temporary folder is gone, with the folder `a` that was made to hold it.
        let dest = dir.path().join("a/out");
        let folder = NewFolder::start(&dest).unwrap().expect("new");
        assert_eq!(listing(dir.path()), ["a"]);
        folder.add("one.txt", b"1", false).unwrap();
        assert!(folder.add("missing/two.txt", b"2", false).is_err());
        assert!(!dest.exists());
        drop(folder);
        assert!(!dest.exists());
        assert!(listing(dir.path()).is_empty());
        // Finished: every file under its name, nothing beside it.
        let folder = NewFolder::start(&dest).unwrap().expect("new");
        folder.add("one.txt", b"1", false).unwrap();
        folder.add("two.txt", b"2", false).unwrap();
        assert!(!dest.exists(), "no name before it is finished");
        folder.finish().unwrap();
        assert_eq!(listing(&dest), ["one.txt", "two.txt"]);
        assert_eq!(std::fs::read(dest.join("two.txt")).unwrap(), b"2");
        assert_eq!(listing(&dir.path().join("a")), ["out"]);
        // A folder that exists is not started; one that appears meanwhile is not replaced.
        assert!(NewFolder::start(&dest).unwrap().is_none());
        let other = dir.path().join("b");
        let folder = NewFolder::start(&other).unwrap().expect("new");
        folder.add("x.txt", b"x", false).unwrap();
        std::fs::create_dir(&other).unwrap();
        assert!(folder.finish().is_err());
        assert!(listing(&other).is_empty());
        assert_eq!(listing(dir.path()), ["a", "b"]);
    }

    #[test]
    fn a_folder_that_cannot_be_made_is_a_folder_error_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("file"), b"x").unwrap();
        let too_long = "n".repeat(300);
        for (dest, kind) in [
            // Under a file.
            (d.join("file/out"), std::io::ErrorKind::NotADirectory),
            (d.join("file/deeper/out"), std::io::ErrorKind::NotADirectory),
            // Two folders can be made above it, the third cannot: the two go again.
            (
                d.join("a/b").join(&too_long).join("out"),
                std::io::ErrorKind::InvalidFilename,
            ),
            (
                d.join("a/b").join(&too_long),
                std::io::ErrorKind::InvalidFilename,
            ),
        ] {
            match NewFolder::start(&dest) {
                Err(ExportError::Folder {
                    path,
                    exists: false,
                    source,
                }) => {
                    assert_eq!(path, dest);
                    assert_eq!(source.kind(), kind, "{source}");
                }
                Err(e) => panic!("{}: {e}", dest.display()),
                Ok(_) => panic!("{}: started", dest.display()),
            }
            assert_eq!(listing(d), ["file"], "{}", dest.display());
        }
    }

    #[test]
    fn writes_replace_and_new_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        write(&p, b"one", false).unwrap();
        write(&p, b"two", false).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert!(write_new(&p, b"three", true).is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
    }
}
