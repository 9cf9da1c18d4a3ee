//! The keychain against a real Secret Service (gnome-keyring in a dbus session on Linux CI):
//! a key set through [`Keychain`] is found by the system's own tool, never read back as text by
//! anything else, and cleared for real. Skipped when no session bus is reachable, unless
//! `SIGHTLINE_REQUIRE_KEYCHAIN=1` (CI), where a missing keychain fails the test.

use std::process::Command;

use sightline_engine::ErrorKind;
use sightline_engine::secrets::{Keychain, Secret, SecretStore};

fn keychain_or_skip(service: &str) -> Option<Keychain> {
    let keychain = Keychain::new(service);
    match keychain.is_set("probe") {
        Ok(_) => Some(keychain),
        Err(e) if std::env::var("SIGHTLINE_REQUIRE_KEYCHAIN").is_ok_and(|v| v == "1") => {
            panic!("SIGHTLINE_REQUIRE_KEYCHAIN=1 but the keychain is unavailable: {e:?}")
        }
        Err(e) => {
            assert_eq!(e.kind, ErrorKind::KeychainUnavailable, "{e:?}");
            eprintln!("skipped: no keychain here ({})", e.message);
            None
        }
    }
}

/// What `secret-tool` (libsecret, outside Sightline) finds for this service and profile.
fn system_lookup(service: &str, profile: &str) -> Option<String> {
    let output = Command::new("secret-tool")
        .args(["lookup", "service", service, "username", profile])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn a_key_lives_in_the_system_keychain_and_is_cleared_for_real() {
    let service = format!("dev.sightline.test.{}", std::process::id());
    let Some(keychain) = keychain_or_skip(&service) else {
        return;
    };
    assert!(!keychain.is_set("groq").unwrap());
    keychain
        .set("groq", &Secret::new("gsk_test_0123456789"))
        .unwrap();
    assert!(keychain.is_set("groq").unwrap());
    assert_eq!(
        keychain
            .get("groq")
            .unwrap()
            .map(|s| s.expose().to_string()),
        Some("gsk_test_0123456789".to_string())
    );
    if cfg!(target_os = "linux") {
        assert_eq!(
            system_lookup(&service, "groq").as_deref(),
            Some("gsk_test_0123456789"),
            "the key must be in the Secret Service itself, not in Sightline's memory"
        );
    }
    keychain.set("groq", &Secret::new("gsk_second")).unwrap();
    assert_eq!(
        keychain
            .get("groq")
            .unwrap()
            .map(|s| s.expose().to_string()),
        Some("gsk_second".to_string()),
        "setting again replaces the key"
    );
    assert!(keychain.clear("groq").unwrap());
    assert!(!keychain.is_set("groq").unwrap());
    assert!(
        !keychain.clear("groq").unwrap(),
        "clearing twice is not an error"
    );
    if cfg!(target_os = "linux") {
        assert_eq!(system_lookup(&service, "groq"), None);
    }
}

#[test]
fn an_empty_key_is_refused_without_touching_the_keychain() {
    let error = Keychain::new("dev.sightline.test.empty")
        .set("groq", &Secret::new("   "))
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::BadInput);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_takes_its_key_from_the_keychain_into_the_request_header_only() {
    use sightline_engine::llm::profile::{self, NoEnv};
    use sightline_engine::settings::Settings;

    let service = format!("dev.sightline.test.resolve.{}", std::process::id());
    let Some(keychain) = keychain_or_skip(&service) else {
        return;
    };
    let key = "gsk_from_keychain_0123456789abcdef";
    keychain.set("groq", &Secret::new(key)).unwrap();
    let mut endpoint = profile::resolve("groq", &Settings::default(), &keychain, &NoEnv)
        .unwrap()
        .unwrap();
    let model =
        crate::fake_model::FakeModel::start(vec![crate::fake_model::completion("ready")]).await;
    endpoint.base_url = model.base_url.clone();
    assert!(
        !format!("{endpoint:?}").contains(key),
        "Debug must redact the key"
    );
    let check = sightline_engine::llm::check(endpoint, &sightline_engine::CancelToken::new())
        .await
        .unwrap();
    assert_eq!(check.reply, "ready");
    let sent = model.chats();
    assert_eq!(
        sent[0].header("authorization"),
        Some(&*format!("Bearer {key}"))
    );
    assert!(!serde_json::to_string(&check).unwrap().contains(key));
    assert!(
        !sent[0].body.to_string().contains(key),
        "never in the prompt"
    );
    keychain.clear("groq").unwrap();
    let missing = profile::resolve("groq", &Settings::default(), &keychain, &NoEnv).unwrap_err();
    assert!(missing.message.contains("needs an API key"));
}
