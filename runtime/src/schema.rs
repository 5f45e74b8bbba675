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
}

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
