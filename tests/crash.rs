//! Crash test: a child process transacting in a loop is killed with SIGKILL;
//! reopening gives a consistent database holding every transaction whose
//! `transact` returned.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use cairn::{Config, IndexOrder, Value};

#[test]
fn sigkill_during_transactions_loses_nothing_committed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.redb");
    for round in 0..3 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash-writer"))
            .arg(&path)
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn crash-writer");
        let stdout = child.stdout.take().unwrap();
        let mut last: Option<(i64, i64)> = None;
        let target = 40 + round * 25;
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            let parts: Vec<&str> = line.split_whitespace().collect();
            if parts.first() == Some(&"committed") {
                last = Some((parts[1].parse().unwrap(), parts[2].parse().unwrap()));
                if last.unwrap().1 >= target {
                    // Kill while the writer is in the middle of its next commits.
                    child.kill().unwrap();
                    break;
                }
            }
        }
        child.wait().unwrap();
        let (last_tx, last_n) = last.expect("child committed something");

        let config = Config::redb(&path);
        let conn = cairn::connect(&config).expect("reopen after SIGKILL");
        let db = conn.db().unwrap();
        assert!(
            db.max_tx() >= last_tx,
            "lost committed tx {last_tx} (max-tx {})",
            db.max_tx()
        );
        // Every transaction whose transact returned is there.
        for n in 0..=last_n {
            let e = db
                .entid(&Value::vector(vec![Value::kw("n"), Value::Long(n)]))
                .unwrap();
            assert!(
                e.is_some(),
                "entity n={n} missing after crash (round {round})"
            );
        }
        // The indexes agree with each other.
        let eavt: Vec<_> = db
            .datoms(IndexOrder::Eavt, &[])
            .unwrap()
            .map(|d| d.unwrap())
            .collect();
        let aevt: Vec<_> = db
            .datoms(IndexOrder::Aevt, &[])
            .unwrap()
            .map(|d| d.unwrap())
            .collect();
        assert_eq!(eavt.len(), aevt.len());
        let mut sorted = aevt.clone();
        sorted.sort_by(|a, b| IndexOrder::Eavt.cmp(a, b));
        assert_eq!(eavt, sorted);
        let avet_tags = db
            .datoms(IndexOrder::Avet, &[Value::kw("tag")])
            .unwrap()
            .count();
        let aevt_tags = db
            .datoms(IndexOrder::Aevt, &[Value::kw("tag")])
            .unwrap()
            .count();
        assert_eq!(avet_tags, aevt_tags);
        // The database still accepts writes.
        conn.transact(&cairn::edn::read("[{:n -1}]").unwrap(), None)
            .unwrap();
        conn.transact(
            &cairn::edn::read("[[:db/retractEntity [:n -1]]]").unwrap(),
            None,
        )
        .unwrap();
        conn.release();
    }
}
