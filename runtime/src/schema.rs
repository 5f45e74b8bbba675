//! Schema: attribute definitions and the derived properties the indexes and
//! the transactor need.

use std::collections::HashMap;
use std::sync::Arc;

use crate::datom::Eid;
use crate::value::Keyword;

/// `:db/valueType` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// `:db.type/string`
    String,
    /// `:db.type/long`
    Long,
    /// `:db.type/double`
    Double,
    /// `:db.type/float`
    Float,
    /// `:db.type/number`
    Number,
    /// `:db.type/boolean`
    Boolean,
    /// `:db.type/keyword`
    Keyword,
    /// `:db.type/symbol`
    Symbol,
    /// `:db.type/ref`
    Ref,
    /// `:db.type/instant`
    Instant,
    /// `:db.type/uuid`
    Uuid,
    /// `:db.type/bigint`
    BigInt,
    /// `:db.type/bigdec`
    BigDec,
    /// `:db.type/bytes`
    Bytes,
    /// `:db.type/tuple`
    Tuple,
}

impl ValueType {
    /// Every value type.
    pub const ALL: [ValueType; 15] = [
        ValueType::String,
        ValueType::Long,
        ValueType::Double,
        ValueType::Float,
        ValueType::Number,
        ValueType::Boolean,
        ValueType::Keyword,
        ValueType::Symbol,
        ValueType::Ref,
        ValueType::Instant,
        ValueType::Uuid,
        ValueType::BigInt,
        ValueType::BigDec,
        ValueType::Bytes,
        ValueType::Tuple,
    ];

    /// `:db.type/string` etc.
    pub fn ident(self) -> &'static str {
        match self {
            ValueType::String => "db.type/string",
            ValueType::Long => "db.type/long",
            ValueType::Double => "db.type/double",
            ValueType::Float => "db.type/float",
            ValueType::Number => "db.type/number",
            ValueType::Boolean => "db.type/boolean",
            ValueType::Keyword => "db.type/keyword",
            ValueType::Symbol => "db.type/symbol",
            ValueType::Ref => "db.type/ref",
            ValueType::Instant => "db.type/instant",
            ValueType::Uuid => "db.type/uuid",
            ValueType::BigInt => "db.type/bigint",
            ValueType::BigDec => "db.type/bigdec",
            ValueType::Bytes => "db.type/bytes",
            ValueType::Tuple => "db.type/tuple",
        }
    }

    /// Parses `:db.type/string` (keyword text without the colon).
    pub fn from_ident(s: &str) -> Option<ValueType> {
        ValueType::ALL.iter().copied().find(|t| t.ident() == s)
    }
}

/// `:db/unique` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unique {
    /// `:db.unique/identity`: unique, upserts, lookup refs.
    Identity,
    /// `:db.unique/value`: unique, lookup refs, no upsert.
    Value,
}

/// One installed attribute (or ident-only entity such as an enum value).
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    /// The attribute's name.
    pub ident: Keyword,
    /// The entity id of the attribute entity (0 for implicit system attributes).
    pub eid: Eid,
    /// `:db/valueType`, if declared.
    pub value_type: Option<ValueType>,
    /// `:db/cardinality :db.cardinality/many`.
    pub many: bool,
    /// `:db/unique`.
    pub unique: Option<Unique>,
    /// `:db/index true`.
    pub index: bool,
    /// `:db/isComponent true`.
    pub component: bool,
    /// `:db/noHistory true`.
    pub no_history: bool,
    /// `:db/doc`.
    pub doc: Option<String>,
    /// `:db/tupleAttrs` (composite tuple sources).
    pub tuple_attrs: Option<Vec<Keyword>>,
    /// `:db/tupleTypes` (heterogeneous tuple).
    pub tuple_types: Option<Vec<ValueType>>,
    /// `:db/tupleType` (homogeneous tuple).
    pub tuple_type: Option<ValueType>,
    /// Was `:db/cardinality` asserted (d/schema shows only what was given)?
    pub cardinality_declared: bool,
    /// Boolean properties asserted as `false` (`FALSE_INDEX`, ...): d/schema
    /// shows them as given.
    pub declared_false: u8,
}

