//! The operations of Cairn's public API over wire values: each op takes
//! resolved arguments ([`Arg`]) and returns a [`Value`]. The CLI, the HTTP
//! server ([`crate::server`], through [`dispatch()`]) and later the C ABI
//! and the generated bindings are skins over [`call`].
//!
//! Handles are values: a connection is named by its store and branch, a
//! database value by store, branch, commit and basis tx, and a time view by
//! its origin and time point ([`db_handle`]).

pub mod dispatch;
pub mod generated;
pub mod wire;

pub use dispatch::{dispatch, dispatch_json, error_value};

/// The spec model the op layer and the CLI follow (see [`spec`]).
pub use cairn_api_spec;

use std::sync::{Arc, OnceLock};

use cairn_api_spec::{Op, Target, TypeRef};

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
    /// A sequence of arguments, for a vector argument that may hold
    /// handles (the query inputs of `q`: `[db "Ivan"]`).
    List(Vec<Arg>),
    /// A transaction listener (`listen`; Rust only, never on the wire).
    Listener(Listener),
}

/// A callback `listen` registers: called with every report of a successful
/// `transact` through the connection.
#[derive(Clone)]
pub struct Listener(pub Arc<dyn Fn(&TxReport) + Send + Sync>);

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Listener")
    }
}

impl Arg {
    fn describe(&self) -> String {
        match self {
            Arg::Value(v) => v.to_string(),
            Arg::Config(_) => "a config".into(),
            Arg::Conn(_) => "a connection".into(),
            Arg::Db(_) => "a database".into(),
            Arg::List(xs) => format!("a list of {} arguments", xs.len()),
            Arg::Listener(_) => "a listener".into(),
        }
    }
}

/// Usage error (wrong number or kind of arguments).
pub fn usage(msg: impl Into<String>) -> Error {
    crate::cli::usage_error(msg)
}

/// The validated API spec (`api-spec/api.edn`), read once.
pub fn spec() -> &'static cairn_api_spec::Spec {
    static SPEC: OnceLock<cairn_api_spec::Spec> = OnceLock::new();
    SPEC.get_or_init(|| match cairn_api_spec::load() {
        Ok(s) => s,
        // The spec is compiled in and validated by its own crate's tests.
        Err(e) => panic!("the shipped api.edn is invalid:\n{e}"),
    })
}

/// Whether a spec type is a handle-like leading argument (`Config`,
/// `Connection`, `Db`): the part of a call an arg map never holds.
fn is_handle(ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::Named { name } if matches!(name.as_str(), "Config" | "Connection" | "Db"))
}

/// The arguments of one call, normalized to the spec's positions: one slot
/// per spec argument, `None` where an optional one was left out.
struct Args<'a> {
    op: &'a str,
    args: Vec<Option<Arg>>,
}

/// Checks `args` against the spec's signature of `op` and returns them by
/// position. Besides positional arguments (optional trailing ones may be
/// left out), an `:arg-map? true` op also takes, after its leading handle
/// arguments, one map whose keys are the remaining arguments' names
/// (`datoms db {:index :avet :components [...]}`, `q {:query .. :args ..}`).
fn normalize<'a>(op: &'a Op, args: &[Arg]) -> Result<Args<'a>> {
    let lead = op.args.iter().take_while(|a| is_handle(&a.ty)).count();
    let rest = &op.args[lead..];
    if op.arg_map
        && args.len() == lead + 1
        && !rest.is_empty()
        && let Some(Arg::Value(Value::Map(m))) = args.get(lead)
    {
        let named = |k: &Value| {
            k.as_keyword()
                .is_some_and(|k| rest.iter().any(|a| a.name == k.full()))
        };
        let complete = rest
            .iter()
            .all(|a| a.optional || m.contains_key(&Value::kw(&a.name)));
        if complete && m.keys().all(named) {
            let mut out: Vec<Option<Arg>> = args[..lead].iter().cloned().map(Some).collect();
            for a in rest {
                out.push(m.get(&Value::kw(&a.name)).cloned().map(Arg::Value));
            }
            return Ok(Args {
                op: &op.name,
                args: out,
            });
        }
    }
    let (min, max) = (op.required_arity(), op.args.len());
    if args.len() < min || args.len() > max {
        let want = if min == max {
            format!("{min}")
        } else {
            format!("{min} to {max}")
        };
        let sig: Vec<String> = op
            .args
            .iter()
            .map(|a| format!("{}{}", a.name, if a.optional { "?" } else { "" }))
            .collect();
        return Err(usage(format!(
            "{} takes {want} arguments ({} {}), got {}",
            op.name,
            op.name,
            sig.join(" "),
            args.len()
        )));
    }
    let mut out: Vec<Option<Arg>> = args.iter().cloned().map(Some).collect();
    out.resize(max, None);
    Ok(Args {
        op: &op.name,
        args: out,
    })
}

