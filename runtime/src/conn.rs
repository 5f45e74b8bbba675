//! Lifecycle and connections: `create-database`, `delete-database`,
//! `database-exists?`, `connect`, `release`, `transact`, `db`, listeners,
//! and the commit procedure.
//!
//! A commit is one atomic store transaction: the new index nodes, the schema
//! record (when it changed), the commit record (parent, index roots,
//! max-eid, max-tx, schema address, next free address, config) and the new
//! branch head, compare-and-set against the previous head. `transact`
//! returns after the store made it durable.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Weak};

use parking_lot::{Mutex, RwLock};
use xxhash_rust::xxh3::xxh3_64;

use crate::config::Config;
use crate::datom::{IndexOrder, TX0};
use crate::db::{Db, DbState, Indexes};
use crate::error::{Error, ErrorKind, Result};
use crate::schema::Schema;
use crate::store::{self, Addr, CommitBatch, HeadUpdate, Store, StoreConfig};
use crate::tree::{NodeStore, Tree};
use crate::tx::{self, TxReport};
use crate::value::Value;

/// Decoded index nodes kept in memory per database.
pub const NODE_CACHE: usize = 8_192;

const COMMIT_MAGIC: &[u8; 8] = b"CAIRNC01";
const SCHEMA_MAGIC: &[u8; 8] = b"CAIRNS01";
const FORMAT: &str = "cairn/1";

/// The current time in epoch milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn frame(magic: &[u8; 8], body: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 16);
    out.extend_from_slice(magic);
    out.extend_from_slice(&xxh3_64(body.as_bytes()).to_le_bytes());
    out.extend_from_slice(body.as_bytes());
    out
}

fn unframe(magic: &[u8; 8], bytes: &[u8], addr: Addr) -> Result<Value> {
    if bytes.len() < 16 || &bytes[..8] != magic {
        return Err(Error::storage(format!(
            "record {addr} is not a {} record",
            String::from_utf8_lossy(magic)
        )));
    }
    let sum = u64::from_le_bytes(bytes[8..16].try_into().unwrap_or_default());
    let body = &bytes[16..];
    if xxh3_64(body) != sum {
        return Err(Error::storage(format!(
            "record {addr} is corrupt (checksum mismatch)"
        )));
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| Error::storage(format!("record {addr} is corrupt (not UTF-8)")))?;
    crate::edn::read(text).map_err(|e| Error::storage(format!("record {addr} is corrupt: {e}")))
}

pub(crate) fn read_blob(store: &dyn Store, addr: Addr) -> Result<Vec<u8>> {
    store
        .get(addr)?
        .ok_or_else(|| Error::storage(format!("record {addr} is missing from the store")))
}

/// A commit record, as stored.
#[derive(Clone, Debug)]
pub(crate) struct CommitRecord {
    pub(crate) parents: Vec<Addr>,
    pub(crate) roots: Vec<(IndexOrder, Option<Addr>, u64)>,
    max_eid: i64,
    max_tx: i64,
    pub(crate) schema: Addr,
    next_addr: Addr,
    pub(crate) instant: i64,
    config: Value,
}

impl CommitRecord {
    fn to_bytes(&self) -> Vec<u8> {
        let kw = Value::kw;
        let roots = Value::map(self.roots.iter().map(|(o, a, n)| {
            (
                kw(o.name()),
                Value::vector(vec![
                    a.map(|a| Value::Long(a as i64)).unwrap_or(Value::Nil),
                    Value::Long(*n as i64),
                ]),
            )
        }));
        let v = Value::map([
            (kw("format"), Value::str(FORMAT)),
            (
                kw("parents"),
                Value::vector(
                    self.parents
                        .iter()
                        .map(|p| Value::Long(*p as i64))
                        .collect(),
                ),
            ),
            (kw("roots"), roots),
            (kw("max-eid"), Value::Long(self.max_eid)),
            (kw("max-tx"), Value::Long(self.max_tx)),
            (kw("schema"), Value::Long(self.schema as i64)),
            (kw("next-addr"), Value::Long(self.next_addr as i64)),
            (kw("instant"), Value::Inst(self.instant)),
            (kw("config"), self.config.clone()),
        ]);
        frame(COMMIT_MAGIC, &crate::edn::to_string(&v))
    }

