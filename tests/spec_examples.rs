//! Every example of every operation in the API spec (`api-spec/api.edn`),
//! run through the op layer (`cairn::api::call`) and, when it has a `:cli`
//! form, through the real `cairn` binary. A wrong example fails with a
//! message naming its op.
//!
//! Fixtures (the spec's example symbols): `conn` is a connection to a fresh
//! memory database holding [`SCHEMA`] (with `:source` for tx metadata) and
//! [`DATA`], `db` its current value.
//! Each example gets its own fresh database. Arguments are read by their
//! spec type: handle symbols resolve to the fixture, the elements of a
//! `QueryInputs` vector likewise, and a `Path` is relative to a temp dir.
//! Per-op preparation:
//! * `delete-database`, `connect`: the example's database is created first;
//! * `import-db`: `conn` is an empty database (import needs one) and
//!   `export.edn` holds an export of the populated fixture.
//!
//! On the command line, each example runs in its own temp dir through
//! `sh`, with `cairn` the binary under test, `config.edn` naming a redb
//! database holding the same fixture (empty for `import-db`, next to
//! `export.edn`), and `data.edn` (tx data) and `entities.edn` (datoms) at
//! hand.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use cairn::api::cairn_api_spec::{Op, Spec, Target, TypeRef};
use cairn::api::{Arg, call};
use cairn::{Config, Connection, Value};

use cairn_tests::fixtures::{DATA, ENTITIES, SCHEMA};

fn edn(s: &str) -> Value {
    cairn::edn::read(s).unwrap_or_else(|e| panic!("fixture EDN {s}: {e}"))
}

fn spec() -> &'static Spec {
    cairn::api::spec()
}

/// A fresh memory database with the fixture, or empty.
fn fixture(populated: bool) -> Connection {
    static N: AtomicUsize = AtomicUsize::new(0);
    let id = format!("spec-examples-{}", N.fetch_add(1, Ordering::SeqCst));
    let cfg = Config::memory(&id);
    cairn::create_database(&cfg).expect("create fixture");
    let conn = cairn::connect(&cfg).expect("connect fixture");
    if populated {
        conn.transact(&edn(SCHEMA), None).expect("fixture schema");
        conn.transact(&edn(DATA), None).expect("fixture data");
    }
    conn
}

fn named(ty: &TypeRef) -> &str {
    match ty {
        TypeRef::Named { name } => name,
        _ => "",
    }
}

/// One example argument, read by its spec type.
fn resolve(op: &Op, v: &Value, ty: &TypeRef, conn: &Connection, dir: &Path) -> Arg {
    let handle = |v: &Value| -> Option<Arg> {
        let s = v.as_symbol()?;
        Some(match s.full() {
            "conn" => Arg::Conn(conn.clone()),
            "db" => Arg::Db(conn.db().expect("fixture db")),
            other => panic!("op {}: unknown fixture symbol {other}", op.name),
        })
    };
    match named(ty) {
        "Connection" | "Db" => handle(v)
            .unwrap_or_else(|| panic!("op {}: handle argument {v} is not a fixture", op.name)),
        "QueryInputs" => match v.as_seq() {
            Some(xs) => Arg::List(
                xs.iter()
                    .map(|x| handle(x).unwrap_or_else(|| Arg::Value(x.clone())))
                    .collect(),
            ),
            None => Arg::Value(v.clone()),
        },
        "Path" => match v.as_str() {
            Some(p) => Arg::Value(Value::str(&dir.join(p).to_string_lossy())),
            None => Arg::Value(v.clone()),
        },
        _ => Arg::Value(v.clone()),
    }
}

/// Whether `actual` is `expected` (sets compare order-free; a set result
/// may come back as any sequence).
fn same(expected: &Value, actual: &Value) -> bool {
    let items = |v: &Value| -> Vec<Value> {
        let mut xs: Vec<Value> = match v {
            Value::Set(s) => s.iter().cloned().collect(),
            other => other.as_seq().map(<[Value]>::to_vec).unwrap_or_default(),
        };
        xs.sort();
        xs
    };
    match expected {
        Value::Set(_) => items(expected) == items(actual),
        _ => expected == actual,
    }
}