impl Args<'_> {
    fn get(&self, i: usize) -> Option<&Arg> {
        self.args.get(i).and_then(Option::as_ref)
    }
    /// Whether argument `i` was given and is not nil.
    fn given(&self, i: usize) -> bool {
        !matches!(self.get(i), None | Some(Arg::Value(Value::Nil)))
    }
    fn config(&self, i: usize) -> Result<Config> {
        match self.get(i) {
            Some(Arg::Config(c)) => Ok(c.clone()),
            Some(Arg::Value(v)) if v.as_map().is_some() || v.is_nil() => Config::from_value(v),
            Some(other) => Err(usage(format!(
                "{}: argument {} must be a config, got {}",
                self.op,
                i + 1,
                other.describe()
            ))),
            None => Config::from_value(&Value::Nil),
        }
    }
    fn conn(&self, i: usize) -> Result<Connection> {
        match self.get(i) {
            Some(Arg::Conn(c)) => Ok(c.clone()),
            Some(Arg::Config(c)) => crate::connect(c),
            Some(Arg::Value(v)) if v.get_kw("cairn/connection").is_some() => {
                match open_handle(v)? {
                    Some(Arg::Conn(c)) => Ok(c),
                    _ => Err(usage(format!(
                        "{}: argument {} is not a connection handle",
                        self.op,
                        i + 1
                    ))),
                }
            }
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
        match self.get(i) {
            Some(Arg::Db(d)) => Ok(d.clone()),
            Some(Arg::Conn(c)) => c.db(),
            Some(Arg::Value(v))
                if v.get_kw("cairn/db").is_some() || v.get_kw("cairn/connection").is_some() =>
            {
                match open_handle(v)? {
                    Some(Arg::Db(d)) => Ok(d),
                    Some(Arg::Conn(c)) => c.db(),
                    _ => Err(usage(format!(
                        "{}: argument {} is not a database handle",
                        self.op,
                        i + 1
                    ))),
                }
            }
            Some(other) => Err(usage(format!(
                "{}: argument {} must be a database (db:CONFIG), got {}",
                self.op,
                i + 1,
                other.describe()
            ))),
            None => Err(usage(format!("{}: missing database argument", self.op))),
        }
    }
    /// Data argument `i`; a left-out optional one is nil.
    fn value(&self, i: usize) -> Result<Value> {
        match self.get(i) {
            Some(Arg::Value(v)) => Ok(v.clone()),
            Some(other) => Err(usage(format!(
                "{}: argument {} must be data, got {}",
                self.op,
                i + 1,
                other.describe()
            ))),
            None => Ok(Value::Nil),
        }
    }
    /// A sequence argument (nil or left out: empty).
    fn seq(&self, i: usize, what: &str) -> Result<Vec<Value>> {
        match self.value(i)? {
            Value::Nil => Ok(Vec::new()),
            v => v.as_seq().map(<[Value]>::to_vec).ok_or_else(|| {
                usage(format!(
                    "{}: argument {} must be a vector of {what}, got {v}",
                    self.op,
                    i + 1
                ))
            }),
        }
    }
    /// An optional long argument (nil or left out: none).
    fn long(&self, i: usize) -> Result<Option<i64>> {
        match self.value(i)? {
            Value::Nil => Ok(None),
            Value::Long(n) => Ok(Some(n)),
            v => Err(usage(format!(
                "{}: argument {} must be an integer, got {v}",
                self.op,
                i + 1
            ))),
        }
    }
    /// A file path argument.
    fn path(&self, i: usize) -> Result<std::path::PathBuf> {
        match self.value(i)? {
            Value::Str(s) => Ok(std::path::PathBuf::from(&*s)),
            v => Err(usage(format!(
                "{}: expected a file path string, got {v}",
                self.op
            ))),
        }
    }
    /// The query inputs at `i`: a vector of inputs (databases inside as
    /// [`Arg::Db`]/[`Arg::Conn`] in an [`Arg::List`], or plain values).
    fn inputs(&self, i: usize) -> Result<Vec<Input>> {
        let one = |arg: &Arg, n: usize| -> Result<Input> {
            Ok(match arg {
                Arg::Db(d) => Input::Db(Arc::new(d.clone())),
                Arg::Conn(c) => Input::Db(Arc::new(c.db()?)),
                Arg::Value(v) => match open_handle(v)? {
                    Some(Arg::Db(d)) => Input::Db(Arc::new(d)),
                    Some(Arg::Conn(c)) => Input::Db(Arc::new(c.db()?)),
                    _ => Input::Value(v.clone()),
                },
                Arg::List(_) | Arg::Config(_) | Arg::Listener(_) => {
                    return Err(usage(format!(
                        "{}: input {} is {}; use db:CONFIG for a database",
                        self.op,
                        n + 1,
                        arg.describe()
                    )));
                }
            })
        };
        match self.get(i) {
            None | Some(Arg::Value(Value::Nil)) => Ok(Vec::new()),
            Some(Arg::List(xs)) => xs.iter().enumerate().map(|(n, a)| one(a, n)).collect(),
            Some(Arg::Value(v)) if v.as_seq().is_some() => v
                .as_seq()
                .unwrap_or(&[])
                .iter()
                .enumerate()
                .map(|(n, x)| one(&Arg::Value(x.clone()), n))
                .collect(),
            Some(other) => Err(usage(format!(
                "{}: argument {} must be a vector of inputs, got {}",
                self.op,
                i + 1,
                other.describe()
            ))),
        }
    }
}

