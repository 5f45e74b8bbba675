//! Write-time checks: value types against the schema, tuple shapes, and
//! which schema changes a map-form transaction may make.

use super::Tx;
use crate::error::{Error, Result};
use crate::schema::{Attribute, ValueType, is_reserved};
use crate::value::{Keyword, Value};

/// Does `v` conform to `t`? (Datahike's write-mode validators.)
pub(crate) fn conforms(t: ValueType, v: &Value) -> bool {
    match t {
        ValueType::String => matches!(v, Value::Str(_)),
        ValueType::Long => matches!(v, Value::Long(_)),
        ValueType::Double | ValueType::Float => matches!(v, Value::Double(_)),
        ValueType::Number => v.is_number(),
        ValueType::Boolean => matches!(v, Value::Bool(_)),
        ValueType::Keyword => matches!(v, Value::Keyword(_)),
        ValueType::Symbol => matches!(v, Value::Symbol(_)),
        ValueType::Ref => matches!(v, Value::Long(_)),
        ValueType::Instant => matches!(v, Value::Inst(_)),
        ValueType::Uuid => matches!(v, Value::Uuid(_)),
        ValueType::BigInt => matches!(v, Value::Long(_) | Value::BigInt(_)),
        ValueType::BigDec => matches!(v, Value::BigDec(_)),
        ValueType::Bytes => matches!(v, Value::Bytes(_)),
        ValueType::Tuple => matches!(v, Value::Vector(_)),
    }
}

fn predicate_name(t: ValueType) -> &'static str {
    match t {
        ValueType::String => "string?",
        ValueType::Long => "long?",
        ValueType::Double => "double?",
        ValueType::Float => "float?",
        ValueType::Number => "number?",
        ValueType::Boolean => "boolean?",
        ValueType::Keyword => "keyword?",
        ValueType::Symbol => "symbol?",
        ValueType::Ref => "entity id",
        ValueType::Instant => "inst?",
        ValueType::Uuid => "uuid?",
        ValueType::BigInt => "integer?",
        ValueType::BigDec => "decimal?",
        ValueType::Bytes => "bytes?",
        ValueType::Tuple => "vector?",
    }
}

impl Tx {
    /// Validates value `v` (already resolved) of `attr` for `item`.
    pub(super) fn check_value(&self, item: &Value, attr: &Attribute, v: &Value) -> Result<()> {
        if self.write_mode {
            if let Some(t) = attr.value_type {
                if !conforms(t, v) {
                    return Err(Error::type_error(format!(
                        "Bad entity value {v} at {item}, value does not match schema definition. Must be conform to: {}",
                        predicate_name(t)
                    )));
                }
            }
        }
        if let Some(t) = attr.tuple_type {
            let Some(xs) = v.as_vector() else {
                return Err(Error::type_error(format!(
                    "Bad tuple value {v} at {item}, expected a vector"
                )));
            };
            if xs.len() > 8 {
                return Err(Error::schema(format!(
                    "Cannot store more than 8 values for homogeneous tuple: {v}"
                )));
            }
            // Datahike: every element of one host type (a long among doubles
            // fails even for :db.type/number); nil is no value of the type
            // (only composite tuples, which the database derives, hold nil).
            if let Some(i) = xs.iter().position(Value::is_nil) {
                return Err(Error::type_error(format!(
                    "Cannot store homogeneous tuple {v}: element {i} is nil, not of type :{}",
                    t.ident()
                )));
            }
            let mut kinds = xs.iter().map(std::mem::discriminant);
            if let Some(k) = kinds.next() {
                if kinds.any(|x| x != k) {
                    return Err(Error::type_error(format!(
                        "Cannot store homogeneous tuple with values of different type: {item}"
                    )));
                }
            }
            if let Some(bad) = xs.iter().find(|x| !conforms(t, x)) {
                return Err(Error::type_error(format!(
                    "Cannot store homogeneous tuple {v}: {bad} is not of type :{}",
                    t.ident()
                )));
            }
        }
        if let Some(ts) = &attr.tuple_types {
            let Some(xs) = v.as_vector() else {
                return Err(Error::type_error(format!(
                    "Bad tuple value {v} at {item}, expected a vector"
                )));
            };
            if xs.len() != ts.len() {
                return Err(Error::schema(format!(
                    "Cannot store heterogeneous tuple: expecting {} values, got {}",
                    ts.len(),
                    xs.len()
                )));
            }
            for (x, t) in xs.iter().zip(ts) {
                if !conforms(*t, x) {
                    return Err(Error::type_error(format!(
                        "Cannot store heterogeneous tuple {v}: {x} is not of type :{}",
                        t.ident()
                    )));
                }
            }
        }
        Ok(())
    }

