//! The redb-backed store: one file with three tables.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use redb::{
    Database, Durability, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction,
};

use super::{Addr, CommitBatch, Store};
use crate::error::{Error, Result};

const BLOBS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("blobs");
const HEADS: TableDefinition<'_, &str, u64> = TableDefinition::new("heads");
const META: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("meta");

/// A store in one redb file: tables `blobs` (u64 → bytes), `heads`
/// (name → u64) and `meta` (name → bytes). Every commit is durable
/// (`Durability::Immediate`).
pub struct RedbStore {
    db: Database,
    path: PathBuf,
}

impl fmt::Debug for RedbStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedbStore")
            .field("path", &self.path)
            .finish()
    }
}

/// Converts any redb error into a storage error naming the file.
fn err(path: &Path, e: impl fmt::Display) -> Error {
    Error::storage(format!("redb {}: {e}", path.display()))
}

/// Runs `f`, turning a panic inside redb (possible on a file corrupted
/// outside redb) into a storage error.
fn guard<T>(path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".to_string());
            Err(err(path, format!("corrupt or unreadable database: {msg}")))
        }
    }
}

impl RedbStore {
    /// Opens the file at `path` (which should be canonical; see
    /// [`super::open`], which also keeps the one-open-per-process registry).
    /// A missing file with `create = false` is a `NotFound` error.
    pub fn open_file(path: &Path, create: bool) -> Result<RedbStore> {
        guard(path, || {
            // An empty file (e.g. a fresh temp file) counts as missing.
            let present = std::fs::metadata(path)
                .map(|m| m.len() > 0)
                .unwrap_or(false);
            let db = if present {
                Database::open(path).map_err(|e| err(path, e))?
            } else {
                if !create {
                    return Err(Error::not_found(format!(
                        "no database file {}",
                        path.display()
                    )));
                }
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| err(path, e))?;
                }
                Database::create(path).map_err(|e| err(path, e))?
            };
            let s = RedbStore {
                db,
                path: path.to_path_buf(),
            };
            // Make sure the tables exist so that readers never miss them.
            let tx = s.begin()?;
            tx.open_table(BLOBS).map_err(|e| err(path, e))?;
            tx.open_table(HEADS).map_err(|e| err(path, e))?;
            tx.open_table(META).map_err(|e| err(path, e))?;
            tx.commit().map_err(|e| err(path, e))?;
            Ok(s)
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn begin(&self) -> Result<WriteTransaction> {
        let mut tx = self.db.begin_write().map_err(|e| self.err(e))?;
        tx.set_durability(Durability::Immediate)
            .map_err(|e| self.err(e))?;
        Ok(tx)
    }

    fn err(&self, e: impl fmt::Display) -> Error {
        err(&self.path, e)
    }

    fn guard<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        guard(&self.path, f)
    }
}

impl Store for RedbStore {
    fn get(&self, addr: Addr) -> Result<Option<Vec<u8>>> {
        self.guard(|| {
            let tx = self.db.begin_read().map_err(|e| self.err(e))?;
            let t = tx.open_table(BLOBS).map_err(|e| self.err(e))?;
            let v = t.get(addr).map_err(|e| self.err(e))?;
            Ok(v.map(|g| g.value().to_vec()))
        })
    }

    fn commit(&self, batch: CommitBatch) -> Result<()> {
        self.guard(|| {
            let tx = self.begin()?;
            if let Some(h) = &batch.head {
                let mut heads = tx.open_table(HEADS).map_err(|e| self.err(e))?;
                let cur = heads
                    .get(h.branch.as_str())
                    .map_err(|e| self.err(e))?
                    .map(|g| g.value());
                if cur != h.expected {
                    drop(heads);
                    tx.abort().map_err(|e| self.err(e))?;
                    return Err(Error::conflict(format!(
                        "head of branch {:?} is {cur:?}, expected {:?}",
                        h.branch, h.expected
                    )));
                }
                heads
                    .insert(h.branch.as_str(), h.new)
                    .map_err(|e| self.err(e))?;
            }
            {
                let mut blobs = tx.open_table(BLOBS).map_err(|e| self.err(e))?;
                for (a, b) in &batch.puts {
                    blobs.insert(*a, b.as_slice()).map_err(|e| self.err(e))?;
                }
                for a in &batch.deletes {
                    blobs.remove(*a).map_err(|e| self.err(e))?;
                }
            }
            tx.commit().map_err(|e| self.err(e))
        })
    }

    fn head(&self, branch: &str) -> Result<Option<Addr>> {
        self.guard(|| {
            let tx = self.db.begin_read().map_err(|e| self.err(e))?;
            let t = tx.open_table(HEADS).map_err(|e| self.err(e))?;
            let v = t.get(branch).map_err(|e| self.err(e))?;
            Ok(v.map(|g| g.value()))
        })
    }

    fn branches(&self) -> Result<Vec<(String, Addr)>> {
        self.guard(|| {
            let tx = self.db.begin_read().map_err(|e| self.err(e))?;
            let t = tx.open_table(HEADS).map_err(|e| self.err(e))?;
            let mut out = Vec::new();
            for r in t.iter().map_err(|e| self.err(e))? {
                let (k, v) = r.map_err(|e| self.err(e))?;
                out.push((k.value().to_string(), v.value()));
            }
            Ok(out)
        })
    }

    fn delete_branch(&self, branch: &str) -> Result<()> {
        self.guard(|| {
            let tx = self.begin()?;
            {
                let mut t = tx.open_table(HEADS).map_err(|e| self.err(e))?;
                t.remove(branch).map_err(|e| self.err(e))?;
            }
            tx.commit().map_err(|e| self.err(e))
        })
    }

    fn addresses(&self) -> Result<Vec<Addr>> {
        self.guard(|| {
            let tx = self.db.begin_read().map_err(|e| self.err(e))?;
            let t = tx.open_table(BLOBS).map_err(|e| self.err(e))?;
            let mut out = Vec::new();
            for r in t.iter().map_err(|e| self.err(e))? {
                let (k, _) = r.map_err(|e| self.err(e))?;
                out.push(k.value());
            }
            Ok(out)
        })
    }

    fn size_bytes(&self) -> Result<u64> {
        std::fs::metadata(&self.path)
            .map(|m| m.len())
            .map_err(|e| self.err(e))
    }

    fn meta_get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        self.guard(|| {
            let tx = self.db.begin_read().map_err(|e| self.err(e))?;
            let t = tx.open_table(META).map_err(|e| self.err(e))?;
            let v = t.get(key).map_err(|e| self.err(e))?;
            Ok(v.map(|g| g.value().to_vec()))
        })
    }

    fn meta_put(&self, key: &str, value: &[u8]) -> Result<()> {
        self.guard(|| {
            let tx = self.begin()?;
            {
                let mut t = tx.open_table(META).map_err(|e| self.err(e))?;
                t.insert(key, value).map_err(|e| self.err(e))?;
            }
            tx.commit().map_err(|e| self.err(e))
        })
    }
}
