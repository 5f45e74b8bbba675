//! Tests of the maintenance operations.

use std::path::Path;

use crate::edn::read;
use crate::{Config, Connection, Db, ErrorKind, IndexOrder, Value};

fn fresh(config: &Config) -> Connection {
    let _ = crate::delete_database(config);
    crate::create_database(config).unwrap();
    crate::connect(config).unwrap()
}

fn mem(name: &str) -> Connection {
    fresh(&Config::memory(&format!("maint-tests-{name}")))
}

fn tx(c: &Connection, s: &str) -> crate::TxReport {
    c.transact(&read(s).unwrap(), None).unwrap()
}

const SCHEMA: &str = "[{:db/ident :name :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
  {:db/ident :age :db/valueType :db.type/long :db/cardinality :db.cardinality/one :db/index true}
  {:db/ident :friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}]";

fn all(db: &Db, o: IndexOrder) -> Vec<crate::Datom> {
    db.seek_datoms(o, &[])
        .unwrap()
        .map(|d| d.unwrap())
        .collect()
}

/// Every datom stored in tree `o` (all six indexes, no view).
fn raw(db: &Db, o: IndexOrder) -> Vec<crate::Datom> {
    let st = db.state();
    st.indexes
        .tree(o)
        .iter(&st.ns)
        .unwrap()
        .map(|d| d.unwrap())
        .collect()
}

fn get<'a>(v: &'a Value, k: &str) -> &'a Value {
    v.get_kw(k).unwrap_or_else(|| panic!("no {k} in {v}"))
}

