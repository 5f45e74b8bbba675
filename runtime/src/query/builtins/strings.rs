//! Strings, printing to strings, regular expressions and `clojure.string`.
//!
//! Strings index by UTF-16 code units, as Java does (`count`, `subs`,
//! `index-of`). There is no regex value kind: a pattern argument is either a
//! string (taken as a regex) or the `#regex "..."` tagged value that
//! `re-pattern` returns. Patterns use the `regex` crate's syntax, which
//! agrees with `java.util.regex` for the common subset (no look-around or
//! back-references).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use parking_lot::Mutex;
use regex::Regex;

use super::print::{REGEX_TAG, pr_str1, print_str1, regex_source, str1};
use super::{arity, other_err, type_err};
use crate::error::Result;
use crate::value::{Symbol, Value};

// -------------------------------------------------------------- printing

pub(crate) fn str_(args: &[Value]) -> Result<Value> {
    let mut s = String::new();
    for a in args {
        s.push_str(&str1(a));
    }
    Ok(Value::from(s))
}

fn joined(args: &[Value], one: fn(&Value) -> String, nl: bool) -> Value {
    let mut s = args.iter().map(one).collect::<Vec<_>>().join(" ");
    if nl {
        s.push('\n');
    }
    Value::from(s)
}

pub(crate) fn pr_str(args: &[Value]) -> Result<Value> {
    Ok(joined(args, pr_str1, false))
}
pub(crate) fn prn_str(args: &[Value]) -> Result<Value> {
    Ok(joined(args, pr_str1, true))
}
pub(crate) fn print_str(args: &[Value]) -> Result<Value> {
    Ok(joined(args, print_str1, false))
}
pub(crate) fn println_str(args: &[Value]) -> Result<Value> {
    Ok(joined(args, print_str1, true))
}

// ---------------------------------------------------------------- strings

fn string_arg<'a>(f: &str, v: &'a Value) -> Result<&'a str> {
    v.as_str().ok_or_else(|| {
        type_err(format!(
            "{f}: {} ({}) is not a string",
            pr_str1(v),
            v.type_name()
        ))
    })
}

/// Like Java `toString` on the argument (`nil` is an error), for the
/// `clojure.string` functions that call `.toString`.
fn to_string_arg(f: &str, v: &Value) -> Result<String> {
    match v {
        Value::Nil => Err(type_err(format!("{f}: argument is nil"))),
        v => Ok(str1(v)),
    }
}

fn index_arg(f: &str, v: &Value) -> Result<i64> {
    match v {
        Value::Long(l) => Ok(*l),
        v => Err(type_err(format!(
            "{f}: index {} ({}) is not a long",
            pr_str1(v),
            v.type_name()
        ))),
    }
}

pub(crate) fn subs(args: &[Value]) -> Result<Value> {
    arity("subs", args, 2, 3)?;
    let s = string_arg("subs", &args[0])?;
    let units: Vec<u16> = s.encode_utf16().collect();
    let start = index_arg("subs", &args[1])?;
    let end = match args.get(2) {
        Some(e) => index_arg("subs", e)?,
        None => units.len() as i64,
    };
    if start < 0 || start > end || end > units.len() as i64 {
        return Err(other_err(format!(
            "subs: String index out of range: begin {start}, end {end}, length {}",
            units.len()
        )));
    }
    Ok(Value::from(String::from_utf16_lossy(
        &units[start as usize..end as usize],
    )))
}

/// Java `Character.isWhitespace`.
fn java_ws(c: char) -> bool {
    (c.is_whitespace() && !matches!(c, '\u{A0}' | '\u{2007}' | '\u{202F}'))
        || ('\u{1C}'..='\u{1F}').contains(&c)
}

pub(crate) fn starts_with(args: &[Value]) -> Result<Value> {
    arity("clojure.string/starts-with?", args, 2, 2)?;
    let s = string_arg("clojure.string/starts-with?", &args[0])?;
    let p = string_arg("clojure.string/starts-with?", &args[1])?;
    Ok(Value::Bool(s.starts_with(p)))
}

pub(crate) fn ends_with(args: &[Value]) -> Result<Value> {
    arity("clojure.string/ends-with?", args, 2, 2)?;
    let s = string_arg("clojure.string/ends-with?", &args[0])?;
    let p = string_arg("clojure.string/ends-with?", &args[1])?;
    Ok(Value::Bool(s.ends_with(p)))
}

