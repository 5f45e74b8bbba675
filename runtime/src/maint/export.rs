//! `export-db` / `import-db`: a streaming, versioned, checksummed dump.
//!
//! Format (UTF-8, one EDN value per line):
//!
//! ```text
//! #cairn/export {:version 1 :format "edn-lines" :config {...} :max-tx n :max-eid n}
//! [e a v tx added]
//! ...
//! #cairn/export-end {:datoms n :checksum "<xxh3-64 hex>"}
//! ```
//!
//! Datom lines come in (tx, e, a, v) order, from the history view when the
//! database keeps history (every assertion and retraction) and from the
//! current view otherwise. The checksum is the xxh3-64 of every datom line
//! including its `\n`, as 16 lower-case hex digits. Every value type
//! round-trips through the EDN printer and reader, so the dump is
//! type-exact between backends.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use xxhash_rust::xxh3::Xxh3;

use crate::conn::{Connection, now_ms};
use crate::datom::{Datom, IndexOrder, TX0};
use crate::db::Db;
use crate::error::{Error, ErrorKind, Result};
use crate::schema::is_schema_attr;
use crate::value::{Keyword, Symbol, Value};

/// The version of the export format written and read.
pub const EXPORT_VERSION: i64 = 1;
const FORMAT: &str = "edn-lines";
const HEADER_TAG: &str = "cairn/export";
const END_TAG: &str = "cairn/export-end";
/// Datoms sorted in memory at once; larger exports spill sorted runs to
/// temporary files next to the target and merge them.
const RUN_DATOMS: usize = 100_000;

fn io_err(path: &Path, what: &str, e: std::io::Error) -> Error {
    let kind = if e.kind() == std::io::ErrorKind::NotFound {
        ErrorKind::NotFound
    } else {
        ErrorKind::Storage
    };
    Error::new(kind, format!("{what} {}: {e}", path.display()))
}

/// The order of the dump: tx, then e, a, v, then retractions first.
fn dump_cmp(x: &Datom, y: &Datom) -> Ordering {
    x.tx.cmp(&y.tx)
        .then_with(|| IndexOrder::Eavt.cmp(x, y))
        .then_with(|| x.added.cmp(&y.added))
}

/// Temporary files removed when dropped.
struct TempFiles(Vec<PathBuf>);

impl Drop for TempFiles {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    path.with_file_name(format!("{name}{suffix}"))
}

/// Parses a datom line `[e a v tx added]`.
fn parse_datom(line: &str, path: &Path, lineno: usize) -> Result<Datom> {
    let bad = |why: String| {
        Error::syntax(format!(
            "{} line {lineno}: {why}: {}",
            path.display(),
            line.chars().take(200).collect::<String>()
        ))
    };
    let v = crate::edn::read(line).map_err(|e| bad(format!("unreadable datom ({e})")))?;
    let items = v
        .as_vector()
        .filter(|xs| xs.len() == 5)
        .ok_or_else(|| bad("expected [e a v tx added]".into()))?;
    match (&items[0], &items[1], &items[3], &items[4]) {
        (Value::Long(e), Value::Keyword(a), Value::Long(tx), Value::Bool(added)) if *e > 0 => Ok(
            Datom::with_added(*e, a.clone(), items[2].clone(), *tx, *added),
        ),
        _ => Err(bad("expected [e a v tx added]".into())),
    }
}

/// One sorted run being merged.
struct Run {
    head: Datom,
    lines: std::io::Lines<BufReader<File>>,
    path: PathBuf,
    lineno: usize,
}

impl Run {
    fn advance(&mut self) -> Result<Option<Datom>> {
        match self.lines.next() {
            None => Ok(None),
            Some(l) => {
                let l = l.map_err(|e| io_err(&self.path, "cannot read", e))?;
                self.lineno += 1;
                parse_datom(&l, &self.path, self.lineno).map(Some)
            }
        }
    }
}

struct HeapItem(Run);

