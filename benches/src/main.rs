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

/// Times `runs` calls of `call` (each answer checked by `check`, outside
/// the timing) and prints the median in µs under `label`.
fn time_calls<T>(
    label: &str,
    runs: usize,
    mut call: impl FnMut() -> cairn::Result<T>,
    check: impl Fn(&T) -> cairn::Result<()>,
) -> cairn::Result<()> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let answer = call()?;
        times.push(t.elapsed().as_secs_f64() * 1e6);
        check(&answer)?;
    }
    times.sort_by(f64::total_cmp);
    println!("  {label:<38} {:>9.1} µs", times[runs / 2]);
    Ok(())
}

/// Times one query through each transport: the Rust API, the JSON seam
/// (`dispatch_json`, what the C ABI, Python and Java call; each call
/// re-opens the database value from its handle) and HTTP (`cairn serve`,
/// one keep-alive connection; what TypeScript calls).
fn seam(dir: &std::path::Path, people: i64, runs: usize) -> cairn::Result<()> {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::sync::Arc;

    use cairn::api::dispatch_json;
    use cairn::edn::read;
    use cairn::query::{Input, q};
    use cairn::server::{Server, ServerOptions};

    let fail = |what: &str, e: &dyn std::fmt::Display| cairn::Error::other(format!("{what}: {e}"));
    let config = Config::redb(dir.join("seam.redb"));
    cairn::create_database(&config)?;
    let conn = cairn::connect(&config)?;
    conn.transact(
        &read(
            "[{:db/ident :person/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
              {:db/ident :person/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}]",
        )?,
        None,
    )?;
    let tx: Vec<Value> = (0..people)
        .map(|i| {
            Value::map([
                (Value::kw("person/name"), Value::str(&format!("p{i}"))),
                (Value::kw("person/age"), Value::Long(18 + i % 60)),
            ])
        })
        .collect();
    conn.transact(&Value::vector(tx), None)?;
    let query = "[:find ?a . :in $ ?n :where [?e :person/name ?n] [?e :person/age ?a]]";
    let who = format!("p{}", people / 2);
    println!("one lookup query through each transport ({people} people, median of {runs} calls):");

    let db = Arc::new(conn.db()?);
    let parsed = read(query)?;
    let inputs = [Input::Db(db), Input::Value(Value::str(&who))];
    time_calls(
        "Rust API (q on a Db value)",
        runs,
        || q(&parsed, &inputs),
        |_| Ok(()),
    )?;

    let config_json = format!(
        r#"{{"store": {{"backend": ":redb", "path": {}}}}}"#,
        serde_json::to_string(&dir.join("seam.redb").to_string_lossy())
            .map_err(|e| fail("json", &e))?
    );
    conn.release();
    let ok = |answer: String| -> cairn::Result<serde_json::Value> {
        let mut v: serde_json::Value =
            serde_json::from_str(&answer).map_err(|e| fail("json", &e))?;
        v.get_mut("ok")
            .map(serde_json::Value::take)
            .ok_or_else(|| fail("call", &answer))
    };
    let conn_handle = ok(dispatch_json("connect", &format!("[{config_json}]")))?;
    let db_handle = ok(dispatch_json("db", &format!("[{conn_handle}]")))?;
    let body = format!(
        r#"[{}, [{db_handle}, {}]]"#,
        serde_json::Value::from(query),
        serde_json::Value::from(who.as_str())
    );
    let expected = ok(dispatch_json("q", &body))?;
    let json_ok = |answer: &String| {
        if answer.starts_with("{\"ok\"") {
            Ok(())
        } else {
            Err(fail("q", answer))
        }
    };
    time_calls(
        "JSON seam (dispatch_json: C ABI, JNI)",
        runs,
        || Ok(dispatch_json("q", &body)),
        json_ok,
    )?;

    // The same database value after another transaction: its handle now
    // names an earlier commit.
    ok(dispatch_json(
        "transact",
        &format!(r#"[{conn_handle}, [{{"person/name": "late", "person/age": 1}}]]"#),
    ))?;
    time_calls(
        "JSON seam, value of an earlier commit",
        runs,
        || Ok(dispatch_json("q", &body)),
        json_ok,
    )?;

    let server = Server::bind(ServerOptions::default())?.spawn();
    let mut stream =
        std::net::TcpStream::connect(server.addr()).map_err(|e| fail("connect", &e))?;
    stream.set_nodelay(true).map_err(|e| fail("nodelay", &e))?;
    let mut reader = BufReader::new(stream.try_clone().map_err(|e| fail("clone", &e))?);
    let request = format!(
        "POST /v1/q HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let call = || -> cairn::Result<serde_json::Value> {
        stream
            .write_all(request.as_bytes())
            .map_err(|e| fail("write", &e))?;
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).map_err(|e| fail("read", &e))? == 0 {
                return Err(fail("read", &"connection closed"));
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value
                    .trim()
                    .parse()
                    .map_err(|e| fail("content-length", &e))?;
            }
        }
        let mut answer = vec![0; length];
        reader
            .read_exact(&mut answer)
            .map_err(|e| fail("read", &e))?;
        serde_json::from_slice(&answer).map_err(|e| fail("json", &e))
    };
    time_calls("HTTP (POST /v1/q, keep-alive)", runs, call, |answer| {
        if *answer == expected {
            Ok(())
        } else {
            Err(fail("http answer", answer))
        }
    })?;
    server.shutdown();
    ok(dispatch_json("release", &format!("[{conn_handle}]")))?;
    Ok(())
}

