//! Intent detection: which analysis a question asks for (the seed's keyword families) and the
//! parameters it carries (forecast horizon, anomaly threshold, the method it names: "with
//! holt-winters", "using a moving average", "anomalies by IQR"). Pure text work; no schema, no
//! data.

use sightline_analytics::{AnalysisType, Frequency};

/// What the question asks for, before any table is chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Intent {
    /// The question, lower-cased, with punctuation turned into spaces.
    pub text: String,
    /// Its words, in order.
    pub words: Vec<String>,
    pub analysis: Option<AnalysisType>,
    pub horizon: Option<Horizon>,
    /// A threshold the question names: standard deviations ("beyond 2 standard deviations")
    /// or, with the IQR method, the fence multiplier ("more than 3 IQR").
    pub threshold: Option<f64>,
    /// The method the question names, in the words `sightline analyze --method` takes
    /// (`holt_winters`, `ma:14`, `linear`, `iqr`, `isolation_forest`, `spearman`, ...); only
    /// methods of the detected analysis are read.
    pub method: Option<String>,
}

/// How far ahead a forecast should reach, as the question says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Horizon {
    pub count: u32,
    pub unit: Frequency,
}

impl Horizon {
    /// The number of periods of a series with frequency `data`: "next month" is 30 periods of
    /// daily data and 1 of monthly data; never less than one period.
    pub fn periods(&self, data: Frequency) -> usize {
        let days = |f: Frequency| -> f64 {
            match f {
                Frequency::Day => 1.0,
                Frequency::Week => 7.0,
                Frequency::Month => 30.0,
                Frequency::Quarter => 90.0,
                Frequency::Year => 365.0,
            }
        };
        let exact = f64::from(self.count) * days(self.unit) / days(data);
        (exact.round() as usize).max(1)
    }

    /// "3 months", "30 days".
    pub fn describe(&self) -> String {
        let unit = match self.unit {
            Frequency::Day => "day",
            Frequency::Week => "week",
            Frequency::Month => "month",
            Frequency::Quarter => "quarter",
            Frequency::Year => "year",
        };
        let plural = if self.count == 1 { "" } else { "s" };
        format!("{} {unit}{plural}", self.count)
    }
}

/// Keyword families in priority order: a question that forecasts a trend is a forecast.
const FAMILIES: &[(AnalysisType, &[&str])] = &[
    (
        AnalysisType::Forecast,
        &[
            "forecast",
            "predict",
            "prediction",
            "projection",
            "project",
            "projected",
            "extrapolate",
        ],
    ),
    (
        AnalysisType::Anomaly,
        &[
            "anomaly",
            "anomalies",
            "anomalous",
            "outlier",
            "outliers",
            "unusual",
            "spike",
            "spikes",
            "abnormal",
            "irregular",
        ],
    ),
    (
        AnalysisType::Correlation,
        &[
            "correlate",
            "correlates",
            "correlated",
            "correlation",
            "correlations",
            "relationship",
            "relationships",
            "related",
            "impact",
            "affect",
            "affects",
            "drives",
            "drive",
            "factors",
            "relate",
        ],
    ),
    (
        AnalysisType::Trend,
        &[
            "trend",
            "trends",
            "trending",
            "growing",
            "declining",
            "increasing",
            "decreasing",
            "growth",
            "shrinking",
        ],
    ),
    (
        AnalysisType::Summary,
        &[
            "summary",
            "summarize",
            "summarise",
            "statistics",
            "statistical",
            "stats",
            "distribution",
            "describe",
            "spread",
        ],
    ),
];

/// Reads a question.
pub fn detect(question: &str) -> Intent {
    let text: String = question
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '.' || c == '-' || c == '_' || c == '\'' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c| c == '.' || c == '\'' || c == '-')
                .to_string()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let going = words.windows(2).any(|w| {
        matches!(w[0].as_str(), "going" | "trending" | "heading")
            && matches!(w[1].as_str(), "up" | "down" | "upward" | "downward")
    });
    let analysis = FAMILIES
        .iter()
        .find(|(_, keys)| words.iter().any(|w| keys.contains(&w.as_str())))
        .map(|(kind, _)| *kind)
        .or(going.then_some(AnalysisType::Trend));
    let horizon = find_horizon(&words);
    let threshold = find_threshold(&words);
    let text = words.join(" ");
    let method = analysis.and_then(|kind| find_method(kind, &words, &text));
    Intent {
        text,
        words,
        analysis,
        horizon,
        threshold,
        method,
    }
}