    pub(crate) fn from_bytes(bytes: &[u8], addr: Addr) -> Result<CommitRecord> {
        let v = unframe(COMMIT_MAGIC, bytes, addr)?;
        let bad =
            |what: &str| Error::storage(format!("commit record {addr}: bad or missing {what}"));
        let long = |k: &str| v.get_kw(k).and_then(Value::as_long).ok_or_else(|| bad(k));
        if v.get_kw("format").and_then(Value::as_str) != Some(FORMAT) {
            return Err(Error::storage(format!(
                "commit record {addr} has format {}, this Cairn reads {FORMAT}",
                v.get_kw("format").cloned().unwrap_or(Value::Nil)
            )));
        }
        let roots_v = v.get_kw("roots").ok_or_else(|| bad("roots"))?;
        let mut roots = Vec::new();
        for o in IndexOrder::ALL {
            let r = roots_v
                .get_kw(o.name())
                .and_then(Value::as_seq)
                .ok_or_else(|| bad("roots"))?;
            let addr = match r.first() {
                Some(Value::Long(a)) => Some(*a as Addr),
                _ => None,
            };
            let n = r
                .get(1)
                .and_then(Value::as_long)
                .ok_or_else(|| bad("root count"))?;
            roots.push((o, addr, n as u64));
        }
        Ok(CommitRecord {
            parents: v
                .get_kw("parents")
                .and_then(Value::as_seq)
                .map(|ps| {
                    ps.iter()
                        .filter_map(Value::as_long)
                        .map(|p| p as Addr)
                        .collect()
                })
                .unwrap_or_default(),
            roots,
            max_eid: long("max-eid")?,
            max_tx: long("max-tx")?,
            schema: long("schema")? as Addr,
            next_addr: long("next-addr")? as Addr,
            instant: match v.get_kw("instant") {
                Some(Value::Inst(ms)) => *ms,
                _ => 0,
            },
            config: v.get_kw("config").cloned().unwrap_or(Value::Nil),
        })
    }
}

type Listener = Box<dyn Fn(&TxReport) + Send + Sync>;

/// Shared state of every connection handle to one database branch.
struct ConnInner {
    key: (StoreConfig, String),
    config: Arc<Config>,
    store: Arc<dyn Store>,
    ns: Arc<NodeStore>,
    current: RwLock<Db>,
    writer: Mutex<WriterState>,
    released: AtomicBool,
    refs: AtomicUsize,
    listeners: Mutex<Vec<(u64, Arc<Listener>)>>,
    next_listener: AtomicU64,
    /// Values of earlier commits loaded by [`Connection::db_at_commit`]
    /// (database handles re-open them on every call).
    commits: quick_cache::sync::Cache<Addr, Db>,
}

/// How many earlier commits' values a connection keeps loaded.
const COMMIT_CACHE: usize = 32;

struct WriterState {
    next_addr: Addr,
    schema_addr: Addr,
    schema_hash: u64,
    /// The schema value last written (skips re-encoding an unchanged one).
    schema: Schema,
}

impl std::fmt::Debug for ConnInner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("store", &self.key.0)
            .field("branch", &self.key.1)
            .finish()
    }
}

type ConnKey = (StoreConfig, String);

static CONNECTIONS: LazyLock<Mutex<HashMap<ConnKey, Weak<ConnInner>>>> =
    LazyLock::new(Default::default);

/// Connections kept open for handle-based callers ([`Connection::hold`]).
static HELD: LazyLock<Mutex<HashMap<ConnKey, Connection>>> = LazyLock::new(Default::default);

/// A connection to a database branch: the single writer of this process
/// for it, and the holder of its latest committed value.
#[derive(Clone, Debug)]
pub struct Connection {
    inner: Arc<ConnInner>,
}

