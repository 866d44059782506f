// Stands in for @lit/reactive-element's css-tag.js in the CDN bundle (scripts/build.mjs): the elements' styles are
// constructed CSSStyleSheets (src/elements/dom.ts `sheet()`), never Lit CSSResults, and every browser the elements
// support (custom states, ElementInternals) adopts style sheets, so Lit's fallbacks are dead weight here.
export const getCompatibleStyle = (style) => style;
export const adoptStyles = (root, styles) => {
  root.adoptedStyleSheets = styles;
};
// Re-exported by reactive-element.js; nothing in the bundle uses them.
export const supportsAdoptingStyleSheets = true;
export const css = undefined;
export const unsafeCSS = undefined;
export const CSSResult = undefined;
