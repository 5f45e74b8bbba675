//! Forward and backward cursors. They own an `Arc<NodeStore>` and the
//! `Arc`s of the nodes on their path, so they are `'static` snapshots: later
//! changes to the tree (which copy shared nodes) never affect them.

use std::cmp::Ordering;
use std::sync::Arc;

use super::{Child, Node, NodeStore};
use crate::datom::{Datom, IndexOrder};
use crate::error::{Error, Result};

fn corrupt() -> Error {
    Error::storage("corrupt tree: empty branch node")
}

/// A forward iterator over datoms; yields clones. After an error it ends.
#[derive(Debug)]
pub struct Cursor {
    ns: Arc<NodeStore>,
    order: IndexOrder,
    /// Root-to-leaf path. For a branch, the index of the child being
    /// visited; for the leaf, the index of the next key to yield.
    stack: Vec<(Arc<Node>, usize)>,
}

impl Cursor {
    pub(crate) fn seek(
        ns: &Arc<NodeStore>,
        order: IndexOrder,
        root: Option<&Child>,
        probe: impl Fn(&Datom) -> Ordering,
    ) -> Result<Cursor> {
        let mut c = Cursor {
            ns: ns.clone(),
            order,
            stack: Vec::new(),
        };
        let Some(root) = root else { return Ok(c) };
        let mut cur = ns.resolve(root, order)?;
        loop {
            let i = cur.keys().partition_point(|k| probe(k) == Ordering::Less);
            let next = match &*cur {
                Node::Leaf(_) => None,
                Node::Branch(b) => match b.children.get(i) {
                    // Every datom is before the target.
                    None => {
                        c.stack.clear();
                        return Ok(c);
                    }
                    Some(ch) => Some(ns.resolve(ch, order)?),
                },
            };
            c.stack.push((cur, i));
            match next {
                None => return Ok(c),
                Some(n) => cur = n,
            }
        }
    }

    /// Pushes the path to the leftmost leaf under `child`.
    fn descend_first(&mut self, child: Child) -> Result<()> {
        let mut cur = self.ns.resolve(&child, self.order)?;
        loop {
            let next = match &*cur {
                Node::Leaf(_) => None,
                Node::Branch(b) => Some(b.children.first().ok_or_else(corrupt)?.clone()),
            };
            self.stack.push((cur, 0));
            match next {
                None => return Ok(()),
                Some(ch) => cur = self.ns.resolve(&ch, self.order)?,
            }
        }
    }
}

impl Iterator for Cursor {
    type Item = Result<Datom>;

    fn next(&mut self) -> Option<Result<Datom>> {
        loop {
            let (node, i) = self.stack.last_mut()?;
            if let Node::Leaf(leaf) = &**node {
                if let Some(d) = leaf.keys.get(*i) {
                    *i += 1;
                    return Some(Ok(d.clone()));
                }
            }
            // The leaf is done: move to the next child of the nearest
            // ancestor that has one.
            self.stack.pop();
            let next = loop {
                let (node, i) = self.stack.last_mut()?;
                let Node::Branch(b) = &**node else {
                    self.stack.clear();
                    return None;
                };
                *i += 1;
                match b.children.get(*i) {
                    Some(ch) => break ch.clone(),
                    None => {
                        self.stack.pop();
                    }
                }
            };
            if let Err(e) = self.descend_first(next) {
                self.stack.clear();
                return Some(Err(e));
            }
        }
    }
}

/// A backward iterator over datoms; yields clones. After an error it ends.
#[derive(Debug)]
pub struct RevCursor {
    ns: Arc<NodeStore>,
    order: IndexOrder,
    /// Root-to-leaf path. For a branch, the index of the child being
    /// visited; for the leaf, the number of keys still to yield.
    stack: Vec<(Arc<Node>, usize)>,
}

impl RevCursor {
    pub(crate) fn seek(
        ns: &Arc<NodeStore>,
        order: IndexOrder,
        root: Option<&Child>,
        probe: impl Fn(&Datom) -> Ordering,
    ) -> Result<RevCursor> {
        let mut c = RevCursor {
            ns: ns.clone(),
            order,
            stack: Vec::new(),
        };
        let Some(root) = root else { return Ok(c) };
        let mut cur = ns.resolve(root, order)?;
        loop {
            let p = cur
                .keys()
                .partition_point(|k| probe(k) != Ordering::Greater);
            let (idx, next) = match &*cur {
                Node::Leaf(_) => (p, None),
                Node::Branch(b) => {
                    // The first child whose max is past the target may
                    // still hold datoms before it.
                    let i = p.min(b.children.len().saturating_sub(1));
                    let ch = b.children.get(i).ok_or_else(corrupt)?;
                    (i, Some(ns.resolve(ch, order)?))
                }
            };
            c.stack.push((cur, idx));
            match next {
                None => return Ok(c),
                Some(n) => cur = n,
            }
        }
    }

    /// Pushes the path to the rightmost leaf under `child`.
    fn descend_last(&mut self, child: Child) -> Result<()> {
        let mut cur = self.ns.resolve(&child, self.order)?;
        loop {
            let (idx, next) = match &*cur {
                Node::Leaf(l) => (l.keys.len(), None),
                Node::Branch(b) => {
                    let ch = b.children.last().ok_or_else(corrupt)?.clone();
                    (b.children.len() - 1, Some(ch))
                }
            };
            self.stack.push((cur, idx));
            match next {
                None => return Ok(()),
                Some(ch) => cur = self.ns.resolve(&ch, self.order)?,
            }
        }
    }
}

impl Iterator for RevCursor {
    type Item = Result<Datom>;

    fn next(&mut self) -> Option<Result<Datom>> {
        loop {
            let (node, i) = self.stack.last_mut()?;
            if let Node::Leaf(leaf) = &**node {
                if *i > 0 {
                    *i -= 1;
                    if let Some(d) = leaf.keys.get(*i) {
                        return Some(Ok(d.clone()));
                    }
                }
            }
            self.stack.pop();
            let next = loop {
                let (node, i) = self.stack.last_mut()?;
                let Node::Branch(b) = &**node else {
                    self.stack.clear();
                    return None;
                };
                if *i == 0 {
                    self.stack.pop();
                    continue;
                }
                *i -= 1;
                match b.children.get(*i) {
                    Some(ch) => break ch.clone(),
                    None => {
                        self.stack.clear();
                        return None;
                    }
                }
            };
            if let Err(e) = self.descend_last(next) {
                self.stack.clear();
                return Some(Err(e));
            }
        }
    }
}
