// The signed-out page of target (a) as a bundler user's app has it: the three tags it uses, each from its own entry
// point (package.json `exports`: auth-elements/auth-login, …), nothing else (scripts/bench/sizes.mjs SIGNED_OUT_APP).
import 'auth-elements/auth-login';
import 'auth-elements/auth-callback';
import 'auth-elements/auth-fetch';
