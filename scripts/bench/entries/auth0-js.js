// auth0-js: the implicit grant's sign-in (WebAuth#authorize) and callback (WebAuth#parseHash, which validates the ID token).
import { WebAuth } from 'auth0-js';

export function signIn(options) {
  new WebAuth(options).authorize({ responseType: 'id_token token' });
}

export function callback(options) {
  return new Promise((resolve, reject) => {
    new WebAuth(options).parseHash({ hash: location.hash }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}
