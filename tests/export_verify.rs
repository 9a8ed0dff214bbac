//! Signed exports, end to end through the library: generate → sign → export → verify, and
//! every way an export can be tampered with is caught and names the file.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;

use casepanel::export::keys::{SigningKey, parse_public_key};
use casepanel::export::record::{self, DecisionRecord, RecordInput};
use casepanel::export::{self, canonical, manifest, render, sign, verify};
use casepanel::generate::{GenConfig, generate};
use casepanel::i18n::Lang;
use casepanel::store::{Store, cases, catalogues, children, decisions, panel, regions, signatures};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
}

fn now() -> chrono::NaiveDateTime {
    today().and_hms_opt(10, 30, 0).unwrap()
}

struct World {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    store: Store,
    key: SigningKey,
    pubkey_file: PathBuf,
}

/// A small generated database, every sealed decision signed with a fresh key.
fn world() -> World {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let mut store = Store::open(&dir.join("t.db")).unwrap();
    generate(
        &mut store,
        &GenConfig {
            cases: 24,
            seed: 7,
            today: today(),
        },
    )
    .unwrap();
    let key = SigningKey::generate_ephemeral();
    let ids = signatures::unsigned_sealed(store.conn()).unwrap();
    assert!(
        ids.len() >= 5,
        "the generator seals most decisions: {}",
        ids.len()
    );
    let signed = sign::sign_all(
        &mut store,
        &ids,
        &key,
        "新民市未成年人保护中心",
        None,
        now(),
    )
    .unwrap();
    assert_eq!(signed.len(), ids.len());
    let pubkey_file = dir.join("casepanel.pub");
    std::fs::write(&pubkey_file, key.public_key_text()).unwrap();
    World {
        _dir: tmp,
        dir,
        store,
        key,
        pubkey_file,
    }
}

/// The session with the fewest (but at least one) sealed decisions.
fn small_session(store: &Store) -> i64 {
    let mut best = None;
    for s in panel::sessions(store.conn(), 1000).unwrap() {
        let n = decisions::of_session(store.conn(), s.id).unwrap().len();
        if n > 0 && best.is_none_or(|(_, m)| n < m) {
            best = Some((s.id, n));
        }
    }
    best.expect("some session decided cases").0
}

fn export_session(w: &World, lang: Lang) -> PathBuf {
    let sid = small_session(&w.store);
    let out = w.dir.join(format!("session-{sid}-{lang}"));
    export::export_session(
        &w.store,
        sid,
        &out,
        lang,
        &w.key,
        "新民市未成年人保护中心",
        now(),
    )
    .unwrap();
    out
}

