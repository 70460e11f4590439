// A small helper to build elements without HTML strings (no markup injection from messages).

type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === "class") node.className = String(value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child);
  }
  return node;
}

export function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node as T;
}

/** Text whose `backticked` parts (names, code, as the checker's messages quote them) are code. */
export function richText(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  const parts = text.split(/(``[^`]+``|`[^`\n]+`)/);
  for (const part of parts) {
    if (part === "") continue;
    const quoted = /^``([^`]+)``$/.exec(part) ?? /^`([^`]+)`$/.exec(part);
    fragment.append(quoted ? el("code", {}, quoted[1]) : part);
  }
  return fragment;
}
