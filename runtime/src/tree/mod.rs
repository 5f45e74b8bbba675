//! An immutable, structurally shared, persistent B+ tree of datoms whose
//! nodes live in a [`Store`].
//!
//! A [`Tree`] is a small handle (an order, a root and a count); cloning it
//! is cheap and yields an independent persistent version. Mutations copy
//! the nodes on their path (`Arc::make_mut`), so nodes created by the
//! current version are changed in place (batched inserts within one
//! transaction are fast) while any other clone never sees a change.
//!
//! Nodes are leaves (sorted datoms) or branches (the max key, the child and
//! the subtree count per child). A child is either stored (an address, read
//! through the [`NodeStore`] cache) or in memory (dirty, not yet flushed).
//! [`Tree::flush`] encodes the dirty nodes bottom-up (see [`codec`]) and
//! hands them to the caller to commit.

pub mod codec;
mod cursor;
mod prefix;

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use quick_cache::sync::Cache;

use crate::datom::{Datom, IndexOrder};
use crate::error::{Error, Result};
use crate::store::{Addr, Store};

pub use cursor::{Cursor, RevCursor};

/// Default maximum number of keys per node. Measured on the benchmarks
/// (`cairn-bench`): 192 balances bulk loads (larger nodes) against small
/// transactions (each rewrites the leaves it touches).
pub const DEFAULT_NODE_SIZE: usize = 192;
/// Smallest node size accepted by [`Tree::with_node_size`].
pub const MIN_NODE_SIZE: usize = 3;

/// A tree node.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    /// Sorted datoms.
    Leaf(Leaf),
    /// Inner node.
    Branch(Branch),
}

/// A leaf: sorted datoms and their order prefixes (see `prefix`).
#[derive(Clone, Debug)]
pub(crate) struct Leaf {
    pub(crate) keys: Vec<Datom>,
    pfx: Vec<u64>,
}

impl Leaf {
    pub(crate) fn new(order: IndexOrder, keys: Vec<Datom>) -> Leaf {
        let pfx = keys.iter().map(|d| prefix::prefix(order, d)).collect();
        Leaf { keys, pfx }
    }

    /// Binary search for `d`, checking the last key first (appends cost
    /// one comparison) and deciding on prefixes where they differ.
    fn search(&self, d: &Datom, order: IndexOrder) -> std::result::Result<usize, usize> {
        let keys = &self.keys;
        let (Some(first), Some(last)) = (keys.first(), keys.last()) else {
            return Err(0);
        };
        if !(prefix::attribute_free(order) || (first.a == d.a && last.a == d.a)) {
            return search(keys, d, order);
        }
        let pd = prefix::prefix(order, d);
        let cmp = |i: usize| {
            let p = self.pfx[i];
            if p != pd && p != prefix::UNKNOWN && pd != prefix::UNKNOWN {
                p.cmp(&pd)
            } else {
                order.cmp(&keys[i], d)
            }
        };
        let n = keys.len();
        match cmp(n - 1) {
            Ordering::Less => return Err(n),
            Ordering::Equal => return Ok(n - 1),
            Ordering::Greater => {}
        }
        let (mut lo, mut hi) = (0, n - 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match cmp(mid) {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    fn insert(&mut self, i: usize, d: Datom, order: IndexOrder) {
        self.pfx.insert(i, prefix::prefix(order, &d));
        self.keys.insert(i, d);
    }

    fn replace(&mut self, i: usize, d: Datom, order: IndexOrder) -> Datom {
        self.pfx[i] = prefix::prefix(order, &d);
        std::mem::replace(&mut self.keys[i], d)
    }

    fn remove(&mut self, i: usize) -> Datom {
        self.pfx.remove(i);
        self.keys.remove(i)
    }

    fn split_off(&mut self, at: usize) -> Leaf {
        Leaf {
            keys: self.keys.split_off(at),
            pfx: self.pfx.split_off(at),
        }
    }

    fn append(&mut self, other: &mut Leaf) {
        self.keys.append(&mut other.keys);
        self.pfx.append(&mut other.pfx);
    }
}

/// An inner node: per child, its max key, the child and its datom count.
#[derive(Clone, Debug)]
pub(crate) struct Branch {
    /// Height above the leaves (1: children are leaves).
    pub(crate) level: u8,
    /// The max key of each child.
    pub(crate) keys: Vec<Datom>,
    /// The children.
    pub(crate) children: Vec<Child>,
    /// The number of datoms under each child.
    pub(crate) counts: Vec<u64>,
}

/// A reference to a child node.
#[derive(Clone, Debug)]
pub(crate) enum Child {
    /// Flushed: read through the cache.
    Stored(Addr),
    /// Dirty: only in memory.
    Mem(Arc<Node>),
}

impl Node {
    fn keys(&self) -> &[Datom] {
        match self {
            Node::Leaf(l) => &l.keys,
            Node::Branch(b) => &b.keys,
        }
    }
    fn len(&self) -> usize {
        self.keys().len()
    }
    fn last(&self) -> Option<&Datom> {
        self.keys().last()
    }
    fn total(&self) -> u64 {
        match self {
            Node::Leaf(l) => l.keys.len() as u64,
            Node::Branch(b) => b.counts.iter().sum(),
        }
    }
    fn level(&self) -> u8 {
        match self {
            Node::Leaf(_) => 0,
            Node::Branch(b) => b.level,
        }
    }
}

/// A store plus a bounded cache of decoded nodes, keyed by address.
///
/// The bound counts nodes, not bytes: a full node holds up to
/// [`DEFAULT_NODE_SIZE`] datoms (roughly 64 bytes each plus their values'
/// heap data), so budget about 40-100 KB per cached node. Addresses are
/// assumed never to be reused for different content while a `NodeStore`
/// is alive (see [`NodeStore::evict`]).
pub struct NodeStore {
    store: Arc<dyn Store>,
    cache: Cache<Addr, Arc<Node>>,
}

impl fmt::Debug for NodeStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeStore")
            .field("store", &self.store)
            .field("cached", &self.cache.len())
            .finish()
    }
}

impl NodeStore {
    /// A node store over `store` caching up to `cache_nodes` decoded nodes.
    pub fn new(store: Arc<dyn Store>, cache_nodes: usize) -> Arc<NodeStore> {
        Arc::new(NodeStore {
            store,
            cache: Cache::new(cache_nodes.max(1)),
        })
    }

