//! The generated API (`cairn_macros::api!` over `api-spec/api.edn`) and
//! its implementation by the runtime.
//!
//! [`Api`] has one required method per operation the spec exposes in Rust,
//! so adding an operation to `api.edn` without implementing it here fails
//! to compile with rustc's E0046 "not all trait items implemented,
//! missing: `<method>`", the method being the operation's Rust name
//! ([`cairn_api_spec::Op::rust_name`]). [`Runtime`] implements every method
//! by delegating to [`call`] with the spec's positional arguments, so
//! [`dispatch`]`(&Runtime, op, args)` and [`call`]`(op, args)` agree.

use crate::api::{Arg, call, usage};
use crate::error::Result;
use crate::value::Value;

cairn_macros::api!();

/// The runtime's implementation of [`Api`]: the in-process database.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Runtime;

/// One argument of a delegated call: present or left out.
trait Slot {
    fn slot(self) -> Option<Arg>;
}

impl Slot for &Arg {
    fn slot(self) -> Option<Arg> {
        Some(self.clone())
    }
}

impl Slot for &Value {
    fn slot(self) -> Option<Arg> {
        Some(Arg::Value(self.clone()))
    }
}

impl<T: Slot> Slot for Option<T> {
    fn slot(self) -> Option<Arg> {
        self.and_then(Slot::slot)
    }
}

/// Calls `op` through [`call`] with the spec's positional arguments:
/// trailing left-out ones are dropped (so an `:arg-map? true` op still sees
/// its one map), inner ones become `nil`, which [`call`] reads as left out.
fn run<const N: usize>(op: &str, slots: [Option<Arg>; N]) -> Result<Value> {
    let given = slots.iter().rposition(Option::is_some).map_or(0, |i| i + 1);
    let args: Vec<Arg> = slots
        .into_iter()
        .take(given)
        .map(|s| s.unwrap_or(Arg::Value(Value::Nil)))
        .collect();
    call(op, &args)
}

/// Every method but the Rust-only ones delegates to [`call`]. `listen`
/// takes a callback that cannot travel as a value, so [`call`] rejects it
/// with a usage error (use [`crate::Connection::listen`]); `unlisten`
/// calls [`crate::Connection::unlisten`].
impl Api for Runtime {
    fn database_exists(&self, config: Option<&Arg>) -> Result<Value> {
        run("database-exists?", [config.slot()])
    }

    fn create_database(&self, config: Option<&Arg>) -> Result<Value> {
        run("create-database", [config.slot()])
    }

    fn delete_database(&self, config: Option<&Arg>) -> Result<Value> {
        run("delete-database", [config.slot()])
    }

    fn connect(&self, config: Option<&Arg>) -> Result<Value> {
        run("connect", [config.slot()])
    }

    fn release(&self, conn: &Arg) -> Result<Value> {
        run("release", [conn.slot()])
    }

    fn db(&self, conn: &Arg) -> Result<Value> {
        run("db", [conn.slot()])
    }

    fn transact(&self, conn: &Arg, tx_input: &Value) -> Result<Value> {
        run("transact", [conn.slot(), tx_input.slot()])
    }

    fn load_entities(&self, conn: &Arg, tx_data: &Value) -> Result<Value> {
        run("load-entities", [conn.slot(), tx_data.slot()])
    }

    fn with(&self, db: &Arg, tx_input: &Value) -> Result<Value> {
        run("with", [db.slot(), tx_input.slot()])
    }

    fn db_with(&self, db: &Arg, tx_input: &Value) -> Result<Value> {
        run("db-with", [db.slot(), tx_input.slot()])
    }

    fn q(
        &self,
        query: &Value,
        args: Option<&Arg>,
        offset: Option<&Value>,
        limit: Option<&Value>,
    ) -> Result<Value> {
        run(
            "q",
            [query.slot(), args.slot(), offset.slot(), limit.slot()],
        )
    }

    fn query_stats(
        &self,
        query: &Value,
        args: Option<&Arg>,
        offset: Option<&Value>,
        limit: Option<&Value>,
    ) -> Result<Value> {
        run(
            "query-stats",
            [query.slot(), args.slot(), offset.slot(), limit.slot()],
        )
    }

    fn explain(&self, query: &Value, args: Option<&Arg>) -> Result<Value> {
        run("explain", [query.slot(), args.slot()])
    }