impl PartialEq for HeapItem {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for HeapItem {}
impl PartialOrd for HeapItem {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for HeapItem {
    // Reversed: BinaryHeap is a max-heap.
    fn cmp(&self, o: &Self) -> Ordering {
        dump_cmp(&o.0.head, &self.0.head)
    }
}

/// Writes datom lines and keeps the count and checksum.
struct DumpWriter<W: Write> {
    out: W,
    hash: Xxh3,
    count: u64,
    path: PathBuf,
}

impl<W: Write> DumpWriter<W> {
    fn datom(&mut self, d: &Datom) -> Result<()> {
        let mut line = crate::edn::to_string(&d.to_value());
        line.push('\n');
        self.hash.update(line.as_bytes());
        self.count += 1;
        self.out
            .write_all(line.as_bytes())
            .map_err(|e| io_err(&self.path, "cannot write", e))
    }
}

fn write_run(datoms: &mut Vec<Datom>, path: &Path) -> Result<()> {
    datoms.sort_by(dump_cmp);
    let f = File::create(path).map_err(|e| io_err(path, "cannot create", e))?;
    let mut w = BufWriter::new(f);
    for d in datoms.drain(..) {
        let mut line = crate::edn::to_string(&d.to_value());
        line.push('\n');
        w.write_all(line.as_bytes())
            .map_err(|e| io_err(path, "cannot write", e))?;
    }
    w.flush().map_err(|e| io_err(path, "cannot write", e))
}

/// Exports every datom of `db` to `path` (see the module docs for the
/// format): the history view when the database keeps history (so time
/// views survive an import), the current view otherwise; a time view of
/// `db` limits the export to what it admits.
///
/// Streams: at most 100 000 datoms are held in memory; larger
/// databases are sorted into temporary run files next to `path` and merged.
/// The file is written as `<path>.partial` and renamed when complete.
/// Returns `{:datoms n :checksum "<hex>" :max-tx n :path "<path>"}`.
/// I/O failures are errors of kind `storage`.
pub fn export_db(db: &Db, path: &Path) -> Result<Value> {
    export_with_runs(db, path, RUN_DATOMS)
}

/// [`export_db`] sorting at most `run` datoms in memory at once.
pub(crate) fn export_with_runs(db: &Db, path: &Path, run: usize) -> Result<Value> {
    let run = run.max(1);
    let source = if db.config().keep_history {
        db.history()?
    } else {
        db.clone()
    };
    let mut temps = TempFiles(Vec::new());
    let mut chunk: Vec<Datom> = Vec::new();
    for d in source.seek_datoms(IndexOrder::Eavt, &[])? {
        chunk.push(d?);
        if chunk.len() >= run {
            let p = sibling(path, &format!(".run{}", temps.0.len()));
            temps.0.push(p.clone());
            write_run(&mut chunk, &p)?;
        }
    }
    let partial = sibling(path, ".partial");
    let mut partial_guard = TempFiles(vec![partial.clone()]);
    let f = File::create(&partial).map_err(|e| io_err(&partial, "cannot create", e))?;
    let mut w = DumpWriter {
        out: BufWriter::new(f),
        hash: Xxh3::new(),
        count: 0,
        path: partial.clone(),
    };
    let header = Value::Tagged(Arc::new((
        Symbol::new(HEADER_TAG),
        Value::map([
            (Value::kw("version"), Value::Long(EXPORT_VERSION)),
            (Value::kw("format"), Value::str(FORMAT)),
            (Value::kw("config"), db.config().to_value()),
            (Value::kw("max-tx"), Value::Long(db.max_tx())),
            (Value::kw("max-eid"), Value::Long(db.max_eid())),
        ]),
    )));
    writeln!(w.out, "{}", crate::edn::to_string(&header))
        .map_err(|e| io_err(&partial, "cannot write", e))?;
    if temps.0.is_empty() {
        chunk.sort_by(dump_cmp);
        for d in &chunk {
            w.datom(d)?;
        }
    } else {
        if !chunk.is_empty() {
            let p = sibling(path, &format!(".run{}", temps.0.len()));
            temps.0.push(p.clone());
            write_run(&mut chunk, &p)?;
        }
        let mut heap = BinaryHeap::new();
        for p in &temps.0 {
            let f = File::open(p).map_err(|e| io_err(p, "cannot open", e))?;
            let mut lines = BufReader::new(f).lines();
            if let Some(first) = lines.next() {
                let first = first.map_err(|e| io_err(p, "cannot read", e))?;
                heap.push(HeapItem(Run {
                    head: parse_datom(&first, p, 1)?,
                    lines,
                    path: p.clone(),
                    lineno: 1,
                }));
            }
        }
        while let Some(HeapItem(mut run)) = heap.pop() {
            w.datom(&run.head)?;
            if let Some(next) = run.advance()? {
                run.head = next;
                heap.push(HeapItem(run));
            }
        }
    }
    let checksum = format!("{:016x}", w.hash.digest());
    let end = Value::Tagged(Arc::new((
        Symbol::new(END_TAG),
        Value::map([
            (Value::kw("datoms"), Value::Long(w.count as i64)),
            (Value::kw("checksum"), Value::str(&checksum)),
        ]),
    )));
    writeln!(w.out, "{}", crate::edn::to_string(&end))
        .map_err(|e| io_err(&partial, "cannot write", e))?;
    let f = w
        .out
        .into_inner()
        .map_err(|e| io_err(&partial, "cannot write", e.into_error()))?;
    f.sync_all()
        .map_err(|e| io_err(&partial, "cannot write", e))?;
    std::fs::rename(&partial, path).map_err(|e| io_err(path, "cannot write", e))?;
    partial_guard.0.clear();
    Ok(Value::map([
        (Value::kw("datoms"), Value::Long(w.count as i64)),
        (Value::kw("checksum"), Value::str(&checksum)),
        (Value::kw("max-tx"), Value::Long(db.max_tx())),
        (Value::kw("path"), Value::str(&path.display().to_string())),
    ]))
}

/// The header of an export file.
struct Header {
    max_eid: i64,
}

fn tagged<'a>(v: &'a Value, tag: &str) -> Option<&'a Value> {
    match v {
        Value::Tagged(t) if t.0.full() == tag => Some(&t.1),
        _ => None,
    }
}

