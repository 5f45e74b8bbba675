use std::cmp::Ordering;
use std::sync::Arc;

use proptest::prelude::*;

use super::*;
use crate::datom::TX0;
use crate::error::ErrorKind;
use crate::store::{CommitBatch, MemoryStore};
use crate::value::{Keyword, Value};

fn value(i: u8) -> Value {
    match i % 12 {
        8 => Value::str("prefix-1"), // same first 7 bytes as the next
        9 => Value::str("prefix-2"),
        10 => Value::str("\u{E000}"), // sorts after U+1F600 in UTF-16
        11 => Value::str("\u{1F600}"),
        0 => Value::Long(1),
        1 => Value::Double(1.0), // equal to Long(1) in index order
        2 => Value::Long(2),
        3 => Value::str("a"),
        4 => Value::str("b"),
        5 => Value::kw("x/y"),
        6 => Value::Nil,
        _ => Value::vector(vec![Value::Long(0), Value::str("z")]),
    }
}

fn datom(e: i64, a: u8, v: u8, t: i64, added: bool) -> Datom {
    let a = Keyword::new(["a", "b/c", "b/d"][a as usize % 3]);
    Datom::with_added(e, a, value(v), TX0 + t, added)
}

fn arb_datom() -> impl Strategy<Value = Datom> {
    (0..25i64, 0..3u8, 0..12u8, 0..3i64, any::<bool>())
        .prop_map(|(e, a, v, t, added)| datom(e, a, v, t, added))
}

/// A probe comparing only the first component of the order.
fn prefix_probe(order: IndexOrder, t: &Datom) -> impl Fn(&Datom) -> Ordering + use<> {
    let t = t.clone();
    move |d: &Datom| match order.current() {
        IndexOrder::Eavt => d.e.cmp(&t.e),
        _ => d.a.cmp(&t.a),
    }
}

fn full_probe(order: IndexOrder, t: &Datom) -> impl Fn(&Datom) -> Ordering + use<> {
    let t = t.clone();
    move |d: &Datom| order.cmp(d, &t)
}

/// The naive model: a sorted vector with unique keys under `order`.
#[derive(Clone)]
struct Model {
    order: IndexOrder,
    v: Vec<Datom>,
}

impl Model {
    fn pos(&self, d: &Datom) -> std::result::Result<usize, usize> {
        self.v.binary_search_by(|x| self.order.cmp(x, d))
    }
    fn insert(&mut self, d: Datom) -> bool {
        match self.pos(&d) {
            Ok(_) => false,
            Err(i) => {
                self.v.insert(i, d);
                true
            }
        }
    }
    fn replace(&mut self, d: Datom) -> Option<Datom> {
        match self.pos(&d) {
            Ok(i) => Some(std::mem::replace(&mut self.v[i], d)),
            Err(i) => {
                self.v.insert(i, d);
                None
            }
        }
    }
    fn remove(&mut self, d: &Datom) -> Option<Datom> {
        self.pos(d).ok().map(|i| self.v.remove(i))
    }
    fn get(&self, d: &Datom) -> Option<Datom> {
        self.pos(d).ok().map(|i| self.v[i].clone())
    }
}

struct Env {
    store: Arc<MemoryStore>,
    ns: Arc<NodeStore>,
    next: u64,
}

impl Env {
    fn new(cache: usize) -> Env {
        let store = Arc::new(MemoryStore::new());
        let ns = NodeStore::new(store.clone(), cache);
        Env { store, ns, next: 1 }
    }

    /// Flushes, commits and reopens the tree from its root address.
    fn flush(&mut self, t: &mut Tree) {
        let mut out = Vec::new();
        let mut next = self.next;
        t.flush(
            &self.ns,
            &mut || {
                next += 1;
                next
            },
            &mut out,
        )
        .unwrap();
        self.next = next;
        assert!(!t.is_dirty());
        assert_eq!(t.root_addr().is_some(), !t.is_empty());
        self.store
            .commit(CommitBatch {
                puts: out,
                ..Default::default()
            })
            .unwrap();
        let size = t.node_size;
        *t = Tree::open(t.order(), t.root_addr(), t.len()).with_node_size(size);
        let mut reach = Vec::new();
        t.reachable(&self.ns, &mut reach).unwrap();
        let stored = self.store.addresses().unwrap();
        for a in &reach {
            assert!(stored.binary_search(a).is_ok());
        }
    }
}

