// Injected into the one-file bundle (scripts/build.mjs): every free `HTMLElement` there, Lit's
// `class ReactiveElement extends HTMLElement` first, reads this binding, so that importing the bundle where there is
// no DOM (a framework's server render in Node) does not throw; the tags are then not defined (no `customElements`).
// In a browser it is the global `HTMLElement`. Lit's own Node build does the same with @lit-labs/ssr-dom-shim.
export const HTMLElement = globalThis.HTMLElement ?? class {};
