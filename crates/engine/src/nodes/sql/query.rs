//! The SQL query node: one statement, parameters bound in order as $1, $2 ...

use futures::TryStreamExt;
use serde_json::{json, Value as Json};
use sqlx::{Either, Executor};

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
    let mut rows_affected = 0u64;
    let mut truncated = false;
    // Reads results until the statement ends or one row more than wanted arrived.
    macro_rules! read {
        ($stream:expr, $row:path) => {{
            let mut stream = $stream;
            while let Some(item) = stream.try_next().await.map_err(|e| sql_error(&id, e))? {
                match item {
                    Either::Left(done) => rows_affected += done.rows_affected(),
                    Either::Right(row) => {
                        if rows.len() == max_rows {
                            truncated = true;
                            break;
                        }
                        rows.push(Json::Object($row(&row)?));
                    }
                }
            }
        }};
    }
    match &pool {
        Pool::Sqlite(pool) => {
            let mut q = sqlx::query(statement);
            for v in &values {
                q = bind_sqlite(q, v);
            }
            read!(pool.fetch_many(q), sqlite_row);
        }
        Pool::Postgres(pool) => {
            // Not kept prepared: the same statement may get other parameter types next time.
            let mut q = sqlx::query(statement).persistent(false);
            for v in &values {
                q = bind_pg(q, v);
            }
            read!(pool.fetch_many(q), pg_row);
        }
    }
    Ok(NodeOutput::out(json!({
        "rows": rows,
        "row_count": rows.len(),
        "rows_affected": rows_affected,
        "truncated": truncated,
    })))
}