/// Times a recursive rule from a bound start along a chain of `n` nodes
/// (`follows` from node i to i+1): the transitive closure has `n - 1`
/// results and needs `n - 1` rounds of semi-naive evaluation.
fn chain(n: i64, runs: usize) -> cairn::Result<()> {
    use std::sync::Arc;

    use cairn::edn::read;
    use cairn::query::{Input, q};

    let config = Config::memory("bench-chain");
    if cairn::database_exists(&config)? {
        cairn::delete_database(&config)?;
    }
    cairn::create_database(&config)?;
    let conn = cairn::connect(&config)?;
    conn.transact(
        &read(
            "[{:db/ident :node/id :db/valueType :db.type/long :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
              {:db/ident :node/next :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}]",
        )?,
        None,
    )?;
    let tx: Vec<Value> = (0..n)
        .map(|i| {
            let mut m = vec![
                (Value::kw("db/id"), Value::str(&format!("n{i}"))),
                (Value::kw("node/id"), Value::Long(i)),
            ];
            if i + 1 < n {
                m.push((Value::kw("node/next"), Value::str(&format!("n{}", i + 1))));
            }
            Value::map(m)
        })
        .collect();
    conn.transact(&Value::vector(tx), None)?;
    let db = Arc::new(conn.db()?);
    let rules = read(
        "[[(reach ?a ?b) [?a :node/next ?b]] [(reach ?a ?b) [?a :node/next ?x] (reach ?x ?b)]]",
    )?;
    let query =
        read("[:find (count ?b) . :in $ % ?start :where [?s :node/id ?start] (reach ?s ?b)]")?;
    let inputs = [
        Input::Db(db),
        Input::Value(rules),
        Input::Value(Value::Long(0)),
    ];
    let mut times = Vec::with_capacity(runs);
    let mut found = Value::Nil;
    for _ in 0..runs {
        let t = Instant::now();
        found = q(&query, &inputs)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "recursive rule from a bound start along a {n}-node chain: {:.1} ms (median of {runs}; {found} reached)",
        times[runs / 2]
    );
    conn.release();
    cairn::delete_database(&config)?;
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
    if what == "seam" || what == "all" {
        seam(
            dir.path(),
            flag("--people", 20_000) as i64,
            flag("--runs", 2_001) as usize,
        )?;
    }
    if what == "chain" || what == "all" {
        chain(flag("--nodes", 1_000) as i64, flag("--runs", 3) as usize)?;
    }
    Ok(())
}
