/**
 * JSX types of the tags for Preact (`preact.JSX.IntrinsicElements`, which `preact/jsx-runtime` uses too): load them
 * once, with `import type {} from 'auth-elements/jsx-preact';` in a `.d.ts` file of the app, or
 * `"types": ["auth-elements/jsx-preact"]`. Preact sets a custom element's properties (attributes for names it does
 * not have, such as `client-id`) and listens for `onauth-signed-in` as the event `auth-signed-in`.
 */
import type { JSX } from 'preact';
import type { AuthElementProps, AuthElements, AuthTagName } from './jsx.js';

export type * from './jsx.js';

/** A tag's props in Preact: its own and the HTML attributes (`class`, `className`, `children`, `id`…). */
export type PreactAuthElementProps<Tag extends AuthTagName> = JSX.HTMLAttributes<AuthElements[Tag]['element']> & AuthElementProps<Tag>;

declare module 'preact' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'auth-login': PreactAuthElementProps<'auth-login'>;
      'auth-logout': PreactAuthElementProps<'auth-logout'>;
      'auth-callback': PreactAuthElementProps<'auth-callback'>;
      'auth-user': PreactAuthElementProps<'auth-user'>;
      'auth-fetch': PreactAuthElementProps<'auth-fetch'>;
    }
  }
}
