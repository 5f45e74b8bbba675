//! Child process of the crash test: transacts in a loop against a redb
//! database and prints `committed <tx> <n>` after each `transact` returns.
//! `crash-writer PATH`

use std::io::Write;

use cairn::{Config, Value};

fn main() -> cairn::Result<()> {
    let path = std::env::args().nth(1).expect("usage: crash-writer PATH");
    let config = Config::redb(&path);
    if !cairn::database_exists(&config)? {
        cairn::create_database(&config)?;
    }
    let conn = cairn::connect(&config)?;
    let schema = cairn::edn::read(
        "[{:db/ident :n :db/valueType :db.type/long :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
          {:db/ident :payload :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
          {:db/ident :tag :db/valueType :db.type/keyword :db/cardinality :db.cardinality/many :db/index true}]",
    )?;
    conn.transact(&schema, None)?;
    let mut out = std::io::stdout().lock();
    for n in 0i64.. {
        let tx = Value::vector(vec![Value::map([
            (Value::kw("n"), Value::Long(n)),
            (
                Value::kw("payload"),
                Value::str(&"x".repeat((n % 50) as usize + 1)),
            ),
            (
                Value::kw("tag"),
                Value::vector(vec![Value::kw(&format!("t{}", n % 7)), Value::kw("all")]),
            ),
        ])]);
        let report = conn.transact(&tx, None)?;
        writeln!(out, "committed {} {n}", report.tx()).ok();
        out.flush().ok();
    }
    Ok(())
}
