//! The Upsert row node: `INSERT ... ON CONFLICT (keys)`, built from validated, double-quoted
//! names; every value is a bound parameter.
//!
//! SQLite: in one transaction, `INSERT ... ON CONFLICT (keys) DO NOTHING`, then `UPDATE` when
//! nothing was inserted. The first statement writes, so the transaction holds the write lock
//! from its start and "inserted" or "updated" is exact.
//! PostgreSQL: one `INSERT ... ON CONFLICT (keys) DO UPDATE ... RETURNING (xmax = 0)`, true for
//! a new row. Values are sent as text and cast to each column's type, read from the catalog, so
//! text from a form fits date, uuid, numeric or jsonb columns.

use std::collections::HashMap;

use serde_json::{json, Map, Value as Json};
use sqlx::{PgConnection, Row, SqliteConnection};

use super::pools::Pool;
use super::values::{as_text, bind_sqlite};
use super::{database, is_identifier, quote, sql_error};
use crate::events::NodeError;
use crate::nodes::{NodeCx, NodeOutput};

/// What the node writes, checked.
struct Upsert {
    /// As the user wrote it, for messages and the output.
    table_name: String,
    /// Quoted: `"leads"` or `"sales"."leads"`.
    table: String,
    keys: Vec<String>,
    /// Column to value, in column-name order.
    fields: Map<String, Json>,
}

pub(crate) async fn run(cx: &NodeCx) -> Result<NodeOutput, NodeError> {
    let params = &cx.node().params;
    let table_name = params.str("table").unwrap_or("").trim().to_string();
    let table = quoted_table(&table_name)?;
    let keys = key_columns(params.str("key_columns").unwrap_or(""))?;
    let fields = match cx.eval("fields")? {
        Some(Json::Object(m)) => m,
        _ => Map::new(),
    };
    if fields.is_empty() {
        return Err(invalid(
            "fields",
            "add at least one column and its value".to_string(),
        ));
    }
    if let Some(bad) = fields.keys().find(|c| !is_identifier(c)) {
        return Err(invalid(
            "fields",
            format!("\"{bad}\" is not a column name: use letters, digits and _"),
        ));
    }
    if let Some(missing) = keys.iter().find(|k| !fields.contains_key(*k)) {
        return Err(invalid(
            "key_columns",
            format!(
                "the column {missing} to match on is not among the Columns: add it with its value"
            ),
        ));
    }
    let up = Upsert {
        table_name,
        table,
        keys,
        fields,
    };
    let (id, pool) = database(cx).await?;
    let written = match &cx.test_sql {
        // Test mode: in the run's transaction, rolled back when it ends.
        Some(t) => match t.lease(&id, &pool).await {
            Ok(mut lease) => match &pool {
                Pool::Sqlite(_) => sqlite(lease.sqlite(), &up).await.map_err(UpsertError::from),
                Pool::Postgres(_) => postgres(lease.postgres(), &up).await,
            },
            Err(e) => Err(UpsertError::from(e)),
        },
        None => match &pool {
            Pool::Sqlite(pool) => match pool.acquire().await {
                Ok(mut conn) => sqlite(&mut conn, &up).await.map_err(UpsertError::from),
                Err(e) => Err(UpsertError::from(e)),
            },
            Pool::Postgres(pool) => match pool.acquire().await {
                Ok(mut conn) => postgres(&mut conn, &up).await,
                Err(e) => Err(UpsertError::from(e)),
            },
        },
    };
    let (inserted, rows_affected) = written.map_err(|e| upsert_error(&id, &up, e))?;
    let key: Map<String, Json> = up
        .keys
        .iter()
        .map(|k| (k.clone(), up.fields[k].clone()))
        .collect();
    let mut out = json!({
        "table": up.table_name,
        "action": if inserted { "inserted" } else { "updated" },
        "rows_affected": rows_affected,
        "key": key,
    });
    if cx.test_sql.is_some() {
        // Test mode: the row was written in the run's transaction, rolled back when it ends.
        out["simulated"] = json!(true);
    }
    Ok(NodeOutput::out(out))
}

fn invalid(field: &str, message: String) -> NodeError {
    NodeError::new("invalid_value", message).in_field(field)
}

/// `leads` → `"leads"`, `sales.leads` → `"sales"."leads"`.
fn quoted_table(name: &str) -> Result<String, NodeError> {
    let parts: Vec<&str> = name.split('.').collect();
    if parts.len() > 2 || !parts.iter().all(|p| is_identifier(p)) {
        return Err(invalid(
            "table",
            format!("\"{name}\" is not a table name: use letters, digits and _ (or schema.table)"),
        ));
    }
    Ok(parts.into_iter().map(quote).collect::<Vec<_>>().join("."))
}

/// `email, team` → `["email", "team"]`.
fn key_columns(text: &str) -> Result<Vec<String>, NodeError> {
    let mut keys: Vec<String> = Vec::new();
    for k in text.split(',').map(str::trim).filter(|k| !k.is_empty()) {
        if !is_identifier(k) {
            return Err(invalid(
                "key_columns",
                format!("\"{k}\" is not a column name: use letters, digits and _"),
            ));
        }
        if !keys.iter().any(|x| x == k) {
            keys.push(k.to_string());
        }
    }
    if keys.is_empty() {
        return Err(invalid(
            "key_columns",
            "name the columns that identify a row, for example email".to_string(),
        ));
    }
    Ok(keys)
}

