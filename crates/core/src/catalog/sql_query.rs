use super::*;

pub(super) fn descriptor() -> Descriptor {
    Descriptor {
        fields: vec![
            field(
                "database",
                "Database",
                FieldType::Text,
                "The id of a database from Settings → Databases, for example shop.",
            )
            .required(),
            field(
                "statement",
                "SQL statement",
                FieldType::Text,
                "The SQL to run, for example: SELECT name, email FROM leads WHERE email = $1. \
                 Write $1, $2 ... where the values of Parameters go; never paste values into the SQL itself. \
                 With PostgreSQL, add a type when a text value goes into a date, time, uuid or json column: $1::date.",
            )
            .required(),
            field(
                "parameters",
                "Parameters",
                FieldType::List {
                    fields: vec![field(
                        "value",
                        "Value",
                        template(),
                        "For example {{ event.email }}. The first parameter is $1, the second $2, and so on.",
                    )
                    .required()],
                },
                "The values used for $1, $2 ... in the statement, in order. They are sent to the database separately, so quotes or semicolons in them are stored as they are.",
            ),
            field(
                "max_rows",
                "Maximum rows",
                number(Some(1.0), Some(100_000.0), true),
                "Stop reading after this many rows (the output says truncated: true when there were more).",
            )
            .default(1000.into()),
        ],
        output_keys: Some(vec![
            "rows".into(),
            "row_count".into(),
            "rows_affected".into(),
            "truncated".into(),
        ]),
        ..step(
            NodeKind::SqlQuery,
            "SQL query",
            Category::Data,
            "Runs one SQL statement on a SQLite or PostgreSQL database and returns the rows.",
        )
    }
}
