//! EDN reader, following Clojure's `clojure.edn` (`EdnReader`) grammar.
//!
//! Besides the EDN spec it accepts what `clojure.edn/read-string` accepts:
//! octal (`017`), hex (`0x1F`) and radix (`2r101`) integers, ratios (`1/2`),
//! `##Inf`/`##-Inf`/`##NaN`, namespaced maps (`#:ns{:a 1}`), metadata
//! (`^:m x`, read and dropped), and octal escapes in strings. It adds the
//! `#bytes "hex"` tag (Cairn's own) and treats `#!` as a line comment.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use std::sync::Arc;

use bigdecimal::BigDecimal;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{ToPrimitive, Zero};

use crate::error::{Error, Pos, Result};
use crate::value::{Keyword, Name, Symbol, Value};

/// Deepest nesting of collections, tags, discards and metadata accepted.
pub const MAX_DEPTH: usize = 1000;

/// Largest `|scale|` of a big decimal read (`1e100000M` is the largest
/// power of ten): bigger ones would make exact comparisons explode.
const MAX_DECIMAL_SCALE: u64 = 100_000;

/// Reads exactly one form from `text`. Whitespace and comments may surround
/// it; anything else after it is an error.
pub fn read(text: &str) -> Result<Value> {
    let mut r = Reader::new(text);
    let v = match r.read_next()? {
        Some(v) => v,
        None => return Err(r.error_at(r.pos, "Unexpected end of input: no form to read")),
    };
    r.skip_ws();
    if r.pos < r.src.len() {
        let start = r.pos;
        // Only discarded forms (`#_ x`) may follow.
        if matches!(r.clone().read_next(), Ok(None)) {
            return Ok(v);
        }
        let end = r.token_end(start, true);
        let text = &r.src[start..end];
        return Err(r.error_at(
            start,
            format!("Unexpected trailing text '{text}' after the form"),
        ));
    }
    Ok(v)
}

/// Reads every top-level form of `text`.
pub fn read_all(text: &str) -> Result<Vec<Value>> {
    Reader::new(text).collect()
}

/// A reader over a text holding any number of forms. Iterating yields each
/// top-level form in turn; after an error it yields nothing more.
///
/// Parsing is iterative (an explicit stack, at most [`MAX_DEPTH`] deep), so
/// no input can overflow the thread's stack.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    src: &'a str,
    pos: usize,
    failed: bool,
}

/// Which collection a [`Frame::Coll`] builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coll {
    List,
    Vector,
    Set,
    Map,
}

impl Coll {
    fn close(self) -> char {
        match self {
            Coll::List => ')',
            Coll::Vector => ']',
            Coll::Set | Coll::Map => '}',
        }
    }
    fn name(self) -> &'static str {
        match self {
            Coll::List => "list",
            Coll::Vector => "vector",
            Coll::Set => "set",
            Coll::Map => "map",
        }
    }
}

/// A construct waiting for forms.
#[derive(Debug)]
enum Frame<'a> {
    /// A collection opened at `start`; `ns` qualifies keys of `#:ns{...}`.
    Coll {
        kind: Coll,
        start: usize,
        ns: Option<&'a str>,
        items: Vec<Value>,
        starts: Vec<usize>,
    },
    /// `#_` at `start`: the next form is dropped.
    Discard { start: usize },
    /// `#tag` at `start`: the next form is the tagged value.
    Tag { start: usize, tag: &'a str },
    /// `^` at `start`: waiting for the metadata (`false`) or the form (`true`).
    Meta { start: usize, got_meta: bool },
}

impl Frame<'_> {
    fn start(&self) -> usize {
        match self {
            Frame::Coll { start, .. }
            | Frame::Discard { start }
            | Frame::Tag { start, .. }
            | Frame::Meta { start, .. } => *start,
        }
    }
}

