//! The `cairn` CLI as a user runs it: real processes in a temp directory,
//! every subcommand, every argument prefix, both output formats, standard
//! input, and error exits.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use cairn::Value;

struct Run {
    code: i32,
    out: String,
    err: String,
}

fn cairn(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cairn-under-test"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn cairn");
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).trim().to_string(),
        err: String::from_utf8_lossy(&out.stderr).trim().to_string(),
    }
}

fn ok(dir: &Path, args: &[&str]) -> Value {
    let r = cairn(dir, args, None);
    assert_eq!(r.code, 0, "cairn {args:?} failed: {}", r.err);
    cairn::edn::read(&r.out)
        .unwrap_or_else(|e| panic!("cairn {args:?} printed non-EDN {:?}: {e}", r.out))
}

fn edn(s: &str) -> Value {
    cairn::edn::read(s).unwrap()
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cfg.edn"),
        r#"{:store {:backend :redb :path "db.redb"}}"#,
    )
    .unwrap();
    let created = ok(dir.path(), &["create-database", "cfg.edn"]);
    assert_eq!(
        created.get_kw("store").and_then(|s| s.get_kw("path")),
        Some(&Value::str("db.redb")),
        "create-database prints the config: {created}"
    );
    ok(
        dir.path(),
        &[
            "transact",
            "conn:cfg.edn",
            "[{:db/ident :name :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
              {:db/ident :age :db/valueType :db.type/long :db/cardinality :db.cardinality/one :db/index true}
              {:db/ident :friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}]",
        ],
    );
    dir
}

