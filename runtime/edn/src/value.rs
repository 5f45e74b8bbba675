//! Values: the one data type Cairn exchanges (EDN data, datom values, query
//! results), and the total order the indexes sort by.
//!
//! Two orders exist, on purpose:
//! - [`cmp_index`] is Datahike's index order (JVM `compare`): numbers compare
//!   numerically across types (`1` and `1.0` are *equal* here, they occupy the
//!   same index slot), vectors compare by length first, keywords without a
//!   namespace sort before namespaced ones, UUIDs compare as signed 64-bit
//!   halves. Values of different kinds compare by a fixed kind rank (see
//!   [`Value::kind_rank`]), so the order is total.
//! - `Ord for Value` refines it into a strict order consistent with `Eq`
//!   (ties between numbers of different kinds are broken by kind), used for
//!   sets, maps and sorting results.
//!
//! Equality follows Clojure `=`: `1` and `1.0` differ, `1` and `1N` are equal,
//! lists and vectors with equal elements are equal.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, LazyLock};

use bigdecimal::BigDecimal;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};
use parking_lot::RwLock;

/// A keyword or symbol name: optional namespace and a name. Interned, so
/// equal names share one allocation and compare by pointer first.
#[derive(Clone)]
pub struct Name(Arc<NameData>);

struct NameData {
    /// `ns/name` or `name`.
    full: Box<str>,
    /// Byte index of the separating `/`, if there is a namespace.
    slash: Option<u32>,
}

static INTERNER: LazyLock<RwLock<HashSet<ArcKey>>> = LazyLock::new(Default::default);

/// Hash-set key that hashes and compares by the full name.
struct ArcKey(Arc<NameData>);
impl PartialEq for ArcKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.full == other.0.full
    }
}
impl Eq for ArcKey {}
impl Hash for ArcKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.full.hash(state)
    }
}
impl std::borrow::Borrow<str> for ArcKey {
    fn borrow(&self) -> &str {
        &self.0.full
    }
}

impl Name {
    /// Interns `full` (`"ns/name"` or `"name"`). A lone `/` is a name without
    /// namespace; otherwise the first `/` separates namespace and name.
    pub fn new(full: &str) -> Name {
        if let Some(k) = INTERNER.read().get(full) {
            return Name(k.0.clone());
        }
        let slash = if full == "/" {
            None
        } else {
            full.find('/').filter(|&i| i > 0).map(|i| i as u32)
        };
        let data = Arc::new(NameData {
            full: full.into(),
            slash,
        });
        let mut w = INTERNER.write();
        if let Some(k) = w.get(full) {
            return Name(k.0.clone());
        }
        w.insert(ArcKey(data.clone()));
        Name(data)
    }

    /// Builds a name from an optional namespace and a name.
    pub fn from_parts(ns: Option<&str>, name: &str) -> Name {
        match ns {
            Some(ns) => Name::new(&format!("{ns}/{name}")),
            None => Name::new(name),
        }
    }

    /// The whole name, `ns/name` or `name`.
    pub fn full(&self) -> &str {
        &self.0.full
    }

    /// The namespace, if any.
    pub fn namespace(&self) -> Option<&str> {
        self.0.slash.map(|i| &self.0.full[..i as usize])
    }

    /// The name without namespace.
    pub fn name(&self) -> &str {
        match self.0.slash {
            Some(i) => &self.0.full[i as usize + 1..],
            None => &self.0.full,
        }
    }

    fn cmp_names(&self, other: &Name) -> Ordering {
        if Arc::ptr_eq(&self.0, &other.0) {
            return Ordering::Equal;
        }
        match (self.namespace(), other.namespace()) {
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (None, None) => cmp_str(self.name(), other.name()),
            (Some(a), Some(b)) => cmp_str(a, b).then_with(|| cmp_str(self.name(), other.name())),
        }
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for Name {}
impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.full.hash(state)
    }
}
impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Name {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_names(other)
    }
}
impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.full())
    }
}

/// A keyword such as `:person/name` (stored without the colon).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Keyword(pub Name);

