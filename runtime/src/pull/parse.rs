//! Pull selector parsing: EDN data → [`Pattern`].
//!
//! Follows the grammar of `datalog.parser.pull` (Datahike's pull parser):
//!
//! ```text
//! pattern          = [attr-spec+] | (attr-spec+) | #{attr-spec+}
//! attr-spec        = attr-name | wildcard | map-spec | attr-with-opts | attr-expr
//! attr-name        = keyword | string            ; :_name / "ns/_name" = reverse
//! wildcard         = * | :* | "*"
//! map-spec         = { (attr-name | attr-expr | attr-with-opts) (pattern | recursion-limit) ... }
//! recursion-limit  = positive integer | ... | "..."
//! attr-with-opts   = [attr-name (:as any | :limit (pos-int | nil) | :default any)+]
//! attr-expr        = (limit attr-name (pos-int | nil)) | (default attr-name any)
//! ```
//!
//! Like Datahike, the parsed pattern is keyed by the attribute name as
//! written: a repeated attribute collapses (the later spec wins, map specs
//! after the others), and attribute order does not matter.

use crate::error::{Error, Result};
use crate::value::{Keyword, Value};

/// How many values a cardinality-many or reverse attribute yields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// No `:limit` given: 1000.
    Default,
    /// `:limit nil`: every value.
    Unlimited,
    /// `:limit n` (n ≥ 1).
    Max(usize),
}

impl Limit {
    /// The default limit for attributes without `:limit`.
    pub const DEFAULT: usize = 1000;

    /// The maximum number of values, `None` for unlimited.
    pub fn max(self) -> Option<usize> {
        match self {
            Limit::Default => Some(Limit::DEFAULT),
            Limit::Unlimited => None,
            Limit::Max(n) => Some(n),
        }
    }
}

/// What to do with the entities an attribute points at.
#[derive(Clone, Debug, PartialEq)]
pub enum Sub {
    /// Nothing given: plain values, refs as `{:db/id n}`, forward component
    /// refs expanded with a wildcard.
    None,
    /// `{:attr [...]}`: pull this pattern from each target.
    Pattern(Box<Pattern>),
    /// `{:attr n}` / `{:attr ...}`: pull the enclosing pattern again, at most
    /// `n` levels deep (`None`: until the data runs out or cycles).
    Recursion(Option<u64>),
}

/// One attribute of a pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct AttrSpec {
    /// The attribute name as written (`:name`, `:_child`, `"name"`): the key
    /// specs are collapsed by, and the result key unless `:as` is given.
    pub name: Value,
    /// The forward attribute (`:child` for `:_child`); `:db/id` for the id.
    pub attr: Keyword,
    /// Reverse reference (`:_attr`)?
    pub reverse: bool,
    /// `:as`: the result key.
    pub as_key: Option<Value>,
    /// `:limit`.
    pub limit: Limit,
    /// `:default`: the value when the attribute is missing.
    pub default: Option<Value>,
    /// Subpattern or recursion.
    pub sub: Sub,
}

impl AttrSpec {
    fn new(name: Value, attr: Keyword, reverse: bool) -> AttrSpec {
        AttrSpec {
            name,
            attr,
            reverse,
            as_key: None,
            limit: Limit::Default,
            default: None,
            sub: Sub::None,
        }
    }

    /// Is this the `:db/id` pseudo attribute?
    pub fn is_db_id(&self) -> bool {
        !self.reverse && self.attr.full() == "db/id"
    }

    /// The key of this attribute in the result map (`:as` or the name).
    pub fn result_key(&self) -> &Value {
        self.as_key.as_ref().unwrap_or(&self.name)
    }
}

/// A parsed pull pattern.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Pattern {
    /// Contains `*`?
    pub wildcard: bool,
    /// The attribute specs, one per attribute name.
    pub attrs: Vec<AttrSpec>,
}

impl Pattern {
    /// The spec keyed by `name`, if any.
    pub fn get(&self, name: &Value) -> Option<&AttrSpec> {
        self.attrs.iter().find(|s| &s.name == name)
    }

