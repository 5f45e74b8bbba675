#!/usr/bin/env bash
# A short, real session with the `cairn` CLI on an embedded redb database:
# create it, transact a schema and data, query, pull, read the indexes,
# and look at the past through as-of and history views.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -q -p cairn
cairn="$PWD/target/release/cairn"
work=$(mktemp -d)
cd "$work"
echo '{:store {:backend :redb :path "people.redb"}}' > cfg.edn
run() { echo; echo "\$ cairn $*"; "$cairn" "$@"; }

run create-database cfg.edn
run transact conn:cfg.edn '[{:db/ident :person/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one :db/unique :db.unique/identity}
                            {:db/ident :person/age :db/valueType :db.type/long :db/cardinality :db.cardinality/one :db/index true}
                            {:db/ident :person/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}]' > /dev/null
echo "(schema transacted)"
t1=$("$cairn" transact conn:cfg.edn '[{:db/id -1 :person/name "Ivan" :person/age 35 :person/friend -2}
                                      {:db/id -2 :person/name "Petr" :person/age 22}]' \
     | sed -E 's/.*:tx ([0-9]+).*/\1/')
echo "transaction $t1 added Ivan and Petr"
run query '[:find ?n ?a :where [?e :person/name ?n] [?e :person/age ?a]]' db:cfg.edn
run query '[:find ?fn . :in $ ?n :where [?e :person/name ?n] [?e :person/friend ?f] [?f :person/name ?fn]]' db:cfg.edn '"Ivan"'
run pull db:cfg.edn '[:person/name {:person/friend [:person/name]}]' '[:person/name "Ivan"]'
run datoms db:cfg.edn '{:index :avet :components [:person/age]}'
run index-range db:cfg.edn '{:attrid :person/age :start 30 :end 40}'
run transact conn:cfg.edn '[[:db/add [:person/name "Ivan"] :person/age 36]]' > /dev/null
echo "(Ivan turned 36)"
run query '[:find ?a . :where [?e :person/name "Ivan"] [?e :person/age ?a]]' db:cfg.edn
run query '[:find ?a . :where [?e :person/name "Ivan"] [?e :person/age ?a]]' "asof:$t1:cfg.edn"
run query '[:find ?a ?tx ?added :where [?e :person/name "Ivan"] [?e :person/age ?a ?tx ?added]]' history:cfg.edn --format pretty
run schema db:cfg.edn --format pretty
echo
echo "database files are in $work"
