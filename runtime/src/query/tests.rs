//! Query tests: parser error messages, planner choices, rule recursion
//! termination. The shared `query-*.edn` conformance cases run through the
//! public API in `tests/conformance.rs`, against both storage backends.

use std::sync::Arc;

use crate::source::Source;
use crate::value::Value;

use super::{Input, q};

// ------------------------------------------------------------------ unit tests

fn edn(s: &str) -> Value {
    crate::edn::read(s).expect("test EDN")
}

/// A memory database with a small social graph, through the real transactor.
fn people() -> Arc<dyn Source> {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let config = crate::Config::memory(&format!("query-tests-people-{n}"));
    crate::create_database(&config).expect("create");
    let conn = crate::connect(&config).expect("connect");
    conn.transact(
        &edn(r#"[{:db/ident :name :db/valueType :db.type/string :db/cardinality :db.cardinality/one
                  :db/unique :db.unique/identity}
                 {:db/ident :age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
                 {:db/ident :follow :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}]"#),
        None,
    )
    .expect("schema");
    conn.transact(
        &edn(r#"[{:db/id -1 :name "A" :age 10 :follow [-2]} {:db/id -2 :name "B" :age 20 :follow [-3]}
                 {:db/id -3 :name "C" :age 30 :follow [-1]} {:db/id -4 :name "D" :age 40}]"#),
        None,
    )
    .expect("transact");
    Arc::new(conn.db().expect("db"))
}

fn parse_err(query: &str) -> String {
    match super::parse(&edn(query)) {
        Ok(q) => panic!("expected a parse error for {query}, got {q:?}"),
        Err(e) => {
            assert_eq!(e.kind, crate::error::ErrorKind::Syntax, "{e}");
            e.message
        }
    }
}

#[test]
fn parser_error_messages() {
    let cases = [
        (
            "[:find ?x :where [?e :name ?n]]",
            "Query for unknown vars: [?x]",
        ),
        (
            "[:find ?e ?n :keys a :where [?e :name ?n]]",
            "Count of :keys/:strs/:syms must match",
        ),
        (
            "[:find ?e :keys a :strs b :where [?e :name _]]",
            "Only one of :keys",
        ),
        (
            "[:find ?e :where [$2 ?e :name _]]",
            "unknown source vars: [$2]",
        ),
        ("[:find ?e :where (r ?e)]", "Missing rules var '%'"),
        (
            "[:find ?e :where [?e :name _] (not-join [?x] [?e :age 10])]",
            "Join variable not declared inside clauses: ?x",
        ),
        (
            "[:find ?e :where [?e :name _] (not [_ :name \"A\"])]",
            "Join variables should not be empty",
        ),
        ("[:find ?e :where [?e :name _] 42]", "Cannot parse clause"),
        ("[:find 42 :where [?e :name _]]", "Cannot parse :find"),
        (
            "[:find ?e :in $ % :where [?e :name _] (r)]",
            "at least one argument",
        ),
        (
            "[:find ?e :where [?e :a ?x] (or [?e :b ?y] [?e :a ?x])]",
            "same set of free vars",
        ),
        (
            "[:find ?e :in $ ?x ?x :where [?e :a ?x]]",
            "Vars used in :in should be distinct",
        ),
        (
            "[:find ?x :with ?x :where [?e :a ?x]]",
            ":find and :with should not use same variables",
        ),
        (
            "[:find ?e ?x :where [?e :a ?v] [(no-such-fn ?v) ?x]]",
            "Unknown function 'no-such-fn",
        ),
        (
            "[:find ?e :where [?e :a ?v] [(no-such-pred ?v)]]",
            "Unknown predicate 'no-such-pred",
        ),
    ];
    for (query, want) in cases {
        let msg = parse_err(query);
        assert!(
            msg.contains(want),
            "{query}: message {msg:?} lacks {want:?}"
        );
    }
    // The offending form is named.
    assert!(parse_err("[:find ?e :where [?e :name _] 42]").contains("42"));
}

