//! Pluggable blob storage: content lives under numeric addresses, plus named
//! branch heads and small metadata records.
//!
//! Two backends exist: [`MemoryStore`] (process-local, kept by id until
//! [`delete`]) and [`RedbStore`] (one redb file). [`open`] keeps a
//! process-wide registry so that one redb file is opened only once per
//! process (redb refuses a second open) and memory stores survive between
//! `open` calls.
//!
//! Blobs are returned as owned `Vec<u8>` copies by [`Store::get`].

mod memory;
mod redb_store;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Weak};

use parking_lot::Mutex;

use crate::error::{Error, Result};

pub use memory::MemoryStore;
pub use redb_store::RedbStore;

/// The address of a stored blob (a tree node, a root record, ...).
pub type Addr = u64;

/// An atomic write: puts, deletes and an optional head compare-and-set,
/// applied all together or not at all.
#[derive(Clone, Debug, Default)]
pub struct CommitBatch {
    /// Blobs to write (overwriting any blob at the same address).
    pub puts: Vec<(Addr, Vec<u8>)>,
    /// Blobs to delete (missing addresses are ignored).
    pub deletes: Vec<Addr>,
    /// Optional compare-and-set of a branch head.
    pub head: Option<HeadUpdate>,
}

/// A compare-and-set of a branch head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeadUpdate {
    /// The branch name (e.g. `"db"`).
    pub branch: String,
    /// The head the caller expects (`None`: the branch must not exist yet).
    pub expected: Option<Addr>,
    /// The new head.
    pub new: Addr,
}

/// A blob store. Implementations are thread-safe; every method is atomic.
pub trait Store: Send + Sync + std::fmt::Debug {
    /// The blob at `addr` (an owned copy), or `None` if absent.
    fn get(&self, addr: Addr) -> Result<Option<Vec<u8>>>;
    /// Applies `batch` atomically and durably (redb: `Durability::Immediate`)
    /// before returning. A head whose current value differs from
    /// `expected` gives an error of kind `Conflict` and writes nothing.
    fn commit(&self, batch: CommitBatch) -> Result<()>;
    /// The head of `branch`, if the branch exists.
    fn head(&self, branch: &str) -> Result<Option<Addr>>;
    /// Every branch and its head, sorted by name.
    fn branches(&self) -> Result<Vec<(String, Addr)>>;
    /// Removes a branch head (no error if absent). Blobs are untouched.
    fn delete_branch(&self, branch: &str) -> Result<()>;
    /// Every stored blob address, ascending (for garbage collection).
    fn addresses(&self) -> Result<Vec<Addr>>;
    /// Bytes used: the file size for redb, the sum of blob and record sizes
    /// for memory.
    fn size_bytes(&self) -> Result<u64>;
    /// A small named record (format version, configuration).
    fn meta_get(&self, key: &str) -> Result<Option<Vec<u8>>>;
    /// Writes a small named record durably.
    fn meta_put(&self, key: &str, value: &[u8]) -> Result<()>;
}

/// Where a store lives.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StoreConfig {
    /// A process-local memory store, named by `id`.
    Memory {
        /// The store's name within the process.
        id: String,
    },
    /// A redb database file.
    Redb {
        /// Path of the file.
        path: PathBuf,
    },
}

static MEMORY: LazyLock<Mutex<HashMap<String, Arc<MemoryStore>>>> = LazyLock::new(Default::default);
static REDB: LazyLock<Mutex<HashMap<PathBuf, Weak<RedbStore>>>> = LazyLock::new(Default::default);

/// A path made absolute and canonical as far as it exists (the file itself
/// may be missing), used as the registry key.
fn canonical(path: &Path) -> Result<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Ok(p);
    }
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| Error::storage(format!("cannot resolve {}: {e}", path.display())))?
            .join(path)
    };
    match (abs.parent(), abs.file_name()) {
        (Some(parent), Some(name)) => match parent.canonicalize() {
            Ok(p) => Ok(p.join(name)),
            Err(_) => Ok(abs.clone()),
        },
        _ => Ok(abs),
    }
}

/// Opens (or with `create`, creates) a store. The same redb file opened
/// twice in one process yields the same store while a handle is alive; a
/// memory store with the same id is the same store until [`delete`].
///
/// `create = false` on a missing store (for redb: a missing or empty file)
/// gives an error of kind `NotFound`; `create = true` on an existing store
/// opens it (creating parent directories for a new redb file). A file that
/// is not a readable redb database gives an error of kind `Storage`.
pub fn open(cfg: &StoreConfig, create: bool) -> Result<Arc<dyn Store>> {
    match cfg {
        StoreConfig::Memory { id } => {
            let mut map = MEMORY.lock();
            if let Some(s) = map.get(id) {
                return Ok(s.clone());
            }
            if !create {
                return Err(Error::not_found(format!("no memory store {id:?}")));
            }
            let s = Arc::new(MemoryStore::new());
            map.insert(id.clone(), s.clone());
            Ok(s)
        }
        StoreConfig::Redb { path } => {
            let key = canonical(path)?;
            let mut map = REDB.lock();
            if let Some(s) = map.get(&key).and_then(Weak::upgrade) {
                return Ok(s);
            }
            let s = Arc::new(RedbStore::open_file(&key, create)?);
            map.retain(|_, w| w.strong_count() > 0);
            map.insert(key, Arc::downgrade(&s));
            Ok(s)
        }
    }
}

/// Does the store exist and hold the meta record `"format"`? (The caller
/// writes that record when it creates a database, so a store that was
/// created but never initialised does not count.)
pub fn exists(cfg: &StoreConfig) -> Result<bool> {
    match cfg {
        StoreConfig::Memory { id } => {
            let s = MEMORY.lock().get(id).cloned();
            match s {
                Some(s) => Ok(s.meta_get("format")?.is_some()),
                None => Ok(false),
            }
        }
        StoreConfig::Redb { path } => {
            if !std::fs::metadata(path)
                .map(|m| m.len() > 0)
                .unwrap_or(false)
            {
                return Ok(false);
            }
            let s = open(cfg, false)?;
            Ok(s.meta_get("format")?.is_some())
        }
    }
}

/// Removes a store: the memory store's registry entry, or the redb file
/// (after dropping the registry entry). Deleting a missing store is not an
/// error. A redb store still open elsewhere in this process keeps working on
/// the unlinked file until its last handle drops.
pub fn delete(cfg: &StoreConfig) -> Result<()> {
    match cfg {
        StoreConfig::Memory { id } => {
            MEMORY.lock().remove(id);
            Ok(())
        }
        StoreConfig::Redb { path } => {
            let key = canonical(path)?;
            REDB.lock().remove(&key);
            match std::fs::remove_file(path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(Error::storage(format!(
                    "cannot delete {}: {e}",
                    path.display()
                ))),
            }
        }
    }
}

#[cfg(test)]
mod tests;
