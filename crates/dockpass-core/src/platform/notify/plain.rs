//! macOS and Windows: plain notifications, no replacement ids or actions (notify-rust offers
//! neither there); each is shown from its own thread, as those calls may block.

use super::*;

pub(super) fn run_worker(rx: mpsc::Receiver<Command>, _on_action: ActionCallback) {
    let mut current: HashMap<String, Notice> = HashMap::new();
    while let Ok(cmd) = rx.recv() {
        match cmd {
            Command::Show(notice, reply) => {
                if current.get(notice.profile()) != Some(&notice) {
                    let (summary, body) = (notice.summary(), notice.body());
                    let _ = std::thread::Builder::new().spawn(move || {
                        let _ = notify_rust::Notification::new()
                            .appname(APP_NAME)
                            .summary(&summary)
                            .body(&body)
                            .show();
                    });
                    current.insert(notice.profile().to_string(), notice);
                }
                let _ = reply.send(Ok(()));
            }
            Command::Clear(profile) => {
                current.remove(&profile);
            }
            Command::Flush(done) => {
                let _ = done.send(());
            }
        }
    }
}
