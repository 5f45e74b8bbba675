//! Datahike's entity API (`d/entity`): a lazy, map-like view of one entity.
//!
//! An [`Entity`] holds the [`Source`] it was made from (any view: current,
//! as-of, since, history, filtered) and an entity id; attributes are read on
//! demand, nothing is cached.
//!
//! - [`Entity::lookup`] gives a typed [`EntityValue`]: card-one values as
//!   they are, card-many values as a set, ref values as entities, reverse
//!   `:_attr` as a set of referring entities (a single entity when the
//!   attribute is a component).
//! - [`Entity::get`] gives the same as plain data: an entity is written
//!   `{:db/id e}`, a set is a `Value::Set`, absent is `Value::Nil`.
//! - [`Entity::touch`] gives every attribute as a map, components touched
//!   recursively.
//!
//! Equality: two entities are equal when they read the same source object
//! (`Arc` identity, standing in for Datahike's db equality) and have the same
//! id; the hash is the id's.

use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::datom::{Datom, Eid, IndexOrder};
use crate::error::{Error, Result};
use crate::source::Source;
use crate::value::{Keyword, Value};

/// Maximum nesting of [`Entity::touch`] (component chains).
pub const MAX_TOUCH_DEPTH: usize = 128;

/// A lazy entity over a source.
#[derive(Clone)]
pub struct Entity {
    src: Arc<dyn Source>,
    eid: Eid,
}

/// An attribute value as the entity API presents it.
#[derive(Clone, Debug, PartialEq)]
pub enum EntityValue {
    /// A plain (non-ref) value.
    Value(Value),
    /// A referenced entity.
    Entity(Entity),
    /// A cardinality-many attribute or a reverse reference: the values, in
    /// index order (no duplicates).
    Set(Vec<EntityValue>),
}

impl EntityValue {
    /// As plain data: entities as `{:db/id e}`, sets as `Value::Set`.
    pub fn to_value(&self) -> Value {
        match self {
            EntityValue::Value(v) => v.clone(),
            EntityValue::Entity(e) => e.id_map(),
            EntityValue::Set(items) => Value::set(items.iter().map(EntityValue::to_value)),
        }
    }

    /// The entity, if this is one.
    pub fn as_entity(&self) -> Option<&Entity> {
        match self {
            EntityValue::Entity(e) => Some(e),
            _ => None,
        }
    }
}

impl Entity {
    /// `(d/entity db eid)`: a positive number gives an entity even when it
    /// has no datoms; a lookup ref or ident keyword that resolves to nothing,
    /// and any other kind of value (strings, ...), give `None`. Errors: a
    /// malformed lookup ref (`syntax`), a lookup ref on an attribute that is
    /// not unique (`lookup`).
    pub fn new(src: Arc<dyn Source>, eid: &Value) -> Result<Option<Entity>> {
        let e = match eid {
            Value::Long(n) => (*n > 0).then_some(*n),
            Value::Keyword(_) | Value::Vector(_) | Value::List(_) => src.entid(eid)?,
            _ => None,
        };
        Ok(e.map(|eid| Entity { src, eid }))
    }

    /// An entity for an already resolved id (no check).
    pub fn from_eid(src: Arc<dyn Source>, eid: Eid) -> Entity {
        Entity { src, eid }
    }

    /// The entity id (`:db/id`).
    pub fn id(&self) -> Eid {
        self.eid
    }

    /// The source the entity reads (Datahike's `entity-db`).
    pub fn source(&self) -> &Arc<dyn Source> {
        &self.src
    }

    fn id_map(&self) -> Value {
        Value::map([(Value::kw("db/id"), Value::Long(self.eid))])
    }

    fn datoms(&self, index: IndexOrder, comps: &[Value]) -> Result<Vec<Datom>> {
        self.src.datoms(index, comps)?.collect()
    }

