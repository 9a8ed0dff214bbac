//! Crash reports. If the program panics, the panic hook restores the terminal, writes a
//! report to `crash/` in the data folder and says where it is, in one line.
//!
//! A panic message can carry data: slicing a string that holds a child's name panics with
//! the name in the message, and `expect` prints the error's contents. So the report keeps
//! only what the *code* says — the version, the time, the source location, the thread, the
//! backtrace (function names and source lines) and a message only when it is a literal in
//! the source (`&'static str`). Nothing already saved is lost: every change was committed
//! in its own transaction when it was made.

use std::fmt::Write as _;
use std::panic::PanicHookInfo;
use std::path::{Path, PathBuf};

/// Installs the hook. `restore` puts the terminal back (called first, before anything is
/// printed). Replaces any earlier hook, whose default would print the panic message.
pub fn install(dir: PathBuf, restore: fn()) {
    std::panic::set_hook(Box::new(move |info| {
        restore();
        match write_report(&dir, info) {
            Ok(path) => eprintln!(
                "casepanel 程序出错已停止；已保存的内容不会丢失。错误报告（不含个案内容）：{0}\n\
                 casepanel stopped on a program error; nothing saved is lost. Crash report (no case content): {0}",
                path.display()
            ),
            Err(e) => eprintln!(
                "casepanel 程序出错已停止；已保存的内容不会丢失。（错误报告未能写入：{e}）\n\
                 casepanel stopped on a program error; nothing saved is lost. (The crash report could not be written: {e})"
            ),
        }
    }));
}

/// The report's text: no case content (see the module docs).
pub fn report_text(info: &PanicHookInfo<'_>, now: chrono::NaiveDateTime) -> String {
    let mut r = String::new();
    let _ = writeln!(r, "casepanel crash report");
    let _ = writeln!(r, "version: {}", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(r, "time: {}", now.format("%Y-%m-%dT%H:%M:%S"));
    let _ = writeln!(
        r,
        "system: {} {}",
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    let thread = std::thread::current();
    let _ = writeln!(r, "thread: {}", thread.name().unwrap_or("unnamed"));
    match info.location() {
        Some(l) => {
            let _ = writeln!(r, "location: {}:{}:{}", l.file(), l.line(), l.column());
        }
        None => {
            let _ = writeln!(r, "location: unknown");
        }
    }
    match info.payload().downcast_ref::<&'static str>() {
        Some(msg) => {
            let _ = writeln!(r, "message: {}", crate::text::sanitize_line(msg));
        }
        None => {
            let _ = writeln!(
                r,
                "message: (left out: a formatted message may contain case content)"
            );
        }
    }
    let _ = writeln!(r, "\nbacktrace:");
    let bt = std::backtrace::Backtrace::force_capture().to_string();
    r.push_str(&crate::text::sanitize(&bt));
    r.push('\n');
    r
}

/// Writes the report to `dir/crash-<time>.txt` (owner-only), atomically.
pub fn write_report(dir: &Path, info: &PanicHookInfo<'_>) -> Result<PathBuf, String> {
    let now = chrono::Local::now().naive_local();
    let text = report_text(info, now);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(format!(
        "crash-{}-{}.txt",
        now.format("%Y%m%d-%H%M%S"),
        std::process::id()
    ));
    crate::export::atomic::write(&path, text.as_bytes(), true).map_err(|e| e.to_string())?;
    Ok(path)
}

/// Where crash reports go: `crash/` in the data folder.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("crash")
}
