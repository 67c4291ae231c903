import { beforeEach, describe, expect, it, vi } from "vitest";

import { loading } from "../core/loadable";
import type { SecretList, Workspace, WorkspaceState } from "../generated/api";

// The backend, as the store sees it: an in-memory workspace and secret store.
const server = vi.hoisted(() => ({
  workspace: { schema_version: 1 } as Workspace,
  secrets: new Map<string, string>(),
  calls: [] as string[],
  refuse: null as { code: string; message: string } | null,
}));

vi.mock("../api/backend", () => ({
  backend: {
    getWorkspace: () => {
      server.calls.push("get_workspace");
      return Promise.resolve({
        settings: server.workspace,
        file: "workspace.json",
      } satisfies WorkspaceState);
    },
    saveWorkspace: (settings: Workspace) => {
      server.calls.push("save_workspace");
      if (server.refuse) return Promise.reject(server.refuse);
      server.workspace = settings;
      return Promise.resolve({ settings, file: "workspace.json" } satisfies WorkspaceState);
    },
    listSecrets: () => {
      server.calls.push("list_secrets");
      return Promise.resolve({
        secrets: [...server.secrets.keys()].map((name) => ({
          name,
          created_at: "2026-11-30T00:00:00Z",
          updated_at: "2026-11-30T00:00:00Z",
        })),
        key_source: server.secrets.size ? "the OS keychain" : null,
      } satisfies SecretList);
    },
    setSecret: (name: string, value: string) => {
      server.calls.push(`set_secret ${name}`);
      server.secrets.set(name, value);
      return Promise.resolve(null);
    },
    deleteSecret: (name: string) => {
      server.calls.push(`delete_secret ${name}`);
      if (!server.secrets.delete(name))
        return Promise.reject({ code: "not_found", message: `no secret ${name}` });
      return Promise.resolve(null);
    },
  },
}));

const { selectSecretList, selectWorkspace, useSettings } = await import("./settings");
const s = () => useSettings.getState();

beforeEach(() => {
  server.workspace = { schema_version: 1 };
  server.secrets = new Map();
  server.calls = [];
  server.refuse = null;
  useSettings.setState({ workspace: loading, secrets: loading });
});

describe("settings store", () => {
  it("loads once; refresh loads again", async () => {
    expect(selectWorkspace(s())).toBeUndefined();
    await s().load();
    await s().load();
    expect(server.calls).toEqual(["get_workspace", "list_secrets"]);
    expect(selectWorkspace(s())).toEqual({ schema_version: 1 });
    expect(selectSecretList(s())).toEqual({ secrets: [], key_source: null });
    await s().refresh();
    expect(server.calls).toHaveLength(4);
  });

  it("shows what was saved, and keeps the old settings when the backend refuses", async () => {
    await s().load();
    const next: Workspace = { schema_version: 1, databases: [{ id: "shop", url: "sqlite:s.db" }] };
    await s().saveWorkspace(next);
    expect(selectWorkspace(s())).toEqual(next);
    server.refuse = { code: "duplicate_id", message: "databases: the id is repeated" };
    await expect(
      s().saveWorkspace({ ...next, databases: [...next.databases!, ...next.databases!] }),
    ).rejects.toMatchObject({ code: "duplicate_id" });
    expect(selectWorkspace(s())).toEqual(next);
  });

  it("saves schema version 1 even when the backend reported 0 (no workspace.json yet)", async () => {
    server.workspace = { schema_version: 0 };
    await s().load();
    await s().saveWorkspace({
      ...selectWorkspace(s())!,
      network: { allow_private_networks: true },
    });
    expect(server.workspace).toEqual({
      schema_version: 1,
      network: { allow_private_networks: true },
    });
  });

  it("lists a secret's name after it is stored, and not after it is deleted", async () => {
    await s().load();
    await s().setSecret("SMTP_PASSWORD", "hunter2");
    const listed = selectSecretList(s())!;
    expect(listed.secrets.map((x) => x.name)).toEqual(["SMTP_PASSWORD"]);
    expect(JSON.stringify(s())).not.toContain("hunter2");
    expect(listed.key_source).toBe("the OS keychain");
    await s().deleteSecret("SMTP_PASSWORD");
    expect(selectSecretList(s())!.secrets).toEqual([]);
  });

  it("refreshes the list even when a delete fails", async () => {
    await s().load();
    server.secrets.set("GONE", "x");
    await expect(s().deleteSecret("MISSING")).rejects.toMatchObject({ code: "not_found" });
    expect(selectSecretList(s())!.secrets.map((x) => x.name)).toEqual(["GONE"]);
  });
});
