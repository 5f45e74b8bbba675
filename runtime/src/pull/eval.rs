//! Pull evaluation over a [`Source`], following Datahike's `pull_api.cljc`.
//!
//! Recursion bookkeeping mirrors the reference: a "recursion context" holds
//! per-attribute depths and the set of entities already entered through
//! recursion (or component expansion). A plain subpattern `{:attr [...]}`
//! starts a fresh context. An entity already seen comes back as
//! `{:db/id n}`.

use std::collections::BTreeMap;

use crate::datom::{Datom, Eid, IndexOrder};
use crate::error::{Error, Result};
use crate::pull::parse::{AttrSpec, Pattern, Sub};
use crate::source::Source;
use crate::value::{Keyword, Value};

/// Maximum nesting of pulled maps (subpatterns, recursion, components).
/// Deeper data raises an error instead of exhausting the stack (results this
/// deep are already costly to drop, print or compare recursively).
pub const MAX_NESTING: usize = 1000;

/// Nesting evaluated on the caller's stack; deeper pulls are redone on a
/// helper thread with a stack large enough for [`MAX_NESTING`].
const SHALLOW_NESTING: usize = 64;

/// Stack size of the helper thread for deep pulls (reserved, not committed).
const DEEP_STACK_BYTES: usize = 64 << 20;

type Kvps = BTreeMap<Value, Value>;

/// Which frame an entity is pulled in; decides how the recursion context is
/// extended by a wildcard (Datahike pushes the frame's attribute).
#[derive(Clone, Copy, PartialEq, Eq)]
enum FrameAttr<'a> {
    /// The top-level frame.
    Root,
    /// A subpattern, component expansion or recursion frame for this key.
    Attr(&'a Value),
}

/// Recursion context: depths per attribute key and entities seen.
#[derive(Clone, Default)]
struct Rec {
    depth: Vec<(Value, u64)>,
    seen: Vec<Eid>,
}

impl Rec {
    fn depth_of(&self, key: &Value) -> u64 {
        self.depth
            .iter()
            .find(|(k, _)| k == key)
            .map_or(0, |(_, d)| *d)
    }

    fn is_seen(&self, e: Eid) -> bool {
        self.seen.contains(&e)
    }

    fn push(&self, key: &Value, e: Eid) -> Rec {
        let mut r = self.clone();
        match r.depth.iter_mut().find(|(k, _)| k == key) {
            Some((_, d)) => *d += 1,
            None => r.depth.push((key.clone(), 1)),
        }
        if !r.seen.contains(&e) {
            r.seen.push(e);
        }
        r
    }
}

/// The marker key recursion frames use (Datahike's `::recursion`).
fn recursion_marker() -> Value {
    Value::kw("datahike.pull-api/recursion")
}

fn db_id(e: Eid) -> Value {
    Value::map([(Value::kw("db/id"), Value::Long(e))])
}

/// The wildcard pattern used to expand components.
fn wildcard() -> &'static Pattern {
    static W: std::sync::OnceLock<Pattern> = std::sync::OnceLock::new();
    W.get_or_init(|| Pattern {
        wildcard: true,
        attrs: Vec::new(),
    })
}

fn too_deep_marker() -> Value {
    Value::kw("pull/too-deep")
}

pub(crate) struct Puller<'s> {
    src: &'s dyn Source,
    max: usize,
}