/// `:db/index false` was asserted.
pub const FALSE_INDEX: u8 = 1;
/// `:db/isComponent false` was asserted.
pub const FALSE_COMPONENT: u8 = 2;
/// `:db/noHistory false` was asserted.
pub const FALSE_NO_HISTORY: u8 = 4;

impl Attribute {
    /// An attribute with nothing but its ident.
    pub fn new(ident: Keyword, eid: Eid) -> Attribute {
        Attribute {
            ident,
            eid,
            value_type: None,
            many: false,
            unique: None,
            index: false,
            component: false,
            no_history: false,
            doc: None,
            tuple_attrs: None,
            tuple_types: None,
            tuple_type: None,
            cardinality_declared: false,
            declared_false: 0,
        }
    }
    /// Is this a ref attribute?
    pub fn is_ref(&self) -> bool {
        self.value_type == Some(ValueType::Ref)
    }
    /// Is this attribute kept in AVET (indexed, unique or ref)?
    pub fn in_avet(&self) -> bool {
        self.index || self.unique.is_some() || self.is_ref()
    }
    /// Is this a composite tuple attribute?
    pub fn is_composite(&self) -> bool {
        self.tuple_attrs.is_some()
    }
}

/// Map from attribute ident to its definition (shared, cheap to clone).
pub type AttrMap = HashMap<Keyword, Arc<Attribute>>;

use crate::error::{Error, Result};
use crate::value::Value;

/// Attributes that describe attributes (`:db/valueType`, ...). Asserting
/// one of them on an entity updates the schema.
pub const SCHEMA_ATTRS: [&str; 12] = [
    "db/ident",
    "db/valueType",
    "db/cardinality",
    "db/unique",
    "db/index",
    "db/isComponent",
    "db/noHistory",
    "db/doc",
    "db/tupleAttrs",
    "db/tupleType",
    "db/tupleTypes",
    "db.install/_attribute",
];

/// Attributes that write mode accepts without a schema entry.
pub const EXEMPT_ATTRS: [&str; 7] = [
    "db/txInstant",
    "db/retracted",
    "db/noCommit",
    "db/id",
    "db/ensure",
    "db.entity/attrs",
    "db.entity/preds",
];

/// Is `a` one of the schema-defining attributes?
pub fn is_schema_attr(a: &Keyword) -> bool {
    a.namespace()
        .is_some_and(|ns| ns == "db" || ns == "db.install")
        && SCHEMA_ATTRS.contains(&a.full())
}

/// Does `a` live in the reserved `db` namespaces (`db`, `db.type`, ...)?
pub fn is_reserved(a: &Keyword) -> bool {
    a.namespace()
        .is_some_and(|ns| ns == "db" || ns.starts_with("db."))
}

/// The schema of one database value: installed attributes, by ident and by
/// entity id, plus schema properties asserted on entities that have no
/// `:db/ident` yet (merged when the ident arrives). Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    inner: Arc<SchemaInner>,
}

#[derive(Clone, Debug, Default)]
struct SchemaInner {
    attrs: AttrMap,
    by_eid: HashMap<Eid, Keyword>,
    pending: HashMap<Eid, Attribute>,
    /// source attribute → [(composite tuple attribute, position)]
    composites: HashMap<Keyword, Vec<(Keyword, usize)>>,
}