fn pk(w: &World) -> export::VerifyingKey {
    parse_public_key(&std::fs::read_to_string(&w.pubkey_file).unwrap()).unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn smallest_record(dir: &Path) -> String {
    names(dir)
        .into_iter()
        .filter(|n| n.ends_with(".json"))
        .min_by_key(|n| std::fs::metadata(dir.join(n)).unwrap().len())
        .unwrap()
}

#[test]
fn round_trip_generate_sign_export_verify() {
    let w = world();
    let out = export_session(&w, Lang::Zh);
    let files = names(&out);
    assert!(
        files.contains(&"minutes.md".to_string()) && files.contains(&"minutes.html".to_string())
    );
    assert!(
        files.contains(&"MANIFEST.sha256".to_string())
            && files.contains(&"MANIFEST.sha256.minisig".to_string())
    );
    let v = verify::verify_path(&out, &pk(&w)).unwrap();
    assert!(!v.records.is_empty());
    assert_eq!(v.files + 2, files.len());
    for r in &v.records {
        assert_eq!(r.signer, "新民市未成年人保护中心");
        assert_eq!(r.signed_at, "2026-11-29T10:30:00");
        assert!(files.contains(&format!("{}.md", r.record_id)));
        assert!(files.contains(&format!("{}.html", r.record_id)));
    }
    // The record file is exactly what the store signed, and canonical.
    let rec_file = smallest_record(&out);
    let bytes = std::fs::read(out.join(&rec_file)).unwrap();
    assert!(canonical::is_canonical(&bytes));
    let rec = DecisionRecord::parse(&bytes).unwrap();
    let stored = signatures::get(w.store.conn(), rec.decision_id)
        .unwrap()
        .unwrap();
    assert_eq!(stored.record, bytes);
    assert_eq!(stored.record_sha256, sign::sha256_hex(&bytes));
    // Single-record verification too, and a re-export into the same folder.
    verify::verify_path(&out.join(&rec_file), &pk(&w)).unwrap();
    let sid = small_session(&w.store);
    export::export_session(
        &w.store,
        sid,
        &out,
        Lang::Zh,
        &w.key,
        "新民市未成年人保护中心",
        now(),
    )
    .unwrap();
    verify::verify_path(&out, &pk(&w)).unwrap();
    // English documents, same signed bytes.
    let en = export_session(&w, Lang::En);
    verify::verify_path(&en, &pk(&w)).unwrap();
    assert_eq!(std::fs::read(en.join(&rec_file)).unwrap(), bytes);
    let html = std::fs::read_to_string(en.join(rec_file.replace(".json", ".html"))).unwrap();
    assert!(html.contains("Expert panel decision"));
    let html = std::fs::read_to_string(out.join(rec_file.replace(".json", ".html"))).unwrap();
    assert!(html.contains("专家组评估决定书"));
    // One decision on its own.
    let one = w.dir.join("one");
    let s = export::export_decision(
        &w.store,
        rec.decision_id,
        &one,
        Lang::Zh,
        &w.key,
        "x",
        now(),
    )
    .unwrap();
    assert_eq!(s.files.len(), 6);
    let v = verify::verify_path(&one, &pk(&w)).unwrap();
    assert_eq!(v.records.len(), 1);
}

fn flip(path: &Path, i: usize) {
    let mut b = std::fs::read(path).unwrap();
    b[i] ^= 0x01;
    std::fs::write(path, b).unwrap();
}

/// Flips every byte of `file` (in `dir`) in turn; each time verification of `target` must
/// fail and name one of `blamed`.
fn every_byte_fails(
    w: &World,
    target: &Path,
    dir: &Path,
    file: &str,
    stride: usize,
    blamed: &[&str],
) -> usize {
    let p = dir.join(file);
    let len = std::fs::metadata(&p).unwrap().len() as usize;
    let key = pk(w);
    let mut n = 0;
    for i in (0..len).step_by(stride) {
        flip(&p, i);
        let r = verify::verify_path(target, &key);
        flip(&p, i);
        let problem = match r {
            Ok(_) => panic!("{file}: flipping byte {i} went unnoticed"),
            Err(p) => p,
        };
        assert!(
            blamed.iter().any(|b| problem.file.ends_with(b)),
            "{file}: byte {i}: the problem names {} ({problem}), not {blamed:?}",
            problem.file
        );
        n += 1;
    }
    verify::verify_path(target, &key).expect("restored");
    n
}

#[test]
fn flipping_any_byte_fails_and_names_the_file() {
    let w = world();
    let out = export_session(&w, Lang::Zh);
    let rec = smallest_record(&out);
    let sig = format!("{rec}.minisig");
    // The record on its own: every byte of the record and of its signature.
    let single = out.join(&rec);
    let n = every_byte_fails(&w, &single, &out, &rec, 1, &[&rec]);
    assert!(n > 1000, "a real record: {n} bytes");
    every_byte_fails(&w, &single, &out, &sig, 1, &[&sig]);
    // The folder: every byte of the signatures and the manifest; a sample of the bytes of
    // every other file (each is covered by the manifest the same way).
    every_byte_fails(&w, &out, &out, &sig, 1, &[&sig]);
    every_byte_fails(&w, &out, &out, manifest::MANIFEST, 1, &[manifest::MANIFEST]);
    every_byte_fails(
        &w,
        &out,
        &out,
        manifest::MANIFEST_SIG,
        1,
        &[manifest::MANIFEST_SIG],
    );
    for f in names(&out) {
        if f != sig && !f.starts_with("MANIFEST") {
            every_byte_fails(&w, &out, &out, &f, 101, &[&f]);
        }
    }
}

#[test]
fn missing_extra_and_wrong_key_fail() {
    let w = world();
    let out = export_session(&w, Lang::Zh);
    let key = pk(&w);
    for f in names(&out) {
        let p = out.join(&f);
        let keep = std::fs::read(&p).unwrap();
        std::fs::remove_file(&p).unwrap();
        let e = verify::verify_path(&out, &key).unwrap_err();
        assert_eq!(e.file, f, "{e}");
        assert!(e.message(Lang::En).starts_with("missing file"), "{e}");
        assert!(e.message(Lang::Zh).starts_with("缺少文件"), "{e}");
        std::fs::write(&p, keep).unwrap();
    }
    verify::verify_path(&out, &key).unwrap();
    for extra in ["notes.txt", ".hidden", ".casepanel-tmp-1-D-000001.json"] {
        std::fs::write(out.join(extra), b"x").unwrap();
        let e = verify::verify_path(&out, &key).unwrap_err();
        assert_eq!(e.file, extra, "{e}");
        assert!(e.message(Lang::En).contains("extra file"), "{e}");
        assert!(e.message(Lang::Zh).starts_with("多出的文件"), "{e}");
        std::fs::remove_file(out.join(extra)).unwrap();
    }
    std::fs::create_dir(out.join("sub")).unwrap();
    assert_eq!(verify::verify_path(&out, &key).unwrap_err().file, "sub");
    std::fs::remove_dir(out.join("sub")).unwrap();
    // Another key: named as the wrong key, on the first signature checked.
    let other = SigningKey::generate_ephemeral().public();
    let e = verify::verify_path(&out, &other).unwrap_err();
    assert!(e.message(Lang::En).contains("wrong key"), "{e}");
    // The key ids stay as arguments in either language.
    let zh = e.message(Lang::Zh);
    assert!(
        zh.starts_with("密钥不符") && zh.contains(other.key_id()) && !zh.contains("wrong key"),
        "{zh}"
    );
    let rec = smallest_record(&out);
    let e = verify::verify_path(&out.join(&rec), &other).unwrap_err();
    assert!(
        e.message(Lang::En).contains("wrong key") && e.file.ends_with(&format!("{rec}.minisig")),
        "{e}"
    );
    // A record swapped for another record signed by the same key: caught by the manifest,
    // and on its own by the name check.
    let recs: Vec<String> = names(&out)
        .into_iter()
        .filter(|n| n.ends_with(".json"))
        .collect();
    if recs.len() >= 2 {
        let a = std::fs::read(out.join(&recs[0])).unwrap();
        std::fs::write(
            out.join(&recs[0]),
            std::fs::read(out.join(&recs[1])).unwrap(),
        )
        .unwrap();
        assert_eq!(verify::verify_path(&out, &key).unwrap_err().file, recs[0]);
        std::fs::write(out.join(&recs[0]), a).unwrap();
    }
    // Exporting into a folder with other files is refused (verify would reject it).
    std::fs::write(out.join("notes.txt"), b"x").unwrap();
    let sid = small_session(&w.store);
    let e = export::export_session(&w.store, sid, &out, Lang::Zh, &w.key, "x", now()).unwrap_err();
    assert!(e.to_string().contains("notes.txt"), "{e}");
}

#[test]
fn the_record_is_a_pure_function_of_domain_values() {
    let w = world();
    let c = w.store.conn();
    assert!(
        signatures::unsigned_sealed(c).unwrap().is_empty(),
        "all signed"
    );
    let any: i64 = c
        .query_row("SELECT min(decision_id) FROM decision_signature", [], |r| {
            r.get(0)
        })
        .unwrap();
    let stored = signatures::get(c, any).unwrap().unwrap();
    let d = decisions::get(c, stored.decision_id).unwrap().unwrap();
    let case = cases::get(c, d.case_id).unwrap().unwrap();
    let child = children::get(c, case.child_id).unwrap().unwrap();
    let path = regions::path(c, &child.region).unwrap();
    let session = panel::session(c, d.session_id.unwrap()).unwrap().unwrap();
    let members = panel::members(c).unwrap();
    let cat = catalogues::by_hash(c, &d.assessment.catalogue.sha256)
        .unwrap()
        .unwrap();
    let centre =
        casepanel::store::settings::get(c, casepanel::store::settings::CENTRE_NAME).unwrap();
    // The audit head is the trail's last row when the record was signed.
    let signed = record::DecisionRecord::parse(&stored.record).unwrap();
    let head = signed
        .audit_head
        .as_ref()
        .expect("a signed record names the audit head");
    assert_eq!(
        casepanel::store::audit::hash_of(c, head.row_id)
            .unwrap()
            .as_deref(),
        Some(head.sha256.as_str())
    );
    let input = RecordInput {
        decision: &d,
        child: &child,
        region_path: &path,
        session: Some(&session),
        members: &members,
        catalogue: Some(&cat),
        centre: centre.as_deref(),
        signer: &stored.signer,
        key_id: &stored.key_id,
        signed_at: stored.signed_at,
        audit_head: Some((head.row_id, head.sha256.as_str())),
    };
    let a = record::build(&input).to_canonical();
    let b = record::build(&input).to_canonical();
    assert_eq!(a, b);
    assert_eq!(
        a, stored.record,
        "the CLI, the TUI and the store build the same bytes"
    );
    // The amended decision flows through.
    let mut amending = d.clone();
    amending.amends = Some(1);
    let input = RecordInput {
        decision: &amending,
        ..input
    };
    let r = record::build(&input);
    assert_eq!(r.amends.as_ref().unwrap().record_id, "D-000001");
    let md = render::record_markdown(&r, Lang::Zh, "D.json");
    assert!(md.contains("D-000001"), "{md}");
}

/// Every string of a record replaced with hostile text still renders inert.
#[test]
fn hostile_record_text_is_escaped() {
    let w = world();
    let c = w.store.conn();
    let any: i64 = c
        .query_row("SELECT min(decision_id) FROM decision_signature", [], |r| {
            r.get(0)
        })
        .unwrap();
    let bytes = signatures::get(c, any).unwrap().unwrap().record;
    let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    const HOSTILE: &str = "<script>alert(1)</script><img src=x onerror=alert(2)>\x1b]52;c;ZXZpbA==\x07[x](javascript:alert(3))\u{202E}";
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => *s = format!("{s}{HOSTILE}"),
            serde_json::Value::Array(a) => a.iter_mut().for_each(walk),
            serde_json::Value::Object(o) => o.values_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    let rec: DecisionRecord = serde_json::from_value(v).unwrap();
    for lang in Lang::ALL {
        let html = render::record_html(&rec, lang, "D.json");
        assert!(!html.contains("<script") && !html.contains("<img"), "html");
        assert!(!html.contains('\x1b') && !html.contains('\u{202E}') && !html.contains('\x07'));
        assert_eq!(html.matches("<style>").count(), 1);
        let md = render::record_markdown(&rec, lang, "D.json");
        // Markdown keeps the text visible but inert: every `<`, `[` and `(` is escaped.
        let bytes = md.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            if matches!(b, b'<' | b'[' | b'(') {
                assert!(
                    i > 0 && bytes[i - 1] == b'\\',
                    "unescaped {} at {i}",
                    *b as char
                );
            }
        }
        assert!(!md.contains("](javascript"), "md");
        assert!(!md.contains('\x1b') && !md.contains('\u{202E}'));
    }
}

