//! Unit tests of the transactor: tempid resolution, upsert, tx-data
//! contents and history bookkeeping.

use crate::edn::read;
use crate::{Config, Connection, IndexOrder, Value};

fn conn(name: &str) -> Connection {
    let config = Config::memory(&format!("tx-tests-{name}"));
    let _ = crate::delete_database(&config);
    crate::create_database(&config).unwrap();
    let c = crate::connect(&config).unwrap();
    c.transact(
        &read(
            "[{:db/ident :name :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
              {:db/ident :age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
              {:db/ident :aka :db/valueType :db.type/string :db/cardinality :db.cardinality/many}
              {:db/ident :friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}]",
        )
        .unwrap(),
        None,
    )
    .unwrap();
    c
}

fn tx(c: &Connection, s: &str) -> crate::Result<crate::TxReport> {
    c.transact(&read(s).unwrap(), None)
}

#[test]
fn tempids_resolve_consistently_within_a_transaction() {
    let c = conn("tempids");
    let r = tx(&c, r#"[[:db/add -1 :name "A"] [:db/add "b" :name "B"] [:db/add -1 :friend "b"] [:db/add "b" :friend -1]]"#)
        .unwrap();
    let a = r.tempids[&Value::Long(-1)];
    let b = r.tempids[&Value::str("b")];
    assert_ne!(a, b);
    assert_eq!(r.tempids[&Value::kw("db/current-tx")], r.tx());
    let db = c.db().unwrap();
    let friends: Vec<_> = db
        .datoms(IndexOrder::Eavt, &[Value::Long(a), Value::kw("friend")])
        .unwrap()
        .map(|d| d.unwrap().v)
        .collect();
    assert_eq!(friends, vec![Value::Long(b)]);
    // Ids come after the schema's and grow by one per new entity.
    assert_eq!(b, a + 1);
    assert_eq!(db.max_eid(), b);
}

#[test]
fn upsert_retry_unifies_tempids() {
    let c = conn("retry");
    let r = tx(&c, r#"[[:db/add -1 :age 42] [:db/add -2 :aka "x"] [:db/add -2 :name "Bob"] [:db/add -1 :name "Bob"]]"#)
        .unwrap();
    assert_eq!(r.tempids[&Value::Long(-1)], r.tempids[&Value::Long(-2)]);
    let err = tx(
        &c,
        r#"[{:db/id -1 :name "Bob" :age 1} {:db/id -2 :name "Eve"} {:db/id -1 :name "Eve"}]"#,
    )
    .unwrap_err();
    assert_eq!(err.kind, crate::ErrorKind::Unique, "{err}");
}

#[test]
fn tx_data_reports_changes_only() {
    let c = conn("txdata");
    let r = tx(&c, r#"[{:db/id -1 :name "A" :age 1}]"#).unwrap();
    let e = r.tempids[&Value::Long(-1)];
    // Re-asserting the same value is a no-op; only the tx instant is written.
    let r = tx(&c, &format!("[[:db/add {e} :age 1]]")).unwrap();
    assert!(
        r.tx_data.iter().all(|d| d.a.full() == "db/txInstant"),
        "{:?}",
        r.tx_data
    );
    // A card-one overwrite reports the retraction of the old value.
    let r = tx(&c, &format!("[[:db/add {e} :age 2]]")).unwrap();
    let ages: Vec<_> = r
        .tx_data
        .iter()
        .filter(|d| d.a.full() == "age")
        .map(|d| (d.v.clone(), d.added))
        .collect();
    assert_eq!(ages, vec![(Value::Long(1), false), (Value::Long(2), true)]);
}

#[test]
fn history_keeps_same_tx_add_and_retract() {
    let c = conn("net");
    let r = tx(&c, r#"[{:db/id -1 :name "A"}]"#).unwrap();
    let e = r.tempids[&Value::Long(-1)];
    let r = tx(
        &c,
        &format!(r#"[[:db/add {e} :aka "tmp"] [:db/retract {e} :aka "tmp"]]"#),
    )
    .unwrap();
    assert_eq!(r.tx_data.iter().filter(|d| d.a.full() == "aka").count(), 2);
    let hist = c.db().unwrap().history().unwrap();
    let added: Vec<bool> = hist
        .datoms(IndexOrder::Eavt, &[Value::Long(e), Value::kw("aka")])
        .unwrap()
        .map(|d| d.unwrap().added)
        .collect();
    assert_eq!(
        added,
        vec![false, true],
        "history keeps the assertion and the retraction of one transaction"
    );
    // The as-of view of that transaction agrees with the current state.
    let as_of = c.db().unwrap().as_of(&Value::Long(r.tx())).unwrap();
    assert_eq!(
        as_of
            .datoms(IndexOrder::Eavt, &[Value::Long(e), Value::kw("aka")])
            .unwrap()
            .count(),
        0
    );
}

#[test]
fn failed_transaction_changes_nothing() {
    let c = conn("atomic");
    tx(&c, r#"[{:name "A"}]"#).unwrap();
    let before = c.db().unwrap();
    let err = tx(&c, r#"[{:name "B" :age 1} {:name "C" :age "x"}]"#).unwrap_err();
    assert_eq!(err.kind, crate::ErrorKind::Type);
    let after = c.db().unwrap();
    assert_eq!(before.max_tx(), after.max_tx());
    assert_eq!(before.commit(), after.commit());
}

#[test]
fn retry_continues_allocation_without_reusing_ids() {
    let c = conn("alloc");
    tx(&c, r#"[{:db/id -1 :name "Ivan"}]"#).unwrap();
    let r = tx(
        &c,
        r#"[{:db/id -1 :age 35} {:db/id -1 :name "Ivan" :age 36} {:db/id -2 :name "New"}]"#,
    )
    .unwrap();
    let ivan = c
        .db()
        .unwrap()
        .entid_strict(&read(r#"[:name "Ivan"]"#).unwrap())
        .unwrap();
    assert_eq!(r.tempids[&Value::Long(-1)], ivan);
    assert_ne!(r.tempids[&Value::Long(-2)], ivan);
}

#[test]
fn lifecycle_on_redb() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::redb(dir.path().join("life.redb"));
    assert!(!crate::database_exists(&config).unwrap());
    assert_eq!(
        crate::connect(&config).unwrap_err().kind,
        crate::ErrorKind::NotFound
    );
    crate::create_database(&config).unwrap();
    assert!(crate::database_exists(&config).unwrap());
    assert_eq!(
        crate::create_database(&config).unwrap_err().kind,
        crate::ErrorKind::Conflict
    );
    let c = crate::connect(&config).unwrap();
    c.transact(
        &read("[{:db/ident :x :db/valueType :db.type/long :db/cardinality :db.cardinality/one}]")
            .unwrap(),
        None,
    )
    .unwrap();
    let r = c.transact(&read("[{:x 7}]").unwrap(), None).unwrap();
    c.release();
    assert!(c.db().is_err(), "a released connection refuses work");
    let c = crate::connect(&config).unwrap();
    let db = c.db().unwrap();
    assert_eq!(db.max_tx(), r.tx());
    assert_eq!(
        db.datoms(IndexOrder::Aevt, &[Value::kw("x")])
            .unwrap()
            .count(),
        1
    );
    let read_mode = Config {
        schema_write: false,
        ..config.clone()
    };
    assert_eq!(
        crate::connect(&read_mode).unwrap_err().kind,
        crate::ErrorKind::Conflict
    );
    c.release();
    crate::delete_database(&config).unwrap();
    assert!(!crate::database_exists(&config).unwrap());
}
