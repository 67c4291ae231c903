//! JSON values to SQL parameters, and rows to JSON objects.

use base64::Engine as _;
use serde_json::{Map, Number, Value as Json};
use sqlx::postgres::{
    PgArgumentBuffer, PgArguments, PgRow, PgTypeInfo, PgTypeKind, PgValueRef, Postgres,
};
use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Column, Row, Sqlite, TypeInfo, ValueRef};

use crate::events::NodeError;

pub(super) type SqliteQuery<'q> = Query<'q, Sqlite, SqliteArguments<'q>>;
pub(super) type PgQuery<'q> = Query<'q, Postgres, PgArguments>;

/// Binds a value with its JSON type; objects and arrays as JSON text.
pub(super) fn bind_sqlite<'q>(q: SqliteQuery<'q>, v: &Json) -> SqliteQuery<'q> {
    match v {
        Json::Null => q.bind(None::<i64>),
        Json::Bool(b) => q.bind(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => q.bind(i),
            None => q.bind(n.as_f64()),
        },
        Json::String(s) => q.bind(s.clone()),
        other => q.bind(other.to_string()),
    }
}

/// Binds a value with its JSON type; objects and arrays as jsonb, null without a type (so it
/// fits any column).
pub(super) fn bind_pg<'q>(q: PgQuery<'q>, v: &Json) -> PgQuery<'q> {
    match v {
        Json::Null => q.bind(UntypedNull),
        Json::Bool(b) => q.bind(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => q.bind(i),
            None => q.bind(n.as_f64()),
        },
        Json::String(s) => q.bind(s.clone()),
        other => q.bind(sqlx::types::Json(other.clone())),
    }
}

/// The text form of a value, for `CAST($n AS type)` (Upsert row on PostgreSQL).
pub(super) fn as_text(v: &Json) -> Option<String> {
    match v {
        Json::Null => None,
        Json::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// A NULL parameter whose type PostgreSQL infers from where it is used.
struct UntypedNull;

impl sqlx::Type<Postgres> for UntypedNull {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(sqlx::postgres::types::Oid(0))
    }
}

impl sqlx::Encode<'_, Postgres> for UntypedNull {
    fn encode_by_ref(
        &self,
        _: &mut PgArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        Ok(sqlx::encode::IsNull::Yes)
    }
}

fn unreadable(column: &str, e: impl std::fmt::Display) -> NodeError {
    NodeError::new(
        "sql_error",
        format!("could not read the column \"{column}\": {e}"),
    )
}

fn float(x: f64) -> Json {
    Number::from_f64(x).map_or(Json::Null, Json::Number)
}

