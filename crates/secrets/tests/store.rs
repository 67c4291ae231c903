use switchyard_secrets::{KeySource, MasterKey, SecretStore, SECRETS_FILE};

fn all_bytes_under(dir: &std::path::Path) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.path().is_file() {
            out.extend(std::fs::read(entry.path()).unwrap());
        }
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn set_get_list_delete_and_nothing_in_clear_text() {
    let dir = tempfile::tempdir().unwrap();
    let store = SecretStore::with_key(dir.path(), MasterKey::generate()).unwrap();
    assert!(store.list().unwrap().is_empty());
    assert!(!store.set("OPENAI_API_KEY", "sk-test-abcdef123456").unwrap());
    assert!(!store.set("smtp.password", "hunter2-correct-horse").unwrap());
    assert!(store
        .set("OPENAI_API_KEY", "sk-test-rotated-987654")
        .unwrap());
    assert_eq!(
        store.get("OPENAI_API_KEY").unwrap().as_deref(),
        Some("sk-test-rotated-987654")
    );
    let names: Vec<String> = store.list().unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["OPENAI_API_KEY", "smtp.password"]);

    let disk = all_bytes_under(dir.path());
    for value in [
        "sk-test-abcdef123456",
        "sk-test-rotated-987654",
        "hunter2-correct-horse",
    ] {
        assert!(!contains(&disk, value), "{value} found in clear text");
    }
    assert!(
        contains(&disk, "OPENAI_API_KEY"),
        "names are visible, values are not"
    );

    store.delete("smtp.password").unwrap();
    assert_eq!(store.get("smtp.password").unwrap(), None);
    assert_eq!(store.delete("smtp.password").unwrap_err().code, "not_found");
    assert_eq!(store.load_all().unwrap().len(), 1);
}

#[cfg(unix)]
#[test]
fn the_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let store = SecretStore::with_key(dir.path(), MasterKey::generate()).unwrap();
    store.set("A", "value-1234").unwrap();
    let mode = std::fs::metadata(dir.path().join(SECRETS_FILE))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn a_different_master_key_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = SecretStore::with_key(dir.path(), MasterKey::generate()).unwrap();
    store.set("A", "value-1234").unwrap();
    let err = SecretStore::with_key(dir.path(), MasterKey::generate()).unwrap_err();
    assert_eq!(err.code, "wrong_master_key");
    assert!(err.message.contains("not the one"), "{}", err.message);
}

#[test]
fn the_same_key_from_text_reads_the_secrets_back() {
    let dir = tempfile::tempdir().unwrap();
    let key = MasterKey::generate();
    let text = key.to_base64();
    SecretStore::with_key(dir.path(), key)
        .unwrap()
        .set("DB_URL", "postgres://app:pw@db/shop")
        .unwrap();
    let again = MasterKey::parse(&text, KeySource::Environment).unwrap();
    let store = SecretStore::with_key(dir.path(), again).unwrap();
    assert_eq!(
        store.get("DB_URL").unwrap().as_deref(),
        Some("postgres://app:pw@db/shop")
    );
    // Hex works too; anything else is refused.
    let hex: String = "ab".repeat(32);
    assert!(MasterKey::parse(&hex, KeySource::Environment).is_ok());
    let bad = MasterKey::parse("too-short", KeySource::Environment)
        .err()
        .unwrap();
    assert_eq!(bad.code, "invalid_master_key");
}

#[test]
fn a_value_moved_to_another_name_does_not_decrypt() {
    let dir = tempfile::tempdir().unwrap();
    let store = SecretStore::with_key(dir.path(), MasterKey::generate()).unwrap();
    store.set("A", "value-of-a").unwrap();
    store.set("B", "value-of-b").unwrap();
    let path = dir.path().join(SECRETS_FILE);
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let a = json["secrets"]["A"].clone();
    json["secrets"]["B"]["ciphertext"] = a["ciphertext"].clone();
    json["secrets"]["B"]["nonce"] = a["nonce"].clone();
    std::fs::write(&path, serde_json::to_string(&json).unwrap()).unwrap();
    let err = store.get("B").unwrap_err();
    assert_eq!(err.code, "corrupt_store");
    assert!(!err.message.contains("value-of"));
    assert_eq!(store.get("A").unwrap().as_deref(), Some("value-of-a"));
}

#[test]
fn names_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let store = SecretStore::with_key(dir.path(), MasterKey::generate()).unwrap();
    for bad in ["", "has space", "semi;colon", &"x".repeat(65)] {
        assert_eq!(
            store.set(bad, "v").unwrap_err().code,
            "invalid_name",
            "{bad:?}"
        );
    }
}

#[test]
fn a_damaged_file_is_reported_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(SECRETS_FILE), "{ not json").unwrap();
    let err = SecretStore::with_key(dir.path(), MasterKey::generate()).unwrap_err();
    assert_eq!(err.code, "corrupt_store");
    assert_eq!(
        std::fs::read_to_string(dir.path().join(SECRETS_FILE)).unwrap(),
        "{ not json"
    );
}
