//! Time views: history, as-of (inclusive) and since (exclusive), by
//! transaction id or by instant. Views nest: every filter must hold.

use std::collections::HashSet;
use std::sync::Arc;

use super::Db;
use crate::datom::{IndexOrder, TX0};
use crate::error::{Error, Result};
use crate::value::{Keyword, Value};

/// A point in time: a transaction id or an instant (epoch millis).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimePoint {
    /// A transaction id (`> 536870912`).
    Tx(i64),
    /// An instant: compared with each transaction's `:db/txInstant`.
    Inst(i64),
}

impl TimePoint {
    /// Parses a tx id (long) or an instant (`#inst`).
    pub fn parse(v: &Value) -> Result<TimePoint> {
        match v {
            Value::Long(t) if *t > TX0 => Ok(TimePoint::Tx(*t)),
            Value::Long(t) => Err(Error::other(format!(
                "Invalid transaction ID {t}. Must be bigger than {TX0}."
            ))),
            Value::Inst(ms) => Ok(TimePoint::Inst(*ms)),
            other => Err(Error::type_error(format!(
                "Expected a transaction id or an instant as time point, got {other}"
            ))),
        }
    }
}

/// One time filter over transaction ids.
#[derive(Clone, Debug)]
pub(crate) enum TxFilter {
    /// tx <= t (as-of) or tx > t (since).
    Threshold { t: i64, as_of: bool },
    /// The set of transactions passing an instant filter.
    Set(Arc<HashSet<i64>>),
}

impl TxFilter {
    fn admits(&self, tx: i64) -> bool {
        match self {
            TxFilter::Threshold { t, as_of: true } => tx <= *t,
            TxFilter::Threshold { t, as_of: false } => tx > *t,
            TxFilter::Set(s) => s.contains(&tx),
        }
    }
}

/// How a database value is seen.
#[derive(Clone, Debug, Default)]
pub struct View {
    /// History view: every assertion and retraction, no assembly.
    pub history: bool,
    pub(crate) filters: Vec<TxFilter>,
    /// The time points, as given, for describing the view.
    pub points: Vec<(TimePoint, bool)>,
}

impl View {
    /// No history, no time filter.
    pub fn is_current(&self) -> bool {
        !self.history && self.filters.is_empty()
    }

    /// Reads go to the temporal indexes.
    pub fn is_temporal(&self) -> bool {
        self.history || !self.filters.is_empty()
    }

    /// Does transaction `tx` pass every time filter?
    pub fn admits(&self, tx: i64) -> bool {
        self.filters.iter().all(|f| f.admits(tx))
    }

    pub(crate) fn add_filter(&mut self, db: &Db, tp: TimePoint, as_of: bool) -> Result<()> {
        let f = match tp {
            TimePoint::Tx(t) => TxFilter::Threshold { t, as_of },
            TimePoint::Inst(ms) => {
                // Transactions whose :db/txInstant is <= ms (as-of) or > ms (since).
                let base = Db {
                    state: db.state.clone(),
                    view: View::default(),
                };
                let mut set = HashSet::new();
                let comps = super::Components::a(Keyword::new("db/txInstant"));
                for d in base.scan(IndexOrder::Aevt, &comps)? {
                    let d = d?;
                    if let Value::Inst(t) = d.v {
                        if (as_of && t <= ms) || (!as_of && t > ms) {
                            set.insert(d.e);
                        }
                    }
                }
                TxFilter::Set(Arc::new(set))
            }
        };
        self.filters.push(f);
        self.points.push((tp, as_of));
        Ok(())
    }
}