    fn pull(&self, db: &Arg, selector: &Value, eid: &Value) -> Result<Value> {
        run("pull", [db.slot(), selector.slot(), eid.slot()])
    }

    fn pull_many(&self, db: &Arg, selector: &Value, eids: &Value) -> Result<Value> {
        run("pull-many", [db.slot(), selector.slot(), eids.slot()])
    }

    fn entity(&self, db: &Arg, eid: &Value, attr: Option<&Value>) -> Result<Value> {
        run("entity", [db.slot(), eid.slot(), attr.slot()])
    }

    fn datoms(&self, db: &Arg, index: &Value, components: Option<&Value>) -> Result<Value> {
        run("datoms", [db.slot(), index.slot(), components.slot()])
    }

    fn seek_datoms(&self, db: &Arg, index: &Value, components: Option<&Value>) -> Result<Value> {
        run("seek-datoms", [db.slot(), index.slot(), components.slot()])
    }

    fn rseek_datoms(&self, db: &Arg, index: &Value, components: Option<&Value>) -> Result<Value> {
        run("rseek-datoms", [db.slot(), index.slot(), components.slot()])
    }

    fn index_range(&self, db: &Arg, attrid: &Value, start: &Value, end: &Value) -> Result<Value> {
        run(
            "index-range",
            [db.slot(), attrid.slot(), start.slot(), end.slot()],
        )
    }

    fn history(&self, db: &Arg) -> Result<Value> {
        run("history", [db.slot()])
    }

    fn as_of(&self, db: &Arg, time_point: &Value) -> Result<Value> {
        run("as-of", [db.slot(), time_point.slot()])
    }

    fn since(&self, db: &Arg, time_point: &Value) -> Result<Value> {
        run("since", [db.slot(), time_point.slot()])
    }

    fn schema(&self, db: &Arg) -> Result<Value> {
        run("schema", [db.slot()])
    }

    fn reverse_schema(&self, db: &Arg) -> Result<Value> {
        run("reverse-schema", [db.slot()])
    }

    fn metrics(&self, db: &Arg) -> Result<Value> {
        run("metrics", [db.slot()])
    }

    fn gc_storage(&self, conn: &Arg, remove_before: Option<&Value>) -> Result<Value> {
        run("gc-storage", [conn.slot(), remove_before.slot()])
    }

    fn export_db(&self, db: &Arg, path: &Value, format: Option<&Value>) -> Result<Value> {
        run("export-db", [db.slot(), path.slot(), format.slot()])
    }

    fn import_db(&self, conn: &Arg, path: &Value, format: Option<&Value>) -> Result<Value> {
        run("import-db", [conn.slot(), path.slot(), format.slot()])
    }

    fn listen(&self, conn: &Arg, callback: &Arg) -> Result<Value> {
        let (Arg::Conn(conn), Arg::Listener(f)) = (conn, callback) else {
            return Err(usage(
                "listen: expects a connection and an Arg::Listener callback",
            ));
        };
        let f = f.0.clone();
        let key = conn.listen(move |r| f(r));
        Ok(Value::Long(i64::try_from(key).unwrap_or(i64::MAX)))
    }