#[test]
fn metrics_counts_indexes_attrs_and_entities() {
    let c = mem("metrics");
    tx(&c, SCHEMA);
    tx(
        &c,
        r#"[{:db/id -1 :name "A" :age 1} {:db/id -2 :name "B" :friend -1}]"#,
    );
    tx(&c, r#"[{:name "A" :age 2}]"#);
    let db = c.db().unwrap();
    let m = crate::maint::metrics(&db).unwrap();
    let eavt = all(&db, IndexOrder::Eavt);
    assert_eq!(get(&m, "count"), &Value::Long(eavt.len() as i64));
    let pa = get(&m, "per-attr-counts");
    assert_eq!(pa.get(&Value::kw("name")), Some(&Value::Long(2)));
    assert_eq!(pa.get(&Value::kw("age")), Some(&Value::Long(1)));
    assert_eq!(pa.get(&Value::kw("friend")), Some(&Value::Long(1)));
    let a = db.entid(&read("[:name \"A\"]").unwrap()).unwrap().unwrap();
    let pe = get(&m, "per-entity-counts");
    assert_eq!(pe.get(&Value::Long(a)), Some(&Value::Long(2)));
    let total: i64 = pe
        .as_map()
        .unwrap()
        .values()
        .map(|v| v.as_long().unwrap())
        .sum();
    assert_eq!(total, eavt.len() as i64);
    let st = db.state();
    assert_eq!(
        get(&m, "avet-count"),
        &Value::Long(st.indexes.avet.len() as i64)
    );
    assert_eq!(
        get(&m, "temporal-count"),
        &Value::Long(st.indexes.teavt.len() as i64)
    );
    assert_eq!(
        get(&m, "temporal-avet-count"),
        &Value::Long(st.indexes.tavet.len() as i64)
    );
    assert!(get(&m, "storage-bytes").as_long().unwrap() > 0);
    let ic = get(&m, "index-counts");
    assert_eq!(ic.get_kw("aevt"), Some(&Value::Long(eavt.len() as i64)));
    assert!(ic.get_kw("teavt").unwrap().as_long().unwrap() > eavt.len() as i64);

    let mut cfg = Config::memory("maint-tests-metrics-nohist");
    cfg.keep_history = false;
    let c2 = fresh(&cfg);
    tx(&c2, SCHEMA);
    let m2 = crate::maint::metrics(&c2.db().unwrap()).unwrap();
    assert!(m2.get_kw("temporal-count").is_none());
}

fn query(db: &Db, q: &str) -> Value {
    let src: std::sync::Arc<dyn crate::source::Source> = std::sync::Arc::new(db.clone());
    crate::query::q(&read(q).unwrap(), &[crate::query::Input::Db(src)]).unwrap()
}

fn gc_scenario(c: &Connection) {
    tx(c, SCHEMA);
    let r1 = tx(
        c,
        r#"[{:db/id -1 :name "A" :age 1} {:db/id -2 :name "B" :friend -1}]"#,
    );
    for i in 2..20 {
        tx(
            c,
            &format!(r#"[{{:name "A" :age {i}}} {{:name "N{i}" :age {i}}}]"#),
        );
    }
    tx(c, r#"[[:db/retractEntity [:name "B"]]]"#);
    let db = c.db().unwrap();
    let before_cur: Vec<_> = IndexOrder::ALL.iter().map(|o| raw(&db, *o)).collect();
    let old = db.as_of(&Value::Long(r1.tx())).unwrap();
    let old_before = all(&old, IndexOrder::Eavt);
    let q = "[:find ?n ?a :where [?e :name ?n] [?e :age ?a]]";
    let q_before = query(&db, q);
    let old_commit = r1.db_after.commit().unwrap();
    let store = c.store().clone();
    let n_before = store.addresses().unwrap().len();

    // Keep everything: nothing deleted, old commits stay loadable.
    let keep_all = crate::maint::gc_storage(c, None).unwrap();
    assert_eq!(get(&keep_all, "deleted"), &Value::Long(0));
    let stale = c.db_at_commit(old_commit).unwrap();
    assert_eq!(
        raw(&stale, IndexOrder::Eavt),
        raw(&r1.db_after, IndexOrder::Eavt)
    );
    // A cutoff in the past keeps every commit too.
    let past = crate::maint::gc_storage(c, Some(0)).unwrap();
    assert_eq!(get(&past, "deleted"), &Value::Long(0));

    let r = crate::maint::gc_storage(c, Some(crate::conn::now_ms() + 3_600_000)).unwrap();
    let deleted = get(&r, "deleted").as_long().unwrap();
    assert!(deleted > 0, "{r}");
    let n_after = store.addresses().unwrap().len();
    assert_eq!(n_after as i64, n_before as i64 - deleted);
    assert_eq!(get(&r, "kept"), &Value::Long(n_after as i64));

    // The head, its queries and its as-of views are unchanged.
    c.db().unwrap().state().ns.clear_cache();
    let db = c.db().unwrap();
    let after_cur: Vec<_> = IndexOrder::ALL.iter().map(|o| raw(&db, *o)).collect();
    assert_eq!(before_cur, after_cur);
    assert_eq!(query(&db, q), q_before);
    let old = db.as_of(&Value::Long(r1.tx())).unwrap();
    assert_eq!(all(&old, IndexOrder::Eavt), old_before);
    // The dropped commit fails with a storage error, and so does a value
    // loaded from it before the collection (not wrong data).
    let e = c.db_at_commit(old_commit).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Storage);
    let read_stale = stale
        .seek_datoms(IndexOrder::Eavt, &[])
        .and_then(|it| it.collect::<crate::Result<Vec<_>>>());
    assert_eq!(read_stale.unwrap_err().kind, ErrorKind::Storage);
    // Still writable; a second collection finds nothing new.
    tx(c, r#"[{:name "Z" :age 99}]"#);
    let r2 = crate::maint::gc_storage(c, None).unwrap();
    assert_eq!(get(&r2, "deleted"), &Value::Long(0));
}

#[test]
fn gc_keeps_the_head_and_drops_old_commits_memory() {
    let c = mem("gc");
    gc_scenario(&c);
}

#[test]
fn gc_on_redb_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config::redb(dir.path().join("gc.redb"));
    let c = fresh(&cfg);
    gc_scenario(&c);
    let before: Vec<_> = IndexOrder::ALL
        .iter()
        .map(|o| raw(&c.db().unwrap(), *o))
        .collect();
    c.release();
    let c = crate::connect(&cfg).unwrap();
    let db = c.db().unwrap();
    let after: Vec<_> = IndexOrder::ALL.iter().map(|o| raw(&db, *o)).collect();
    assert_eq!(before, after);
    c.release();
}

const TYPES_SCHEMA: &str = "[{:db/ident :s :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
  {:db/ident :l :db/valueType :db.type/long :db/cardinality :db.cardinality/one :db/index true}
  {:db/ident :d :db/valueType :db.type/double :db/cardinality :db.cardinality/one}
  {:db/ident :b :db/valueType :db.type/boolean :db/cardinality :db.cardinality/one}
  {:db/ident :k :db/valueType :db.type/keyword :db/cardinality :db.cardinality/many}
  {:db/ident :sym :db/valueType :db.type/symbol :db/cardinality :db.cardinality/one}
  {:db/ident :i :db/valueType :db.type/instant :db/cardinality :db.cardinality/one}
  {:db/ident :u :db/valueType :db.type/uuid :db/cardinality :db.cardinality/one}
  {:db/ident :bi :db/valueType :db.type/bigint :db/cardinality :db.cardinality/one}
  {:db/ident :bd :db/valueType :db.type/bigdec :db/cardinality :db.cardinality/one}
  {:db/ident :by :db/valueType :db.type/bytes :db/cardinality :db.cardinality/one}
  {:db/ident :t :db/valueType :db.type/tuple :db/tupleTypes [:db.type/long :db.type/string] :db/cardinality :db.cardinality/one}
  {:db/ident :r :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}
  {:db/ident :ls :db/tupleAttrs [:s :l] :db/valueType :db.type/tuple :db/cardinality :db.cardinality/one}]";

/// Fills a database with every value type, overwrites and retractions.
/// Returns the tx of the middle transaction.
fn fill(c: &Connection) -> i64 {
    tx(c, TYPES_SCHEMA);
    let r = tx(
        c,
        r#"[{:db/id -1 :s "a\"b\n" :l 1 :d 1.5 :b true :k [:x :y/z] :sym foo/bar
             :i #inst "2020-01-02T03:04:05.006Z" :u #uuid "6f1c1f1e-1111-4222-8333-444455556666"
             :bi 123456789012345678901234567890N :bd 1.250M :by #bytes "00ff10" :t [7 "x"]}
            {:db/id -2 :s "other" :l 2 :d -0.0 :b false :r [-1]}]"#,
    );
    tx(
        c,
        r#"[{:s "other" :l 3 :d ##Inf :r [[:s "a\"b\n"]]} [:db/retract [:s "a\"b\n"] :k :x]]"#,
    );
    tx(
        c,
        r#"[[:db/retractEntity [:s "other"]] {:s "third" :bd 0.1M :l 4}]"#,
    );
    r.tx()
}

