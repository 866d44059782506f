/**
 * The tags' JSX props, shared by the framework entries `auth-elements/jsx-react` and `auth-elements/jsx-preact`
 * (the one source of truth): the attributes a page sets, with their values, and the events each tag fires, with their
 * typed `detail`. The states an element sets on itself (`signed-in`, `error`, `loading`, `signed-out`, `empty`,
 * `handling`) are left out: a page reads them, it does not set them.
 */
import type { AuthErrorEvent, AuthExpiredEvent, AuthExpiringEvent, AuthLoginEvent, AuthResponseEvent, AuthSignedInEvent, AuthSignedOutEvent } from './events.js';
import type { AuthCallbackElement } from './elements/auth-callback.js';
import type { AuthFetchElement } from './elements/auth-fetch.js';
import type { AuthLoginElement } from './elements/auth-login.js';
import type { AuthLogoutElement } from './elements/auth-logout.js';
import type { AuthUserElement } from './elements/auth-user.js';
import type { ResponseType, StorageKind } from './protocol/authorize.js';

/** `<auth-login>`'s attributes (see the element for each one). */
export interface AuthLoginAttributes {
  store?: string;
  issuer?: string;
  domain?: string;
  'client-id'?: string;
  audience?: string;
  scope?: string;
  'response-type'?: ResponseType;
  'redirect-uri'?: string;
  storage?: StorageKind;
  'allowed-origins'?: string;
  leeway?: number;
  'silent-redirect-uri'?: string;
  'check-session'?: boolean;
  'auto-renew'?: boolean;
  mode?: 'redirect' | 'popup';
  'third-party-check'?: string;
  dpop?: boolean;
}

/** `<auth-logout>`'s attributes. */
export interface AuthLogoutAttributes {
  store?: string;
  'return-to'?: string;
  'no-revoke'?: boolean;
}

/** `<auth-callback>` has no attribute for the page to set. */
export interface AuthCallbackAttributes {}

/** `<auth-user>`'s attributes. */
export interface AuthUserAttributes {
  store?: string;
}

/** `<auth-fetch>`'s attributes. */
export interface AuthFetchAttributes {
  url?: string;
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | (string & {});
  store?: string;
  auto?: boolean;
  as?: 'json' | 'text';
  body?: string;
  'content-type'?: string;
  timeout?: number;
  debounce?: number;
  'refresh-on'?: string;
  emit?: string;
  'no-reset'?: boolean;
}

/** Each tag's element class, attributes and the events it fires (by event name). */
export interface AuthElements {
  'auth-login': {
    element: AuthLoginElement;
    attributes: AuthLoginAttributes;
    events: {
      'auth-login': AuthLoginEvent;
      'auth-signed-in': AuthSignedInEvent;
      'auth-expiring': AuthExpiringEvent;
      'auth-expired': AuthExpiredEvent;
      'auth-error': AuthErrorEvent;
    };
  };
  'auth-logout': {
    element: AuthLogoutElement;
    attributes: AuthLogoutAttributes;
    events: { 'auth-signed-out': AuthSignedOutEvent; 'auth-error': AuthErrorEvent };
  };
  'auth-callback': {
    element: AuthCallbackElement;
    attributes: AuthCallbackAttributes;
    events: { 'auth-signed-in': AuthSignedInEvent; 'auth-error': AuthErrorEvent };
  };
  'auth-user': {
    element: AuthUserElement;
    attributes: AuthUserAttributes;
    events: {};
  };
  'auth-fetch': {
    element: AuthFetchElement;
    attributes: AuthFetchAttributes;
    events: { 'auth-response': AuthResponseEvent; 'auth-error': AuthErrorEvent };
  };
}

export type AuthTagName = keyof AuthElements;

/**
 * Event props named `on` + the event's name, as React 19 and Preact attach them to a custom element
 * (`onauth-signed-in` listens for `auth-signed-in`).
 */
export type OnEventProps<Events> = { [Name in keyof Events & string as `on${Name}`]?: (event: Events[Name]) => void };

/** A tag's own props for React 19 and Preact: its attributes and its `on` + event name props. */
export type AuthElementProps<Tag extends AuthTagName> = AuthElements[Tag]['attributes'] & OnEventProps<AuthElements[Tag]['events']>;