impl Keyword {
    /// `Keyword::new("person/name")` is `:person/name`. A leading `:` is dropped.
    pub fn new(s: &str) -> Keyword {
        Keyword(Name::new(s.strip_prefix(':').unwrap_or(s)))
    }
    /// The keyword `v` names: a keyword, or a string (JavaScript interop,
    /// a leading `:` dropped).
    pub fn from_value(v: &Value) -> Option<Keyword> {
        match v {
            Value::Keyword(k) => Some(k.clone()),
            Value::Str(s) => Some(Keyword::new(s)),
            _ => None,
        }
    }

    /// The keyword's text without the colon.
    pub fn full(&self) -> &str {
        self.0.full()
    }
    /// The namespace, if any.
    pub fn namespace(&self) -> Option<&str> {
        self.0.namespace()
    }
    /// The name part.
    pub fn name(&self) -> &str {
        self.0.name()
    }
    /// True for a reverse attribute name such as `:person/_friend`.
    pub fn is_reverse(&self) -> bool {
        self.name().starts_with('_')
    }
    /// `:ns/_name` ↔ `:ns/name`.
    pub fn reverse(&self) -> Keyword {
        let name = self.name();
        let flipped = match name.strip_prefix('_') {
            Some(rest) => rest.to_string(),
            None => format!("_{name}"),
        };
        Keyword(Name::from_parts(self.namespace(), &flipped))
    }
}

impl fmt::Debug for Keyword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, ":{}", self.full())
    }
}
impl fmt::Display for Keyword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, ":{}", self.full())
    }
}

/// A symbol such as `?e` or `my.ns/f`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Symbol(pub Name);

impl Symbol {
    /// Interns a symbol.
    pub fn new(s: &str) -> Symbol {
        Symbol(Name::new(s))
    }
    /// The symbol's text.
    pub fn full(&self) -> &str {
        self.0.full()
    }
    /// The namespace, if any.
    pub fn namespace(&self) -> Option<&str> {
        self.0.namespace()
    }
    /// The name part.
    pub fn name(&self) -> &str {
        self.0.name()
    }
}
impl fmt::Debug for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.full())
    }
}
impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.full())
    }
}

/// Every value Cairn handles.
#[derive(Clone)]
pub enum Value {
    /// `nil`
    Nil,
    /// `true` / `false`
    Bool(bool),
    /// 64-bit integer (Clojure `Long`).
    Long(i64),
    /// Arbitrary precision integer, EDN `42N`.
    BigInt(Arc<BigInt>),
    /// Exact ratio (results of integer division in queries), EDN `1/2`.
    Ratio(Arc<BigRational>),
    /// 64-bit float (also the representation of `:db.type/float`).
    Double(f64),
    /// Arbitrary precision decimal, EDN `1.5M`.
    BigDec(Arc<BigDecimal>),
    /// A string.
    Str(Arc<str>),
    /// A character, EDN `\a`.
    Char(char),
    /// A keyword.
    Keyword(Keyword),
    /// A symbol.
    Symbol(Symbol),
    /// A UUID, EDN `#uuid "..."`.
    Uuid(uuid::Uuid),
    /// An instant, milliseconds since the Unix epoch, EDN `#inst "..."`.
    Inst(i64),
    /// A byte array.
    Bytes(Arc<[u8]>),
    /// A list `(...)`.
    List(Arc<Vec<Value>>),
    /// A vector `[...]` (also tuples).
    Vector(Arc<Vec<Value>>),
    /// A set `#{...}`.
    Set(Arc<BTreeSet<Value>>),
    /// A map `{...}`.
    Map(Arc<BTreeMap<Value, Value>>),
    /// Any other tagged literal `#tag value`.
    Tagged(Arc<(Symbol, Value)>),
}

