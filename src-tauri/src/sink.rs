//! [`ChannelSink`]: the engine's stage events, streamed to the window over a Tauri channel.

use sightline_engine::{StageEvent, StageSink};
use tauri::ipc::Channel;

pub struct ChannelSink(pub Channel<StageEvent>);

impl StageSink for ChannelSink {
    fn emit(&self, event: StageEvent) {
        // A closed window is not an error of the question; its answer is still returned.
        let _ = self.0.send(event);
    }
}
