// A value the UI is waiting for: illegal combinations (a value *and* an error) cannot be built.
export type Loadable<T> =
  | { readonly state: "loading" }
  | { readonly state: "ready"; readonly value: T }
  | { readonly state: "failed"; readonly code: string; readonly message: string };

export const loading: Loadable<never> = { state: "loading" };

export function ready<T>(value: T): Loadable<T> {
  return { state: "ready", value };
}

export function failed(error: unknown): Loadable<never> {
  if (typeof error === "object" && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return {
      state: "failed",
      code: typeof code === "string" ? code : "unknown",
      message: typeof message === "string" ? message : String(error),
    };
  }
  return { state: "failed", code: "unknown", message: String(error) };
}
