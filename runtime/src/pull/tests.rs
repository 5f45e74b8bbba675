use super::*;
use crate::datom::Datom;
use crate::edn::read;
use crate::error::ErrorKind;
use crate::schema::{Attribute, Unique, ValueType};
use crate::source::MemSource;
use crate::value::Keyword;

pub(crate) fn attr(name: &str, ty: ValueType, many: bool) -> Attribute {
    let mut a = Attribute::new(Keyword::new(name), 0);
    a.value_type = Some(ty);
    a.many = many;
    a
}

/// Builds a source from `[e a v]` triples written in EDN.
pub(crate) fn src(attrs: Vec<Attribute>, triples: &str) -> MemSource {
    let v = read(triples).unwrap();
    let datoms = v
        .as_seq()
        .unwrap()
        .iter()
        .map(|t| {
            let t = t.as_seq().unwrap();
            Datom::new(
                t[0].as_long().unwrap(),
                t[1].as_keyword().unwrap().clone(),
                t[2].clone(),
                crate::datom::TX0 + 1,
            )
        })
        .collect();
    let mut s = MemSource::new(datoms, attrs);
    s.write_schema = true;
    s
}

/// A family: 1 Petr (children 2, 3; aka), 2 David (father 1), 3 Thomas
/// (father 1, child 4), 4 Matthew (father 3), 5 Car with components.
pub(crate) fn family() -> MemSource {
    let mut name = attr("name", ValueType::String, false);
    name.unique = Some(Unique::Identity);
    let mut spec = attr("spec", ValueType::Ref, false);
    spec.component = true;
    let mut part = attr("part", ValueType::Ref, true);
    part.component = true;
    src(
        vec![
            name,
            attr("aka", ValueType::String, true),
            attr("child", ValueType::Ref, true),
            attr("father", ValueType::Ref, false),
            attr("friend", ValueType::Ref, true),
            attr("nick", ValueType::String, false),
            spec,
            part,
        ],
        r#"[[1 :name "Petr"] [1 :aka "Tupen"] [1 :aka "Devil"] [1 :child 2] [1 :child 3]
            [2 :name "David"] [2 :father 1]
            [3 :name "Thomas"] [3 :father 1] [3 :child 4]
            [4 :name "Matthew"] [4 :father 3]
            [5 :name "Car"] [5 :spec 6] [5 :part 7]
            [6 :name "Engine"] [7 :name "Wheel"] [7 :part 8] [8 :name "Bolt"]
            [10 :name "A"] [10 :friend 11] [11 :name "B"] [11 :friend 12]
            [12 :name "C"] [12 :friend 10]]"#,
    )
}

fn p(s: &MemSource, sel: &str, e: i64) -> Value {
    pull(s, &read(sel).unwrap(), &Value::Long(e)).unwrap()
}

pub(crate) fn v(s: &str) -> Value {
    read(s).unwrap()
}

fn syntax_err(sel: &str) -> String {
    let e = parse_pattern(&read(sel).unwrap()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Syntax, "{sel}: {e}");
    e.message
}

#[test]
fn parse_errors_name_the_bad_piece() {
    assert!(syntax_err(":name").contains(":name"));
    assert!(syntax_err("{:a [:b]}").contains("expected: [attr-spec+]"));
    assert!(syntax_err("[42]").contains("42"));
    assert!(syntax_err("[[:name :bogus 1]]").contains(":bogus"));
    assert!(syntax_err("[[:name :as]]").contains("pairs"));
    assert!(syntax_err("[(limit :aka 0)]").contains("limit"));
    assert!(syntax_err("[(limit :aka -1)]").contains("limit"));
    assert!(syntax_err("[(limit 7 3)]").contains("limit"));
    assert!(syntax_err("[(default 7 3)]").contains("default"));
    assert!(syntax_err("[[:aka :limit \"x\"]]").contains("\"x\""));
    assert!(syntax_err("[{:friend :bad}]").contains(":bad"));
    assert!(syntax_err("[{:friend 0}]").contains("0"));
    assert!(syntax_err("[{42 [:name]}]").contains("42"));
    assert!(syntax_err("[{}]").contains("{}"));
    assert!(syntax_err("[\":x\"]").contains(":x"));
    let deep = format!("{}[:a]{}", "[{:a ".repeat(100), "}]".repeat(100));
    assert_eq!(
        parse_pattern(&read(&deep).unwrap()).unwrap_err().kind,
        ErrorKind::Syntax
    );
}

