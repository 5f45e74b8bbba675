//! The pieces `#[derive(Entity)]` expands to: [`MapWriter`] (an instance →
//! an entity map to transact), [`MapReader`] (a pulled map → field values,
//! with errors naming the field and attribute) and [`PatternBuilder`] (the
//! struct's pull pattern). Generated code calls only inherent methods, so
//! it needs no trait in scope (it compiles under `#![no_implicit_prelude]`),
//! and it passes the `FieldValue` conversions in as functions, so a field
//! type that is not storable fails one bound, on the field's type.

use std::collections::BTreeMap;

use super::Entity;
use super::id::EntityId;
use crate::error::{Error, ErrorKind, Result};
use crate::value::Value;

/// Builds the entity map of one instance.
#[derive(Debug)]
pub struct MapWriter {
    map: BTreeMap<Value, Value>,
}

impl MapWriter {
    /// A map with `:db/id id`, or without `:db/id` (a nested component
    /// map, which the transactor gives a new id).
    pub fn new(id: Option<Value>) -> MapWriter {
        let mut map = BTreeMap::new();
        if let Some(id) = id {
            map.insert(Value::kw("db/id"), id);
        }
        MapWriter { map }
    }

    /// A cardinality-one value.
    pub fn one(&mut self, attr: &'static str, v: Value) {
        self.map.insert(Value::kw(attr), v);
    }

    /// An optional value: `None` writes nothing (it does not retract).
    pub fn opt<T>(&mut self, attr: &'static str, v: &Option<T>, to_value: fn(&T) -> Value) {
        if let Some(v) = v {
            self.one(attr, to_value(v));
        }
    }

    /// Cardinality-many values (as a set; none writes nothing).
    pub fn many<'a, T: 'a>(
        &mut self,
        attr: &'static str,
        vs: impl IntoIterator<Item = &'a T>,
        to_value: fn(&T) -> Value,
    ) {
        let set: Vec<Value> = vs.into_iter().map(to_value).collect();
        if !set.is_empty() {
            self.map.insert(Value::kw(attr), Value::set(set));
        }
    }

    /// A component struct, as a nested map.
    pub fn component<T: Entity>(&mut self, attr: &'static str, v: &T) {
        self.map.insert(Value::kw(attr), nested(v));
    }

    /// An optional component struct.
    pub fn component_opt<T: Entity>(&mut self, attr: &'static str, v: &Option<T>) {
        if let Some(v) = v {
            self.component(attr, v);
        }
    }

    /// Cardinality-many component structs (a vector of nested maps, so
    /// equal components stay distinct entities).
    pub fn components<'a, T: Entity + 'a>(
        &mut self,
        attr: &'static str,
        vs: impl IntoIterator<Item = &'a T>,
    ) {
        let items: Vec<Value> = vs.into_iter().map(nested).collect();
        if !items.is_empty() {
            self.map.insert(Value::kw(attr), Value::vector(items));
        }
    }

    /// The entity map.
    pub fn finish(self) -> Value {
        Value::Map(std::sync::Arc::new(self.map))
    }
}

fn nested<T: Entity>(v: &T) -> Value {
    v.to_tx_map(v.entity_id().map(Value::from))
}

/// How a field's values are read: `<T as FieldValue>::from_value`.
pub type FromValue<T> = fn(&Value) -> Result<T>;

/// Reads the fields of one struct from a pulled map.
#[derive(Debug)]
pub struct MapReader<'a> {
    ty: &'static str,
    map: &'a BTreeMap<Value, Value>,
}

