//! `schema --json`: the six tables of the sample with columns, keys and row counts.

use serde_json::Value;

use crate::util::{sample_db, sightline};

const TABLES: [(&str, &[&str]); 6] = [
    (
        "customers",
        &[
            "id",
            "name",
            "region",
            "plan",
            "signup_date",
            "age",
            "churned",
            "monthly_spend",
            "support_tickets",
            "satisfaction",
        ],
    ),
    (
        "products",
        &["id", "name", "category", "price", "quality_score"],
    ),
    (
        "orders",
        &["id", "customer_id", "order_date", "status", "amount"],
    ),
    (
        "order_items",
        &["id", "order_id", "product_id", "quantity", "unit_price"],
    ),
    (
        "transactions",
        &[
            "id",
            "customer_id",
            "transaction_date",
            "amount",
            "payment_method",
        ],
    ),
    ("marketing_spend", &["id", "date", "channel", "spend"]),
];

#[test]
fn schema_lists_the_six_tables_with_row_counts() {
    let run = sightline(&["schema", "--db", &sample_db(), "--json"]);
    run.expect_code(0);
    let schema = run.json();
    assert!(
        schema["database"].is_string(),
        "the schema names its database: {schema}"
    );
    let tables = schema["tables"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = tables.iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(
        names.len(),
        TABLES.len(),
        "exactly the six sample tables: {names:?}"
    );
    for (name, columns) in TABLES {
        let table = tables
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("table {name} is listed"));
        assert!(
            table["row_count"].as_u64().is_some_and(|n| n > 0),
            "{name} has a row count: {table}"
        );
        assert!(
            table["kind"].is_string(),
            "{name} says whether it is a table or a view"
        );
        let listed: Vec<&str> = table["columns"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["name"].as_str())
            .collect();
        assert_eq!(listed, columns, "{name}'s columns, in order");
        for column in table["columns"].as_array().into_iter().flatten() {
            for field in ["decl_type", "primary_key", "not_null", "sample_values"] {
                assert!(
                    column.get(field).is_some(),
                    "{name}.{}: lacks {field}",
                    column["name"]
                );
            }
        }
        assert!(
            table["foreign_keys"].is_array(),
            "{name} lists its foreign keys"
        );
    }
    let orders = tables
        .iter()
        .find(|t| t["name"] == "orders")
        .cloned()
        .unwrap_or(Value::Null);
    let keys = orders["foreign_keys"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        keys.iter()
            .any(|k| k["column"] == "customer_id" && k["references_table"] == "customers"),
        "orders.customer_id references customers: {keys:?}"
    );
}
