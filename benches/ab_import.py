#!/usr/bin/env python3
"""Interleaved A/B runs of `casepanel import` with two or more builds of the binary.

    python3 benches/ab_import.py --runs 5 --db TEMPLATE.db --sheet SHEET.csv OLD_BIN NEW_BIN

Each run imports SHEET (with --create-regions) into a fresh copy of TEMPLATE, with each binary
in turn, so that the machine's swings fall on every binary alike; prints the minimum and the
median of the wall time and of the CPU time (user + system, both cores) per binary. A binary
may be preceded by VAR=value words, e.g. "MIMALLOC_ARENA_EAGER_COMMIT=0 ./casepanel".
`--dry-run` times the read and the check alone. A template: the 300-case database
`cargo bench --locked --bench import` caches under target/bench-data/; a sheet: any screening
CSV (the bench's is made by `big_rows` in benches/import.rs).
"""
import argparse, os, resource, shutil, statistics, subprocess, sys, tempfile, time


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--db", required=True, help="the database each run imports into a copy of")
    ap.add_argument("--sheet", required=True, help="the sheet to import")
    ap.add_argument("--dry-run", action="store_true", help="read and check only")
    ap.add_argument("binaries", nargs="+")
    a = ap.parse_args()
    times = {b: [] for b in a.binaries}
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "ab.db")
        for _ in range(a.runs):
            for b in a.binaries:
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(db + suffix):
                        os.remove(db + suffix)
                shutil.copy(a.db, db)
                words = b.split()
                env = dict(os.environ, CASEPANEL_TODAY="2026-11-29")
                while "=" in words[0]:
                    k, v = words.pop(0).split("=", 1)
                    env[k] = v
                cmd = words + ["import", "--db", db, "--create-regions", "--lang", "en", a.sheet]
                if a.dry_run:
                    cmd.append("--dry-run")
                r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                t0 = time.monotonic()
                p = subprocess.run(cmd, env=env, capture_output=True)
                wall = time.monotonic() - t0
                r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                if p.returncode:
                    sys.exit(f"{b}: the import failed:\n{p.stderr.decode(errors='replace')[-800:]}")
                cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
                times[b].append((wall, cpu))
    for b, t in times.items():
        w = [x for x, _ in t]
        c = [y for _, y in t]
        print(f"{b:45s} wall min {min(w):.2f} s, median {statistics.median(w):.2f} s; "
              f"CPU min {min(c):.2f} s, median {statistics.median(c):.2f} s")


if __name__ == "__main__":
    main()