/// The method of `kind` the question names. `text` is the words joined by single spaces, so
/// phrases are matched on word boundaries by padding both sides.
fn find_method(kind: AnalysisType, words: &[String], text: &str) -> Option<String> {
    let padded = format!(" {text} ");
    let has = |phrase: &str| padded.contains(&format!(" {phrase} "));
    let any = |phrases: &[&str]| phrases.iter().any(|p| has(p));
    let method = match kind {
        AnalysisType::Forecast => {
            let damped = has("damped");
            let multiplicative = has("multiplicative");
            if any(&[
                "holt-winters",
                "holt winters",
                "holtwinters",
                "triple exponential",
            ]) {
                match (damped, multiplicative) {
                    (false, false) => "holt_winters",
                    (false, true) => "hw_mul",
                    (true, false) => "hw_damped",
                    (true, true) => "hw_damped_mul",
                }
                .to_string()
            } else if any(&[
                "moving average",
                "moving-average",
                "rolling average",
                "rolling mean",
            ]) {
                // "a 14-day moving average", "14 period moving average": the window.
                let window = words
                    .iter()
                    .position(|w| w == "moving" || w == "moving-average" || w == "rolling")
                    .and_then(|i| {
                        words[..i].iter().rev().take(2).find_map(|w| {
                            let digits: String =
                                w.chars().take_while(char::is_ascii_digit).collect();
                            digits.parse::<usize>().ok().filter(|n| *n > 0)
                        })
                    });
                match window {
                    Some(w) => format!("ma:{w}"),
                    None => "moving_average".to_string(),
                }
            } else if any(&["seasonal naive", "seasonal-naive", "naive"]) {
                "seasonal_naive".to_string()
            } else if any(&["simple exponential smoothing", "ses"]) {
                "ses".to_string()
            } else if any(&["holt", "holt's", "double exponential"]) {
                if damped { "holt_damped" } else { "holt" }.to_string()
            } else if has("exponential smoothing") {
                "holt_winters".to_string()
            } else if any(&[
                "linear trend",
                "linear regression",
                "linear model",
                "linear fit",
                "straight line",
                "straight-line",
                "linear",
            ]) {
                "linear".to_string()
            } else {
                return None;
            }
        }
        AnalysisType::Anomaly => if any(&[
            "isolation forest",
            "isolation-forest",
            "iforest",
            "isolation",
        ]) {
            "isolation_forest"
        } else if any(&[
            "iqr",
            "iqrs",
            "interquartile",
            "inter-quartile",
            "tukey",
            "boxplot",
            "box plot",
            "box-plot",
        ]) {
            "iqr"
        } else if any(&[
            "z-score", "z-scores", "zscore", "zscores", "z score", "z scores",
        ]) {
            "zscore"
        } else if any(&[
            "stl",
            "seasonal residual",
            "seasonal residuals",
            "seasonally",
        ]) {
            "seasonal"
        } else {
            return None;
        }
        .to_string(),
        AnalysisType::Trend => if any(&[
            "mann-kendall",
            "mann kendall",
            "sen's slope",
            "sen slope",
            "theil-sen",
            "theil sen",
        ]) {
            "mann_kendall"
        } else if any(&["linear regression", "least squares", "ols", "regression"]) {
            "ols"
        } else {
            return None;
        }
        .to_string(),
        AnalysisType::Correlation => if any(&[
            "spearman",
            "spearman's",
            "rank correlation",
            "rank correlations",
        ]) {
            "spearman"
        } else if any(&["pearson", "pearson's"]) {
            "pearson"
        } else {
            return None;
        }
        .to_string(),
        AnalysisType::Summary => return None,
    };
    Some(method)
}

/// Whether `word` is one of the analysis keywords ("forecast", "anomalies", "trend", ...).
pub fn is_keyword(word: &str) -> bool {
    FAMILIES.iter().any(|(_, keys)| keys.contains(&word))
}

/// A unit word, singular or plural, as a frequency.
pub fn unit_of(word: &str) -> Option<Frequency> {
    match word.trim_end_matches('s') {
        "day" => Some(Frequency::Day),
        "week" => Some(Frequency::Week),
        "month" => Some(Frequency::Month),
        "quarter" => Some(Frequency::Quarter),
        "year" => Some(Frequency::Year),
        _ => None,
    }
}