#[test]
fn a_session_through_every_read_command() {
    let dir = setup();
    let d = dir.path();
    let report = ok(
        d,
        &[
            "transact",
            "conn:cfg.edn",
            r#"[{:db/id -1 :name "Ivan" :age 30 :friend -2} {:db/id -2 :name "Petr" :age 20}]"#,
        ],
    );
    let t1 = report.get_kw("tx").cloned().unwrap();
    let ivan = report
        .get_kw("tempids")
        .unwrap()
        .get(&Value::Long(-1))
        .cloned()
        .unwrap();
    let tx_data = report.get_kw("tx-data").and_then(Value::as_seq).unwrap();
    assert!(
        tx_data
            .iter()
            .all(|d| d.as_seq().is_some_and(|x| x.len() == 5)),
        "datoms print as [e a v tx added]"
    );

    assert_eq!(ok(d, &["database-exists", "cfg.edn"]), Value::Bool(true));
    assert_eq!(
        ok(
            d,
            &[
                "query",
                "[:find ?n . :where [?e :age 30] [?e :name ?n]]",
                "db:cfg.edn"
            ]
        ),
        edn(r#""Ivan""#)
    );
    assert_eq!(
        ok(
            d,
            &[
                "q",
                "[:find ?e :in $ ?n :where [?e :name ?n]]",
                "db:cfg.edn",
                r#""Ivan""#
            ]
        ),
        Value::set([Value::vector(vec![ivan.clone()])])
    );
    let pulled = ok(
        d,
        &[
            "pull",
            "db:cfg.edn",
            "[:name {:friend [:name]}]",
            &ivan.to_string(),
        ],
    );
    assert_eq!(pulled, edn(r#"{:name "Ivan" :friend [{:name "Petr"}]}"#));
    assert_eq!(
        ok(
            d,
            &[
                "pull-many",
                "db:cfg.edn",
                "[:name]",
                &format!("[{ivan} [:name \"Petr\"]]")
            ]
        ),
        edn(r#"[{:name "Ivan"} {:name "Petr"}]"#)
    );
    let ent = ok(d, &["entity", "db:cfg.edn", &ivan.to_string()]);
    assert_eq!(ent.get_kw("db/id"), Some(&ivan));
    assert_eq!(
        ok(
            d,
            &["entity", "db:cfg.edn", r#"[:name "Petr"]"#, ":_friend"]
        ),
        Value::set([Value::map([(Value::kw("db/id"), ivan.clone())])])
    );
    let datoms = ok(
        d,
        &[
            "datoms",
            "db:cfg.edn",
            r#"{:index :avet :components [:name "Ivan"]}"#,
        ],
    );
    assert_eq!(datoms.as_seq().unwrap().len(), 1);
    let seek = ok(
        d,
        &[
            "seek-datoms",
            "db:cfg.edn",
            "{:index :avet :components [:age 25]}",
        ],
    );
    assert_eq!(
        seek.as_seq().unwrap()[0].as_seq().unwrap()[2],
        Value::Long(30)
    );
    let rseek = ok(
        d,
        &[
            "rseek-datoms",
            "db:cfg.edn",
            "{:index :avet :components [:age 25]}",
        ],
    );
    assert_eq!(
        rseek.as_seq().unwrap()[0].as_seq().unwrap()[2],
        Value::Long(20)
    );
    let range = ok(
        d,
        &[
            "index-range",
            "db:cfg.edn",
            "{:attrid :age :start 10 :end 25}",
        ],
    );
    assert_eq!(range.as_seq().unwrap().len(), 1);
    assert!(ok(d, &["schema", "db:cfg.edn"]).get_kw("name").is_some());
    assert!(
        ok(d, &["reverse-schema", "db:cfg.edn"])
            .get_kw("db/unique")
            .is_some()
    );
    assert!(
        ok(
            d,
            &[
                "query-stats",
                "[:find ?n :where [_ :name ?n]]",
                "db:cfg.edn"
            ]
        )
        .get_kw("ret")
        .is_some()
    );
    assert!(
        ok(
            d,
            &["explain", "[:find ?n :where [_ :name ?n]]", "db:cfg.edn"]
        )
        .as_str()
        .is_some()
    );
    assert!(
        ok(d, &["connect", "cfg.edn"])
            .get_kw("cairn/connection")
            .is_some()
    );
    assert!(ok(d, &["db", "conn:cfg.edn"]).get_kw("cairn/db").is_some());
    assert_eq!(ok(d, &["release", "conn:cfg.edn"]), Value::Nil);
    let with = ok(d, &["with", "db:cfg.edn", r#"[{:name "Temp"}]"#]);
    assert!(with.get_kw("tx-data").is_some());
    assert!(
        ok(d, &["db-with", "db:cfg.edn", r#"[{:name "Temp"}]"#])
            .get_kw("cairn/db")
            .is_some()
    );
    assert_eq!(
        ok(
            d,
            &[
                "query",
                "[:find (count ?e) . :where [?e :name]]",
                "db:cfg.edn"
            ]
        ),
        Value::Long(2),
        "with/db-with commit nothing"
    );

    // Time views: as of t1 Ivan is 30; after an update history shows both.
    ok(
        d,
        &[
            "transact",
            "conn:cfg.edn",
            r#"[[:db/add [:name "Ivan"] :age 31]]"#,
        ],
    );
    let q_age = "[:find ?a . :where [?e :name \"Ivan\"] [?e :age ?a]]";
    assert_eq!(
        ok(d, &["query", q_age, &format!("asof:{t1}:cfg.edn")]),
        Value::Long(30)
    );
    assert_eq!(ok(d, &["query", q_age, "db:cfg.edn"]), Value::Long(31));
    assert_eq!(
        ok(
            d,
            &[
                "query",
                "[:find ?a :where [_ :age ?a]]",
                &format!("since:{t1}:cfg.edn")
            ]
        ),
        edn("#{[31]}")
    );
    assert_eq!(
        ok(
            d,
            &[
                "query",
                "[:find ?a :where [_ :age ?a _ false]]",
                "history:cfg.edn"
            ]
        ),
        edn("#{[30]}")
    );
    assert!(
        ok(d, &["history", "db:cfg.edn"])
            .get_kw("cairn/db")
            .is_some()
    );
    assert!(
        ok(d, &["as-of", "db:cfg.edn", &t1.to_string()])
            .get_kw("cairn/db")
            .is_some()
    );
    assert!(
        ok(d, &["since", "db:cfg.edn", &t1.to_string()])
            .get_kw("cairn/db")
            .is_some()
    );
    let future = "asof:2999-01-01T00:00:00Z:cfg.edn";
    assert_eq!(
        ok(d, &["query", q_age, future]),
        Value::Long(31),
        "an ISO instant as time point"
    );

    assert_eq!(ok(d, &["delete-database", "cfg.edn"]), Value::Nil);
    assert_eq!(ok(d, &["database-exists", "cfg.edn"]), Value::Bool(false));
}

#[test]
fn files_stdin_and_output_formats() {
    let dir = setup();
    let d = dir.path();
    std::fs::write(d.join("tx.edn"), r#"[{:name "Ivan" :age 30}]"#).unwrap();
    ok(d, &["transact", "conn:cfg.edn", "edn:tx.edn"]);
    std::fs::write(d.join("tx.json"), r#"[{"name": "Petr", "age": 20}]"#).unwrap();
    ok(d, &["transact", "conn:cfg.edn", "json:tx.json"]);
    let r = cairn(
        d,
        &["transact", "conn:cfg.edn", "-"],
        Some(r#"[{:name "Oleg" :age 40}]"#),
    );
    assert_eq!(r.code, 0, "{}", r.err);
    let r = cairn(
        d,
        &["query", "-", "db:cfg.edn"],
        Some("[:find [?n ...] :where [_ :name ?n]]"),
    );
    let names = edn(&r.out);
    assert_eq!(names.as_seq().map(<[Value]>::len), Some(3));

    let r = cairn(
        d,
        &[
            "--format",
            "json",
            "pull",
            "db:cfg.edn",
            "[:name :age]",
            r#"[:name "Ivan"]"#,
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.err);
    assert_eq!(
        cairn::api::wire::from_json_str(&r.out).unwrap(),
        edn(r#"{:name "Ivan" :age 30}"#)
    );
    let r = cairn(d, &["schema", "db:cfg.edn", "--format", "json"], None);
    assert!(
        r.out.contains(r#""db/valueType":":db.type/string""#),
        "{}",
        r.out
    );
    let r = cairn(d, &["schema", "db:cfg.edn", "--format", "pretty"], None);
    assert!(
        r.out.lines().count() > 3,
        "pretty output breaks lines: {}",
        r.out
    );
    assert_eq!(
        edn(&r.out),
        ok(d, &["schema", "db:cfg.edn"]),
        "pretty output is still EDN"
    );
}

#[test]
fn errors_print_one_line_and_change_nothing() {
    let dir = setup();
    let d = dir.path();
    let before = ok(
        d,
        &[
            "query",
            "[:find (count ?e) . :where [?e :db/ident]]",
            "db:cfg.edn",
        ],
    );

    // Domain errors: exit 1, error[KIND].
    let r = cairn(d, &["transact", "conn:cfg.edn", r#"[{:name 42}]"#], None);
    assert_eq!(r.code, 1);
    assert!(r.err.starts_with("error[type]:"), "{}", r.err);
    assert_eq!(r.err.lines().count(), 1);
    assert!(r.out.is_empty(), "nothing printed on failure");
    let r = cairn(d, &["transact", "conn:cfg.edn", r#"[{:nick "x"}]"#], None);
    assert!(r.err.starts_with("error[schema]:"), "{}", r.err);
    let r = cairn(
        d,
        &["pull", "db:cfg.edn", "[*]", r#"[:name "Nobody"]"#],
        None,
    );
    assert!(r.err.starts_with("error[lookup]:"), "{}", r.err);
    let r = cairn(
        d,
        &["query", "[:find ?x :where [?e :name ?n]]", "db:cfg.edn"],
        None,
    );
    assert_eq!(r.code, 1);
    assert!(r.err.starts_with("error[syntax]:"), "{}", r.err);
    let r = cairn(
        d,
        &["query", "[:find ?n :where [_ :name ?n]]", "db:missing.edn"],
        None,
    );
    assert!(r.err.starts_with("error[not-found]:"), "{}", r.err);
    let r = cairn(d, &["create-database", "cfg.edn"], None);
    assert!(r.err.starts_with("error[conflict]:"), "{}", r.err);

    // Usage errors: exit 2.
    for args in [
        vec!["pull", "db:cfg.edn"],
        vec!["frobnicate"],
        vec!["query", "[:find ?n", "db:cfg.edn"],
        vec!["pull", "cfg.edn", "[*]", "1"],
        vec!["transact", "db:cfg.edn", "[]"],
        vec![
            "query",
            "[:find ?n :where [_ :name ?n]]",
            "asof:yesterday:cfg.edn",
        ],
    ] {
        let r = cairn(d, &args, None);
        assert_eq!(r.code, 2, "{args:?}: {}", r.err);
        assert!(r.out.is_empty());
    }
    let r = cairn(d, &["query", "[:find ?n", "db:cfg.edn"], None);
    assert!(
        r.err.contains("line 1"),
        "parse errors carry a position: {}",
        r.err
    );
    assert_eq!(
        ok(
            d,
            &[
                "query",
                "[:find (count ?e) . :where [?e :db/ident]]",
                "db:cfg.edn"
            ]
        ),
        before
    );
}

#[test]
fn help_lists_every_command_with_examples() {
    let dir = tempfile::tempdir().unwrap();
    let r = cairn(dir.path(), &["--help"], None);
    assert_eq!(r.code, 0);
    for c in cairn::cli::commands() {
        assert!(r.out.contains(&c.cli), "--help lists {}", c.cli);
        let h = cairn(dir.path(), &["help", &c.cli], None);
        assert_eq!(h.code, 0, "help {}", c.cli);
        for e in &c.examples {
            assert!(
                h.out.contains(e.as_str()),
                "help {} shows example {e}",
                c.cli
            );
        }
    }
    assert!(r.out.contains("query"), "q has the alias query");
}

#[test]
fn maintenance_commands() {
    let dir = setup();
    let d = dir.path();
    ok(
        d,
        &[
            "transact",
            "conn:cfg.edn",
            r#"[{:db/id -1 :name "Ivan" :age 30}]"#,
        ],
    );
    ok(
        d,
        &[
            "transact",
            "conn:cfg.edn",
            r#"[[:db/add [:name "Ivan"] :age 31]]"#,
        ],
    );
    let m = ok(d, &["metrics", "db:cfg.edn"]);
    assert!(
        m.get_kw("count")
            .and_then(Value::as_long)
            .is_some_and(|n| n > 0),
        "{m}"
    );
    assert!(
        m.get_kw("per-attr-counts")
            .and_then(|c| c.get_kw("name"))
            .is_some(),
        "{m}"
    );
    let out = d.join("sub dir");
    std::fs::create_dir_all(&out).unwrap();
    let file = out.join("out.cairn");
    let file = file.to_str().unwrap();
    let e = ok(d, &["export-db", "conn:cfg.edn", file]);
    assert!(e.get_kw("datoms").is_some(), "{e}");
    std::fs::write(
        d.join("cfg2.edn"),
        r#"{:store {:backend :redb :path "db2.redb"}}"#,
    )
    .unwrap();
    ok(d, &["create-database", "cfg2.edn"]);
    ok(d, &["import-db", "conn:cfg2.edn", file]);
    let q = "[:find ?a ?tx ?added :where [?e :age ?a ?tx ?added]]";
    assert_eq!(
        ok(d, &["query", q, "history:cfg2.edn"]),
        ok(d, &["query", q, "history:cfg.edn"])
    );
    let gc = ok(d, &["gc-storage", "conn:cfg.edn"]);
    assert!(gc.get_kw("deleted").is_some(), "{gc}");
    assert_eq!(
        ok(
            d,
            &["query", "[:find ?a . :where [_ :age ?a]]", "db:cfg.edn"]
        ),
        Value::Long(31)
    );
    let r = cairn(d, &["import-db", "conn:cfg2.edn", file], None);
    assert_eq!(
        r.code, 1,
        "a second import into a non-empty database fails: {}",
        r.err
    );
    std::fs::write(
        d.join("datoms.edn"),
        r#"[[1 :name "Oleg" 536870913 true] [1 :age 50 536870913 true]]"#,
    )
    .unwrap();
    let l = ok(d, &["load-entities", "conn:cfg.edn", "edn:datoms.edn"]);
    assert!(l.get_kw("tempids").is_some(), "{l}");
    assert_eq!(
        ok(
            d,
            &[
                "query",
                "[:find ?a . :where [?e :name \"Oleg\"] [?e :age ?a]]",
                "db:cfg.edn"
            ]
        ),
        Value::Long(50)
    );
}

#[test]
fn printed_handles_name_the_same_values_again() {
    let dir = setup();
    let d = dir.path();
    let r1 = ok(
        d,
        &["transact", "conn:cfg.edn", r#"[{:name "Ivan" :age 30}]"#],
    );
    let t1 = r1.get_kw("tx").cloned().unwrap();
    let then = ok(d, &["db", "conn:cfg.edn"]);
    ok(
        d,
        &[
            "transact",
            "conn:cfg.edn",
            r#"[[:db/add [:name "Ivan"] :age 31]]"#,
        ],
    );
    let q = "[:find ?a . :where [_ :age ?a]]";
    // The handle of the earlier value still reads the earlier commit.
    assert_eq!(ok(d, &["query", q, &then.to_string()]), Value::Long(30));
    // A time view handle re-opens the view.
    let view = ok(d, &["as-of", "db:cfg.edn", &t1.to_string()]);
    assert_eq!(
        view.get_kw("cairn/db").and_then(|h| h.get_kw("view")),
        Some(&Value::kw("as-of"))
    );
    assert_eq!(ok(d, &["query", q, &view.to_string()]), Value::Long(30));
    let hist = ok(d, &["history", "db:cfg.edn"]);
    assert_eq!(
        ok(
            d,
            &[
                "query",
                "[:find (count ?a) . :where [_ :age ?a _ false]]",
                &hist.to_string()
            ]
        ),
        Value::Long(1)
    );
    // A connection handle writes.
    let conn = ok(d, &["connect", "cfg.edn"]);
    ok(
        d,
        &[
            "transact",
            &conn.to_string(),
            r#"[[:db/add [:name "Ivan"] :age 32]]"#,
        ],
    );
    assert_eq!(
        ok(
            d,
            &[
                "pull",
                &ok(d, &["db", "conn:cfg.edn"]).to_string(),
                "[:age]",
                r#"[:name "Ivan"]"#
            ]
        ),
        edn("{:age 32}")
    );
}
