//! Cairn benchmarks on the redb backend.
//!
//! `cargo run --release -p cairn-bench -- [bulk|small|query|all] [--datoms N] [--txs N] [--batch N] [--people N]`
//!
//! - `bulk`: loads N datoms (default 1,000,000: 50,000 entities × 20
//!   attributes of mixed types) in transactions of `--batch` entities and
//!   reports datoms/second, peak memory (VmHWM) and the file size.
//! - `small`: times N (default 10,000) single-datom transactions, each
//!   durable before `transact` returns, and reports transactions/second.
//! - `query`: times the query shapes of Datahike's published comparison
//!   (lookup, joins, predicate, not, or-join, aggregates, recursive rule,
//!   pull) on `--people` (default 20,000) entities.

use std::time::Instant;

use cairn::{Config, Value};

const ATTRS: usize = 20;

fn schema() -> Value {
    let types = [
        "string", "long", "double", "boolean", "keyword", "instant", "uuid", "string", "long",
        "double", "string", "long", "keyword", "string", "long", "double", "boolean", "string",
        "long", "instant",
    ];
    Value::vector(
        types
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let mut entries = vec![
                    (Value::kw("db/ident"), Value::kw(&format!("bench/a{i}"))),
                    (
                        Value::kw("db/valueType"),
                        Value::kw(&format!("db.type/{t}")),
                    ),
                    (Value::kw("db/cardinality"), Value::kw("db.cardinality/one")),
                ];
                if i == 0 {
                    entries.push((Value::kw("db/unique"), Value::kw("db.unique/identity")));
                } else if i % 5 == 1 {
                    entries.push((Value::kw("db/index"), Value::Bool(true)));
                }
                Value::map(entries)
            })
            .collect(),
    )
}