fn encode_schema(schema: &Schema) -> (String, u64) {
    let text = crate::edn::to_string(&schema.to_storage());
    let h = xxh3_64(text.as_bytes());
    (text, h)
}

/// Does a database exist for `config`?
pub fn database_exists(config: &Config) -> Result<bool> {
    if !store::exists(&config.store)? {
        return Ok(false);
    }
    let s = store::open(&config.store, false)?;
    Ok(s.head(&config.branch)?.is_some())
}

/// Creates a database (and transacts `:initial-tx`). Fails if it exists.
pub fn create_database(config: &Config) -> Result<()> {
    if database_exists(config)? {
        return Err(Error::conflict(format!(
            "Database already exists: {}",
            describe(&config.store)
        )));
    }
    let s = store::open(&config.store, true)?;
    s.meta_put("format", FORMAT.as_bytes())?;
    s.meta_put(
        "config",
        crate::edn::to_string(&config.to_value()).as_bytes(),
    )?;
    let ns = NodeStore::new(s.clone(), NODE_CACHE);
    let schema = Schema::default();
    let (text, _) = encode_schema(&schema);
    let schema_addr: Addr = 1;
    let rec = CommitRecord {
        parents: vec![],
        roots: IndexOrder::ALL.iter().map(|o| (*o, None, 0)).collect(),
        max_eid: 0,
        max_tx: TX0,
        schema: schema_addr,
        next_addr: 3,
        instant: now_ms(),
        config: config.to_value(),
    };
    s.commit(CommitBatch {
        puts: vec![
            (schema_addr, frame(SCHEMA_MAGIC, &text)),
            (2, rec.to_bytes()),
        ],
        deletes: vec![],
        head: Some(HeadUpdate {
            branch: config.branch.clone(),
            expected: None,
            new: 2,
        }),
    })?;
    drop(ns);
    if let Some(tx) = &config.initial_tx {
        let conn = connect(config)?;
        let r = conn.transact(tx, None);
        conn.release();
        r?;
    }
    Ok(())
}

/// Deletes a database: releases every connection to it and removes its store.
pub fn delete_database(config: &Config) -> Result<()> {
    {
        let mut conns = CONNECTIONS.lock();
        let keys: Vec<_> = conns
            .keys()
            .filter(|k| k.0 == config.store)
            .cloned()
            .collect();
        let mut held = Vec::new();
        for k in keys {
            held.extend(HELD.lock().remove(&k));
            if let Some(c) = conns.remove(&k).and_then(|w| w.upgrade()) {
                c.released.store(true, Ordering::SeqCst);
                c.ns.clear_cache();
            }
        }
    }
    store::delete(&config.store)
}

/// The live connection of `config` without counting a new user of it (as
/// [`connect`] does), or a new one when none is live: for re-opening a
/// connection handle, whose user was counted when it connected.
pub(crate) fn attach(config: &Config) -> Result<Connection> {
    open_connection(config, false)
}

fn describe(s: &StoreConfig) -> String {
    match s {
        StoreConfig::Redb { path } => format!("redb file {}", path.display()),
        StoreConfig::Memory { id } => format!("memory store {id:?}"),
    }
}

/// Connects to an existing database. Connections to the same store and
/// branch within a process share one writer and one cache.
pub fn connect(config: &Config) -> Result<Connection> {
    open_connection(config, true)
}

