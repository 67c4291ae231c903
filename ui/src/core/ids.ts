// New identifiers for nodes, notes and workflows.

/** The first `<base>_<n>` (n >= 1) not in `taken`. Node ids are lowercase letters, digits, `_`. */
export function freshId(base: string, taken: ReadonlySet<string>): string {
  const clean =
    base
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, "_")
      .replace(/^_+|_+$/g, "") || "step";
  for (let n = 1; ; n++) {
    const candidate = `${clean}_${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** A workflow id (also its file name) from a display name: lowercase letters, digits, `-`. */
export function slugify(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return slug || "workflow";
}

/** `slug`, or `slug-2`, `slug-3`... whichever is free. */
export function uniqueSlug(slug: string, taken: ReadonlySet<string>): string {
  if (!taken.has(slug)) return slug;
  for (let n = 2; ; n++) {
    const candidate = `${slug}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

export function isWorkflowId(id: string): boolean {
  return /^[a-z0-9][a-z0-9_-]*$/.test(id);
}