/// Implicit attributes every database has (keyword mode).
fn implicit(ident: &str) -> Option<Arc<Attribute>> {
    static IMPLICIT: std::sync::LazyLock<AttrMap> = std::sync::LazyLock::new(|| {
        let mut m = AttrMap::new();
        let mut add = |ident: &str, vt: Option<ValueType>, f: &dyn Fn(&mut Attribute)| {
            let mut a = Attribute::new(Keyword::new(ident), 0);
            a.value_type = vt;
            f(&mut a);
            m.insert(a.ident.clone(), Arc::new(a));
        };
        add("db/ident", Some(ValueType::Keyword), &|a| {
            a.unique = Some(Unique::Identity)
        });
        add("db/txInstant", Some(ValueType::Instant), &|a| {
            a.no_history = true
        });
        add("db/valueType", Some(ValueType::Keyword), &|_| {});
        add("db/cardinality", Some(ValueType::Keyword), &|_| {});
        add("db/unique", Some(ValueType::Keyword), &|_| {});
        add("db/index", Some(ValueType::Boolean), &|_| {});
        add("db/isComponent", Some(ValueType::Boolean), &|_| {});
        add("db/noHistory", Some(ValueType::Boolean), &|_| {});
        add("db/doc", Some(ValueType::String), &|_| {});
        add("db/tupleAttrs", None, &|_| {});
        add("db/tupleTypes", None, &|_| {});
        add("db/tupleType", Some(ValueType::Keyword), &|_| {});
        add("db.entity/attrs", Some(ValueType::Keyword), &|a| {
            a.many = true
        });
        add("db.entity/preds", Some(ValueType::Symbol), &|a| {
            a.many = true
        });
        add("db/ensure", Some(ValueType::Keyword), &|_| {});
        m
    });
    IMPLICIT.get(&Keyword::new(ident)).cloned()
}

impl Schema {
    /// Are both the very same schema value (no change in between)?
    pub fn same(&self, other: &Schema) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The attribute `a`: user-installed, or implicit (`:db/ident`, ...).
    pub fn attr(&self, a: &Keyword) -> Option<Arc<Attribute>> {
        if let Some(x) = self.inner.attrs.get(a) {
            return Some(x.clone());
        }
        if is_reserved(a) {
            implicit(a.full())
        } else {
            None
        }
    }

    /// The user-installed attribute `a` (not the implicit ones).
    pub fn user_attr(&self, a: &Keyword) -> Option<&Arc<Attribute>> {
        self.inner.attrs.get(a)
    }

    /// Every user-installed attribute (and ident-only entity).
    pub fn attrs(&self) -> &AttrMap {
        &self.inner.attrs
    }

    /// The ident of entity `e`, if it has one.
    pub fn ident_of(&self, e: Eid) -> Option<&Keyword> {
        self.inner.by_eid.get(&e)
    }

    /// The entity id of ident `k`, if installed.
    pub fn eid_of(&self, k: &Keyword) -> Option<Eid> {
        self.inner.attrs.get(k).map(|a| a.eid)
    }

