// <app-shell>: a component of your own that keeps the tags in its shadow root. Every auth-* event bubbles and is
// composed, so it leaves the shadow root: the page can listen once on `document` (where the event's target is
// <app-shell>, retargeted, and `event.composedPath()[0]` the element that fired it), and the component listens on
// its own shadow root. The tags need no script of their own; this file only builds the component.
//
//   <script type="module" src="auth-elements.js"></script>
//   <script type="module" src="app-shell.js"></script>
//   <app-shell issuer="https://id.example.com" client-id="…" audience="https://api.example.com" api="https://api.example.com/me"></app-shell>
const markup = `
  <auth-callback></auth-callback>
  <p role="status" part="status">Signed out</p>
  <auth-login>Sign in</auth-login>
  <auth-user><template><p>Hello, <b data-field="name"></b></p></template></auth-user>
  <auth-fetch auto>
    <p slot="signed-out">Sign in to call the API.</p>
    <template><p>The API knows you as <code data-field="sub"></code>.</p></template>
  </auth-fetch>
  <auth-logout>Sign out</auth-logout>`;

export class AppShell extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    const template = document.createElement('template');
    template.innerHTML = markup;
    root.append(template.content);
    // The component's attributes configure the tags inside it.
    const copy = (selector, from, to = from) => {
      const value = this.getAttribute(from);
      if (value !== null) for (const element of root.querySelectorAll(selector)) element.setAttribute(to, value);
    };
    copy('auth-login', 'issuer');
    copy('auth-login', 'client-id');
    copy('auth-login', 'audience');
    copy('auth-fetch', 'api', 'url');
    copy('auth-login, auth-user, auth-fetch, auth-logout', 'store');
    const status = root.querySelector('[role=status]');
    root.addEventListener('auth-signed-in', (event) => {
      status.textContent = `Signed in as ${event.detail.claims?.name ?? 'you'}`;
    });
    root.addEventListener('auth-signed-out', () => {
      status.textContent = 'Signed out';
    });
    root.addEventListener('auth-error', (event) => {
      // No token yet is what the signed-out slot already says.
      if (event.detail.error !== 'login_required') status.textContent = `Could not sign in: ${event.detail.errorDescription ?? event.detail.error}`;
    });
  }
}

if (!customElements.get('app-shell')) customElements.define('app-shell', AppShell);
