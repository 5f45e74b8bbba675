//! Typed operations on connections and database values:
//! [`Connection::transact_entities`], [`Connection::transact_schema`],
//! [`Db::pull_entity`], [`Db::find`], [`Db::query_entities`].

use std::sync::Arc;

use super::Entity;
use super::batch::Batch;
use super::id::EntityId;
use super::schema::{Attr, AttrDef, SchemaBuilder};
use super::value::FieldValue;
use crate::conn::Connection;
use crate::db::Db;
use crate::error::{Error, ErrorKind, Result};
use crate::query::{Input, q};
use crate::schema::Unique;
use crate::tx::TxReport;
use crate::value::{Keyword, Value};

/// The outcome of [`Connection::transact_entities`].
#[derive(Clone, Debug)]
pub struct Transacted {
    /// The transaction report.
    pub report: TxReport,
    /// The id of each entity, in the order given (an upserted entity gets
    /// the id of the entity it merged into).
    pub ids: Vec<EntityId>,
}

fn short_name<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    let base = name.split('<').next().unwrap_or(name);
    base.rsplit("::").next().unwrap_or(base)
}

impl Connection {
    /// Transacts `items`, each as an entity map: under its `#[entity(id)]`
    /// when set, else under a fresh tempid (so an identity attribute
    /// upserts). Returns the report and the id of each item. For entities
    /// of several structs that reference each other, see [`Batch`].
    pub fn transact_entities<T: Entity>(&self, items: &[T]) -> Result<Transacted> {
        self.transact_items(items, Batch::add)
    }

    /// Transacts `T::schema()` (the struct's attributes and its
    /// components'). Idempotent: attributes already installed as declared
    /// change nothing, and changes the database allows (`doc`,
    /// `no_history`, ...) are applied. A `schema` error, with nothing
    /// transacted, lists each attribute whose change the database refuses
    /// (a new value type, ...) with its reason, and each property the
    /// database has but the struct no longer declares (`unique`, `index`,
    /// `component`, `no_history`): map-form schema data cannot remove
    /// those, so they would silently stay.
    pub fn transact_schema<T: Entity>(&self) -> Result<TxReport> {
        let mut builder = SchemaBuilder::new();
        T::collect_schema(&mut builder);
        let db = self.db()?;
        let mut problems = Vec::new();
        for def in builder.attrs() {
            if let Some(p) = dropped_properties(&db, def) {
                problems.push(p);
            }
        }
        let schema = builder.to_value();
        if problems.is_empty() {
            match self.transact(&schema, None) {
                Err(e) if e.kind == ErrorKind::Schema => problems.push(e.message),
                other => return other,
            }
        }
        // Say which attributes the database refuses, each on its own.
        let mut refused = Vec::new();
        for def in builder.attrs() {
            let one = Value::vector(vec![def.to_value()]);
            if let Err(e) = self.with(&one, None) {
                refused.push(format!(":{}: {}", def.ident, e.message));
            }
        }
        if !refused.is_empty() {
            problems.retain(|p| p.starts_with(':'));
            problems.extend(refused);
        }
        Err(Error::schema(format!(
            "The schema of {} does not fit the database:\n  {}",
            short_name::<T>(),
            problems.join("\n  ")
        )))
    }
}

/// The properties installed for `def`'s attribute that `def` leaves out.
fn dropped_properties(db: &Db, def: &AttrDef) -> Option<String> {
    let installed = db.schema().user_attr(&Keyword::new(def.ident))?;
    let mut dropped = Vec::new();
    if def.unique.is_none() {
        match installed.unique {
            Some(Unique::Identity) => dropped.push(":db/unique :db.unique/identity"),
            Some(Unique::Value) => dropped.push(":db/unique :db.unique/value"),
            None => {}
        }
    }
    for (has, declared, name) in [
        (installed.index, def.index, ":db/index true"),
        (installed.component, def.component, ":db/isComponent true"),
        (installed.no_history, def.no_history, ":db/noHistory true"),
    ] {
        if has && !declared {
            dropped.push(name);
        }
    }
    (!dropped.is_empty()).then(|| {
        format!(
            ":{}: the database has {} but the struct does not declare it; \
             declare it, or retract it explicitly ([:db/retract :{} ...])",
            def.ident,
            dropped.join(", "),
            def.ident
        )
    })
}

impl Db {
    /// Pulls the `T` at `id`: an [`EntityId`], a [`super::Ref`], or any
    /// entity reference value (an id, a lookup ref `[attr value]`, an
    /// ident). Errors: an unresolvable reference (`lookup`), an entity
    /// with none of `T`'s attributes (`not-found`), data that does not fit
    /// `T` (`type`, naming the field and attribute).
    pub fn pull_entity<T: Entity>(&self, id: impl Into<Value>) -> Result<T> {
        let id = id.into();
        let v = crate::pull::pull(self, &T::pull_pattern(), &id)?;
        // Nothing pulled, or only `:db/id` (the entity has other data).
        let only_id = v.as_map().is_some_and(|m| m.len() == 1) && v.get_kw("db/id").is_some();
        if v.is_nil() || only_id {
            return Err(Error::not_found(format!(
                "No {} at {id}: the entity has none of its attributes",
                short_name::<T>()
            )));
        }
        T::from_pull(&v)
    }

    /// Finds the `T` whose unique attribute `attr` has `value`; `None`
    /// when there is none. Errors: `attr` is not unique (`lookup`).
    pub fn find<T: Entity>(&self, attr: Attr, value: impl FieldValue) -> Result<Option<T>> {
        let lookup = Value::vector(vec![attr.value(), value.to_value()]);
        match self.entid(&lookup)? {
            Some(e) => self.pull_entity(EntityId(e)).map(Some),
            None => Ok(None),
        }
    }

    /// Runs `query` with this database as `$` and `args` as the further
    /// inputs, and reads each result as a `T`. The first column of each
    /// row is an entity id (`:find ?e`, `:find [?e ...]`, `:find ?e .`)
    /// or a pulled map (`:find (pull ?e pattern)`; use
    /// `T::pull_pattern()`); rows come in the query's result order.
    pub fn query_entities<T: Entity>(&self, query: &Value, args: &[Value]) -> Result<Vec<T>> {
        let mut inputs = vec![Input::Db(Arc::new(self.clone()))];
        inputs.extend(args.iter().cloned().map(Input::Value));
        let result = q(query, &inputs)?;
        let rows: Vec<&Value> = match &result {
            Value::Nil => vec![],
            Value::Set(xs) => xs.iter().collect(),
            Value::Vector(xs) | Value::List(xs) => xs.iter().collect(),
            other => vec![other],
        };
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let first = match row {
                Value::Vector(cols) | Value::List(cols) => cols.first().unwrap_or(&Value::Nil),
                v => v,
            };
            match first {
                Value::Map(_) => out.push(T::from_pull(first)?),
                Value::Long(_) => out.push(self.pull_entity(first.clone())?),
                other => {
                    return Err(Error::type_error(format!(
                        "Cannot read a {} from the query result {other}: expected an entity id or a pulled map",
                        short_name::<T>()
                    )));
                }
            }
        }
        Ok(out)
    }
}
