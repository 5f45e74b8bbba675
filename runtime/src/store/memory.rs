//! The in-memory store.

use std::collections::{BTreeMap, HashMap};

use parking_lot::RwLock;

use super::{Addr, CommitBatch, Store};
use crate::error::{Error, Result};

/// A process-local store: maps behind a read-write lock.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: RwLock<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    blobs: HashMap<Addr, Vec<u8>>,
    heads: BTreeMap<String, Addr>,
    meta: BTreeMap<String, Vec<u8>>,
}

impl MemoryStore {
    /// An empty memory store (not registered; see [`super::open`]).
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }
}

impl Store for MemoryStore {
    fn get(&self, addr: Addr) -> Result<Option<Vec<u8>>> {
        Ok(self.inner.read().blobs.get(&addr).cloned())
    }

    fn commit(&self, batch: CommitBatch) -> Result<()> {
        let mut w = self.inner.write();
        if let Some(h) = &batch.head {
            let cur = w.heads.get(&h.branch).copied();
            if cur != h.expected {
                return Err(Error::conflict(format!(
                    "head of branch {:?} is {cur:?}, expected {:?}",
                    h.branch, h.expected
                )));
            }
        }
        for (a, b) in batch.puts {
            w.blobs.insert(a, b);
        }
        for a in batch.deletes {
            w.blobs.remove(&a);
        }
        if let Some(h) = batch.head {
            w.heads.insert(h.branch, h.new);
        }
        Ok(())
    }

    fn head(&self, branch: &str) -> Result<Option<Addr>> {
        Ok(self.inner.read().heads.get(branch).copied())
    }

    fn branches(&self) -> Result<Vec<(String, Addr)>> {
        Ok(self
            .inner
            .read()
            .heads
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect())
    }

    fn delete_branch(&self, branch: &str) -> Result<()> {
        self.inner.write().heads.remove(branch);
        Ok(())
    }

    fn addresses(&self) -> Result<Vec<Addr>> {
        let mut v: Vec<Addr> = self.inner.read().blobs.keys().copied().collect();
        v.sort_unstable();
        Ok(v)
    }

    fn size_bytes(&self) -> Result<u64> {
        let r = self.inner.read();
        let blobs: usize = r.blobs.values().map(|b| b.len() + 8).sum();
        let heads: usize = r.heads.keys().map(|k| k.len() + 8).sum();
        let meta: usize = r.meta.iter().map(|(k, v)| k.len() + v.len()).sum();
        Ok((blobs + heads + meta) as u64)
    }

    fn meta_get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.inner.read().meta.get(key).cloned())
    }

    fn meta_put(&self, key: &str, value: &[u8]) -> Result<()> {
        self.inner
            .write()
            .meta
            .insert(key.to_string(), value.to_vec());
        Ok(())
    }
}
