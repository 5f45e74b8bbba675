//! A tour of Cairn on an embedded redb database: create it, transact a
//! schema and data, read back through the index API, update, and look at
//! the past through `as-of` and `history`.
//!
//! `cargo run --release -p cairn --example demo [PATH]`

use cairn::edn::read;
use cairn::{Config, IndexOrder, Value};

fn show(
    title: &str,
    datoms: impl Iterator<Item = cairn::Result<cairn::Datom>>,
) -> cairn::Result<()> {
    println!("{title}");
    for d in datoms {
        let d = d?;
        println!("  [{} {} {} {} {}]", d.e, d.a, d.v, d.tx, d.added);
    }
    Ok(())
}

fn main() -> cairn::Result<()> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        std::env::temp_dir()
            .join("cairn-demo.redb")
            .to_string_lossy()
            .into_owned()
    });
    let config = Config::from_edn(&format!("{{:store {{:backend :redb :path {:?}}}}}", path))?;
    if cairn::database_exists(&config)? {
        cairn::delete_database(&config)?;
    }
    cairn::create_database(&config)?;
    let conn = cairn::connect(&config)?;
    println!("created {path}");

    let schema = read(
        r#"[{:db/ident :person/name :db/valueType :db.type/string
             :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
            {:db/ident :person/age :db/valueType :db.type/long
             :db/cardinality :db.cardinality/one :db/index true}
            {:db/ident :person/friend :db/valueType :db.type/ref
             :db/cardinality :db.cardinality/many}]"#,
    )?;
    conn.transact(&schema, None)?;

    let report = conn.transact(
        &read(
            r#"[{:db/id -1 :person/name "Ivan" :person/age 35 :person/friend -2}
                {:db/id -2 :person/name "Petr" :person/age 22}
                [:db/add "oleg" :person/name "Oleg"]
                [:db/add "oleg" :person/age 41]]"#,
        )?,
        None,
    )?;
    let t1 = report.tx();
    println!(
        "transaction {t1}: {} datoms, tempids {:?}",
        report.tx_data.len(),
        report.tempids
    );

    let db = conn.db()?;
    let ivan = db.entid_strict(&read(r#"[:person/name "Ivan"]"#)?)?;
    show(
        "EAVT of Ivan:",
        db.datoms(IndexOrder::Eavt, &[Value::Long(ivan)])?,
    )?;
    show(
        "AVET :person/age from 30 to 50:",
        db.index_range(&Value::kw("person/age"), &Value::Long(30), &Value::Long(50))?,
    )?;

    // Ivan has a birthday, Petr leaves.
    conn.transact(
        &read(r#"[[:db/add [:person/name "Ivan"] :person/age 36] [:db/retractEntity [:person/name "Petr"]]]"#)?,
        None,
    )?;
    let now = conn.db()?;
    show(
        "AEVT :person/age now:",
        now.datoms(IndexOrder::Aevt, &[Value::kw("person/age")])?,
    )?;
    show(
        &format!("AEVT :person/age as of transaction {t1}:"),
        now.as_of(&Value::Long(t1))?
            .datoms(IndexOrder::Aevt, &[Value::kw("person/age")])?,
    )?;
    show(
        "history of :person/age:",
        now.history()?
            .datoms(IndexOrder::Aevt, &[Value::kw("person/age")])?,
    )?;
    conn.release();

    // Reopen: everything committed is still there.
    let again = cairn::connect(&config)?;
    let db = again.db()?;
    println!(
        "reopened: max-tx {} max-eid {}, {} current datoms",
        db.max_tx(),
        db.max_eid(),
        db.state().indexes.eavt.len()
    );
    again.release();
    Ok(())
}