/// The handle of a database value: store, branch, commit, basis tx, view.
pub fn db_handle(db: &Db) -> Value {
    let kw = Value::kw;
    let cfg = db.config();
    let cfg_value = cfg.to_value();
    let mut fields = vec![
        (
            kw("store"),
            cfg_value.get_kw("store").cloned().unwrap_or(Value::Nil),
        ),
        (kw("branch"), kw(&cfg.branch)),
        (
            kw("commit"),
            db.commit()
                .or(db.speculative().and_then(|s| s.base_commit))
                .map(|c| Value::Long(c as i64))
                .unwrap_or(Value::Nil),
        ),
        (kw("basis-tx"), Value::Long(db.max_tx())),
        (kw("max-eid"), Value::Long(db.max_eid())),
        (kw("config"), cfg_value.clone()),
    ];
    // A speculative value: the transactions to replay over the commit.
    if let Some(s) = db.speculative() {
        fields.push((kw("with"), Value::vector(s.txs.clone())));
    }
    // The spec's view kinds: a history view, or the innermost as-of/since.
    if db.view().history {
        fields.push((kw("view"), kw("history")));
    } else if let Some((tp, as_of)) = db.view().points.last() {
        fields.push((kw("view"), kw(if *as_of { "as-of" } else { "since" })));
        fields.push((
            kw("time-point"),
            match tp {
                crate::db::TimePoint::Tx(t) => Value::Long(*t),
                crate::db::TimePoint::Inst(ms) => Value::Inst(*ms),
            },
        ));
    }
    Value::map([(kw("cairn/db"), Value::map(fields))])
}

/// The handle of a connection: store and branch (and the config to re-open
/// it with).
pub fn conn_handle(conn: &Connection) -> Value {
    let kw = Value::kw;
    let cfg = conn.config().to_value();
    Value::map([(
        kw("cairn/connection"),
        Value::map([
            (
                kw("store"),
                cfg.get_kw("store").cloned().unwrap_or(Value::Nil),
            ),
            (kw("branch"), kw(conn.branch())),
            (kw("config"), cfg),
        ]),
    )])
}