/// Reads "one", "two", ... "twelve" and digits.
pub fn number_word(word: &str) -> Option<u32> {
    const WORDS: [&str; 13] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve",
    ];
    word.parse()
        .ok()
        .or_else(|| WORDS.iter().position(|w| *w == word).map(|i| i as u32))
}

/// "next month", "next 3 months", "next quarter", "coming two weeks", "for 6 months ahead".
fn find_horizon(words: &[String]) -> Option<Horizon> {
    for (i, w) in words.iter().enumerate() {
        if !matches!(w.as_str(), "next" | "coming" | "following" | "upcoming") {
            continue;
        }
        let rest = &words[i + 1..];
        match rest {
            [unit, ..] if unit_of(unit).is_some() => {
                return unit_of(unit).map(|unit| Horizon { count: 1, unit });
            }
            [n, unit, ..] => {
                if let (Some(count), Some(unit)) = (number_word(n), unit_of(unit)) {
                    return Some(Horizon { count, unit });
                }
            }
            _ => {}
        }
    }
    // "3 months ahead", "for 12 weeks"
    words.windows(3).find_map(|w| {
        let count = number_word(&w[0])?;
        let unit = unit_of(&w[1])?;
        matches!(w[2].as_str(), "ahead" | "out" | "forward").then_some(Horizon { count, unit })
    })
}