#[test]
fn runtime_binding_errors() {
    let db = people();
    let run = |query: &str, args: Vec<Value>| {
        let mut inputs = vec![Input::Db(db.clone())];
        inputs.extend(args.into_iter().map(Input::Value));
        q(&edn(query), &inputs)
    };
    let e = run("[:find ?e :where [(= ?a 1)] [?e :age ?a]]", vec![]).unwrap_err();
    assert!(e.message.contains("Insufficient bindings"), "{e}");
    let e = run("[:find ?a :in $ [?a ...]]", vec![Value::kw("a")]).unwrap_err();
    assert!(
        e.message
            .contains("Cannot bind value :a to collection [?a ...]"),
        "{e}"
    );
    let e = run("[:find ?a ?b :in $ [?a ?b]]", vec![edn("[:a]")]).unwrap_err();
    assert!(e.message.contains("Not enough elements"), "{e}");
    let e = run(
        "[:find ?e :in $ % :where (r ?e ?e)]",
        vec![edn("[[(r ?x) [?x :name _]]]")],
    )
    .unwrap_err();
    assert!(e.message.contains("Arity mismatch"), "{e}");
    let e = run(
        "[:find ?e ?h :where [?e :age] [(get-else $ ?e :x nil) ?h]]",
        vec![],
    )
    .unwrap_err();
    assert!(e.message.contains("nil default"), "{e}");
}

