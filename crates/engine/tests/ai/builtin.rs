//! The built-in offline provider.

use super::*;

#[tokio::test]
async fn builtin_classifies_leads_offline() {
    let e = Engine::new(EngineConfig::default());
    let r = classify(
        &e,
        "builtin",
        "Urgent: enterprise demo needed, budget 50000",
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    let out = output(&r, "ai");
    assert_eq!(out["label"], "hot", "{out}");
    assert_eq!(
        (out["provider"].clone(), out["model"].clone()),
        (json!("builtin"), json!("builtin"))
    );
    let confidence = out["confidence"].as_f64().unwrap();
    assert!(confidence > 0.8 && confidence <= 1.0, "{out}");
    let reason = out["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("matched \"urgent\", \"enterprise\""),
        "{reason}"
    );
    assert_eq!(ran(&r), ["ai", "all", "on_hot", "start"]);

    let r = classify(&e, "builtin", "just browsing, student project").await;
    let out = output(&r, "ai");
    assert_eq!(out["label"], "cold", "{out}");
    assert!(
        out["reason"]
            .as_str()
            .unwrap()
            .contains("\"just browsing\""),
        "{out}"
    );
    assert_eq!(ran(&r), ["ai", "all", "on_cold", "start"]);

    let r = classify(&e, "builtin", "Could you send pricing for our team of 8?").await;
    assert_eq!(output(&r, "ai")["label"], "warm");
    // Word forms count as the same word: "prices" matches the keyword "pricing".
    let r = classify(
        &e,
        "builtin",
        "We're a 5-person startup and would like to know your prices",
    )
    .await;
    let out = output(&r, "ai");
    assert_eq!(out["label"], "warm", "{out}");
    assert_eq!(out["reason"], "matched \"prices\"", "{out}");
}

#[tokio::test]
async fn builtin_extracts_contact_details_from_a_lead_message() {
    let message = "Hi there,\n\nI'm Jana Kurz from Nordwind Retail. We'd like to roll out your tool to 40 stores.\n\
        Our budget is around $50,000 and we want to start on March 2, 2026.\n\
        You can reach me at Jana.Kurz@Nordwind-Retail.example or call +49 30 1234 5678.\n\
        Company: Nordwind Retail GmbH\nBest, Jana";
    let params = json!({"text": "{{ event.message }}", "fields": [
        {"name": "email", "type": "email", "required": true},
        {"name": "phone", "type": "phone"},
        {"name": "budget", "type": "money"},
        {"name": "start_date", "type": "date"},
        {"name": "company", "type": "text"},
        {"name": "stores", "type": "integer"},
        {"name": "website", "type": "url"}
    ]});
    let e = Engine::new(EngineConfig::default());
    let r = run(&e, "ai_extract", params, json!({"message": message})).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(
        r.output,
        json!({
            "email": "jana.kurz@nordwind-retail.example",
            "phone": "+493012345678",
            "budget": {"amount": 50000, "currency": "USD"},
            "start_date": "2026-03-02",
            "company": "Nordwind Retail GmbH",
            "stores": 40,
            "website": null
        })
    );

    let params = json!({"text": "no contact here", "fields": [{"name": "email", "type": "email", "required": true}]});
    let err = run(&e, "ai_extract", params, json!({}))
        .await
        .error
        .unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("ai_invalid_output", Some("fields[0]"))
    );
}

#[tokio::test]
async fn builtin_generates_from_the_template_and_says_so() {
    let e = Engine::new(EngineConfig::default());
    let params = json!({"prompt": "Write a reply to {{ event.name }}", "offline_text": "Hello {{ event.name }}, thanks for writing!"});
    let r = run(&e, "ai_generate", params, json!({"name": "Ada"})).await;
    assert_eq!(
        r.output,
        json!({"text": "Hello Ada, thanks for writing!", "provider": "builtin", "model": "builtin", "generated_by": "template"})
    );
    let r = run(
        &e,
        "ai_generate",
        json!({"prompt": "Reply to {{ event.name }}"}),
        json!({"name": "Ada"}),
    )
    .await;
    assert_eq!(r.output["text"], "Reply to Ada");

    let params = json!({"prompt": "x", "format": "json", "offline_text": "{\"subject\": \"Hi {{ event.name }}\"}",
        "json_schema": {"type": "object", "required": ["subject"]}});
    let r = run(&e, "ai_generate", params, json!({"name": "Ada"})).await;
    assert_eq!(r.output["json"], json!({"subject": "Hi Ada"}), "{r:?}");

    let params = json!({"prompt": "x", "format": "json", "offline_text": "{\"title\": 1}",
        "json_schema": {"type": "object", "required": ["subject"]}});
    let err = run(&e, "ai_generate", params, json!({}))
        .await
        .error
        .unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("ai_invalid_output", Some("offline_text"))
    );
    assert!(
        err.message.contains("$.subject is required but missing"),
        "{}",
        err.message
    );
}