impl Value {
    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }
    /// A keyword value; a leading `:` is dropped.
    pub fn kw(s: &str) -> Value {
        Value::Keyword(Keyword::new(s))
    }
    /// A symbol value.
    pub fn sym(s: &str) -> Value {
        Value::Symbol(Symbol::new(s))
    }
    /// A vector value.
    pub fn vector(items: Vec<Value>) -> Value {
        Value::Vector(Arc::new(items))
    }
    /// A list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::new(items))
    }
    /// A set value.
    pub fn set(items: impl IntoIterator<Item = Value>) -> Value {
        Value::Set(Arc::new(items.into_iter().collect()))
    }
    /// A map value.
    pub fn map(entries: impl IntoIterator<Item = (Value, Value)>) -> Value {
        Value::Map(Arc::new(entries.into_iter().collect()))
    }
    /// A big integer, normalised: it stays a `BigInt` (like Clojure `42N`).
    pub fn bigint(b: BigInt) -> Value {
        Value::BigInt(Arc::new(b))
    }

    /// Is this `nil`?
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }
    /// Clojure truthiness: everything but `nil` and `false`.
    pub fn is_truthy(&self) -> bool {
        !matches!(self, Value::Nil | Value::Bool(false))
    }
    /// Is this any kind of number?
    pub fn is_number(&self) -> bool {
        matches!(
            self,
            Value::Long(_)
                | Value::BigInt(_)
                | Value::Ratio(_)
                | Value::Double(_)
                | Value::BigDec(_)
        )
    }
    /// The long, if this is a `Long`.
    pub fn as_long(&self) -> Option<i64> {
        match self {
            Value::Long(l) => Some(*l),
            _ => None,
        }
    }
    /// The keyword, if this is one.
    pub fn as_keyword(&self) -> Option<&Keyword> {
        match self {
            Value::Keyword(k) => Some(k),
            _ => None,
        }
    }
    /// The symbol, if this is one.
    pub fn as_symbol(&self) -> Option<&Symbol> {
        match self {
            Value::Symbol(s) => Some(s),
            _ => None,
        }
    }
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    /// The elements of a list or vector.
    pub fn as_seq(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Vector(v) => Some(v),
            _ => None,
        }
    }
    /// The elements of a vector only.
    pub fn as_vector(&self) -> Option<&[Value]> {
        match self {
            Value::Vector(v) => Some(v),
            _ => None,
        }
    }
    /// The map, if this is one.
    pub fn as_map(&self) -> Option<&BTreeMap<Value, Value>> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }
    /// Looks a key up in a map value.
    pub fn get(&self, key: &Value) -> Option<&Value> {
        self.as_map().and_then(|m| m.get(key))
    }
    /// Looks a keyword key up in a map value.
    pub fn get_kw(&self, key: &str) -> Option<&Value> {
        self.get(&Value::kw(key))
    }

    /// Rank of the value's kind in the cross-kind order. All numbers share
    /// one rank (they compare numerically).
    pub fn kind_rank(&self) -> u8 {
        match self {
            Value::Nil => 0,
            Value::Bool(_) => 1,
            Value::Long(_)
            | Value::BigInt(_)
            | Value::Ratio(_)
            | Value::Double(_)
            | Value::BigDec(_) => 2,
            Value::Char(_) => 3,
            Value::Str(_) => 4,
            Value::Keyword(_) => 5,
            Value::Symbol(_) => 6,
            Value::Inst(_) => 7,
            Value::Uuid(_) => 8,
            Value::Bytes(_) => 9,
            Value::List(_) | Value::Vector(_) => 10,
            Value::Set(_) => 11,
            Value::Map(_) => 12,
            Value::Tagged(_) => 13,
        }
    }

    /// A short name of the value's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Bool(_) => "boolean",
            Value::Long(_) => "long",
            Value::BigInt(_) => "bigint",
            Value::Ratio(_) => "ratio",
            Value::Double(_) => "double",
            Value::BigDec(_) => "bigdec",
            Value::Str(_) => "string",
            Value::Char(_) => "char",
            Value::Keyword(_) => "keyword",
            Value::Symbol(_) => "symbol",
            Value::Uuid(_) => "uuid",
            Value::Inst(_) => "instant",
            Value::Bytes(_) => "bytes",
            Value::List(_) => "list",
            Value::Vector(_) => "vector",
            Value::Set(_) => "set",
            Value::Map(_) => "map",
            Value::Tagged(_) => "tagged",
        }
    }

    /// Rank among numbers, used only to break ties between equal numbers of
    /// different kinds in the strict order.
    fn number_rank(&self) -> u8 {
        match self {
            Value::Long(_) => 0,
            Value::BigInt(_) => 1,
            Value::Ratio(_) => 2,
            Value::BigDec(_) => 3,
            Value::Double(_) => 4,
            _ => 5,
        }
    }
}

