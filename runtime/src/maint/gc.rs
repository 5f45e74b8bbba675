//! `gc-storage`: mark and sweep of the store's blobs.

use std::collections::HashSet;

use crate::conn::{CommitRecord, Connection, read_blob};
use crate::error::{Error, Result};
use crate::store::{Addr, CommitBatch};
use crate::tree::Tree;
use crate::value::Value;

/// Deletes every stored blob that no kept commit reaches.
///
/// Marks as reachable, for every branch head, the head commit and, walking
/// parent links, each older commit while its instant is at or after
/// `remove_before` (epoch milliseconds; `None` keeps every commit): the
/// commit record, its schema record and every node reachable from its six
/// index roots. Every other stored address is deleted in one store commit
/// (deletes only, no head change) and evicted from the node cache. Runs
/// under the connection's writer lock, so no commit of this connection
/// interleaves; a branch head moved by someone else meanwhile is an error of
/// kind `conflict` and deletes nothing.
///
/// What a head reaches is never deleted, and old as-of views stay readable
/// through the head's temporal indexes. A database value loaded from a
/// dropped commit fails afterwards with a `storage` error.
///
/// Only this connection's writer is locked: run it while no other
/// connection (another branch of the same store, another process) is in
/// the middle of a commit, as its not yet published nodes would be deleted.
///
/// Returns `{:deleted n :kept n}` (numbers of stored blobs).
pub fn gc_storage(conn: &Connection, remove_before: Option<i64>) -> Result<Value> {
    conn.with_writer(|ns| {
        let store = ns.store().clone();
        let heads = store.branches()?;
        let mut keep: HashSet<Addr> = HashSet::new();
        let mut seen: HashSet<Addr> = HashSet::new();
        let mut stack: Vec<(Addr, bool)> = heads.iter().map(|(_, a)| (*a, true)).collect();
        let mut nodes = Vec::new();
        while let Some((addr, is_head)) = stack.pop() {
            if !seen.insert(addr) {
                continue;
            }
            let bytes = match store.get(addr)? {
                Some(b) => b,
                // A parent dropped by an earlier collection.
                None if !is_head => continue,
                None => read_blob(&*store, addr)?,
            };
            let rec = CommitRecord::from_bytes(&bytes, addr)?;
            if !is_head && remove_before.is_some_and(|rb| rec.instant < rb) {
                continue;
            }
            keep.insert(addr);
            keep.insert(rec.schema);
            for (o, root, n) in &rec.roots {
                nodes.clear();
                Tree::open(*o, *root, *n).reachable(ns, &mut nodes)?;
                keep.extend(nodes.iter().copied());
            }
            stack.extend(rec.parents.iter().map(|p| (*p, false)));
        }
        let all = store.addresses()?;
        let deletes: Vec<Addr> = all.into_iter().filter(|a| !keep.contains(a)).collect();
        if store.branches()? != heads {
            return Err(Error::conflict(
                "gc-storage: a branch head moved during collection; nothing deleted",
            ));
        }
        let deleted = deletes.len();
        if !deletes.is_empty() {
            store.commit(CommitBatch {
                puts: vec![],
                deletes: deletes.clone(),
                head: None,
            })?;
            ns.evict(&deletes);
        }
        let kept = store.addresses()?.len();
        Ok(Value::map([
            (Value::kw("deleted"), Value::Long(deleted as i64)),
            (Value::kw("kept"), Value::Long(kept as i64)),
        ]))
    })
}
