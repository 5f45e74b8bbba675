use super::*;
use crate::error::ErrorKind;

fn batch(puts: Vec<(Addr, &[u8])>, deletes: Vec<Addr>, head: Option<HeadUpdate>) -> CommitBatch {
    CommitBatch {
        puts: puts.into_iter().map(|(a, b)| (a, b.to_vec())).collect(),
        deletes,
        head,
    }
}

fn hu(branch: &str, expected: Option<Addr>, new: Addr) -> Option<HeadUpdate> {
    Some(HeadUpdate {
        branch: branch.to_string(),
        expected,
        new,
    })
}

/// The behaviour every backend must have.
fn exercise(s: &dyn Store) {
    assert_eq!(s.get(1).unwrap(), None);
    assert_eq!(s.head("db").unwrap(), None);
    s.commit(batch(
        vec![(1, b"one"), (2, b"two")],
        vec![],
        hu("db", None, 2),
    ))
    .unwrap();
    assert_eq!(s.get(1).unwrap().as_deref(), Some(&b"one"[..]));
    assert_eq!(s.head("db").unwrap(), Some(2));
    // A failing CAS writes nothing: neither puts nor deletes nor head.
    for expected in [None, Some(1), Some(3)] {
        let e = s
            .commit(batch(vec![(3, b"three")], vec![1], hu("db", expected, 9)))
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Conflict);
    }
    assert_eq!(s.get(3).unwrap(), None);
    assert_eq!(s.get(1).unwrap().as_deref(), Some(&b"one"[..]));
    assert_eq!(s.head("db").unwrap(), Some(2));
    // A matching CAS applies everything.
    s.commit(batch(vec![(3, b"three")], vec![1], hu("db", Some(2), 3)))
        .unwrap();
    assert_eq!(s.get(1).unwrap(), None);
    assert_eq!(s.get(3).unwrap().as_deref(), Some(&b"three"[..]));
    assert_eq!(s.head("db").unwrap(), Some(3));
    // Without a head update; deleting a missing address is fine.
    s.commit(batch(vec![(10, b"")], vec![77], None)).unwrap();
    assert_eq!(s.get(10).unwrap().as_deref(), Some(&b""[..]));
    assert_eq!(s.addresses().unwrap(), vec![2, 3, 10]);
    // Branches.
    s.commit(batch(vec![], vec![], hu("other", None, 10)))
        .unwrap();
    assert_eq!(
        s.branches().unwrap(),
        vec![("db".to_string(), 3), ("other".to_string(), 10)]
    );
    s.delete_branch("other").unwrap();
    s.delete_branch("never").unwrap();
    assert_eq!(s.branches().unwrap(), vec![("db".to_string(), 3)]);
    assert_eq!(s.head("other").unwrap(), None);
    // Meta.
    assert_eq!(s.meta_get("format").unwrap(), None);
    s.meta_put("format", b"1").unwrap();
    s.meta_put("config", b"{}").unwrap();
    s.meta_put("format", b"2").unwrap();
    assert_eq!(s.meta_get("format").unwrap().as_deref(), Some(&b"2"[..]));
    assert!(s.size_bytes().unwrap() > 0);
}

#[test]
fn memory_store_semantics() {
    let cfg = StoreConfig::Memory {
        id: "store-test-semantics".into(),
    };
    assert_eq!(open(&cfg, false).unwrap_err().kind, ErrorKind::NotFound);
    let s = open(&cfg, true).unwrap();
    assert!(!exists(&cfg).unwrap());
    exercise(&*s);
    assert!(exists(&cfg).unwrap());
    // Same id, same store.
    let s2 = open(&cfg, false).unwrap();
    assert_eq!(s2.head("db").unwrap(), Some(3));
    delete(&cfg).unwrap();
    assert!(!exists(&cfg).unwrap());
    assert_eq!(open(&cfg, false).unwrap_err().kind, ErrorKind::NotFound);
    let fresh = open(&cfg, true).unwrap();
    assert_eq!(fresh.head("db").unwrap(), None);
    delete(&cfg).unwrap();
}