/// Compares two strings like Java's `String.compareTo` (UTF-16 code units).
pub fn cmp_str(a: &str, b: &str) -> Ordering {
    // Fast path: for strings without characters above U+FFFF that sort
    // differently in UTF-16 (surrogates vs U+E000..U+FFFF), byte order equals
    // UTF-16 order.
    let ab = a.as_bytes();
    let bb = b.as_bytes();
    let n = ab.len().min(bb.len());
    let mut i = 0;
    while i < n && ab[i] == bb[i] {
        i += 1;
    }
    if i == n {
        return ab.len().cmp(&bb.len());
    }
    // Bytes differ at i. Only when one side starts a 4-byte sequence (>= 0xF0)
    // and the other a 3-byte sequence for U+E000..U+FFFF (0xEE, 0xEF) does
    // UTF-16 order differ from byte order.
    let (x, y) = (ab[i], bb[i]);
    if (x >= 0xF0 && (0xEE..=0xEF).contains(&y)) || (y >= 0xF0 && (0xEE..=0xEF).contains(&x)) {
        return a.encode_utf16().cmp(b.encode_utf16());
    }
    x.cmp(&y)
}

/// Numeric comparison across number kinds (JVM `compare` on numbers).
fn cmp_numbers(a: &Value, b: &Value) -> Ordering {
    use Value::*;
    match (a, b) {
        (Long(x), Long(y)) => x.cmp(y),
        (Double(x), Double(y)) => cmp_f64(*x, *y),
        (Long(x), Double(y)) => cmp_i64_f64(*x, *y),
        (Double(x), Long(y)) => cmp_i64_f64(*y, *x).reverse(),
        _ => {
            // Exact comparison through rationals when no double is involved;
            // with a double, compare as doubles (what the JVM does).
            match (a, b) {
                (Double(x), other) => cmp_f64(*x, to_f64(other)),
                (other, Double(y)) => cmp_f64(to_f64(other), *y),
                _ => to_ratio(a).cmp(&to_ratio(b)),
            }
        }
    }
}

fn cmp_f64(x: f64, y: f64) -> Ordering {
    // NaN sorts after everything and equals itself; -0.0 == 0.0.
    match x.partial_cmp(&y) {
        Some(o) => o,
        None => x.is_nan().cmp(&y.is_nan()),
    }
}

fn cmp_i64_f64(x: i64, y: f64) -> Ordering {
    if y.is_nan() {
        return Ordering::Less;
    }
    // Exact: compare as i128 against the float's integer part when in range.
    if y >= 9.3e18 {
        return Ordering::Less;
    }
    if y <= -9.3e18 {
        return Ordering::Greater;
    }
    let t = y.trunc();
    let ti = t as i128;
    match (x as i128).cmp(&ti) {
        Ordering::Equal => {
            let frac = y - t;
            if frac > 0.0 {
                Ordering::Less
            } else if frac < 0.0 {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        }
        o => o,
    }
}

/// The value as a double (numbers only; others give NaN).
pub fn to_f64(v: &Value) -> f64 {
    match v {
        Value::Long(l) => *l as f64,
        Value::Double(d) => *d,
        Value::BigInt(b) => b.to_f64().unwrap_or(f64::NAN),
        Value::Ratio(r) => r.to_f64().unwrap_or(f64::NAN),
        Value::BigDec(d) => d.to_f64().unwrap_or(f64::NAN),
        _ => f64::NAN,
    }
}

/// The value as an exact rational (non-double numbers only).
pub fn to_ratio(v: &Value) -> BigRational {
    match v {
        Value::Long(l) => BigRational::from_integer(BigInt::from(*l)),
        Value::BigInt(b) => BigRational::from_integer((**b).clone()),
        Value::Ratio(r) => (**r).clone(),
        Value::BigDec(d) => {
            let (digits, scale) = d.as_bigint_and_exponent();
            if scale >= 0 {
                BigRational::new(digits, num_traits::pow(BigInt::from(10), scale as usize))
            } else {
                BigRational::from_integer(
                    digits * num_traits::pow(BigInt::from(10), (-scale) as usize),
                )
            }
        }
        Value::Double(d) => BigRational::from_float(*d).unwrap_or_else(BigRational::zero),
        _ => BigRational::zero(),
    }
}

fn cmp_seq(a: &[Value], b: &[Value], cmp: fn(&Value, &Value) -> Ordering) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| {
        for (x, y) in a.iter().zip(b) {
            let o = cmp(x, y);
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    })
}

