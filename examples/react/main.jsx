// The tags in a React 19 app. React 19 sets a custom element's props as properties when the element has them
// (clientId, audience, url, auto…) and adds `on` + the exact event name as a listener: `onauth-signed-in` listens
// to `auth-signed-in`. Define the tags before React creates them, or the props end up as attributes
// (`clientId` would become an attribute `clientid`, which the element ignores).
import 'auth-elements/define';
import { getStore } from 'auth-elements';
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { config } from '../config.js';

function App() {
  // The store may already hold a session (this tab signed in before a reload).
  const [user, setUser] = useState(() => getStore().claims);
  const [answer, setAnswer] = useState(null);
  const [error, setError] = useState(null);

  return (
    <main>
      <h1>auth-elements in React 19</h1>
      {/* Completes sign-in when the provider redirects back here (the response is in the URL fragment). */}
      <auth-callback
        onauth-signed-in={(event) => setUser(event.detail.claims)}
        onauth-error={(event) => setError(event.detail)}
      />
      <p role="status">{user ? `Signed in as ${user.name ?? user.sub}` : 'Signed out'}</p>
      {user ? (
        <auth-logout
          onauth-signed-out={() => {
            setUser(undefined);
            setAnswer(null);
          }}
        >
          Sign out
        </auth-logout>
      ) : (
        <auth-login
          issuer={config.issuer}
          clientId={config.clientId}
          audience={config.audience}
          scope="openid profile"
          onauth-error={(event) => setError(event.detail)}
        >
          Sign in
        </auth-login>
      )}
      {/* Calls the API with the access token whenever a token arrives; React renders the answer. While signed
          out it makes no request and fires nothing (its signed-out slot shows); login_required only comes from an
          expired token that could not be renewed, which the signed-out slot covers too. */}
      <auth-fetch
        auto
        url={config.api}
        onauth-response={(event) => setAnswer(event.detail.data)}
        onauth-error={(event) => event.detail.error !== 'login_required' && setError(event.detail)}
      >
        <p slot="signed-out">Sign in to call the API.</p>
      </auth-fetch>
      {answer && <pre aria-label="The API's answer">{JSON.stringify(answer, null, 2)}</pre>}
      {error && <p role="alert">{error.errorDescription ?? error.error}</p>}
    </main>
  );
}

createRoot(document.getElementById('root')).render(<App />);
