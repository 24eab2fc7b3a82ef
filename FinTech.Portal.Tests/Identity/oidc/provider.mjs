// A local OpenID provider shaped like Entra ID, for the portal's sign-in tests.
//
// The issuer is http://127.0.0.1:PORT/{tenantId}/v2.0 like Entra's v2.0 endpoint, and the
// ID token carries Entra's claims: oid, tid, name and the app roles in "roles". The user is
// signed in and consents without a form, so a test can drive the authorization-code flow
// with a plain HTTP client. It listens on loopback only and prints one line
// "listening http://127.0.0.1:PORT" when it is ready; it stops when stdin closes, so it
// never outlives the test that started it.
//
// Configuration (environment): OIDC_TENANT_ID, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET,
// OIDC_REDIRECT_URI, OIDC_POST_LOGOUT_REDIRECT_URI, OIDC_USER_OID, OIDC_USER_NAME,
// OIDC_USER_ROLES (comma separated app role values, e.g. "Portal.Operator,Portal.Auditor").
import http from 'node:http';
import Provider from 'oidc-provider';

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return value;
};

const tenantId = env('OIDC_TENANT_ID');
const user = {
  oid: env('OIDC_USER_OID'),
  name: env('OIDC_USER_NAME'),
  roles: env('OIDC_USER_ROLES').split(',').filter((r) => r.length > 0),
};
const prefix = `/${tenantId}/v2.0`;

let provider;
const server = http.createServer(async (req, res) => {
  try {
    if (!req.url.startsWith(prefix)) {
      res.writeHead(404).end();
      return;
    }
    // Mounted under the Entra-shaped issuer path, the way express mounts a sub-app.
    req.originalUrl = req.url;
    req.url = req.url.slice(prefix.length) || '/';
    if (req.url.startsWith('/interaction/')) {
      await finishInteraction(req, res);
      return;
    }
    provider.callback()(req, res);
  } catch (error) {
    console.error(error);
    res.writeHead(500).end(String(error));
  }
});

// No login form: the configured user signs in, then grants what the client asked for.
async function finishInteraction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId: user.oid } }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  if (details.prompt.details.missingOIDCScope) {
    grant.addOIDCScope(details.prompt.details.missingOIDCScope.join(' '));
  }
  if (details.prompt.details.missingOIDCClaims) {
    grant.addOIDCClaims(details.prompt.details.missingOIDCClaims);
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}${prefix}`;
  provider = new Provider(issuer, {
    clients: [{
      client_id: env('OIDC_CLIENT_ID'),
      client_secret: env('OIDC_CLIENT_SECRET'),
      redirect_uris: [env('OIDC_REDIRECT_URI')],
      post_logout_redirect_uris: [env('OIDC_POST_LOGOUT_REDIRECT_URI')],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    // Entra puts the profile claims and the app roles in the ID token itself.
    conformIdTokenClaims: false,
    claims: { openid: ['sub', 'oid', 'tid'], profile: ['name', 'roles'] },
    scopes: ['openid', 'profile', 'offline_access'],
    findAccount: (ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, oid: user.oid, tid: tenantId, name: user.name, roles: user.roles }),
    }),
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `${prefix}/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    // Plain http on loopback: the test owns both ends.
    cookies: { keys: ['portal-test-oidc-cookie-key'] },
  });
  provider.proxy = false;
  console.log(`listening http://127.0.0.1:${port}`);
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