/// The live connection of `config` (counting a new user of it when
/// `count_user`), or a newly opened one (its first user).
fn open_connection(config: &Config, count_user: bool) -> Result<Connection> {
    let key = (config.store.clone(), config.branch.clone());
    let mut conns = CONNECTIONS.lock();
    if let Some(inner) = conns.get(&key).and_then(Weak::upgrade) {
        if !inner.released.load(Ordering::SeqCst) {
            check_config(&inner.config, config)?;
            if count_user {
                inner.refs.fetch_add(1, Ordering::SeqCst);
            }
            return Ok(Connection { inner });
        }
    }
    let not_found = || {
        Error::not_found(format!(
            "Database does not exist: {}",
            describe(&config.store)
        ))
    };
    if !store::exists(&config.store)? {
        return Err(not_found());
    }
    let s = store::open(&config.store, false).map_err(|e| {
        if e.kind == ErrorKind::NotFound {
            not_found()
        } else {
            e
        }
    })?;
    let head = s.head(&config.branch)?.ok_or_else(not_found)?;
    let ns = NodeStore::new(s.clone(), NODE_CACHE);
    let (db, rec) = load_commit(&ns, head, None)?;
    check_config(db.config(), config)?;
    let (_, schema_hash) = encode_schema(db.schema());
    let schema = db.schema().clone();
    let inner = Arc::new(ConnInner {
        key: key.clone(),
        config: db.state().config.clone(),
        store: s,
        ns,
        current: RwLock::new(db),
        writer: Mutex::new(WriterState {
            next_addr: rec.next_addr,
            schema_addr: rec.schema,
            schema_hash,
            schema,
        }),
        released: AtomicBool::new(false),
        commits: quick_cache::sync::Cache::new(COMMIT_CACHE),
        refs: AtomicUsize::new(1),
        listeners: Mutex::new(Vec::new()),
        next_listener: AtomicU64::new(1),
    });
    conns.insert(key, Arc::downgrade(&inner));
    Ok(Connection { inner })
}

fn check_config(stored: &Config, given: &Config) -> Result<()> {
    let mut diffs = Vec::new();
    if stored.schema_write != given.schema_write {
        diffs.push(":schema-flexibility");
    }
    if stored.keep_history != given.keep_history {
        diffs.push(":keep-history?");
    }
    if stored.attribute_refs != given.attribute_refs {
        diffs.push(":attribute-refs?");
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Conflict,
            format!(
                "Configuration does not match stored configuration: {} differ (stored {})",
                diffs.join(", "),
                stored.to_value()
            ),
        ))
    }
}

/// Loads the database value of commit `addr`.
fn load_commit(
    ns: &Arc<NodeStore>,
    addr: Addr,
    config: Option<Arc<Config>>,
) -> Result<(Db, CommitRecord)> {
    let s = ns.store().clone();
    let rec = CommitRecord::from_bytes(&read_blob(&*s, addr)?, addr)?;
    let schema_v = unframe(SCHEMA_MAGIC, &read_blob(&*s, rec.schema)?, rec.schema)?;
    let schema = Schema::from_storage(&schema_v)?;
    let config = match config {
        Some(c) => c,
        None => {
            let mut c = Config::from_value_env(&rec.config, &|_| None)?;
            // The stored config names the store as it was created; keep it.
            c.initial_tx = None;
            Arc::new(c)
        }
    };
    let mut indexes = Indexes::empty();
    for (o, root, n) in &rec.roots {
        *indexes.tree_mut(*o) = Tree::open(*o, *root, *n);
    }
    let st = DbState {
        ns: ns.clone(),
        config,
        indexes,
        schema,
        max_eid: rec.max_eid,
        max_tx: rec.max_tx,
        commit: Some(addr),
        speculative: None,
    };
    Ok((Db::new(st), rec))
}

impl Connection {
    fn check_live(&self) -> Result<()> {
        if self.inner.released.load(Ordering::SeqCst) {
            Err(Error::other("Connection has been released."))
        } else {
            Ok(())
        }
    }

    /// The latest committed database value.
    pub fn db(&self) -> Result<Db> {
        self.check_live()?;
        Ok(self.inner.current.read().clone())
    }

    /// The configuration the database was created with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The store this connection writes to.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    /// The branch this connection writes to.
    pub fn branch(&self) -> &str {
        &self.inner.key.1
    }