#[test]
fn redb_store_semantics_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = StoreConfig::Redb {
        path: dir.path().join("sub/db.redb"),
    };
    assert_eq!(open(&cfg, false).unwrap_err().kind, ErrorKind::NotFound);
    assert!(!exists(&cfg).unwrap());
    {
        let s = open(&cfg, true).unwrap();
        // The registry hands out the same store for the same file, also
        // through a different spelling of the path.
        let again = open(
            &StoreConfig::Redb {
                path: dir.path().join("sub/../sub/db.redb"),
            },
            false,
        )
        .unwrap();
        assert!(Arc::ptr_eq(&s, &again));
        exercise(&*s);
    }
    // All handles dropped: reopening reads the file again.
    let s = open(&cfg, false).unwrap();
    assert_eq!(s.head("db").unwrap(), Some(3));
    assert_eq!(s.get(3).unwrap().as_deref(), Some(&b"three"[..]));
    assert_eq!(s.meta_get("format").unwrap().as_deref(), Some(&b"2"[..]));
    assert_eq!(s.addresses().unwrap(), vec![2, 3, 10]);
    drop(s);
    assert!(exists(&cfg).unwrap());
    delete(&cfg).unwrap();
    assert!(!exists(&cfg).unwrap());
    assert_eq!(open(&cfg, false).unwrap_err().kind, ErrorKind::NotFound);
    delete(&cfg).unwrap();
}

#[test]
fn redb_delete_while_open_then_recreate() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = StoreConfig::Redb {
        path: dir.path().join("db.redb"),
    };
    let s = open(&cfg, true).unwrap();
    s.meta_put("format", b"1").unwrap();
    delete(&cfg).unwrap();
    assert!(!exists(&cfg).unwrap());
    drop(s);
    let s = open(&cfg, true).unwrap();
    assert_eq!(s.meta_get("format").unwrap(), None);
}

#[test]
fn corrupted_redb_file_is_a_storage_error() {
    let dir = tempfile::tempdir().unwrap();
    // Garbage.
    let path = dir.path().join("garbage.redb");
    let mut junk = Vec::new();
    let mut x = 12345u32;
    for _ in 0..100_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        junk.push((x >> 16) as u8);
    }
    std::fs::write(&path, &junk).unwrap();
    let cfg = StoreConfig::Redb { path };
    assert_eq!(open(&cfg, false).unwrap_err().kind, ErrorKind::Storage);
    assert_eq!(exists(&cfg).unwrap_err().kind, ErrorKind::Storage);

    // A real database with its header destroyed.
    let path = dir.path().join("broken.redb");
    let cfg = StoreConfig::Redb { path: path.clone() };
    {
        let s = open(&cfg, true).unwrap();
        s.commit(batch(
            vec![(1, &[7u8; 5000][..])],
            vec![],
            hu("db", None, 1),
        ))
        .unwrap();
    }
    let mut bytes = std::fs::read(&path).unwrap();
    for b in bytes.iter_mut().take(64) {
        *b ^= 0x5A;
    }
    std::fs::write(&path, &bytes).unwrap();
    let r = open(&cfg, false).and_then(|s| s.get(1));
    assert_eq!(r.unwrap_err().kind, ErrorKind::Storage);

    // Truncated.
    let path = dir.path().join("short.redb");
    let cfg = StoreConfig::Redb { path: path.clone() };
    {
        let s = open(&cfg, true).unwrap();
        s.commit(batch(vec![(1, &[7u8; 5000][..])], vec![], None))
            .unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..100]).unwrap();
    let r = open(&cfg, false).and_then(|s| s.get(1));
    assert_eq!(r.unwrap_err().kind, ErrorKind::Storage);
}

#[test]
fn redb_empty_file_counts_as_missing() {
    let f = tempfile::NamedTempFile::new().unwrap();
    let cfg = StoreConfig::Redb {
        path: f.path().to_path_buf(),
    };
    assert!(!exists(&cfg).unwrap());
    assert_eq!(open(&cfg, false).unwrap_err().kind, ErrorKind::NotFound);
    let s = open(&cfg, true).unwrap();
    s.meta_put("format", b"1").unwrap();
    assert!(exists(&cfg).unwrap());
}