#[test]
fn planner_picks_selective_pattern_and_index() {
    let db = people();
    let inputs = [Input::Db(db)];
    // Written with the broad pattern first; the unique lookup runs first.
    let plan = super::explain(
        &edn(r#"[:find ?a :where [?e :age ?a] [?e :name "B"] [(> ?a 1)]]"#),
        &inputs,
    )
    .expect("explain");
    let lines: Vec<&str> = plan.lines().collect();
    assert_eq!(lines.len(), 3, "{plan}");
    assert!(
        lines[0].contains(":name \"B\"") && lines[0].contains("index=:avet"),
        "{plan}"
    );
    assert!(
        lines[1].contains(":age") && lines[1].contains("index=:eavt"),
        "{plan}"
    );
    assert!(lines[2].contains("predicate"), "{plan}");
    // Attribute only → AEVT.
    let plan = super::explain(&edn("[:find ?e :where [?e :age _]]"), &inputs).expect("explain");
    assert!(plan.contains("index=:aevt"), "{plan}");
    // Entity bound from :in → EAVT.
    let plan = super::explain(
        &edn("[:find ?a ?v :in $ ?e :where [?e ?a ?v]]"),
        &[inputs[0].clone(), Input::Value(Value::Long(1))],
    )
    .expect("explain");
    assert!(plan.contains("index=:eavt"), "{plan}");
    // Predicates stay where their inputs are bound; not/or are barriers.
    let steps = {
        let query = super::parse(&edn(
            "[:find ?e :where [?e :age ?a] (not [?e :name \"A\"]) [?e :follow ?f]]",
        ))
        .expect("parse");
        let mut engine = super::eval::Engine::default();
        engine
            .add_source(super::parse::default_src(), &inputs[0])
            .expect("source");
        engine
            .plan(
                &query.clauses,
                &super::eval::Ctx::default(),
                &super::parse::default_src(),
            )
            .expect("plan")
    };
    let order: Vec<usize> = steps.iter().map(|s| s.clause).collect();
    assert_eq!(order, vec![0, 1, 2]);
}

#[test]
fn recursive_rules_terminate_on_cycles() {
    let db = people();
    // follow is a cycle A → B → C → A: the closure has all 9 pairs.
    let rules = edn("[[(reach ?x ?y) [?x :follow ?y]]
          [(reach ?x ?y) [?x :follow ?t] (reach ?t ?y)]]");
    let res = q(
        &edn("[:find ?a ?b :in $ % :where (reach ?x ?y) [?x :name ?a] [?y :name ?b]]"),
        &[Input::Db(db.clone()), Input::Value(rules.clone())],
    )
    .expect("query");
    assert_eq!(res.as_map().map(|_| 0), None);
    match &res {
        Value::Set(s) => assert_eq!(s.len(), 9, "{res}"),
        other => panic!("expected a set, got {other}"),
    }
    // Bound first argument (seeded evaluation).
    let res = q(
        &edn(r#"[:find [?b ...] :in $ % ?n :where [?x :name ?n] (reach ?x ?y) [?y :name ?b]]"#),
        &[
            Input::Db(db.clone()),
            Input::Value(rules),
            Input::Value(Value::str("A")),
        ],
    )
    .expect("query");
    assert_eq!(res.as_seq().map(<[Value]>::len), Some(3), "{res}");
    // Mutual recursion with a symmetric rule terminates too.
    let rules = edn(
        "[[(linked ?a ?b) [?a :follow ?b]] [(linked ?a ?b) (linked ?b ?a)]
          [(conn ?a ?b) (linked ?a ?b)] [(conn ?a ?b) (linked ?a ?t) (conn ?t ?b)]]",
    );
    let res = q(
        &edn("[:find (count ?b) . :in $ % :where [?a :name \"A\"] (conn ?a ?b)]"),
        &[Input::Db(db), Input::Value(rules)],
    )
    .expect("query");
    assert_eq!(res, Value::Long(3));
}

#[test]
fn query_stats_and_call_forms() {
    let db = people();
    let inputs = [Input::Db(db)];
    let stats = super::query_stats(
        &edn(r#"[:find ?a :where [?e :name "B"] [?e :age ?a]]"#),
        &inputs,
    )
    .expect("stats");
    assert_eq!(stats.get_kw("ret"), Some(&edn("#{[20]}")));
    let st = stats.get_kw("stats").and_then(Value::as_seq).unwrap_or(&[]);
    assert_eq!(st.len(), 2);
    assert_eq!(
        st[0].get_kw("rels"),
        Some(&edn("[{:rows 1 :bound #{?e}}]")),
        "{stats}"
    );
    assert_eq!(st[0].get_kw("index"), Some(&Value::kw("avet")), "{stats}");
    // EDN string, quoted form, arg map with :offset/:limit.
    let r = q(&Value::str("[:find ?n :where [_ :name ?n]]"), &inputs).expect("string");
    assert_eq!(r.as_map().map(|_| ()), None);
    let r = q(
        &edn("(quote [:find (count ?n) . :where [_ :name ?n]])"),
        &inputs,
    )
    .expect("quote");
    assert_eq!(r, Value::Long(4));
    let r = q(
        &edn("{:query [:find ?n :where [_ :name ?n]] :offset 1 :limit 2}"),
        &inputs,
    )
    .expect("arg map");
    match r {
        Value::Set(s) => assert_eq!(s.len(), 2),
        other => panic!("expected a set, got {other}"),
    }
    let r = q(&edn("{:query [:find ?x . :in ?x] :args [7]}"), &[]).expect("args");
    assert_eq!(r, Value::Long(7));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let mut s = String::from("[:find ?e :where [?e :name _] ");
    for _ in 0..200 {
        s.push_str("(not ");
    }
    s.push_str("[?e :age 1]");
    for _ in 0..200 {
        s.push(')');
    }
    s.push(']');
    let e = super::parse(&edn(&s)).unwrap_err();
    assert!(e.message.contains("nested too deeply"), "{e}");
}

#[test]
fn semi_naive_transitive_closure_on_a_chain() {
    // Edges 0→1→…→120 in a collection source; the closure has 120·121/2 pairs.
    let n = 120i64;
    let edges = Value::vector(
        (0..n)
            .map(|i| Value::vector(vec![Value::Long(i), Value::Long(i + 1)]))
            .collect(),
    );
    let rules = edn("[[(reach ?x ?y) [?x ?y]] [(reach ?x ?y) [?x ?t] (reach ?t ?y)]]");
    let started = std::time::Instant::now();
    let res = q(
        &edn("[:find (count ?x) . :with ?y :in $ % :where (reach ?x ?y)]"),
        &[Input::Value(edges), Input::Value(rules)],
    )
    .expect("query");
    assert_eq!(res, Value::Long(n * (n + 1) / 2));
    assert!(
        started.elapsed().as_secs() < 20,
        "closure took {:?}",
        started.elapsed()
    );
}

#[test]
fn odd_inputs_do_not_panic() {
    let db = people();
    for query in [
        "[:find ?x :where [(q) ?x]]",
        "[:find ?x :where [(ground) ?x]]",
        "[:find ?x :where [(tuple) ?x]]",
        "[:find ?e :where [?e]]",
        "[:find ?e :where [?e :name ?n ?t ?a]]",
        "[:find ?e :where [\"x\" :name ?e]]",
        "[:find ?e :where [[:age 1] :name ?e]]",
        "[:find (pull ?e [:name]) :where [?e :name \"Z\"]]",
        "{:find [?e] :where [[?e :name]] :limit \"x\"}",
        "[:find ?e . :where [?e :follow :no-such-ident]]",
    ] {
        let _ = q(&edn(query), &[Input::Db(db.clone())]);
    }
}

#[test]
fn lookup_ref_inputs() {
    let db = people();
    let run = |query: &str, arg: &str| {
        q(
            &edn(query),
            &[Input::Db(db.clone()), Input::Value(edn(arg))],
        )
    };
    // A scalar lookup ref resolves; it is returned as given.
    let r = run(
        "[:find ?e ?a :in $ ?e :where [?e :age ?a]]",
        r#"[:name "B"]"#,
    )
    .expect("q");
    assert_eq!(r, edn(r#"#{[[:name "B"] 20]}"#));
    // A scalar lookup ref that resolves to nothing is an error...
    let e = run(
        "[:find ?a :in $ ?e :where [?e :age ?a]]",
        r#"[:name "Nobody"]"#,
    )
    .unwrap_err();
    assert!(e.message.contains("Nothing found for entity id"), "{e}");
    // ...but inside a collection it is dropped.
    let r = run(
        "[:find ?a :in $ [?e ...] :where [?e :age ?a]]",
        r#"[[:name "Nobody"] [:name "A"] "junk"]"#,
    )
    .expect("q");
    assert_eq!(r, edn("#{[10]}"));
}

// ------------------------------------------------------------- query-stats

/// Datahike's query_stats_test data: six people with a name and an age.
fn ages() -> Arc<dyn Source> {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let config = crate::Config::memory(&format!("query-tests-ages-{n}"));
    crate::create_database(&config).expect("create");
    let conn = crate::connect(&config).expect("connect");
    conn.transact(
        &edn(r#"[{:db/ident :name :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
                 {:db/ident :age :db/valueType :db.type/long :db/cardinality :db.cardinality/one}]"#),
        None,
    )
    .expect("schema");
    conn.transact(
        &edn(
            r#"[{:name "Ivan" :age 10} {:name "Ivan" :age 20} {:name "Oleg" :age 30}
                 {:name "Oleg" :age 40} {:name "Ivan" :age 50} {:name "Michal" :age 60}]"#,
        ),
        None,
    )
    .expect("transact");
    Arc::new(conn.db().expect("db"))
}

/// Replaces every `:t` (which must be a non-negative double) by
/// `:measurement`, like Datahike's `unify-stats`.
fn unify_stats(v: &Value) -> Value {
    match v {
        Value::Map(m) => Value::map(m.iter().map(|(k, x)| {
            if k == &Value::kw("t") {
                assert!(matches!(x, Value::Double(t) if *t >= 0.0), "bad :t {x}");
                (k.clone(), Value::kw("measurement"))
            } else {
                (k.clone(), unify_stats(x))
            }
        })),
        Value::Vector(xs) => Value::vector(xs.iter().map(unify_stats).collect()),
        other => other.clone(),
    }
}

fn stats_of(query: &str, inputs: &[Input]) -> Value {
    unify_stats(&super::query_stats(&edn(query), inputs).expect("query-stats"))
}

/// Compares everything but `:ret` with `expected`, and `:ret` as a set.
fn assert_stats(query: &str, inputs: &[Input], ret: &str, expected: &str) {
    let got = stats_of(query, inputs);
    let as_set = |v: &Value| Value::set(v.as_seq().unwrap_or(&[]).iter().cloned());
    let r = got.get_kw("ret").cloned().unwrap_or(Value::Nil);
    let r = if matches!(r, Value::Vector(_)) {
        as_set(&r)
    } else {
        r
    };
    assert_eq!(r, edn(ret), "{got}");
    let rest = Value::map(
        got.as_map()
            .map(|m| m.iter().filter(|(k, _)| **k != Value::kw("ret")))
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    assert_eq!(rest, edn(expected), "{got}");
}

#[test]
fn query_stats_not_and_not_join() {
    let inputs = [Input::Db(ages())];
    assert_stats(
        "[:find [?a ...] :where [?e :age ?a] (not [?e :age 60])]",
        &inputs,
        "#{10 20 30 40 50}",
        r#"{:consts {} :rules {}
            :query {:find [[?a ...]] :where [[?e :age ?a] (not [?e :age 60])]}
            :stats [{:clause [?e :age ?a] :type :lookup :index :aevt :t :measurement
                     :rels [{:rows 6 :bound #{?a ?e}}]}
                    {:clause (not [?e :age 60]) :type :not :index nil :t :measurement
                     :rels [{:rows 5 :bound #{?a ?e}}]
                     :branches [{:clause [?e :age 60] :type :lookup :index :eavt :t :measurement
                                 :rels [{:rows 1 :bound #{?e}}]}]}]}"#,
    );
    assert_stats(
        r#"[:find ?a :where [?e :name] [?e :age ?a]
                            (not-join [?e] [?e :name "Oleg"] [?e :age ?a])]"#,
        &inputs,
        "#{[10] [20] [50] [60]}",
        r#"{:consts {} :rules {}
            :query {:find [?a] :where [[?e :name] [?e :age ?a]
                                       (not-join [?e] [?e :name "Oleg"] [?e :age ?a])]}
            :stats [{:clause [?e :name] :type :lookup :index :aevt :t :measurement
                     :rels [{:rows 6 :bound #{?e}}]}
                    {:clause [?e :age ?a] :type :lookup :index :eavt :t :measurement
                     :rels [{:rows 6 :bound #{?a ?e}}]}
                    {:clause (not-join [?e] [?e :name "Oleg"] [?e :age ?a]) :type :not
                     :index nil :t :measurement :rels [{:rows 4 :bound #{?a ?e}}]
                     :branches [{:clause [?e :name "Oleg"] :type :lookup :index :eavt
                                 :t :measurement :rels [{:rows 2 :bound #{?e}}]}
                                {:clause [?e :age ?a] :type :lookup :index :eavt
                                 :t :measurement :rels [{:rows 2 :bound #{?a ?e}}]}]}]}"#,
    );
}

#[test]
fn query_stats_or_and_or_join() {
    let inputs = [Input::Db(ages())];
    // `or`: one vector of stats per branch.
    assert_stats(
        r#"[:find ?a :where [?e :age ?a] (or [?e :name "Ivan"] [?e :name "Oleg"])]"#,
        &inputs,
        "#{[10] [20] [30] [40] [50]}",
        r#"{:consts {} :rules {}
            :query {:find [?a] :where [[?e :age ?a] (or [?e :name "Ivan"] [?e :name "Oleg"])]}
            :stats [{:clause [?e :age ?a] :type :lookup :index :aevt :t :measurement
                     :rels [{:rows 6 :bound #{?a ?e}}]}
                    {:clause (or [?e :name "Ivan"] [?e :name "Oleg"]) :type :or :index nil
                     :t :measurement :rels [{:rows 5 :bound #{?a ?e}}]
                     :branches [[{:clause [?e :name "Ivan"] :type :lookup :index :eavt
                                  :t :measurement :rels [{:rows 3 :bound #{?e}}]}]
                                [{:clause [?e :name "Oleg"] :type :lookup :index :eavt
                                  :t :measurement :rels [{:rows 2 :bound #{?e}}]}]]}]}"#,
    );
    // `or-join`: one stat per branch; an `and` branch nests its clauses.
    assert_stats(
        r#"[:find ?a :where [?e :age ?a]
                  (or-join [?e] (and [?e :name "Ivan"] [?e :age ?x] [(< ?x 30)])
                                [?e :name "Oleg"])]"#,
        &inputs,
        "#{[10] [20] [30] [40]}",
        r#"{:consts {} :rules {}
            :query {:find [?a] :where [[?e :age ?a]
                                       (or-join [?e] (and [?e :name "Ivan"] [?e :age ?x] [(< ?x 30)])
                                                     [?e :name "Oleg"])]}
            :stats [{:clause [?e :age ?a] :type :lookup :index :aevt :t :measurement
                     :rels [{:rows 6 :bound #{?a ?e}}]}
                    {:clause (or-join [?e] (and [?e :name "Ivan"] [?e :age ?x] [(< ?x 30)])
                                           [?e :name "Oleg"])
                     :type :or-join :index nil :t :measurement :rels [{:rows 4 :bound #{?a ?e}}]
                     :branches [{:clause (and [?e :name "Ivan"] [?e :age ?x] [(< ?x 30)])
                                 :type :and :index nil :t :measurement
                                 :rels [{:rows 2 :bound #{?e ?x}}]
                                 :branches [{:clause [?e :name "Ivan"] :type :lookup :index :eavt
                                             :t :measurement :rels [{:rows 3 :bound #{?e}}]}
                                            {:clause [?e :age ?x] :type :lookup :index :eavt
                                             :t :measurement :rels [{:rows 3 :bound #{?e ?x}}]}
                                            {:clause [(< ?x 30)] :type :solve :index nil
                                             :t :measurement :rels [{:rows 2 :bound #{?e ?x}}]}]}
                                {:clause [?e :name "Oleg"] :type :lookup :index :eavt
                                 :t :measurement :rels [{:rows 2 :bound #{?e}}]}]}]}"#,
    );
}

#[test]
fn query_stats_rules() {
    let follows = edn(
        "[[1 :follow 2] [2 :follow 3] [2 :follow 4] [3 :follow 4] [4 :follow 6] [5 :follow 3]]",
    );
    let rules = "[[(follow ?e2 ?e1) [?e2 :follow ?e1]]
                  [(follow ?e2 ?e1) [?e2 :follow ?t] [?t :follow ?e1]]]";
    assert_stats(
        "[:find ?e2 :in $ ?e1 % :where (follow ?e1 ?e2)]",
        &[
            Input::Value(follows.clone()),
            Input::Value(Value::Long(1)),
            Input::Value(edn(rules)),
        ],
        "#{[2] [3] [4]}",
        &format!(
            r#"{{:consts {{?e1 1}} :rules {{follow {rules}}}
                :query {{:find [?e2] :in [$ ?e1 %] :where [(follow ?e1 ?e2)]}}
                :stats [{{:clause (follow ?e1 ?e2) :type :rule :index nil :t :measurement
                          :rels [{{:rows 3 :bound #{{?e1 ?e2}}}}]
                          :branches [{{:clause ([?e2 :follow ?e1]) :rule (follow ?e2 ?e1) :runs 1
                                      :type :solve :index nil :t :measurement
                                      :rels [{{:rows 1 :bound #{{?e1 ?e2}}}}]
                                      :branches [{{:clause [?e2 :follow ?e1] :type :lookup :index nil
                                                  :t :measurement :rels [{{:rows 1 :bound #{{?e1 ?e2}}}}]}}]}}
                                     {{:clause ([?e2 :follow ?t] [?t :follow ?e1]) :rule (follow ?e2 ?e1)
                                      :runs 1 :type :solve :index nil :t :measurement
                                      :rels [{{:rows 2 :bound #{{?e1 ?e2 ?t}}}}]
                                      :branches [{{:clause [?e2 :follow ?t] :type :lookup :index nil
                                                  :t :measurement :rels [{{:rows 1 :bound #{{?e2 ?t}}}}]}}
                                                 {{:clause [?t :follow ?e1] :type :lookup :index nil
                                                  :t :measurement
                                                  :rels [{{:rows 2 :bound #{{?e1 ?e2 ?t}}}}]}}]}}]}}]}}"#
        ),
    );
    // A recursive rule: each branch is reported once, with its run count.
    let got = stats_of(
        "[:find ?y :in $ % :where (reach 1 ?y)]",
        &[
            Input::Value(follows),
            Input::Value(edn(
                "[[(reach ?x ?y) [?x :follow ?y]] [(reach ?x ?y) [?x :follow ?t] (reach ?t ?y)]]",
            )),
        ],
    );
    assert_eq!(got.get_kw("ret"), Some(&edn("#{[2] [3] [4] [6]}")), "{got}");
    let st = got.get_kw("stats").and_then(Value::as_seq).unwrap_or(&[]);
    assert_eq!(st.len(), 1, "{got}");
    assert_eq!(st[0].get_kw("type"), Some(&Value::kw("rule")), "{got}");
    let branches = st[0]
        .get_kw("branches")
        .and_then(Value::as_seq)
        .unwrap_or(&[]);
    assert_eq!(branches.len(), 2, "{got}");
    let recursive = &branches[1];
    assert_eq!(recursive.get_kw("type"), Some(&Value::kw("solve")), "{got}");
    assert!(
        matches!(recursive.get_kw("runs"), Some(Value::Long(n)) if *n > 1),
        "{got}"
    );
    let inner = recursive
        .get_kw("branches")
        .and_then(Value::as_seq)
        .unwrap_or(&[]);
    assert_eq!(inner[1].get_kw("type"), Some(&Value::kw("rule")), "{got}");
}

#[test]
fn explain_nested_clauses() {
    let db = people();
    let rules =
        edn("[[(reach ?x ?y) [?x :follow ?y]] [(reach ?x ?y) [?x :follow ?t] (reach ?t ?y)]]");
    let plan = super::explain(
        &edn(r#"[:find ?n :in $ % :where [?e :name ?n]
                 (not [?e :age 10])
                 (not-join [?e] [?e :follow ?f] [?f :name "C"])
                 (or-join [?e] [?e :age 20] (and [?e :age ?a] [(> ?a 30)]))
                 (or [?e :follow _] [_ :follow ?e])
                 (reach ?e ?y)]"#),
        &[Input::Db(db), Input::Value(rules)],
    )
    .expect("explain");
    let expected = r#"1. pattern [?e :name ?n] index=:aevt est=4
2. not (not [?e :age 10])
   2.1. pattern [?e :age 10] index=:eavt est=4
3. not-join (not-join [?e] [?e :follow ?f] [?f :name "C"])
   3.1. pattern [?e :follow ?f] index=:eavt est=3
   3.2. pattern [?f :name "C"] index=:eavt est=1
4. or-join (or-join [?e] [?e :age 20] (and [?e :age ?a] [(> ?a 30)]))
   branch 1:
      4.1.1. pattern [?e :age 20] index=:eavt est=4
   branch 2 (and):
      4.2.1. pattern [?e :age ?a] index=:eavt est=4
      4.2.2. predicate [(> ?a 30)]
5. or (or [?e :follow _] [_ :follow ?e])
   branch 1:
      5.1.1. pattern [?e :follow _] index=:eavt est=3
   branch 2:
      5.2.1. pattern [_ :follow ?e] index=:avet est=3
6. rule (reach ?e ?y)
   branch 1 (reach ?x ?y) bound: ?x
      6.1.1. pattern [?x :follow ?y] index=:eavt est=3
   branch 2 (reach ?x ?y) bound: ?x
      6.2.1. pattern [?x :follow ?t] index=:eavt est=3
      6.2.2. rule (reach ?t ?y)
         (branches listed above)
"#;
    assert_eq!(plan, expected, "{plan}");
    // A collection source has no index; an unbound rule call binds nothing.
    let plan = super::explain(
        &edn("[:find ?x :in $ % :where (edge ?x ?y)]"),
        &[
            Input::Value(edn("[[1 2] [2 3]]")),
            Input::Value(edn("[[(edge ?a ?b) [?a ?b]]]")),
        ],
    )
    .expect("explain");
    assert_eq!(
        plan,
        "1. rule (edge ?x ?y)\n   branch 1 (edge ?a ?b) bound: none\n      1.1.1. pattern [?a ?b] index=nil (collection) est=2\n",
        "{plan}"
    );
}

#[test]
fn negation_in_recursive_rules_is_stratified() {
    let db = people();
    // follow: A → B → C → A, D follows nobody.
    let rules = edn("[[(reachable ?x ?y) [?x :follow ?y]]
          [(reachable ?x ?y) [?x :follow ?t] (reachable ?t ?y)]
          [(unreachable ?x ?y) [?x :name] [?y :name] (not (reachable ?x ?y))]
          [(lonely ?x) [?x :name] (not-join [?x] (unreachable ?y ?x) [?y :name \"D\"])]
          [(both ?x ?y) (reachable ?x ?y)] [(both ?x ?y) (unreachable ?x ?y)]
          [(both ?x ?y) (both ?x ?t) (reachable ?t ?y)]]");
    let run = |query: &str| {
        q(
            &edn(query),
            &[Input::Db(db.clone()), Input::Value(rules.clone())],
        )
    };
    let r = run("[:find ?a ?b :in $ % :where (unreachable ?x ?y) [?x :name ?a] [?y :name ?b]]")
        .expect("q");
    assert_eq!(
        r,
        edn(r#"#{["A" "D"] ["B" "D"] ["C" "D"] ["D" "A"] ["D" "B"] ["D" "C"] ["D" "D"]}"#),
        "{r}"
    );
    // Bound first argument, and a third stratum negating the second.
    let r =
        run("[:find [?b ...] :in $ % :where [?x :name \"B\"] (unreachable ?x ?y) [?y :name ?b]]")
            .expect("q");
    assert_eq!(r, edn(r#"["D"]"#), "{r}");
    let r = run("[:find ?a :in $ % :where (lonely ?x) [?x :name ?a]]").expect("q");
    assert_eq!(r, edn("#{}"), "{r}");
    // A recursive rule using a lower stratum both positively and negatively.
    let r = run("[:find (count ?x) . :with ?y :in $ % :where (both ?x ?y)]").expect("q");
    assert_eq!(r, Value::Long(16), "{r}");
    // Not stratifiable: p and q negate each other; r negates itself.
    for (rules, names) in [
        (
            "[[(p ?x) [?x :name] (not (q ?x))] [(q ?x) [?x :age] (not (p ?x))]]",
            "Rules p, q recurse through negation",
        ),
        (
            "[[(r ?x) [?x :name]] [(r ?x) [?x :follow ?y] (not (r ?y))]]",
            "Rules r recurse through negation",
        ),
    ] {
        let e = q(
            &edn("[:find ?x :in $ % :where [?x :name]]"),
            &[Input::Db(db.clone()), Input::Value(edn(rules))],
        )
        .unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::Syntax, "{e}");
        assert!(e.message.contains(names), "{e}");
    }
}

#[test]
fn lookup_ref_in_value_position_without_an_index() {
    let db = people();
    let run = |query: &str, arg: &str| {
        q(
            &edn(query),
            &[Input::Db(db.clone()), Input::Value(edn(arg))],
        )
    };
    // The attribute is a variable, so no index seek uses ?f: the bound
    // lookup ref still matches the entity it resolves to (A follows B).
    let r = run(
        "[:find ?n ?a ?f :in $ ?f :where [?e ?a ?f] [?e :name ?n]]",
        r#"[:name "B"]"#,
    )
    .expect("scalar");
    assert_eq!(r, edn(r#"#{["A" :follow [:name "B"]]}"#), "{r}");
    let r = run(
        "[:find ?n :in $ ?f :where [?e _ ?f] [?e :name ?n]]",
        r#"[:name "Nobody"]"#,
    )
    .expect("unresolvable scalar");
    assert_eq!(r, edn("#{}"), "{r}");
    // A collection mixing lookup refs, an entity id and values of other
    // attributes: each matches where it applies.
    let c = match run("[:find ?e . :where [?e :name \"C\"]]", "nil") {
        Ok(Value::Long(c)) => c,
        other => panic!("expected C's id, got {other:?}"),
    };
    let r = run(
        "[:find ?n ?f :in $ [?f ...] :where [?e ?a ?f] [?e :name ?n]]",
        &format!(r#"[[:name "B"] {c} [:name "Nobody"] 40 "D"]"#),
    )
    .expect("collection");
    assert_eq!(
        r,
        edn(&format!(
            r#"#{{["A" [:name "B"]] ["B" {c}] ["D" 40] ["D" "D"]}}"#
        )),
        "{r}"
    );
    // Bound by a function clause.
    let r = run(
        "[:find ?n :in $ ?x :where [(ground [:name \"A\"]) ?f] [?e ?a ?f] [?e :name ?n]]",
        "nil",
    )
    .expect("function");
    assert_eq!(r, edn(r#"#{["C"]}"#), "{r}");
}

#[test]
fn value_join_builds_no_many_to_many_intermediate() {
    let config = crate::Config::memory("query-tests-value-join");
    crate::create_database(&config).expect("create");
    let conn = crate::connect(&config).expect("connect");
    conn.transact(
        &edn("[{:db/ident :age :db/valueType :db.type/long :db/cardinality :db.cardinality/one :db/index true}
               {:db/ident :dept :db/valueType :db.type/keyword :db/cardinality :db.cardinality/one :db/index true}]"),
        None,
    )
    .expect("schema");
    let mut tx = Vec::new();
    for i in 0..100 {
        tx.push(edn(&format!("{{:db/id \"a{i}\" :age 40 :dept :a}}")));
        tx.push(edn(&format!("{{:db/id \"b{i}\" :age 41 :dept :b}}")));
    }
    tx.push(edn("{:age 41 :dept :a}"));
    conn.transact(&Value::vector(tx), None).expect("data");
    let db: Arc<dyn Source> = Arc::new(conn.db().expect("db"));
    let query =
        edn("[:find ?e1 ?e2 :where [?e1 :age 40] [?e2 :age 41] [?e1 :dept ?d] [?e2 :dept ?d]]");
    let stats = super::query_stats(&query, &[Input::Db(db)]).expect("stats");
    let rows: Vec<i64> = stats
        .get_kw("stats")
        .and_then(Value::as_seq)
        .unwrap_or(&[])
        .iter()
        .flat_map(|s| {
            s.get_kw("rels")
                .and_then(Value::as_seq)
                .unwrap_or(&[])
                .to_vec()
        })
        .filter_map(|r| r.get_kw("rows").and_then(Value::as_long))
        .collect();
    // Joining on ?d before ?e2 is narrowed would hold 100 × 101 rows.
    assert!(rows.iter().all(|&n| n <= 201), "intermediate rows {rows:?}");
    match stats.get_kw("ret") {
        Some(Value::Set(s)) => assert_eq!(s.len(), 100),
        other => panic!("expected a set of 100 pairs, got {other:?}"),
    }
    conn.release();
}
