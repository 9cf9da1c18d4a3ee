//! Numbers and lists as a business user reads them in an interpretation: thousands separators,
//! rounding to what matters, p-values as "p < 0.001".

/// A number with sensible rounding: one decimal from 100 up ("1,234.5"), two from 1 up
/// ("3.14"), three significant digits below 1 ("0.0123"); "n/a" when not finite.
pub(crate) fn number(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_string();
    }
    let a = x.abs();
    let text = if a >= 100.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else if a == 0.0 {
        return "0".to_string();
    } else {
        let decimals = (2 - a.log10().floor() as i32).clamp(1, 12) as usize;
        format!("{x:.decimals$}")
    };
    group_thousands(&text)
}

/// A signed number ("+1,234.5", "-3.20").
pub(crate) fn signed(x: f64) -> String {
    if x.is_finite() && x >= 0.0 {
        format!("+{}", number(x))
    } else {
        number(x)
    }
}

/// A percentage with one decimal ("18.2%").
pub(crate) fn percent(x: f64) -> String {
    if x.is_finite() && x != 0.0 && x.abs() < 0.05 {
        // A share that would round to 0.0% is still worth seeing.
        format!("{}%", number(x))
    } else if x.is_finite() {
        format!("{}%", group_thousands(&format!("{x:.1}")))
    } else {
        "n/a".to_string()
    }
}

/// A signed percentage ("+18.2%").
pub(crate) fn signed_percent(x: f64) -> String {
    if x.is_finite() && x >= 0.0 {
        format!("+{}", percent(x))
    } else {
        percent(x)
    }
}

/// "p < 0.001", "p = 0.042"; "p not available" when the test could not run.
pub(crate) fn p_value(p: f64) -> String {
    if !p.is_finite() {
        "p not available".to_string()
    } else if p < 0.001 {
        "p < 0.001".to_string()
    } else {
        format!("p = {p:.3}")
    }
}

/// A correlation coefficient with two decimals ("-0.65").
pub(crate) fn coefficient(r: f64) -> String {
    if r.is_finite() {
        format!("{r:.2}")
    } else {
        "n/a".to_string()
    }
}

/// "a", "a and b", "a, b and c".
pub(crate) fn list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => {
            let head: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", head.join(", "), last.as_ref())
        }
    }
}

/// A whole number with thousands separators ("12,345").
pub(crate) fn integer(n: usize) -> String {
    group_thousands(&n.to_string())
}

/// "1 row", "3 rows".
pub(crate) fn count(n: usize, singular: &str, plural: &str) -> String {
    let word = if n == 1 { singular } else { plural };
    format!("{} {word}", integer(n))
}

/// A threshold-like number: whole numbers without decimals ("3"), others as [`number`].
pub(crate) fn compact(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        group_thousands(&format!("{x:.0}"))
    } else {
        number(x)
    }
}

/// Inserts thousands separators into the integer part of a formatted number.
fn group_thousands(text: &str) -> String {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", text),
    };
    let (int, frac) = match rest.find('.') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let mut out = String::with_capacity(text.len() + int.len() / 3);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(frac);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_rounded_for_reading() {
        let cases = [
            (1234.5, "1,234.5"),
            (15100.0, "15,100.0"),
            (-1234567.891, "-1,234,567.9"),
            (100.0, "100.0"),
            (99.999, "100.00"),
            (3.25159, "3.25"),
            (-2.5, "-2.50"),
            (0.0123456, "0.0123"),
            (0.5, "0.500"),
            (-0.000123456, "-0.000123"),
            (0.0, "0"),
            (f64::NAN, "n/a"),
            (f64::INFINITY, "n/a"),
        ];
        for (x, want) in cases {
            assert_eq!(number(x), want, "number({x})");
        }
        assert_eq!(signed(1234.5), "+1,234.5", "positive numbers get a plus");
        assert_eq!(signed(-3.2), "-3.20", "negative numbers keep their minus");
        assert_eq!(percent(18.24), "18.2%", "one decimal");
        assert_eq!(signed_percent(18.25), "+18.2%", "signed, one decimal");
        assert_eq!(
            signed_percent(-1234.56),
            "-1,234.6%",
            "large percentages are grouped"
        );
    }

    #[test]
    fn p_values_and_lists_read_naturally() {
        assert_eq!(p_value(0.0004), "p < 0.001", "tiny p-values are bounded");
        assert_eq!(p_value(0.04249), "p = 0.042", "three decimals");
        assert_eq!(p_value(f64::NAN), "p not available", "missing p-value");
        assert_eq!(list(&["a"]), "a", "one item");
        assert_eq!(list(&["a", "b"]), "a and b", "two items");
        assert_eq!(list(&["a", "b", "c"]), "a, b and c", "three items");
        assert_eq!(count(1, "row", "rows"), "1 row", "singular");
        assert_eq!(
            count(12345, "row", "rows"),
            "12,345 rows",
            "plural, grouped"
        );
    }
}
