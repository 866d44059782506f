// Lit's ReactiveElement alone: one trivial element, to show Lit's share of our bundle.
import { ReactiveElement } from '@lit/reactive-element';

class TrivialElement extends ReactiveElement {
  static properties = { name: {} };
}
customElements.define('trivial-element', TrivialElement);
