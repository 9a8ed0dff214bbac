//! Signed decisions in the store (immutable through the app and through plain SQL), the
//! key files, and the signing verbs of the command line.

mod common;

use common::has_han;

use std::path::Path;
use std::process::{Command, Output};

use chrono::NaiveDate;

use casepanel::domain::decision::DecisionStatus;
use casepanel::export::keys::{self, SigningKey};
use casepanel::export::{self, sign};
use casepanel::generate::{GenConfig, generate};
use casepanel::store::{Store, decisions, signatures};

const BIN: &str = env!("CARGO_BIN_EXE_casepanel");

fn now() -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 29)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap()
}

fn generated(dir: &Path) -> Store {
    let mut store = Store::open(&dir.join("t.db")).unwrap();
    generate(
        &mut store,
        &GenConfig {
            cases: 12,
            seed: 3,
            today: now().date(),
        },
    )
    .unwrap();
    store
}

#[test]
fn a_signed_decision_cannot_be_changed_by_the_app_nor_by_sql() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = generated(dir.path());
    let key = SigningKey::generate_ephemeral();
    let id = signatures::unsigned_sealed(store.conn()).unwrap()[0];
    let signed = sign::sign_decision(&mut store, id, &key, "中心", None, now()).unwrap();
    assert_eq!(signed.decision_id, id);
    assert!(
        signed
            .minisig
            .contains("trusted comment: casepanel record:")
    );

    // Through the app: no second signature, no saving over the sealed decision.
    let e = sign::sign_decision(&mut store, id, &key, "中心", None, now()).unwrap_err();
    assert!(e.to_string().contains("already signed"), "{e}");
    let mut d = decisions::get(store.conn(), id).unwrap().unwrap();
    assert_eq!(d.status, DecisionStatus::Sealed);
    d.dissent = "changed afterwards".into();
    d.status = DecisionStatus::Draft;
    let e = store.write(|tx| decisions::save_draft(tx, &d)).unwrap_err();
    assert!(e.to_string().contains("sealed"), "{e}");

    // Through plain SQL: triggers refuse.
    let c = store.conn();
    for sql in [
        format!("UPDATE decision SET dissent = 'x' WHERE id = {id}"),
        format!("UPDATE decision SET status = 'draft', sealed_at = NULL WHERE id = {id}"),
        format!("DELETE FROM decision WHERE id = {id}"),
        format!("UPDATE decision_signature SET signer = 'someone else' WHERE decision_id = {id}"),
        format!("UPDATE decision_signature SET record = x'7b7d' WHERE decision_id = {id}"),
        format!("DELETE FROM decision_signature WHERE decision_id = {id}"),
        "DELETE FROM decision_signature".to_string(),
        format!("UPDATE intervention SET unit = 'x' WHERE decision_id = {id}"),
    ] {
        let e = c.execute_batch(&sql).unwrap_err().to_string();
        assert!(e.contains("casepanel:"), "{sql}: {e}");
    }
    // INSERT OR REPLACE would delete the old row first: refused too.
    let e = c
        .execute_batch(&format!(
            "INSERT OR REPLACE INTO decision_signature
             SELECT decision_id, record_id, record, record_sha256, minisig, key_id, 'x', signed_at
             FROM decision_signature WHERE decision_id = {id}"
        ))
        .unwrap_err()
        .to_string();
    assert!(e.contains("casepanel:"), "{e}");
    for sql in [
        format!("INSERT OR REPLACE INTO decision SELECT * FROM decision WHERE id = {id}"),
        format!("REPLACE INTO intervention SELECT * FROM intervention WHERE decision_id = {id}"),
    ] {
        let e = c.execute_batch(&sql).unwrap_err().to_string();
        assert!(e.contains("casepanel:"), "{sql}: {e}");
    }
    let after = signatures::get(c, id).unwrap().unwrap();
    assert_eq!(after.record, signed.record);
    assert_eq!(after.signer, "中心");

    // A draft cannot be signed, by the app or by SQL.
    let draft: Option<i64> = c
        .query_row(
            "SELECT id FROM decision WHERE status = 'draft' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .ok();
    if let Some(draft) = draft {
        let e = sign::sign_decision(&mut store, draft, &key, "中心", None, now()).unwrap_err();
        assert!(e.to_string().contains("draft"), "{e}");
    }
    let c = store.conn();
    c.execute_batch("CREATE TEMP TABLE t AS SELECT * FROM decision_signature")
        .unwrap();
    let e = c
        .execute_batch(
            "INSERT INTO decision (case_id, decided_on, assessment, status) SELECT case_id, decided_on, assessment, 'draft' FROM decision LIMIT 1;
             INSERT INTO decision_signature SELECT last_insert_rowid(), 'D-x', record, record_sha256, minisig, key_id, signer, signed_at FROM t",
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("only a sealed decision"), "{e}");
}

#[test]
fn signing_many_is_one_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = generated(dir.path());
    let key = SigningKey::generate_ephemeral();
    let mut ids = signatures::unsigned_sealed(store.conn()).unwrap();
    let before = ids.len();
    assert!(before >= 4, "enough to sign on several threads: {before}");
    ids.push(999_999); // no such decision: the whole batch fails
    assert!(sign::sign_all(&mut store, &ids, &key, "中心", None, now()).is_err());
    assert_eq!(signatures::count(store.conn()).unwrap(), 0);
    ids.pop();
    let head = casepanel::store::audit::head(store.conn())
        .unwrap()
        .unwrap();
    let signed = sign::sign_all(&mut store, &ids, &key, "中心", None, now()).unwrap();
    assert_eq!(signed.len(), before);
    // Built and signed on every core, stored in the order given; every record names the
    // audit head before the first was stored, and is what the store holds.
    for (r, &id) in signed.iter().zip(&ids) {
        assert_eq!(r.decision_id, id);
        let rec = export::DecisionRecord::parse(&r.record).unwrap();
        let h = rec.audit_head.unwrap();
        assert_eq!(
            (h.row_id, h.sha256.as_str()),
            (head.row_id, head.hash.as_str())
        );
        let stored = signatures::get(store.conn(), id).unwrap().unwrap();
        assert_eq!(stored.record, r.record);
        assert_eq!(stored.minisig, r.minisig);
    }
    let order: Vec<String> = store
        .conn()
        .prepare("SELECT row_key FROM audit WHERE tbl = 'decision_signature' ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let want: Vec<String> = ids.iter().map(|id| format!("[{id}]")).collect();
    assert_eq!(order, want);
    assert!(
        signatures::unsigned_sealed(store.conn())
            .unwrap()
            .is_empty()
    );
    // An empty or control-only signer name is refused.
    assert!(sign::clean_signer(" \x1b\n ").is_err());
}

