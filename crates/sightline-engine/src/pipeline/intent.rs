//! Intent detection: which analysis a question asks for (the seed's keyword families) and the
//! parameters it carries (forecast horizon, anomaly threshold). Pure text work; no schema, no data.

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
    /// A z-score threshold the question names ("beyond 2 standard deviations").
    pub threshold: Option<f64>,
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
    Intent {
        text,
        words,
        analysis,
        horizon,
        threshold,
    }
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

/// "beyond 2 standard deviations", "z-score above 2.5", "threshold 3".
fn find_threshold(words: &[String]) -> Option<f64> {
    words.windows(2).find_map(|w| {
        let value: f64 = w[0].parse().ok()?;
        let unit = w[1].as_str();
        (matches!(
            unit,
            "standard" | "std" | "sigma" | "sd" | "stdev" | "stddev"
        ) && value > 0.0)
            .then_some(value)
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

    #[test]
    fn threshold_from_the_question() {
        assert_eq!(
            detect("find outliers beyond 2.5 standard deviations").threshold,
            Some(2.5)
        );
        assert_eq!(detect("find outliers").threshold, None);
    }
}
