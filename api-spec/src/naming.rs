//! The one place names are derived from spec names, per target.

/// The name without a trailing `?` or `!` (`database-exists?` → `database-exists`).
pub fn bare(name: &str) -> &str {
    name.strip_suffix(['?', '!']).unwrap_or(name)
}

/// snake_case without `?`/`!` (`pull-many` → `pull_many`).
pub fn snake(name: &str) -> String {
    bare(name).replace('-', "_")
}

/// camelCase without `?`/`!` (`pull-many` → `pullMany`).
pub fn camel(name: &str) -> String {
    let mut out = String::new();
    for (i, part) in bare(name).split('-').enumerate() {
        let mut chars = part.chars();
        if i == 0 {
            out.push_str(part);
        } else if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

/// PascalCase without `?`/`!` (`tx-data` → `TxData`).
pub fn pascal(name: &str) -> String {
    let c = camel(name);
    let mut chars = c.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// kebab-case of a PascalCase type name (`TxReport` → `tx-report`).
pub fn kebab(pascal: &str) -> String {
    let mut out = String::new();
    for (i, c) in pascal.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The wire key a handle type's fields sit under (`Db` → `cairn/db`,
/// `TxReport` → `cairn/tx-report`).
pub fn handle_key(type_name: &str) -> String {
    format!("cairn/{}", kebab(type_name))
}

/// Whether `name` is a kebab-case spec name: lowercase ASCII letters and
/// digits in `-`-separated words, starting with a letter, optionally ending
/// in `?` or `!`.
pub fn is_kebab(name: &str) -> bool {
    let body = bare(name);
    !body.is_empty()
        && body.starts_with(|c: char| c.is_ascii_lowercase())
        && !body.ends_with('-')
        && !body.contains("--")
        && body
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Whether `name` is a PascalCase type name.
pub fn is_pascal(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Python keywords and builtins a generated function must not shadow.
pub const PYTHON_RESERVED: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield", "filter", "map", "type", "id", "list", "dict", "set", "str", "int", "input",
    "object",
];

/// Words reserved in TypeScript/JavaScript (strict mode) or Java.
pub const CAMEL_RESERVED: &[&str] = &[
    // JavaScript / TypeScript
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
    "await",
    // Java (beyond the above)
    "abstract",
    "assert",
    "boolean",
    "byte",
    "char",
    "double",
    "final",
    "float",
    "goto",
    "int",
    "long",
    "native",
    "short",
    "strictfp",
    "synchronized",
    "throws",
    "transient",
    "volatile",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_names() {
        assert_eq!(bare("database-exists?"), "database-exists");
        assert_eq!(snake("database-exists?"), "database_exists");
        assert_eq!(camel("database-exists?"), "databaseExists");
        assert_eq!(camel("pull-many"), "pullMany");
        assert_eq!(camel("q"), "q");
        assert_eq!(pascal("tx-data"), "TxData");
        assert_eq!(snake("transact!"), "transact");
    }

    #[test]
    fn kebab_and_pascal() {
        assert!(is_kebab("database-exists?"));
        assert!(is_kebab("q"));
        assert!(!is_kebab("Database"));
        assert!(!is_kebab("pull_many"));
        assert!(!is_kebab("a--b"));
        assert!(!is_kebab("?"));
        assert!(is_pascal("TxReport"));
        assert!(!is_pascal("tx-report"));
    }
}