    /// Transacts `tx_data` (a vector of tx items, or a map
    /// `{:tx-data [...] :tx-meta {...}}`) and commits it durably.
    pub fn transact(&self, tx_data: &Value, tx_meta: Option<&Value>) -> Result<TxReport> {
        self.check_live()?;
        let (data, meta) = match tx_data {
            Value::Map(m) => {
                let d = m.get(&Value::kw("tx-data")).ok_or_else(|| {
                    Error::syntax("Bad argument to transact, map missing key :tx-data.")
                })?;
                (
                    d.clone(),
                    m.get(&Value::kw("tx-meta"))
                        .cloned()
                        .or_else(|| tx_meta.cloned()),
                )
            }
            Value::Vector(_) | Value::List(_) | Value::Nil => (tx_data.clone(), tx_meta.cloned()),
            other => {
                return Err(Error::syntax(format!(
                    "Bad argument to transact: {other}, expected map, vector or sequence."
                )));
            }
        };
        self.transact_with(|before| tx::transact(before, &data, meta.as_ref(), now_ms()))
    }

    /// Runs `f` on the current value under the writer lock, commits the
    /// `db_after` of the report it returns (child of the current commit)
    /// and notifies listeners. For maintenance operations (import,
    /// load-entities) that prepare the value they transact on.
    pub(crate) fn transact_with(
        &self,
        f: impl FnOnce(&Db) -> Result<TxReport>,
    ) -> Result<TxReport> {
        let mut w = self.inner.writer.lock();
        self.check_live()?;
        let before = self.inner.current.read().clone();
        let mut report = f(&before)?;
        let committed = self.commit(&mut w, &report.db_after, before.commit())?;
        *self.inner.current.write() = committed.clone();
        report.db_after = committed;
        drop(w);
        let listeners: Vec<Arc<Listener>> = self
            .inner
            .listeners
            .lock()
            .iter()
            .map(|(_, l)| l.clone())
            .collect();
        for l in listeners {
            l(&report);
        }
        Ok(report)
    }

    fn commit(&self, w: &mut WriterState, db: &Db, parent: Option<Addr>) -> Result<Db> {
        let mut st = db.state().clone();
        let mut next = w.next_addr;
        let mut alloc = || {
            let a = next;
            next += 1;
            a
        };
        let mut puts = Vec::new();
        for o in IndexOrder::ALL {
            st.indexes
                .tree_mut(o)
                .flush(&self.inner.ns, &mut alloc, &mut puts)?;
        }
        let (schema_addr, h) = if st.schema.same(&w.schema) {
            (w.schema_addr, w.schema_hash)
        } else {
            let (text, h) = encode_schema(&st.schema);
            if h == w.schema_hash {
                (w.schema_addr, h)
            } else {
                let a = alloc();
                puts.push((a, frame(SCHEMA_MAGIC, &text)));
                (a, h)
            }
        };
        let rec_addr = alloc();
        let rec = CommitRecord {
            parents: parent.into_iter().collect(),
            roots: IndexOrder::ALL
                .iter()
                .map(|o| {
                    let t = st.indexes.tree(*o);
                    (*o, t.root_addr(), t.len())
                })
                .collect(),
            max_eid: st.max_eid,
            max_tx: st.max_tx,
            schema: schema_addr,
            next_addr: next,
            instant: now_ms(),
            config: self.inner.config.to_value(),
        };
        puts.push((rec_addr, rec.to_bytes()));
        // Addresses handed out are never reused, even if the commit fails.
        w.next_addr = next;
        self.inner.store.commit(CommitBatch {
            puts,
            deletes: vec![],
            head: Some(HeadUpdate {
                branch: self.inner.key.1.clone(),
                expected: parent,
                new: rec_addr,
            }),
        })?;
        w.schema_addr = schema_addr;
        w.schema_hash = h;
        w.schema = st.schema.clone();
        st.commit = Some(rec_addr);
        st.speculative = None;
        Ok(Db::new(st))
    }

    /// Applies tx data to the current value without committing (`d/with`).
    pub fn with(&self, tx_data: &Value, tx_meta: Option<&Value>) -> Result<TxReport> {
        let db = self.db()?;
        tx::transact(&db, tx_data, tx_meta, now_ms())
    }