pub(crate) fn includes(args: &[Value]) -> Result<Value> {
    arity("clojure.string/includes?", args, 2, 2)?;
    let s = string_arg("clojure.string/includes?", &args[0])?;
    let p = string_arg("clojure.string/includes?", &args[1])?;
    Ok(Value::Bool(s.contains(p)))
}

pub(crate) fn blank(args: &[Value]) -> Result<Value> {
    arity("clojure.string/blank?", args, 1, 1)?;
    Ok(Value::Bool(match &args[0] {
        Value::Nil => true,
        v => string_arg("clojure.string/blank?", v)?.chars().all(java_ws),
    }))
}

pub(crate) fn lower_case(args: &[Value]) -> Result<Value> {
    arity("clojure.string/lower-case", args, 1, 1)?;
    Ok(Value::from(
        to_string_arg("clojure.string/lower-case", &args[0])?.to_lowercase(),
    ))
}

pub(crate) fn upper_case(args: &[Value]) -> Result<Value> {
    arity("clojure.string/upper-case", args, 1, 1)?;
    Ok(Value::from(
        to_string_arg("clojure.string/upper-case", &args[0])?.to_uppercase(),
    ))
}

pub(crate) fn capitalize(args: &[Value]) -> Result<Value> {
    arity("clojure.string/capitalize", args, 1, 1)?;
    let s = to_string_arg("clojure.string/capitalize", &args[0])?;
    let mut cs = s.chars();
    Ok(Value::from(match cs.next() {
        None => String::new(),
        Some(c) => {
            let mut out: String = c.to_uppercase().collect();
            out.push_str(&cs.as_str().to_lowercase());
            out
        }
    }))
}

pub(crate) fn trim(args: &[Value]) -> Result<Value> {
    arity("clojure.string/trim", args, 1, 1)?;
    let s = string_arg("clojure.string/trim", &args[0])?;
    Ok(Value::str(s.trim_matches(java_ws)))
}

pub(crate) fn triml(args: &[Value]) -> Result<Value> {
    arity("clojure.string/triml", args, 1, 1)?;
    let s = string_arg("clojure.string/triml", &args[0])?;
    Ok(Value::str(s.trim_start_matches(java_ws)))
}

pub(crate) fn trimr(args: &[Value]) -> Result<Value> {
    arity("clojure.string/trimr", args, 1, 1)?;
    let s = string_arg("clojure.string/trimr", &args[0])?;
    Ok(Value::str(s.trim_end_matches(java_ws)))
}

pub(crate) fn trim_newline(args: &[Value]) -> Result<Value> {
    arity("clojure.string/trim-newline", args, 1, 1)?;
    let s = string_arg("clojure.string/trim-newline", &args[0])?;
    Ok(Value::str(s.trim_end_matches(['\n', '\r'])))
}

pub(crate) fn reverse(args: &[Value]) -> Result<Value> {
    arity("clojure.string/reverse", args, 1, 1)?;
    let s = string_arg("clojure.string/reverse", &args[0])?;
    Ok(Value::from(s.chars().rev().collect::<String>()))
}

pub(crate) fn join(args: &[Value]) -> Result<Value> {
    arity("clojure.string/join", args, 1, 2)?;
    let (sep, coll) = match args {
        [c] => (String::new(), c),
        [s, c] => (str1(s), c),
        _ => return Err(other_err("clojure.string/join: wrong number of args")),
    };
    let items = super::core::seq_items("clojure.string/join", coll)?;
    Ok(Value::from(
        items.iter().map(str1).collect::<Vec<_>>().join(&sep),
    ))
}

fn index_of_impl(f: &str, args: &[Value], last: bool) -> Result<Value> {
    arity(f, args, 2, 3)?;
    let s = string_arg(f, &args[0])?;
    let needle = match &args[1] {
        Value::Char(c) => c.to_string(),
        v => string_arg(f, v)?.to_string(),
    };
    let units: Vec<u16> = s.encode_utf16().collect();
    let n: Vec<u16> = needle.encode_utf16().collect();
    let len = units.len() as i64;
    let from = match args.get(2) {
        Some(v) => index_arg(f, v)?,
        None if last => len,
        None => 0,
    };
    let matches_at = |i: usize| units.get(i..i + n.len()) == Some(&n[..]);
    let found = if last {
        let start = from.min(len - n.len() as i64);
        (0..=start.max(-1))
            .rev()
            .find(|&i| i >= 0 && matches_at(i as usize))
    } else {
        (from.max(0)..=len - n.len() as i64).find(|&i| matches_at(i as usize))
    };
    Ok(found.map(Value::Long).unwrap_or(Value::Nil))
}

