//! A small SQLite-aware scanner over SQL text: where statements end, which words they start with,
//! and where its parameter placeholders are; and the *display form* of a statement with bound
//! values ([`display_form`]), the one place a bound value is ever written out as a SQL literal.
//!
//! It is not the security boundary (SQLite's own `prepare` with the authorizer is); it exists so a
//! refusal can say *what* was refused ("VACUUM INTO", "the second statement starts with DROP")
//! instead of SQLite's bare "not authorized", and so the user sees runnable SQL. It knows SQLite's
//! quoting: '...', "...", `...`, [...], `--` and `/* */` comments, so a `;` or a `?` inside a
//! string never splits a statement or counts as a placeholder.

/// The statements in `sql` that contain at least one token, each as its first few words
/// (upper-cased keywords or identifiers; quoted text and punctuation are skipped, except that a
/// statement starting with punctuation other than `(` yields an empty word list).
pub(crate) fn statements(sql: &str) -> Vec<Vec<String>> {
    const WORDS_KEPT: usize = 3;
    let bytes = sql.as_bytes();
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut has_token = false;
    let mut leading = true; // still before any non-word token of this statement
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b';' => {
                if has_token {
                    out.push(std::mem::take(&mut current));
                }
                has_token = false;
                leading = true;
                i += 1;
            }
            b'-' | b'/' if comment_end(bytes, i).is_some() => {
                i = comment_end(bytes, i).unwrap_or(bytes.len());
            }
            b'\'' | b'"' | b'`' => {
                i = skip_quoted(bytes, i, b);
                has_token = true;
                leading = false;
            }
            b'[' => {
                while i < bytes.len() && bytes[i] != b']' {
                    i += 1;
                }
                i = (i + 1).min(bytes.len());
                has_token = true;
                leading = false;
            }
            _ if b.is_ascii_whitespace() => i += 1,
            _ if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 => {
                let start = i;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || bytes[i] == b'_'
                        || bytes[i] == b'$'
                        || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                has_token = true;
                if leading && current.len() < WORDS_KEPT {
                    current.push(sql[start..i].to_ascii_uppercase());
                }
            }
            b'(' => {
                has_token = true;
                i += 1;
            }
            _ => {
                has_token = true;
                leading = false;
                i += 1;
            }
        }
    }
    if has_token {
        out.push(current);
    }
    out
}

/// Index just past the quoted token that starts at `start` (a doubled quote escapes itself).
fn skip_quoted(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

/// How a placeholder names its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlaceholderForm {
    /// `?`: the next index after the largest so far.
    Anonymous,
    /// `?NNN`: the index written.
    Numbered,
    /// `:name`, `@name`, `$name`: the index of the name's first appearance.
    Named,
}

/// One parameter placeholder of SQL text: its byte range and the index SQLite gives it (from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placeholder {
    pub start: usize,
    pub end: usize,
    pub index: usize,
    pub form: PlaceholderForm,
}

