//! The operations of Cairn's public API over wire values: each op takes
//! resolved arguments ([`Arg`]) and returns a [`Value`]. The CLI (and later
//! the HTTP server, the C ABI and the generated bindings) are skins over
//! [`call`].
//!
//! Handles are values: a connection is named by its store and branch, a
//! database value by store, branch, commit and basis tx, and a time view by
//! its origin and time point ([`db_handle`]).

pub mod wire;

use std::sync::Arc;

use crate::config::Config;
use crate::conn::Connection;
use crate::datom::{Datom, IndexOrder};
use crate::db::Db;
use crate::entity::Entity;
use crate::error::{Error, Result};
use crate::query::Input;
use crate::tx::TxReport;
use crate::value::Value;

/// A resolved argument.
#[derive(Clone, Debug)]
pub enum Arg {
    /// Plain data (EDN).
    Value(Value),
    /// A configuration.
    Config(Config),
    /// A connection.
    Conn(Connection),
    /// A database value (possibly a time view).
    Db(Db),
}

impl Arg {
    fn describe(&self) -> String {
        match self {
            Arg::Value(v) => v.to_string(),
            Arg::Config(_) => "a config".into(),
            Arg::Conn(_) => "a connection".into(),
            Arg::Db(_) => "a database".into(),
        }
    }
}

/// Usage error (wrong number or kind of arguments).
pub fn usage(msg: impl Into<String>) -> Error {
    crate::cli::usage_error(msg)
}

struct Args<'a> {
    op: &'a str,
    args: &'a [Arg],
}

impl<'a> Args<'a> {
    fn count(&self, min: usize, max: usize) -> Result<()> {
        if self.args.len() < min || self.args.len() > max {
            let want = if min == max {
                format!("{min}")
            } else {
                format!("{min} to {max}")
            };
            return Err(usage(format!(
                "{} takes {want} arguments, got {}",
                self.op,
                self.args.len()
            )));
        }
        Ok(())
    }
    fn config(&self, i: usize) -> Result<Config> {
        match self.args.get(i) {
            Some(Arg::Config(c)) => Ok(c.clone()),
            Some(Arg::Value(v)) if v.as_map().is_some() => Config::from_value(v),
            Some(other) => Err(usage(format!(
                "{}: argument {} must be a config, got {}",
                self.op,
                i + 1,
                other.describe()
            ))),
            None => Err(usage(format!("{}: missing config argument", self.op))),
        }
    }
    fn conn(&self, i: usize) -> Result<Connection> {
        match self.args.get(i) {
            Some(Arg::Conn(c)) => Ok(c.clone()),
            Some(Arg::Config(c)) => crate::connect(c),
            Some(other) => Err(usage(format!(
                "{}: argument {} must be a connection (conn:CONFIG), got {}",
                self.op,
                i + 1,
                other.describe()
            ))),
            None => Err(usage(format!("{}: missing connection argument", self.op))),
        }
    }
    fn db(&self, i: usize) -> Result<Db> {
        match self.args.get(i) {
            Some(Arg::Db(d)) => Ok(d.clone()),
            Some(Arg::Conn(c)) => c.db(),
            Some(other) => Err(usage(format!(
                "{}: argument {} must be a database (db:CONFIG), got {}",
                self.op,
                i + 1,
                other.describe()
            ))),
            None => Err(usage(format!("{}: missing database argument", self.op))),
        }
    }
    fn value(&self, i: usize) -> Result<Value> {
        match self.args.get(i) {
            Some(Arg::Value(v)) => Ok(v.clone()),
            Some(other) => Err(usage(format!(
                "{}: argument {} must be data, got {}",
                self.op,
                i + 1,
                other.describe()
            ))),
            None => Err(usage(format!("{}: missing argument {}", self.op, i + 1))),
        }
    }
}

/// The handle of a database value: store, branch, commit, basis tx, view.
pub fn db_handle(db: &Db) -> Value {
    let kw = Value::kw;
    let cfg = db.config();
    let mut view = Vec::new();
    if db.view().history {
        view.push((kw("history"), Value::Bool(true)));
    }
    for (tp, as_of) in &db.view().points {
        let t = match tp {
            crate::db::TimePoint::Tx(t) => Value::Long(*t),
            crate::db::TimePoint::Inst(ms) => Value::Inst(*ms),
        };
        view.push((kw(if *as_of { "as-of" } else { "since" }), t));
    }
    let store = cfg
        .to_value()
        .get_kw("store")
        .cloned()
        .unwrap_or(Value::Nil);
    Value::map([(
        kw("cairn/db"),
        Value::map([
            (kw("store"), store),
            (kw("branch"), kw(&cfg.branch)),
            (
                kw("commit"),
                db.commit()
                    .map(|c| Value::Long(c as i64))
                    .unwrap_or(Value::Nil),
            ),
            (kw("basis-tx"), Value::Long(db.max_tx())),
            (kw("view"), Value::map(view)),
        ]),
    )])
}