    /// The underlying store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Number of decoded nodes currently cached.
    pub fn cached_nodes(&self) -> usize {
        self.cache.len()
    }

    /// Drops every cached node.
    pub fn clear_cache(&self) {
        self.cache.clear()
    }

    /// Drops the cached nodes at `addrs` (call after garbage collection
    /// deletes them, if addresses can ever be reused).
    pub fn evict(&self, addrs: &[Addr]) {
        for a in addrs {
            self.cache.remove(a);
        }
    }

    /// The decoded node at `addr` (from the cache, or read and decoded).
    pub(crate) fn load(&self, addr: Addr, order: IndexOrder) -> Result<Arc<Node>> {
        if let Some(n) = self.cache.get(&addr) {
            return Ok(n);
        }
        let bytes = self
            .store
            .get(addr)?
            .ok_or_else(|| Error::storage(format!("node {addr:#x} is missing from the store")))?;
        let node = Arc::new(codec::decode(addr, &bytes, order)?);
        self.cache.insert(addr, node.clone());
        Ok(node)
    }

    fn resolve(&self, c: &Child, order: IndexOrder) -> Result<Arc<Node>> {
        match c {
            Child::Stored(a) => self.load(*a, order),
            Child::Mem(n) => Ok(n.clone()),
        }
    }
}

/// Is `c` an in-memory node owned by this version only (mutable in place)?
fn is_unique(c: &Child) -> bool {
    matches!(c, Child::Mem(n) if Arc::strong_count(n) == 1)
}

/// The node behind `c`, made private to this version (copied if shared or
/// stored).
fn child_mut<'a>(ns: &NodeStore, c: &'a mut Child, order: IndexOrder) -> Result<&'a mut Node> {
    if let Child::Stored(a) = *c {
        *c = Child::Mem(ns.load(a, order)?);
    }
    match c {
        Child::Mem(n) => Ok(Arc::make_mut(n)),
        Child::Stored(a) => Err(Error::storage(format!("internal: node {a:#x} not loaded"))),
    }
}

fn corrupt_empty() -> Error {
    Error::storage("corrupt tree: empty node")
}