pub(crate) fn index_of(args: &[Value]) -> Result<Value> {
    index_of_impl("clojure.string/index-of", args, false)
}

pub(crate) fn last_index_of(args: &[Value]) -> Result<Value> {
    index_of_impl("clojure.string/last-index-of", args, true)
}

// ----------------------------------------------------------------- regex

static REGEX_CACHE: LazyLock<Mutex<HashMap<String, Arc<Regex>>>> = LazyLock::new(Default::default);

fn compile(f: &str, pattern: &str) -> Result<Arc<Regex>> {
    if let Some(r) = REGEX_CACHE.lock().get(pattern) {
        return Ok(r.clone());
    }
    let r = regex::RegexBuilder::new(pattern)
        .size_limit(1 << 22)
        .build()
        .map_err(|e| other_err(format!("{f}: invalid regex {pattern:?}: {e}")))?;
    let r = Arc::new(r);
    let mut cache = REGEX_CACHE.lock();
    if cache.len() >= 512 {
        cache.clear();
    }
    cache.insert(pattern.to_string(), r.clone());
    Ok(r)
}

fn pattern_text<'a>(f: &str, v: &'a Value) -> Result<&'a str> {
    match (regex_source(v), v) {
        (Some(p), _) => Ok(p),
        (None, Value::Str(s)) => Ok(s),
        _ => Err(type_err(format!(
            "{f}: {} ({}) is not a regex pattern",
            pr_str1(v),
            v.type_name()
        ))),
    }
}

fn regex_arg(f: &str, v: &Value) -> Result<Arc<Regex>> {
    compile(f, pattern_text(f, v)?)
}

/// `re-pattern`: a `#regex "..."` value (validated).
pub(crate) fn re_pattern(args: &[Value]) -> Result<Value> {
    arity("re-pattern", args, 1, 1)?;
    let p = pattern_text("re-pattern", &args[0])?;
    compile("re-pattern", p)?;
    Ok(Value::Tagged(Arc::new((
        Symbol::new(REGEX_TAG),
        Value::str(p),
    ))))
}

fn groups_value(re: &Regex, caps: &regex::Captures<'_>) -> Value {
    if re.captures_len() == 1 {
        return caps
            .get(0)
            .map(|m| Value::str(m.as_str()))
            .unwrap_or(Value::Nil);
    }
    Value::vector(
        (0..re.captures_len())
            .map(|i| {
                caps.get(i)
                    .map(|m| Value::str(m.as_str()))
                    .unwrap_or(Value::Nil)
            })
            .collect(),
    )
}

pub(crate) fn re_find(args: &[Value]) -> Result<Value> {
    arity("re-find", args, 2, 2)?;
    let re = regex_arg("re-find", &args[0])?;
    let s = string_arg("re-find", &args[1])?;
    Ok(match re.captures(s) {
        Some(c) => groups_value(&re, &c),
        None => Value::Nil,
    })
}

pub(crate) fn re_matches(args: &[Value]) -> Result<Value> {
    arity("re-matches", args, 2, 2)?;
    let p = pattern_text("re-matches", &args[0])?;
    let re = compile("re-matches", p)?;
    let anchored = compile("re-matches", &format!(r"\A(?:{p})\z"))?;
    let s = string_arg("re-matches", &args[1])?;
    Ok(match anchored.captures(s) {
        // Same group numbering: the wrapper group is non-capturing.
        Some(c) => groups_value(&re, &c),
        None => Value::Nil,
    })
}

pub(crate) fn re_seq(args: &[Value]) -> Result<Value> {
    arity("re-seq", args, 2, 2)?;
    let re = regex_arg("re-seq", &args[0])?;
    let s = string_arg("re-seq", &args[1])?;
    let out: Vec<Value> = re.captures_iter(s).map(|c| groups_value(&re, &c)).collect();
    Ok(if out.is_empty() {
        Value::Nil
    } else {
        Value::list(out)
    })
}

