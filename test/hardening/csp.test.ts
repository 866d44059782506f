// [hardening] Strict Content-Security-Policy with Trusted Types: test/fixtures/csp-page.html (the tags and no script
// of their own, besides the recording probe) is served with
//   default-src 'self'; script-src 'self'; style-src 'self'; require-trusted-types-for 'script'; trusted-types 'none'
// (test/server/fixtures.mjs) and signs in by a real redirect through the fake provider, shows the user, calls the
// API, renews silently through test/fixtures/csp-callback.html (same policy) and signs out, with no violation.
import { expect, waitUntil } from '@open-wc/testing';
import { resetPage, stats, tenant } from '../helpers/idp.js';
import { buttonOf, inFrame, loaded, openFrame, otherOrigin, probe } from './frames.js';

const STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; require-trusted-types-for 'script'; trusted-types 'none'";

describe('[hardening] a page under a strict CSP with Trusted Types', function () {
  // Frames load pages and modules: generous under a loaded machine.
  this.timeout(15_000);
  let frame: HTMLIFrameElement | undefined;

  afterEach(() => {
    frame?.remove();
    frame = undefined;
    resetPage();
  });

  it('is served with the strict policy (control: the header is really there)', async () => {
    const t = tenant();
    const response = await fetch(`/fixtures/${t}/csp-page.html`);
    expect(response.headers.get('content-security-policy')).to.equal(STRICT_CSP);
    expect((await fetch(`/fixtures/${t}/csp-callback.html`)).headers.get('content-security-policy')).to.equal(STRICT_CSP);
  });

  it('control: the probe sees violations there (innerHTML, eval, an inline style, an image of another origin)', async () => {
    const t = tenant();
    frame = await openFrame(`/fixtures/${t}/csp-page.html`);
    const doc = frame.contentDocument!;
    const win = frame.contentWindow as Window & typeof globalThis;
    // The frame's own TypeError and EvalError (another realm): checked by message.
    expect(() => {
      doc.body.innerHTML = '<b>not trusted</b>';
    }).to.throw(/TrustedHTML/);
    expect(() => new win.Function('return 1')).to.throw(/TrustedScript|Content Security Policy/);
    doc.head.append(Object.assign(doc.createElement('style'), { textContent: 'body { color: red }' }));
    doc.body.append(Object.assign(doc.createElement('img'), { src: otherOrigin('/favicon.ico') }));
    await waitUntil(() => probe('violation').length >= 4, 'the four violations reported', { timeout: 8000 });
    const directives = probe('violation').map((v) => v.directive);
    expect(directives.filter((d) => d === 'require-trusted-types-for')).to.have.length(2);
    expect(directives).to.include('style-src-elem');
    expect(directives).to.include('img-src');
  });

  it('signs in by real redirect, shows the user, calls the API, renews silently and signs out: zero violations', async function () {
    const t = tenant();
    frame = await openFrame(`/fixtures/${t}/csp-page.html`);
    await waitUntil(() => buttonOf(frame!, 'auth-login'), 'auth-login rendered', { timeout: 8000 });
    await waitUntil(() => inFrame(frame!, 'auth-fetch')?.hasAttribute('signed-out'), 'auth-fetch says signed out', { timeout: 8000 });

    // A real click, a real navigation to /authorize and a real 302 back with the response in the fragment.
    const back = loaded(frame);
    buttonOf(frame, 'auth-login')!.click();
    await back;
    await waitUntil(() => inFrame(frame!, 'auth-login')?.hasAttribute('signed-in'), 'signed in', { timeout: 8000 });
    expect(frame.contentWindow!.location.hash).to.equal('');
    await waitUntil(() => inFrame(frame!, '.sub')?.textContent === 'user-1', 'the API answer rendered', { timeout: 8000 });
    expect(inFrame(frame, '.name').textContent).to.equal('Ada Lovelace');
    expect((await stats(t)).verifiedCalls).to.equal(1);

    // A silent renewal: the hidden iframe goes to the provider and ends on csp-callback.html, which posts back.
    const login = inFrame<HTMLElement & { loginSilently(): Promise<boolean> }>(frame, 'auth-login');
    expect(await login.loginSilently()).to.equal(true);
    expect((await stats(t)).silentRequests).to.equal(1);
    await waitUntil(() => probe('loaded').some((r) => r.page.endsWith('/csp-callback.html')), 'the answer page ran', { timeout: 8000 });

    buttonOf(frame, 'auth-logout')!.click();
    await waitUntil(() => !inFrame(frame!, 'auth-login').hasAttribute('signed-in'), 'signed out', { timeout: 8000 });

    const events = probe('event').map((e) => e.type);
    expect(events).to.include.members(['auth-login', 'auth-signed-in', 'auth-response', 'auth-signed-out']);
    expect(events.filter((type) => type === 'auth-signed-in')).to.have.length(2);
    expect(probe('violation'), JSON.stringify(probe('violation'))).to.deep.equal([]);
    expect(probe('error'), JSON.stringify(probe('error'))).to.deep.equal([]);
    // No auth-error at all (<auth-fetch auto> makes no request while signed out).
    const errors = probe('event').filter((e) => e.type === 'auth-error' || e.type === 'auth-login');
    expect(errors.map((e) => e.type === 'auth-error' ? JSON.parse(e.detail!).error : e.type)).to.deep.equal(['auth-login']);
  });
});