/// Re-opens a handle printed by [`db_handle`] or [`conn_handle`] (a map
/// with `:cairn/db` or `:cairn/connection`): the database value of that
/// commit through that view, or the connection. `Ok(None)` for other data.
pub fn open_handle(v: &Value) -> Result<Option<Arg>> {
    let connect = |h: &Value| -> Result<Connection> {
        let cfg = match h.get_kw("config") {
            Some(c) => Config::from_value(c)?,
            None => Config::from_value(&Value::map([
                (
                    Value::kw("store"),
                    h.get_kw("store").cloned().unwrap_or(Value::Nil),
                ),
                (
                    Value::kw("branch"),
                    h.get_kw("branch").cloned().unwrap_or(Value::kw("db")),
                ),
            ]))?,
        };
        crate::conn::attach(&cfg)
    };
    if let Some(h) = v.get_kw("cairn/db") {
        let conn = connect(h)?;
        let current = conn.db()?;
        let mut db = match h.get_kw("commit") {
            Some(Value::Long(c)) if current.commit() != Some(*c as u64) => {
                conn.db_at_commit(*c as u64)?
            }
            _ => current,
        };
        // Replay the speculative transactions of a `with`/`db-with` value.
        if let Some(txs) = h.get_kw("with").and_then(Value::as_seq) {
            for entry in txs {
                let data = entry.get_kw("tx-data").cloned().unwrap_or(Value::Nil);
                let meta = entry.get_kw("tx-meta").filter(|m| !m.is_nil());
                let instant = match entry.get_kw("instant") {
                    Some(Value::Long(ms)) => *ms,
                    _ => {
                        return Err(usage(format!(
                            "Speculative transaction without :instant in database handle {v}"
                        )));
                    }
                };
                let r = crate::tx::transact(&db, &data, meta, instant)?;
                db = r.db_after.with_speculative(&db, entry.clone());
            }
        }
        // A time point crosses JSON as an integer (tx) or an RFC 3339
        // string (instant).
        let t = match h.get_kw("time-point") {
            Some(Value::Str(s)) => Value::Inst(crate::edn::parse_inst(s).ok_or_else(|| {
                usage(format!(
                    "Invalid instant {s:?} as time point in database handle"
                ))
            })?),
            Some(t) => t.clone(),
            None => Value::Nil,
        };
        db = match h
            .get_kw("view")
            .and_then(Value::as_keyword)
            .map(|k| k.full())
        {
            None => db,
            Some("history") => db.history()?,
            Some("as-of") => db.as_of(&t)?,
            Some("since") => db.since(&t)?,
            Some(other) => {
                return Err(usage(format!(
                    "Unknown view :{other} in database handle {v}"
                )));
            }
        };
        return Ok(Some(Arg::Db(db)));
    }
    if let Some(h) = v.get_kw("cairn/connection") {
        return Ok(Some(Arg::Conn(connect(h)?)));
    }
    Ok(None)
}

/// A datom as the wire shows it: `[e a v tx added]`.
pub fn datom_value(d: &Datom) -> Value {
    d.to_value()
}

/// A transaction report as the wire shows it:
/// `{:tempids {...} :tx-data [[e a v tx added] ...] :tx T :tx-meta {...}
/// :db-before handle :db-after handle}`.
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
        (kw("db-before"), db_handle(&r.db_before)),
        (kw("db-after"), db_handle(&r.db_after)),
    ])
}

fn datoms_value(it: impl Iterator<Item = Result<Datom>>) -> Result<Value> {
    let mut out = Vec::new();
    for d in it {
        out.push(datom_value(&d?));
    }
    Ok(Value::vector(out))
}

fn index_order(op: &str, index: &Value) -> Result<IndexOrder> {
    index
        .as_keyword()
        .and_then(|k| IndexOrder::from_name(k.full()))
        .ok_or_else(|| {
            usage(format!(
                "{op}: unknown index {index}, expected :eavt, :aevt or :avet"
            ))
        })
}

/// Every op name [`call`] knows: the spec's ops except the Rust-only ones.
pub fn ops() -> Vec<&'static str> {
    spec()
        .ops
        .iter()
        .filter(|op| op.targets.iter().any(|t| *t != Target::Rust))
        .map(|op| op.name.as_str())
        .collect()
}

