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

use crate::error::{EngineError, ErrorKind};
use crate::llm::wire::{ChatRequest, Turn};
use crate::llm::{LlmClient, block_on};
use crate::progress::CancelToken;

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

/// One exchange with the model, as every agent has it: ask, check the reply with `check`, and
/// when it cannot be used send the problem back, up to `attempts` replies. Returns the checked
/// value and the replies it took, or the error and the replies used. `what` names the part in
/// the final error ("SQL", "chart design", "analysis code").
pub fn converse<T>(
    client: &LlmClient,
    mut request: ChatRequest,
    attempts: usize,
    what: &str,
    cancel: &CancelToken,
    mut check: impl FnMut(&str) -> Result<T, String>,
) -> Result<(T, usize), (EngineError, usize)> {
    let mut last = String::new();
    for attempt in 1..=attempts {
        let reply = block_on(client.chat(&request, cancel))
            .and_then(|reply| reply)
            .map_err(|e| (EngineError::from_stage("plan", &e), attempt))?;
        match check(&reply.text) {
            Ok(value) => return Ok((value, attempt)),
            Err(problem) => {
                if cancel.is_cancelled() {
                    let cancelled =
                        EngineError::new(ErrorKind::Cancelled, "The question was cancelled.");
                    return Err((cancelled, attempt));
                }
                request.turns.push(Turn::assistant(
                    reply.text.chars().take(4000).collect::<String>(),
                ));
                request.turns.push(Turn::user(format!(
                    "That reply cannot be used: {problem}. Write a corrected one. Reply with the JSON object only."
                )));
                last = problem;
            }
        }
    }
    Err((
        EngineError::new(
            ErrorKind::LlmFailed,
            format!("The model's {what} was still wrong after {attempts} attempts ({last})."),
        ),
        attempts,
    ))
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
