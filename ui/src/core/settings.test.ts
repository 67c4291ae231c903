import { describe, expect, it } from "vitest";

import type { Workspace } from "../generated/api";
import {
  checkDatabase,
  checkEmail,
  checkProvider,
  databaseDraft,
  emailDraft,
  errorText,
  hostProblem,
  idProblem,
  keySourceText,
  missingChoiceHint,
  networkOf,
  otherIds,
  pickerChoices,
  pickerFor,
  providerDraft,
  putConnection,
  removeConnection,
  secretNameProblem,
  urlHasPassword,
  withNetwork,
} from "./settings";

const ws: Workspace = {
  schema_version: 1,
  ai_providers: [
    {
      id: "openai",
      name: "OpenAI",
      base_url: "https://api.openai.com/v1",
      model: "gpt-4o-mini",
      api_key_secret: "OPENAI_API_KEY",
      timeout_ms: 60_000,
      max_attempts: 3,
    },
  ],
  email_servers: [
    { id: "office", host: "smtp.example.com", port: 587, from: "a@example.com", security: "tls" },
  ],
  databases: [{ id: "shop", url: "sqlite:data/shop.db", max_connections: 4 }],
  network: { allow_private_networks: false },
};

describe("connection forms", () => {
  it("round-trips an AI provider through its draft", () => {
    const p = ws.ai_providers![0]!;
    const draft = providerDraft(p);
    expect(draft.timeout_s).toBe("60");
    expect(checkProvider(draft, [])).toEqual({ ok: true, value: p });
  });

  it("leaves empty optional fields out and converts seconds", () => {
    const draft = {
      ...providerDraft(),
      id: " ollama ",
      base_url: "http://127.0.0.1:11434/v1",
      model: "llama3.2",
      timeout_s: "2.5",
    };
    const checked = checkProvider(draft, []);
    expect(checked).toEqual({
      ok: true,
      value: {
        id: "ollama",
        base_url: "http://127.0.0.1:11434/v1",
        model: "llama3.2",
        timeout_ms: 2500,
        max_attempts: 3,
      },
    });
    expect(checked.ok && "api_key_secret" in checked.value).toBe(false);
  });

  it("says what is wrong with each field of a provider", () => {
    const checked = checkProvider(
      {
        ...providerDraft(),
        id: "builtin",
        base_url: "api.openai.com",
        timeout_s: "0",
        max_attempts: "x",
      },
      [],
    );
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(Object.keys(checked.errors).sort()).toEqual([
      "base_url",
      "id",
      "max_attempts",
      "model",
      "timeout_s",
    ]);
    expect(checked.errors.id).toMatch(/built-in/);
  });

  it("refuses an id another connection of the same kind has", () => {
    const checked = checkEmail({ ...emailDraft(ws.email_servers![0]), id: "office" }, ["office"]);
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.errors.id).toMatch(/already called "office"/);
    expect(idProblem("my server", [])).toMatch(/without spaces/);
    expect(idProblem("ok", ["other"])).toBeNull();
  });

  it("checks an email server and keeps its security", () => {
    const s = ws.email_servers![0]!;
    const checked = checkEmail(emailDraft(s), []);
    expect(checked).toEqual({ ok: true, value: { ...s, timeout_ms: 30_000 } });
    const bad = checkEmail(
      { ...emailDraft(s), host: "smtp://x", port: "70000", from: "nobody", password_secret: "P" },
      [],
    );
    expect(!bad.ok && Object.keys(bad.errors).sort()).toEqual(["from", "host", "port", "username"]);
  });

  it("keeps a database address with a password out of the file", () => {
    const draft = { ...databaseDraft(), id: "crm", url: "postgres://app:hunter2@db/crm" };
    const checked = checkDatabase(draft, []);
    expect(!checked.ok && checked.errors.url).toMatch(/password/);
    const secret = checkDatabase({ ...draft, source: "secret", url_secret: "CRM_DB" }, []);
    expect(secret).toEqual({
      ok: true,
      value: { id: "crm", url_secret: "CRM_DB", max_connections: 4 },
    });
    expect(databaseDraft({ id: "crm", url_secret: "CRM_DB" }).source).toBe("secret");
    const noSecret = checkDatabase({ ...draft, source: "secret" }, []);
    expect(!noSecret.ok && noSecret.errors.url_secret).toMatch(/Pick the secret/);
  });

  it("finds passwords in URLs the way the backend does", () => {
    expect(urlHasPassword("postgres://app:pw@db/x")).toBe(true);
    expect(urlHasPassword("postgres://app@db/x")).toBe(false);
    expect(urlHasPassword("sqlite:data/shop.db")).toBe(false);
    expect(urlHasPassword("http://host/path?u=a:b@c")).toBe(false);
  });
});

