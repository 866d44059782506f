// Solid with the package's JSX types (auth-elements/jsx-solid): every tag with typed attributes and `on:` event
// props. Checked against the packed package by test/ecosystem/jsx.test.mjs; each `@ts-expect-error` line must stay an error.
import type {} from 'auth-elements/jsx-solid';
import type { AuthErrorCode, AuthSignedInEvent } from 'auth-elements';
import 'auth-elements/define';

export function App() {
  const signedIn = (event: AuthSignedInEvent) => console.log(event.detail.claims?.sub, event.detail.expiresAt);
  return (
    <main class="app">
      <auth-callback>Signing you in…</auth-callback>
      <auth-login
        class="login"
        issuer="https://issuer.example/"
        client-id="spa"
        response-type="code"
        storage="local"
        scope="openid profile"
        leeway={30}
        auto-renew
        check-session={false}
        mode="popup"
        on:auth-signed-in={signedIn}
        on:auth-expiring={(event) => console.log(event.detail.expiresAt.toFixed())}
        on:auth-error={(event) => {
          const code: AuthErrorCode | (string & {}) = event.detail.error;
          if (event.detail.error === 'popup_blocked') console.log(code, event.detail.errorDescription);
        }}
        on:auth-login={(event) => event.detail.url.startsWith('https:') || event.preventDefault()}
      >
        Sign in
      </auth-login>
      <auth-user store="default">
        <template><span data-field="name"></span></template>
      </auth-user>
      <auth-fetch url="/api/me" method="GET" as="json" auto timeout={5000} debounce={100} refresh-on="saved"
        on:auth-response={(event) => console.log(event.detail.status, event.detail.data)}>
        <template><span data-field="email"></span></template>
      </auth-fetch>
      <auth-logout return-to="/" on:auth-signed-out={(event) => console.log(event.detail.store)}>Sign out</auth-logout>

      {/* Wrong usage: each must be a type error. */}
      {/* @ts-expect-error "disk" is no storage */}
      <auth-login storage="disk" />
      {/* @ts-expect-error "implicit" is no response type */}
      <auth-login response-type="implicit" />
      {/* @ts-expect-error leeway is a number */}
      <auth-login leeway={{}} />
      {/* @ts-expect-error auth-response's detail has no "body" */}
      <auth-fetch on:auth-response={(event) => event.detail.body} />
      {/* @ts-expect-error as is json or text */}
      <auth-fetch as="xml" />
    </main>
  );
}