impl<'a> Reader<'a> {
    /// A reader positioned at the start of `text`.
    pub fn new(text: &'a str) -> Reader<'a> {
        Reader {
            src: text,
            pos: 0,
            failed: false,
        }
    }

    /// The byte offset of the next unread character.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// The line and column of the next unread character.
    pub fn position(&self) -> Pos {
        pos_of(self.src, self.pos)
    }

    /// Reads the next top-level form; `Ok(None)` at the end of the input.
    pub fn read_next(&mut self) -> Result<Option<Value>> {
        if self.failed {
            return Ok(None);
        }
        let r = self.parse();
        if r.is_err() {
            self.failed = true;
        }
        r
    }

    fn parse(&mut self) -> Result<Option<Value>> {
        let mut stack: Vec<Frame<'a>> = Vec::new();
        loop {
            self.skip_ws();
            let start = self.pos;
            let Some(c) = self.peek() else {
                return match stack.last() {
                    None => Ok(None),
                    Some(Frame::Coll { kind, start, .. }) => Err(self.error_at(
                        *start,
                        format!(
                            "Unterminated {}: end of input before '{}'",
                            kind.name(),
                            kind.close()
                        ),
                    )),
                    Some(f) => {
                        let what = &self.src[f.start()..self.token_end(f.start(), true)];
                        Err(self.error_at(
                            f.start(),
                            format!("Unexpected end of input: {what} must be followed by a form"),
                        ))
                    }
                };
            };
            let (value, at) = match c {
                ')' | ']' | '}' => match stack.pop() {
                    Some(Frame::Coll {
                        kind,
                        start: open,
                        ns,
                        items,
                        starts,
                    }) if kind.close() == c => {
                        self.pos += 1;
                        (self.build(kind, open, ns, items, starts)?, open)
                    }
                    _ => return Err(self.error_at(start, format!("Unexpected character '{c}'"))),
                },
                '(' | '[' | '{' => {
                    let kind = match c {
                        '(' => Coll::List,
                        '[' => Coll::Vector,
                        _ => Coll::Map,
                    };
                    self.push(&mut stack, start, Frame::coll(kind, start, None))?;
                    self.pos += 1;
                    continue;
                }
                '^' => {
                    self.push(
                        &mut stack,
                        start,
                        Frame::Meta {
                            start,
                            got_meta: false,
                        },
                    )?;
                    self.pos += 1;
                    continue;
                }
                '#' => match self.peek_at(start + 1) {
                    Some('{') => {
                        self.push(&mut stack, start, Frame::coll(Coll::Set, start, None))?;
                        self.pos += 2;
                        continue;
                    }
                    Some('_') => {
                        self.push(&mut stack, start, Frame::Discard { start })?;
                        self.pos += 2;
                        continue;
                    }
                    Some(':') => {
                        let ns = self.namespace_prefix(start)?;
                        self.push(
                            &mut stack,
                            start,
                            Frame::coll(Coll::Map, self.pos, Some(ns)),
                        )?;
                        self.pos += 1;
                        continue;
                    }
                    Some('#') => (self.symbolic(start)?, start),
                    None => return Err(self.error_at(start, "Unexpected end of input after #")),
                    Some(c) if is_whitespace(c) || is_terminating(c) => {
                        return Err(self.error_at(start, format!("No dispatch macro for #{c}")));
                    }
                    Some(_) => {
                        let tag = self.tag(start)?;
                        self.push(&mut stack, start, Frame::Tag { start, tag })?;
                        continue;
                    }
                },
                _ => (self.atom(c, start)?, start),
            };
            // Hand the finished form to the frames waiting for it.
            let (mut value, mut at) = (value, at);
            loop {
                match stack.last_mut() {
                    None => return Ok(Some(value)),
                    Some(Frame::Coll { items, starts, .. }) => {
                        items.push(value);
                        starts.push(at);
                        break;
                    }
                    Some(Frame::Discard { .. }) => {
                        stack.pop();
                        break;
                    }
                    Some(Frame::Tag { start, tag }) => {
                        let (start, tag) = (*start, *tag);
                        stack.pop();
                        value = self.tagged(tag, value, start)?;
                        at = start;
                    }
                    Some(Frame::Meta { start, got_meta }) => {
                        let start = *start;
                        if !*got_meta {
                            if !matches!(
                                value,
                                Value::Symbol(_)
                                    | Value::Str(_)
                                    | Value::Keyword(_)
                                    | Value::Map(_)
                            ) {
                                return Err(self.error_at(
                                    start,
                                    "Metadata must be a symbol, keyword, string or map",
                                ));
                            }
                            *got_meta = true;
                            break;
                        }
                        stack.pop();
                        if !matches!(
                            value,
                            Value::Symbol(_)
                                | Value::List(_)
                                | Value::Vector(_)
                                | Value::Set(_)
                                | Value::Map(_)
                        ) {
                            return Err(self.error_at(
                                start,
                                format!(
                                    "Metadata cannot be applied to {}",
                                    super::to_string(&value)
                                ),
                            ));
                        }
                        at = start;
                    }
                }
            }
        }
    }

    fn push(&self, stack: &mut Vec<Frame<'a>>, start: usize, frame: Frame<'a>) -> Result<()> {
        if stack.len() >= MAX_DEPTH {
            return Err(self.error_at(start, format!("Nesting deeper than {MAX_DEPTH} levels")));
        }
        stack.push(frame);
        Ok(())
    }

    /// Builds a finished collection, checking maps and sets.
    fn build(
        &self,
        kind: Coll,
        start: usize,
        ns: Option<&str>,
        items: Vec<Value>,
        starts: Vec<usize>,
    ) -> Result<Value> {
        match kind {
            Coll::List => Ok(Value::list(items)),
            Coll::Vector => Ok(Value::vector(items)),
            Coll::Set => {
                let mut set = BTreeSet::new();
                for (v, at) in items.into_iter().zip(starts) {
                    if set.contains(&v) {
                        return Err(self.error_at(
                            at,
                            format!("Duplicate key {} in set", super::to_string(&v)),
                        ));
                    }
                    set.insert(v);
                }
                Ok(Value::Set(Arc::new(set)))
            }
            Coll::Map => {
                if items.len() % 2 != 0 {
                    return Err(
                        self.error_at(start, "Map literal must contain an even number of forms")
                    );
                }
                let mut m = BTreeMap::new();
                let mut it = items.into_iter();
                let mut i = 0;
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    let k = match ns {
                        Some(ns) => qualify(k, ns),
                        None => k,
                    };
                    if m.contains_key(&k) {
                        return Err(self.error_at(
                            starts[i],
                            format!("Duplicate key {} in map", super::to_string(&k)),
                        ));
                    }
                    m.insert(k, v);
                    i += 2;
                }
                Ok(Value::Map(Arc::new(m)))
            }
        }
    }