fn collect(c: impl Iterator<Item = Result<Datom>>) -> Vec<Datom> {
    c.map(|r| r.unwrap()).collect()
}

fn check_all(t: &Tree, m: &Model, ns: &Arc<NodeStore>) {
    assert_eq!(t.len(), m.v.len() as u64);
    assert_eq!(collect(t.iter(ns).unwrap()), m.v);
    let mut rev = m.v.clone();
    rev.reverse();
    assert_eq!(collect(t.iter_rev(ns).unwrap()), rev);
}

/// Checks the structural invariants: sorted keys, exact max keys and
/// counts, levels, no empty node.
fn check_structure(t: &Tree, ns: &NodeStore) {
    fn walk(ns: &NodeStore, c: &Child, order: IndexOrder, max: usize) -> (u64, Datom, u8) {
        let n = ns.resolve(c, order).unwrap();
        let keys = n.keys();
        assert!(!keys.is_empty());
        for w in keys.windows(2) {
            assert_eq!(order.cmp(&w[0], &w[1]), Ordering::Less);
        }
        let _ = max;
        match &*n {
            Node::Leaf(l) => {
                let k = &l.keys;
                for (d, p) in k.iter().zip(&l.pfx) {
                    assert_eq!(*p, prefix::prefix(order, d));
                }
                assert_eq!(k.len(), l.pfx.len());
                (k.len() as u64, k.last().unwrap().clone(), 0)
            }
            Node::Branch(b) => {
                let mut total = 0;
                for (i, ch) in b.children.iter().enumerate() {
                    let (cnt, last, lvl) = walk(ns, ch, order, max);
                    assert_eq!(cnt, b.counts[i]);
                    assert!(last == b.keys[i]);
                    assert_eq!(lvl + 1, b.level);
                    total += cnt;
                }
                (total, b.keys.last().unwrap().clone(), b.level)
            }
        }
    }
    if let Some(r) = &t.root {
        let (cnt, _, _) = walk(ns, r, t.order, t.node_size);
        assert_eq!(cnt, t.len());
    } else {
        assert_eq!(t.len(), 0);
    }
}

#[derive(Clone, Debug)]
enum Op {
    Insert(Datom),
    Replace(Datom),
    Remove(Datom),
    Get(Datom),
    Seek(Datom, bool),
    SeekRev(Datom, bool),
    Count(Datom, Datom, bool),
    Flush,
    Snapshot,
    /// Keep the current version as a snapshot and continue from an older
    /// one (both must stay intact).
    Fork(usize),
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        10 => arb_datom().prop_map(Op::Insert),
        4 => arb_datom().prop_map(Op::Replace),
        6 => arb_datom().prop_map(Op::Remove),
        2 => arb_datom().prop_map(Op::Get),
        2 => (arb_datom(), any::<bool>()).prop_map(|(d, p)| Op::Seek(d, p)),
        2 => (arb_datom(), any::<bool>()).prop_map(|(d, p)| Op::SeekRev(d, p)),
        2 => (arb_datom(), arb_datom(), any::<bool>()).prop_map(|(a, b, p)| Op::Count(a, b, p)),
        1 => Just(Op::Flush),
        1 => Just(Op::Snapshot),
        1 => any::<usize>().prop_map(Op::Fork),
    ]
}