/// Calls operation `op` (its spec name, e.g. `database-exists?`) with
/// resolved arguments in the spec's order: `datoms db index components?`,
/// `q query args? offset? limit?` (`args` a vector of inputs: an
/// [`Arg::List`] that may hold databases, or a vector value), ... Optional
/// trailing arguments may be left out; `:arg-map? true` ops also take one
/// map of the remaining arguments after the leading handle. The Rust-only
/// ops (`listen`, `unlisten`) are not callable here.
pub fn call(op: &str, args: &[Arg]) -> Result<Value> {
    let Some(spec_op) = spec()
        .op(op)
        .filter(|o| o.targets.iter().any(|t| *t != Target::Rust))
    else {
        return Err(usage(format!(
            "Unknown operation {op}; known: {}",
            ops().join(", ")
        )));
    };
    // (A map whose keys are not all argument names, e.g. a map query or
    // `{:query .. :stats? true}`, stays a positional argument.)
    let a = normalize(spec_op, args)?;
    match op {
        "database-exists?" => Ok(Value::Bool(crate::database_exists(&a.config(0)?)?)),
        "create-database" => {
            let cfg = a.config(0)?;
            crate::create_database(&cfg)?;
            Ok(cfg.to_value())
        }
        "delete-database" => {
            crate::delete_database(&a.config(0)?)?;
            Ok(Value::Nil)
        }
        "connect" => {
            let c = crate::connect(&a.config(0)?)?;
            c.hold();
            Ok(conn_handle(&c))
        }
        "release" => {
            a.conn(0)?.release();
            Ok(Value::Nil)
        }
        "db" => Ok(db_handle(&a.conn(0)?.db()?)),
        "transact" => Ok(report_value(&a.conn(0)?.transact(&a.value(1)?, None)?)),
        "with" | "db-with" => {
            let db = a.db(0)?;
            let input = a.value(1)?;
            let (data, meta) = match &input {
                Value::Map(m) if m.contains_key(&Value::kw("tx-data")) => (
                    input.get_kw("tx-data").cloned().unwrap_or(Value::Nil),
                    input.get_kw("tx-meta").cloned(),
                ),
                _ => (input.clone(), None),
            };
            let now = crate::conn::now_ms();
            let mut r = crate::tx::transact(&db, &data, meta.as_ref(), now)?;
            // Record how the value came to be, so its handle re-opens it.
            let entry = Value::map([
                (Value::kw("tx-data"), data),
                (Value::kw("tx-meta"), meta.unwrap_or(Value::Nil)),
                (Value::kw("instant"), Value::Long(now)),
            ]);
            r.db_after = r.db_after.with_speculative(&db, entry);
            Ok(if op == "with" {
                report_value(&r)
            } else {
                db_handle(&r.db_after)
            })
        }
        "q" | "query-stats" | "explain" => {
            let mut query = a.value(0)?;
            let inputs = a.inputs(1)?;
            let (offset, limit) = (a.long(2)?, a.long(3)?);
            if offset.is_some() || limit.is_some() {
                let mut page = vec![(Value::kw("query"), query)];
                page.extend(offset.map(|n| (Value::kw("offset"), Value::Long(n))));
                page.extend(limit.map(|n| (Value::kw("limit"), Value::Long(n))));
                query = Value::map(page);
            }
            match op {
                "q" => crate::query::q(&query, &inputs),
                "query-stats" => crate::query::query_stats(&query, &inputs),
                _ => crate::query::explain(&query, &inputs).map(|s| Value::str(&s)),
            }
        }
        "pull" => crate::pull::pull(&a.db(0)?, &a.value(1)?, &a.value(2)?),
        "pull-many" => {
            let eids = a.seq(2, "entity ids")?;
            crate::pull::pull_many(&a.db(0)?, &a.value(1)?, &eids)
        }
        "entity" => {
            let db = a.db(0)?;
            match Entity::new(Arc::new(db), &a.value(1)?)? {
                Some(e) if a.given(2) => e.navigate(&a.value(2)?),
                Some(e) => e.touch(),
                None => Ok(Value::Nil),
            }
        }
        "datoms" | "seek-datoms" | "rseek-datoms" => {
            let db = a.db(0)?;
            let order = index_order(op, &a.value(1)?)?;
            let comps = a.seq(2, "components")?;
            let it = match op {
                "datoms" => db.datoms(order, &comps)?,
                "seek-datoms" => db.seek_datoms(order, &comps)?,
                _ => db.rseek_datoms(order, &comps)?,
            };
            datoms_value(it)
        }
        "index-range" => {
            let db = a.db(0)?;
            datoms_value(db.index_range(&a.value(1)?, &a.value(2)?, &a.value(3)?)?)
        }
        "history" => Ok(db_handle(&a.db(0)?.history()?)),
        "as-of" | "since" => {
            let db = a.db(0)?;
            let t = a.value(1)?;
            let view = if op == "as-of" {
                db.as_of(&t)?
            } else {
                db.since(&t)?
            };
            Ok(db_handle(&view))
        }
        "schema" => Ok(a.db(0)?.schema().to_value()),
        "reverse-schema" => Ok(a.db(0)?.schema().reverse_value()),
        "metrics" => crate::maint::metrics(&a.db(0)?),
        "gc-storage" => {
            let conn = a.conn(0)?;
            let before = match a.value(1)? {
                Value::Inst(ms) => Some(ms),
                Value::Nil => None,
                other => {
                    return Err(usage(format!(
                        "gc-storage: expected an instant, got {other}"
                    )));
                }
            };
            crate::maint::gc_storage(&conn, before)
        }
        "export-db" | "import-db" => {
            let path = a.path(1)?;
            match a.value(2)? {
                Value::Nil => {}
                f if f.as_keyword().is_some_and(|k| k.full() == "edn") => {}
                other => {
                    return Err(usage(format!(
                        "{op}: unknown format {other}, expected :edn"
                    )));
                }
            }
            if op == "export-db" {
                crate::maint::export_db(&a.db(0)?, &path)
            } else {
                crate::maint::import_db(&a.conn(0)?, &path)
            }
        }
        "load-entities" => {
            let datoms = a.seq(1, "[e a v tx added]")?;
            crate::maint::load_entities(&a.conn(0)?, &datoms)
        }
        other => Err(usage(format!(
            "{other} is in the API spec but not callable through api::call"
        ))),
    }
}
