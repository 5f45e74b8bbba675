//! Attribute definitions derived from struct fields ([`AttrDef`]), the
//! names used to write queries ([`Attr`]), and the schema of a struct with
//! the structs it embeds as components ([`SchemaBuilder`]).

use std::fmt;

use super::value::FieldValue;
use crate::schema::{Unique, ValueType};
use crate::value::{Keyword, Value};

/// An attribute name known at compile time (`Person::NAME` is
/// `:person/name`). Displays as the keyword, so it can be spliced into
/// query text: `format!("[:find ?e :where [?e {} ?n]]", Person::NAME)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Attr(&'static str);

impl Attr {
    /// An attribute from its ident without the colon (`"person/name"`).
    pub const fn new(ident: &'static str) -> Attr {
        Attr(ident)
    }
    /// The ident without the colon.
    pub const fn ident(self) -> &'static str {
        self.0
    }
    /// The attribute as a keyword.
    pub fn keyword(self) -> Keyword {
        Keyword::new(self.0)
    }
    /// The attribute as a keyword value.
    pub fn value(self) -> Value {
        Value::Keyword(self.keyword())
    }
}

impl fmt::Display for Attr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, ":{}", self.0)
    }
}

impl From<Attr> for Value {
    fn from(a: Attr) -> Value {
        a.value()
    }
}

impl From<Attr> for Keyword {
    fn from(a: Attr) -> Keyword {
        a.keyword()
    }
}

/// One attribute of a struct's schema, as `#[derive(Entity)]` declares it.
/// Built with chained calls: `AttrDef::of::<String>("person/name").identity()`.
#[derive(Clone, Debug, PartialEq)]
pub struct AttrDef {
    /// The ident without the colon.
    pub ident: &'static str,
    /// `:db/valueType`.
    pub value_type: ValueType,
    /// `:db.cardinality/many`?
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
    pub doc: Option<&'static str>,
    /// `:db/tupleAttrs` of a composite tuple.
    pub tuple_attrs: Option<Vec<&'static str>>,
    /// `:db/tupleTypes` of a heterogeneous tuple.
    pub tuple_types: Option<Vec<ValueType>>,
    /// `:db/tupleType` of a homogeneous tuple.
    pub tuple_type: Option<ValueType>,
}

