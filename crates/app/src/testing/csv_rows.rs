//! CSV to events, for batch tests: a header row, then one event per row. Each column becomes a
//! top-level field named by its header, unless a [`ColumnMap`] puts it at a dotted path (or
//! leaves it out). Cells are typed: whole numbers without leading zeros and decimals become
//! numbers, `true`/`false` booleans, empty cells are left out, everything else is text. A
//! malformed row (wrong number of cells, not UTF-8) is an error of that row only.

use serde_json::{Map, Value as Json};

use super::types::ColumnMap;
use crate::AppError;

/// One event per data row, or why that row cannot be read.
pub type Rows = Vec<Result<Json, String>>;

/// Reads `bytes` as CSV (a comma-separated header row first; a UTF-8 byte order mark is
/// ignored). Fails only when there is no header or `map` names a column the header lacks.
pub fn rows_from_csv(bytes: &[u8], map: &[ColumnMap]) -> Result<Rows, AppError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(bytes);
    let header: Vec<String> = match reader.byte_headers() {
        Ok(h) if h.iter().any(|c| !c.is_empty()) => h
            .iter()
            .map(|c| String::from_utf8_lossy(c).trim().to_string())
            .collect(),
        Ok(_) => {
            return Err(AppError::new(
                "invalid_request",
                "the CSV has no header row",
            ))
        }
        Err(e) => {
            return Err(AppError::new(
                "invalid_request",
                format!("the CSV's header row cannot be read: {e}"),
            ))
        }
    };
    for m in map {
        if !header.contains(&m.column) {
            return Err(AppError::new(
                "invalid_request",
                format!(
                    "the CSV has no column \"{}\"; its columns are: {}",
                    m.column,
                    header.join(", ")
                ),
            ));
        }
    }
    // Where each column goes: a path in the event, or nowhere.
    let targets: Vec<Option<Vec<String>>> = header
        .iter()
        .map(|h| {
            let path = map
                .iter()
                .find(|m| &m.column == h)
                .map(|m| m.path.trim().to_string())
                .unwrap_or_else(|| h.clone());
            let path = path.strip_prefix("event.").unwrap_or(&path).to_string();
            if path.is_empty() {
                None
            } else if map.iter().any(|m| &m.column == h) {
                Some(path.split('.').map(str::to_string).collect())
            } else {
                // A header is a field name as it is, dots included.
                Some(vec![path])
            }
        })
        .collect();
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => rows.push(row(&record, &header, &targets)),
            Err(e) => {
                let at = e
                    .position()
                    .map(|p| format!(" (line {})", p.line()))
                    .unwrap_or_default();
                rows.push(Err(format!("the row cannot be read{at}: {e}")));
                if !matches!(
                    e.kind(),
                    csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::UnequalLengths { .. }
                ) {
                    // The reader cannot go on after an I/O or other error.
                    break;
                }
            }
        }
    }
    Ok(rows)
}

fn row(
    record: &csv::ByteRecord,
    header: &[String],
    targets: &[Option<Vec<String>>],
) -> Result<Json, String> {
    let line = record
        .position()
        .map(|p| format!("line {}: ", p.line()))
        .unwrap_or_default();
    if record.len() != header.len() && !(record.len() == 1 && record[0].is_empty()) {
        return Err(format!(
            "{line}the row has {} cells, the header has {}",
            record.len(),
            header.len()
        ));
    }
    let mut event = Map::new();
    for (i, cell) in record.iter().enumerate() {
        let Some(path) = &targets[i] else { continue };
        let text = std::str::from_utf8(cell)
            .map_err(|_| format!("{line}the cell of \"{}\" is not UTF-8 text", header[i]))?;
        let Some(value) = cell_value(text) else {
            continue;
        };
        set_path(&mut event, path, value).map_err(|at| {
            format!(
                "{line}\"{}\" goes to event.{}, but event.{at} is already a value",
                header[i],
                path.join(".")
            )
        })?;
    }
    Ok(Json::Object(event))
}

/// A cell as a JSON value; `None` for an empty cell.
pub fn cell_value(text: &str) -> Option<Json> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if t.eq_ignore_ascii_case("true") {
        return Some(Json::Bool(true));
    }
    if t.eq_ignore_ascii_case("false") {
        return Some(Json::Bool(false));
    }
    let digits = t.strip_prefix('-').unwrap_or(t);
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    // Leading zeros (zip codes, phone numbers) and very long numbers stay text.
    let numeric = plain(whole)
        && (whole == "0" || !whole.starts_with('0'))
        && whole.len() <= 15
        && fraction.is_none_or(plain);
    if numeric {
        if fraction.is_none() {
            if let Ok(i) = t.parse::<i64>() {
                return Some(Json::from(i));
            }
        } else if let Some(n) = t.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
            return Some(Json::Number(n));
        }
    }
    Some(Json::String(text.to_string()))
}

