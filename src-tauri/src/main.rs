//! `dockpass-app [--login] [--profile P] [--tray]`: the tray app. A thin shell: windows,
//! tray and IPC wired to `dockpass_core::app::controller::Controller`, which decides everything.
#![forbid(unsafe_code)]
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod app;
mod args;
mod bench;
mod commands;
mod events;
mod keeper;
mod login;
mod login_host;
mod login_page;
mod tray;
mod window;

use dockpass_core::app::controller::Controller;
use std::sync::Arc;
use tauri::Manager;

fn main() {
    software_rendering();
    if std::env::args().nth(1).as_deref() == Some(login_host::ARG) {
        std::process::exit(login_host::run());
    }
    bench::mark("main");
    // Kept for the life of the process: dropping it flushes the file.
    let _log = match dockpass_core::base::paths::log_dir() {
        Ok(dir) => dockpass_core::platform::logging::init_with_file("warn", "dockpass-app", dir),
        Err(_) => {
            dockpass_core::platform::logging::init("warn", true);
            None
        }
    };
    tracing::info!("dockpass-app {} starting", env!("CARGO_PKG_VERSION"));
    let args = match args::Args::parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("dockpass-app: {msg}");
            std::process::exit(2);
        }
    };
    let (ctx, config_error) = match dockpass_core::session::Context::load_lenient() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("dockpass-app: {}", e.message);
            std::process::exit(e.exit_code());
        }
    };

    let app = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            // A second launch focuses the first (and starts a sign-in if it asked for one).
            let again = args::Args::parse(argv.into_iter().skip(1)).unwrap_or_default();
            window::show_main(app);
            if again.login {
                login::start(app, again.profile.as_deref(), None);
            }
        }))
        .invoke_handler(tauri::generate_handler![
            commands::session::overview,
            commands::session::select_profile,
            commands::session::login,
            commands::session::cancel_login,
            commands::session::logout,
            commands::roles::pick_role,
            commands::roles::cancel_pick,
            commands::roles::switch_role,
            commands::roles::confirm_trust,
            commands::roles::reject_trust,
            commands::settings::config_get,
            commands::settings::config_save,
            commands::checks::check_profile,
            commands::checks::check_link,
            commands::checks::registry_hosts,
            commands::repos::list_repositories,
            commands::repos::list_images,
            commands::setup::propose_registries,
            commands::setup::add_registries,
            commands::setup::autostart_get,
            commands::setup::autostart_set,
            commands::setup::browser_readiness,
            commands::setup::browser_install,
            commands::app::quit_app,
            commands::app::open_logs,
        ])
        .setup(move |app| {
            let sink = Arc::new(events::TauriSink::new(app.handle().clone()));
            let controller = Arc::new(Controller::new(ctx, config_error, sink));
            if let Some(p) = &args.profile {
                if let Err(e) = controller.select_profile(p) {
                    eprintln!("dockpass-app: {}", e.message);
                }
            }
            app.manage(controller);
            bench::listen(app.handle());
            tray::create(app.handle())?;
            tray::keep_fresh(app.handle());
            keeper::start(app.handle());
            if !args.tray {
                window::show_main(app.handle());
            }
            if args.login {
                login::start(app.handle(), args.profile.as_deref(), None);
            }
            Ok(())
        })
        .build(context());
    let app = match app {
        Ok(a) => a,
        Err(e) => {
            eprintln!("dockpass-app: cannot start: {e}");
            std::process::exit(1);
        }
    };
    app.run(|_, event| match event {
        // A tray app keeps running when its last window closes; Quit exits explicitly.
        tauri::RunEvent::ExitRequested { api, code, .. } if code.is_none() => api.prevent_exit(),
        tauri::RunEvent::Ready => bench::mark("tray"),
        _ => {}
    });
}

/// The app's generated context (config, embedded UI, capabilities), for the app and for its
/// login window host (login_host.rs).
pub fn context() -> tauri::Context<tauri::Wry> {
    tauri::generate_context!()
}

/// GTK initialises OpenGL as it opens an X11 display (to choose visuals), and WebKit then
/// composites every window with it. Without a GPU driver that is Mesa's llvmpipe: libLLVM
/// (about 50 MB resident) in the tray process before any window exists, and the main window
/// burning CPU on software GL for each countdown tick. Dockpass's windows are a small UI and
/// the IdP's sign-in page: drawn by the CPU they are as fast, for far less memory and CPU
/// (BENCHMARKS.md, "Tray app"). Set before any thread exists (the environment is read by
/// GTK); a `GDK_GL` the user set wins, and programs the app starts get it back unset
/// (desktop.rs).
fn software_rendering() {
    #[cfg(all(unix, not(target_os = "macos")))]
    if std::env::var_os("GDK_GL").is_none() {
        std::env::set_var("GDK_GL", "disable");
        std::env::set_var(dockpass_core::platform::desktop::GDK_GL_MARKER, "1");
    }
}
