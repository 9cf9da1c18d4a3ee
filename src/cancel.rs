//! Ctrl-C for the one-shot verbs: the first press cancels the running question through its
//! [`CancelToken`]; a second press ends the process at once, should a stage not be listening.

use std::process;

use sightline_engine::CancelToken;

/// A token that Ctrl-C cancels.
pub fn on_ctrl_c() -> CancelToken {
    let token = CancelToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        eprintln!("Cancelling… (press Ctrl-C again to quit at once)");
        cancel.cancel();
        if tokio::signal::ctrl_c().await.is_ok() {
            process::exit(130);
        }
    });
    token
}
