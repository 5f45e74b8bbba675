//! Cairn benchmarks on the redb backend.
//!
//! `cargo run --release -p cairn-bench -- [bulk|small|all] [--datoms N] [--txs N] [--batch N]`
//!
//! - `bulk`: loads N datoms (default 1,000,000: 50,000 entities × 20
//!   attributes of mixed types) in transactions of `--batch` entities and
//!   reports datoms/second, peak memory (VmHWM) and the file size.
//! - `small`: times N (default 10,000) single-datom transactions, each
//!   durable before `transact` returns, and reports transactions/second.

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
    Ok(())
}