    fn unlisten(&self, conn: &Arg, key: &Value) -> Result<Value> {
        let Arg::Conn(conn) = conn else {
            return Err(usage("unlisten: `conn` must be a connection"));
        };
        let key = match key {
            Value::Long(k) => u64::try_from(*k).ok(),
            _ => None,
        };
        // A key `listen` never returned was not registered.
        Ok(Value::Bool(key.is_some_and(|k| conn.unlisten(k))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edn::read;
    use crate::{Config, Error};

    fn same(a: &Result<Value>, b: &Result<Value>) {
        match (a, b) {
            (Ok(x), Ok(y)) => assert_eq!(x, y),
            (Err(x), Err(y)) => assert_eq!(x.to_string(), y.to_string()),
            _ => panic!("dispatch {a:?} but call {b:?}"),
        }
    }

    fn err(r: Result<Value>) -> Error {
        r.expect_err("an error")
    }

    #[test]
    fn dispatch_q_agrees_with_call() {
        let v = |s: &str| Arg::Value(read(s).unwrap());
        for args in [
            vec![v("[:find ?x :in [?x ...]]"), v("[[1 2 3]]")],
            vec![v("[:find ?x :in [?x ...]]"), v("[[1 2 3]]"), v("1"), v("1")],
            vec![v("{:query [:find ?x :in [?x ...]] :args [[4 5]]}")],
            vec![v("\"[:find ?x :in ?x]\""), v("[7]")],
            vec![
                v("[:find ?x :in [?x ...]]"),
                v("[[1 2 3]]"),
                v("nil"),
                v("2"),
            ],
        ] {
            let via_dispatch = dispatch(&Runtime, "q", &args);
            assert!(via_dispatch.is_ok(), "{via_dispatch:?}");
            same(&via_dispatch, &call("q", &args));
            same(&dispatch(&Runtime, "query", &args), &call("q", &args));
        }
    }

    #[test]
    fn dispatch_over_a_database_agrees_with_call() {
        let cfg = Config::memory("generated-dispatch");
        let config = Arg::Config(cfg.clone());
        dispatch(&Runtime, "create-database", std::slice::from_ref(&config)).unwrap();
        let conn = crate::connect(&cfg).unwrap();
        let tx = read(
            "[{:db/ident :name :db/valueType :db.type/string :db/cardinality :db.cardinality/one}]",
        )
        .unwrap();
        dispatch(
            &Runtime,
            "transact",
            &[Arg::Conn(conn.clone()), Arg::Value(tx)],
        )
        .unwrap();
        let data = Arg::Value(read(r#"[{:name "Ivan"} {:name "Petr"}]"#).unwrap());
        dispatch(&Runtime, "transact", &[Arg::Conn(conn.clone()), data]).unwrap();
        let db = Arg::Db(conn.db().unwrap());
        let query = Arg::Value(read("[:find ?n :where [_ :name ?n]]").unwrap());
        let args = [query, Arg::List(vec![db.clone()])];
        let got = dispatch(&Runtime, "q", &args);
        assert_eq!(
            got.as_ref().unwrap(),
            &read(r#"#{["Ivan"] ["Petr"]}"#).unwrap()
        );
        same(&got, &call("q", &args));
        let pull = [
            db.clone(),
            Arg::Value(read("[:name]").unwrap()),
            Arg::Value(read("[:db/ident :name]").unwrap()),
        ];
        same(&dispatch(&Runtime, "pull", &pull), &call("pull", &pull));
        same(
            &dispatch(&Runtime, "schema", std::slice::from_ref(&db)),
            &call("schema", &[db]),
        );
        same(
            &dispatch(&Runtime, "database-exists?", std::slice::from_ref(&config)),
            &Ok(Value::Bool(true)),
        );
        let key = conn.listen(|_| {});
        let unlisten = |k: i64| {
            dispatch(
                &Runtime,
                "unlisten",
                &[Arg::Conn(conn.clone()), Arg::Value(Value::Long(k))],
            )
        };
        assert_eq!(unlisten(key as i64).unwrap(), Value::Bool(true));
        assert_eq!(unlisten(key as i64).unwrap(), Value::Bool(false));
        conn.release();
        dispatch(&Runtime, "delete-database", &[config]).unwrap();
    }

    #[test]
    fn wrong_arity_and_unknown_ops_are_usage_errors_naming_them() {
        let e = err(dispatch(&Runtime, "pull", &[]));
        assert!(crate::cli::is_usage(&e), "{e}");
        assert!(
            e.to_string()
                .contains("pull: expected 3 argument(s), got 0"),
            "{e}"
        );
        let e = err(dispatch(&Runtime, "q", &[]));
        assert!(
            e.to_string()
                .contains("q: expected 1 to 4 arguments, got 0"),
            "{e}"
        );
        let e = err(dispatch(&Runtime, "nope", &[]));
        assert!(e.to_string().contains("Unknown operation nope"), "{e}");
        let conn = Arg::Config(Config::memory("generated-kinds"));
        let e = err(dispatch(&Runtime, "q", &[conn]));
        assert!(
            e.to_string()
                .contains("q: argument `query` must be a value"),
            "{e}"
        );
    }

    #[test]
    fn listen_through_the_api_trait_sees_every_transaction_until_unlisten() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicI64, Ordering};
        let config = Config::memory("generated-listen");
        crate::create_database(&config).expect("create");
        let conn = crate::connect(&config).expect("connect");
        let seen = Arc::new(AtomicI64::new(0));
        let s = seen.clone();
        let listener = Arg::Listener(crate::api::Listener(Arc::new(
            move |r: &crate::TxReport| {
                s.store(r.tx(), Ordering::SeqCst);
            },
        )));
        let c = Arg::Conn(conn.clone());
        let key = Runtime.listen(&c, &listener).expect("listen");
        let r = conn.transact(&read("[{:db/ident :x :db/valueType :db.type/long :db/cardinality :db.cardinality/one}]").unwrap(), None).unwrap();
        assert_eq!(seen.load(Ordering::SeqCst), r.tx());
        assert_eq!(
            Runtime.unlisten(&c, &key).expect("unlisten"),
            Value::Bool(true)
        );
        conn.transact(&read("[{:x 1}]").unwrap(), None).unwrap();
        assert_eq!(
            seen.load(Ordering::SeqCst),
            r.tx(),
            "no calls after unlisten"
        );
        // Over wire values there is no callback: dispatch refuses it.
        let e = err(dispatch(
            &Runtime,
            "listen",
            &[c.clone(), Arg::Value(Value::Nil)],
        ));
        assert!(crate::cli::is_usage(&e), "{e}");
        conn.release();
    }

    #[test]
    fn spec_hash_and_ops_follow_the_spec() {
        let spec = crate::api::spec();
        assert_eq!(SPEC_HASH, spec.hash());
        let rust: Vec<&str> = spec
            .ops_for(cairn_api_spec::Target::Rust)
            .map(|op| op.name.as_str())
            .collect();
        assert_eq!(OPS, rust.as_slice());
        // Every op `call` knows is an op of the trait.
        assert!(crate::api::ops().iter().all(|op| OPS.contains(op)));
    }

    #[test]
    fn argument_structs_call_the_trait() {
        let args = QArgs {
            query: read("[:find ?x :in [?x ...]]").unwrap(),
            args: Some(Arg::Value(read("[[1]]").unwrap())),
            offset: None,
            limit: None,
        };
        assert_eq!(args.call(&Runtime).unwrap(), read("#{[1]}").unwrap());
        // A left-out argument before a given one travels as nil.
        let args = QArgs {
            query: read("[:find [?x ...] :in [?x ...]]").unwrap(),
            args: Some(Arg::Value(read("[[1 2 3]]").unwrap())),
            offset: None,
            limit: Some(Value::Long(2)),
        };
        let got = args.call(&Runtime).unwrap();
        assert_eq!(got.as_seq().map(<[Value]>::len), Some(2), "{got}");
    }
}

/// The expansion is hygienic: it compiles in a module without the prelude
/// (every path is fully qualified).
#[cfg(test)]
#[no_implicit_prelude]
#[allow(dead_code)]
mod hygiene {
    ::cairn_macros::api!();
}

#[cfg(test)]
mod rust_type_names {
    /// Every `:rust` type the spec names exists (as written, `cairn::` being
    /// this crate).
    #[test]
    fn spec_rust_types_exist() {
        fn exists<T: ?Sized>() {}
        exists::<crate::Config>();
        exists::<crate::Connection>();
        exists::<crate::Datom>();
        exists::<crate::Db>();
        exists::<crate::IndexOrder>();
        exists::<crate::Keyword>();
        exists::<crate::TxReport>();
        exists::<crate::Value>();
        exists::<crate::store::StoreConfig>();
        exists::<crate::db::View>();
        exists::<crate::query::Input>();
        exists::<crate::api::Listener>();
        exists::<std::path::PathBuf>();
        let spec = crate::api::spec();
        let known = [
            "()",
            "String",
            "bool",
            "i64",
            "Vec<cairn::query::Input>",
            "cairn::Config",
            "cairn::Connection",
            "cairn::Datom",
            "cairn::Db",
            "cairn::IndexOrder",
            "cairn::Keyword",
            "cairn::TxReport",
            "cairn::Value",
            "cairn::store::StoreConfig",
            "cairn::db::View",
            "cairn::query::Input",
            "cairn::api::Listener",
            "std::path::PathBuf",
        ];
        for t in &spec.types {
            assert!(
                known.contains(&t.rust.as_str()),
                "type {} names Rust type {} that this test does not check",
                t.name,
                t.rust
            );
        }
    }
}