/// The ops `api::call` serves: all but the Rust-only ones.
fn callable() -> impl Iterator<Item = &'static Op> {
    spec()
        .ops
        .iter()
        .filter(|op| op.targets.iter().any(|t| *t != Target::Rust))
}

#[test]
fn every_example_runs_through_the_op_layer() {
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut ran = 0;
    for op in callable() {
        for (i, ex) in op.examples.iter().enumerate() {
            let dir = tmp.path().join(format!("{}-{i}", op.cli_name()));
            std::fs::create_dir_all(&dir).unwrap();
            let values: Vec<Value> = ex
                .args
                .iter()
                .map(|a| {
                    cairn::edn::read(a)
                        .unwrap_or_else(|e| panic!("op {}: example arg {a}: {e}", op.name))
                })
                .collect();
            let conn = if op.name == "import-db" {
                let src = fixture(true);
                call(
                    "export-db",
                    &[
                        Arg::Db(src.db().unwrap()),
                        Arg::Value(Value::str(&dir.join("export.edn").to_string_lossy())),
                    ],
                )
                .expect("export the fixture");
                fixture(false)
            } else {
                fixture(true)
            };
            if matches!(op.name.as_str(), "delete-database" | "connect") {
                let cfg = Config::from_value(&values[0]).expect("example config");
                if !cairn::database_exists(&cfg).unwrap() {
                    cairn::create_database(&cfg).unwrap();
                }
            }
            let args: Vec<Arg> = values
                .iter()
                .zip(&op.args)
                .map(|(v, a)| resolve(op, v, &a.ty, &conn, &dir))
                .collect();
            ran += 1;
            match call(&op.name, &args) {
                Err(e) => failures.push(format!(
                    "op {} example {:?} {:?}: {e}",
                    op.name, ex.desc, ex.args
                )),
                Ok(got) => {
                    if let Some(ret) = &ex.ret
                        && !same(&edn(ret), &got)
                    {
                        failures.push(format!(
                            "op {} example {:?}: expected {ret}, got {got}",
                            op.name, ex.desc
                        ));
                    }
                }
            }
        }
    }
    assert!(ran > 30, "only {ran} examples ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn cairn_bin() -> &'static str {
    env!("CARGO_BIN_EXE_cairn-under-test")
}

fn sh(dir: &Path, script: &str) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("cairn() {{ \"$CAIRN_BIN\" \"$@\"; }}\n{script}"))
        .env("CAIRN_BIN", cairn_bin())
        .current_dir(dir)
        .output()
        .expect("run sh")
}