fn cmp_uuid(a: &uuid::Uuid, b: &uuid::Uuid) -> Ordering {
    let (ah, al) = a.as_u64_pair();
    let (bh, bl) = b.as_u64_pair();
    (ah as i64)
        .cmp(&(bh as i64))
        .then((al as i64).cmp(&(bl as i64)))
}

/// Datahike's index order (JVM `compare`): numbers compare numerically
/// across kinds (so `1` and `1.0` are equal here), vectors by length first.
pub fn cmp_index(a: &Value, b: &Value) -> Ordering {
    cmp_with(a, b, cmp_index)
}

fn cmp_with(a: &Value, b: &Value, rec: fn(&Value, &Value) -> Ordering) -> Ordering {
    use Value::*;
    match (a, b) {
        (Str(x), Str(y)) => cmp_str(x, y),
        (Long(x), Long(y)) => x.cmp(y),
        (Keyword(x), Keyword(y)) => x.0.cmp_names(&y.0),
        (Bool(x), Bool(y)) => x.cmp(y),
        (Inst(x), Inst(y)) => x.cmp(y),
        (Uuid(x), Uuid(y)) => cmp_uuid(x, y),
        (Symbol(x), Symbol(y)) => x.0.cmp_names(&y.0),
        (Char(x), Char(y)) => x.cmp(y),
        (Bytes(x), Bytes(y)) => x.cmp(y),
        (List(x) | Vector(x), List(y) | Vector(y)) => cmp_seq(x, y, rec),
        (Set(x), Set(y)) => x.len().cmp(&y.len()).then_with(|| {
            for (p, q) in x.iter().zip(y.iter()) {
                let o = rec(p, q);
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        }),
        (Map(x), Map(y)) => x.len().cmp(&y.len()).then_with(|| {
            for ((pk, pv), (qk, qv)) in x.iter().zip(y.iter()) {
                let o = rec(pk, qk).then_with(|| rec(pv, qv));
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        }),
        (Tagged(x), Tagged(y)) => x.0.0.cmp_names(&y.0.0).then_with(|| rec(&x.1, &y.1)),
        (Nil, Nil) => Ordering::Equal,
        _ if a.is_number() && b.is_number() => cmp_numbers(a, b),
        _ => a.kind_rank().cmp(&b.kind_rank()),
    }
}

fn cmp_strict(a: &Value, b: &Value) -> Ordering {
    let o = cmp_with(a, b, cmp_strict);
    if o == Ordering::Equal && a.is_number() {
        // Integers of either kind with equal value are `=` in Clojure.
        let (ra, rb) = (int_rank(a), int_rank(b));
        return ra.cmp(&rb);
    }
    o
}

/// Long and BigInt share rank 0 (they are `=` when equal in value).
fn int_rank(v: &Value) -> u8 {
    match v.number_rank() {
        0 | 1 => 0,
        r => r,
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        use Value::*;
        match (self, other) {
            (Long(x), Long(y)) => x == y,
            (Str(x), Str(y)) => x == y,
            (Keyword(x), Keyword(y)) => x == y,
            _ => cmp_strict(self, other) == Ordering::Equal,
        }
    }
}
impl Eq for Value {}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Value {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_strict(self, other)
    }
}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        use Value::*;
        match self {
            Nil => 0u8.hash(state),
            Bool(b) => b.hash(state),
            Long(l) => {
                2u8.hash(state);
                l.hash(state)
            }
            BigInt(b) => {
                2u8.hash(state);
                match b.to_i64() {
                    Some(l) => l.hash(state),
                    None => b.hash(state),
                }
            }
            Ratio(r) => {
                3u8.hash(state);
                r.hash(state)
            }
            Double(d) => {
                4u8.hash(state);
                let d = if *d == 0.0 { 0.0 } else { *d };
                if d.is_nan() {
                    u64::MAX.hash(state)
                } else {
                    d.to_bits().hash(state)
                }
            }
            BigDec(d) => {
                5u8.hash(state);
                // Equal decimals (by compareTo) must hash alike: normalise.
                d.normalized().hash(state)
            }
            Str(s) => s.hash(state),
            Char(c) => c.hash(state),
            Keyword(k) => {
                7u8.hash(state);
                k.hash(state)
            }
            Symbol(s) => {
                8u8.hash(state);
                s.hash(state)
            }
            Uuid(u) => u.hash(state),
            Inst(i) => {
                9u8.hash(state);
                i.hash(state)
            }
            Bytes(b) => b.hash(state),
            List(v) | Vector(v) => {
                10u8.hash(state);
                v.hash(state)
            }
            Set(s) => {
                11u8.hash(state);
                s.len().hash(state);
                for x in s.iter() {
                    x.hash(state)
                }
            }
            Map(m) => {
                12u8.hash(state);
                m.len().hash(state);
                for (k, v) in m.iter() {
                    k.hash(state);
                    v.hash(state)
                }
            }
            Tagged(t) => {
                t.0.hash(state);
                t.1.hash(state)
            }
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::edn::to_string(self))
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::edn::to_string(self))
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Long(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Double(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::str(v)
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Str(Arc::from(v))
    }
}
impl From<Keyword> for Value {
    fn from(v: Keyword) -> Self {
        Value::Keyword(v)
    }
}
impl From<uuid::Uuid> for Value {
    fn from(v: uuid::Uuid) -> Self {
        Value::Uuid(v)
    }
}