fn run(order: IndexOrder, node_size: usize, ops: Vec<Op>) {
    let mut env = Env::new(4);
    let ns = env.ns.clone();
    let mut t = Tree::new(order).with_node_size(node_size);
    let mut m = Model {
        order,
        v: Vec::new(),
    };
    let mut snaps: Vec<(Tree, Model)> = Vec::new();
    for op in ops {
        match op {
            Op::Insert(d) => assert_eq!(t.insert(&ns, d.clone()).unwrap(), m.insert(d)),
            Op::Replace(d) => assert_eq!(t.replace(&ns, d.clone()).unwrap(), m.replace(d)),
            Op::Remove(d) => assert_eq!(t.remove(&ns, &d).unwrap(), m.remove(&d)),
            Op::Get(d) => assert_eq!(t.get(&ns, &d).unwrap(), m.get(&d)),
            Op::Seek(d, prefix) => {
                let (got, start) = if prefix {
                    let p = prefix_probe(order, &d);
                    let s = m.v.partition_point(|x| p(x) == Ordering::Less);
                    (collect(t.seek(&ns, p).unwrap()), s)
                } else {
                    let p = full_probe(order, &d);
                    let s = m.v.partition_point(|x| p(x) == Ordering::Less);
                    (collect(t.seek(&ns, p).unwrap()), s)
                };
                assert_eq!(got, m.v[start..]);
            }
            Op::SeekRev(d, prefix) => {
                let (got, end) = if prefix {
                    let p = prefix_probe(order, &d);
                    let s = m.v.partition_point(|x| p(x) != Ordering::Greater);
                    (collect(t.seek_rev(&ns, p).unwrap()), s)
                } else {
                    let p = full_probe(order, &d);
                    let s = m.v.partition_point(|x| p(x) != Ordering::Greater);
                    (collect(t.seek_rev(&ns, p).unwrap()), s)
                };
                let mut want = m.v[..end].to_vec();
                want.reverse();
                assert_eq!(got, want);
            }
            Op::Count(a, b, prefix) => {
                let (got, want) = if prefix {
                    let (lo, hi) = (prefix_probe(order, &a), prefix_probe(order, &b));
                    let want =
                        m.v.iter()
                            .filter(|x| lo(x) != Ordering::Less && hi(x) != Ordering::Greater)
                            .count();
                    (t.count_range(&ns, lo, hi).unwrap(), want)
                } else {
                    let (lo, hi) = (full_probe(order, &a), full_probe(order, &b));
                    let want =
                        m.v.iter()
                            .filter(|x| lo(x) != Ordering::Less && hi(x) != Ordering::Greater)
                            .count();
                    (t.count_range(&ns, lo, hi).unwrap(), want)
                };
                assert_eq!(got, want as u64);
            }
            Op::Flush => {
                env.flush(&mut t);
                check_structure(&t, &ns);
            }
            Op::Snapshot => snaps.push((t.clone(), m.clone())),
            Op::Fork(i) => {
                if !snaps.is_empty() {
                    let (st, sm) = snaps[i % snaps.len()].clone();
                    snaps.push((std::mem::replace(&mut t, st), std::mem::replace(&mut m, sm)));
                }
            }
        }
        assert_eq!(t.len(), m.v.len() as u64);
    }
    check_structure(&t, &ns);
    check_all(&t, &m, &ns);
    env.flush(&mut t);
    check_all(&t, &m, &ns);
    for (st, sm) in &snaps {
        check_all(st, sm, &ns);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        // PROPTEST_CASES overrides the default of 64.
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(64),
        ..ProptestConfig::default()
    })]

    #[test]
    fn tree_matches_model(
        order in prop::sample::select(IndexOrder::ALL.to_vec()),
        node_size in 3usize..8,
        ops in prop::collection::vec(arb_op(), 1..400),
    ) {
        run(order, node_size, ops);
    }
}

