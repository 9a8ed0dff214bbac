//! A panic writes a crash report that says where the program failed and never what the
//! data was: a panic message built from a child's name is left out.

use casepanel::tui::crash;
use std::sync::atomic::{AtomicBool, Ordering};

static RESTORED: AtomicBool = AtomicBool::new(false);

fn restore() {
    RESTORED.store(true, Ordering::SeqCst);
}

#[test]
fn the_report_keeps_the_location_and_leaves_out_case_content() {
    let dir = tempfile::tempdir().unwrap();
    crash::install(dir.path().to_path_buf(), restore);
    let canary = String::from("张三明 210181201503140107");
    let result = std::thread::Builder::new()
        .name("crash-test".into())
        .spawn(move || {
            // Slicing inside a character panics with the string in the message.
            let s = canary.clone();
            let _ = &s[0..1];
        })
        .unwrap()
        .join();
    let _ = std::panic::take_hook();
    assert!(result.is_err(), "the thread panicked");
    assert!(
        RESTORED.load(Ordering::SeqCst),
        "the terminal is restored first"
    );
    let reports: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(reports.len(), 1, "{reports:?}");
    let text = std::fs::read_to_string(&reports[0]).unwrap();
    assert!(text.contains("tests/crash_report.rs"), "{text}");
    assert!(text.contains("thread: crash-test"), "{text}");
    assert!(
        !text.contains("张三明") && !text.contains("2101812015"),
        "{text}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&reports[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "readable by its owner only");
    }
}
