//! How the window's web view draws on Linux. WebKitGTK composites pages with OpenGL; on a machine
//! with no GPU that OpenGL is Mesa's software rasteriser (llvmpipe), which costs the web process
//! about 100 MB more at idle than WebKit's CPU path (README "Performance": 330 → 233 MB in all,
//! for a 100,000-row answer shown ~0.45 s later). So when no GPU render node can be opened, and
//! only then, the web view is told never to use hardware acceleration. Machines with a GPU keep
//! WebKit's default, and no environment variable is set: the choice is this one web view's
//! setting. On macOS and Windows the system web view decides for itself.

#[cfg(target_os = "linux")]
pub use linux::fit_to_machine;

/// Elsewhere there is nothing to fit.
#[cfg(not(target_os = "linux"))]
pub fn fit_to_machine(_window: &tauri::WebviewWindow) -> tauri::Result<()> {
    Ok(())
}

#[cfg(target_os = "linux")]
mod linux {
    use std::fs::{self, OpenOptions};
    use std::path::Path;

    use tauri::WebviewWindow;
    use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};

    /// Where the kernel lists the DRM devices; a GPU that can render has a `renderD*` node here.
    const DRI: &str = "/dev/dri";

    /// Turns hardware acceleration off in `window`'s web view when this machine has no usable GPU.
    pub fn fit_to_machine(window: &WebviewWindow) -> tauri::Result<()> {
        if gpu_usable(Path::new(DRI)) {
            return Ok(());
        }
        window.with_webview(|webview| {
            if let Some(settings) = webview.inner().settings() {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
        })
    }

    /// True when `dri` holds a render node this process may open for reading and writing, the
    /// access Mesa needs to draw on the GPU.
    fn gpu_usable(dri: &Path) -> bool {
        let Ok(entries) = fs::read_dir(dri) else {
            return false;
        };
        entries.flatten().any(|entry| {
            entry.file_name().to_string_lossy().starts_with("renderD")
                && OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open(entry.path())
                    .is_ok()
        })
    }

    #[cfg(test)]
    mod tests {
        use super::gpu_usable;

        #[test]
        fn no_render_node_means_no_gpu() {
            let dir = tempfile::tempdir().unwrap();
            assert!(!gpu_usable(&dir.path().join("missing")));
            assert!(!gpu_usable(dir.path()));
            std::fs::write(dir.path().join("card0"), b"").unwrap();
            assert!(!gpu_usable(dir.path()), "a card node alone does not render");
        }

        #[test]
        fn an_openable_render_node_is_a_gpu() {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("renderD128"), b"").unwrap();
            assert!(gpu_usable(dir.path()));
        }
    }
}