fn value(attr: usize, n: u64) -> Value {
    let x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (attr as u64);
    match attr {
        0 => Value::str(&format!("entity-{n}")),
        1 | 8 | 11 | 14 | 18 => Value::Long((x % 1_000_000) as i64),
        2 | 9 | 15 => Value::Double((x % 10_000) as f64 / 7.0),
        3 | 16 => Value::Bool(x.is_multiple_of(2)),
        4 | 12 => Value::kw(&format!("k/v{}", x % 100)),
        5 | 19 => Value::Inst(1_600_000_000_000 + (x % 100_000_000) as i64),
        6 => Value::Uuid(uuid::Uuid::from_u64_pair(x, n)),
        _ => Value::str(&format!("text {} {}", x % 977, n)),
    }
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn fresh(dir: &std::path::Path, name: &str) -> cairn::Result<cairn::Connection> {
    let config = Config::redb(dir.join(name));
    cairn::create_database(&config)?;
    let conn = cairn::connect(&config)?;
    conn.transact(&schema(), None)?;
    Ok(conn)
}

fn bulk(dir: &std::path::Path, datoms: u64, batch: u64) -> cairn::Result<()> {
    let conn = fresh(dir, "bulk.redb")?;
    let entities = datoms / ATTRS as u64;
    let start = Instant::now();
    let mut n = 0;
    while n < entities {
        let end = (n + batch).min(entities);
        let tx: Vec<Value> = (n..end)
            .map(|e| {
                Value::map((0..ATTRS).map(|a| (Value::kw(&format!("bench/a{a}")), value(a, e))))
            })
            .collect();
        conn.transact(&Value::vector(tx), None)?;
        n = end;
    }
    let secs = start.elapsed().as_secs_f64();
    let loaded = entities * ATTRS as u64;
    let size = std::fs::metadata(dir.join("bulk.redb"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "bulk: {loaded} datoms in {secs:.2} s = {:.0} datoms/s (batches of {batch} entities); peak memory {:.1} MiB; file {:.1} MiB",
        loaded as f64 / secs,
        peak_rss_kib() as f64 / 1024.0,
        size as f64 / (1024.0 * 1024.0)
    );
    conn.release();
    Ok(())
}

fn small(dir: &std::path::Path, txs: u64) -> cairn::Result<()> {
    let conn = fresh(dir, "small.redb")?;
    let start = Instant::now();
    for i in 0..txs {
        let tx = Value::vector(vec![Value::vector(vec![
            Value::kw("db/add"),
            Value::Long(-1),
            Value::kw("bench/a1"),
            Value::Long(i as i64),
        ])]);
        conn.transact(&tx, None)?;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "small: {txs} single-datom transactions in {secs:.2} s = {:.0} tx/s ({:.0} µs each, durable)",
        txs as f64 / secs,
        secs * 1e6 / txs as f64
    );
    conn.release();
    Ok(())
}

/// Times the query shapes of Datahike's published comparison on 20,000
/// people (name, age, department ref, follows refs) in a redb database;
/// prints the median of `runs` runs per query in milliseconds.
fn queries(dir: &std::path::Path, people: i64, runs: usize) -> cairn::Result<()> {
    use std::sync::Arc;

    use cairn::edn::read;
    use cairn::query::{Input, q};

    let config = Config::redb(dir.join("query.redb"));
    cairn::create_database(&config)?;
    let conn = cairn::connect(&config)?;
    conn.transact(
        &read(
            "[{:db/ident :person/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
              {:db/ident :person/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one :db/index true}
              {:db/ident :person/dept :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}
              {:db/ident :person/follows :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
              {:db/ident :dept/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}]",
        )?,
        None,
    )?;
    let depts: Vec<Value> = (0..10)
        .map(|d| {
            Value::map([
                (Value::kw("db/id"), Value::str(&format!("d{d}"))),
                (Value::kw("dept/name"), Value::str(&format!("dept-{d}"))),
            ])
        })
        .collect();
    conn.transact(&Value::vector(depts), None)?;
    let chunk = 5_000;
    let mut start = 0;
    while start < people {
        let end = (start + chunk).min(people);
        let tx: Vec<Value> = (start..end)
            .map(|i| {
                let mut follows = vec![];
                if i > 0 {
                    follows.push(Value::vector(vec![
                        Value::kw("person/name"),
                        Value::str(&format!("p{}", i - 1)),
                    ]));
                }
                if i > 7 && i % 3 == 0 {
                    follows.push(Value::vector(vec![
                        Value::kw("person/name"),
                        Value::str(&format!("p{}", i / 2)),
                    ]));
                }
                Value::map([
                    (Value::kw("person/name"), Value::str(&format!("p{i}"))),
                    (Value::kw("person/age"), Value::Long(18 + i % 60)),
                    (
                        Value::kw("person/dept"),
                        Value::vector(vec![
                            Value::kw("dept/name"),
                            Value::str(&format!("dept-{}", i % 10)),
                        ]),
                    ),
                    (Value::kw("person/follows"), Value::vector(follows)),
                ])
            })
            .collect();
        conn.transact(&Value::vector(tx), None)?;
        start = end;
    }
    let db = Arc::new(conn.db()?);
    let rules = "[[(reach ?a ?b) [?a :person/follows ?b]] [(reach ?a ?b) [?a :person/follows ?x] (reach ?x ?b)]]";
    let cases: Vec<(&str, String, Vec<Value>)> = vec![
        ("simple lookup", "[:find ?a . :in $ ?n :where [?e :person/name ?n] [?e :person/age ?a]]".into(), vec![Value::str("p1234")]),
        ("two-clause join", "[:find ?n ?a :where [?e :person/age 30] [?e :person/name ?n] [?e :person/age ?a]]".into(), vec![]),
        ("ref join, one dept", "[:find ?n :where [?d :dept/name \"dept-3\"] [?e :person/dept ?d] [?e :person/name ?n]]".into(), vec![]),
        ("value join", "[:find ?e1 ?e2 :where [?e1 :person/age 40] [?e2 :person/age 41] [?e1 :person/dept ?d] [?e2 :person/dept ?d]]".into(), vec![]),
        ("predicate", "[:find ?n :where [?e :person/age ?a] [(> ?a 70)] [?e :person/name ?n]]".into(), vec![]),
        ("not", "[:find (count ?e) . :where [?e :person/age 25] (not [?e :person/dept [:dept/name \"dept-5\"]])]".into(), vec![]),
        ("or-join", "[:find (count ?e) . :where (or-join [?e] [?e :person/age 20] [?e :person/age 21])]".into(), vec![]),
        ("aggregate by group", "[:find ?d (avg ?a) (count ?e) :where [?e :person/dept ?d] [?e :person/age ?a]]".into(), vec![]),
        ("recursive rule, 12 hops", "[:find (count ?b) . :in $ % ?a :where (reach ?a ?b)]".into(), vec![read(rules)?, Value::vector(vec![Value::kw("person/name"), Value::str("p12")])]),
        ("pull in find, 100 rows", "[:find (pull ?e [:person/name {:person/dept [:dept/name]}]) :where [?e :person/age 33] [(< ?e 3000)]]".into(), vec![]),
    ];
    println!("queries on {people} people (median of {runs} runs):");
    for (name, query, args) in cases {
        let query = read(&query)?;
        let mut inputs = vec![Input::Db(db.clone())];
        inputs.extend(args.into_iter().map(Input::Value));
        let mut times = Vec::with_capacity(runs);
        let mut size = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let r = q(&query, &inputs)?;
            times.push(t.elapsed().as_secs_f64() * 1e3);
            size = match &r {
                Value::Set(s) => s.len(),
                Value::Vector(v) => v.len(),
                _ => 1,
            };
        }
        times.sort_by(f64::total_cmp);
        println!("  {name:<26} {:>9.3} ms  ({size} results)", times[runs / 2]);
    }
    conn.release();
    Ok(())
}

fn main() -> cairn::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let what = args
        .first()
        .map(String::as_str)
        .unwrap_or("all")
        .to_string();
    let flag = |name: &str, default: u64| -> u64 {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let dir = tempfile::tempdir().map_err(|e| cairn::Error::storage(e.to_string()))?;
    if what == "bulk" || what == "all" {
        bulk(
            dir.path(),
            flag("--datoms", 1_000_000),
            flag("--batch", 10_000),
        )?;
    }
    if what == "small" || what == "all" {
        small(dir.path(), flag("--txs", 10_000))?;
    }
    if what == "query" || what == "all" {
        queries(
            dir.path(),
            flag("--people", 20_000) as i64,
            flag("--runs", 7) as usize,
        )?;
    }
    Ok(())
}
