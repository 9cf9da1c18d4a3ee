// Generated from crates/sightline-engine (src/typescript.rs). Do not edit: run
// `SIGHTLINE_BLESS=1 cargo test -p sightline-engine --test engine generated_typescript`.

export type AnalysisType = "forecast" | "correlation" | "anomaly" | "summary" | "trend";

export type Answer = { question: string | null, database: string, 
/**
 * The statement in its display form: the values bound to it written in as SQLite literals,
 * so it can be read, edited and run again as it is. What ran kept placeholders instead.
 */
sql: string | null, 
/**
 * The values bound to the statement's placeholders, in order; omitted when there are none
 * (SQL written by a person holds its values as literals).
 */
sql_params?: Array<SqlParam>, confidence: number, method: string, data: DataTable | null, analytics_performed: boolean, analytics_type: AnalysisType | null, 
/**
 * The result of the analysis; its fields by type are in CONTRACT.md.
 */
analysis_result: Record<string, unknown> | null, 
/**
 * A Plotly figure (`data`, `layout`).
 */
visualization: { data: unknown[]; layout: Record<string, unknown> } | null, interpretation: string | null, stages: Array<StageReport>, warnings: Array<string>, error: AnswerError | null, 
/**
 * What was sent to a language model for this answer (tables, columns, how many sample
 * values); null when no model was asked.
 */
sent_to_model: SentToModel | null, 
/**
 * The Python that computed `analysis_result`, when the model wrote it (run in the sandbox);
 * null for Sightline's native analysis.
 */
analysis_code: string | null, };

export type SqlParam = string | number;

export type DataTable = { columns: Array<string>, rows: Array<Array<string | number | null>>, row_count: number, truncated: boolean, };

export type StageStatus = "ok" | "skipped" | "failed";

export type StageReport = { name: string, status: StageStatus, ms: number, };

export type AnswerError = { stage: string | null, kind: ErrorKind, message: string, };

export type ErrorKind = "bad_input" | "not_understood" | "sql_rejected" | "database" | "llm_unavailable" | "llm_failed" | "sandbox_unavailable" | "keychain_unavailable" | "timeout" | "cancelled" | "internal";

export type StageEvent = { "event": "started", name: string, } | { "event": "finished", name: string, status: StageStatus, ms: number, detail: string | null, };

export type Schema = { database: string, tables: Array<TableInfo>, };

export type TableInfo = { name: string, 
/**
 * "table" or "view".
 */
kind: string, row_count: number, columns: Array<ColumnInfo>, foreign_keys: Array<ForeignKeyInfo>, };

export type ColumnInfo = { name: string, decl_type: string, primary_key: boolean, not_null: boolean, 
/**
 * Up to 5 distinct non-null values, from the first rows of the table.
 */
sample_values: Array<string | number | null>, };

export type ForeignKeyInfo = { column: string, references_table: string, references_column: string, };

export type Settings = { 
/**
 * `offline` (the embedded planner) or the name of a model profile: a preset (`groq`,
 * `openai`, `ollama`, `lmstudio`, `openrouter`, `anthropic`) or one of `profiles`.
 */
model_profile: string, 
/**
 * The user's own profiles; one named like a preset replaces it.
 */
profiles: Array<ModelProfile>, 
/**
 * Who writes the analysis: the native statistics (default) or the model, as Python run in
 * the sandbox.
 */
analysis_author: Author, 
/**
 * Who draws the chart: the native figure (default) or the model, checked and sanitised.
 */
chart_author: Author, 
/**
 * Send only the schema to a model, never sample rows (on by default: nothing of the data
 * leaves the machine unless the user allows it).
 */
schema_only: boolean, sandbox_mode: SandboxMode, sandbox_timeout_s: number, 
/**
 * A size like `512m` or `1g`.
 */
sandbox_memory: string, 
/**
 * Warm containers kept ready.
 */
sandbox_pool_size: number, theme: Theme, 
/**
 * Rows of an answer sent to the window (the full count is always reported).
 */
max_rows: number, };

export type SandboxMode = "auto" | "docker" | "restricted" | "off";

export type Theme = "system" | "light" | "dark";

export type Author = "native" | "model";

export type ModelProfile = { name: string, provider: Provider, base_url: string, model: string, };

export type Provider = "groq" | "openai" | "ollama" | "lmstudio" | "openrouter" | "anthropic" | "custom";

export type Protocol = "open_ai_chat" | "anthropic_messages";

export type ProfileView = { name: string, provider: Provider, base_url: string, model: string, needs_key: boolean, saved: boolean, };

export type Check = { profile: string, method: string, base_url: string, models: Array<string>, 
/**
 * Milliseconds the one-line chat took.
 */
chat_ms: number, 
/**
 * The model's reply, cut to 80 characters (text from a server: shown as text only).
 */
reply: string, };

export type SentToModel = { 
/**
 * The profile and `llm:PROVIDER:MODEL`.
 */
profile: string, method: string, tables: Array<string>, 
/**
 * `table.column`, every column described.
 */
columns: Array<string>, 
/**
 * How many sample data values were included (0 in "schema only" mode).
 */
sample_values: number, glossary_terms: number, 
/**
 * Whether the previous question and its SQL were included (a follow-up).
 */
previous_question: boolean, 
/**
 * Calls made to the model for this answer.
 */
requests: number, 
/**
 * What the model was asked to write: `sql`, and `analysis` or `chart` when it wrote those.
 */
parts: Array<string>, };

export type FollowUp = { question: string, 
/**
 * The SQL that answered it, when there was one.
 */
sql: string | null, };
