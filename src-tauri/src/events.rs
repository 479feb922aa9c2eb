//! Core events to the UI (Tauri events) and the tray (menu and icon refresh).

use dockpass_core::app::controller::{Event, EventSink};
use tauri::{AppHandle, Emitter};

pub struct TauriSink(AppHandle);

impl TauriSink {
    pub fn new(app: AppHandle) -> Self {
        TauriSink(app)
    }
}

impl EventSink for TauriSink {
    fn emit(&self, event: Event) {
        // Only the local UI listens; IdP windows have no capability to receive events.
        if let Err(e) = self
            .0
            .emit_to(crate::window::MAIN, event.name(), event.payload())
        {
            tracing::debug!("event {} not delivered: {e}", event.name());
        }
        match event {
            Event::SessionChanged(_) => {
                crate::tray::refresh(&self.0);
                crate::tray::session_changed();
            }
            Event::ConfigChanged(_) => {
                crate::keeper::relock(&self.0);
                crate::tray::refresh(&self.0);
            }
            Event::RolePicker(_) => crate::window::show_main(&self.0),
            _ => {}
        }
    }
}