    /// Checks a map-form schema change of entity `e` (Datahike's
    /// `check-schema-update`).
    pub(super) fn check_schema_update(
        &self,
        e: i64,
        m: &std::collections::BTreeMap<Value, Value>,
    ) -> Result<()> {
        let get = |k: &str| m.get(&Value::kw(k));
        if let Some(Value::Keyword(ident)) = get("db/ident") {
            if is_reserved(ident) {
                return Err(Error::schema(format!(
                    "Using namespace 'db' for attribute identifiers is not allowed: {ident}"
                )));
            }
        }
        let installed = self
            .st
            .schema
            .ident_of(e)
            .and_then(|k| self.st.schema.user_attr(k))
            .filter(|a| a.value_type.is_some())
            .cloned();
        match installed {
            Some(attr) => {
                let mut invalid: Vec<(Value, Value, Value)> = Vec::new();
                let current = crate::schema::attribute_map(&attr, false);
                for (k, new) in m.iter() {
                    let Some(key) = k.as_keyword() else { continue };
                    let name = key.full();
                    if !crate::schema::SCHEMA_ATTRS.contains(&name)
                        || name == "db.install/_attribute"
                    {
                        continue;
                    }
                    let old = current.get(k).cloned().unwrap_or(match name {
                        "db/index" | "db/isComponent" | "db/noHistory" => Value::Bool(false),
                        _ => Value::Nil,
                    });
                    if &old == new {
                        continue;
                    }
                    let allowed = match name {
                        "db/doc" | "db/noHistory" | "db/isComponent" => true,
                        "db/cardinality" => {
                            !(attr.unique.is_some()
                                && new.as_keyword().map(Keyword::full)
                                    == Some("db.cardinality/many"))
                        }
                        "db/unique" => attr.unique.is_some() && !attr.many,
                        _ => false,
                    };
                    if !allowed {
                        invalid.push((k.clone(), old, new.clone()));
                    }
                }
                if !invalid.is_empty() {
                    let shown =
                        Value::map(invalid.iter().map(|(k, o, n)| {
                            (k.clone(), Value::vector(vec![o.clone(), n.clone()]))
                        }));
                    return Err(Error::schema(format!(
                        "Update not supported for these schema attributes of {}: {shown}",
                        attr.ident
                    )));
                }
            }
            None => {
                if self.write_mode
                    && (get("db/cardinality").is_some() || get("db/valueType").is_some())
                {
                    let missing: Vec<&str> = ["db/ident", "db/valueType", "db/cardinality"]
                        .into_iter()
                        .filter(|k| {
                            get(k).is_none()
                                && !(*k == "db/ident" && self.st.schema.ident_of(e).is_some())
                        })
                        .collect();
                    if !missing.is_empty() {
                        return Err(Error::schema(format!(
                            "Incomplete schema transaction attributes, expected :db/ident, :db/valueType, :db/cardinality; missing {} in {}",
                            missing
                                .iter()
                                .map(|k| format!(":{k}"))
                                .collect::<Vec<_>>()
                                .join(", "),
                            Value::Map(std::sync::Arc::new(m.clone()))
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}
