//! The SQL nodes (SQL query, Upsert row) over SQLite files and PostgreSQL servers named in the
//! workspace settings. Values are always bound as parameters, never written into SQL text.

mod pools;
pub(super) mod query;
mod test_tx;
pub(super) mod upsert;
mod values;

pub(crate) use pools::Pools;
pub(crate) use test_tx::TestTransactions;

use pools::Pool;

use super::NodeCx;
use crate::events::NodeError;

/// The pool of the database named by the node's `database` setting.
pub(super) async fn database(cx: &NodeCx) -> Result<(String, Pool), NodeError> {
    let id = cx.node().params.str("database").unwrap_or("").trim();
    let ws = cx.workspace();
    let Some(db) = ws.database(id) else {
        let known: Vec<&str> = ws.databases.iter().map(|d| d.id.as_str()).collect();
        let message = if known.is_empty() {
            format!(
                "there is no database \"{id}\": no databases are set up yet; add one in Settings → Databases"
            )
        } else {
            format!(
                "there is no database \"{id}\"; the databases in Settings → Databases are: {}",
                known.join(", ")
            )
        };
        return Err(invalid(message));
    };
    let url = match (&db.url, &db.url_secret) {
        (_, Some(secret)) => cx.secret(secret, "database")?,
        (Some(url), None) => url.as_str().into(),
        (None, None) => {
            return Err(invalid(format!(
                "the database \"{id}\" has no URL: set one in Settings → Databases"
            )))
        }
    };
    let pool = cx
        .services
        .sql_pools
        .get(id, url.trim(), db.max_connections, &cx.services)
        .await?;
    Ok((id.to_string(), pool))
}

/// `invalid_value` in the `database` setting.
fn invalid(message: String) -> NodeError {
    NodeError::new("invalid_value", message).in_field("database")
}

fn connect_error(id: &str, reason: &str) -> NodeError {
    NodeError::new(
        "sql_error",
        format!("could not connect to the database {id}: {reason}"),
    )
}

/// What went wrong, in the database's words; never the connection URL.
fn reason(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(db) => {
            let mut msg = db.message().to_string();
            if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                if let Some(detail) = pg.detail() {
                    msg = format!("{msg} ({detail})");
                }
            }
            msg
        }
        sqlx::Error::Io(io) => io.to_string(),
        sqlx::Error::Tls(tls) => format!("secure connection failed: {tls}"),
        sqlx::Error::Configuration(_) => "the connection settings are not valid".to_string(),
        other => other.to_string(),
    }
}

/// A failed statement: `sql_error` with the database's message, or a connection failure.
fn sql_error(id: &str, e: sqlx::Error) -> NodeError {
    match &e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Configuration(_) => connect_error(id, &reason(&e)),
        _ => NodeError::new("sql_error", reason(&e)),
    }
}

/// A table or column name: letters, digits and `_`, not starting with a digit.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && name.len() <= 63
}

/// `"name"`, for a name that passed [`is_identifier`] (so it holds no quote).
fn quote(name: &str) -> String {
    format!("\"{name}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_letters_digits_and_underscores() {
        for ok in ["leads", "Leads_2024", "_x", "préféré"] {
            assert!(is_identifier(ok), "{ok}");
        }
        for bad in [
            "",
            "2x",
            "a b",
            "a\"b",
            "a;b",
            "a-b",
            "a.b",
            &"x".repeat(64),
        ] {
            assert!(!is_identifier(bad), "{bad}");
        }
    }
}