impl<'s> Puller<'s> {
    pub(crate) fn new(src: &'s dyn Source) -> Puller<'s> {
        Puller {
            src,
            max: SHALLOW_NESTING,
        }
    }

    /// Pulls `pattern` from `eid` at the top level (fresh context).
    pub(crate) fn pull_root(&self, pattern: &Pattern, eid: Eid) -> Result<Option<Value>> {
        match self.pull_entity(pattern, eid, &Rec::default(), FrameAttr::Root, 0) {
            Ok(m) => Ok(m.map(|m| Value::Map(std::sync::Arc::new(m)))),
            Err(e) if self.max < MAX_NESTING && e.data == Some(too_deep_marker()) => {
                let src = self.src;
                std::thread::scope(|scope| {
                    let worker = std::thread::Builder::new()
                        .name("cairn-deep-pull".into())
                        .stack_size(DEEP_STACK_BYTES)
                        .spawn_scoped(scope, move || {
                            Puller {
                                src,
                                max: MAX_NESTING,
                            }
                            .pull_root(pattern, eid)
                        })
                        .map_err(|e| Error::other(format!("cannot start deep pull: {e}")))?;
                    worker
                        .join()
                        .unwrap_or_else(|_| Err(Error::other("deep pull panicked")))
                })
            }
            Err(e) => Err(e),
        }
    }

    fn too_deep(&self, eid: Eid) -> Error {
        Error::other(format!(
            "Pull nested deeper than {} levels at entity {eid}",
            self.max
        ))
        .with_data(too_deep_marker())
    }

    fn check_attr(&self, a: &Keyword) -> Result<()> {
        if self.src.is_write_schema() && self.src.attr(a).is_none() {
            return Err(
                Error::schema(format!("No schema attribute :{} found", a.full())).with_data(
                    Value::map([
                        (Value::kw("error"), Value::kw("schema/missing")),
                        (Value::kw("attribute"), Value::Keyword(a.clone())),
                    ]),
                ),
            );
        }
        Ok(())
    }

    fn datoms(
        &self,
        index: IndexOrder,
        comps: &[Value],
        limit: Option<usize>,
    ) -> Result<Vec<Datom>> {
        let iter = self.src.datoms(index, comps)?;
        match limit {
            Some(n) => iter.take(n).collect(),
            None => iter.collect(),
        }
    }

    fn has_datoms(&self, eid: Eid) -> Result<bool> {
        let mut it = self.src.datoms(IndexOrder::Eavt, &[Value::Long(eid)])?;
        match it.next() {
            Some(d) => d.map(|_| true),
            None => Ok(false),
        }
    }

    /// One entity through one pattern frame. `None` when nothing was found.
    fn pull_entity(
        &self,
        pattern: &Pattern,
        eid: Eid,
        rec: &Rec,
        frame: FrameAttr<'_>,
        level: usize,
    ) -> Result<Option<Kvps>> {
        if level > self.max {
            return Err(self.too_deep(eid));
        }
        if pattern.wildcard {
            return self
                .pull_wildcard(pattern, eid, rec, frame, level)
                .map(Some);
        }
        let mut kvps = Kvps::new();
        for spec in &pattern.attrs {
            self.pull_attr(pattern, spec, eid, rec, &mut kvps, level)?;
        }
        Ok((!kvps.is_empty()).then_some(kvps))
    }

    fn pull_wildcard(
        &self,
        pattern: &Pattern,
        eid: Eid,
        rec: &Rec,
        frame: FrameAttr<'_>,
        level: usize,
    ) -> Result<Kvps> {
        if level > self.max {
            return Err(self.too_deep(eid));
        }
        if rec.is_seen(eid) {
            let mut m = Kvps::new();
            m.insert(Value::kw("db/id"), Value::Long(eid));
            return Ok(m);
        }
        let pushed;
        let rec = match frame {
            FrameAttr::Attr(k) => {
                pushed = rec.push(k, eid);
                &pushed
            }
            FrameAttr::Root => rec,
        };
        let mut kvps = Kvps::new();
        kvps.insert(Value::kw("db/id"), Value::Long(eid));
        // Group the entity's datoms by attribute (EAVT order keeps groups
        // contiguous).
        let all = self.datoms(IndexOrder::Eavt, &[Value::Long(eid)], None)?;
        let mut i = 0;
        while i < all.len() {
            let default_spec;
            let a = all[i].a.clone();
            let mut j = i;
            while j < all.len() && all[j].a == a {
                j += 1;
            }
            let name = Value::Keyword(a.clone());
            // Like the reference, only a spec keyed by the attribute keyword
            // itself applies (`:as`, `:limit`, subpatterns, recursion).
            let spec = match pattern.attrs.iter().find(|s| s.name == name) {
                Some(s) => s,
                None => {
                    default_spec = AttrSpec {
                        name: name.clone(),
                        attr: a.clone(),
                        reverse: false,
                        as_key: None,
                        limit: super::parse::Limit::Default,
                        default: None,
                        sub: Sub::None,
                    };
                    &default_spec
                }
            };
            let limit = spec.limit.max().unwrap_or(usize::MAX);
            let found: Vec<Datom> = all[i..j].iter().take(limit).cloned().collect();
            self.attr_datoms(pattern, spec, eid, true, found, rec, &mut kvps, level)?;
            i = j;
        }
        // Reverse attributes given next to the wildcard run as a plain
        // pattern (fresh recursion context, like Datahike's expand-rev).
        let rattrs: Vec<AttrSpec> = pattern
            .attrs
            .iter()
            .filter(|s| s.reverse)
            .cloned()
            .collect();
        if !rattrs.is_empty() {
            let rev = Pattern {
                wildcard: false,
                attrs: rattrs,
            };
            let mut rk = Kvps::new();
            for spec in &rev.attrs {
                self.pull_attr(&rev, spec, eid, &Rec::default(), &mut rk, level)?;
            }
            for (k, v) in rk {
                kvps.entry(k).or_insert(v);
            }
        }
        Ok(kvps)
    }

    fn pull_attr(
        &self,
        pattern: &Pattern,
        spec: &AttrSpec,
        eid: Eid,
        rec: &Rec,
        kvps: &mut Kvps,
        level: usize,
    ) -> Result<()> {
        if spec.is_db_id() {
            if self.has_datoms(eid)? {
                kvps.insert(Value::kw("db/id"), Value::Long(eid));
            }
            return Ok(());
        }
        self.check_attr(&spec.attr)?;
        let a = Value::Keyword(spec.attr.clone());
        let limit = spec.limit.max();
        let found = if spec.reverse {
            self.datoms(IndexOrder::Avet, &[a, Value::Long(eid)], limit)?
        } else {
            self.datoms(IndexOrder::Eavt, &[Value::Long(eid), a], limit)?
        };
        self.attr_datoms(pattern, spec, eid, !spec.reverse, found, rec, kvps, level)
    }

    /// Datahike's `pull-attr-datoms`: turns the (already limited) datoms of
    /// one attribute into the result entry.
    #[allow(clippy::too_many_arguments)]
    fn attr_datoms(
        &self,
        pattern: &Pattern,
        spec: &AttrSpec,
        eid: Eid,
        forward: bool,
        found: Vec<Datom>,
        rec: &Rec,
        kvps: &mut Kvps,
        level: usize,
    ) -> Result<()> {
        let key = spec.result_key().clone();
        if found.is_empty() {
            if let Some(d) = &spec.default {
                kvps.insert(key, d.clone());
            }
            return Ok(());
        }
        let attr = self.src.attr(&spec.attr);
        let is_ref = attr.as_ref().is_some_and(|a| a.is_ref());
        let component = is_ref && attr.as_ref().is_some_and(|a| a.component);
        let multi = if forward {
            attr.as_ref().is_some_and(|a| a.many)
        } else {
            !component
        };
        let values: Vec<Value> = found
            .into_iter()
            .map(|d| if forward { d.v } else { Value::Long(d.e) })
            .collect();
        // Entity targets, when the values are entity ids.
        let targets: Option<Vec<Eid>> = if is_ref || !forward {
            values.iter().map(Value::as_long).collect()
        } else if matches!(spec.sub, Sub::None) {
            None
        } else {
            // Schemaless refs: follow numeric values.
            values.iter().map(Value::as_long).collect()
        };
        let collect = |results: Vec<Value>, kvps: &mut Kvps| {
            if multi {
                kvps.insert(key.clone(), Value::vector(results));
            } else if let Some(first) = results.into_iter().next() {
                kvps.insert(key.clone(), first);
            }
        };
        match (&spec.sub, targets) {
            (Sub::Pattern(sub), Some(targets)) => {
                // Fresh recursion context for a plain subpattern.
                let fresh = Rec::default();
                let mut results = Vec::new();
                for t in targets {
                    if let Some(m) =
                        self.pull_entity(sub, t, &fresh, FrameAttr::Attr(&key), level + 1)?
                    {
                        results.push(Value::Map(std::sync::Arc::new(m)));
                    }
                }
                collect(results, kvps);
            }
            (Sub::Recursion(max), Some(targets)) => {
                let depth = rec.depth_of(&spec.name);
                if *max == Some(depth) {
                    return Ok(());
                }
                let marker = recursion_marker();
                let mut results = Vec::new();
                for t in targets {
                    if rec.is_seen(t) {
                        results.push(db_id(t));
                        continue;
                    }
                    let r = rec.push(&spec.name, t);
                    if let Some(m) =
                        self.pull_entity(pattern, t, &r, FrameAttr::Attr(&marker), level + 1)?
                    {
                        results.push(Value::Map(std::sync::Arc::new(m)));
                    }
                }
                collect(results, kvps);
            }
            (Sub::None, Some(targets)) if component && forward => {
                let r = rec.push(&key, eid);
                let mut results = Vec::new();
                for t in targets {
                    let m =
                        self.pull_wildcard(wildcard(), t, &r, FrameAttr::Attr(&key), level + 1)?;
                    results.push(Value::Map(std::sync::Arc::new(m)));
                }
                collect(results, kvps);
            }
            _ => {
                let results = values
                    .into_iter()
                    .map(|v| match (is_ref || !forward, v.as_long()) {
                        (true, Some(e)) => db_id(e),
                        _ => v,
                    })
                    .collect();
                collect(results, kvps);
            }
        }
        Ok(())
    }
}