describe("the workspace", () => {
  it("replaces, adds and removes connections by id", () => {
    const db = { id: "crm", url_secret: "CRM_DB" };
    const added = putConnection(ws, "databases", null, db);
    expect(added.databases!.map((d) => d.id)).toEqual(["shop", "crm"]);
    const renamed = putConnection(added, "databases", "shop", { id: "store", url: "sqlite:s.db" });
    expect(renamed.databases!.map((d) => d.id)).toEqual(["store", "crm"]);
    expect(removeConnection(renamed, "databases", "crm").databases!.map((d) => d.id)).toEqual([
      "store",
    ]);
    expect(otherIds(renamed, "databases", "crm")).toEqual(["store"]);
    expect(ws.databases).toHaveLength(1);
  });

  it("writes allowed_hosts only when there are some, and reads it when absent", () => {
    expect(networkOf({})).toEqual({ allow_private_networks: false, allowed_hosts: [] });
    const open = withNetwork(ws, true, []);
    expect(open.network).toEqual({ allow_private_networks: true });
    const listed = withNetwork(ws, false, ["10.0.0.0/8"]);
    expect(listed.network).toEqual({
      allow_private_networks: false,
      allowed_hosts: ["10.0.0.0/8"],
    });
    expect(networkOf(listed).allowed_hosts).toEqual(["10.0.0.0/8"]);
    expect(withNetwork(listed, false, []).network).toEqual({ allow_private_networks: false });
  });

  it("checks hosts and secret names", () => {
    expect(hostProblem("192.168.1.20", [])).toBeNull();
    expect(hostProblem("10.0.5.0/24", [])).toBeNull();
    expect(hostProblem("http://printer.local", [])).toMatch(/without http/);
    expect(hostProblem("a b", [])).not.toBeNull();
    expect(hostProblem("x", ["x"])).toMatch(/already/);
    expect(secretNameProblem("OPENAI_API_KEY")).toBeNull();
    expect(secretNameProblem("my key")).toMatch(/no spaces/);
    expect(secretNameProblem("x".repeat(65))).toMatch(/64/);
  });

  it("says backend errors in plain words, keeping the detail", () => {
    expect(
      errorText({ code: "password_in_url", message: "databases.crm: the URL contains a password" }),
    ).toMatch(/^A database address contains a password.*\(databases\.crm/);
    expect(errorText({ code: "duplicate_id", message: "m" })).toMatch(/same name/);
    expect(errorText({ code: "something_new", message: "Exact detail" })).toBe("Exact detail");
    expect(errorText("boom")).toBe("boom");
    expect(keySourceText(null)).toMatch(/No secret is stored yet/);
    expect(keySourceText("the OS keychain")).toMatch(/from the OS keychain\.$/);
  });
});

describe("pickers", () => {
  const secrets = {
    secrets: [
      { name: "SMTP_PASSWORD", created_at: "", updated_at: "" },
      { name: "OPENAI_API_KEY", created_at: "", updated_at: "" },
    ],
  };

  it("are chosen by the setting's name", () => {
    expect(
      ["auth_secret", "password_secret", "api_key_secret", "url_secret", "secret"].map(pickerFor),
    ).toEqual(["secret", "secret", "secret", "secret", "secret"]);
    expect(pickerFor("provider")).toBe("provider");
    expect(pickerFor("server")).toBe("server");
    expect(pickerFor("database")).toBe("database");
    expect(pickerFor("secretive")).toBeNull();
    expect(pickerFor("url")).toBeNull();
  });

  it("list the stored secrets and the connections, the built-in AI first", () => {
    expect(pickerChoices("secret", ws, secrets).map((c) => c.value)).toEqual([
      "OPENAI_API_KEY",
      "SMTP_PASSWORD",
    ]);
    expect(pickerChoices("provider", ws, secrets)).toEqual([
      { value: "builtin", label: "Built-in AI (works offline, no account)" },
      { value: "openai", label: "OpenAI (openai)" },
    ]);
    expect(pickerChoices("provider", undefined, undefined).map((c) => c.value)).toEqual([
      "builtin",
    ]);
    expect(pickerChoices("server", ws, secrets)).toEqual([{ value: "office", label: "office" }]);
    expect(pickerChoices("database", ws, secrets).map((c) => c.value)).toEqual(["shop"]);
    expect(pickerChoices("secret", ws, undefined)).toEqual([]);
  });

  it("hint at names that are not set up yet, but not at expressions", () => {
    const choices = pickerChoices("secret", ws, secrets);
    expect(missingChoiceHint("secret", "NEW_KEY", choices)).toMatch(
      /not stored yet — add it in Settings/,
    );
    expect(missingChoiceHint("secret", "SMTP_PASSWORD", choices)).toBeNull();
    expect(missingChoiceHint("secret", "", choices)).toBeNull();
    expect(missingChoiceHint("server", "{{ $vars.server }}", [])).toBeNull();
    expect(missingChoiceHint("database", "crm", [])).toMatch(/Settings › Connections/);
  });
});