    fn insert(&mut self, spec: AttrSpec) {
        match self.attrs.iter_mut().find(|s| s.name == spec.name) {
            Some(slot) => *slot = spec,
            None => self.attrs.push(spec),
        }
    }
}

/// Parses a pull selector (a vector, list or set of attribute specs).
/// Errors are of kind `syntax` and name the offending piece.
/// A selector may also be EDN text (`"[:name {:friend [:name]}]"`), as
/// every transport allows.
pub fn parse_pattern(selector: &Value) -> Result<Pattern> {
    if let Value::Str(text) = selector {
        let v = crate::edn::read(text)?;
        return parse_pattern_at(&v, 0);
    }
    parse_pattern_at(selector, 0)
}

/// Nesting limit for selectors (guards the parser's recursion).
const MAX_SELECTOR_DEPTH: usize = 64;

fn parse_pattern_at(selector: &Value, depth: usize) -> Result<Pattern> {
    if depth > MAX_SELECTOR_DEPTH {
        return Err(Error::syntax("Pull pattern nested too deeply"));
    }
    let items: Vec<&Value> = match selector {
        Value::Vector(v) | Value::List(v) => v.iter().collect(),
        Value::Set(s) => s.iter().collect(),
        _ => {
            return Err(Error::syntax(format!(
                "Cannot parse pull pattern, expected: [attr-spec+], got {selector}"
            )));
        }
    };
    let mut pattern = Pattern::default();
    let mut maps = Vec::new();
    for item in items {
        if is_wildcard(item) {
            pattern.wildcard = true;
        } else if let Value::Map(m) = item {
            if m.is_empty() {
                return Err(Error::syntax(format!(
                    "Cannot parse pull map spec, expected one or more entries: {item}"
                )));
            }
            maps.extend(m.iter());
        } else {
            pattern.insert(parse_attr_spec(item)?);
        }
    }
    for (k, v) in maps {
        let mut spec = parse_map_key(k, v)?;
        spec.sub = parse_map_value(k, v, depth)?;
        pattern.insert(spec);
    }
    Ok(pattern)
}

fn is_wildcard(v: &Value) -> bool {
    match v {
        Value::Symbol(s) => s.full() == "*",
        Value::Keyword(k) => k.full() == "*",
        Value::Str(s) => &**s == "*",
        _ => false,
    }
}

fn is_sym_kw_str(v: &Value, name: &str) -> bool {
    match v {
        Value::Symbol(s) => s.full() == name,
        Value::Keyword(k) => k.full() == name,
        Value::Str(s) => &**s == name,
        _ => false,
    }
}

/// `:name` / `"name"` / `:_name` → spec; `None` for anything else.
fn parse_attr_name(v: &Value) -> Option<AttrSpec> {
    let kw = match v {
        Value::Keyword(k) => k.clone(),
        Value::Str(s) if !s.is_empty() && !s.starts_with(':') => Keyword::new(s),
        _ => return None,
    };
    if kw.full() == "*" {
        return None;
    }
    if kw.is_reverse() {
        Some(AttrSpec::new(v.clone(), kw.reverse(), true))
    } else {
        Some(AttrSpec::new(v.clone(), kw, false))
    }
}

fn parse_limit_value(v: &Value, piece: &Value) -> Result<Limit> {
    match v {
        Value::Nil => Ok(Limit::Unlimited),
        Value::Long(n) if *n > 0 => Ok(Limit::Max(usize::try_from(*n).unwrap_or(usize::MAX))),
        _ => Err(Error::syntax(format!(
            "Expected [\"limit\" attr-name (positive-number | nil)], got {piece}"
        ))),
    }
}