    /// Looks up `attr`: `:db/id` gives the id, `:_attr` the referring
    /// entities; `None` when absent (also for an attribute the schema does
    /// not know).
    pub fn lookup(&self, attr: &Keyword) -> Result<Option<EntityValue>> {
        if attr.full() == "db/id" {
            return Ok(Some(EntityValue::Value(Value::Long(self.eid))));
        }
        if attr.is_reverse() {
            let fwd = attr.reverse();
            let Some(def) = self.src.attr(&fwd) else {
                return Ok(None);
            };
            if !def.is_ref() {
                return Ok(None);
            }
            let ds = self.datoms(
                IndexOrder::Avet,
                &[Value::Keyword(fwd.clone()), Value::Long(self.eid)],
            )?;
            let mut es: Vec<Eid> = ds.iter().map(|d| d.e).collect();
            es.dedup();
            if es.is_empty() {
                return Ok(None);
            }
            let ents: Vec<EntityValue> = es
                .into_iter()
                .map(|e| EntityValue::Entity(Entity::from_eid(self.src.clone(), e)))
                .collect();
            if def.component {
                return Ok(ents.into_iter().next());
            }
            return Ok(Some(EntityValue::Set(ents)));
        }
        let def = self.src.attr(attr);
        if def.is_none() && self.src.is_write_schema() {
            return Ok(None);
        }
        let ds = self.datoms(
            IndexOrder::Eavt,
            &[Value::Long(self.eid), Value::Keyword(attr.clone())],
        )?;
        if ds.is_empty() {
            return Ok(None);
        }
        let is_ref = def.as_ref().is_some_and(|d| d.is_ref());
        let many = def.as_ref().is_some_and(|d| d.many);
        let conv = |v: Value| match (is_ref, v.as_long()) {
            (true, Some(e)) => EntityValue::Entity(Entity::from_eid(self.src.clone(), e)),
            _ => EntityValue::Value(v),
        };
        if many {
            let mut vals: Vec<Value> = ds.into_iter().map(|d| d.v).collect();
            vals.dedup();
            Ok(Some(EntityValue::Set(vals.into_iter().map(conv).collect())))
        } else {
            Ok(ds.into_iter().next().map(|d| conv(d.v)))
        }
    }

    /// Looks up `attr` as plain data (see [`EntityValue::to_value`]);
    /// `Value::Nil` when absent.
    pub fn get(&self, attr: &Keyword) -> Result<Value> {
        Ok(self.lookup(attr)?.map_or(Value::Nil, |v| v.to_value()))
    }

    /// Follows `path` (an attribute, reverse attribute, or a vector of them)
    /// step by step: a step applied to a set of entities is applied to each
    /// and the non-nil results are gathered in one set (nested sets
    /// flattened). Entities come back as `{:db/id e}`; absent gives nil.
    pub fn navigate(&self, path: &Value) -> Result<Value> {
        let steps: Vec<Keyword> = match path {
            Value::Vector(ks) | Value::List(ks) => ks
                .iter()
                .map(|k| {
                    Keyword::from_value(k).ok_or_else(|| {
                        Error::syntax(format!("Bad attribute {k} in entity path {path}"))
                    })
                })
                .collect::<Result<_>>()?,
            other => vec![Keyword::from_value(other).ok_or_else(|| {
                Error::syntax(format!(
                    "Bad entity attribute {other}, expected a keyword or a path"
                ))
            })?],
        };
        let mut current = vec![EntityValue::Entity(self.clone())];
        let mut single = true;
        for k in &steps {
            let mut next = Vec::new();
            for c in &current {
                let Some(e) = c.as_entity() else { continue };
                match e.lookup(k)? {
                    None => {}
                    Some(EntityValue::Set(items)) => {
                        single = false;
                        next.extend(items);
                    }
                    Some(v) => next.push(v),
                }
            }
            current = next;
            if current.is_empty() {
                return Ok(Value::Nil);
            }
        }
        if single && current.len() == 1 {
            return Ok(current[0].to_value());
        }
        Ok(Value::set(current.iter().map(EntityValue::to_value)))
    }

    /// Every attribute of the entity as a map with `:db/id`; card-many values
    /// as sets, refs as `{:db/id e}`, component refs touched recursively (an
    /// entity already being touched on the path comes back as `{:db/id e}`).
    pub fn touch(&self) -> Result<Value> {
        let mut path = Vec::new();
        self.touch_at(&mut path)
    }

