// What a TypeScript page gets from the package: typed tags, typed events, the store and the error codes.
// Every `@ts-expect-error` line is a mistake the types must catch (tsc fails if one of them compiles).
import 'auth-elements/define';
import {
  AuthError,
  AuthLoginElement,
  getStore,
  type AuthErrorCode,
  type AuthErrorDetail,
  type AuthSignedInDetail,
  type IdTokenClaims,
  type TokenStore,
} from 'auth-elements';

// Tags: querySelector and createElement know the element classes (HTMLElementTagNameMap).
const login = document.querySelector('auth-login')!;
login.clientId = 'YOUR_CLIENT_ID';
login.scope = 'openid profile email';
login.leeway = 120;
login.checkSession = true;
const asClass: AuthLoginElement = login;
void asClass;
// @ts-expect-error clientId is a string (or null), not a number
login.clientId = 42;
// @ts-expect-error leeway is a number of seconds, not a string
login.leeway = '60';
// @ts-expect-error <auth-login> has no send(); that is <auth-fetch>'s
login.send();

const fetcher = document.createElement('auth-fetch');
fetcher.url = '/api/appointments';
fetcher.auto = true;
const sent: Promise<{ status: number; ok: boolean; data: unknown } | undefined> = fetcher.send();
void sent;
// @ts-expect-error auto is a boolean
fetcher.auto = 'true';

const logout = document.querySelector('auth-logout')!;
const leaving: Promise<string | undefined> = logout.logout();
void leaving;
// @ts-expect-error <auth-logout> has no login()
logout.login();

const user = document.querySelector('auth-user')!;
user.store = 'reader';
const callback = document.querySelector('auth-callback')!;
const done: Promise<void> = callback.complete;
void done;

// Events: the global event map types `detail`, on any element and on the document (they bubble and are composed).
document.addEventListener('auth-signed-in', (event) => {
  const name: string | undefined = event.detail.claims?.name;
  const store: string = event.detail.store;
  const expiresAt: number | undefined = event.detail.expiresAt;
  // @ts-expect-error no event carries a token: read it from the store
  void event.detail.accessToken;
  // @ts-expect-error claims are absent when the response had no ID token
  void event.detail.claims.name;
  void [name, store, expiresAt];
});
login.addEventListener('auth-login', (event) => {
  const url: string = event.detail.url;
  if (new URL(url).hostname === 'blocked.example') event.preventDefault();
});
document.addEventListener('auth-error', (event) => {
  const detail: AuthErrorDetail = event.detail;
  if (detail.error === 'http_error') {
    // @ts-expect-error status is optional: only http_error has one
    void detail.status.toFixed();
    void detail.status?.toFixed();
  }
});
fetcher.addEventListener('auth-response', (event) => {
  const status: number = event.detail.status;
  void status;
});
document.addEventListener('auth-signed-out', (event) => void event.detail.store);
document.addEventListener('auth-expiring', (event) => void (event.detail.expiresAt - Date.now()));
// @ts-expect-error auth-response's detail has no error
document.addEventListener('auth-response', (event) => void event.detail.error.length);

// The store, by name.
const store: TokenStore = getStore('default');
const token: string | undefined = store.accessToken;
const claims: IdTokenClaims | undefined = store.claims;
const unsubscribe: () => void = store.subscribe((s) => void s.signedIn);
unsubscribe();
void [token, claims];
// @ts-expect-error the store's token is read-only
store.accessToken = 'x';

// Error codes.
const code: AuthErrorCode = 'invalid_state';
// @ts-expect-error not one of the library's codes
const wrong: AuthErrorCode = 'invalid_sate';
const error = new AuthError('origin_not_allowed', 'https://evil.example may not receive the token');
const codeOf: string = error.code;
if (error instanceof Error) void [code, wrong, codeOf];

const handler = (detail: AuthSignedInDetail) => detail.scope.split(' ');
void handler;