#[test]
fn key_files() {
    let dir = tempfile::tempdir().unwrap();
    let kd = dir.path().join("keys");
    let files = keys::generate(&kd, Some("correct horse battery"), "").unwrap();
    assert!(files.encrypted);
    assert!(keys::is_encrypted(&files.secret).unwrap());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&files.secret)
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    let e = keys::load_secret_key(&files.secret, Some("wrong")).unwrap_err();
    assert!(e.to_string().contains("wrong passphrase"), "{e}");
    let e = keys::load_secret_key(&files.secret, None).unwrap_err();
    assert!(e.to_string().contains("passphrase"), "{e}");
    let k = keys::load_secret_key(&files.secret, Some("correct horse battery")).unwrap();
    assert_eq!(k.key_id(), files.key_id);
    let pk = keys::load_public_key(&files.public).unwrap();
    assert_eq!(pk.key_id(), files.key_id);
    assert_eq!(keys::public_key_path_for(&files.secret), files.public);
    assert!(
        format!("{k:?}").contains(&files.key_id) && format!("{k:?}").len() < 40,
        "no key material in Debug"
    );
    // Never replaced.
    let before = std::fs::read(&files.secret).unwrap();
    let e = keys::generate(&kd, Some("another passphrase"), "").unwrap_err();
    assert!(e.to_string().contains("never replaces"), "{e}");
    assert_eq!(std::fs::read(&files.secret).unwrap(), before);
    // Unencrypted, for tests and the demo.
    let ud = dir.path().join("plain");
    let files = keys::generate(&ud, None, "DEMO KEY").unwrap();
    assert!(!keys::is_encrypted(&files.secret).unwrap());
    keys::load_secret_key(&files.secret, None).unwrap();
    assert!(
        std::fs::read_to_string(&files.public)
            .unwrap()
            .contains("DEMO KEY")
    );
}