/// Many datoms, node size 4 (deep tree), random inserts then removes with
/// flushes and snapshots in between.
#[test]
fn deep_tree_random_churn() {
    for order in IndexOrder::ALL {
        let mut env = Env::new(8);
        let ns = env.ns.clone();
        let mut t = Tree::new(order).with_node_size(4);
        let mut m = Model {
            order,
            v: Vec::new(),
        };
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut snaps = Vec::new();
        for round in 0..6 {
            for _ in 0..1500 {
                let r = rnd();
                let d = datom(
                    (r % 400) as i64,
                    (r >> 10) as u8,
                    (r >> 20) as u8,
                    ((r >> 30) % 3) as i64,
                    r >> 40 & 1 == 1,
                );
                if round % 2 == 1 && r >> 50 & 3 != 0 {
                    assert_eq!(t.remove(&ns, &d).unwrap(), m.remove(&d));
                } else {
                    assert_eq!(t.insert(&ns, d.clone()).unwrap(), m.insert(d));
                }
            }
            check_structure(&t, &ns);
            snaps.push((t.clone(), m.clone()));
            env.flush(&mut t);
            check_all(&t, &m, &ns);
        }
        // Remove everything.
        for d in m.v.clone() {
            assert_eq!(t.remove(&ns, &d).unwrap(), m.remove(&d));
        }
        assert!(t.is_empty());
        assert!(t.root.is_none());
        for (st, sm) in &snaps {
            check_all(st, sm, &ns);
        }
    }
}

#[test]
fn default_node_size_sequential_and_random() {
    let mut env = Env::new(64);
    let ns = env.ns.clone();
    let mut t = Tree::new(IndexOrder::Eavt);
    for e in 0..20_000 {
        assert!(t.insert(&ns, datom(e, 0, 2, 0, true)).unwrap());
    }
    check_structure(&t, &ns);
    env.flush(&mut t);
    assert_eq!(t.len(), 20_000);
    assert_eq!(
        t.count_range(&ns, |d| d.e.cmp(&100), |d| d.e.cmp(&199))
            .unwrap(),
        100
    );
    let got: Vec<i64> = collect(t.seek(&ns, |d| d.e.cmp(&19_990)).unwrap())
        .iter()
        .map(|d| d.e)
        .collect();
    assert_eq!(got, (19_990..20_000).collect::<Vec<_>>());
    let got: Vec<i64> = collect(t.seek_rev(&ns, |d| d.e.cmp(&5)).unwrap())
        .iter()
        .map(|d| d.e)
        .collect();
    assert_eq!(got, (0..=5).rev().collect::<Vec<_>>());
    // Insert of an existing key on a stored tree changes nothing.
    assert!(!t.insert(&ns, datom(7, 0, 2, 1, false)).unwrap());
    assert!(!t.is_dirty());
    assert!(
        t.remove(&ns, &datom(20_001, 0, 2, 0, true))
            .unwrap()
            .is_none()
    );
    assert!(!t.is_dirty());
    // Replace changes the tx (EAVT ignores it).
    let old = t.replace(&ns, datom(7, 0, 2, 2, true)).unwrap().unwrap();
    assert_eq!(old.tx, TX0);
    assert_eq!(
        t.get(&ns, &datom(7, 0, 2, 0, true)).unwrap().unwrap().tx,
        TX0 + 2
    );
}

#[test]
fn missing_and_corrupt_nodes_are_storage_errors() {
    let mut env = Env::new(4);
    let ns = env.ns.clone();
    let mut t = Tree::new(IndexOrder::Aevt).with_node_size(4);
    for e in 0..100 {
        t.insert(&ns, datom(e, 1, 3, 0, true)).unwrap();
    }
    env.flush(&mut t);
    ns.clear_cache();
    // Corrupt one leaf: flip a byte.
    let mut reach = Vec::new();
    t.reachable(&ns, &mut reach).unwrap();
    let victim = *reach.last().unwrap();
    let mut bytes = env.store.get(victim).unwrap().unwrap();
    bytes[7] ^= 0x10;
    env.store
        .commit(CommitBatch {
            puts: vec![(victim, bytes)],
            ..Default::default()
        })
        .unwrap();
    ns.clear_cache();
    let errs: Vec<Error> = t.iter(&ns).unwrap().filter_map(|r| r.err()).collect();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].kind, ErrorKind::Storage);
    assert!(errs[0].message.contains(&format!("{victim:#x}")));
    // A missing node.
    env.store
        .commit(CommitBatch {
            deletes: vec![victim],
            ..Default::default()
        })
        .unwrap();
    ns.clear_cache();
    let e = t.iter(&ns).unwrap().find_map(|r| r.err()).unwrap();
    assert_eq!(e.kind, ErrorKind::Storage);
    // A missing root.
    let t2 = Tree::open(IndexOrder::Aevt, Some(999_999), 5);
    assert_eq!(
        t2.get(&ns, &datom(1, 1, 3, 0, true)).unwrap_err().kind,
        ErrorKind::Storage
    );
    assert!(t2.iter(&ns).is_err());
    // The wrong order.
    let t3 = Tree::open(IndexOrder::Eavt, t.root_addr(), t.len());
    ns.clear_cache();
    assert_eq!(t3.iter(&ns).unwrap_err().kind, ErrorKind::Storage);
}