#[test]
fn parse_shapes() {
    let pat = parse_pattern(&v("[:name :_child [:aka :as \"A\" :limit nil :default 1] (default :nick \"n\") {(limit :child 2) [*]} {:friend ...} {:father 3}]")).unwrap();
    assert!(!pat.wildcard);
    let child = pat.get(&v(":_child")).unwrap();
    assert!(child.reverse);
    assert_eq!(child.attr, Keyword::new("child"));
    let aka = pat.get(&v(":aka")).unwrap();
    assert_eq!(aka.as_key, Some(v("\"A\"")));
    assert_eq!(aka.limit, Limit::Unlimited);
    assert_eq!(aka.default, Some(Value::Long(1)));
    assert_eq!(pat.get(&v(":nick")).unwrap().default, Some(v("\"n\"")));
    let c = pat.get(&v(":child")).unwrap();
    assert_eq!(c.limit, Limit::Max(2));
    assert!(matches!(&c.sub, Sub::Pattern(p) if p.wildcard));
    assert_eq!(pat.get(&v(":friend")).unwrap().sub, Sub::Recursion(None));
    assert_eq!(pat.get(&v(":father")).unwrap().sub, Sub::Recursion(Some(3)));
    // Wildcard spellings, list and set patterns, repeated attributes collapse.
    for w in ["[*]", "[:*]", "[\"*\"]", "(*)", "#{*}"] {
        assert!(parse_pattern(&v(w)).unwrap().wildcard, "{w}");
    }
    let pat = parse_pattern(&v("[:name [:name :as :n]]")).unwrap();
    assert_eq!(pat.attrs.len(), 1);
    assert_eq!(pat.attrs[0].as_key, Some(v(":n")));
    // Map specs win over plain specs of the same attribute.
    let pat = parse_pattern(&v("[{:father [:name]} :father]")).unwrap();
    assert!(matches!(pat.attrs[0].sub, Sub::Pattern(_)));
    // Strings as attribute names, "..." as recursion.
    let pat = parse_pattern(&v("[\"name\" {\"friend\" \"...\"} \"ns/_ref\"]")).unwrap();
    assert_eq!(pat.get(&v("\"name\"")).unwrap().attr, Keyword::new("name"));
    assert_eq!(pat.get(&v("\"friend\"")).unwrap().sub, Sub::Recursion(None));
    assert!(pat.get(&v("\"ns/_ref\"")).unwrap().reverse);
}

