//! The SQL query node: one statement, parameters bound in order as $1, $2 ...
//!
//! `rows_affected` is what the database reports: rows inserted, updated or deleted (on SQLite
//! only those; PostgreSQL counts a SELECT's rows too when they are read to the end).

use futures::TryStreamExt;
use serde_json::{json, Value as Json};
use sqlx::{Either, Executor, Statement};

use super::pools::Pool;
use super::values::{bind_pg, bind_sqlite, pg_row, sqlite_row};
use super::{database, sql_error};
use crate::events::NodeError;
use crate::nodes::{expr_error, NodeCx, NodeOutput};

pub(crate) async fn run(cx: &NodeCx) -> Result<NodeOutput, NodeError> {
    let params = &cx.node().params;
    let statement = params.str("statement").unwrap_or("").trim();
    if statement.is_empty() {
        return Err(
            NodeError::new("invalid_value", "the SQL statement is empty").in_field("statement"),
        );
    }
    let mut values = Vec::new();
    for (i, item) in params.list("parameters").iter().enumerate() {
        let field = format!("parameters[{i}].value");
        let v = item
            .eval("value", &cx.plan.expressions, &cx.scope)
            .map_err(|e| expr_error(&field, e))?;
        values.push(v.unwrap_or(Json::Null));
    }
    let max_rows = params
        .literal("max_rows")
        .and_then(Json::as_u64)
        .unwrap_or(1000) as usize;

    let (id, pool) = database(cx).await?;
    let mut rows: Vec<Json> = Vec::new();
    let mut truncated = false;
    // Reads results until the statement ends or one row more than wanted arrived; the value is
    // the number of changed rows the database reported.
    macro_rules! read {
        ($stream:expr, $row:path) => {{
            let mut stream = $stream;
            let mut reported = 0u64;
            while let Some(item) = stream.try_next().await.map_err(|e| sql_error(&id, e))? {
                match item {
                    Either::Left(done) => reported += done.rows_affected(),
                    Either::Right(row) => {
                        if rows.len() == max_rows {
                            truncated = true;
                            break;
                        }
                        rows.push(Json::Object($row(&row)?));
                    }
                }
            }
            reported
        }};
    }
    let rows_affected = match &pool {
        Pool::Sqlite(pool) => {
            // Test mode: the run's transaction on this database; else a connection of its own.
            let (mut lease, mut own);
            let conn: &mut sqlx::SqliteConnection = match &cx.test_sql {
                Some(t) => {
                    let whole = Pool::Sqlite(pool.clone());
                    lease = t.lease(&id, &whole).await.map_err(|e| sql_error(&id, e))?;
                    lease.sqlite()
                }
                None => {
                    own = pool.acquire().await.map_err(|e| sql_error(&id, e))?;
                    &mut own
                }
            };
            // SQLite would take a missing parameter as NULL; PostgreSQL refuses it by itself.
            let prepared = (&mut *conn).prepare(statement).await;
            if let Some(Either::Right(used)) = prepared.as_ref().ok().and_then(|p| p.parameters()) {
                if used > values.len() {
                    return Err(NodeError::new(
                        "invalid_value",
                        format!(
                            "the statement uses {used} parameters ($1 to ${used}) but {} are given: add the missing ones under Parameters",
                            values.len()
                        ),
                    )
                    .in_field("parameters"));
                }
            }
            // SQLite reports the changes of the connection's last INSERT, UPDATE or DELETE even
            // for a SELECT; the difference of its running total is this statement's own.
            macro_rules! statement {
                ($conn:expr) => {{
                    let before = total_changes($conn).await.map_err(|e| sql_error(&id, e))?;
                    let mut q = sqlx::query(statement);
                    for v in &values {
                        q = bind_sqlite(q, v);
                    }
                    let _ = read!((&mut *$conn).fetch_many(q), sqlite_row);
                    let after = total_changes($conn).await.map_err(|e| sql_error(&id, e))?;
                    after.saturating_sub(before)
                }};
            }
            if cx.test_sql.is_some() {
                // A savepoint: a failed statement undoes only itself.
                let mut sp = sqlx::Connection::begin(&mut *conn)
                    .await
                    .map_err(|e| sql_error(&id, e))?;
                let n = statement!(&mut *sp);
                sp.commit().await.map_err(|e| sql_error(&id, e))?;
                n
            } else {
                statement!(&mut *conn)
            }
        }
        Pool::Postgres(pool) => {
            // Not kept prepared: the same statement may get other parameter types next time.
            let mut q = sqlx::query(statement).persistent(false);
            for v in &values {
                q = bind_pg(q, v);
            }
            if let Some(t) = &cx.test_sql {
                let whole = Pool::Postgres(pool.clone());
                let mut lease = t.lease(&id, &whole).await.map_err(|e| sql_error(&id, e))?;
                let mut sp = sqlx::Connection::begin(lease.postgres())
                    .await
                    .map_err(|e| sql_error(&id, e))?;
                let n = read!((&mut *sp).fetch_many(q), pg_row);
                sp.commit().await.map_err(|e| sql_error(&id, e))?;
                n
            } else {
                read!(pool.fetch_many(q), pg_row)
            }
        }
    };
    let mut out = json!({
        "rows": rows,
        "row_count": rows.len(),
        "rows_affected": rows_affected,
        "truncated": truncated,
    });
    if cx.test_sql.is_some() {
        // Test mode: the statement ran in the run's transaction, rolled back when it ends.
        out["simulated"] = json!(true);
    }
    Ok(NodeOutput::out(out))
}

async fn total_changes(conn: &mut sqlx::SqliteConnection) -> Result<u64, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT total_changes()")
        .fetch_one(conn)
        .await?;
    Ok(n.max(0) as u64)
}