fn compare_dbs(a: &Db, b: &Db, mid: i64) {
    for o in [IndexOrder::Eavt, IndexOrder::Aevt, IndexOrder::Avet] {
        assert_eq!(all(a, o), all(b, o), "{o:?}");
        let (ha, hb) = (a.history().unwrap(), b.history().unwrap());
        assert_eq!(all(&ha, o), all(&hb, o), "history {o:?}");
        let (oa, ob) = (
            a.as_of(&Value::Long(mid)).unwrap(),
            b.as_of(&Value::Long(mid)).unwrap(),
        );
        assert_eq!(all(&oa, o), all(&ob, o), "as-of {o:?}");
    }
    // Value types survive exactly (not just equal under index order).
    let va: Vec<_> = all(a, IndexOrder::Eavt).into_iter().map(|d| d.v).collect();
    let vb: Vec<_> = all(b, IndexOrder::Eavt).into_iter().map(|d| d.v).collect();
    for (x, y) in va.iter().zip(&vb) {
        assert_eq!(x.type_name(), y.type_name());
        assert_eq!(crate::edn::to_string(x), crate::edn::to_string(y));
    }
    assert_eq!(a.max_tx(), b.max_tx());
    assert_eq!(a.max_eid(), b.max_eid());
}

fn round_trip(src: &Config, dst: &Config, dir: &Path) {
    let c = fresh(src);
    let mid = fill(&c);
    let path = dir.join("dump.edn");
    let r = crate::maint::export_db(&c.db().unwrap(), &path).unwrap();
    assert!(get(&r, "datoms").as_long().unwrap() > 20);
    let d = fresh(dst);
    let ri = crate::maint::import_db(&d, &path).unwrap();
    assert_eq!(get(&ri, "datoms"), get(&r, "datoms"));
    compare_dbs(&c.db().unwrap(), &d.db().unwrap(), mid);
    // Importing into a non-empty database is refused.
    let e = crate::maint::import_db(&d, &path).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    // The imported database keeps working: same next ids as the source.
    let ra = tx(&c, r#"[{:s "new" :l 9}]"#);
    let rb = tx(&d, r#"[{:s "new" :l 9}]"#);
    assert_eq!(ra.tempids, rb.tempids);
    c.release();
    d.release();
}

#[test]
fn export_import_memory_to_redb_and_back() {
    let dir = tempfile::tempdir().unwrap();
    round_trip(
        &Config::memory("maint-tests-export-src"),
        &Config::redb(dir.path().join("dst.redb")),
        dir.path(),
    );
    let dir2 = tempfile::tempdir().unwrap();
    round_trip(
        &Config::redb(dir2.path().join("src.redb")),
        &Config::memory("maint-tests-export-dst"),
        dir2.path(),
    );
}

#[test]
fn export_without_history_round_trips_current_state() {
    let dir = tempfile::tempdir().unwrap();
    let mut src = Config::memory("maint-tests-export-nohist-src");
    src.keep_history = false;
    let mut dst = Config::memory("maint-tests-export-nohist-dst");
    dst.keep_history = false;
    let c = fresh(&src);
    fill(&c);
    let path = dir.path().join("nohist.edn");
    crate::maint::export_db(&c.db().unwrap(), &path).unwrap();
    let d = fresh(&dst);
    crate::maint::import_db(&d, &path).unwrap();
    for o in [IndexOrder::Eavt, IndexOrder::Aevt, IndexOrder::Avet] {
        assert_eq!(all(&c.db().unwrap(), o), all(&d.db().unwrap(), o));
    }
}

#[test]
fn export_spills_and_merges_sorted_runs() {
    let dir = tempfile::tempdir().unwrap();
    let c = mem("export-big");
    tx(&c, SCHEMA);
    // More than one run of datoms, in several transactions.
    for chunk in 0..4 {
        let items: Vec<String> = (0..700)
            .map(|i| format!(r#"{{:name "p{chunk}-{i}" :age {i}}}"#))
            .collect();
        tx(&c, &format!("[{}]", items.join(" ")));
    }
    tx(&c, r#"[{:name "p0-1" :age -1}]"#);
    let path = dir.path().join("big.edn");
    let r = super::export::export_with_runs(&c.db().unwrap(), &path, 1000).unwrap();
    assert!(get(&r, "datoms").as_long().unwrap() > 5000);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    let d = mem("export-big-dst");
    crate::maint::import_db(&d, &path).unwrap();
    let (a, b) = (c.db().unwrap(), d.db().unwrap());
    assert_eq!(
        all(&a.history().unwrap(), IndexOrder::Eavt),
        all(&b.history().unwrap(), IndexOrder::Eavt)
    );
}

#[test]
fn import_detects_corruption_and_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let c = mem("export-corrupt");
    fill(&c);
    let path = dir.path().join("ok.edn");
    crate::maint::export_db(&c.db().unwrap(), &path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let check = |name: &str, content: String, kind: ErrorKind, needle: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        let d = mem(&format!("corrupt-{name}"));
        let e = crate::maint::import_db(&d, &p).unwrap_err();
        assert_eq!(e.kind, kind, "{name}: {e}");
        assert!(e.message.contains(needle), "{name}: {e}");
        assert!(e.message.contains(name), "{name}: {e}");
        // Nothing was imported.
        assert_eq!(d.db().unwrap().max_tx(), crate::TX0);
    };
    // Truncated: the end line is missing.
    check(
        "trunc.edn",
        lines[..lines.len() - 3].join("\n") + "\n",
        ErrorKind::Storage,
        "truncated",
    );
    // Truncated mid-line.
    let cut = &text[..text.len() - text.lines().last().unwrap().len() - 20];
    check("cut.edn", cut.to_string(), ErrorKind::Syntax, "line");
    // A changed value: the checksum catches it.
    let changed = text.replacen("\"other\"", "\"otheR\"", 1);
    assert_ne!(changed, text);
    check("sum.edn", changed, ErrorKind::Storage, "checksum");
    // A dropped datom line: count and checksum disagree.
    let mut dropped: Vec<&str> = lines.clone();
    dropped.remove(3);
    check(
        "drop.edn",
        dropped.join("\n") + "\n",
        ErrorKind::Storage,
        "datoms",
    );
    // Unreadable datom.
    let mut garbage: Vec<&str> = lines.clone();
    garbage[2] = "[1 :s \"unterminated";
    check(
        "garbage.edn",
        garbage.join("\n") + "\n",
        ErrorKind::Syntax,
        "line 3",
    );
    // Bad header version.
    let v2 = text.replacen(":version 1", ":version 2", 1);
    check("version.edn", v2, ErrorKind::Syntax, "version");
    // Not an export at all.
    check("other.edn", "{:a 1}\n".into(), ErrorKind::Syntax, "header");
    // Missing file.
    let d = mem("corrupt-missing");
    let e = crate::maint::import_db(&d, &dir.path().join("missing.edn")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
}

#[test]
fn load_entities_remaps_ids_and_transactions() {
    let src = mem("load-src");
    fill(&src);
    let hist: Vec<Value> = {
        let mut ds = all(&src.db().unwrap().history().unwrap(), IndexOrder::Eavt);
        ds.sort_by_key(|d| (d.tx, d.e));
        ds.into_iter().map(|d| d.to_value()).collect()
    };
    let dst = mem("load-dst");
    // The target already has entities: ids must not collide.
    tx(
        &dst,
        r#"[{:db/ident :pre :db/valueType :db.type/long :db/cardinality :db.cardinality/one} {:pre 1}]"#,
    );
    let before_max = dst.db().unwrap().max_eid();
    let r = crate::maint::load_entities(&dst, &hist).unwrap();
    assert_eq!(get(&r, "txs"), &Value::Long(4));
    let tempids = get(&r, "tempids").as_map().unwrap();
    assert!(tempids.values().all(|v| v.as_long().unwrap() > before_max));
    let db = dst.db().unwrap();
    // Current data equals the source's, through the id map.
    let q = "[:find ?s ?l :where [?e :s ?s] [?e :l ?l]]";
    assert_eq!(query(&db, q), query(&src.db().unwrap(), q));
    let q = "[:find ?s ?s2 :where [?e :r ?f] [?e :s ?s] [?f :s ?s2]]";
    assert_eq!(query(&db, q), query(&src.db().unwrap(), q));
    let qt = "[:find ?t :where [?e :s \"third\"] [?e :ls ?t]]";
    assert_eq!(query(&db, qt), query(&src.db().unwrap(), qt));
    // Source instants are kept.
    let qi = "[:find ?i :where [?e :s \"third\" ?tx] [?tx :db/txInstant ?i]]";
    assert_eq!(query(&db, qi), query(&src.db().unwrap(), qi));
    // Malformed input loads nothing.
    let max = dst.db().unwrap().max_tx();
    let e = crate::maint::load_entities(&dst, &[read("[1 :s]").unwrap()]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Syntax);
    assert_eq!(dst.db().unwrap().max_tx(), max);
}

#[test]
fn load_entities_refs_to_unseen_entities_and_card_one_replace() {
    let c = mem("load-refs");
    tx(&c, SCHEMA);
    let base = c.db().unwrap().max_eid();
    let t1 = crate::TX0 + 100;
    let t2 = crate::TX0 + 105;
    let data: Vec<Value> = [
        format!("[500 :name \"A\" {t1} true]"),
        format!("[500 :friend 700 {t1} true]"),
        format!("[700 :name \"B\" {t1} true]"),
        format!("[{t1} :db/txInstant #inst \"2001-01-01T00:00:00.000Z\" {t1} true]"),
        format!("[500 :age 1 {t1} true]"),
        format!("[500 :age 2 {t2} true]"),
        format!("[700 :name \"B\" {t2} false]"),
        format!("#datahike/Datom [900 :age 5 {t2} true]"),
    ]
    .iter()
    .map(|s| read(s).unwrap())
    .collect();
    let r = crate::maint::load_entities(&c, &data).unwrap();
    assert_eq!(get(&r, "txs"), &Value::Long(2));
    let ids = get(&r, "tempids");
    // First-seen order: 500, then 700 (allocated early by the ref), then 900.
    assert_eq!(ids.get(&Value::Long(500)), Some(&Value::Long(base + 1)));
    assert_eq!(ids.get(&Value::Long(700)), Some(&Value::Long(base + 2)));
    assert_eq!(ids.get(&Value::Long(900)), Some(&Value::Long(base + 3)));
    let db = c.db().unwrap();
    let a = Value::Long(base + 1);
    let ages: Vec<_> = db
        .datoms(IndexOrder::Eavt, &[a.clone(), Value::kw("age")])
        .unwrap()
        .map(|d| d.unwrap().v)
        .collect();
    assert_eq!(ages, vec![Value::Long(2)]);
    let friends: Vec<_> = db
        .datoms(IndexOrder::Eavt, &[a, Value::kw("friend")])
        .unwrap()
        .map(|d| d.unwrap().v)
        .collect();
    assert_eq!(friends, vec![Value::Long(base + 2)]);
    assert!(
        db.datoms(
            IndexOrder::Eavt,
            &[Value::Long(base + 2), Value::kw("name")]
        )
        .unwrap()
        .next()
        .is_none()
    );
    let qi = "[:find ?i :where [?e :name \"A\" ?tx] [?tx :db/txInstant ?i]]";
    assert_eq!(
        crate::edn::to_string(&query(&db, qi)),
        "#{[#inst \"2001-01-01T00:00:00.000-00:00\"]}"
    );
}