fn read_header(line: Option<&str>, path: &Path) -> Result<Header> {
    let bad = |why: &str| Error::syntax(format!("{} line 1: {why}", path.display()));
    let line = line.ok_or_else(|| bad("empty file, expected a #cairn/export header"))?;
    let v = crate::edn::read(line).map_err(|e| bad(&format!("unreadable header ({e})")))?;
    let m = tagged(&v, HEADER_TAG).ok_or_else(|| bad("not a #cairn/export header"))?;
    match m.get_kw("version") {
        Some(Value::Long(EXPORT_VERSION)) => {}
        other => {
            return Err(bad(&format!(
                "unsupported export version {}, this Cairn reads version {EXPORT_VERSION}",
                other.cloned().unwrap_or(Value::Nil)
            )));
        }
    }
    if m.get_kw("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(bad(&format!(
            "unsupported format {}, expected \"{FORMAT}\"",
            m.get_kw("format").cloned().unwrap_or(Value::Nil)
        )));
    }
    let max_eid = m
        .get_kw("max-eid")
        .and_then(Value::as_long)
        .ok_or_else(|| bad("header lacks :max-eid"))?;
    Ok(Header { max_eid })
}

/// Verifies the whole file: header, every datom line, ascending tx,
/// the end line's count and checksum. Returns the header and datom count.
fn verify(path: &Path) -> Result<(Header, u64)> {
    let f = File::open(path).map_err(|e| io_err(path, "cannot open export", e))?;
    let mut lines = BufReader::new(f).lines();
    let first = match lines.next() {
        None => None,
        Some(l) => Some(l.map_err(|e| io_err(path, "cannot read", e))?),
    };
    let header = read_header(first.as_deref(), path)?;
    let mut hash = Xxh3::new();
    let mut count = 0u64;
    let mut last_tx = i64::MIN;
    let mut lineno = 1;
    let mut end: Option<(usize, Value)> = None;
    for l in lines {
        let l = l.map_err(|e| io_err(path, "cannot read", e))?;
        lineno += 1;
        if let Some((n, _)) = &end {
            if l.trim().is_empty() {
                continue;
            }
            return Err(Error::storage(format!(
                "{} line {lineno}: data after the #cairn/export-end line {n}",
                path.display()
            )));
        }
        if l.starts_with("#cairn/export-end") {
            let v = crate::edn::read(&l).map_err(|e| {
                Error::storage(format!(
                    "{} line {lineno}: corrupt #cairn/export-end line ({e})",
                    path.display()
                ))
            })?;
            let m = tagged(&v, END_TAG).cloned().ok_or_else(|| {
                Error::storage(format!(
                    "{} line {lineno}: corrupt #cairn/export-end line",
                    path.display()
                ))
            })?;
            end = Some((lineno, m));
            continue;
        }
        let d = parse_datom(&l, path, lineno)?;
        if d.tx < last_tx {
            return Err(Error::storage(format!(
                "{} line {lineno}: transaction {} after {last_tx}, the file is out of order",
                path.display(),
                d.tx
            )));
        }
        last_tx = d.tx;
        hash.update(l.as_bytes());
        hash.update(b"\n");
        count += 1;
    }
    let Some((endline, m)) = end else {
        return Err(Error::storage(format!(
            "{} is truncated: no #cairn/export-end line after {count} datoms (line {lineno})",
            path.display()
        )));
    };
    let want = m.get_kw("datoms").and_then(Value::as_long);
    if want != Some(count as i64) {
        return Err(Error::storage(format!(
            "{} line {endline}: the end line announces {} datoms but the file holds {count}",
            path.display(),
            want.map(|n| n.to_string()).unwrap_or_else(|| "no".into())
        )));
    }
    let sum = format!("{:016x}", hash.digest());
    let want = m.get_kw("checksum").and_then(Value::as_str).unwrap_or("");
    if want != sum {
        return Err(Error::storage(format!(
            "{} is corrupt: checksum of the datom lines is {sum}, the end line says {want:?}",
            path.display()
        )));
    }
    Ok((header, count))
}