    /// Registers a listener called with every report of a successful
    /// `transact` through this connection; returns its key.
    pub fn listen(&self, f: impl Fn(&TxReport) + Send + Sync + 'static) -> u64 {
        let key = self.inner.next_listener.fetch_add(1, Ordering::SeqCst);
        self.inner
            .listeners
            .lock()
            .push((key, Arc::new(Box::new(f))));
        key
    }

    /// Removes a listener; true if it was registered.
    pub fn unlisten(&self, key: u64) -> bool {
        let mut l = self.inner.listeners.lock();
        let n = l.len();
        l.retain(|(k, _)| *k != key);
        l.len() != n
    }

    /// Releases this handle. When the last handle to a database is
    /// released, its writer and cache are dropped; using a released
    /// connection is an error.
    pub fn release(&self) {
        if self.inner.refs.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.inner.released.store(true, Ordering::SeqCst);
            CONNECTIONS.lock().remove(&self.inner.key);
            let held = HELD.lock().remove(&self.inner.key);
            drop(held);
        }
    }

    /// Keeps the connection open, with its writer and node cache, until
    /// it is released, even while no `Connection` value exists: what the
    /// `connect` op does for callers that hold handles instead (the C ABI,
    /// HTTP and the bindings), so their calls do not re-open the store.
    pub fn hold(&self) {
        HELD.lock()
            .entry(self.inner.key.clone())
            .or_insert_with(|| self.clone());
    }

    /// Runs `f` holding the writer lock (no commit of this connection can
    /// interleave), with the connection's node store (for GC).
    pub(crate) fn with_writer<R>(&self, f: impl FnOnce(&Arc<NodeStore>) -> Result<R>) -> Result<R> {
        let _w = self.inner.writer.lock();
        self.check_live()?;
        let r = f(&self.inner.ns);
        // What `f` did (a collection) may have dropped loaded commits.
        self.inner.commits.clear();
        r
    }

    /// The database value of an earlier commit of this connection's store.
    pub fn db_at_commit(&self, addr: Addr) -> Result<Db> {
        self.check_live()?;
        if let Some(db) = self.inner.commits.get(&addr) {
            return Ok(db);
        }
        let db = load_commit(&self.inner.ns, addr, Some(self.inner.config.clone()))?.0;
        self.inner.commits.insert(addr, db.clone());
        Ok(db)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    fn live(key: &ConnKey) -> bool {
        CONNECTIONS
            .lock()
            .get(key)
            .and_then(Weak::upgrade)
            .is_some()
    }

    #[test]
    fn the_connect_op_holds_its_connection_until_release() {
        let config = Config::memory("conn-held");
        let key = (config.store.clone(), config.branch.clone());
        let cfg = config.to_value();
        crate::api::dispatch("create-database", &Value::vector(vec![cfg.clone()])).expect("create");
        let handle =
            crate::api::dispatch("connect", &Value::vector(vec![cfg.clone()])).expect("connect");
        // No `Connection` value is left, yet the connection stays open.
        assert!(live(&key));
        // Calls with the handle re-attach without counting new users.
        for _ in 0..5 {
            crate::api::dispatch("db", &Value::vector(vec![handle.clone()])).expect("db");
        }
        assert!(live(&key));
        crate::api::dispatch("release", &Value::vector(vec![handle.clone()])).expect("release");
        assert!(!live(&key), "one release ends one connect");
        assert!(!HELD.lock().contains_key(&key));
        // Two connects need two releases.
        for _ in 0..2 {
            crate::api::dispatch("connect", &Value::vector(vec![cfg.clone()])).expect("connect");
        }
        crate::api::dispatch("release", &Value::vector(vec![handle.clone()])).expect("release");
        assert!(live(&key));
        crate::api::dispatch("release", &Value::vector(vec![handle])).expect("release");
        assert!(!live(&key));
        crate::api::dispatch("delete-database", &Value::vector(vec![cfg])).expect("delete");
    }
}