#[test]
fn plain_and_many_attributes() {
    let s = family();
    assert_eq!(
        p(&s, "[:name :aka]", 1),
        v(r#"{:name "Petr" :aka ["Devil" "Tupen"]}"#)
    );
    assert_eq!(p(&s, "[\"name\"]", 1), v(r#"{"name" "Petr"}"#));
    assert_eq!(p(&s, "[:nick]", 1), Value::Nil);
    assert_eq!(
        p(&s, "[:db/id :name :child]", 1),
        v(r#"{:db/id 1 :name "Petr" :child [{:db/id 2} {:db/id 3}]}"#)
    );
    assert_eq!(p(&s, "[:db/id :name]", 99), Value::Nil);
}

#[test]
fn options() {
    let s = family();
    assert_eq!(p(&s, "[[:aka :limit 1]]", 1), v(r#"{:aka ["Devil"]}"#));
    assert_eq!(p(&s, "[(limit :aka 1)]", 1), v(r#"{:aka ["Devil"]}"#));
    assert_eq!(
        p(&s, "[[:nick :as \"N\" :default \"none\"]]", 1),
        v(r#"{"N" "none"}"#)
    );
    assert_eq!(p(&s, "[(default :nick 7)]", 1), v("{:nick 7}"));
    assert_eq!(p(&s, "[[:name :default 7]]", 1), v(r#"{:name "Petr"}"#));
    assert_eq!(
        p(&s, "[[:_father :as :kids :limit 1]]", 1),
        v("{:kids [{:db/id 2}]}")
    );
}

#[test]
fn default_limit_is_1000() {
    let mut triples = String::from("[");
    for i in 0..1100 {
        triples.push_str(&format!("[1 :aka \"a{i:04}\"]"));
    }
    triples.push(']');
    let s = src(vec![attr("aka", ValueType::String, true)], &triples);
    let n = |sel: &str| match p(&s, sel, 1).get_kw("aka") {
        Some(Value::Vector(xs)) => xs.len(),
        other => panic!("{other:?}"),
    };
    assert_eq!(n("[:aka]"), 1000);
    assert_eq!(n("[[:aka :limit nil]]"), 1100);
    assert_eq!(n("[[:aka :limit 1050]]"), 1050);
    assert_eq!(n("[*]"), 1000);
}

#[test]
fn subpatterns_and_reverse() {
    let s = family();
    assert_eq!(
        p(&s, "[:name {:father [:name {:father [:db/id :name]}]}]", 4),
        v(r#"{:name "Matthew" :father {:name "Thomas" :father {:db/id 1 :name "Petr"}}}"#)
    );
    assert_eq!(
        p(&s, "[:name {:_father [:name]}]", 1),
        v(r#"{:name "Petr" :_father [{:name "David"} {:name "Thomas"}]}"#)
    );
    // Targets yielding nothing are dropped: empty vector for many, no key for one.
    assert_eq!(
        p(&s, "[:name {:child [:nick]}]", 1),
        v(r#"{:name "Petr" :child []}"#)
    );
    assert_eq!(
        p(&s, "[:name {:father [:nick]}]", 2),
        v(r#"{:name "David"}"#)
    );
    // Reverse of a component attribute is a single map.
    assert_eq!(p(&s, "[:_spec]", 6), v("{:_spec {:db/id 5}}"));
    assert_eq!(
        p(&s, "[{:_part [:name]}]", 8),
        v(r#"{:_part {:name "Wheel"}}"#)
    );
}

#[test]
fn wildcard_and_components() {
    let s = family();
    assert_eq!(
        p(&s, "[*]", 2),
        v(r#"{:db/id 2 :name "David" :father {:db/id 1}}"#)
    );
    assert_eq!(
        p(&s, "[*]", 5),
        v(r#"{:db/id 5 :name "Car" :spec {:db/id 6 :name "Engine"}
              :part [{:db/id 7 :name "Wheel" :part [{:db/id 8 :name "Bolt"}]}]}"#)
    );
    // Explicit component attribute without subpattern expands too.
    assert_eq!(
        p(&s, "[:spec]", 5),
        v(r#"{:spec {:db/id 6 :name "Engine"}}"#)
    );
    // Wildcard plus an explicit reverse attribute and an overriding subpattern.
    assert_eq!(
        p(&s, "[* :_child {:father [:name]}]", 2),
        v(r#"{:db/id 2 :name "David" :father {:name "Petr"} :_child [{:db/id 1}]}"#)
    );
    // Specs next to the wildcard apply to present attributes only (as in
    // the reference, a :default of a missing attribute is not used).
    assert_eq!(
        p(
            &s,
            "[* [:name :as :n] [:aka :limit 1] [:nick :default 0]]",
            1
        ),
        v(r#"{:db/id 1 :n "Petr" :aka ["Devil"] :child [{:db/id 2} {:db/id 3}]}"#)
    );
    // No datoms: the wildcard still gives the id.
    assert_eq!(p(&s, "[*]", 99), v("{:db/id 99}"));
}

#[test]
fn component_cycles_stop() {
    let mut c = attr("c", ValueType::Ref, false);
    c.component = true;
    let s = src(
        vec![c, attr("n", ValueType::Long, false)],
        "[[1 :n 1] [1 :c 2] [2 :n 2] [2 :c 1]]",
    );
    assert_eq!(
        p(&s, "[*]", 1),
        v("{:db/id 1 :n 1 :c {:db/id 2 :n 2 :c {:db/id 1}}}")
    );
}

#[test]
fn recursion() {
    let s = family();
    // Cycle A → B → C → A: A is re-entered once, then B is seen.
    assert_eq!(
        p(&s, "[:name {:friend ...}]", 10),
        v(
            r#"{:name "A" :friend [{:name "B" :friend [{:name "C" :friend [{:name "A" :friend [{:db/id 11}]}]}]}]}"#
        )
    );
    assert_eq!(
        p(&s, "[:name {:friend 1}]", 10),
        v(r#"{:name "A" :friend [{:name "B"}]}"#)
    );
    assert_eq!(
        p(&s, "[:name {:father ...}]", 4),
        v(r#"{:name "Matthew" :father {:name "Thomas" :father {:name "Petr"}}}"#)
    );
    assert_eq!(
        p(&s, "[:name {:_father 1}]", 1),
        v(r#"{:name "Petr" :_father [{:name "David"} {:name "Thomas"}]}"#)
    );
}

#[test]
fn recursion_with_wildcard_matches_reference() {
    // Datahike's recursion frame marks the target as seen before the
    // wildcard checks it, so recursed entities come back as {:db/id n}.
    let s = family();
    assert_eq!(
        p(&s, "[* {:friend ...}]", 10),
        v(r#"{:db/id 10 :name "A" :friend [{:db/id 11}]}"#)
    );
}

#[test]
fn deep_recursion_is_an_error_not_a_crash() {
    let mut triples = String::from("[");
    for i in 1..1500 {
        triples.push_str(&format!("[{i} :next {}]", i + 1));
    }
    triples.push(']');
    let s = src(vec![attr("next", ValueType::Ref, false)], &triples);
    let pat = read("[:db/id {:next ...}]").unwrap();
    let e = pull(&s, &pat, &Value::Long(1)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Other);
    // Within the limit it works.
    let r = pull(&s, &pat, &Value::Long(1500 - 950)).unwrap();
    assert_eq!(r.get_kw("db/id"), Some(&Value::Long(550)));
    let many = pull_many(&s, &pat, &[Value::Long(600), Value::Long(700)]).unwrap();
    assert_eq!(many.as_seq().map(|m| m.len()), Some(2));
}

#[test]
fn pull_many_and_eids() {
    let s = family();
    assert_eq!(
        pull_many(
            &s,
            &v("[:nick :name]"),
            &[v("3"), v("99"), v("[:name \"David\"]")]
        )
        .unwrap(),
        v(r#"[{:name "Thomas"} {:name "David"}]"#)
    );
    let e = pull(&s, &v("[:name]"), &v("[:name \"Nobody\"]")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Lookup);
    assert!(e.message.contains("Nothing found for entity id"));
    let e = pull(&s, &v("[:name]"), &v("[:aka \"Devil\"]")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Lookup);
    let e = pull(&s, &v("[:name]"), &v("[:name]")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Syntax);
    let e = pull(&s, &v(":name"), &v("1")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Syntax);
    // pull_pattern with a pre-parsed pattern.
    let pat = parse_pattern(&v("[:name]")).unwrap();
    assert_eq!(
        pull_pattern(&s, &pat, 2).unwrap(),
        Some(v(r#"{:name "David"}"#))
    );
    assert_eq!(pull_pattern(&s, &pat, 99).unwrap(), None);
}

#[test]
fn write_mode_unknown_attribute() {
    let mut s = family();
    let e = pull(&s, &v("[:name :unknown]"), &v("1")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Schema);
    assert!(e.message.contains(":unknown"));
    let e = pull(&s, &v("[:_unknown]"), &v("1")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Schema);
    s.write_schema = false;
    assert_eq!(p(&s, "[:name :unknown]", 1), v(r#"{:name "Petr"}"#));
}

#[test]
fn ident_eid() {
    let mut ident = attr("db/ident", ValueType::Keyword, false);
    ident.unique = Some(Unique::Identity);
    let s = src(vec![ident], "[[7 :db/ident :color/red]]");
    assert_eq!(
        pull(&s, &v("[:db/ident]"), &v(":color/red")).unwrap(),
        v("{:db/ident :color/red}")
    );
}