/// `(limit :attr n)` / `(default :attr v)` (lists or vectors of three).
fn parse_attr_expr(v: &Value) -> Result<Option<AttrSpec>> {
    let Some(items) = v.as_seq() else {
        return Ok(None);
    };
    if items.len() != 3 {
        return Ok(None);
    }
    if is_sym_kw_str(&items[0], "limit") {
        let Some(mut spec) = parse_attr_name(&items[1]) else {
            return Err(Error::syntax(format!(
                "Expected [\"limit\" attr-name (positive-number | nil)], got {v}"
            )));
        };
        spec.limit = parse_limit_value(&items[2], v)?;
        return Ok(Some(spec));
    }
    if is_sym_kw_str(&items[0], "default") {
        let Some(mut spec) = parse_attr_name(&items[1]) else {
            return Err(Error::syntax(format!(
                "Expected [\"default\" attr-name any-value], got {v}"
            )));
        };
        spec.default = Some(items[2].clone());
        return Ok(Some(spec));
    }
    Ok(None)
}

/// `[:attr :as x :limit n :default v]`.
fn parse_attr_with_opts(v: &Value) -> Result<Option<AttrSpec>> {
    let Some(items) = v.as_seq() else {
        return Ok(None);
    };
    let Some((first, opts)) = items.split_first() else {
        return Ok(None);
    };
    let Some(mut spec) = parse_attr_name(first) else {
        return Ok(None);
    };
    if opts.len() % 2 != 0 {
        return Ok(None);
    }
    let is_opt = |k: &Value| {
        matches!(
            k.as_keyword().map(|k| k.full()),
            Some("as" | "limit" | "default")
        )
    };
    if !opts.chunks(2).all(|c| is_opt(&c[0])) {
        return Ok(None);
    }
    for pair in opts.chunks(2) {
        let (k, val) = (&pair[0], &pair[1]);
        match k.as_keyword().map(|k| k.full()) {
            Some("as") => spec.as_key = Some(val.clone()),
            Some("limit") => spec.limit = parse_limit_value(val, v)?,
            _ => spec.default = Some(val.clone()),
        }
    }
    Ok(Some(spec))
}

fn parse_attr_spec(v: &Value) -> Result<AttrSpec> {
    if let Some(spec) = parse_attr_name(v) {
        return Ok(spec);
    }
    if let Some(spec) = parse_attr_with_opts(v)? {
        return Ok(spec);
    }
    if let Some(spec) = parse_attr_expr(v)? {
        return Ok(spec);
    }
    if let Some(items) = v.as_seq() {
        if let Some((first, opts)) = items.split_first() {
            if parse_attr_name(first).is_some() {
                if let Some(bad) = opts.iter().step_by(2).find(|k| {
                    !matches!(
                        k.as_keyword().map(|k| k.full()),
                        Some("as" | "limit" | "default")
                    )
                }) {
                    return Err(Error::syntax(format!(
                        "Invalid attribute option: {bad} in {v}"
                    )));
                }
                return Err(Error::syntax(format!(
                    "Attribute options must come in pairs (:as, :limit, :default): {v}"
                )));
            }
        }
    }
    Err(Error::syntax(format!(
        "Cannot parse attr-spec, expected: (attr-name | wildcard | map-spec | attr-expr), got {v}"
    )))
}

fn parse_map_key(k: &Value, v: &Value) -> Result<AttrSpec> {
    if let Some(spec) = parse_attr_name(k) {
        return Ok(spec);
    }
    if let Some(spec) = parse_attr_expr(k)? {
        return Ok(spec);
    }
    if let Some(spec) = parse_attr_with_opts(k)? {
        return Ok(spec);
    }
    Err(Error::syntax(format!(
        "Expected (attr-name | limit-expr) as map spec key, got {k} in {{{k} {v}}}"
    )))
}

fn parse_map_value(k: &Value, v: &Value, depth: usize) -> Result<Sub> {
    match v {
        Value::Symbol(s) if s.full() == "..." => Ok(Sub::Recursion(None)),
        Value::Str(s) if &**s == "..." => Ok(Sub::Recursion(None)),
        Value::Long(n) if *n > 0 => Ok(Sub::Recursion(Some(*n as u64))),
        Value::Vector(_) | Value::List(_) | Value::Set(_) => {
            Ok(Sub::Pattern(Box::new(parse_pattern_at(v, depth + 1)?)))
        }
        _ => Err(Error::syntax(format!(
            "Expected (pattern | recursion-limit) as map spec value, got {v} in {{{k} {v}}}"
        ))),
    }
}