/// The handle of a connection: store and branch.
pub fn conn_handle(conn: &Connection) -> Value {
    let kw = Value::kw;
    let store = conn
        .config()
        .to_value()
        .get_kw("store")
        .cloned()
        .unwrap_or(Value::Nil);
    Value::map([(
        kw("cairn/connection"),
        Value::map([(kw("store"), store), (kw("branch"), kw(conn.branch()))]),
    )])
}

/// A datom as the wire shows it: `[e a v tx added]`.
pub fn datom_value(d: &Datom) -> Value {
    d.to_value()
}

/// A transaction report as the wire shows it:
/// `{:tempids {...} :tx-data [[e a v tx added] ...] :tx T :tx-meta {...}}`.
pub fn report_value(r: &TxReport) -> Value {
    let kw = Value::kw;
    Value::map([
        (
            kw("tempids"),
            Value::map(r.tempids.iter().map(|(k, v)| (k.clone(), Value::Long(*v)))),
        ),
        (
            kw("tx-data"),
            Value::vector(r.tx_data.iter().map(datom_value).collect()),
        ),
        (kw("tx"), Value::Long(r.tx())),
        (kw("tx-meta"), r.tx_meta.clone()),
    ])
}

fn datoms_value(it: impl Iterator<Item = Result<Datom>>) -> Result<Value> {
    let mut out = Vec::new();
    for d in it {
        out.push(datom_value(&d?));
    }
    Ok(Value::vector(out))
}

/// `{:index :eavt :components [...]}` (or `[:eavt c1 c2 ...]`).
fn index_args(op: &str, v: &Value) -> Result<(IndexOrder, Vec<Value>)> {
    let (index, comps) = match v {
        Value::Map(_) => (
            v.get_kw("index").cloned().unwrap_or(Value::Nil),
            v.get_kw("components")
                .and_then(Value::as_seq)
                .map(<[Value]>::to_vec)
                .unwrap_or_default(),
        ),
        Value::Keyword(_) => (v.clone(), Vec::new()),
        Value::Vector(xs) if !xs.is_empty() => (xs[0].clone(), xs[1..].to_vec()),
        other => {
            return Err(usage(format!(
                "{op}: expected {{:index :eavt :components [...]}}, got {other}"
            )));
        }
    };
    let order = index
        .as_keyword()
        .and_then(|k| IndexOrder::from_name(k.full()))
        .ok_or_else(|| {
            usage(format!(
                "{op}: unknown index {index}, expected :eavt, :aevt or :avet"
            ))
        })?;
    Ok((order, comps))
}

fn query_inputs(a: &Args<'_>, from: usize) -> Result<Vec<Input>> {
    let mut inputs = Vec::new();
    for (i, arg) in a.args.iter().enumerate().skip(from) {
        inputs.push(match arg {
            Arg::Db(d) => Input::Db(Arc::new(d.clone())),
            Arg::Conn(c) => Input::Db(Arc::new(c.db()?)),
            Arg::Value(v) => Input::Value(v.clone()),
            Arg::Config(_) => {
                return Err(usage(format!(
                    "{}: argument {} is a config; use db:CONFIG for a database",
                    a.op,
                    i + 1
                )));
            }
        });
    }
    Ok(inputs)
}

/// Every op name [`call`] knows.
pub const OPS: &[&str] = &[
    "database-exists?",
    "create-database",
    "delete-database",
    "connect",
    "release",
    "db",
    "transact",
    "with",
    "db-with",
    "q",
    "query-stats",
    "explain",
    "pull",
    "pull-many",
    "entity",
    "datoms",
    "seek-datoms",
    "rseek-datoms",
    "index-range",
    "history",
    "as-of",
    "since",
    "schema",
    "reverse-schema",
    "metrics",
    "gc-storage",
    "export-db",
    "import-db",
    "load-entities",
];