impl AttrDef {
    /// An attribute of `value_type`, cardinality one, nothing else.
    pub fn new(ident: &'static str, value_type: ValueType) -> AttrDef {
        AttrDef {
            ident,
            value_type,
            many: false,
            unique: None,
            index: false,
            component: false,
            no_history: false,
            doc: None,
            tuple_attrs: None,
            tuple_types: None,
            tuple_type: None,
        }
    }
    /// An attribute holding `T`s (its value type and tuple types).
    pub fn of<T: FieldValue>(ident: &'static str) -> AttrDef {
        AttrDef {
            tuple_types: T::tuple_types(),
            tuple_type: T::tuple_type(),
            ..AttrDef::new(ident, T::VALUE_TYPE)
        }
    }
    /// Sets `:db/tupleTypes` (a heterogeneous tuple), or nothing for `None`.
    pub fn tuple_types(mut self, types: Option<Vec<ValueType>>) -> AttrDef {
        self.tuple_types = types;
        self
    }
    /// Sets `:db/tupleType` (a homogeneous tuple), or nothing for `None`.
    pub fn tuple_type(mut self, t: Option<ValueType>) -> AttrDef {
        self.tuple_type = t;
        self
    }
    /// A reference attribute (to a struct embedded as a component).
    pub fn reference(ident: &'static str) -> AttrDef {
        AttrDef::new(ident, ValueType::Ref)
    }
    /// Cardinality many.
    pub fn many(mut self) -> AttrDef {
        self.many = true;
        self
    }
    /// `:db.unique/identity`.
    pub fn identity(mut self) -> AttrDef {
        self.unique = Some(Unique::Identity);
        self
    }
    /// `:db.unique/value`.
    pub fn unique_value(mut self) -> AttrDef {
        self.unique = Some(Unique::Value);
        self
    }
    /// `:db/index true`.
    pub fn index(mut self) -> AttrDef {
        self.index = true;
        self
    }
    /// `:db/isComponent true`.
    pub fn component(mut self) -> AttrDef {
        self.component = true;
        self
    }
    /// `:db/noHistory true`.
    pub fn no_history(mut self) -> AttrDef {
        self.no_history = true;
        self
    }
    /// `:db/doc`.
    pub fn doc(mut self, doc: &'static str) -> AttrDef {
        self.doc = Some(doc);
        self
    }
    /// A composite tuple of `attrs` (`:db/tupleAttrs`).
    pub fn composite(mut self, attrs: &[&'static str]) -> AttrDef {
        self.value_type = ValueType::Tuple;
        self.tuple_types = None;
        self.tuple_attrs = Some(attrs.to_vec());
        self
    }

    /// The attribute as a name to write queries with.
    pub fn attr(&self) -> Attr {
        Attr(self.ident)
    }

    /// The schema map to transact (`{:db/ident ... :db/valueType ...}`).
    pub fn to_value(&self) -> Value {
        let kw = Value::kw;
        let mut m = vec![
            (kw("db/ident"), kw(self.ident)),
            (kw("db/valueType"), kw(self.value_type.ident())),
            (
                kw("db/cardinality"),
                kw(if self.many {
                    "db.cardinality/many"
                } else {
                    "db.cardinality/one"
                }),
            ),
        ];
        if let Some(u) = self.unique {
            let u = match u {
                Unique::Identity => "db.unique/identity",
                Unique::Value => "db.unique/value",
            };
            m.push((kw("db/unique"), kw(u)));
        }
        for (on, key) in [
            (self.index, "db/index"),
            (self.component, "db/isComponent"),
            (self.no_history, "db/noHistory"),
        ] {
            if on {
                m.push((kw(key), Value::Bool(true)));
            }
        }
        if let Some(d) = self.doc {
            m.push((kw("db/doc"), Value::str(d)));
        }
        if let Some(t) = &self.tuple_attrs {
            m.push((
                kw("db/tupleAttrs"),
                Value::vector(t.iter().map(|a| kw(a)).collect()),
            ));
        }
        if let Some(t) = &self.tuple_types {
            m.push((
                kw("db/tupleTypes"),
                Value::vector(t.iter().map(|t| kw(t.ident())).collect()),
            ));
        }
        if let Some(t) = self.tuple_type {
            m.push((kw("db/tupleType"), kw(t.ident())));
        }
        Value::map(m)
    }
}

/// Collects the schema of a struct and of the structs it embeds as
/// components, each once (so recursive components terminate).
#[derive(Debug, Default)]
pub struct SchemaBuilder {
    entered: Vec<&'static str>,
    attrs: Vec<AttrDef>,
}

impl SchemaBuilder {
    /// An empty schema.
    pub fn new() -> SchemaBuilder {
        SchemaBuilder::default()
    }

    /// Marks `T` as collected; false if it already was.
    pub fn enter<T: ?Sized>(&mut self) -> bool {
        let name = std::any::type_name::<T>();
        if self.entered.contains(&name) {
            return false;
        }
        self.entered.push(name);
        true
    }

    /// Adds attributes (an ident already present is kept as first given).
    pub fn add(&mut self, defs: Vec<AttrDef>) {
        for d in defs {
            if !self.attrs.iter().any(|a| a.ident == d.ident) {
                self.attrs.push(d);
            }
        }
    }

    /// The attributes collected, in declaration order.
    pub fn attrs(&self) -> &[AttrDef] {
        &self.attrs
    }

    /// The schema as tx data: a vector of attribute maps.
    pub fn to_value(&self) -> Value {
        Value::vector(self.attrs.iter().map(AttrDef::to_value).collect())
    }
}
