// The tags in a Vue 3 app. Vue binds `@auth-signed-in` to the element's `auth-signed-in` event, and `.prop` sets a
// property (`:clientId.prop`) instead of an attribute (`:client-id` would set the attribute, which works as well).
// The template is compiled in the browser (the full build, `vue/dist/vue.esm-bundler.js`), so Vue must be told
// which tags are custom elements; with single-file components, set the same `isCustomElement` in the compiler
// options of your Vue plugin instead.
import 'auth-elements/define';
import { getStore } from 'auth-elements';
import { createApp, ref } from 'vue';
import { config } from '../config.js';

const app = createApp({
  setup() {
    // The store may already hold a session (this tab signed in before a reload).
    const user = ref(getStore().claims);
    const answer = ref(null);
    const error = ref(null);
    const signedOut = () => {
      user.value = undefined;
      answer.value = null;
    };
    return { config, user, answer, error, signedOut };
  },
  template: `
    <main>
      <h1>auth-elements in Vue 3</h1>
      <!-- Completes sign-in when the provider redirects back here (the response is in the URL fragment). -->
      <auth-callback @auth-signed-in="user = $event.detail.claims" @auth-error="error = $event.detail"></auth-callback>
      <p role="status">{{ user ? 'Signed in as ' + (user.name ?? user.sub) : 'Signed out' }}</p>
      <auth-logout v-if="user" @auth-signed-out="signedOut">Sign out</auth-logout>
      <auth-login v-else :issuer.prop="config.issuer" :clientId.prop="config.clientId" :audience.prop="config.audience"
                  scope="openid profile" @auth-error="error = $event.detail">Sign in</auth-login>
      <!-- Calls the API with the access token whenever a token arrives; Vue renders the answer. While signed out it
           makes no request and fires nothing (its signed-out slot shows); login_required only comes from an expired
           token that could not be renewed, which the signed-out slot covers too. -->
      <auth-fetch auto :url.prop="config.api" @auth-response="answer = $event.detail.data"
                  @auth-error="$event.detail.error === 'login_required' || (error = $event.detail)">
        <p slot="signed-out">Sign in to call the API.</p>
      </auth-fetch>
      <pre v-if="answer" aria-label="The API's answer">{{ JSON.stringify(answer, null, 2) }}</pre>
      <p v-if="error" role="alert">{{ error.errorDescription ?? error.error }}</p>
    </main>`,
});
app.config.compilerOptions.isCustomElement = (tag) => tag.startsWith('auth-');
app.mount('#app');
