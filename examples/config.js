// Your provider, application and API, shared by the React and Vue examples. Replace these with yours.
// Auth0: the issuer is `https://YOUR_TENANT.eu.auth0.com/` (or use the `domain` attribute), the audience is your API's
// identifier. Another OpenID provider: its issuer URL, as its discovery document says it.
// Register the example page's URL (without query or fragment) as an allowed callback URL of the application.
export const config = {
  issuer: 'https://YOUR_TENANT.eu.auth0.com/',
  clientId: 'YOUR_CLIENT_ID',
  audience: 'https://api.example.com/',
  /** A protected API: it gets the access token as `Authorization: Bearer`. */
  api: 'https://api.example.com/appointments',
};