#[test]
fn records_match_the_json_schema() {
    let w = world();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/schema/decision-record.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let c = w.store.conn();
    let mut st = c
        .prepare("SELECT decision_id FROM decision_signature")
        .unwrap();
    let ids: Vec<i64> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for id in ids {
        let bytes = signatures::get(c, id).unwrap().unwrap().record;
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "decision {id}: {errors:?}");
        // Every property the schema knows is in the record, and no other.
        let props = schema["properties"].as_object().unwrap();
        assert_eq!(v.as_object().unwrap().len(), props.len());
        let mut broken = v.clone();
        broken.as_object_mut().unwrap().remove("signer");
        assert!(!validator.is_valid(&broken));
        let mut broken = v.clone();
        broken["final_level"] = serde_json::json!(4);
        assert!(!validator.is_valid(&broken));
    }
}

/// Debian's `minisign` verifies the exported records and manifests.
#[test]
fn the_minisign_tool_verifies_exports() {
    let found = Command::new("minisign").arg("-v").output().is_ok();
    if !found {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("minisign is not installed; .ci/run installs it (apt-get install minisign)");
        }
        eprintln!("NOTICE: minisign is not on PATH; skipping the minisign interoperability test");
        return;
    }
    let w = world();
    let out = export_session(&w, Lang::Zh);
    let mut checked = 0;
    for f in names(&out) {
        if f.ends_with(".json") || f == manifest::MANIFEST {
            let o = Command::new("minisign")
                .args(["-Vm", &f, "-p"])
                .arg(&w.pubkey_file)
                .current_dir(&out)
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "{f}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            let said = String::from_utf8_lossy(&o.stdout).into_owned()
                + &String::from_utf8_lossy(&o.stderr);
            if f.ends_with(".json") {
                let id = f.trim_end_matches(".json");
                assert!(said.contains(&format!("record:{id}")), "{said}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 2);
    // And refuses a changed record.
    let rec = smallest_record(&out);
    flip(&out.join(&rec), 10);
    let o = Command::new("minisign")
        .args(["-Vm", &rec, "-p"])
        .arg(&w.pubkey_file)
        .current_dir(&out)
        .output()
        .unwrap();
    assert!(!o.status.success());
}

/// A fixed key (minisign's own format, unencrypted; made for this test, signs nothing real).
const PINNED_KEY: &str = "untrusted comment: casepanel test key (unencrypted; signs nothing real)
RWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAqTqXzOUphThP3FepxWAHYTroFZt9dbcTIPLkdSYdYE6ZvOX15iE4XoDGXxBMnp+g+jpywMY4ePziZNHSzgEdifQsQK9QVaRnon9cs/XJmDW+Nf8cQgaWQkQjwP30dfCRICkT7QVr/l4=
";

/// The bytes of records, their signatures and their documents, pinned: the same domain
/// values, key, signer, time and audit head give these exact bytes, whatever is changed
/// in how they are built (in parallel, faster). The SHA-256 of each record's canonical
/// JSON, of its `.minisig` text but the two signature lines (minisign adds random noise
/// to each Ed25519 signature, so those differ every time; they must verify), and of its
/// Markdown and HTML in both languages.
#[test]
fn record_bytes_signatures_and_documents_are_pinned() {
    let tmp = tempfile::tempdir().unwrap();
    let key_file = tmp.path().join("pinned.key");
    std::fs::write(&key_file, PINNED_KEY).unwrap();
    let key = casepanel::export::load_secret_key(&key_file, None).unwrap();
    assert_eq!(key.key_id(), "388529E5CC973AA9");
    let mut store = Store::open(&tmp.path().join("t.db")).unwrap();
    generate(
        &mut store,
        &GenConfig {
            cases: 24,
            seed: 7,
            today: today(),
        },
    )
    .unwrap();
    let c = store.conn();
    let ids = signatures::unsigned_sealed(c).unwrap();
    let head = "5f".repeat(32);
    let mut got = Vec::new();
    for &id in ids.iter().take(3) {
        let d = decisions::get(c, id).unwrap().unwrap();
        let case = cases::get(c, d.case_id).unwrap().unwrap();
        let child = children::get(c, case.child_id).unwrap().unwrap();
        let path = regions::path(c, &child.region).unwrap();
        let session = d.session_id.map(|s| panel::session(c, s).unwrap().unwrap());
        let members = panel::members(c).unwrap();
        let cat = catalogues::by_hash(c, &d.assessment.catalogue.sha256).unwrap();
        let rec = record::build(&RecordInput {
            decision: &d,
            child: &child,
            region_path: &path,
            session: session.as_ref(),
            members: &members,
            catalogue: cat.as_ref(),
            centre: Some("新民市未成年人保护中心"),
            signer: "新民市未成年人保护中心",
            key_id: key.key_id(),
            signed_at: now(),
            audit_head: Some((41, &head)),
        });
        let bytes = rec.to_canonical();
        let file = format!("{}.json", rec.record_id);
        let minisig = sign::sign_bytes(
            &key,
            &bytes,
            &sign::trusted_comment(&rec),
            &sign::untrusted_comment(&file),
        )
        .unwrap();
        let lines: Vec<&str> = minisig.lines().collect();
        assert_eq!(lines.len(), 4, "{minisig}");
        let comments = format!("{}\n{}\n", lines[0], lines[2]);
        std::fs::write(tmp.path().join(&file), &bytes).unwrap();
        std::fs::write(tmp.path().join(format!("{file}.minisig")), &minisig).unwrap();
        verify::verify_path(&tmp.path().join(&file), &key.public()).unwrap();
        let parsed = DecisionRecord::parse(&bytes).unwrap();
        assert_eq!(parsed, rec);
        let mut docs = Vec::new();
        for lang in Lang::ALL {
            docs.push(render::record_markdown(&parsed, lang, &file));
            docs.push(render::record_html(&parsed, lang, &file));
        }
        let sha = |b: &[u8]| sign::sha256_hex(b)[..16].to_string();
        got.push(format!(
            "{} json {} ({} bytes) minisig {} docs {}",
            rec.record_id,
            sha(&bytes),
            bytes.len(),
            sha(comments.as_bytes()),
            docs.iter()
                .map(|d| sha(d.as_bytes()))
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    assert_eq!(
        got,
        [
            "D-000001 json c72d2ec41a266562 (13316 bytes) minisig 6c96d6526ec5f229 docs 96aa5dc854b5ddd8 3dc61789faef525f 405ed9099d064d0b c62f6cfddbf2895d",
            "D-000002 json aa1977f6920b6159 (13484 bytes) minisig d558220c34ba750a docs fe85fff2da227487 577befc51b6d0071 b1dde6ea0e9f9b81 feec7cf9f2342c25",
            "D-000003 json dfaa4b8ddc1de73f (13523 bytes) minisig a16d3049cc25ca65 docs 11d4bd259aab956b a84d74b14c499db4 945654db176f80d8 4f8c5fbb4530032e",
        ]
    );
}