fn base64(bytes: &[u8]) -> Json {
    Json::String(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// A SQLite row: integers, reals, text, blobs as base64; integers in BOOLEAN columns as booleans.
pub(super) fn sqlite_row(row: &SqliteRow) -> Result<Map<String, Json>, NodeError> {
    let mut out = Map::new();
    for (i, col) in row.columns().iter().enumerate() {
        let name = col.name();
        let raw = row.try_get_raw(i).map_err(|e| unreadable(name, e))?;
        let value = if raw.is_null() {
            Json::Null
        } else {
            let storage = raw.type_info().name().to_string();
            let e = |e| unreadable(name, e);
            match storage.as_str() {
                "INTEGER" => {
                    let n: i64 = row.try_get_unchecked(i).map_err(e)?;
                    if col.type_info().name() == "BOOLEAN" {
                        Json::Bool(n != 0)
                    } else {
                        n.into()
                    }
                }
                "REAL" => float(row.try_get_unchecked(i).map_err(e)?),
                "BLOB" => base64(&row.try_get_unchecked::<Vec<u8>, _>(i).map_err(e)?),
                _ => Json::String(row.try_get_unchecked(i).map_err(e)?),
            }
        };
        out.insert(name.to_string(), value);
    }
    Ok(out)
}

/// A PostgreSQL row; see the match for the types understood.
pub(super) fn pg_row(row: &PgRow) -> Result<Map<String, Json>, NodeError> {
    let mut out = Map::new();
    for (i, col) in row.columns().iter().enumerate() {
        let name = col.name();
        let raw = row.try_get_raw(i).map_err(|e| unreadable(name, e))?;
        let value = if raw.is_null() {
            Json::Null
        } else {
            pg_value(row, i, raw).map_err(|e| unreadable(name, e))?
        };
        out.insert(name.to_string(), value);
    }
    Ok(out)
}

fn pg_value(row: &PgRow, i: usize, raw: PgValueRef<'_>) -> Result<Json, String> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, Utc};
    let e = |e: sqlx::Error| e.to_string();
    let ty = raw.type_info().into_owned();
    Ok(match ty.name() {
        "BOOL" => Json::Bool(row.try_get(i).map_err(e)?),
        "INT2" => row.try_get::<i16, _>(i).map_err(e)?.into(),
        "INT4" => row.try_get::<i32, _>(i).map_err(e)?.into(),
        "INT8" => row.try_get::<i64, _>(i).map_err(e)?.into(),
        "OID" => row.try_get::<sqlx::postgres::types::Oid, _>(i).map_err(e)?.0.into(),
        "FLOAT4" => float(row.try_get::<f32, _>(i).map_err(e)?.into()),
        "FLOAT8" => float(row.try_get(i).map_err(e)?),
        "NUMERIC" => numeric(raw.as_bytes().map_err(|e| e.to_string())?)?,
        "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" | "CHAR" | "CITEXT" | "UNKNOWN" => {
            Json::String(row.try_get(i).map_err(e)?)
        }
        "JSON" | "JSONB" => row.try_get::<sqlx::types::Json<Json>, _>(i).map_err(e)?.0,
        "TIMESTAMPTZ" => Json::String(
            row.try_get::<DateTime<Utc>, _>(i)
                .map_err(e)?
                .to_rfc3339_opts(SecondsFormat::AutoSi, true),
        ),
        "TIMESTAMP" => Json::String(
            row.try_get::<NaiveDateTime, _>(i)
                .map_err(e)?
                .format("%Y-%m-%dT%H:%M:%S%.f")
                .to_string(),
        ),
        "DATE" => Json::String(row.try_get::<NaiveDate, _>(i).map_err(e)?.to_string()),
        "TIME" => Json::String(
            row.try_get::<NaiveTime, _>(i)
                .map_err(e)?
                .format("%H:%M:%S%.f")
                .to_string(),
        ),
        "UUID" => uuid(raw.as_bytes().map_err(|e| e.to_string())?)?,
        "BYTEA" => base64(&row.try_get::<Vec<u8>, _>(i).map_err(e)?),
        "TEXT[]" | "VARCHAR[]" => {
            serde_json::to_value(row.try_get::<Vec<Option<String>>, _>(i).map_err(e)?)
                .map_err(|e| e.to_string())?
        }
        "INT4[]" => serde_json::to_value(row.try_get::<Vec<Option<i32>>, _>(i).map_err(e)?)
            .map_err(|e| e.to_string())?,
        "INT8[]" => serde_json::to_value(row.try_get::<Vec<Option<i64>>, _>(i).map_err(e)?)
            .map_err(|e| e.to_string())?,
        _ if matches!(ty.kind(), PgTypeKind::Enum(_)) => Json::String(
            std::str::from_utf8(raw.as_bytes().map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?
                .to_string(),
        ),
        other => {
            return Err(format!(
                "its type {other} cannot be read yet; convert it in the statement, for example {}::text",
                row.columns()[i].name()
            ))
        }
    })
}

/// A uuid's 16 bytes as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
fn uuid(bytes: &[u8]) -> Result<Json, String> {
    if bytes.len() != 16 {
        return Err(format!("a uuid has 16 bytes, not {}", bytes.len()));
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(Json::String(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )))
}

/// PostgreSQL's binary NUMERIC (base-10000 digits) as a JSON number when that keeps its exact
/// value (integers in i64, decimals that survive a round trip through f64), otherwise as text.
fn numeric(bytes: &[u8]) -> Result<Json, String> {
    let word = |k: usize| -> Result<i16, String> {
        bytes
            .get(2 * k..2 * k + 2)
            .map(|b| i16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "a truncated numeric value".to_string())
    };
    let ndigits = word(0)?.max(0) as usize;
    let weight = word(1)? as i64;
    let sign = word(2)? as u16;
    let dscale = word(3)?.max(0) as usize;
    let digits: Vec<i64> = (0..ndigits)
        .map(|k| word(4 + k).map(i64::from))
        .collect::<Result<_, _>>()?;
    match sign {
        0xC000 => return Ok(Json::String("NaN".into())),
        0xD000 => return Ok(Json::String("Infinity".into())),
        0xF000 => return Ok(Json::String("-Infinity".into())),
        _ => {}
    }
    let group = |i: i64| -> i64 {
        usize::try_from(i)
            .ok()
            .and_then(|i| digits.get(i))
            .copied()
            .unwrap_or(0)
    };
    let mut int = String::new();
    for i in 0..=weight {
        if int.is_empty() {
            int = group(i).to_string();
        } else {
            int.push_str(&format!("{:04}", group(i)));
        }
    }
    if int.is_empty() {
        int.push('0');
    }
    let mut frac = String::new();
    let mut i = weight + 1;
    while frac.len() < dscale {
        frac.push_str(&format!("{:04}", group(i)));
        i += 1;
    }
    frac.truncate(dscale);
    let frac = frac.trim_end_matches('0');
    let negative = sign == 0x4000 && (int != "0" || !frac.is_empty());
    let text = format!(
        "{}{int}{}{frac}",
        if negative { "-" } else { "" },
        if frac.is_empty() { "" } else { "." }
    );
    if frac.is_empty() {
        if let Ok(n) = text.parse::<i64>() {
            return Ok(n.into());
        }
    } else if let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64) {
        if n.to_string() == text {
            return Ok(Json::Number(n));
        }
    }
    Ok(Json::String(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(ndigits: i16, weight: i16, sign: u16, dscale: i16, digits: &[i16]) -> Vec<u8> {
        let mut b = Vec::new();
        for w in [ndigits, weight, sign as i16, dscale]
            .into_iter()
            .chain(digits.iter().copied())
        {
            b.extend_from_slice(&w.to_be_bytes());
        }
        b
    }

    #[test]
    fn numerics_become_exact_numbers_or_text() {
        // 19.99 = 19 | 9900 (weight 0), scale 2
        assert_eq!(numeric(&encode(2, 0, 0, 2, &[19, 9900])).unwrap(), 19.99);
        // -12345678.5 = 1234 5678 | 5000
        assert_eq!(
            numeric(&encode(3, 1, 0x4000, 1, &[1234, 5678, 5000])).unwrap(),
            -12345678.5
        );
        // 0.0001 = weight -1, digit 1; scale 4
        assert_eq!(numeric(&encode(1, -1, 0, 4, &[1])).unwrap(), 0.0001);
        // 0.00001 (weight -2), 10.50 (scale 2, trailing zero dropped), 0 with scale 2
        assert_eq!(numeric(&encode(1, -2, 0, 5, &[1000])).unwrap(), 0.00001);
        assert_eq!(numeric(&encode(2, 0, 0, 2, &[10, 5000])).unwrap(), 10.5);
        assert_eq!(numeric(&encode(0, 0, 0, 2, &[])).unwrap(), 0);
        // 10000 = 1 at weight 1, no second group stored
        assert_eq!(numeric(&encode(1, 1, 0, 0, &[1])).unwrap(), 10000);
        // 123456789012345678901234567890 does not fit: text
        assert_eq!(
            numeric(&encode(
                8,
                7,
                0,
                0,
                &[12, 3456, 7890, 1234, 5678, 9012, 3456, 7890]
            ))
            .unwrap(),
            "123456789012345678901234567890"
        );
        assert_eq!(numeric(&encode(0, 0, 0xC000, 0, &[])).unwrap(), "NaN");
    }

    #[test]
    fn uuids_are_hyphenated_hex() {
        let bytes: Vec<u8> = (0u8..16).collect();
        assert_eq!(
            uuid(&bytes).unwrap(),
            "00010203-0405-0607-0809-0a0b0c0d0e0f"
        );
    }
}
