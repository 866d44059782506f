/**
 * JSX types of the tags for React 19 (`React.JSX.IntrinsicElements`): load them once, with
 * `import type {} from 'auth-elements/jsx-react';` in a `.d.ts` file of the app, or `"types": ["auth-elements/jsx-react"]`.
 * React 19 sets a custom element's properties (attributes for names it does not have, such as `client-id`) and
 * listens for `onauth-signed-in` as the event `auth-signed-in`.
 */
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { AuthElementProps, AuthElements, AuthTagName } from './jsx.js';

export type * from './jsx.js';

/** A tag's props in React: its own, the HTML attributes (`className`, `children`, `id`…), and `class`. */
export type ReactAuthElementProps<Tag extends AuthTagName> = DetailedHTMLProps<HTMLAttributes<AuthElements[Tag]['element']>, AuthElements[Tag]['element']>
  & AuthElementProps<Tag> & { class?: string };

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'auth-login': ReactAuthElementProps<'auth-login'>;
      'auth-logout': ReactAuthElementProps<'auth-logout'>;
      'auth-callback': ReactAuthElementProps<'auth-callback'>;
      'auth-user': ReactAuthElementProps<'auth-user'>;
      'auth-fetch': ReactAuthElementProps<'auth-fetch'>;
    }
  }
}