/// A byte of an identifier, a keyword or a number (or of a multi-byte character).
fn word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// The placeholders of `sql` in text order, numbered the way SQLite numbers them. A `?NNN` whose
/// number does not fit gets index 0 (SQLite refuses it at prepare time).
pub(crate) fn placeholders(sql: &str) -> Vec<Placeholder> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut largest = 0usize;
    let mut names: Vec<(&str, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'-' | b'/' if comment_end(bytes, i).is_some() => {
                i = comment_end(bytes, i).unwrap_or(bytes.len());
            }
            b'\'' | b'"' | b'`' => i = skip_quoted(bytes, i, b),
            b'[' => {
                while i < bytes.len() && bytes[i] != b']' {
                    i += 1;
                }
                i = (i + 1).min(bytes.len());
            }
            b'?' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                let (index, form) = if i == start + 1 {
                    largest += 1;
                    (largest, PlaceholderForm::Anonymous)
                } else {
                    let index = sql[start + 1..i].parse::<usize>().unwrap_or(0);
                    largest = largest.max(index);
                    (index, PlaceholderForm::Numbered)
                };
                out.push(Placeholder {
                    start,
                    end: i,
                    index,
                    form,
                });
            }
            b':' | b'@' | b'$' if bytes.get(i + 1).is_some_and(|&n| word_byte(n)) => {
                let start = i;
                i += 1;
                while i < bytes.len() && word_byte(bytes[i]) {
                    i += 1;
                }
                let name = &sql[start..i];
                let index = match names.iter().find(|(n, _)| *n == name) {
                    Some((_, index)) => *index,
                    None => {
                        largest += 1;
                        names.push((name, largest));
                        largest
                    }
                };
                out.push(Placeholder {
                    start,
                    end: i,
                    index,
                    form: PlaceholderForm::Named,
                });
            }
            _ if word_byte(b) => {
                while i < bytes.len() && word_byte(bytes[i]) {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// The display form of `sql` run with `params`: each placeholder replaced by its value written as
/// a SQLite literal (text in single quotes with `'` doubled, numbers as numbers), so the statement
/// can be read, copied and run again as it is. It is for people only: Sightline never executes
/// it; the statement it runs keeps its placeholders and binds the values.
pub fn display_form(sql: &str, params: &super::SqlParams) -> String {
    let values = params.as_slice();
    let mut out = String::with_capacity(sql.len() + 16 * values.len());
    let mut last = 0;
    for placeholder in placeholders(sql) {
        let Some(value) = placeholder
            .index
            .checked_sub(1)
            .and_then(|at| values.get(at))
        else {
            continue;
        };
        out.push_str(&sql[last..placeholder.start]);
        // A space keeps the literal one token where the text runs on without one ("LIMIT?1",
        // "x?1" must not become a blob X'..', "?1?2" must not become one string).
        if out
            .bytes()
            .last()
            .is_some_and(|b| word_byte(b) || b == b'\'')
        {
            out.push(' ');
        }
        out.push_str(&value_literal(value));
        if sql
            .as_bytes()
            .get(placeholder.end)
            .is_some_and(|&b| word_byte(b) || b == b'\'')
        {
            out.push(' ');
        }
        last = placeholder.end;
    }
    out.push_str(&sql[last..]);
    out
}

/// One bound value as a SQLite literal of the same type and value.
fn value_literal(value: &super::SqlParam) -> String {
    use super::SqlParam;
    match value {
        // A NUL would end the statement early for SQLite (and the validator refuses SQL text
        // holding one), so such text is spelt as the bytes it is made of.
        SqlParam::Text(text) if text.contains('\0') => {
            let hex: String = text.bytes().map(|b| format!("{b:02X}")).collect();
            format!("CAST(X'{hex}' AS TEXT)")
        }
        SqlParam::Text(text) => format!("'{}'", text.replace('\'', "''")),
        // A negative number goes in parentheses, so a `-` before the placeholder never makes
        // a `--` comment of it.
        SqlParam::Integer(n) if *n < 0 => format!("({n})"),
        SqlParam::Integer(n) => n.to_string(),
        // `{:?}` is the shortest text that reads back as the same f64 and keeps a `.0` or an
        // exponent, so SQLite reads a real, not an integer. SQLite stores NaN as NULL, and reads
        // a literal beyond the largest double as infinity.
        SqlParam::Real(x) if x.is_nan() => "NULL".to_string(),
        SqlParam::Real(x) if x.is_infinite() => {
            if *x > 0.0 { "9e999" } else { "(-9e999)" }.to_string()
        }
        SqlParam::Real(x) if x.is_sign_negative() => format!("({x:?})"),
        SqlParam::Real(x) => format!("{x:?}"),
    }
}

/// How the first words of a statement classify it, before SQLite sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Leading {
    /// SELECT, WITH or VALUES: a query, to be checked further by SQLite.
    Query,
    /// A statement that changes the database; the words say which ("DROP TABLE").
    Write(String),
    /// A statement that reaches outside the database or changes connection settings.
    Escape { action: String, why: &'static str },
    /// Anything else (EXPLAIN, an unknown word, punctuation).
    Other(String),
}

/// Classifies a statement by its first words (as returned by [`statements`]).
pub(crate) fn classify(words: &[String]) -> Leading {
    let first = words.first().map(String::as_str).unwrap_or("");
    let two = || words.iter().take(2).cloned().collect::<Vec<_>>().join(" ");
    match first {
        "SELECT" | "WITH" | "VALUES" => Leading::Query,
        "VACUUM" => {
            if words.iter().any(|w| w == "INTO") {
                Leading::Write("VACUUM INTO".to_string())
            } else {
                Leading::Write("VACUUM".to_string())
            }
        }
        "INSERT" | "REPLACE" | "UPDATE" | "DELETE" | "CREATE" | "DROP" | "ALTER" | "REINDEX"
        | "ANALYZE" | "BEGIN" | "COMMIT" | "END" | "ROLLBACK" | "SAVEPOINT" | "RELEASE" => {
            Leading::Write(two())
        }
        "ATTACH" => Leading::Escape {
            action: "ATTACH".to_string(),
            why: "it would open another database file; Sightline reads only the database you chose",
        },
        "DETACH" => Leading::Escape {
            action: "DETACH".to_string(),
            why: "it changes which databases the connection sees",
        },
        "PRAGMA" => Leading::Escape {
            action: two(),
            why: "PRAGMA statements change or inspect connection settings; ask for data with SELECT instead",
        },
        "" => Leading::Other("a symbol".to_string()),
        other => Leading::Other(other.to_string()),
    }
}

/// Where a comment starting at `i` ends (`--` to the line end, `/* */` past its close), or
/// `None` when no comment starts there.
fn comment_end(bytes: &[u8], i: usize) -> Option<usize> {
    match (bytes.get(i), bytes.get(i + 1)) {
        (Some(b'-'), Some(b'-')) => Some(
            bytes[i..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(bytes.len(), |n| i + n),
        ),
        (Some(b'/'), Some(b'*')) => Some(
            bytes[i + 2..]
                .windows(2)
                .position(|w| w == b"*/")
                .map_or(bytes.len(), |n| i + 2 + n + 2),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(sql: &str, expect: &[&[&str]]) {
        let got = statements(sql);
        let expect: Vec<Vec<String>> = expect
            .iter()
            .map(|s| s.iter().map(|w| w.to_string()).collect())
            .collect();
        assert_eq!(got, expect, "statement split of {sql:?}");
    }

    #[test]
    fn splits_outside_quotes_and_comments() {
        check("SELECT 1", &[&["SELECT"]]);
        check("  select 1 ;  -- done\n", &[&["SELECT"]]);
        check(
            "SELECT ';' AS x; DROP TABLE t",
            &[&["SELECT"], &["DROP", "TABLE", "T"]],
        );
        check("SELECT \"a;b\" FROM [x;y] /* ; */ -- ;\n", &[&["SELECT"]]);
        check("/* only */ -- comments\n ; ;", &[]);
        check("(SELECT 1) UNION SELECT 2", &[&["SELECT"]]);
        check(
            "WITH x AS (SELECT 1) DELETE FROM t",
            &[&["WITH", "X", "AS"]],
        );
        check(
            "SELECT 'it''s'; VACUUM INTO '/tmp/x'",
            &[&["SELECT"], &["VACUUM", "INTO"]],
        );
    }

    #[test]
    fn numbers_placeholders_as_sqlite_does() {
        let sql = "SELECT ?, ?5, ?, :a, @b, :a, $c, ?2, 'x?' AS \"?\", [?], `?` -- ?\n /* ? */ a$b";
        let got: Vec<(&str, usize)> = placeholders(sql)
            .iter()
            .map(|p| (&sql[p.start..p.end], p.index))
            .collect();
        assert_eq!(
            got,
            vec![
                ("?", 1),
                ("?5", 5),
                ("?", 6),
                (":a", 7),
                ("@b", 8),
                (":a", 7),
                ("$c", 9),
                ("?2", 2),
            ],
            "quoted, bracketed and commented question marks and `$` inside a name are not placeholders"
        );
        // SQLite's own numbering of the same placeholders.
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let stmt = conn
            .prepare("SELECT ?, ?5, ?, :a, @b, :a, $c, ?2, 'x?' AS \"?\"")
            .unwrap();
        assert_eq!(stmt.parameter_count(), 9);
        let names: Vec<Option<&str>> = (1..=9).map(|i| stmt.parameter_name(i)).collect();
        assert_eq!(
            names,
            vec![
                None,
                Some("?2"),
                None,
                None,
                Some("?5"),
                None,
                Some(":a"),
                Some("@b"),
                Some("$c")
            ]
        );
    }

    #[test]
    fn classifies_leading_words() {
        let w = |s: &str| statements(s).into_iter().next().unwrap_or_default();
        assert_eq!(classify(&w("select 1")), Leading::Query);
        assert_eq!(
            classify(&w("VACUUM INTO 'x'")),
            Leading::Write("VACUUM INTO".into())
        );
        assert_eq!(
            classify(&w("drop table t")),
            Leading::Write("DROP TABLE".into())
        );
        assert!(matches!(
            classify(&w("ATTACH 'x' AS y")),
            Leading::Escape { .. }
        ));
        assert!(matches!(
            classify(&w("pragma query_only=0")),
            Leading::Escape { .. }
        ));
        assert_eq!(
            classify(&w("EXPLAIN SELECT 1")),
            Leading::Other("EXPLAIN".into())
        );
    }
}