    fn touch_at(&self, path: &mut Vec<Eid>) -> Result<Value> {
        if path.len() >= MAX_TOUCH_DEPTH {
            return Err(Error::other(format!(
                "Entity touch nested deeper than {MAX_TOUCH_DEPTH} levels at entity {}",
                self.eid
            )));
        }
        if path.contains(&self.eid) {
            return Ok(self.id_map());
        }
        path.push(self.eid);
        let ds = self.datoms(IndexOrder::Eavt, &[Value::Long(self.eid)])?;
        let mut m: BTreeMap<Value, Value> = BTreeMap::new();
        m.insert(Value::kw("db/id"), Value::Long(self.eid));
        let mut i = 0;
        while i < ds.len() {
            let a = ds[i].a.clone();
            let mut j = i;
            while j < ds.len() && ds[j].a == a {
                j += 1;
            }
            let def = self.src.attr(&a);
            let is_ref = def.as_ref().is_some_and(|d| d.is_ref());
            let component = is_ref && def.as_ref().is_some_and(|d| d.component);
            let many = def.as_ref().is_some_and(|d| d.many);
            let mut vals = Vec::with_capacity(j - i);
            for d in &ds[i..j] {
                let v = match (is_ref, d.v.as_long()) {
                    (true, Some(e)) if component => {
                        Entity::from_eid(self.src.clone(), e).touch_at(path)?
                    }
                    (true, Some(e)) => Value::map([(Value::kw("db/id"), Value::Long(e))]),
                    _ => d.v.clone(),
                };
                vals.push(v);
            }
            let v = if many {
                Value::set(vals)
            } else {
                vals.into_iter().next().unwrap_or(Value::Nil)
            };
            m.insert(Value::Keyword(a), v);
            i = j;
        }
        path.pop();
        Ok(Value::Map(Arc::new(m)))
    }
}

impl PartialEq for Entity {
    fn eq(&self, other: &Self) -> bool {
        self.eid == other.eid && std::ptr::addr_eq(Arc::as_ptr(&self.src), Arc::as_ptr(&other.src))
    }
}

impl Eq for Entity {}

impl Hash for Entity {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.eid.hash(state)
    }
}

impl fmt::Debug for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{:db/id {}}}", self.eid)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::error::ErrorKind;
    use crate::pull::tests::{family, v};

    #[test]
    fn entity_api_basics() {
        let s: Arc<dyn crate::source::Source> = Arc::new(family());
        let e = |x: &str| Entity::new(s.clone(), &v(x)).unwrap();
        let k = Keyword::new;
        let david = e("2").unwrap();
        assert_eq!(david.id(), 2);
        assert_eq!(david.get(&k("name")).unwrap(), v("\"David\""));
        assert_eq!(david.get(&k("db/id")).unwrap(), v("2"));
        assert_eq!(david.get(&k("father")).unwrap(), v("{:db/id 1}"));
        assert_eq!(david.get(&k("nick")).unwrap(), Value::Nil);
        assert_eq!(david.get(&k("unknown")).unwrap(), Value::Nil);
        let petr = e("[:name \"Petr\"]").unwrap();
        assert_eq!(petr.get(&k("aka")).unwrap(), v(r#"#{"Devil" "Tupen"}"#));
        assert_eq!(
            petr.get(&k("_father")).unwrap(),
            v("#{{:db/id 2} {:db/id 3}}")
        );
        match petr.lookup(&k("child")).unwrap() {
            Some(EntityValue::Set(kids)) => {
                assert_eq!(kids.len(), 2);
                let thomas = kids[1].as_entity().unwrap();
                assert_eq!(thomas.get(&k("name")).unwrap(), v("\"Thomas\""));
            }
            other => panic!("{other:?}"),
        }
        // Components: reverse is a single entity.
        let engine = e("6").unwrap();
        assert_eq!(engine.get(&k("_spec")).unwrap(), v("{:db/id 5}"));
        assert_eq!(
            e("5").unwrap().touch().unwrap(),
            v(r#"{:db/id 5 :name "Car" :spec {:db/id 6 :name "Engine"}
                  :part #{{:db/id 7 :name "Wheel" :part #{{:db/id 8 :name "Bolt"}}}}}"#)
        );
        assert_eq!(
            david.touch().unwrap(),
            v(r#"{:db/id 2 :name "David" :father {:db/id 1}}"#)
        );
        // Ids without datoms exist; unresolvable refs and other values do not.
        assert_eq!(e("777").unwrap().get(&k("db/id")).unwrap(), v("777"));
        assert!(e("[:name \"Nobody\"]").is_none());
        assert!(e(":no/ident").is_none());
        assert!(e("\"str\"").is_none());
        assert!(e("0").is_none());
        let err = Entity::new(s.clone(), &v("[:name]")).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Syntax);
        let err = Entity::new(s.clone(), &v("[:aka \"Devil\"]")).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Lookup);
        // Equality: same source object and id.
        assert_eq!(e("2").unwrap(), david);
        let other: Arc<dyn crate::source::Source> = Arc::new(family());
        assert_ne!(Entity::from_eid(other, 2), david);
    }
}
