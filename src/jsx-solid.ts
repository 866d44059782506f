/**
 * JSX types of the tags for Solid (`solid-js`'s `JSX.IntrinsicElements`): load them once, with
 * `import type {} from 'auth-elements/jsx-solid';` in a `.d.ts` file of the app, or `"types": ["auth-elements/jsx-solid"]`.
 * Solid sets attributes for names with a dash (`client-id`) and listens for events with `on:` + the event's name
 * (`on:auth-signed-in`), the form it uses for custom events.
 */
import type { JSX } from 'solid-js';
import type { AuthElements, AuthTagName } from './jsx.js';

export type * from './jsx.js';

/** Event props named `on:` + the event's name, as Solid attaches them (`on:auth-signed-in`). */
export type SolidEventProps<Events> = { [Name in keyof Events & string as `on:${Name}`]?: (event: Events[Name]) => void };

/** A tag's props in Solid: its attributes, its `on:` event props and the HTML attributes (`class`, `children`…). */
export type SolidAuthElementProps<Tag extends AuthTagName> = JSX.HTMLAttributes<AuthElements[Tag]['element']>
  & AuthElements[Tag]['attributes'] & SolidEventProps<AuthElements[Tag]['events']>;

declare module 'solid-js' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'auth-login': SolidAuthElementProps<'auth-login'>;
      'auth-logout': SolidAuthElementProps<'auth-logout'>;
      'auth-callback': SolidAuthElementProps<'auth-callback'>;
      'auth-user': SolidAuthElementProps<'auth-user'>;
      'auth-fetch': SolidAuthElementProps<'auth-fetch'>;
    }
  }
}
