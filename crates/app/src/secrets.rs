//! Named secrets. For now they come from the environment (`SWITCHYARD_SECRET_<NAME>`, the name
//! upper-cased with `-` and `.` as `_`); they never appear in workflow files, logs or journals.

/// The value of the secret `name`, if set.
pub fn lookup(name: &str) -> Option<String> {
    let var: String = name
        .chars()
        .map(|c| match c {
            '-' | '.' | ' ' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    std::env::var(format!("SWITCHYARD_SECRET_{var}")).ok()
}