    /// Reads a form that contains no other forms, starting with `c`.
    fn atom(&mut self, c: char, start: usize) -> Result<Value> {
        match c {
            '"' => self.string(start),
            '\\' => self.character(start),
            _ => {
                let end = self.token_end(start, false);
                let tok = &self.src[start..end];
                self.pos = end;
                let mut cs = tok.chars();
                let numeric = match (cs.next(), cs.next()) {
                    (Some(d), _) if d.is_ascii_digit() => true,
                    (Some('+' | '-'), Some(d)) => d.is_ascii_digit(),
                    _ => false,
                };
                if numeric {
                    parse_number(tok).map_err(|m| self.error_at(start, m))
                } else {
                    self.token(tok, start)
                }
            }
        }
    }

    /// `##Inf`, `##-Inf`, `##NaN` at `start`.
    fn symbolic(&mut self, start: usize) -> Result<Value> {
        let tok_start = start + 2;
        let end = self.token_end(tok_start, false);
        let tok = &self.src[tok_start..end];
        self.pos = end;
        match tok {
            "Inf" => Ok(Value::Double(f64::INFINITY)),
            "-Inf" => Ok(Value::Double(f64::NEG_INFINITY)),
            "NaN" => Ok(Value::Double(f64::NAN)),
            _ => Err(self.error_at(start, format!("Unknown symbolic value ##{tok}"))),
        }
    }

