//! A small SQLite-aware scanner over SQL text: where statements end and which words they start with.
//!
//! It is not the security boundary (SQLite's own `prepare` with the authorizer is); it exists so a
//! refusal can say *what* was refused ("VACUUM INTO", "the second statement starts with DROP")
//! instead of SQLite's bare "not authorized". It knows SQLite's quoting: '...', "...", `...`,
//! [...], `--` and `/* */` comments, so a `;` inside a string never splits a statement.

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
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(bytes.len());
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