/// Does the subtree under `c` hold a datom equal to `key`?
fn find(ns: &NodeStore, c: &Child, key: &Datom, order: IndexOrder) -> Result<Option<Datom>> {
    let mut cur = ns.resolve(c, order)?;
    loop {
        let next = match &*cur {
            Node::Leaf(l) => {
                return Ok(l.search(key, order).ok().map(|i| l.keys[i].clone()));
            }
            Node::Branch(b) => {
                let i = b
                    .keys
                    .partition_point(|k| order.cmp(k, key) == Ordering::Less);
                match b.children.get(i) {
                    None => return Ok(None),
                    Some(c) => ns.resolve(c, order)?,
                }
            }
        };
        cur = next;
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Insert,
    Replace,
}

#[derive(Clone, Copy)]
struct Ctx {
    order: IndexOrder,
    max: usize,
    mode: Mode,
}

enum Put {
    /// An equal key exists and mode is Insert: nothing changed.
    Exists,
    /// An equal key was overwritten.
    Replaced { old: Datom, max_changed: bool },
    /// A key was added; the node may have split off a right sibling.
    Added {
        max_changed: bool,
        split: Option<Node>,
    },
}

enum Del {
    NotFound,
    Removed { old: Datom, max_changed: bool },
}

/// Where to split an overfull node of `len` keys: at the end when the
/// insert appended (sequential loads then fill nodes completely), else in
/// the middle.
fn split_at(len: usize, appended: bool) -> usize {
    if appended { len - 1 } else { len / 2 }
}

/// Binary search for `d` in sorted `keys`, checking the last key first so
/// that appends (sequential loads) cost one comparison.
fn search(keys: &[Datom], d: &Datom, order: IndexOrder) -> std::result::Result<usize, usize> {
    let Some((last, init)) = keys.split_last() else {
        return Err(0);
    };
    match order.cmp(last, d) {
        Ordering::Less => Err(keys.len()),
        Ordering::Equal => Ok(init.len()),
        Ordering::Greater => init.binary_search_by(|k| order.cmp(k, d)),
    }
}

fn put_rec(ns: &NodeStore, node: &mut Node, d: Datom, cx: Ctx) -> Result<Put> {
    match node {
        Node::Leaf(leaf) => match leaf.search(&d, cx.order) {
            Ok(i) => match cx.mode {
                Mode::Insert => Ok(Put::Exists),
                Mode::Replace => {
                    let max_changed = i + 1 == leaf.keys.len();
                    let old = leaf.replace(i, d, cx.order);
                    Ok(Put::Replaced { old, max_changed })
                }
            },
            Err(i) => {
                leaf.insert(i, d, cx.order);
                let len = leaf.keys.len();
                let max_changed = i + 1 == len;
                let split = if len > cx.max {
                    Some(Node::Leaf(leaf.split_off(split_at(len, max_changed))))
                } else {
                    None
                };
                Ok(Put::Added { max_changed, split })
            }
        },
        Node::Branch(b) => {
            let n = b.keys.len();
            if n == 0 {
                return Err(corrupt_empty());
            }
            let mut i = b
                .keys
                .partition_point(|k| cx.order.cmp(k, &d) == Ordering::Less);
            if cx.mode == Mode::Insert && i < n && cx.order.cmp(&b.keys[i], &d) == Ordering::Equal {
                return Ok(Put::Exists);
            }
            if i == n {
                i = n - 1;
            }
            if cx.mode == Mode::Insert
                && !is_unique(&b.children[i])
                && find(ns, &b.children[i], &d, cx.order)?.is_some()
            {
                return Ok(Put::Exists);
            }
            let child = child_mut(ns, &mut b.children[i], cx.order)?;
            match put_rec(ns, child, d, cx)? {
                Put::Exists => Ok(Put::Exists),
                Put::Replaced { old, max_changed } => {
                    if max_changed {
                        b.keys[i] = child.last().ok_or_else(corrupt_empty)?.clone();
                    }
                    Ok(Put::Replaced {
                        old,
                        max_changed: max_changed && i + 1 == n,
                    })
                }
                Put::Added { max_changed, split } => {
                    b.counts[i] += 1;
                    if let Some(right) = split {
                        b.keys[i] = child.last().ok_or_else(corrupt_empty)?.clone();
                        b.counts[i] = child.total();
                        let rkey = right.last().ok_or_else(corrupt_empty)?.clone();
                        b.keys.insert(i + 1, rkey);
                        b.counts.insert(i + 1, right.total());
                        b.children.insert(i + 1, Child::Mem(Arc::new(right)));
                    } else if max_changed {
                        b.keys[i] = child.last().ok_or_else(corrupt_empty)?.clone();
                    }
                    let max_changed = max_changed && i + 1 == n;
                    let split = if b.keys.len() > cx.max {
                        let at = split_at(b.keys.len(), max_changed);
                        Some(Node::Branch(Branch {
                            level: b.level,
                            keys: b.keys.split_off(at),
                            children: b.children.split_off(at),
                            counts: b.counts.split_off(at),
                        }))
                    } else {
                        None
                    };
                    Ok(Put::Added { max_changed, split })
                }
            }
        }
    }
}

fn del_rec(ns: &NodeStore, node: &mut Node, key: &Datom, cx: Ctx) -> Result<Del> {
    match node {
        Node::Leaf(leaf) => match leaf.search(key, cx.order) {
            Ok(i) => {
                let old = leaf.remove(i);
                Ok(Del::Removed {
                    old,
                    max_changed: i == leaf.keys.len(),
                })
            }
            Err(_) => Ok(Del::NotFound),
        },
        Node::Branch(b) => {
            let n = b.keys.len();
            let i = b
                .keys
                .partition_point(|k| cx.order.cmp(k, key) == Ordering::Less);
            if i == n {
                return Ok(Del::NotFound);
            }
            if !is_unique(&b.children[i]) && find(ns, &b.children[i], key, cx.order)?.is_none() {
                return Ok(Del::NotFound);
            }
            let child = child_mut(ns, &mut b.children[i], cx.order)?;
            let (old, child_max_changed) = match del_rec(ns, child, key, cx)? {
                Del::NotFound => return Ok(Del::NotFound),
                Del::Removed { old, max_changed } => (old, max_changed),
            };
            let clen = child.len();
            b.counts[i] = b.counts[i].saturating_sub(1);
            let mut max_changed = false;
            if clen == 0 {
                b.keys.remove(i);
                b.children.remove(i);
                b.counts.remove(i);
                max_changed = i + 1 == n;
            } else {
                if child_max_changed {
                    b.keys[i] = child.last().ok_or_else(corrupt_empty)?.clone();
                    max_changed = i + 1 == n;
                }
                if clen < (cx.max / 4).max(1) && n > 1 {
                    merge(ns, b, i, cx)?;
                }
            }
            Ok(Del::Removed { old, max_changed })
        }
    }
}

/// Merges the underfull child `i` with a neighbour when both fit in one node.
fn merge(ns: &NodeStore, b: &mut Branch, i: usize, cx: Ctx) -> Result<()> {
    let (l, r) = if i > 0 { (i - 1, i) } else { (i, i + 1) };
    let left_len = ns.resolve(&b.children[l], cx.order)?.len();
    let right = ns.resolve(&b.children[r], cx.order)?;
    if left_len + right.len() > cx.max {
        return Ok(());
    }
    b.children.remove(r);
    let right = Arc::try_unwrap(right).unwrap_or_else(|n| (*n).clone());
    let left = child_mut(ns, &mut b.children[l], cx.order)?;
    match (left, right) {
        (Node::Leaf(a), Node::Leaf(mut z)) => a.append(&mut z),
        (Node::Branch(a), Node::Branch(mut z)) if a.level == z.level => {
            a.keys.append(&mut z.keys);
            a.children.append(&mut z.children);
            a.counts.append(&mut z.counts);
        }
        _ => return Err(Error::storage("corrupt tree: siblings of different levels")),
    }
    let rkey = b.keys.remove(r);
    let rcount = b.counts.remove(r);
    b.keys[l] = rkey;
    b.counts[l] += rcount;
    Ok(())
}

fn flush_child(
    ns: &NodeStore,
    c: &mut Child,
    order: IndexOrder,
    alloc: &mut dyn FnMut() -> Addr,
    out: &mut Vec<(Addr, Vec<u8>)>,
) -> Result<Addr> {
    let addr = match c {
        Child::Stored(a) => return Ok(*a),
        Child::Mem(arc) => {
            // A leaf is encoded as it is; only a branch changes (its
            // children become addresses), copying it if another version
            // shares it.
            if matches!(**arc, Node::Branch(_)) {
                if let Node::Branch(b) = Arc::make_mut(arc) {
                    for ch in &mut b.children {
                        flush_child(ns, ch, order, alloc, out)?;
                    }
                }
            }
            let bytes = codec::encode(arc, order)?;
            let addr = alloc();
            out.push((addr, bytes));
            ns.cache.insert(addr, arc.clone());
            addr
        }
    };
    *c = Child::Stored(addr);
    Ok(addr)
}

fn reach(
    ns: &NodeStore,
    c: &Child,
    is_leaf: bool,
    order: IndexOrder,
    out: &mut Vec<Addr>,
) -> Result<()> {
    if let Child::Stored(a) = c {
        out.push(*a);
        if is_leaf {
            return Ok(());
        }
    }
    let node = ns.resolve(c, order)?;
    if let Node::Branch(b) = &*node {
        for ch in &b.children {
            reach(ns, ch, b.level == 1, order, out)?;
        }
    }
    Ok(())
}

/// A persistent B+ tree of datoms in one index order. Cheap to clone: a
/// clone is an independent version.
#[derive(Clone, Debug)]
pub struct Tree {
    order: IndexOrder,
    root: Option<Child>,
    count: u64,
    node_size: usize,
}

impl Tree {
    /// An empty tree.
    pub fn new(order: IndexOrder) -> Tree {
        Tree {
            order,
            root: None,
            count: 0,
            node_size: DEFAULT_NODE_SIZE,
        }
    }

    /// A tree whose root node is stored at `root` (`None`: empty) and holds
    /// `count` datoms (as recorded when it was flushed).
    pub fn open(order: IndexOrder, root: Option<Addr>, count: u64) -> Tree {
        Tree {
            order,
            root: root.map(Child::Stored),
            count,
            node_size: DEFAULT_NODE_SIZE,
        }
    }

    /// A tree built bottom-up from datoms in strictly increasing order
    /// (under `order`), with full nodes: O(n), for bulk loads. Input out of
    /// order gives an error of kind `Other`.
    pub fn from_sorted(order: IndexOrder, datoms: impl IntoIterator<Item = Datom>) -> Result<Tree> {
        Tree::new(order).build_sorted(datoms)
    }

    /// [`Tree::from_sorted`] with this tree's order and node size; the
    /// tree's current content is dropped.
    pub fn build_sorted(mut self, datoms: impl IntoIterator<Item = Datom>) -> Result<Tree> {
        let (order, max) = (self.order, self.node_size);
        let mut count = 0u64;
        // Level 0: full leaves.
        let mut level: Vec<Arc<Node>> = Vec::new();
        let mut leaf: Vec<Datom> = Vec::with_capacity(max);
        let mut prev: Option<Datom> = None;
        for d in datoms {
            if let Some(p) = leaf.last().or(prev.as_ref()) {
                if order.cmp(p, &d) != Ordering::Less {
                    return Err(Error::other(format!(
                        "from_sorted: {d:?} is not after {p:?} in {order:?} order"
                    )));
                }
            }
            leaf.push(d);
            count += 1;
            if leaf.len() == max {
                prev = leaf.last().cloned();
                let full = std::mem::replace(&mut leaf, Vec::with_capacity(max));
                level.push(Arc::new(Node::Leaf(Leaf::new(order, full))));
            }
        }
        if !leaf.is_empty() {
            level.push(Arc::new(Node::Leaf(Leaf::new(order, leaf))));
        }
        // Upper levels until one node remains.
        let mut height = 0u8;
        while level.len() > 1 {
            height += 1;
            let mut up = Vec::with_capacity(level.len() / max + 1);
            let mut it = level.into_iter().peekable();
            while it.peek().is_some() {
                let mut b = Branch {
                    level: height,
                    keys: Vec::with_capacity(max),
                    children: Vec::with_capacity(max),
                    counts: Vec::with_capacity(max),
                };
                for n in it.by_ref().take(max) {
                    b.keys.push(n.last().ok_or_else(corrupt_empty)?.clone());
                    b.counts.push(n.total());
                    b.children.push(Child::Mem(n));
                }
                up.push(Arc::new(Node::Branch(b)));
            }
            level = up;
        }
        self.root = level.pop().map(Child::Mem);
        self.count = count;
        Ok(self)
    }

    /// The same tree with at most `n` keys per node (at least
    /// [`MIN_NODE_SIZE`]) for nodes split from now on; for tests.
    pub fn with_node_size(mut self, n: usize) -> Tree {
        self.node_size = n.max(MIN_NODE_SIZE);
        self
    }

    /// The index order.
    pub fn order(&self) -> IndexOrder {
        self.order
    }

    /// Number of datoms.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// Is the tree empty?
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The root's address: `Some` only when the tree is flushed (not dirty)
    /// and non-empty.
    pub fn root_addr(&self) -> Option<Addr> {
        match self.root {
            Some(Child::Stored(a)) => Some(a),
            _ => None,
        }
    }

    /// Does the tree hold nodes not yet flushed?
    pub fn is_dirty(&self) -> bool {
        matches!(self.root, Some(Child::Mem(_)))
    }

    /// The datom equal to `key` under the tree's order.
    pub fn get(&self, ns: &NodeStore, key: &Datom) -> Result<Option<Datom>> {
        match &self.root {
            None => Ok(None),
            Some(r) => find(ns, r, key, self.order),
        }
    }

    fn put(&mut self, ns: &NodeStore, d: Datom, mode: Mode) -> Result<Put> {
        let cx = Ctx {
            order: self.order,
            max: self.node_size,
            mode,
        };
        let Some(root) = &mut self.root else {
            self.root = Some(Child::Mem(Arc::new(Node::Leaf(Leaf::new(
                self.order,
                vec![d],
            )))));
            self.count = 1;
            return Ok(Put::Added {
                max_changed: true,
                split: None,
            });
        };
        if mode == Mode::Insert && !is_unique(root) && find(ns, root, &d, cx.order)?.is_some() {
            return Ok(Put::Exists);
        }
        let node = child_mut(ns, root, cx.order)?;
        match put_rec(ns, node, d, cx)? {
            Put::Added { max_changed, split } => {
                self.count += 1;
                if let Some(right) = split {
                    let level = node.level() + 1;
                    let lkey = node.last().ok_or_else(corrupt_empty)?.clone();
                    let rkey = right.last().ok_or_else(corrupt_empty)?.clone();
                    let (lc, rc) = (node.total(), right.total());
                    let left = self.root.take().ok_or_else(corrupt_empty)?;
                    self.root = Some(Child::Mem(Arc::new(Node::Branch(Branch {
                        level,
                        keys: vec![lkey, rkey],
                        children: vec![left, Child::Mem(Arc::new(right))],
                        counts: vec![lc, rc],
                    }))));
                }
                Ok(Put::Added {
                    max_changed,
                    split: None,
                })
            }
            other => Ok(other),
        }
    }

    /// Inserts `d`; returns false (and changes nothing) if an equal key
    /// exists.
    pub fn insert(&mut self, ns: &NodeStore, d: Datom) -> Result<bool> {
        Ok(matches!(self.put(ns, d, Mode::Insert)?, Put::Added { .. }))
    }

    /// Inserts `d`, or overwrites the datom with an equal key; returns the
    /// previous one.
    pub fn replace(&mut self, ns: &NodeStore, d: Datom) -> Result<Option<Datom>> {
        Ok(match self.put(ns, d, Mode::Replace)? {
            Put::Replaced { old, .. } => Some(old),
            _ => None,
        })
    }

    /// Removes the datom equal to `key`; returns it.
    pub fn remove(&mut self, ns: &NodeStore, key: &Datom) -> Result<Option<Datom>> {
        let cx = Ctx {
            order: self.order,
            max: self.node_size,
            mode: Mode::Replace,
        };
        let Some(root) = &mut self.root else {
            return Ok(None);
        };
        if !is_unique(root) && find(ns, root, key, cx.order)?.is_none() {
            return Ok(None);
        }
        let node = child_mut(ns, root, cx.order)?;
        let old = match del_rec(ns, node, key, cx)? {
            Del::NotFound => return Ok(None),
            Del::Removed { old, .. } => old,
        };
        self.count = self.count.saturating_sub(1);
        // Shrink the root: drop an empty one, replace a one-child branch by
        // its child.
        while let Some(root) = &self.root {
            let node = ns.resolve(root, cx.order)?;
            match &*node {
                Node::Leaf(l) if l.keys.is_empty() => self.root = None,
                Node::Branch(b) if b.children.is_empty() => self.root = None,
                Node::Branch(b) if b.children.len() == 1 => {
                    let only = b.children[0].clone();
                    drop(node);
                    self.root = Some(only);
                }
                _ => break,
            }
        }
        Ok(Some(old))
    }

    /// Forward cursor from the first datom `d` with `probe(d) != Less`
    /// (the first `d >= target`) to the end. `probe` must be monotone in
    /// the tree's order.
    pub fn seek(&self, ns: &Arc<NodeStore>, probe: impl Fn(&Datom) -> Ordering) -> Result<Cursor> {
        Cursor::seek(ns, self.order, self.root.as_ref(), probe)
    }

    /// Backward cursor from the last datom `d` with `probe(d) != Greater`
    /// (the last `d <= target`) down to the first datom.
    pub fn seek_rev(
        &self,
        ns: &Arc<NodeStore>,
        probe: impl Fn(&Datom) -> Ordering,
    ) -> Result<RevCursor> {
        RevCursor::seek(ns, self.order, self.root.as_ref(), probe)
    }

    /// Forward cursor over every datom.
    pub fn iter(&self, ns: &Arc<NodeStore>) -> Result<Cursor> {
        self.seek(ns, |_| Ordering::Greater)
    }

    /// Backward cursor over every datom.
    pub fn iter_rev(&self, ns: &Arc<NodeStore>) -> Result<RevCursor> {
        self.seek_rev(ns, |_| Ordering::Less)
    }

    /// The number of datoms `d` with `pred(d)` true, for a predicate true on
    /// a prefix of the tree's order (exact, using subtree counts).
    fn rank(&self, ns: &NodeStore, pred: impl Fn(&Datom) -> bool) -> Result<u64> {
        let Some(root) = &self.root else {
            return Ok(0);
        };
        let mut total = 0u64;
        let mut cur = ns.resolve(root, self.order)?;
        loop {
            let next = match &*cur {
                Node::Leaf(l) => return Ok(total + l.keys.partition_point(&pred) as u64),
                Node::Branch(b) => {
                    let i = b.keys.partition_point(&pred);
                    total += b.counts[..i].iter().sum::<u64>();
                    match b.children.get(i) {
                        None => return Ok(total),
                        Some(c) => ns.resolve(c, self.order)?,
                    }
                }
            };
            cur = next;
        }
    }

    /// Number of datoms `d` with `lo(d) != Less && hi(d) != Greater`.
    /// Exact, in O(log n) node visits: it reads one root-to-leaf path per
    /// bound and sums the per-child subtree counts between them.
    pub fn count_range(
        &self,
        ns: &NodeStore,
        lo: impl Fn(&Datom) -> Ordering,
        hi: impl Fn(&Datom) -> Ordering,
    ) -> Result<u64> {
        let upto = self.rank(ns, |d| hi(d) != Ordering::Greater)?;
        let below = self.rank(ns, |d| lo(d) == Ordering::Less)?;
        Ok(upto.saturating_sub(below))
    }

    /// Encodes every in-memory (dirty) node bottom-up, gives each a fresh
    /// address from `alloc` and pushes `(addr, bytes)` to `out`; afterwards
    /// the tree refers only to stored nodes and the new decoded nodes sit in
    /// `ns`'s cache. The caller must commit `out` to the store before the
    /// tree reads nodes that may have left the cache.
    pub fn flush(
        &mut self,
        ns: &NodeStore,
        alloc: &mut dyn FnMut() -> Addr,
        out: &mut Vec<(Addr, Vec<u8>)>,
    ) -> Result<()> {
        if let Some(root) = &mut self.root {
            flush_child(ns, root, self.order, alloc, out)?;
        }
        Ok(())
    }

    /// Pushes every stored address reachable from this tree (for GC).
    /// Dirty nodes have no address and are not listed, but stored nodes
    /// under them are. Leaves are listed without being read.
    pub fn reachable(&self, ns: &NodeStore, out: &mut Vec<Addr>) -> Result<()> {
        match &self.root {
            None => Ok(()),
            Some(r) => reach(ns, r, false, self.order, out),
        }
    }
}

#[cfg(test)]
mod tests;