fn run_ok(dir: &Path, args: &[&str]) {
    let out = Command::new(cairn_bin())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("spawn cairn");
    assert!(
        out.status.success(),
        "fixture step cairn {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `cfg` (a file in `dir`) names a redb database `db_file` with the fixture.
fn cli_fixture(dir: &Path, cfg: &str, db_file: &str, populated: bool) {
    std::fs::write(
        dir.join(cfg),
        format!("{{:store {{:backend :redb :path \"{db_file}\"}}}}"),
    )
    .unwrap();
    run_ok(dir, &["create-database", cfg]);
    if populated {
        let conn = format!("conn:{cfg}");
        run_ok(dir, &["transact", &conn, SCHEMA]);
        run_ok(dir, &["transact", &conn, DATA]);
    }
}

#[test]
fn every_cli_example_runs_through_the_binary() {
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut ran = 0;
    for op in spec().ops_for(Target::Cli) {
        for (i, ex) in op.examples.iter().enumerate() {
            let Some(cli) = &ex.cli else { continue };
            let dir = tmp.path().join(format!("{}-{i}", op.cli_name()));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("data.edn"), r#"[[:db/add -1 :name "Oleg"]]"#).unwrap();
            std::fs::write(dir.join("entities.edn"), ENTITIES).unwrap();
            if op.name == "import-db" {
                cli_fixture(&dir, "source.edn", "source.redb", true);
                run_ok(&dir, &["export-db", "db:source.edn", "export.edn"]);
                cli_fixture(&dir, "config.edn", "db.redb", false);
            } else {
                cli_fixture(&dir, "config.edn", "db.redb", true);
            }
            if matches!(op.name.as_str(), "delete-database" | "connect") {
                // The same command line, creating the database first.
                let create = cli.replacen(&op.cli_name(), "create-database", 1);
                let out = sh(&dir, &create);
                assert!(out.status.success(), "op {}: preparing {create}", op.name);
            }
            ran += 1;
            let out = sh(&dir, cli);
            if !out.status.success() {
                failures.push(format!(
                    "op {} example {cli}: exit {}: {}",
                    op.name,
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
                continue;
            }
            if let Some(ret) = &ex.ret {
                let got = cairn::edn::read(String::from_utf8_lossy(&out.stdout).trim());
                match got {
                    Ok(got) if same(&edn(ret), &got) => {}
                    got => failures.push(format!(
                        "op {} example {cli}: expected {ret}, got {got:?}",
                        op.name
                    )),
                }
            }
        }
    }
    assert!(ran > 15, "only {ran} CLI examples ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn arg_maps_equal_positional_calls() {
    let conn = fixture(true);
    let db = || Arg::Db(conn.db().unwrap());
    let v = |s: &str| Arg::Value(edn(s));
    let cases: Vec<(&str, Vec<Arg>, Vec<Arg>)> = vec![
        (
            "datoms",
            vec![db(), v(":avet"), v(r#"[:name "Ivan"]"#)],
            vec![db(), v(r#"{:index :avet :components [:name "Ivan"]}"#)],
        ),
        (
            "seek-datoms",
            vec![db(), v(":aevt"), v("[:age]")],
            vec![db(), v("{:index :aevt :components [:age]}")],
        ),
        (
            "index-range",
            vec![db(), v(":age"), v("10"), v("20")],
            vec![db(), v("{:attrid :age :start 10 :end 20}")],
        ),
        (
            "pull",
            vec![db(), v("[:name]"), v(r#"[:name "Ivan"]"#)],
            vec![db(), v(r#"{:selector [:name] :eid [:name "Ivan"]}"#)],
        ),
        (
            "q",
            vec![
                v("[:find ?n :in [?n ...]]"),
                v(r#"[["a" "b" "c"]]"#),
                v("0"),
                v("2"),
            ],
            vec![v(
                r#"{:query [:find ?n :in [?n ...]] :args [["a" "b" "c"]] :offset 0 :limit 2}"#,
            )],
        ),
    ];
    for (op, positional, map) in cases {
        let a = call(op, &positional).unwrap_or_else(|e| panic!("{op} positional: {e}"));
        let b = call(op, &map).unwrap_or_else(|e| panic!("{op} arg map: {e}"));
        assert_eq!(a, b, "{op}: positional and arg-map calls differ");
        let empty = match &a {
            Value::Set(s) => s.is_empty(),
            Value::Nil => true,
            other => other.as_seq().is_some_and(<[Value]>::is_empty),
        };
        assert!(!empty, "{op}: empty result {a}");
    }
    // Trailing optional arguments may be left out; too many is a usage error.
    assert!(call("datoms", &[db(), v(":eavt")]).is_ok());
    assert!(call("datoms", &[db(), v(":eavt"), v("[]"), v("1")]).is_err());
    // Query inputs are one vector that may hold databases.
    let q = call(
        "q",
        &[
            v(r#"[:find ?e . :in $ ?n :where [?e :name ?n]]"#),
            Arg::List(vec![db(), v(r#""Ivan""#)]),
        ],
    )
    .unwrap();
    assert!(q.as_long().is_some(), "{q}");
    // Rust-only ops are not callable.
    assert!(call("listen", &[Arg::Conn(conn.clone())]).is_err());
}
