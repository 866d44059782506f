/**
 * Mirrors boolean state attributes as CSS custom states (HTML: `ElementInternals.states`), so `auth-fetch:state(loading)`
 * matches whenever `auth-fetch[loading]` does.
 */

/**
 * Keeps a custom state for each of `names` in step with the attribute of that name on `host`, whoever sets it.
 * Call it from the constructor. Where the browser has no `CustomStateSet` (or refuses a name: Chromium before 125
 * took only `--dashed` ones), the attributes alone remain; it never throws. As {@link setState}, the element's
 * `ElementInternals` are attached only when a state is first set.
 */
export function mirrorStates(host: HTMLElement, names: string[]): void {
  const sync = () => {
    for (const name of names) setState(host, name, host.hasAttribute(name));
  };
  try {
    // Observes the element itself only: the observer goes with the element, nothing to disconnect.
    new MutationObserver(sync).observe(host, { attributeFilter: names });
    // An upgraded element already has its attributes.
    sync();
  } catch {
    // No MutationObserver (a server's DOM shim): attributes only.
  }
}

/** Each element's custom states, attached on first use (`null`: none to be had). */
const sets = new WeakMap<HTMLElement, CustomStateSet | null>();

/**
 * Sets or clears the custom state `name` of `host`, for an element that calls it wherever its state attribute
 * changes (its `attributeChangedCallback`): no observer, and no `ElementInternals` until a state is first set.
 * Never throws (no `CustomStateSet`, a refused name, internals attached by a subclass: attributes only).
 */
export function setState(host: HTMLElement, name: string, on: boolean): void {
  let states = sets.get(host);
  if (states === undefined) {
    if (!on) return;
    try {
      states = host.attachInternals().states ?? null;
    } catch {
      states = null;
    }
    sets.set(host, states);
  }
  try {
    if (on) states?.add(name);
    else states?.delete(name);
  } catch {
    // This name is refused: the attribute is still there to select on.
  }
}
