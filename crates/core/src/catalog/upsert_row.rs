use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        fields: vec![
            field(
                "database",
                "Database",
                FieldType::Text,
                "The id of a database from Settings → Databases, for example crm.",
            )
            .required(),
            field(
                "table",
                "Table",
                FieldType::Text,
                "The table to write to, for example leads (or sales.leads with a schema).",
            )
            .required(),
            field(
                "key_columns",
                "Match on columns",
                FieldType::Text,
                "The columns that identify a row, separated by commas, for example email. \
                 When a row with the same values exists it is updated, otherwise a new row is added. \
                 The table needs a unique index on these columns.",
            )
            .required(),
            field(
                "fields",
                "Columns",
                FieldType::KeyValue,
                "Each column to fill and its value, for example email → {{ event.email }}. \
                 The columns to match on must be among them.",
            )
            .required(),
        ],
        output_keys: Some(vec![
            "table".into(),
            "action".into(),
            "rows_affected".into(),
            "key".into(),
        ]),
        ..step(
            NodeKind::UpsertRow,
            "Upsert row",
            Category::Data,
            "Adds a row to a database table, or updates the row that has the same key.",
        )
    }
}