fn list(cols: &[&String]) -> String {
    cols.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", ")
}

impl Upsert {
    fn columns(&self) -> Vec<&String> {
        self.fields.keys().collect()
    }

    /// The columns an update sets: the others, or the keys themselves when there are no others.
    fn set_columns(&self) -> Vec<&String> {
        let others: Vec<&String> = self
            .fields
            .keys()
            .filter(|c| !self.keys.contains(c))
            .collect();
        if others.is_empty() {
            self.keys.iter().collect()
        } else {
            others
        }
    }

    fn key_list(&self) -> String {
        list(&self.keys.iter().collect::<Vec<_>>())
    }
}

/// In one transaction (a savepoint when `conn` is already in one: test mode).
async fn sqlite(conn: &mut SqliteConnection, up: &Upsert) -> Result<(bool, u64), sqlx::Error> {
    let columns = up.columns();
    let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
    let insert = format!(
        "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO NOTHING",
        up.table,
        list(&columns),
        placeholders.join(", "),
        up.key_list()
    );
    let set = up.set_columns();
    let assignments: Vec<String> = set
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} = ${}", quote(c), i + 1))
        .collect();
    let conditions: Vec<String> = up
        .keys
        .iter()
        .enumerate()
        .map(|(j, k)| format!("{} = ${}", quote(k), set.len() + j + 1))
        .collect();
    let update = format!(
        "UPDATE {} SET {} WHERE {}",
        up.table,
        assignments.join(", "),
        conditions.join(" AND ")
    );

    let mut tx = sqlx::Connection::begin(conn).await?;
    let mut q = sqlx::query(&insert);
    for c in &columns {
        q = bind_sqlite(q, &up.fields[*c]);
    }
    let done = q.execute(&mut *tx).await?;
    let result = if done.rows_affected() > 0 {
        (true, done.rows_affected())
    } else {
        let mut q = sqlx::query(&update);
        for c in set.iter().copied().chain(up.keys.iter()) {
            q = bind_sqlite(q, &up.fields[c]);
        }
        (false, q.execute(&mut *tx).await?.rows_affected())
    };
    tx.commit().await?;
    Ok(result)
}

/// One statement (in a savepoint when `conn` is in a transaction: test mode).
async fn postgres(conn: &mut PgConnection, up: &Upsert) -> Result<(bool, u64), UpsertError> {
    let types = column_types(&mut *conn, &up.table).await?;
    if types.is_empty() {
        return Err(UpsertError::Node(invalid(
            "table",
            format!("there is no table {} in this database", up.table_name),
        )));
    }
    let columns = up.columns();
    let mut values = Vec::new();
    for (i, c) in columns.iter().enumerate() {
        let Some(ty) = types.get(c.as_str()) else {
            let mut known: Vec<&String> = types.keys().collect();
            known.sort();
            return Err(UpsertError::Node(invalid(
                "fields",
                format!(
                    "the table {} has no column {c}; its columns are: {}",
                    up.table_name,
                    known
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )));
        };
        // `ty` comes from the database's own catalog (format_type), not from the workflow.
        values.push(format!("CAST(${} AS {ty})", i + 1));
    }
    let set: Vec<String> = up
        .set_columns()
        .iter()
        .map(|c| format!("{0} = excluded.{0}", quote(c)))
        .collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {} RETURNING (xmax = 0) AS inserted",
        up.table,
        list(&columns),
        values.join(", "),
        up.key_list(),
        set.join(", ")
    );
    let mut q = sqlx::query(&sql).persistent(false);
    for c in &columns {
        q = q.bind(as_text(&up.fields[*c]));
    }
    let mut tx = sqlx::Connection::begin(conn).await?;
    let row = q.fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok((row.try_get::<bool, _>("inserted")?, 1))
}

/// Column name to its type (`integer`, `character varying(80)`, `jsonb` ...); empty when the
/// table does not exist.
async fn column_types(
    conn: &mut PgConnection,
    table: &str,
) -> Result<HashMap<String, String>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) \
         FROM pg_catalog.pg_attribute a \
         WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped",
    )
    .bind(table)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

enum UpsertError {
    Sql(sqlx::Error),
    Node(NodeError),
}

impl From<sqlx::Error> for UpsertError {
    fn from(e: sqlx::Error) -> Self {
        UpsertError::Sql(e)
    }
}

/// A missing unique index gets a message saying what to add.
fn upsert_error(id: &str, up: &Upsert, e: impl Into<UpsertError>) -> NodeError {
    let e = match e.into() {
        UpsertError::Node(n) => return n,
        UpsertError::Sql(e) => e,
    };
    if let sqlx::Error::Database(db) = &e {
        let no_index = db.code().as_deref() == Some("42P10")
            || db
                .message()
                .contains("does not match any PRIMARY KEY or UNIQUE");
        if no_index {
            let keys = up.keys.join(", ");
            let short = up.table_name.rsplit('.').next().unwrap_or("");
            let index = quote(&format!("{short}_{}_key", up.keys.join("_")));
            return NodeError::new(
                "sql_error",
                format!(
                    "the table needs a unique index on ({keys}) for Upsert row; add one, for example: CREATE UNIQUE INDEX {index} ON {} ({})",
                    up.table,
                    up.key_list()
                ),
            )
            .in_field("key_columns");
        }
    }
    sql_error(id, e)
}
