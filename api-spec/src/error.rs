//! Spec errors: every problem found, each naming where it is.

use std::fmt;

/// What kind of rule a spec problem breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SpecErrorKind {
    /// The file is not valid EDN, or a form has the wrong shape.
    Syntax,
    /// A required key is missing or empty (e.g. an argument without `:doc`).
    Missing,
    /// A key the spec format does not know (usually a typo).
    UnknownKey,
    /// A reference to a type that is not declared.
    UnknownType,
    /// Two operations, types, arguments or fields with the same name.
    Duplicate,
    /// A required argument after an optional one (positional overloading).
    OptionalOrder,
    /// Two operations derive the same name in one target.
    Collision,
    /// A derived name is a reserved word in a target and has no override.
    Reserved,
    /// An example that does not fit the operation's signature.
    Example,
    /// An integer type that is not 64-bit.
    IntegerWidth,
    /// Flags that contradict each other (e.g. a remote-only target on a local op).
    Inconsistent,
}

/// One problem in the spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError {
    /// The rule broken.
    pub kind: SpecErrorKind,
    /// Where: `op `q` arg `inputs``, `type `Db``, ...
    pub at: String,
    /// What is wrong and, where there is one, the fix.
    pub message: String,
}

impl SpecError {
    pub(crate) fn new(
        kind: SpecErrorKind,
        at: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        SpecError {
            kind,
            at: at.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.at, self.message)
        }
    }
}

/// Every problem found in a spec (never empty when returned as an error).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpecErrors(pub Vec<SpecError>);

impl SpecErrors {
    /// The problems, in the order found.
    pub fn errors(&self) -> &[SpecError] {
        &self.0
    }

    /// Whether some problem is of `kind` and mentions every string in `needles`.
    pub fn has(&self, kind: SpecErrorKind, needles: &[&str]) -> bool {
        self.0.iter().any(|e| {
            let text = e.to_string();
            e.kind == kind && needles.iter().all(|n| text.contains(n))
        })
    }

    pub(crate) fn push(
        &mut self,
        kind: SpecErrorKind,
        at: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.0.push(SpecError::new(kind, at, message));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecErrors {}
