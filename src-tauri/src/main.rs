//! `dockpass-app`: the tray app. A thin shell: windows, tray and IPC wired to dockpass-core.
#![forbid(unsafe_code)]
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod tray;
mod window;

fn main() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            std::env::var("DOCKPASS_LOG").unwrap_or_else(|_| "warn".into()),
        ))
        .with_writer(std::io::stderr)
        .try_init();
    let app = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![commands::status])
        .setup(|app| {
            tray::create(app.handle())?;
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(a) => a,
        Err(e) => {
            eprintln!("dockpass-app: cannot start: {e}");
            std::process::exit(1);
        }
    };
    app.run(|_, event| {
        // A tray app keeps running when its last window closes; Quit exits explicitly.
        if let tauri::RunEvent::ExitRequested { api, code, .. } = event {
            if code.is_none() {
                api.prevent_exit();
            }
        }
    });
}