    /// The tag of `#tag` at `start`; leaves the reader after it.
    fn tag(&mut self, start: usize) -> Result<&'a str> {
        let tag_start = start + 1;
        let end = self.token_end(tag_start, false);
        let src: &'a str = self.src;
        let tag = &src[tag_start..end];
        let alpha = tag.chars().next().is_some_and(|c| c.is_alphabetic());
        if !alpha || !valid_symbol_token(tag) {
            return Err(self.error_at(start, format!("Invalid reader tag #{tag}")));
        }
        self.pos = end;
        Ok(tag)
    }

    /// The namespace of `#:ns{` at `start`; leaves the reader at the `{`.
    fn namespace_prefix(&mut self, start: usize) -> Result<&'a str> {
        let ns_start = start + 2;
        let end = self.token_end(ns_start, false);
        let src: &'a str = self.src;
        let ns = &src[ns_start..end];
        if ns.starts_with(':') {
            return Err(self.error_at(
                start,
                format!(
                    "Invalid namespaced map #:{ns}: auto-resolved namespaces are not allowed in EDN"
                ),
            ));
        }
        if ns.is_empty() || ns.contains('/') || !valid_symbol_token(ns) {
            return Err(self.error_at(
                start,
                format!("Invalid namespace #:{ns} for a namespaced map"),
            ));
        }
        self.pos = end;
        self.skip_ws();
        if self.peek() != Some('{') {
            return Err(self.error_at(
                start,
                format!("Namespaced map #:{ns} must be followed by a map"),
            ));
        }
        Ok(ns)
    }

    fn error_at(&self, offset: usize, msg: impl Into<String>) -> Error {
        Error::syntax(msg).at(pos_of(self.src, offset))
    }

    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.src.get(offset..).and_then(|s| s.chars().next())
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Skips whitespace, commas and comments.
    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if is_whitespace(c) {
                self.pos += c.len_utf8();
            } else if c == ';' || (c == '#' && self.peek_at(self.pos + 1) == Some('!')) {
                self.skip_line();
            } else {
                break;
            }
        }
    }

    fn skip_line(&mut self) {
        match self.src[self.pos..].find('\n') {
            Some(i) => self.pos += i + 1,
            None => self.pos = self.src.len(),
        }
    }

    /// End of the token starting at `start`. With `first_free`, the first
    /// character belongs to the token whatever it is (character literals).
    fn token_end(&self, start: usize, first_free: bool) -> usize {
        let mut chars = self.src[start..].char_indices();
        if first_free {
            chars.next();
        }
        for (i, c) in chars {
            if is_whitespace(c) || is_terminating(c) {
                return start + i;
            }
        }
        self.src.len()
    }

    fn string(&mut self, start: usize) -> Result<Value> {
        self.pos += 1;
        let mut s = String::new();
        loop {
            let Some(c) = self.bump() else {
                return Err(self.error_at(start, "Unterminated string"));
            };
            match c {
                '"' => return Ok(Value::Str(Arc::from(s))),
                '\\' => {
                    let esc = self.pos - 1;
                    let Some(e) = self.bump() else {
                        return Err(self.error_at(start, "Unterminated string"));
                    };
                    match e {
                        '"' => s.push('"'),
                        '\\' => s.push('\\'),
                        'n' => s.push('\n'),
                        't' => s.push('\t'),
                        'r' => s.push('\r'),
                        'b' => s.push('\u{8}'),
                        'f' => s.push('\u{c}'),
                        'u' => s.push(self.string_unicode(esc)?),
                        '0'..='7' => {
                            let mut n = e as u32 - '0' as u32;
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ '0'..='7') => {
                                        n = n * 8 + (d as u32 - '0' as u32);
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            if n > 0o377 {
                                return Err(self.error_at(
                                    esc,
                                    format!(
                                        "Octal escape {} must be in range [0, 377]",
                                        &self.src[esc..self.pos]
                                    ),
                                ));
                            }
                            s.push(char::from_u32(n).unwrap_or('\0'));
                        }
                        other => {
                            return Err(self.error_at(
                                esc,
                                format!("Unsupported escape character \\{other} in string"),
                            ));
                        }
                    }
                }
                c => s.push(c),
            }
        }
    }

    /// Reads the 4 hex digits after `\u` in a string (a surrogate pair takes
    /// two escapes).
    fn string_unicode(&mut self, esc: usize) -> Result<char> {
        let hi = self.hex4(esc)?;
        if !(0xD800..0xE000).contains(&hi) {
            return Ok(char::from_u32(hi).unwrap_or('\u{FFFD}'));
        }
        if hi < 0xDC00 && self.src[self.pos..].starts_with("\\u") {
            let save = self.pos;
            self.pos += 2;
            let lo = self.hex4(save)?;
            if (0xDC00..0xE000).contains(&lo) {
                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                if let Some(c) = char::from_u32(c) {
                    return Ok(c);
                }
            }
        }
        Err(self.error_at(
            esc,
            format!("Invalid unicode escape \\u{hi:04X}: unpaired surrogate"),
        ))
    }

    fn hex4(&mut self, esc: usize) -> Result<u32> {
        let digits = self.src.get(self.pos..self.pos + 4).unwrap_or("");
        match (digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| u32::from_str_radix(digits, 16).ok())
            .flatten()
        {
            Some(n) => {
                self.pos += 4;
                Ok(n)
            }
            None => {
                let end = self.src[esc..]
                    .char_indices()
                    .nth(6)
                    .map_or(self.src.len(), |(i, _)| esc + i);
                Err(self.error_at(
                    esc,
                    format!("Invalid unicode escape {}", &self.src[esc..end]),
                ))
            }
        }
    }

    fn character(&mut self, start: usize) -> Result<Value> {
        if self.pos + 1 >= self.src.len() {
            return Err(self.error_at(start, "Unexpected end of input after \\"));
        }
        let end = self.token_end(start + 1, true);
        let tok = &self.src[start + 1..end];
        self.pos = end;
        let mut cs = tok.chars();
        let first = cs.next().unwrap_or(' ');
        if cs.next().is_none() {
            return Ok(Value::Char(first));
        }
        let c = match tok {
            "newline" => Some('\n'),
            "space" => Some(' '),
            "tab" => Some('\t'),
            "backspace" => Some('\u{8}'),
            "formfeed" => Some('\u{c}'),
            "return" => Some('\r'),
            _ if tok.len() == 5 && first == 'u' => {
                let hex = &tok[1..];
                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(self.error_at(start, format!("Invalid unicode character \\{tok}")));
                }
                let n = u32::from_str_radix(hex, 16).unwrap_or(0xD800);
                match char::from_u32(n) {
                    Some(c) => Some(c),
                    None => {
                        return Err(self.error_at(
                            start,
                            format!("Invalid character \\{tok}: a lone surrogate"),
                        ));
                    }
                }
            }
            _ if first == 'o' && (2..=4).contains(&tok.len()) => {
                let oct = &tok[1..];
                match u32::from_str_radix(oct, 8) {
                    Ok(n) if oct.bytes().all(|b| (b'0'..=b'7').contains(&b)) => {
                        if n > 0o377 {
                            return Err(self.error_at(
                                start,
                                format!("Octal escape \\{tok} must be in range [0, 377]"),
                            ));
                        }
                        char::from_u32(n)
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        match c {
            Some(c) => Ok(Value::Char(c)),
            None => Err(self.error_at(start, format!("Unsupported character \\{tok}"))),
        }
    }

    /// Interprets a token that is not a number.
    fn token(&self, tok: &str, start: usize) -> Result<Value> {
        match tok {
            "nil" => return Ok(Value::Nil),
            "true" => return Ok(Value::Bool(true)),
            "false" => return Ok(Value::Bool(false)),
            _ => {}
        }
        if tok.starts_with("::") {
            return Err(self.error_at(
                start,
                format!("Invalid token {tok}: auto-resolved keywords are not allowed in EDN"),
            ));
        }
        if !valid_symbol_token(tok) {
            return Err(self.error_at(start, format!("Invalid token {tok}")));
        }
        match tok.strip_prefix(':') {
            Some(k) => Ok(Value::Keyword(Keyword(Name::new(k)))),
            None => Ok(Value::Symbol(Symbol::new(tok))),
        }
    }

    fn tagged(&self, tag: &str, v: Value, start: usize) -> Result<Value> {
        let need_str = |v: &Value| match v {
            Value::Str(s) => Ok(s.clone()),
            other => Err(self.error_at(
                start,
                format!("#{tag} needs a string, got {}", super::to_string(other)),
            )),
        };
        match tag {
            "inst" => {
                let s = need_str(&v)?;
                super::parse_inst(&s)
                    .map(Value::Inst)
                    .ok_or_else(|| self.error_at(start, format!("Invalid #inst \"{s}\"")))
            }
            "uuid" => {
                let s = need_str(&v)?;
                parse_uuid(&s)
                    .map(Value::Uuid)
                    .ok_or_else(|| self.error_at(start, format!("Invalid #uuid \"{s}\"")))
            }
            "bytes" => {
                let s = need_str(&v)?;
                parse_hex(&s)
                    .map(|b| Value::Bytes(Arc::from(b)))
                    .ok_or_else(|| self.error_at(start, format!("Invalid #bytes \"{s}\"")))
            }
            _ => Ok(Value::Tagged(Arc::new((Symbol::new(tag), v)))),
        }
    }
}

impl<'a> Frame<'a> {
    fn coll(kind: Coll, start: usize, ns: Option<&'a str>) -> Frame<'a> {
        Frame::Coll {
            kind,
            start,
            ns,
            items: Vec::new(),
            starts: Vec::new(),
        }
    }
}

impl Iterator for Reader<'_> {
    type Item = Result<Value>;

    fn next(&mut self) -> Option<Self::Item> {
        self.read_next().transpose()
    }
}

/// Line and column (1-based, in characters) of byte `offset` in `src`.
pub fn pos_of(src: &str, offset: usize) -> Pos {
    let offset = offset.min(src.len());
    let mut line = 1u32;
    let mut col = 1u32;
    for c in src[..offset].chars() {
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    Pos { line, col }
}

/// Java's `Character.isWhitespace`, plus the comma.
fn is_whitespace(c: char) -> bool {
    matches!(
        c,
        ' ' | ',' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | '\u{1c}'..='\u{1f}'
    ) || (c as u32 > 0x7f
        && c.is_whitespace()
        && !matches!(c, '\u{85}' | '\u{a0}' | '\u{2007}' | '\u{202f}'))
}

/// Characters that end a token (Clojure's terminating macro characters).
fn is_terminating(c: char) -> bool {
    matches!(
        c,
        '"' | ';' | '^' | '(' | ')' | '[' | ']' | '{' | '}' | '\\'
    )
}

/// Clojure's symbol/keyword token pattern and its extra checks.
fn valid_symbol_token(s: &str) -> bool {
    if s.is_empty() {
        return false;
    }
    // Greedy `[:]?` first, then without consuming the colon.
    let groups = s
        .strip_prefix(':')
        .and_then(symbol_groups)
        .or_else(|| symbol_groups(s));
    let Some((ns, name)) = groups else {
        return false;
    };
    if ns.is_some_and(|ns| ns.ends_with(":/")) || name.ends_with(':') {
        return false;
    }
    if s.get(1..).is_some_and(|rest| rest.contains("::")) {
        return false;
    }
    !s.starts_with("::")
}

/// Matches `([\D&&[^/]].*/)?(/|[\D&&[^/]][^/]*)`, returning the groups.
fn symbol_groups(r: &str) -> Option<(Option<&str>, &str)> {
    let ok_first = |t: &str| {
        t.chars()
            .next()
            .is_some_and(|c| !c.is_ascii_digit() && c != '/')
    };
    if r == "/" {
        return Some((None, r));
    }
    if let Some(ns) = r.strip_suffix('/') {
        // name is "/", ns must end with '/'.
        return (ns.ends_with('/') && ok_first(ns)).then_some((Some(ns), "/"));
    }
    match r.rfind('/') {
        None => ok_first(r).then_some((None, r)),
        Some(i) => {
            let (ns, name) = (&r[..=i], &r[i + 1..]);
            (ok_first(ns) && ok_first(name)).then_some((Some(ns), name))
        }
    }
}

/// Qualifies a key of a namespaced map.
fn qualify(k: Value, ns: &str) -> Value {
    match &k {
        Value::Keyword(kw) => match kw.namespace() {
            None => Value::Keyword(Keyword(Name::from_parts(Some(ns), kw.name()))),
            Some("_") => Value::Keyword(Keyword(Name::new(kw.name()))),
            Some(_) => k,
        },
        Value::Symbol(s) => match s.namespace() {
            None => Value::Symbol(Symbol(Name::from_parts(Some(ns), s.name()))),
            Some("_") => Value::Symbol(Symbol(Name::new(s.name()))),
            Some(_) => k,
        },
        _ => k,
    }
}

/// An integer value: Long when it fits, else BigInt (unless `big`).
fn integer(n: BigInt, big: bool) -> Value {
    match n.to_i64() {
        Some(l) if !big => Value::Long(l),
        _ => Value::BigInt(Arc::new(n)),
    }
}

/// Parses a numeric token (Clojure's int, ratio and float patterns).
pub(crate) fn parse_number(tok: &str) -> std::result::Result<Value, String> {
    let invalid = || format!("Invalid number {tok}");
    let (neg, body) = match tok.as_bytes().first() {
        Some(b'-') => (true, &tok[1..]),
        Some(b'+') => (false, &tok[1..]),
        _ => (false, tok),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let sign = |n: BigInt| if neg { -n } else { n };

    // Integers.
    let (ibody, big) = match body.strip_suffix('N') {
        Some(b) => (b, true),
        None => (body, false),
    };
    let radix_digits: Option<(u32, &str)> = if ibody == "0" {
        Some((10, "0"))
    } else if let Some(hex) = ibody
        .strip_prefix("0x")
        .or_else(|| ibody.strip_prefix("0X"))
    {
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid());
        }
        Some((16, hex))
    } else if let Some(oct) = ibody.strip_prefix('0') {
        if all_digits(oct) {
            if !oct.bytes().all(|b| b <= b'7') {
                return Err(invalid());
            }
            Some((8, oct))
        } else {
            None
        }
    } else if all_digits(ibody) {
        Some((10, ibody))
    } else if let Some(r) = ibody.find(['r', 'R']).filter(|&r| (1..=2).contains(&r)) {
        let (radix, digits) = (&ibody[..r], &ibody[r + 1..]);
        if !all_digits(radix)
            || digits.is_empty()
            || !digits.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(invalid());
        }
        let radix: u32 = radix.parse().map_err(|_| invalid())?;
        if !(2..=36).contains(&radix) {
            return Err(format!("Radix out of range in {tok}"));
        }
        Some((radix, digits))
    } else {
        None
    };
    if let Some((radix, digits)) = radix_digits {
        let n = BigInt::parse_bytes(digits.as_bytes(), radix).ok_or_else(invalid)?;
        return Ok(integer(sign(n), big));
    }

    // Ratios.
    if let Some((n, d)) = body.split_once('/') {
        if !all_digits(n) || !all_digits(d) {
            return Err(invalid());
        }
        let n = BigInt::from_str(n).map_err(|_| invalid())?;
        let d = BigInt::from_str(d).map_err(|_| invalid())?;
        if d.is_zero() {
            return Err(format!("Divide by zero in {tok}"));
        }
        let r = BigRational::new(sign(n), d);
        if r.is_integer() {
            return Ok(integer(r.to_integer(), false));
        }
        return Ok(Value::Ratio(Arc::new(r)));
    }

    // Floats: [0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?(M)?
    let (fbody, dec) = match body.strip_suffix('M') {
        Some(b) => (b, true),
        None => (body, false),
    };
    let (mantissa, exp) = match fbody.find(['e', 'E']) {
        Some(i) => {
            let e = &fbody[i + 1..];
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if !all_digits(digits) {
                return Err(invalid());
            }
            (&fbody[..i], Some(e))
        }
        None => (fbody, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, f),
        None => (mantissa, ""),
    };
    if !all_digits(int) || !(frac.is_empty() || all_digits(frac)) {
        return Err(invalid());
    }
    if dec {
        let unscaled = BigInt::from_str(&format!("{int}{frac}")).map_err(|_| invalid())?;
        let e: i64 = match exp {
            Some(e) => e
                .parse()
                .map_err(|_| format!("Exponent out of range in {tok}"))?,
            None => 0,
        };
        let scale = (frac.len() as i64)
            .checked_sub(e)
            .filter(|s| s.unsigned_abs() <= MAX_DECIMAL_SCALE)
            .ok_or_else(|| format!("Exponent out of range in {tok}"))?;
        return Ok(Value::BigDec(Arc::new(BigDecimal::new(
            sign(unscaled),
            scale,
        ))));
    }
    let text = format!(
        "{}{int}.{}e{}",
        if neg { "-" } else { "" },
        if frac.is_empty() { "0" } else { frac },
        exp.unwrap_or("0")
    );
    text.parse::<f64>()
        .map(Value::Double)
        .map_err(|_| invalid())
}

/// Parses a UUID in its canonical `8-4-4-4-12` hex form.
fn parse_uuid(s: &str) -> Option<uuid::Uuid> {
    let b = s.as_bytes();
    if b.len() != 36 {
        return None;
    }
    for (i, &c) in b.iter().enumerate() {
        let ok = if matches!(i, 8 | 13 | 18 | 23) {
            c == b'-'
        } else {
            c.is_ascii_hexdigit()
        };
        if !ok {
            return None;
        }
    }
    uuid::Uuid::parse_str(s).ok()
}

/// Parses an even-length hex string into bytes.
fn parse_hex(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if b.len() % 2 != 0 {
        return None;
    }
    b.chunks(2)
        .map(|p| {
            let h = (p[0] as char).to_digit(16)?;
            let l = (p[1] as char).to_digit(16)?;
            Some((h * 16 + l) as u8)
        })
        .collect()
}