/// Schema facts seen so far in an import: which attributes are composite
/// tuples (derived by the transactor, so not replayed).
#[derive(Default)]
struct SchemaTrack {
    idents: HashMap<i64, Keyword>,
    composite_eids: HashSet<i64>,
}

impl SchemaTrack {
    fn note(&mut self, d: &Datom) {
        if !d.added {
            return;
        }
        match d.a.full() {
            "db/ident" => {
                if let Value::Keyword(k) = &d.v {
                    self.idents.insert(d.e, k.clone());
                }
            }
            "db/tupleAttrs" => {
                self.composite_eids.insert(d.e);
            }
            _ => {}
        }
    }

    fn is_composite(&self, db: &Db, a: &Keyword) -> bool {
        db.schema().attr(a).is_some_and(|x| x.is_composite())
            || self
                .composite_eids
                .iter()
                .any(|e| self.idents.get(e) == Some(a))
    }
}

/// Replays one transaction's datoms with their entity and tx ids.
fn replay(
    conn: &Connection,
    group: &[Datom],
    max_eid: i64,
    track: &mut SchemaTrack,
    path: &Path,
    first_line: usize,
) -> Result<()> {
    let tx = group[0].tx;
    for d in group {
        if is_schema_attr(&d.a) || d.a.full() == "db/ident" {
            track.note(d);
        }
    }
    let instant = group.iter().find_map(|d| match (&d.v, d.added) {
        (Value::Inst(ms), true) if d.e == tx && d.a.full() == "db/txInstant" => Some(*ms),
        _ => None,
    });
    conn.transact_with(|before| {
        if before.max_tx() >= tx {
            return Err(Error::conflict(format!(
                "{} line {first_line}: transaction {tx} is not after the target's {}",
                path.display(),
                before.max_tx()
            )));
        }
        let item =
            |d: &Datom| Value::Tagged(Arc::new((Symbol::new("datahike/Datom"), d.to_value())));
        let keep = |d: &&Datom| {
            let own_instant = d.e == tx && d.a.full() == "db/txInstant" && instant.is_some();
            let derived = track.is_composite(before, &d.a);
            !own_instant && !derived
        };
        let schema = group.iter().filter(|d| is_schema_attr(&d.a)).filter(keep);
        let retracts = group
            .iter()
            .filter(|d| !is_schema_attr(&d.a) && !d.added)
            .filter(keep);
        let asserts = group
            .iter()
            .filter(|d| !is_schema_attr(&d.a) && d.added)
            .filter(keep);
        let items: Vec<Value> = schema.chain(retracts).chain(asserts).map(item).collect();
        let mut st = before.state().clone();
        st.max_tx = tx - 1;
        st.max_eid = st.max_eid.max(max_eid.min(TX0 - 1));
        let db = Db::new(st);
        crate::tx::transact_opts(
            &db,
            &Value::vector(items),
            None,
            instant.unwrap_or_else(now_ms),
            false,
        )
        .map_err(|e| {
            Error::new(
                e.kind,
                format!(
                    "{} line {first_line}: replaying transaction {tx} failed: {}",
                    path.display(),
                    e.message
                ),
            )
        })
    })?;
    Ok(())
}