impl<'a> MapReader<'a> {
    /// Reads `v`, a pulled map for the struct named `ty`. `nil` (nothing
    /// pulled) is a `not-found` error, anything else but a map a `type`
    /// error.
    pub fn new(ty: &'static str, v: &'a Value) -> Result<MapReader<'a>> {
        match v {
            Value::Map(map) => Ok(MapReader { ty, map }),
            Value::Nil => Err(Error::not_found(format!(
                "No {ty}: the entity has none of its attributes"
            ))),
            other => Err(Error::type_error(format!(
                "Cannot read {ty} from {other}: expected a pulled map"
            ))),
        }
    }

    fn get(&self, attr: &str) -> Option<&'a Value> {
        self.map.get(&Value::kw(attr)).filter(|v| !v.is_nil())
    }

    fn entity(&self) -> String {
        match self.map.get(&Value::kw("db/id")) {
            Some(id) => format!(" of entity {id}"),
            None => String::new(),
        }
    }

    fn wrap(&self, field: &str, attr: &str, e: Error) -> Error {
        Error::new(
            e.kind,
            format!(
                "{}.{field} (:{attr}){}: {}",
                self.ty,
                self.entity(),
                e.message
            ),
        )
    }

    fn missing(&self, field: &str, attr: &str) -> Error {
        Error::new(
            ErrorKind::Type,
            format!(
                "{}.{field} (:{attr}){} is missing; make the field an Option to allow that",
                self.ty,
                self.entity()
            ),
        )
    }

    fn items(&self, attr: &str) -> &'a [Value] {
        match self.get(attr) {
            Some(Value::Vector(xs) | Value::List(xs)) => xs,
            Some(v) => std::slice::from_ref(v),
            None => &[],
        }
    }

    /// A required cardinality-one value, converted by `from_value`.
    pub fn one<T>(&self, field: &str, attr: &str, from_value: FromValue<T>) -> Result<T> {
        let v = self.get(attr).ok_or_else(|| self.missing(field, attr))?;
        from_value(v).map_err(|e| self.wrap(field, attr, e))
    }

    /// An optional cardinality-one value.
    pub fn opt<T>(&self, field: &str, attr: &str, from_value: FromValue<T>) -> Result<Option<T>> {
        self.get(attr)
            .map(|v| from_value(v).map_err(|e| self.wrap(field, attr, e)))
            .transpose()
    }

    /// Cardinality-many values into any collection (none: empty).
    pub fn many<T, C: FromIterator<T>>(
        &self,
        field: &str,
        attr: &str,
        from_value: FromValue<T>,
    ) -> Result<C> {
        self.items(attr)
            .iter()
            .map(|v| from_value(v).map_err(|e| self.wrap(field, attr, e)))
            .collect()
    }

    /// A required component struct.
    pub fn component<T: Entity>(&self, field: &str, attr: &str) -> Result<T> {
        let v = self.get(attr).ok_or_else(|| self.missing(field, attr))?;
        T::from_pull(v).map_err(|e| self.wrap(field, attr, e))
    }

    /// An optional component struct.
    pub fn component_opt<T: Entity>(&self, field: &str, attr: &str) -> Result<Option<T>> {
        self.get(attr)
            .map(|v| T::from_pull(v).map_err(|e| self.wrap(field, attr, e)))
            .transpose()
    }

    /// Cardinality-many component structs.
    pub fn components<T: Entity, C: FromIterator<T>>(&self, field: &str, attr: &str) -> Result<C> {
        self.items(attr)
            .iter()
            .map(|v| T::from_pull(v).map_err(|e| self.wrap(field, attr, e)))
            .collect()
    }

    /// The `#[entity(id)]` field, from `:db/id`.
    pub fn id<F>(&self, field: &str, from_id: fn(EntityId) -> F) -> Result<F> {
        match self.map.get(&Value::kw("db/id")) {
            Some(Value::Long(e)) => Ok(from_id(EntityId(*e))),
            Some(other) => Err(self.wrap(
                field,
                "db/id",
                Error::type_error(format!("expected an entity id, got {other}")),
            )),
            None => Err(self.missing(field, "db/id")),
        }
    }
}

/// Builds the pull pattern of one struct: `:db/id`, then one entry per
/// field; cardinality-many attributes without a limit.
#[derive(Debug)]
pub struct PatternBuilder<'s> {
    stack: &'s mut Vec<&'static str>,
    items: Vec<Value>,
}

impl<'s> PatternBuilder<'s> {
    /// Starts the pattern of `T`, nested inside the structs on `stack`.
    pub fn enter<T: ?Sized>(stack: &'s mut Vec<&'static str>) -> PatternBuilder<'s> {
        stack.push(std::any::type_name::<T>());
        PatternBuilder {
            stack,
            items: vec![Value::kw("db/id")],
        }
    }

    fn key(attr: &'static str, many: bool) -> Value {
        if many {
            Value::vector(vec![Value::kw(attr), Value::kw("limit"), Value::Nil])
        } else {
            Value::kw(attr)
        }
    }

    /// A plain attribute.
    pub fn attr(&mut self, attr: &'static str, many: bool) {
        self.items.push(Self::key(attr, many));
    }

    /// A component struct `T`: `{attr T-pattern}`. When `T` already
    /// encloses this pattern (a recursive component), the attribute is
    /// pulled without a subpattern, which expands components fully.
    pub fn component<T: Entity>(&mut self, attr: &'static str, many: bool) {
        if self.stack.contains(&std::any::type_name::<T>()) {
            self.attr(attr, many);
            return;
        }
        let sub = T::write_pattern(self.stack);
        self.items.push(Value::map([(Self::key(attr, many), sub)]));
    }

    /// The pattern.
    pub fn finish(self) -> Value {
        self.stack.pop();
        Value::vector(self.items)
    }
}
