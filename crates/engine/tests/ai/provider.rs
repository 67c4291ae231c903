//! Classify, extract and generate through an OpenAI-compatible provider.

use super::*;

#[tokio::test]
async fn classify_asks_the_provider_and_routes_to_the_label_port() {
    let (base, mock) = provider(vec![Reply::Chat(
        r#"{"label": "Warm", "confidence": 0.82, "reason": "asks about pricing for a team"}"#,
    )])
    .await;
    let r = classify(
        &engine(&base, KEY, 5_000),
        "local",
        "How much for 12 people?",
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(
        output(&r, "ai"),
        json!({
            "label": "warm", "confidence": 0.82, "reason": "asks about pricing for a team",
            "provider": "local", "model": "test-model",
            "usage": {"prompt_tokens": 40, "completion_tokens": 9, "total_tokens": 49}
        })
    );
    assert_eq!(
        r.nodes.iter().find(|n| n.id == "ai").unwrap().ports,
        ["out", "warm"]
    );
    assert_eq!(ran(&r), ["ai", "all", "on_warm", "start"]);

    let seen = mock.seen();
    assert_eq!(seen.len(), 1);
    let req = &seen[0];
    assert_eq!(req["auth"], format!("Bearer {KEY}"));
    assert_eq!(req["model"], "test-model");
    assert_eq!(req["response_format"], json!({"type": "json_object"}));
    assert_eq!(req["temperature"], 0.0);
    assert_eq!(req["messages"][0]["role"], "system");
    let system = req["messages"][0]["content"].as_str().unwrap();
    for part in [
        "- hot: Ready to buy soon",
        "Just browsing",
        "hot, warm, cold",
        "JSON",
    ] {
        assert!(system.contains(part), "{part} missing from: {system}");
    }
    assert_eq!(
        req["messages"][1],
        json!({"role": "user", "content": "How much for 12 people?"})
    );
}

#[tokio::test]
async fn extract_checks_and_tidies_each_field_and_uses_the_model_override() {
    let (base, mock) = provider(vec![Reply::Chat(
        "```json\n{\"email\": \" Ada@Example.COM\", \"budget\": \"$50,000\", \"start\": \"12 March 2026\", \"seats\": \"200\", \"notes\": null, \"extra\": 1}\n```",
    )])
    .await;
    let params = json!({
        "provider": "local", "model": "bigger-model", "text": "{{ event.body }}",
        "fields": [
            {"name": "email", "type": "email", "required": true},
            {"name": "budget", "type": "money", "description": "the budget they mention"},
            {"name": "start", "type": "date"},
            {"name": "seats", "type": "integer"},
            {"name": "notes"}
        ]
    });
    let r = run(
        &engine(&base, KEY, 5_000),
        "ai_extract",
        params,
        json!({"body": "Hi, Ada here"}),
    )
    .await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(
        r.output,
        json!({
            "email": "ada@example.com",
            "budget": {"amount": 50000, "currency": "USD"},
            "start": "2026-03-12", "seats": 200, "notes": null
        })
    );
    let req = &mock.seen()[0];
    assert_eq!(req["model"], "bigger-model");
    let system = req["messages"][0]["content"].as_str().unwrap();
    assert!(
        system.contains("\"budget\": an object {\"amount\": number")
            && system.contains("(the budget they mention)"),
        "{system}"
    );
    assert!(r
        .logs
        .iter()
        .any(|l| l.message.contains("extracted by local (bigger-model)")));
}

#[tokio::test]
async fn generate_text_and_json_checked_against_a_schema() {
    let (base, mock) = provider(vec![Reply::Chat("Dear Ada, thanks for your message.")]).await;
    let e = engine(&base, KEY, 5_000);
    let params = json!({
        "provider": "local", "system": "You write short replies.",
        "prompt": "Reply to {{ event.name }}", "max_tokens": 200, "temperature": 0.7
    });
    let r = run(&e, "ai_generate", params, json!({"name": "Ada"})).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(
        r.output,
        json!({
            "text": "Dear Ada, thanks for your message.", "provider": "local", "model": "test-model",
            "generated_by": "model", "usage": {"prompt_tokens": 40, "completion_tokens": 9, "total_tokens": 49}
        })
    );
    let req = &mock.seen()[0];
    assert_eq!(
        (req["max_tokens"].clone(), req["temperature"].clone()),
        (json!(200), json!(0.7))
    );
    assert!(req.get("response_format").is_none());
    assert_eq!(
        req["messages"],
        json!([{"role": "system", "content": "You write short replies."}, {"role": "user", "content": "Reply to Ada"}])
    );

    let (base, mock) = provider(vec![
        Reply::Chat(r#"{"subject": "Hello", "priority": "urgent"}"#),
        Reply::Chat(r#"{"subject": "Hello", "priority": "high"}"#),
    ])
    .await;
    let params = json!({
        "provider": "local", "prompt": "Write an email", "format": "json",
        "json_schema": {"type": "object", "required": ["subject", "priority"],
                        "properties": {"subject": {"type": "string"}, "priority": {"enum": ["low", "high"]}}}
    });
    let r = run(&engine(&base, KEY, 5_000), "ai_generate", params, json!({})).await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(
        r.output["json"],
        json!({"subject": "Hello", "priority": "high"})
    );
    assert_eq!(
        r.output["usage"]["total_tokens"], 98,
        "both attempts are counted"
    );
    let seen = mock.seen();
    assert_eq!(seen[0]["response_format"], json!({"type": "json_object"}));
    assert!(seen[0]["messages"][0]["content"]
        .as_str()
        .unwrap()
        .contains("\"required\":[\"subject\",\"priority\"]"));
    let feedback = seen[1]["messages"][3]["content"].as_str().unwrap();
    assert!(
        feedback.contains("$.priority must be one of \"low\", \"high\", not \"urgent\""),
        "{feedback}"
    );
}

#[tokio::test]
async fn server_errors_and_rate_limits_are_retried() {
    let (base, mock) = provider(vec![
        Reply::Status(500, &[], "overloaded"),
        Reply::Chat(r#"{"label": "cold", "confidence": 0.9, "reason": "browsing"}"#),
    ])
    .await;
    let r = classify(&engine(&base, KEY, 5_000), "local", "just looking").await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(output(&r, "ai")["label"], "cold");
    assert_eq!(mock.seen().len(), 2);

    let (base, mock) = provider(vec![
        Reply::Status(
            429,
            &[("retry-after-ms", "120"), ("retry-after", "30")],
            "slow down",
        ),
        Reply::Chat(r#"{"label": "hot", "confidence": 0.9, "reason": "urgent"}"#),
    ])
    .await;
    let started = Instant::now();
    let r = classify(&engine(&base, KEY, 5_000), "local", "urgent").await;
    assert_eq!(r.status, RunStatus::Succeeded, "{r:?}");
    assert_eq!(mock.seen().len(), 2);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(120) && waited < Duration::from_secs(10),
        "retry-after-ms wins over retry-after: {waited:?}"
    );
}

#[tokio::test]
async fn lasting_rate_limits_and_server_errors_fail_after_max_attempts() {
    let (base, mock) = provider(vec![Reply::Status(
        429,
        &[("retry-after-ms", "5")],
        r#"{"error": {"message": "Rate limit reached"}}"#,
    )])
    .await;
    let r = classify(&engine(&base, KEY, 5_000), "local", "hello").await;
    let err = r.error.clone().unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("ai_rate_limited", Some("provider"))
    );
    assert!(
        err.message.contains("after 3 attempts") && err.message.contains("Rate limit reached"),
        "{}",
        err.message
    );
    assert_eq!(mock.seen().len(), 3);

    let (base, mock) = provider(vec![Reply::Status(503, &[], "maintenance")]).await;
    let r = run(
        &engine(&base, KEY, 5_000),
        "ai_generate",
        json!({"provider": "local", "prompt": "x"}),
        json!({}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(err.code, "ai_provider_error");
    assert!(
        err.message.contains("503") && err.message.contains("maintenance"),
        "{}",
        err.message
    );
    assert_eq!(mock.seen().len(), 3);
}

#[tokio::test]
async fn a_provider_that_never_answers_times_out() {
    let (base, mock) = provider(vec![Reply::Hang]).await;
    let started = Instant::now();
    let r = classify(&engine(&base, KEY, 200), "local", "hello").await;
    let err = r.error.unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("timeout", Some("provider"))
    );
    assert!(err.message.contains("within 200 ms"), "{}", err.message);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(mock.seen().len(), 1);
}

#[tokio::test]
async fn unusable_answers_are_retried_with_the_problems_then_fail() {
    let (base, mock) = provider(vec![
        Reply::Chat("I think this is a hot lead!"),
        Reply::Chat(r#"{"label": "lukewarm", "confidence": 0.5, "reason": "?"}"#),
    ])
    .await;
    let r = classify(&engine(&base, KEY, 5_000), "local", "hello").await;
    assert_eq!(r.status, RunStatus::Failed);
    let err = r.error.unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("ai_invalid_output", Some("labels"))
    );
    assert!(
        err.message.contains("after 2 attempts")
            && err
                .message
                .contains("\"lukewarm\" is not one of: hot, warm, cold"),
        "{}",
        err.message
    );
    let seen = mock.seen();
    assert_eq!(seen.len(), 2);
    let retry = &seen[1]["messages"];
    assert_eq!(
        retry[2],
        json!({"role": "assistant", "content": "I think this is a hot lead!"})
    );
    assert!(
        retry[3]["content"]
            .as_str()
            .unwrap()
            .contains("not valid JSON"),
        "{retry}"
    );

    // Extract: a wrong value names the field, and a good second answer is used.
    let (base, mock) = provider(vec![
        Reply::Chat(r#"{"email": "ada at example", "seats": 12.5}"#),
        Reply::Chat(r#"{"email": "ada@example.com", "seats": 12}"#),
    ])
    .await;
    let params = json!({"provider": "local", "text": "x", "fields": [
        {"name": "email", "type": "email", "required": true}, {"name": "seats", "type": "integer"}]});
    let e = engine(&base, KEY, 5_000);
    let r = run(&e, "ai_extract", params.clone(), json!({})).await;
    assert_eq!(
        r.output,
        json!({"email": "ada@example.com", "seats": 12}),
        "{r:?}"
    );
    let feedback = mock.seen()[1]["messages"][3]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        feedback.contains("the field \"email\": \"ada at example\" is not an email address")
            && feedback.contains("the field \"seats\": 12.5 is not a whole number"),
        "{feedback}"
    );

    let (base, _) = provider(vec![Reply::Chat(r#"{"seats": 3}"#)]).await;
    let r = run(&engine(&base, KEY, 5_000), "ai_extract", params, json!({})).await;
    let err = r.error.unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("ai_invalid_output", Some("fields[0]"))
    );
    assert!(
        err.message
            .contains("the field \"email\" is required but missing"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn a_refused_key_is_ai_auth_and_never_shown() {
    let wrong = "sk-wrong-key-0987654321";
    let (base, mock) = provider(vec![Reply::Chat("unused")]).await;
    let r = classify(&engine(&base, wrong, 5_000), "local", "hello").await;
    assert_eq!(
        mock.seen()[0]["auth"],
        format!("Bearer {wrong}"),
        "the server saw the key"
    );
    let err = r.error.clone().unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("ai_auth", Some("provider"))
    );
    assert!(
        err.message.contains("refused the API key in secret AI_KEY"),
        "{}",
        err.message
    );
    assert!(
        err.message
            .contains("Incorrect API key provided: [secret AI_KEY]"),
        "{}",
        err.message
    );
    let everything = serde_json::to_string(&r).unwrap();
    assert!(!everything.contains(wrong), "{everything}");
}

#[tokio::test]
async fn unknown_providers_name_the_known_ones() {
    let e = engine("http://127.0.0.1:9/v1", KEY, 5_000);
    let r = run(
        &e,
        "ai_generate",
        json!({"provider": "openai", "prompt": "x"}),
        json!({}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("invalid_value", Some("provider"))
    );
    assert!(
        err.message.contains("\"openai\"") && err.message.contains("builtin, local"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn a_missing_secret_or_a_missing_key_is_explained() {
    let (base, mock) = provider(vec![Reply::Chat("unused")]).await;
    let e = engine(&base, KEY, 5_000);
    e.secrets().replace([]);
    let r = run(
        &e,
        "ai_generate",
        json!({"provider": "local", "prompt": "x"}),
        json!({}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("missing_secret", Some("provider"))
    );
    assert!(err.message.contains("\"AI_KEY\""), "{}", err.message);
    assert!(mock.seen().is_empty(), "nothing is sent without the key");

    // A provider configured without a key (a local server) sends no Authorization header.
    let mut ws = (*e.workspace()).clone();
    ws.ai_providers[0].api_key_secret = None;
    e.set_workspace(Arc::new(ws));
    let r = run(
        &e,
        "ai_generate",
        json!({"provider": "local", "prompt": "x"}),
        json!({}),
    )
    .await;
    let err = r.error.unwrap();
    assert_eq!(err.code, "ai_auth");
    assert!(
        err.message.contains("it needs an API key"),
        "{}",
        err.message
    );
    assert_eq!(mock.seen()[0]["auth"], "");
}

#[tokio::test]
async fn answers_that_are_never_json_fail_as_invalid_output() {
    let (base, mock) = provider(vec![
        Reply::Chat("The email is ada@example.com"),
        Reply::Chat("Sorry, again: ada@example.com"),
    ])
    .await;
    let params = json!({"provider": "local", "text": "x", "attempts": 2,
        "fields": [{"name": "email", "type": "email"}]});
    let r = run(&engine(&base, KEY, 5_000), "ai_extract", params, json!({})).await;
    let err = r.error.unwrap();
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("ai_invalid_output", Some("fields"))
    );
    assert!(
        err.message.contains("after 2 attempts")
            && err
                .message
                .contains("not valid JSON (it began: Sorry, again"),
        "{}",
        err.message
    );
    let seen = mock.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[1]["messages"][2]["content"],
        "The email is ada@example.com"
    );
    assert!(seen[1]["messages"][3]["content"]
        .as_str()
        .unwrap()
        .starts_with("Your answer could not be used: the answer is not valid JSON"));
}