fn run(args: &[&str], dir: &Path, envs: &[(&str, &str)]) -> Output {
    let mut c = Command::new(BIN);
    c.args(args)
        .current_dir(dir)
        .env("CASEPANEL_TODAY", "2026-11-29")
        .env("CASEPANEL_CONFIG", dir.join("config.toml"))
        .env_remove("CASEPANEL_DB")
        .env_remove("CASEPANEL_KEY_PASSPHRASE")
        .env("LANG", "en_US.UTF-8")
        .stdin(std::process::Stdio::null());
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn the_signing_verbs_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("pass.txt"), "a long enough passphrase\n").unwrap();

    // keygen: encrypted from a file; refuses to overwrite; refuses without a passphrase source.
    let o = run(
        &["keygen", "--out", "keys", "--passphrase-file", "pass.txt"],
        d,
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("signing_key ="), "{}", text(&o));
    let o = run(
        &["keygen", "--out", "keys", "--passphrase-file", "pass.txt"],
        d,
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("never replaces"), "{}", text(&o));
    let o = run(&["keygen", "--out", "k2"], d, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("CASEPANEL_KEY_PASSPHRASE"),
        "{}",
        text(&o)
    );
    let o = run(&["keygen", "--out", "k3", "--unencrypted"], d, &[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).contains("WARNING"), "{}", text(&o));

    // A database with sealed decisions; the config names the key.
    let o = run(&["--db", "t.db", "generate", "--cases", "12"], d, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    std::fs::write(
        d.join("config.toml"),
        "centre_name = \"测试中心\"\nsigning_key = \"keys/casepanel.key\"\n",
    )
    .unwrap();

    // sign: the passphrase from the environment; no terminal, no passphrase: a clear failure.
    let o = run(&["--db", "t.db", "sign", "--all"], d, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("--passphrase-file"), "{}", text(&o));
    let o = run(
        &["--db", "t.db", "sign", "--all"],
        d,
        &[("CASEPANEL_KEY_PASSPHRASE", "wrong one")],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("wrong passphrase"), "{}", text(&o));
    let o = run(
        &["--db", "t.db", "sign", "--all"],
        d,
        &[("CASEPANEL_KEY_PASSPHRASE", "a long enough passphrase")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("D-0"), "{}", text(&o));
    let o = run(&["--db", "t.db", "sign", "--all"], d, &[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).contains("Nothing to sign"), "{}", text(&o));
    let o = run(&["--db", "t.db", "sign"], d, &[]);
    assert_eq!(o.status.code(), Some(2), "--all or --decision is required");

    // export a session, then verify with the configured key's .pub (no --pubkey).
    let store = Store::open(&d.join("t.db")).unwrap();
    let sid: i64 = store
        .conn()
        .query_row(
            "SELECT session_id FROM decision WHERE status = 'sealed' AND session_id IS NOT NULL GROUP BY session_id ORDER BY count(*), session_id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(store);
    let sid = sid.to_string();
    let o = run(
        &[
            "--db",
            "t.db",
            "export",
            "--session",
            &sid,
            "--out",
            "out",
            "--passphrase-file",
            "pass.txt",
            "--lang",
            "en",
        ],
        d,
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(&["verify", "out"], d, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = text(&o);
    assert!(
        out.contains("ok") && out.contains("测试中心") && out.contains("MANIFEST.sha256  ok"),
        "{out}"
    );
    assert!(
        !out.contains(
            &std::fs::read_to_string(d.join("pass.txt"))
                .unwrap()
                .trim()
                .to_string()
        )
    );

    // A changed byte: exit 1, the file named.
    let rec = std::fs::read_dir(d.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(".md"))
        .unwrap();
    let p = d.join("out").join(&rec);
    let mut b = std::fs::read(&p).unwrap();
    b[5] ^= 1;
    std::fs::write(&p, b).unwrap();
    let o = run(&["verify", "out"], d, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains(&rec), "{}", text(&o));

    // Without a configured key verify asks for --pubkey.
    std::fs::write(d.join("config.toml"), "").unwrap();
    let o = run(&["verify", "out"], d, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("--pubkey"), "{}", text(&o));
    // Exporting a decision that does not exist says so.
    let o = run(
        &[
            "--db",
            "t.db",
            "export",
            "--decision",
            "999999",
            "--out",
            "o2",
            "--key",
            "keys/casepanel.key",
            "--passphrase-file",
            "pass.txt",
        ],
        d,
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("no decision 999999"), "{}", text(&o));
}

#[test]
fn the_demo_signs_with_its_own_labelled_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = run(
        &["--db", "demo.db", "demo", "--cases", "12", "--no-tui"],
        d,
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let pubkey = std::fs::read_to_string(d.join("demo-key/casepanel.pub")).unwrap();
    assert!(pubkey.contains("DEMO KEY"));
    let store = Store::open(&d.join("demo.db")).unwrap();
    assert!(
        signatures::unsigned_sealed(store.conn())
            .unwrap()
            .is_empty()
    );
    let any: i64 = store
        .conn()
        .query_row("SELECT min(decision_id) FROM decision_signature", [], |r| {
            r.get(0)
        })
        .unwrap();
    let s = signatures::get(store.conn(), any).unwrap().unwrap();
    assert_eq!(s.signer, export::demo::DEMO_SIGNER);
    drop(store);
    // Exported without naming a key: the demo key, and the documents say DEMO.
    let o = run(
        &[
            "--db",
            "demo.db",
            "export",
            "--decision",
            &any.to_string(),
            "--out",
            "x",
        ],
        d,
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let html = std::fs::read_to_string(d.join(format!("x/D-{any:06}.html"))).unwrap();
    assert!(html.contains("演示数据") && html.contains("DEMO KEY"));
    let o = run(
        &["verify", "x", "--pubkey", "demo-key/casepanel.pub"],
        d,
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("DEMO KEY"));
    // A rebuilt demo keeps its key, so the earlier export still verifies.
    let o = run(
        &["--db", "demo.db", "demo", "--cases", "12", "--no-tui"],
        d,
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        std::fs::read_to_string(d.join("demo-key/casepanel.pub")).unwrap(),
        pubkey
    );
}

#[test]
fn a_period_exports_every_decision_in_it_into_one_verifiable_folder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut store = generated(d);
    let key = SigningKey::generate_ephemeral();
    let all: Vec<(i64, NaiveDate)> = store
        .conn()
        .prepare("SELECT id, decided_on FROM decision WHERE status = 'sealed' AND imported = 0 ORDER BY decided_on, id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(all.len() >= 4, "the fixture has sealed decisions");
    // A period holding the later half of them.
    let from = all[all.len() / 2].1;
    let to = all.last().unwrap().1;
    let inside: Vec<i64> = all
        .iter()
        .filter(|(_, day)| *day >= from && *day <= to)
        .map(|(id, _)| *id)
        .collect();

    // Unsigned ones: refused, and nothing is written.
    let out = d.join("period");
    let e = export::export_period(
        &store,
        from,
        to,
        &out,
        casepanel::i18n::Lang::Zh,
        &key,
        "中心",
        now(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("not signed yet") && e.contains("sign --all"),
        "{e}"
    );
    assert!(!out.exists());
    // Dates the wrong way round, and an empty period.
    let e = export::export_period(
        &store,
        to,
        from,
        &out,
        casepanel::i18n::Lang::Zh,
        &key,
        "中心",
        now(),
    );
    assert!(from == to || e.unwrap_err().to_string().contains("after"));
    let empty = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap();
    let e = export::export_period(
        &store,
        empty,
        empty,
        &out,
        casepanel::i18n::Lang::Zh,
        &key,
        "中心",
        now(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("nothing to export"), "{e}");

    sign::sign_all(&mut store, &inside, &key, "中心", None, now()).unwrap();
    let summary = export::export_period(
        &store,
        from,
        to,
        &out,
        casepanel::i18n::Lang::Zh,
        &key,
        "中心",
        now(),
    )
    .unwrap();
    assert_eq!(summary.records, inside.len());
    assert_eq!(summary.files.len(), inside.len() * 4 + 2);
    let verified = export::verify::verify_folder(&out, &key.public()).unwrap();
    assert_eq!(verified.records.len(), inside.len());
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.starts_with(".casepanel-tmp-")),
        "no temporary file is left: {names:?}"
    );
    assert_eq!(leftovers(d), Vec::<String>::new(), "nor a temporary folder");
    // Exported again into the folder that now exists: file by file, the same bytes.
    let first: Vec<Vec<u8>> = summary
        .files
        .iter()
        .map(|n| std::fs::read(out.join(n)).unwrap())
        .collect();
    let again = export::export_period(
        &store,
        from,
        to,
        &out,
        casepanel::i18n::Lang::Zh,
        &key,
        "中心",
        now(),
    )
    .unwrap();
    assert_eq!(again.files, summary.files);
    for (n, bytes) in summary.files.iter().zip(&first) {
        if !n.starts_with("MANIFEST") {
            assert_eq!(&std::fs::read(out.join(n)).unwrap(), bytes, "{n}");
        }
    }
    export::verify::verify_folder(&out, &key.public()).unwrap();
    // A decision outside the period is not in the folder.
    if let Some((outside, _)) = all.iter().find(|(_, day)| *day < from) {
        let rid = export::record::record_id(*outside);
        assert!(!names.iter().any(|n| n.starts_with(&rid)));
    }
}

#[test]
fn export_from_to_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = run(&["keygen", "--out", "keys", "--unencrypted"], d, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(&["--db", "t.db", "generate", "--cases", "12"], d, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let key = ["--key", "keys/casepanel.key", "--signer", "测试中心"];
    let o = run(
        &[&["--db", "t.db", "sign", "--all"][..], &key].concat(),
        d,
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let export = |extra: &[&str]| {
        run(
            &[
                &["--db", "t.db", "export", "--out", "year"][..],
                &key,
                extra,
            ]
            .concat(),
            d,
            &[],
        )
    };
    let o = export(&["--from", "2026-12-31", "--to", "2026-01-01"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("after"), "{}", text(&o));
    // What the export refuses, in the language asked for: English without Chinese, the
    // Chinese in Chinese (the flags and dates stay as they are), exit 1, nothing written.
    let no_signer = ["--key", "keys/casepanel.key"];
    for (lang, backwards, nothing, signer) in [
        (
            "en",
            "give the earlier date first",
            "nothing to export",
            "Say who signs",
        ),
        (
            "zh",
            "请把较早的日期放在前面",
            "没有可导出的内容",
            "请说明由谁签名",
        ),
    ] {
        let lang_db = ["--lang", lang, "--db", "t.db", "export", "--out", "refused"];
        for (extra, signing, words) in [
            (
                ["--from", "2026-12-31", "--to", "2026-01-01"],
                &key[..],
                backwards,
            ),
            (
                ["--from", "1990-01-01", "--to", "1990-12-31"],
                &key[..],
                nothing,
            ),
            (
                ["--from", "2000-01-01", "--to", "2026-12-31"],
                &no_signer[..],
                signer,
            ),
        ] {
            let o = run(&[&lang_db[..], signing, &extra].concat(), d, &[]);
            let e = text(&o);
            assert_eq!(o.status.code(), Some(1), "{e}");
            // (The key here is unencrypted: a warning may come before.)
            let last = e.trim_end().lines().last().unwrap_or("");
            assert!(last.contains(words), "{e}");
            assert_eq!(has_han(&e), lang == "zh", "{e}");
            if lang == "zh" {
                for english in ["after", "nothing", "say who", "Say who", "pass "] {
                    assert!(!last.contains(english), "{english}: {e}");
                }
            }
            assert!(!d.join("refused").exists(), "nothing written: {e}");
        }
    }
    let o = export(&["--from", "2026-13-01", "--to", "2026-12-31"]);
    assert_eq!(o.status.code(), Some(2), "a bad date is a usage error");
    assert!(text(&o).contains("YYYY-MM-DD"), "{}", text(&o));
    let o = export(&["--from", "2026-01-01"]);
    assert_eq!(o.status.code(), Some(2), "--from needs --to");
    let o = export(&["--from", "2000-01-01", "--to", "2026-12-31"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(
        &["verify", "year", "--pubkey", "keys/casepanel.pub"],
        d,
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// The audit trail holds a signed record's SHA-256 and length, not its bytes; rows that
/// earlier builds wrote (the bytes as hex) still verify; a record changed behind
/// casepanel's back shows in `casepanel check`, with or without its `record_sha256`.
#[test]
fn the_trail_binds_signed_records_by_hash_and_check_finds_a_changed_one() {
    use casepanel::store::audit;
    let dir = tempfile::tempdir().unwrap();
    let mut store = generated(dir.path());
    let key = SigningKey::generate_ephemeral();
    let ids = signatures::unsigned_sealed(store.conn()).unwrap();
    assert!(ids.len() >= 2, "{ids:?}");
    // The first as an earlier build audited it: the same trigger with the bytes as hex.
    let c = store.conn();
    let (name, sql): (String, String) = c
        .query_row(
            "SELECT name, sql FROM sqlite_schema WHERE name = 'audit_row_decision_signature_ins'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let blob = "json(casepanel_blob_image(NEW.\"record\"))";
    assert!(sql.contains(blob), "{sql}");
    c.execute_batch(&format!(
        "DROP TRIGGER {name}; {}",
        sql.replace(blob, "hex(NEW.\"record\")")
    ))
    .unwrap();
    let old = sign::sign_decision(&mut store, ids[0], &key, "中心", None, now()).unwrap();
    drop(store);
    // Opened again: the triggers are this build's; the next record is audited by hash.
    let mut store = Store::open(&dir.path().join("t.db")).unwrap();
    let new = sign::sign_decision(&mut store, ids[1], &key, "中心", None, now()).unwrap();
    let image = |id: i64| -> serde_json::Value {
        let h = audit::history(store.conn(), "decision_signature", &format!("[{id}]")).unwrap();
        serde_json::from_str(h[0].after.as_deref().unwrap()).unwrap()
    };
    assert_eq!(image(ids[0])["record"], hex::encode_upper(&old.record));
    assert_eq!(
        image(ids[1])["record"],
        serde_json::json!({"sha256": sign::sha256_hex(&new.record), "bytes": new.record.len()})
    );
    for (id, rec) in [(ids[0], &old.record), (ids[1], &new.record)] {
        assert!(audit::blob_image_matches(&image(id)["record"], rec));
        assert!(!audit::blob_image_matches(&image(id)["record"], b"{}"));
    }
    let report = casepanel::check::check(store.conn()).unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.records, 2);
    drop(store);

    // Behind casepanel's back: the triggers that refuse and audit the change dropped, one
    // record changed with its record_sha256, the other without.
    let c = rusqlite::Connection::open(dir.path().join("t.db")).unwrap();
    c.execute_batch(
        "DROP TRIGGER decision_signature_no_update; DROP TRIGGER audit_row_decision_signature_upd;",
    )
    .unwrap();
    for (id, rec, with_sha) in [(ids[0], &old.record, true), (ids[1], &new.record, false)] {
        let mut changed = rec.clone();
        let at = changed.len() / 2;
        changed[at] ^= 0x01;
        let sha = if with_sha {
            sign::sha256_hex(&changed)
        } else {
            sign::sha256_hex(rec)
        };
        c.execute(
            "UPDATE decision_signature SET record = ?1, record_sha256 = ?2 WHERE decision_id = ?3",
            rusqlite::params![changed, sha, id],
        )
        .unwrap();
    }
    let report = casepanel::check::check(&c).unwrap();
    let (a, b) = (record_id(ids[0]), record_id(ids[1]));
    use casepanel::check::Problem;
    // (A changed byte may also make a record unreadable, when it falls in the JSON's
    // syntax: that problem is the heads' check, not this one.)
    let found: Vec<&Problem> = report
        .problems
        .iter()
        .filter(|p| !matches!(p, Problem::Unreadable { .. }))
        .collect();
    let bytes_changed = Problem::BytesChanged { id: b.clone() };
    assert_eq!(
        found,
        vec![
            // The audit trigger dropped above.
            &Problem::Trigger(audit::TriggerProblem::Missing {
                name: "audit_row_decision_signature_upd".into(),
                table: "decision_signature".into(),
            }),
            &Problem::BytesNotAudited { id: a },
            &bytes_changed,
            &Problem::BytesNotAudited { id: b.clone() },
        ]
    );
    // Told in English by Display.
    assert!(
        bytes_changed.to_string().contains(&format!(
            "signed record {b}: its bytes do not match its record_sha256"
        )),
        "{bytes_changed}"
    );
    drop(c);

    // Export reads a stored record by the hash taken when it was signed: the one changed
    // without its record_sha256 is refused, and no folder (nor a temporary one) is left.
    let store = Store::open(&dir.path().join("t.db")).unwrap();
    let out = dir.path().join("changed");
    let e = export::export_decisions(
        &store,
        &[ids[1]],
        "x",
        &out,
        casepanel::i18n::Lang::En,
        &key,
        "中心",
        now(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains(&format!("decision {}", ids[1])) && e.contains("changed after signing"),
        "{e}"
    );
    assert!(!out.exists());
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

/// A database of generated cases whose sealed decisions are signed by `keys/casepanel.key`
/// (unencrypted) for "Test Centre", in `d`; the arguments that name that key.
fn signed_world(d: &Path) -> [&'static str; 4] {
    let o = run(&["keygen", "--out", "keys", "--unencrypted"], d, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(&["--db", "t.db", "generate", "--cases", "12"], d, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    ["--key", "keys/casepanel.key", "--signer", "Test Centre"]
}

/// Session 6: `export` in English ended "162 record(s) 已导出 … Check with 核验". Every
/// message of sign, export and verify is in the user's language alone (`--lang`, else
/// the config's `lang`, else the locale), with the English plural forms; the documents'
/// language is a separate matter (`--lang`, else Chinese).
#[test]
fn the_signing_verbs_speak_the_users_language_alone() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = signed_world(d);
    let db = ["--db", "t.db"];
    let with = |lang: &str, verb: &[&str]| -> Vec<String> {
        [&db[..], &["--lang", lang], verb]
            .concat()
            .into_iter()
            .map(String::from)
            .collect()
    };
    let go = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&args, d, &[]);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o));
        text(&o)
    };

    // sign: one line per record, then how many, with which key.
    let key_id = keys::load_public_key(&d.join("keys/casepanel.pub"))
        .unwrap()
        .key_id()
        .to_string();
    let out = go(with("en", &[&["sign", "--all"][..], &key].concat()));
    assert!(!has_han(&out), "{out}");
    let n = out.lines().filter(|l| l.ends_with("  signed")).count();
    assert!(n >= 2, "{out}");
    assert!(
        out.contains(&format!("{n} decisions signed with key {key_id}.")),
        "{out}"
    );
    assert!(
        out.contains("is not encrypted; use it for tests only"),
        "{out}"
    );
    let out = go(with("en", &["sign", "--all"]));
    assert_eq!(
        out.trim(),
        "Nothing to sign: every sealed decision is signed."
    );
    let out = go(with("zh", &["sign", "--all"]));
    assert_eq!(out.trim(), "没有需要签名的决定：所有已确认的决定均已签名。");
    let store = Store::open(&d.join("t.db")).unwrap();
    let (first, session): (i64, i64) = store
        .conn()
        .query_row(
            "SELECT min(id), (SELECT min(session_id) FROM decision WHERE status = 'sealed') FROM decision WHERE status = 'sealed'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    drop(store);
    let (first, session) = (first.to_string(), session.to_string());
    let out = go(with("en", &["sign", "--decision", &first]));
    assert_eq!(
        out.trim(),
        format!("{}: already signed", record_id(first.parse().unwrap()))
    );
    let out = go(with("zh", &["sign", "--decision", &first]));
    assert_eq!(
        out.trim(),
        format!("{}：已签名", record_id(first.parse().unwrap()))
    );

    // export: a period, a session and one decision; the summary names the folder, how
    // many records and files, and the public key beside the key that signed.
    let period = ["--from", "2000-01-01", "--to", "2026-11-29"];
    let export = |lang: &str, what: &[&str], out: &str| {
        go(with(
            lang,
            &[&["export", "--out", out][..], what, &key].concat(),
        ))
    };
    for (what, dir_name, records) in [
        (&period[..], "period", None),
        (&["--session", &session][..], "session", None),
        (&["--decision", &first][..], "one", Some(1)),
    ] {
        let en = export("en", what, &format!("{dir_name}-en"));
        assert!(!has_han(&en), "{en}");
        let files = std::fs::read_dir(d.join(format!("{dir_name}-en")))
            .unwrap()
            .count();
        let records = records.unwrap_or_else(|| {
            names(&d.join(format!("{dir_name}-en")))
                .iter()
                .filter(|n| n.starts_with("D-") && n.ends_with(".json"))
                .count()
        });
        let noun = if records == 1 { "record" } else { "records" };
        assert_eq!(
            en.lines().next().unwrap_or_default(),
            format!(
                "{dir_name}-en: {records} {noun} exported, {files} files in all. \
                 Check with: casepanel verify {dir_name}-en --pubkey keys/casepanel.pub"
            )
        );
        let zh = export("zh", what, &format!("{dir_name}-zh"));
        assert_eq!(
            zh.lines().next().unwrap_or_default(),
            format!(
                "{dir_name}-zh：已导出 {records} 份决定书，共 {files} 个文件。\
                 核验：casepanel verify {dir_name}-zh --pubkey keys/casepanel.pub"
            )
        );
    }
    // The English setting without --lang: English messages, Chinese documents (as before).
    std::fs::write(d.join("config.toml"), "lang = \"en\"\n").unwrap();
    let o = run(
        &[
            &db[..],
            &["export", "--out", "setting", "--decision", &first],
            &key,
        ]
        .concat(),
        d,
        &[("LANG", "zh_CN.UTF-8")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).starts_with("setting: 1 record exported, "),
        "{}",
        text(&o)
    );
    let md = std::fs::read_to_string(
        d.join(format!("setting/{}.md", record_id(first.parse().unwrap()))),
    )
    .unwrap();
    assert!(has_han(&md));
    std::fs::write(d.join("config.toml"), "").unwrap();
    // A folder name with a space is quoted in the command to copy.
    let en = export("en", &["--decision", &first], "my records");
    assert!(
        en.contains("casepanel verify 'my records' --pubkey"),
        "{en}"
    );

    // verify: one line per record and one for the manifest, in one language.
    let verify = |lang: &str, what: &str| {
        go(with(
            lang,
            &["verify", what, "--pubkey", "keys/casepanel.pub"],
        ))
    };
    let en = verify("en", "period-en");
    assert!(!has_han(&en), "{en}");
    assert!(en.contains("  ok · signer Test Centre · signed "), "{en}");
    assert!(
        en.contains("MANIFEST.sha256  ok · ") && en.contains(&format!(" files · key {key_id}")),
        "{en}"
    );
    let zh = verify("zh", "period-zh");
    assert!(zh.contains("  ok · 签署人 Test Centre · 时间 "), "{zh}");
    assert!(zh.contains(" 个文件 · 密钥 "), "{zh}");
    assert!(!zh.contains(" files") && !zh.contains("signer"), "{zh}");
    // A failure: the problem, marked FAILED in either language.
    std::fs::write(d.join("one-en/extra.txt"), "x").unwrap();
    for (lang, head) in [
        ("en", "casepanel: FAILED: "),
        ("zh", "casepanel: 核验失败 FAILED："),
    ] {
        let args = with(
            lang,
            &["verify", "one-en", "--pubkey", "keys/casepanel.pub"],
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&args, d, &[]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        assert!(
            text(&o).starts_with(head) && text(&o).contains("extra.txt"),
            "{}",
            text(&o)
        );
        // Why, in the same language as the rest of the line.
        if lang == "en" {
            assert!(!has_han(&text(&o)), "{}", text(&o));
            assert!(
                text(&o).contains("extra.txt: extra file: not listed in MANIFEST.sha256"),
                "{}",
                text(&o)
            );
        } else {
            assert!(
                text(&o).contains("extra.txt：多出的文件：MANIFEST.sha256 中没有列出"),
                "{}",
                text(&o)
            );
            assert!(!text(&o).contains("extra file"), "{}", text(&o));
        }
    }
    // A missing signature: the file's name is the argument in either language.
    std::fs::remove_file(d.join("one-en/extra.txt")).unwrap();
    let rec = format!("{}.json", record_id(first.parse().unwrap()));
    std::fs::remove_file(d.join("one-en").join(format!("{rec}.minisig"))).unwrap();
    for (lang, why) in [
        (
            "en",
            format!("{rec}.minisig: missing file: listed in MANIFEST.sha256 but not in the folder"),
        ),
        (
            "zh",
            format!("{rec}.minisig：缺少文件：MANIFEST.sha256 中列出了，文件夹中却没有"),
        ),
    ] {
        let args = with(
            lang,
            &["verify", "one-en", "--pubkey", "keys/casepanel.pub"],
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&args, d, &[]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        assert!(text(&o).contains(&why), "{}", text(&o));
    }

    // keygen: what each file is, its key id and the line for the config, in one language.
    std::fs::write(d.join("pass"), "a long passphrase\n").unwrap();
    for lang in ["en", "zh"] {
        let out = format!("k-{lang}");
        let o = run(
            &[
                "--lang",
                lang,
                "keygen",
                "--out",
                &out,
                "--passphrase-file",
                "pass",
            ],
            d,
            &[],
        );
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let made = text(&o);
        let o = run(
            &[
                "--lang",
                lang,
                "keygen",
                "--out",
                &format!("{out}-u"),
                "--unencrypted",
            ],
            d,
            &[],
        );
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let unencrypted = text(&o);
        std::fs::write(d.join("short"), "short\n").unwrap();
        let o = run(
            &[
                "--lang",
                lang,
                "keygen",
                "--out",
                "k-short",
                "--passphrase-file",
                "short",
            ],
            d,
            &[],
        );
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        let short = text(&o);
        let o = run(&["--lang", lang, "keygen", "--out", "k-none"], d, &[]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        let no_terminal = text(&o);
        let key_id = keys::load_public_key(&d.join(&out).join("casepanel.pub"))
            .unwrap()
            .key_id()
            .to_string();
        let secret = std::fs::canonicalize(d.join(&out).join("casepanel.key")).unwrap();
        if lang == "en" {
            for s in [&made, &unencrypted, &short, &no_terminal] {
                assert!(!has_han(s), "{s}");
            }
            assert!(
                made.contains(
                    "k-en/casepanel.pub  public key: hand it to whoever checks records\n"
                ),
                "{made}"
            );
            assert!(
                made.contains("k-en/casepanel.key  secret key (encrypted): keep it safe"),
                "{made}"
            );
            assert!(made.contains(&format!("\nkey id: {key_id}\n")), "{made}");
            assert!(
                made.contains(&format!(
                    "Next: add to the config file {}: signing_key = \"{}\"",
                    d.join("config.toml").display(),
                    secret.display()
                )),
                "{made}"
            );
            assert!(
                unencrypted.contains("\ncasepanel: WARNING: the secret key will NOT be encrypted."),
                "{unencrypted}"
            );
            assert!(
                unencrypted.contains("secret key (NOT encrypted)"),
                "{unencrypted}"
            );
            assert!(short.contains("shorter than 8 characters"), "{short}");
            assert!(
                no_terminal.contains("no terminal to ask on: pass --passphrase-file FILE or set CASEPANEL_KEY_PASSPHRASE"),
                "{no_terminal}"
            );
        } else {
            assert!(
                made.contains("k-zh/casepanel.pub  公钥：交给核验决定书的单位\n"),
                "{made}"
            );
            assert!(
                made.contains("k-zh/casepanel.key  私钥（已加密）：妥善保管"),
                "{made}"
            );
            assert!(made.contains(&format!("\n密钥编号：{key_id}\n")), "{made}");
            assert!(
                made.contains(&format!(
                    "下一步：在配置文件 {} 中写入：signing_key = \"{}\"",
                    d.join("config.toml").display(),
                    secret.display()
                )),
                "{made}"
            );
            assert!(
                unencrypted.contains("\ncasepanel: 警告：私钥不会加密。"),
                "{unencrypted}"
            );
            assert!(unencrypted.contains("私钥（未加密）"), "{unencrypted}");
            assert!(short.contains("口令不足 8 个字符"), "{short}");
            assert!(
                no_terminal.contains(
                    "请用 --passphrase-file 文件 指定，或设置环境变量 CASEPANEL_KEY_PASSPHRASE"
                ),
                "{no_terminal}"
            );
            for s in [&made, &unencrypted, &short, &no_terminal] {
                for english in [
                    "public key",
                    "secret key",
                    "key id",
                    "Next",
                    "WARNING",
                    "passphrase is",
                ] {
                    assert!(!s.contains(english), "{english}: {s}");
                }
            }
        }
    }
}

/// Session 6, follow-on: the errors of the key files (made in `export::keys`) were English
/// in Chinese output. Each is a kind with its arguments, worded by the CLI in the user's
/// language alone: what, where, how to fix; exit 1.
#[test]
fn key_file_errors_speak_the_users_language_alone() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("pass"), "a long passphrase\n").unwrap();
    std::fs::write(d.join("wrong"), "not the passphrase\n").unwrap();
    std::fs::write(d.join("notakey.pub"), "hello\n").unwrap();
    std::fs::write(d.join("notakey.key"), "hello\n").unwrap();
    let o = run(
        &["keygen", "--out", "keys", "--passphrase-file", "pass"],
        d,
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(&["--db", "t.db", "generate", "--cases", "12"], d, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let before = std::fs::read(d.join("keys/casepanel.key")).unwrap();
    for lang in ["en", "zh"] {
        let failed = |args: &[&str]| -> String {
            let o = run(
                &[&["--db", "t.db", "--lang", lang][..], args].concat(),
                d,
                &[],
            );
            assert_eq!(o.status.code(), Some(1), "{args:?}: {}", text(&o));
            text(&o).trim().to_string()
        };
        let exists = failed(&["keygen", "--out", "keys", "--passphrase-file", "pass"]);
        let no_pub = failed(&["verify", "--pubkey", "gone.pub", "keys"]);
        let not_pub = failed(&["verify", "--pubkey", "notakey.pub", "keys"]);
        let signing = ["sign", "--all", "--signer", "Test Centre", "--key"];
        let not_secret = failed(&[&signing[..], &["notakey.key"]].concat());
        let no_secret = failed(&[&signing[..], &["gone.key"]].concat());
        let wrong = failed(
            &[
                &signing[..],
                &["keys/casepanel.key", "--passphrase-file", "wrong"],
            ]
            .concat(),
        );
        let all = [&exists, &no_pub, &not_pub, &not_secret, &no_secret, &wrong];
        if lang == "en" {
            for s in all {
                assert!(!has_han(s), "{s}");
            }
            assert_eq!(
                exists,
                "casepanel: keys/casepanel.pub: a key file is already there; casepanel never \
                 replaces a key (records signed with it would no longer verify against a new one). \
                 Choose another --out folder, or move the old key away first."
            );
            assert_eq!(
                no_pub,
                "casepanel: gone.pub: cannot read the public key: there is no such file. \
                 Check --pubkey, or signing_key in the config file."
            );
            assert_eq!(
                not_pub,
                "casepanel: notakey.pub: not a minisign public key. Pass the `.pub` file the centre handed out."
            );
            assert_eq!(
                not_secret,
                "casepanel: notakey.key: not a minisign secret key. Check --key, or signing_key in \
                 the config file; to make a key, run `casepanel keygen --out DIR`."
            );
            assert_eq!(
                no_secret,
                "casepanel: gone.key: cannot read the secret key: there is no such file. \
                 Check --key, or signing_key in the config file."
            );
            assert_eq!(
                wrong,
                "casepanel: keys/casepanel.key: wrong passphrase for this key; nothing was done. Try again."
            );
        } else {
            assert_eq!(
                exists,
                "casepanel: keys/casepanel.pub：这里已有密钥文件。casepanel 从不替换密钥\
                 （用它签署的决定书将无法用新密钥核验）。请换一个 --out 文件夹，或先把旧密钥移走。"
            );
            assert_eq!(
                no_pub,
                "casepanel: gone.pub：无法读取公钥：文件不存在。请检查 --pubkey 或配置文件中的 signing_key。"
            );
            assert_eq!(
                not_pub,
                "casepanel: notakey.pub：不是 minisign 公钥。请使用本中心发放的 .pub 文件。"
            );
            assert_eq!(
                not_secret,
                "casepanel: notakey.key：不是 minisign 私钥。请检查 --key 或配置文件中的 signing_key；\
                 还没有密钥时，用 `casepanel keygen --out 文件夹` 生成一对。"
            );
            assert_eq!(
                no_secret,
                "casepanel: gone.key：无法读取私钥：文件不存在。请检查 --key 或配置文件中的 signing_key。"
            );
            assert_eq!(
                wrong,
                "casepanel: keys/casepanel.key：私钥口令不对，未做任何操作。请重试。"
            );
        }
    }
    assert_eq!(std::fs::read(d.join("keys/casepanel.key")).unwrap(), before);
    // Nothing was signed.
    let store = Store::open(&d.join("t.db")).unwrap();
    assert!(
        !signatures::unsigned_sealed(store.conn())
            .unwrap()
            .is_empty()
    );
    let n: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM decision_signature", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
}

/// Session 6: an export into a folder that cannot be made printed only the OS message.
/// It says what failed, where and how to fix it, in both languages, exits 1, and leaves
/// nothing behind: no `.casepanel-tmp-*` folder, and no folder made on the way.
#[test]
fn an_export_folder_that_cannot_be_made_says_what_where_and_how() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = signed_world(d);
    let o = run(
        &[&["--db", "t.db", "sign", "--all"][..], &key].concat(),
        d,
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    std::fs::write(d.join("a-file"), "x").unwrap();
    let listing = || names(d);
    let too_long = format!("new/deeper/{}/out", "n".repeat(300));
    let mut outs: Vec<(String, &str, &str)> = vec![
        // Under a file; the file itself; a name the file system refuses, two folders down.
        (
            "a-file/out".into(),
            "is a file, not a folder",
            "是文件，不是文件夹",
        ),
        (
            "a-file".into(),
            "is a file, not a folder",
            "是文件，不是文件夹",
        ),
        (
            too_long,
            "the name is too long or holds a character the disk does not allow",
            "名称太长，或含有磁盘不允许的字符",
        ),
    ];
    if cfg!(target_os = "linux") && Path::new("/proc/self").exists() {
        outs.push((
            "/proc/nope".into(),
            "the folder above it does not exist or cannot hold new folders",
            "上一级文件夹不存在，或不能在其中新建文件夹",
        ));
    }
    // A read-only folder; only where permissions bind (not for root).
    let ro = d.join("read-only");
    std::fs::create_dir(&ro).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        if std::fs::write(ro.join("probe"), "x").is_err() {
            outs.push((
                "read-only/out".into(),
                "you may not write there",
                "您没有在此处写入的权限",
            ));
        } else {
            std::fs::remove_file(ro.join("probe")).unwrap();
            eprintln!(
                "running with the right to write anywhere: the read-only folder is not tried"
            );
        }
    }
    let before_ro = names(&ro);
    let before = listing();
    let store = Store::open(&d.join("t.db")).unwrap();
    let first: i64 = store
        .conn()
        .query_row("SELECT min(decision_id) FROM decision_signature", [], |r| {
            r.get(0)
        })
        .unwrap();
    drop(store);
    let first = first.to_string();
    for (out, en_why, zh_why) in &outs {
        for (lang, what, fix, why) in [
            (
                "en",
                "Could not make the export folder",
                "Choose a folder you can write to, for example one in your home folder",
                en_why,
            ),
            (
                "zh",
                "无法创建导出文件夹",
                "请改用一个您可以写入的文件夹，例如主目录下的文件夹",
                zh_why,
            ),
        ] {
            for what_arg in [
                &["--decision", &first][..],
                &["--from", "2000-01-01", "--to", "2026-11-29"],
            ] {
                let o = run(
                    &[
                        &["--db", "t.db", "--lang", lang, "export", "--out", out][..],
                        what_arg,
                        &key,
                    ]
                    .concat(),
                    d,
                    &[],
                );
                let all = text(&o);
                assert_eq!(o.status.code(), Some(1), "{out}: {all}");
                // After the warning that the test key is not encrypted.
                let msg = all.lines().last().unwrap_or_default();
                assert!(
                    msg.starts_with(&format!("casepanel: {what} {out}")),
                    "{all}"
                );
                assert!(msg.contains(why) && msg.contains(fix), "{all}");
                if lang == "en" {
                    assert!(!has_han(&all), "{all}");
                }
                assert_eq!(listing(), before, "{out}: nothing left behind");
                assert_eq!(names(&ro), before_ro);
                assert_eq!(leftovers(d), Vec::<String>::new());
            }
        }
    }
    // Into the read-only folder itself: it is there, but cannot be written into.
    if outs.iter().any(|(out, _, _)| out == "read-only/out") {
        for (lang, said) in [
            (
                "en",
                "casepanel: Could not write into the export folder read-only: you may not write there. \
                 Choose a folder you can write to",
            ),
            (
                "zh",
                "casepanel: 无法写入导出文件夹 read-only：您没有在此处写入的权限。请改用一个您可以写入的文件夹",
            ),
        ] {
            let o = run(
                &[
                    &[
                        "--db",
                        "t.db",
                        "--lang",
                        lang,
                        "export",
                        "--out",
                        "read-only",
                    ][..],
                    &["--decision", &first],
                    &key,
                ]
                .concat(),
                d,
                &[],
            );
            assert_eq!(o.status.code(), Some(1), "{}", text(&o));
            assert!(
                text(&o)
                    .lines()
                    .last()
                    .unwrap_or_default()
                    .starts_with(said),
                "{}",
                text(&o)
            );
            assert_eq!(names(&ro), before_ro);
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// Session 6: `verify --key FILE` got clap's "unexpected argument". verify takes the
/// PUBLIC key (`--pubkey`); `--key` is sign's and export's secret key. A usage error (exit
/// 2) that says so in the user's language, and where the public key is.
#[test]
fn verify_with_key_says_it_takes_the_public_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = run(&["keygen", "--out", "keys", "--unencrypted"], d, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    std::fs::create_dir(d.join("out")).unwrap();
    let tried: &[&[&str]] = &[
        &["verify", "out", "--key", "keys/casepanel.key"],
        &["verify", "--key", "keys/casepanel.key", "out"],
        &["verify", "out", "--key=keys/casepanel.pub"],
        &["verify", "out", "--key"],
    ];
    for args in tried {
        // No config: where keygen puts the public key.
        let o = run(&[&["--lang", "en"][..], args].concat(), d, &[]);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        let msg = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(o.stdout.is_empty());
        assert!(
            msg.starts_with("error: verify checks signatures with the centre's PUBLIC key: give it with --pubkey FILE, not --key.")
                && msg.contains("--key names the SECRET key (casepanel.key), which only sign and export use.")
                && msg.contains("The public key is casepanel.pub, in the folder keygen made, beside casepanel.key")
                && msg.contains("Usage: casepanel verify"),
            "{msg}"
        );
        assert!(!has_han(&msg), "{msg}");
        let o = run(args, d, &[("LANG", "zh_CN.UTF-8")]);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        let msg = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(
            msg.contains("核验用的是本中心的公钥：请用 --pubkey 文件 指定，而不是 --key。")
                && msg.contains("公钥文件是 casepanel.pub"),
            "{msg}"
        );
    }
    // A configured key: its public key named, in the config's language.
    std::fs::write(
        d.join("config.toml"),
        "lang = \"zh\"\nsigning_key = \"keys/casepanel.key\"\n",
    )
    .unwrap();
    let o = run(&["verify", "out", "--key", "keys/casepanel.key"], d, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("本机的公钥是 keys/casepanel.pub，与配置文件中的签名私钥在同一文件夹"),
        "{}",
        text(&o)
    );
    let o = run(&["--lang", "en", "verify", "out", "--key", "x"], d, &[]);
    assert!(
        text(&o).contains("Yours is keys/casepanel.pub, beside the signing key the config names; without --pubkey, verify uses it."),
        "{}",
        text(&o)
    );
    // --key is no option of verify's: its help does not list it.
    let o = run(&["verify", "--help"], d, &[]);
    assert_eq!(o.status.code(), Some(0));
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(
        help.contains("--pubkey") && !help.contains("--key"),
        "{help}"
    );
}

/// Temporary files or folders an export left in `dir`.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".casepanel-tmp-"))
        .collect()
}

fn record_id(decision_id: i64) -> String {
    export::record::record_id(decision_id)
}

/// The names in the folder `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Session 7: the refusals of `sign` and `export` that a person can act on — a decision not
/// signed yet, a folder holding a file the export does not write — were English only. They
/// are said in the user's language, with the command that fixes them, exit 1, and nothing
/// is written.
#[test]
fn the_signing_verbs_refuse_in_the_users_language() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = signed_world(d);
    let store = Store::open(&d.join("t.db")).unwrap();
    let first: i64 = store
        .conn()
        .query_row(
            "SELECT min(id) FROM decision WHERE status = 'sealed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(store);
    let first = first.to_string();
    let refused = |lang: &str, verb: &[&str]| {
        let args = [&["--db", "t.db", "--lang", lang][..], verb, &key].concat();
        let o = run(&args, d, &[]);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", text(&o));
        text(&o)
    };
    let export_one = |out: &str| ["export", "--out", out, "--decision", &first].map(String::from);
    let args = export_one("one");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let zh = refused("zh", &args);
    assert!(
        zh.contains(&format!("第 {first} 号决定"))
            && zh.contains("已确认但尚未签名")
            && zh.contains(&format!("casepanel sign --decision {first}")),
        "{zh}"
    );
    let en = refused("en", &args);
    assert!(!has_han(&en), "{en}");
    assert!(
        en.contains(&format!("Decision {first} ("))
            && en.contains("is sealed but not signed yet")
            && en.contains("Nothing was exported."),
        "{en}"
    );
    assert!(!d.join("one").exists());

    let o = run(
        &[&["--db", "t.db", "sign", "--all"][..], &key].concat(),
        d,
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    std::fs::create_dir(d.join("one")).unwrap();
    std::fs::write(d.join("one/notes.txt"), "mine").unwrap();
    let zh = refused("zh", &args);
    assert!(
        zh.contains("notes.txt")
            && zh.contains("本次导出不会写入它")
            && zh.contains("空的或新的文件夹"),
        "{zh}"
    );
    let en = refused("en", &args);
    assert!(!has_han(&en), "{en}");
    assert!(
        en.contains("holds notes.txt, which this export does not write"),
        "{en}"
    );
    assert_eq!(names(&d.join("one")), ["notes.txt"]);
}