/// `Pattern.split` (as `clojure.string/split` uses it).
fn java_split(re: &Regex, s: &str, limit: i64) -> Vec<Value> {
    let mut out: Vec<&str> = Vec::new();
    let mut index = 0usize;
    let mut matched = false;
    for m in re.find_iter(s) {
        if limit > 0 && out.len() as i64 >= limit - 1 {
            break;
        }
        if m.start() == 0 && m.end() == 0 {
            // No leading empty string for a zero-width match at the start.
            continue;
        }
        matched = true;
        out.push(&s[index..m.start()]);
        index = m.end();
    }
    if !matched {
        return vec![Value::str(s)];
    }
    out.push(&s[index..]);
    if limit == 0 {
        while out.last().is_some_and(|x| x.is_empty()) {
            out.pop();
        }
    }
    out.into_iter().map(Value::str).collect()
}

pub(crate) fn split(args: &[Value]) -> Result<Value> {
    arity("clojure.string/split", args, 2, 3)?;
    let s = string_arg("clojure.string/split", &args[0])?;
    let re = regex_arg("clojure.string/split", &args[1])?;
    let limit = match args.get(2) {
        Some(v) => index_arg("clojure.string/split", v)?,
        None => 0,
    };
    Ok(Value::vector(java_split(&re, s, limit)))
}

pub(crate) fn split_lines(args: &[Value]) -> Result<Value> {
    arity("clojure.string/split-lines", args, 1, 1)?;
    let s = string_arg("clojure.string/split-lines", &args[0])?;
    let re = compile("clojure.string/split-lines", r"\r?\n")?;
    Ok(Value::vector(java_split(&re, s, 0)))
}

/// Converts a Java `Matcher.appendReplacement` template to the `regex`
/// crate's syntax: `$1`/`${name}` are group references, `\x` is a literal.
fn java_replacement(f: &str, r: &str) -> Result<String> {
    let mut out = String::new();
    let mut it = r.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\\' => match it.next() {
                Some('$') => out.push_str("$$"),
                Some(x) => out.push(x),
                None => {
                    return Err(other_err(format!(
                        "{f}: character to be escaped is missing"
                    )));
                }
            },
            '$' => {
                if it.peek() == Some(&'{') {
                    out.push('$');
                    for x in it.by_ref() {
                        out.push(x);
                        if x == '}' {
                            break;
                        }
                    }
                } else {
                    let mut digits = String::new();
                    while let Some(d) = it.peek().filter(|d| d.is_ascii_digit()) {
                        digits.push(*d);
                        it.next();
                    }
                    if digits.is_empty() {
                        return Err(other_err(format!("{f}: Illegal group reference in {r:?}")));
                    }
                    out.push_str(&format!("${{{digits}}}"));
                }
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

fn replace_impl(f: &str, args: &[Value], all: bool) -> Result<Value> {
    arity(f, args, 3, 3)?;
    let s = string_arg(f, &args[0])?;
    let limit = if all { 0 } else { 1 };
    match (&args[1], &args[2]) {
        (Value::Str(m), Value::Str(r)) => Ok(Value::from(if all {
            s.replace(&**m, r)
        } else {
            s.replacen(&**m, r, 1)
        })),
        (Value::Char(m), Value::Char(r)) => {
            let (m, r) = (m.to_string(), r.to_string());
            Ok(Value::from(if all {
                s.replace(&m, &r)
            } else {
                s.replacen(&m, &r, 1)
            }))
        }
        (m, Value::Str(r)) if regex_source(m).is_some() => {
            let re = regex_arg(f, m)?;
            let rep = java_replacement(f, r)?;
            Ok(Value::from(
                re.replacen(s, limit, rep.as_str()).into_owned(),
            ))
        }
        (m, r) => Err(type_err(format!(
            "{f}: invalid match/replacement pair {} {}",
            pr_str1(m),
            pr_str1(r)
        ))),
    }
}

pub(crate) fn replace(args: &[Value]) -> Result<Value> {
    replace_impl("clojure.string/replace", args, true)
}

pub(crate) fn replace_first(args: &[Value]) -> Result<Value> {
    replace_impl("clojure.string/replace-first", args, false)
}

/// `clojure.string/escape` with a map as the character mapping.
pub(crate) fn escape(args: &[Value]) -> Result<Value> {
    arity("clojure.string/escape", args, 2, 2)?;
    let s = string_arg("clojure.string/escape", &args[0])?;
    let m = args[1].as_map().ok_or_else(|| {
        type_err(format!(
            "clojure.string/escape: {} is not a map",
            pr_str1(&args[1])
        ))
    })?;
    let mut out = String::new();
    for c in s.chars() {
        match m.get(&Value::Char(c)) {
            Some(Value::Nil) | None => out.push(c),
            Some(r) => out.push_str(&str1(r)),
        }
    }
    Ok(Value::from(out))
}