#[test]
fn cursors_are_snapshots() {
    let env = Env::new(16);
    let ns = env.ns.clone();
    let mut t = Tree::new(IndexOrder::Eavt).with_node_size(4);
    for e in 0..50 {
        t.insert(&ns, datom(e, 0, 0, 0, true)).unwrap();
    }
    let mut c = t.iter(&ns).unwrap();
    assert_eq!(c.next().unwrap().unwrap().e, 0);
    for e in 0..50 {
        t.remove(&ns, &datom(e, 0, 0, 0, true)).unwrap();
    }
    t.insert(&ns, datom(1000, 0, 0, 0, true)).unwrap();
    assert_eq!(c.count(), 49);
    assert_eq!(collect(t.iter(&ns).unwrap()).len(), 1);
}

#[test]
fn from_sorted_builds_full_valid_trees() {
    for (n, size) in [
        (0usize, 4usize),
        (1, 4),
        (4, 4),
        (5, 4),
        (17, 4),
        (1000, 4),
        (3000, 512),
    ] {
        let mut env = Env::new(16);
        let ns = env.ns.clone();
        let v: Vec<Datom> = (0..n as i64).map(|e| datom(e, 0, 0, 0, true)).collect();
        let mut t = Tree::new(IndexOrder::Eavt)
            .with_node_size(size)
            .build_sorted(v.clone())
            .unwrap();
        check_structure(&t, &ns);
        let m = Model {
            order: IndexOrder::Eavt,
            v: v.clone(),
        };
        check_all(&t, &m, &ns);
        env.flush(&mut t);
        check_all(&t, &m, &ns);
        // Still mutable afterwards.
        if n > 2 {
            assert!(t.remove(&ns, &v[1]).unwrap().is_some());
            assert!(t.insert(&ns, datom(-1, 0, 0, 0, true)).unwrap());
            check_structure(&t, &ns);
        }
    }
    let unsorted = vec![datom(2, 0, 0, 0, true), datom(1, 0, 0, 0, true)];
    assert!(Tree::from_sorted(IndexOrder::Eavt, unsorted).is_err());
    let dup = vec![datom(1, 0, 0, 0, true), datom(1, 0, 0, 1, true)];
    assert!(Tree::from_sorted(IndexOrder::Eavt, dup).is_err());
}

#[test]
fn flushing_a_shared_version_leaves_the_other_intact() {
    let mut env = Env::new(4);
    let ns = env.ns.clone();
    let mut t = Tree::new(IndexOrder::Avet).with_node_size(4);
    let mut m = Model {
        order: IndexOrder::Avet,
        v: Vec::new(),
    };
    for e in 0..200 {
        let d = datom(e, (e % 3) as u8, (e % 8) as u8, 0, true);
        t.insert(&ns, d.clone()).unwrap();
        m.insert(d);
    }
    let before = t.clone();
    env.flush(&mut t);
    assert!(before.is_dirty());
    check_all(&before, &m, &ns);
    check_all(&t, &m, &ns);
}

#[test]
fn handles_are_send_and_sync() {
    fn check<T: Send + Sync + 'static>() {}
    check::<Tree>();
    check::<NodeStore>();
    check::<Cursor>();
    check::<RevCursor>();
    check::<Arc<dyn crate::store::Store>>();
}