/// "beyond 2 standard deviations", "more than 3 IQR" (or "3×IQR", "3x IQR").
fn find_threshold(words: &[String]) -> Option<f64> {
    let is_unit = |unit: &str| {
        matches!(
            unit,
            "standard" | "std" | "sigma" | "sd" | "stdev" | "stddev" | "iqr" | "iqrs"
        )
    };
    words.windows(2).find_map(|w| {
        let number = w[0].trim_end_matches(['x', '×']);
        let value: f64 = number.parse().ok()?;
        (is_unit(w[1].as_str()) && value > 0.0 && value.is_finite()).then_some(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(question: &str, analysis: Option<AnalysisType>, horizon: Option<(u32, Frequency)>) {
        let intent = detect(question);
        assert_eq!(intent.analysis, analysis, "analysis of {question:?}");
        assert_eq!(
            intent.horizon.map(|h| (h.count, h.unit)),
            horizon,
            "horizon of {question:?}"
        );
    }

    #[test]
    fn going_up_or_down_is_a_trend() {
        check(
            "is the number of orders going up?",
            Some(AnalysisType::Trend),
            None,
        );
        check("are refunds going down", Some(AnalysisType::Trend), None);
        check("what is going on with orders", None, None);
    }

    #[test]
    fn seed_keyword_families() {
        use AnalysisType::*;
        check(
            "Show monthly revenue for last year and forecast next 3 months",
            Some(Forecast),
            Some((3, Frequency::Month)),
        );
        check(
            "Forecast revenue for next month",
            Some(Forecast),
            Some((1, Frequency::Month)),
        );
        check(
            "Predict user signups next quarter",
            Some(Forecast),
            Some((1, Frequency::Quarter)),
        );
        check(
            "Project sales for next year",
            Some(Forecast),
            Some((1, Frequency::Year)),
        );
        check(
            "What factors correlate with churn rate?",
            Some(Correlation),
            None,
        );
        check(
            "Show relationship between price and sales",
            Some(Correlation),
            None,
        );
        check(
            "Impact of marketing spend on revenue",
            Some(Correlation),
            None,
        );
        check("Find anomalies in daily revenue", Some(Anomaly), None);
        check(
            "Detect unusual spikes in user activity",
            Some(Anomaly),
            None,
        );
        check(
            "Identify outliers in transaction amounts",
            Some(Anomaly),
            None,
        );
        check(
            "Statistical summary of revenue by region",
            Some(Summary),
            None,
        );
        check("Distribution of customer ages", Some(Summary), None);
        check("Is revenue growing?", Some(Trend), None);
        check("Total revenue by region", None, None);
        check(
            "Forecast orders for the next two weeks",
            Some(Forecast),
            Some((2, Frequency::Week)),
        );
    }

    #[test]
    fn horizon_in_periods_of_the_data() {
        let month = Horizon {
            count: 1,
            unit: Frequency::Month,
        };
        assert_eq!(
            month.periods(Frequency::Day),
            30,
            "next month on daily data is 30 days"
        );
        assert_eq!(
            month.periods(Frequency::Month),
            1,
            "next month on monthly data is one period"
        );
        let quarter = Horizon {
            count: 1,
            unit: Frequency::Quarter,
        };
        assert_eq!(quarter.periods(Frequency::Day), 90);
        assert_eq!(quarter.periods(Frequency::Month), 3);
        let weeks = Horizon {
            count: 2,
            unit: Frequency::Week,
        };
        assert_eq!(
            weeks.periods(Frequency::Month),
            1,
            "never less than one period"
        );
    }

    fn method(question: &str) -> Option<String> {
        detect(question).method
    }

    #[test]
    fn forecast_methods_named_in_the_question() {
        let cases = [
            (
                "Forecast monthly revenue for next 6 months with holt-winters",
                Some("holt_winters"),
            ),
            (
                "forecast revenue using Holt Winters multiplicative seasonality",
                Some("hw_mul"),
            ),
            (
                "predict sales next quarter with damped holt-winters",
                Some("hw_damped"),
            ),
            (
                "Forecast daily orders using a moving average",
                Some("moving_average"),
            ),
            (
                "forecast daily revenue with a 14-day moving average",
                Some("ma:14"),
            ),
            (
                "forecast revenue next 3 months with a linear trend",
                Some("linear"),
            ),
            (
                "project sales next year using linear regression",
                Some("linear"),
            ),
            (
                "forecast orders with seasonal naive",
                Some("seasonal_naive"),
            ),
            (
                "forecast revenue with exponential smoothing",
                Some("holt_winters"),
            ),
            ("forecast revenue with holt's method", Some("holt")),
            ("Forecast revenue for next month", None),
        ];
        for (question, want) in cases {
            assert_eq!(
                method(question).as_deref(),
                want,
                "method named in {question:?}"
            );
            assert_eq!(
                detect(question).analysis,
                Some(AnalysisType::Forecast),
                "{question:?} stays a forecast even when it says 'trend'"
            );
        }
    }

    #[test]
    fn anomaly_methods_named_in_the_question() {
        let cases = [
            ("Find anomalies in daily revenue by IQR", Some("iqr")),
            (
                "find outliers in order amounts using the interquartile range",
                Some("iqr"),
            ),
            (
                "detect anomalies in order amounts with an isolation forest",
                Some("isolation_forest"),
            ),
            (
                "find anomalies in daily revenue using z-scores",
                Some("zscore"),
            ),
            ("anomalies in daily revenue after STL", Some("seasonal")),
            ("Find anomalies in daily revenue", None),
            ("find outliers beyond 2.5 standard deviations", None),
        ];
        for (question, want) in cases {
            assert_eq!(
                method(question).as_deref(),
                want,
                "method named in {question:?}"
            );
        }
        let iqr = detect("find outliers in order amounts more than 3 IQR from the quartiles");
        assert_eq!(
            (iqr.method.as_deref(), iqr.threshold),
            (Some("iqr"), Some(3.0)),
            "an IQR multiple is the IQR method's threshold"
        );
        assert_eq!(detect("outliers beyond 3x IQR").threshold, Some(3.0));
    }

    #[test]
    fn trend_and_correlation_methods_named_in_the_question() {
        assert_eq!(
            method("Is revenue trending up by Mann-Kendall?").as_deref(),
            Some("mann_kendall")
        );
        assert_eq!(
            method("Is revenue growing, with Sen's slope").as_deref(),
            Some("mann_kendall")
        );
        assert_eq!(
            method("Spearman correlation of churn with age").as_deref(),
            Some("spearman")
        );
        assert_eq!(method("What factors correlate with churn?"), None);
        assert_eq!(
            method("Statistical summary of revenue using holt-winters"),
            None,
            "a summary has no method to name"
        );
        assert_eq!(
            method("find anomalies in revenue with a moving average"),
            None,
            "a forecast method in an anomaly question is not an anomaly method"
        );
    }

    #[test]
    fn threshold_from_the_question() {
        assert_eq!(
            detect("find outliers beyond 2.5 standard deviations").threshold,
            Some(2.5)
        );
        assert_eq!(detect("find outliers").threshold, None);
    }
}