/// True for a BigInt or Long that is negative.
pub fn is_negative_integer(v: &Value) -> bool {
    match v {
        Value::Long(l) => *l < 0,
        Value::BigInt(b) => b.is_negative(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_order_matches_jvm() {
        let k = |s: &str| Value::kw(s);
        assert_eq!(cmp_index(&k("name"), &k("db/ident")), Ordering::Less);
        assert_eq!(cmp_index(&k("age"), &k("name")), Ordering::Less);
        assert_eq!(cmp_index(&k("a/b"), &k("a-/b")), Ordering::Less);
        assert_eq!(cmp_index(&k("a+b"), &k("a+c+d")), Ordering::Less);
    }

    #[test]
    fn numbers_compare_across_kinds() {
        assert_eq!(
            cmp_index(&Value::Long(1), &Value::Double(1.0)),
            Ordering::Equal
        );
        assert_ne!(Value::Long(1), Value::Double(1.0));
        assert_eq!(Value::Long(1), Value::bigint(BigInt::from(1)));
        assert_eq!(
            cmp_index(&Value::Long(2), &Value::Double(1.5)),
            Ordering::Greater
        );
        assert_eq!(
            cmp_index(&Value::Long(-2), &Value::Double(-1.5)),
            Ordering::Less
        );
        assert!(Value::Long(1) < Value::Double(1.0));
    }

    #[test]
    fn vectors_compare_length_first() {
        let a = Value::vector(vec![Value::Long(9)]);
        let b = Value::vector(vec![Value::Long(1), Value::Long(2)]);
        assert_eq!(cmp_index(&a, &b), Ordering::Less);
        let c = Value::vector(vec![Value::Nil, Value::str("b")]);
        let d = Value::vector(vec![Value::str("a"), Value::str("b")]);
        assert_eq!(cmp_index(&c, &d), Ordering::Less);
    }

    #[test]
    fn strings_compare_like_java() {
        assert_eq!(cmp_str("B", "a"), Ordering::Less);
        assert_eq!(cmp_str("10", "9"), Ordering::Less);
        // U+FF61 (3 bytes in UTF-8) vs U+1F600 (surrogate pair in UTF-16).
        assert_eq!(cmp_str("\u{FF61}", "\u{1F600}"), Ordering::Greater);
    }

    #[test]
    fn uuids_compare_signed() {
        let a = uuid::Uuid::parse_str("80000000-0000-0000-0000-000000000000").unwrap();
        let b = uuid::Uuid::parse_str("00000000-0000-0000-0000-000000000001").unwrap();
        assert_eq!(cmp_index(&Value::Uuid(a), &Value::Uuid(b)), Ordering::Less);
    }

    #[test]
    fn lists_equal_vectors() {
        let l = Value::list(vec![Value::Long(1)]);
        let v = Value::vector(vec![Value::Long(1)]);
        assert_eq!(l, v);
    }
}