/// End to end through redb: flush two trees, commit with a head, drop every
/// handle, reopen the file and read the same datoms back; then corrupt a
/// node in the file's table and get a storage error.
#[test]
fn redb_round_trip_and_corrupt_node() {
    use crate::store::{HeadUpdate, StoreConfig, open};
    let dir = tempfile::tempdir().unwrap();
    let cfg = StoreConfig::Redb {
        path: dir.path().join("trees.redb"),
    };
    let want: Vec<Datom> = (0..3000)
        .map(|e| datom(e, (e % 3) as u8, (e % 8) as u8, e % 3, true))
        .collect();
    let (root, count) = {
        let store = open(&cfg, true).unwrap();
        let ns = NodeStore::new(store.clone(), 4);
        let mut t = Tree::new(IndexOrder::TEavt).with_node_size(16);
        for d in want.iter().rev() {
            assert!(t.insert(&ns, d.clone()).unwrap());
        }
        let mut out = Vec::new();
        let mut next = 100;
        t.flush(
            &ns,
            &mut || {
                next += 1;
                next
            },
            &mut out,
        )
        .unwrap();
        let root = t.root_addr().unwrap();
        store
            .commit(CommitBatch {
                puts: out,
                deletes: vec![],
                head: Some(HeadUpdate {
                    branch: "db".into(),
                    expected: None,
                    new: root,
                }),
            })
            .unwrap();
        (root, t.len())
    };
    let store = open(&cfg, false).unwrap();
    assert_eq!(store.head("db").unwrap(), Some(root));
    let ns = NodeStore::new(store.clone(), 4);
    let t = Tree::open(IndexOrder::TEavt, Some(root), count);
    assert_eq!(collect(t.iter(&ns).unwrap()), want);
    assert_eq!(
        t.count_range(&ns, |d| d.e.cmp(&10), |d| d.e.cmp(&19))
            .unwrap(),
        10
    );
    let mut reach = Vec::new();
    t.reachable(&ns, &mut reach).unwrap();
    reach.sort_unstable();
    assert_eq!(reach, store.addresses().unwrap());
    // Corrupt one stored node.
    let victim = reach[reach.len() / 2];
    let mut bytes = store.get(victim).unwrap().unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    store
        .commit(CommitBatch {
            puts: vec![(victim, bytes)],
            ..Default::default()
        })
        .unwrap();
    ns.clear_cache();
    // The root or a node on the first path fails the seek itself; any
    // other node fails the iteration once, which then ends.
    let e = match t.iter(&ns) {
        Err(e) => e,
        Ok(c) => {
            let errs: Vec<Error> = c.filter_map(|r| r.err()).collect();
            assert_eq!(errs.len(), 1);
            errs[0].clone()
        }
    };
    assert!(e.message.contains(&format!("{victim:#x}")), "{}", e.message);
    assert_eq!(e.kind, ErrorKind::Storage);
}

/// Readers on several threads share one stored version through a tiny
/// cache while a writer derives new versions from it.
#[test]
fn concurrent_readers_and_writer() {
    let mut env = Env::new(2);
    let ns = env.ns.clone();
    let mut t = Tree::new(IndexOrder::Aevt).with_node_size(8);
    let mut m = Model {
        order: IndexOrder::Aevt,
        v: Vec::new(),
    };
    for e in 0..2000 {
        let d = datom(e, (e % 3) as u8, (e % 8) as u8, 0, true);
        t.insert(&ns, d.clone()).unwrap();
        m.insert(d);
    }
    env.flush(&mut t);
    let base = t.clone();
    std::thread::scope(|s| {
        for _ in 0..3 {
            let (base, ns, want) = (base.clone(), ns.clone(), m.v.clone());
            s.spawn(move || {
                for _ in 0..5 {
                    assert_eq!(collect(base.iter(&ns).unwrap()), want);
                }
            });
        }
        let ns = ns.clone();
        let mut w = base.clone();
        s.spawn(move || {
            for e in 0..2000 {
                w.remove(&ns, &datom(e, (e % 3) as u8, (e % 8) as u8, 0, true))
                    .unwrap()
                    .unwrap();
            }
            assert!(w.is_empty());
        });
    });
    check_all(&base, &m, &ns);
}
