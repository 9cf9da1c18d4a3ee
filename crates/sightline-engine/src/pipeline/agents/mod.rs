//! The model-driven agents: [`sql`] writes the query with a self-repair loop from the prompt
//! material of [`context`]; [`analyst`] writes the analysis as Python run in the sandbox;
//! [`chart`] designs the chart of a plain result. Each agent is optional and falls back to Sightline's own code (the
//! offline planner) with a warning when the model cannot help.

pub mod analyst;
pub mod chart;
pub mod context;
pub mod sql;

pub use analyst::Analyst;
pub use context::{FollowUp, ModelContext, SentToModel};

use crate::llm::LlmClient;

/// A question asked with a model: the client, what may be sent, and the conversation so far.
#[derive(Debug, Clone)]
pub struct ModelRun {
    pub client: LlmClient,
    /// Send no sample values (the default; see `Settings::schema_only`).
    pub schema_only: bool,
    /// Let the model design the chart of answers without an analysis (`Settings::chart_author`).
    pub draws_charts: bool,
    /// Where model-written analysis code runs, when the user chose it (`Settings::analysis_author`).
    pub analyst: Option<analyst::Analyst>,
}

/// The confidence in SQL a model wrote: higher when it validated at the first reply without
/// repairs, and when it reads the same tables as the offline planner's plan for the question.
pub fn confidence(attempts: usize, repairs: usize, agreement: Option<f64>) -> f64 {
    let first_time = if attempts <= 1 { 0.15 } else { 0.0 };
    let agreement = agreement.map_or(0.1, |a| 0.25 * a);
    let value = 0.55 + first_time + agreement - 0.05 * repairs as f64;
    (value.clamp(0.05, 0.95) * 100.0).round() / 100.0
}

/// The tables of `names` that `sql` mentions as whole words.
pub fn tables_in(sql: &str, names: &[String]) -> Vec<String> {
    let words: std::collections::BTreeSet<String> = sql
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .map(str::to_lowercase)
        .collect();
    names
        .iter()
        .filter(|n| words.contains(&n.to_lowercase()))
        .cloned()
        .collect()
}

/// How far two sets of tables agree (Jaccard), `None` when there is nothing to compare with.
pub fn agreement(offline: &[String], written: &[String]) -> Option<f64> {
    if offline.is_empty() {
        return None;
    }
    let union: std::collections::BTreeSet<&String> = offline.iter().chain(written).collect();
    let both = offline.iter().filter(|t| written.contains(t)).count();
    Some(both as f64 / union.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_rewards_first_time_and_agreement() {
        assert!(confidence(1, 0, Some(1.0)) > confidence(3, 0, Some(1.0)));
        assert!(confidence(1, 0, Some(1.0)) > confidence(1, 0, Some(0.0)));
        assert!(confidence(1, 2, Some(1.0)) < confidence(1, 0, Some(1.0)));
        assert!(confidence(1, 0, Some(1.0)) <= 0.95);
    }

    #[test]
    fn tables_are_found_as_words() {
        let names = vec![
            "orders".to_string(),
            "order_items".to_string(),
            "customers".to_string(),
        ];
        assert_eq!(
            tables_in("SELECT * FROM order_items oi JOIN orders o", &names),
            vec!["orders", "order_items"]
        );
        assert_eq!(agreement(&names[..2], &names[..1]), Some(0.5));
    }
}