    /// Composite tuple attributes that `source` feeds: `(tuple attr, position)`.
    pub fn composites_of(&self, source: &Keyword) -> &[(Keyword, usize)] {
        self.inner
            .composites
            .get(source)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Is `a` known to write mode (installed, implicit or exempt)?
    pub fn is_known(&self, a: &Keyword) -> bool {
        self.inner.attrs.contains_key(a) || is_schema_attr(a) || EXEMPT_ATTRS.contains(&a.full())
    }

    /// Every installed ref attribute.
    pub fn ref_attrs(&self) -> Vec<Keyword> {
        self.inner
            .attrs
            .values()
            .filter(|a| a.is_ref())
            .map(|a| a.ident.clone())
            .collect()
    }

    /// Is `a` a ref attribute?
    pub fn is_ref(&self, a: &Keyword) -> bool {
        self.attr(a).is_some_and(|x| x.is_ref())
    }

    /// Is `a` cardinality many?
    pub fn is_many(&self, a: &Keyword) -> bool {
        self.attr(a).is_some_and(|x| x.many)
    }

    /// Applies an asserted (`added`) or retracted schema datom `[e a v]`.
    /// `a` must satisfy [`is_schema_attr`]. Values are validated here.
    pub fn apply(&mut self, e: Eid, a: &Keyword, v: &Value, added: bool) -> Result<()> {
        let inner = Arc::make_mut(&mut self.inner);
        let name = a.full();
        if name == "db.install/_attribute" {
            return Ok(());
        }
        if name == "db/ident" {
            let Value::Keyword(k) = v else {
                return Err(Error::schema(format!(
                    "Bad value for :db/ident: {v}, expected a keyword"
                )));
            };
            if added {
                if let Some(existing) = inner.attrs.get(k) {
                    if existing.eid != e {
                        return Err(Error::schema(format!(
                            "Schema with attribute {k} already exists"
                        )));
                    }
                    return Ok(());
                }
                // A rename or a new ident: start from the entity's previous
                // definition or its pending properties.
                let mut attr = match inner.by_eid.remove(&e) {
                    Some(old) => inner
                        .attrs
                        .remove(&old)
                        .map(|a| (*a).clone())
                        .unwrap_or_else(|| Attribute::new(k.clone(), e)),
                    None => inner
                        .pending
                        .remove(&e)
                        .unwrap_or_else(|| Attribute::new(k.clone(), e)),
                };
                attr.ident = k.clone();
                attr.eid = e;
                inner.by_eid.insert(e, k.clone());
                inner.attrs.insert(k.clone(), Arc::new(attr));
            } else if inner.by_eid.get(&e) == Some(k) {
                inner.by_eid.remove(&e);
                if let Some(old) = inner.attrs.remove(k) {
                    let mut rest = (*old).clone();
                    rest.ident = Keyword::new("db/unnamed");
                    inner.pending.insert(e, rest);
                }
            }
            inner.rebuild_composites();
            return Ok(());
        }
        let ident = inner.by_eid.get(&e).cloned();
        let mut attr = match &ident {
            Some(k) => inner
                .attrs
                .get(k)
                .map(|a| (**a).clone())
                .unwrap_or_else(|| Attribute::new(k.clone(), e)),
            None => inner
                .pending
                .remove(&e)
                .unwrap_or_else(|| Attribute::new(Keyword::new("db/unnamed"), e)),
        };
        set_property(&mut attr, name, v, added)?;
        match ident {
            Some(k) => {
                inner.attrs.insert(k, Arc::new(attr));
            }
            None => {
                inner.pending.insert(e, attr);
            }
        }
        inner.rebuild_composites();
        Ok(())
    }

    /// The user schema as Datahike's `schema` returns it:
    /// `{ident {:db/ident .. :db/valueType .. ... :db/id e}}`.
    pub fn to_value(&self) -> Value {
        Value::map(
            self.inner
                .attrs
                .values()
                .map(|a| (Value::Keyword(a.ident.clone()), attribute_map(a, true))),
        )
    }

    /// Datahike's `reverse-schema`: property → set of attributes having it.
    pub fn reverse_value(&self) -> Value {
        let mut props: std::collections::BTreeMap<Value, Vec<Value>> = Default::default();
        for a in self.inner.attrs.values() {
            let k = Value::Keyword(a.ident.clone());
            let mut push = |p: &str| props.entry(Value::kw(p)).or_default().push(k.clone());
            push("db/ident");
            if let Some(u) = a.unique {
                push("db/unique");
                push(match u {
                    Unique::Identity => "db.unique/identity",
                    Unique::Value => "db.unique/value",
                });
            }
            if a.in_avet() {
                push("db/index");
            }
            if a.is_ref() {
                push("db.type/ref");
            }
            if a.value_type == Some(ValueType::Tuple) {
                push("db.type/tuple");
            }
            if a.many {
                push("db.cardinality/many");
            }
            if a.component {
                push("db/isComponent");
            }
            if a.no_history {
                push("db/noHistory");
            }
        }
        Value::map(props.into_iter().map(|(k, v)| (k, Value::set(v))))
    }

    /// Serialises the schema for the commit record: a vector of attribute
    /// maps with `:db/id`, plus pending entries.
    pub fn to_storage(&self) -> Value {
        let mut items: Vec<Value> = self
            .inner
            .attrs
            .values()
            .map(|a| attribute_map(a, true))
            .collect();
        for a in self.inner.pending.values() {
            let mut m = attribute_map(a, true);
            if let Value::Map(mm) = &mut m {
                Arc::make_mut(mm).remove(&Value::kw("db/ident"));
            }
            items.push(m);
        }
        items.sort();
        Value::vector(items)
    }

    /// Inverse of [`Schema::to_storage`].
    pub fn from_storage(v: &Value) -> Result<Schema> {
        let mut s = Schema::default();
        let items = v
            .as_seq()
            .ok_or_else(|| Error::storage("stored schema is not a vector"))?;
        for item in items {
            let m = item
                .as_map()
                .ok_or_else(|| Error::storage("stored schema entry is not a map"))?;
            let e = m
                .get(&Value::kw("db/id"))
                .and_then(Value::as_long)
                .ok_or_else(|| Error::storage("stored schema entry without :db/id"))?;
            if let Some(ident) = m.get(&Value::kw("db/ident")) {
                s.apply(e, &Keyword::new("db/ident"), ident, true)?;
            }
            for (k, v) in m.iter() {
                let Some(k) = k.as_keyword() else { continue };
                if k.full() == "db/ident" || k.full() == "db/id" {
                    continue;
                }
                s.apply(e, k, v, true)?;
            }
        }
        Ok(s)
    }
}

impl SchemaInner {
    fn rebuild_composites(&mut self) {
        self.composites.clear();
        for a in self.attrs.values() {
            if let Some(srcs) = &a.tuple_attrs {
                for (i, s) in srcs.iter().enumerate() {
                    self.composites
                        .entry(s.clone())
                        .or_default()
                        .push((a.ident.clone(), i));
                }
            }
        }
        for v in self.composites.values_mut() {
            v.sort();
        }
    }
}

fn kw_value(v: &Value, what: &str, allowed: &[&str]) -> Result<Keyword> {
    match v {
        Value::Keyword(k) if allowed.contains(&k.full()) => Ok(k.clone()),
        _ => Err(Error::schema(format!(
            "Bad value {v} for {what}, expected one of {}",
            allowed
                .iter()
                .map(|s| format!(":{s}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn bool_value(v: &Value, what: &str) -> Result<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        _ => Err(Error::schema(format!(
            "Bad value {v} for {what}, expected a boolean"
        ))),
    }
}

fn type_value(v: &Value, what: &str) -> Result<ValueType> {
    v.as_keyword()
        .and_then(|k| ValueType::from_ident(k.full()))
        .ok_or_else(|| {
            Error::schema(format!(
                "Bad value {v} for {what}, expected a value type such as :db.type/string"
            ))
        })
}

fn set_property(attr: &mut Attribute, name: &str, v: &Value, added: bool) -> Result<()> {
    match name {
        "db/valueType" => {
            let t = type_value(v, ":db/valueType")?;
            attr.value_type = added.then_some(t);
        }
        "db/cardinality" => {
            let k = kw_value(
                v,
                ":db/cardinality",
                &["db.cardinality/one", "db.cardinality/many"],
            )?;
            attr.many = added && k.full() == "db.cardinality/many";
            attr.cardinality_declared = added;
        }
        "db/unique" => {
            let k = kw_value(v, ":db/unique", &["db.unique/identity", "db.unique/value"])?;
            attr.unique = if !added {
                None
            } else if k.full() == "db.unique/identity" {
                Some(Unique::Identity)
            } else {
                Some(Unique::Value)
            };
        }
        "db/index" | "db/isComponent" | "db/noHistory" => {
            let b = bool_value(v, &format!(":{name}"))?;
            let (slot, flag) = match name {
                "db/index" => (&mut attr.index, FALSE_INDEX),
                "db/isComponent" => (&mut attr.component, FALSE_COMPONENT),
                _ => (&mut attr.no_history, FALSE_NO_HISTORY),
            };
            *slot = added && b;
            if added && !b {
                attr.declared_false |= flag;
            } else {
                attr.declared_false &= !flag;
            }
        }
        "db/doc" => {
            let s = v.as_str().ok_or_else(|| {
                Error::schema(format!("Bad value {v} for :db/doc, expected a string"))
            })?;
            attr.doc = added.then(|| s.to_string());
        }
        "db/tupleAttrs" => {
            let items = v
                .as_seq()
                .filter(|xs| !xs.is_empty() && xs.iter().all(|x| x.as_keyword().is_some()))
                .ok_or_else(|| {
                    Error::schema(format!(
                        "Bad value {v} for :db/tupleAttrs, expected a vector of attributes"
                    ))
                })?;
            attr.tuple_attrs = added.then(|| {
                items
                    .iter()
                    .filter_map(|x| x.as_keyword().cloned())
                    .collect()
            });
        }
        "db/tupleTypes" => {
            let items = v.as_seq().filter(|xs| !xs.is_empty()).ok_or_else(|| {
                Error::schema(format!(
                    "Bad value {v} for :db/tupleTypes, expected a vector of value types"
                ))
            })?;
            let types = items
                .iter()
                .map(|x| type_value(x, ":db/tupleTypes"))
                .collect::<Result<Vec<_>>>()?;
            attr.tuple_types = added.then_some(types);
        }
        "db/tupleType" => {
            let t = type_value(v, ":db/tupleType")?;
            attr.tuple_type = added.then_some(t);
        }
        _ => return Err(Error::schema(format!("Unknown schema attribute :{name}"))),
    }
    Ok(())
}

/// The attribute as a map of its schema properties.
pub fn attribute_map(a: &Attribute, with_id: bool) -> Value {
    let mut m = std::collections::BTreeMap::new();
    let kw = Value::kw;
    m.insert(kw("db/ident"), Value::Keyword(a.ident.clone()));
    if with_id {
        m.insert(kw("db/id"), Value::Long(a.eid));
    }
    if let Some(t) = a.value_type {
        m.insert(kw("db/valueType"), kw(t.ident()));
    }
    if a.cardinality_declared || a.many {
        m.insert(
            kw("db/cardinality"),
            kw(if a.many {
                "db.cardinality/many"
            } else {
                "db.cardinality/one"
            }),
        );
    }
    if let Some(u) = a.unique {
        m.insert(
            kw("db/unique"),
            kw(match u {
                Unique::Identity => "db.unique/identity",
                Unique::Value => "db.unique/value",
            }),
        );
    }
    for (on, flag, key) in [
        (a.index, FALSE_INDEX, "db/index"),
        (a.component, FALSE_COMPONENT, "db/isComponent"),
        (a.no_history, FALSE_NO_HISTORY, "db/noHistory"),
    ] {
        if on {
            m.insert(kw(key), Value::Bool(true));
        } else if a.declared_false & flag != 0 {
            m.insert(kw(key), Value::Bool(false));
        }
    }
    if let Some(d) = &a.doc {
        m.insert(kw("db/doc"), Value::str(d));
    }
    if let Some(t) = &a.tuple_attrs {
        m.insert(
            kw("db/tupleAttrs"),
            Value::vector(t.iter().cloned().map(Value::Keyword).collect()),
        );
    }
    if let Some(t) = &a.tuple_types {
        m.insert(
            kw("db/tupleTypes"),
            Value::vector(t.iter().map(|t| kw(t.ident())).collect()),
        );
    }
    if let Some(t) = a.tuple_type {
        m.insert(kw("db/tupleType"), kw(t.ident()));
    }
    Value::Map(Arc::new(m))
}