/// Calls operation `op` with resolved arguments.
pub fn call(op: &str, args: &[Arg]) -> Result<Value> {
    let a = Args { op, args };
    match op {
        "database-exists?" => {
            a.count(1, 1)?;
            Ok(Value::Bool(crate::database_exists(&a.config(0)?)?))
        }
        "create-database" => {
            a.count(1, 1)?;
            let cfg = a.config(0)?;
            crate::create_database(&cfg)?;
            Ok(Value::map([(Value::kw("created"), Value::Bool(true))]))
        }
        "delete-database" => {
            a.count(1, 1)?;
            crate::delete_database(&a.config(0)?)?;
            Ok(Value::map([(Value::kw("deleted"), Value::Bool(true))]))
        }
        "connect" => {
            a.count(1, 1)?;
            let c = crate::connect(&a.config(0)?)?;
            Ok(conn_handle(&c))
        }
        "release" => {
            a.count(1, 1)?;
            a.conn(0)?.release();
            Ok(Value::Nil)
        }
        "db" => {
            a.count(1, 1)?;
            Ok(db_handle(&a.conn(0)?.db()?))
        }
        "transact" => {
            a.count(2, 2)?;
            Ok(report_value(&a.conn(0)?.transact(&a.value(1)?, None)?))
        }
        "with" | "db-with" => {
            a.count(2, 2)?;
            let db = a.db(0)?;
            let input = a.value(1)?;
            let (data, meta) = match &input {
                Value::Map(m) if m.contains_key(&Value::kw("tx-data")) => (
                    input.get_kw("tx-data").cloned().unwrap_or(Value::Nil),
                    input.get_kw("tx-meta").cloned(),
                ),
                _ => (input.clone(), None),
            };
            let r = crate::tx::transact(&db, &data, meta.as_ref(), crate::conn::now_ms())?;
            Ok(if op == "with" {
                report_value(&r)
            } else {
                db_handle(&r.db_after)
            })
        }
        "q" | "query-stats" | "explain" => {
            if args.is_empty() {
                return Err(usage(format!("{op} takes a query and its inputs")));
            }
            let query = a.value(0)?;
            let inputs = query_inputs(&a, 1)?;
            match op {
                "q" => crate::query::q(&query, &inputs),
                "query-stats" => crate::query::query_stats(&query, &inputs),
                _ => crate::query::explain(&query, &inputs).map(|s| Value::str(&s)),
            }
        }
        "pull" => {
            a.count(3, 3)?;
            crate::pull::pull(&a.db(0)?, &a.value(1)?, &a.value(2)?)
        }
        "pull-many" => {
            a.count(3, 3)?;
            let eids = a.value(2)?;
            let eids = eids.as_seq().ok_or_else(|| {
                usage(format!(
                    "pull-many: expected a vector of entity ids, got {eids}"
                ))
            })?;
            crate::pull::pull_many(&a.db(0)?, &a.value(1)?, eids)
        }
        "entity" => {
            a.count(2, 3)?;
            let db = a.db(0)?;
            match Entity::new(Arc::new(db), &a.value(1)?)? {
                Some(e) if args.len() == 3 => e.navigate(&a.value(2)?),
                Some(e) => e.touch(),
                None => Ok(Value::Nil),
            }
        }
        "datoms" | "seek-datoms" | "rseek-datoms" => {
            a.count(2, 2)?;
            let db = a.db(0)?;
            let (order, comps) = index_args(op, &a.value(1)?)?;
            let it = match op {
                "datoms" => db.datoms(order, &comps)?,
                "seek-datoms" => db.seek_datoms(order, &comps)?,
                _ => db.rseek_datoms(order, &comps)?,
            };
            datoms_value(it)
        }
        "index-range" => {
            a.count(2, 2)?;
            let db = a.db(0)?;
            let m = a.value(1)?;
            if m.as_map().is_none() {
                return Err(usage(format!(
                    "index-range: expected {{:attrid :a :start s :end e}}, got {m}"
                )));
            }
            let attr = m
                .get_kw("attrid")
                .or_else(|| m.get_kw("attr"))
                .cloned()
                .unwrap_or(Value::Nil);
            let start = m.get_kw("start").cloned().unwrap_or(Value::Nil);
            let end = m.get_kw("end").cloned().unwrap_or(Value::Nil);
            datoms_value(db.index_range(&attr, &start, &end)?)
        }
        "history" => {
            a.count(1, 1)?;
            Ok(db_handle(&a.db(0)?.history()?))
        }
        "as-of" | "since" => {
            a.count(2, 2)?;
            let db = a.db(0)?;
            let t = a.value(1)?;
            let view = if op == "as-of" {
                db.as_of(&t)?
            } else {
                db.since(&t)?
            };
            Ok(db_handle(&view))
        }
        "schema" => {
            a.count(1, 1)?;
            Ok(a.db(0)?.schema().to_value())
        }
        "reverse-schema" => {
            a.count(1, 1)?;
            Ok(a.db(0)?.schema().reverse_value())
        }
        "metrics" => {
            a.count(1, 1)?;
            crate::maint::metrics(&a.db(0)?)
        }
        "gc-storage" => {
            a.count(1, 2)?;
            let conn = a.conn(0)?;
            let before = match args.get(1) {
                None => None,
                Some(_) => match a.value(1)? {
                    Value::Inst(ms) => Some(ms),
                    Value::Nil => None,
                    other => {
                        return Err(usage(format!(
                            "gc-storage: expected an instant, got {other}"
                        )));
                    }
                },
            };
            crate::maint::gc_storage(&conn, before)
        }
        "export-db" | "import-db" => {
            a.count(2, 2)?;
            let path = a.value(1)?;
            let path = path
                .as_str()
                .map(std::path::PathBuf::from)
                .ok_or_else(|| usage(format!("{op}: expected a file path string, got {path}")))?;
            if op == "export-db" {
                crate::maint::export_db(&a.db(0)?, &path)
            } else {
                crate::maint::import_db(&a.conn(0)?, &path)
            }
        }
        "load-entities" => {
            a.count(2, 2)?;
            let datoms = a.value(1)?;
            let datoms = datoms.as_seq().ok_or_else(|| {
                usage(format!(
                    "load-entities: expected a vector of [e a v tx added], got {datoms}"
                ))
            })?;
            crate::maint::load_entities(&a.conn(0)?, datoms)
        }
        other => Err(usage(format!(
            "Unknown operation {other}; known: {}",
            OPS.join(", ")
        ))),
    }
}
