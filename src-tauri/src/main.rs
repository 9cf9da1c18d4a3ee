//! The Sightline desktop app: the only crate that knows Tauri. It owns the window, the settings
//! store and the state that lives as long as the app (the engine, running questions, recent
//! answers, the warm sandbox pool); every command is an adapter of a few lines over
//! `sightline-engine` (ARCHITECTURE.md).

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod rendering;
mod sink;
mod state;
mod store;

use tauri::{Manager, WebviewWindowBuilder};

fn main() {
    if let Err(e) = run() {
        eprintln!("Sightline could not start: {e}");
        std::process::exit(1);
    }
}

fn run() -> tauri::Result<()> {
    tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let state = state::AppState::load(app.handle())?;
            app.manage(state);
            open_main_window(app)?;
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::ask,
            commands::analyze,
            commands::cancel,
            commands::schema,
            commands::connections,
            commands::forget_connection,
            commands::glossary_get,
            commands::glossary_set,
            commands::settings_get,
            commands::settings_set,
            commands::key_set,
            commands::key_clear,
            commands::key_status,
            commands::llm_profiles,
            commands::llm_test,
            commands::sandbox_status,
            commands::sandbox_run,
            commands::sandbox_build_image,
            commands::export_answer,
            commands::save_png,
            commands::save_svg,
        ])
        .build(tauri::generate_context!("../tauri.conf.json"))?
        .run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                let state = app.state::<state::AppState>();
                tauri::async_runtime::block_on(state.shutdown());
            }
        });
    Ok(())
}

/// The main window, from its entry in tauri.conf.json, with navigation held to the app's own
/// pages (S8): a link or a script cannot take the window to another origin.
fn open_main_window(app: &tauri::App) -> tauri::Result<()> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == "main")
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    let window = WebviewWindowBuilder::from_config(app.handle(), &config)?
        .on_navigation(is_app_page)
        .build()?;
    rendering::fit_to_machine(&window)?;
    Ok(())
}

/// The app's own pages: the bundled assets (`tauri://localhost`, `http(s)://tauri.localhost` on
/// Windows) and, in development builds only, Vite's dev server.
fn is_app_page(url: &tauri::Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    match url.scheme() {
        "tauri" => host == "localhost",
        "http" | "https" if host == "tauri.localhost" => true,
        "http" => cfg!(dev) && host == "localhost" && url.port() == Some(5173),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_app_page;

    #[test]
    fn navigation_stays_on_the_app_pages() {
        for allowed in [
            "tauri://localhost/index.html",
            "http://tauri.localhost/",
            "https://tauri.localhost/assets/x.js",
        ] {
            assert!(is_app_page(&allowed.parse().unwrap()), "{allowed}");
        }
        for refused in [
            "https://example.com/",
            "http://localhost:8080/",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "tauri://evil.example/",
            "data:text/html,hi",
        ] {
            assert!(!is_app_page(&refused.parse().unwrap()), "{refused}");
        }
    }
}