/// Imports an export file (see [`export_db`]) into the empty database of
/// `conn`, keeping entity ids, transaction ids and `:db/txInstant`, so the
/// imported database's history and as-of views equal the source's.
///
/// First verifies the whole file (header version and format, every datom
/// line, ascending transactions, the end line's count and checksum): a
/// truncated or corrupted file is an error naming the file, line and
/// problem (`storage` for truncation, checksum or count mismatches,
/// `syntax` for unreadable lines or an unsupported header) and imports
/// nothing. The target must be in its initial state (no transaction yet),
/// else an error of kind `conflict`. Then replays one transaction at a time
/// (only that transaction is buffered): schema datoms first as they come,
/// then retractions, then assertions; derived composite tuples are
/// recomputed by the transactor rather than replayed. Datoms of the
/// initial transaction `tx0` are skipped (the target has its own).
///
/// Returns `{:datoms n :txs n :max-tx n}`.
pub fn import_db(conn: &Connection, path: &Path) -> Result<Value> {
    let (header, count) = verify(path)?;
    let target = conn.db()?;
    if target.max_tx() != TX0 {
        return Err(Error::conflict(format!(
            "import-db needs an empty database, the target already has transactions up to {}",
            target.max_tx()
        )));
    }
    let f = File::open(path).map_err(|e| io_err(path, "cannot open export", e))?;
    let mut lines = BufReader::new(f).lines().enumerate().skip(1);
    let mut group: Vec<Datom> = Vec::new();
    let mut group_line = 0;
    let mut track = SchemaTrack::default();
    let mut txs = 0i64;
    loop {
        let next = match lines.next() {
            None => None,
            Some((i, l)) => {
                let l = l.map_err(|e| io_err(path, "cannot read", e))?;
                if l.starts_with("#cairn/export-end") {
                    None
                } else {
                    Some((parse_datom(&l, path, i + 1)?, i + 1))
                }
            }
        };
        let flush = match &next {
            None => true,
            Some((d, _)) => group.first().is_some_and(|g| g.tx != d.tx),
        };
        if flush && !group.is_empty() {
            if group[0].tx > TX0 {
                replay(conn, &group, header.max_eid, &mut track, path, group_line)?;
                txs += 1;
            }
            group.clear();
        }
        match next {
            None => break,
            Some((d, line)) => {
                if group.is_empty() {
                    group_line = line;
                }
                group.push(d);
            }
        }
    }
    Ok(Value::map([
        (Value::kw("datoms"), Value::Long(count as i64)),
        (Value::kw("txs"), Value::Long(txs)),
        (Value::kw("max-tx"), Value::Long(conn.db()?.max_tx())),
    ]))
}