/// Puts `value` at `path` in `event`, making objects on the way; the error is the prefix that
/// already holds a value that is not an object.
fn set_path(event: &mut Map<String, Json>, path: &[String], value: Json) -> Result<(), String> {
    let (last, parents) = path.split_last().expect("paths are not empty");
    let mut cur = event;
    for (i, p) in parents.iter().enumerate() {
        let slot = cur
            .entry(p.clone())
            .or_insert_with(|| Json::Object(Map::new()));
        cur = match slot {
            Json::Object(m) => m,
            _ => return Err(path[..=i].join(".")),
        };
    }
    cur.insert(last.clone(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn cells_are_typed_sensibly() {
        assert_eq!(cell_value("42"), Some(json!(42)));
        assert_eq!(cell_value("-3.5"), Some(json!(-3.5)));
        assert_eq!(cell_value("0"), Some(json!(0)));
        assert_eq!(cell_value("0.25"), Some(json!(0.25)));
        assert_eq!(cell_value("TRUE"), Some(json!(true)));
        assert_eq!(cell_value(" false "), Some(json!(false)));
        assert_eq!(cell_value(""), None);
        assert_eq!(cell_value("   "), None);
        for text in [
            "007",
            "0123 456",
            "1e5",
            "12.",
            "1,000",
            "+44 20",
            "1234567890123456",
            "NaN",
        ] {
            assert_eq!(cell_value(text), Some(json!(text)), "{text} stays text");
        }
    }

    #[test]
    fn columns_become_fields_or_go_where_the_map_says() {
        let csv = "\u{feff}name,email,budget,notes,vip\nAda,ada@x.io,50000,\"urgent, call\",true\nBob,bob@y.io,,,\n";
        let map = vec![
            ColumnMap {
                column: "email".into(),
                path: "event.contact.email".into(),
            },
            ColumnMap {
                column: "notes".into(),
                path: "".into(),
            },
        ];
        let rows = rows_from_csv(csv.as_bytes(), &map).unwrap();
        assert_eq!(
            rows,
            vec![
                Ok(
                    json!({"name": "Ada", "contact": {"email": "ada@x.io"}, "budget": 50000, "vip": true})
                ),
                Ok(json!({"name": "Bob", "contact": {"email": "bob@y.io"}})),
            ]
        );
    }

    #[test]
    fn a_malformed_row_is_that_rows_error_and_the_others_are_read() {
        let csv = b"name,budget\nAda,1\nBob,2,extra\nCy,\xff\xfe\nDee,4\n";
        let rows = rows_from_csv(csv, &[]).unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0], Ok(json!({"name": "Ada", "budget": 1})));
        let bad = rows[1].as_ref().unwrap_err();
        assert!(
            bad.contains("line 3") && bad.contains("3 cells, the header has 2"),
            "{bad}"
        );
        let bad = rows[2].as_ref().unwrap_err();
        assert!(bad.contains("not UTF-8"), "{bad}");
        assert_eq!(rows[3], Ok(json!({"name": "Dee", "budget": 4})));
    }

    #[test]
    fn a_missing_header_or_an_unknown_mapped_column_is_refused() {
        assert_eq!(rows_from_csv(b"", &[]).unwrap_err().code, "invalid_request");
        let map = vec![ColumnMap {
            column: "mail".into(),
            path: "email".into(),
        }];
        let e = rows_from_csv(b"name,email\nA,a@b\n", &map).unwrap_err();
        assert!(
            e.message.contains("no column \"mail\"") && e.message.contains("name, email"),
            "{}",
            e.message
        );
        let map = vec![
            ColumnMap {
                column: "a".into(),
                path: "x".into(),
            },
            ColumnMap {
                column: "b".into(),
                path: "x.y".into(),
            },
        ];
        let rows = rows_from_csv(b"a,b\n1,2\n", &map).unwrap();
        assert!(
            rows[0]
                .as_ref()
                .unwrap_err()
                .contains("event.x is already a value"),
            "{rows:?}"
        );
    }
}
