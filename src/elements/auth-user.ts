import { ReactiveElement } from '@lit/reactive-element';
import { StoreController } from '../controllers/store-controller.js';
import { sheet, slot } from './dom.js';
import { templates } from './parts.js';
import { warnOnce } from './report.js';
import { mirrorStates } from './states.js';


/**
 * Shows who is signed in: its `<template>` is filled with the claims of the store's validated ID token, with the
 * bindings of `<auth-fetch>` (`data-field`, `data-attr-NAME`; text and attribute values only, http(s) URLs only), and
 * filled again whenever the store changes (sign-in, renewal, another tab). Nothing is shown while signed out, or
 * when the session has no ID token (`response-type="token"`).
 *
 * @summary Renders the signed-in user's ID token claims.
 * @tagname auth-user
 * @slot - Content; the filled template copy is inserted after its `<template>`.
 * @slot signed-out - Shown while the store holds no session with an ID token.
 * @cssstate signed-in - The store holds a valid session with an ID token, as the `signed-in` attribute.
 */
export class AuthUserElement extends ReactiveElement {
  static override get styles(): CSSStyleSheet | [] {
    return sheet(':host{display:contents}:host([hidden]),:host([signed-in]) [name=signed-out]{display:none}');
  }

  static override properties = {
    store: {},
    signedIn: { type: Boolean, attribute: 'signed-in', reflect: true },
  };

  #store = new StoreController(this);
  #stamped: Node[] = [];
  /** The pending render (the template code may still be loading); `updateComplete` waits for it. */
  #rendering: Promise<void> | undefined;

  /** Name of the token store whose user is shown. */
  declare store: string;
  /** Reflected: present while the store holds a valid session with an ID token. */
  declare signedIn: boolean;

  constructor() {
    super();
    this.store = 'default';
    this.signedIn = false;
    mirrorStates(this, ['signed-in']);
  }

  protected override createRenderRoot() {
    const root = super.createRenderRoot();
    slot(root).name = 'signed-out';
    slot(root);
    return root;
  }

  protected override willUpdate(): void {
    const { claims } = this.#store.store;
    this.signedIn = !!claims;
    // Nothing to show and nothing shown: the template code is not needed (yet).
    if (!claims && !this.#stamped.length) return;
    const show = ({ render }: typeof import('../render/stamp.js')) => {
      this.#rendering = undefined;
      [this.#stamped] = render(this, this.#store.store.claims, this.#stamped);
    };
    // The template code is loaded when a user is first shown (a signed-out page does not load it).
    if (templates.value) return show(templates.value);
    // The first time, once the code is loaded (`updateComplete` waits for it), with the claims of that time.
    this.#rendering ??= templates().then(show).catch((error: unknown) => {
      this.#rendering = undefined;
      warnOnce(this, `auth-user: showing the user failed: ${(error as Error | null)?.message ?? error}`);
    });
  }

  protected override async getUpdateComplete(): Promise<boolean> {
    const done = await super.getUpdateComplete();
    await this.#rendering;
    return done;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'auth-user': AuthUserElement;
  }
}
