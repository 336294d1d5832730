// Makes Stripe-Signature cases with Stripe's own Node SDK and records the SDK's
// verdict on each (stripe.webhooks.constructEvent, tolerance 300 s), so that
// `agencyos-billing-server webhook verify` can be held to the same decisions.
// Usage: node sdk-signature-cases.js  (prints JSON; needs the `stripe` package)
'use strict';
const Stripe = require('stripe');
const stripe = Stripe('sk_test_sdkconformance');

const secret = 'whsec_sdk/current';
const oldSecret = 'whsec_sdk/previous';
const now = Math.floor(Date.now() / 1000);
const payload = JSON.stringify({
  id: 'evt_sdk_1', object: 'event', type: 'invoice.payment_succeeded', created: now, livemode: false,
  data: { object: { id: 'in_1', object: 'invoice', amount_paid: 9900, currency: 'eur' } },
}, null, 2);

const header = (p, s, t) => stripe.webhooks.generateTestHeaderString({ payload: p, secret: s, timestamp: t });
const v1 = (h) => h.split(',').find((part) => part.startsWith('v1='));

const cases = [
  { name: 'valid', header: header(payload, secret, now), payload },
  { name: 'tampered body', header: header(payload, secret, now), payload: payload.replace('9900', '1') },
  { name: 're-serialised body', header: header(payload, secret, now), payload: JSON.stringify(JSON.parse(payload)) },
  { name: 'wrong secret', header: header(payload, 'whsec_someoneElse', now), payload },
  { name: 'stale', header: header(payload, secret, now - 600), payload },
  { name: 'just within tolerance', header: header(payload, secret, now - 290), payload },
  { name: 'rotated: old and new signatures',
    header: `t=${now},${v1(header(payload, oldSecret, now))},${v1(header(payload, secret, now))}`, payload },
  { name: 'rotated: only the old secret signed', header: header(payload, oldSecret, now), payload },
  { name: 'v0 only', header: `t=${now},v0=${v1(header(payload, secret, now)).slice(3)}`, payload },
  { name: 'malformed: no timestamp', header: v1(header(payload, secret, now)), payload },
  { name: 'malformed: garbage', header: 'garbage', payload },
  { name: 'malformed: empty', header: '', payload },
  { name: 'space before v1', header: header(payload, secret, now).replace(',v1=', ', v1='), payload },
  { name: 'trailing comma', header: `${header(payload, secret, now)},`, payload },
  { name: 'element without =', header: `${header(payload, secret, now)},junk`, payload },
  // Where the SDK is lax we are strict on purpose, and say so (README, Webhooks):
  { name: 'leading zero in t', header: header(payload, secret, now).replace('t=', 't=0'), payload,
    deliberate: 'a t that is not a plain number is refused; Stripe never sends one' },
  { name: 'timestamp far in the future', header: header(payload, secret, now + 3600), payload,
    deliberate: 'a t further ahead than the tolerance is refused; the SDKs check only the past' },
];

for (const c of cases) {
  c.secret = secret;
  c.at = now;
  try {
    stripe.webhooks.constructEvent(c.payload, c.header, secret, 300);
    c.sdkValid = true;
  } catch (error) {
    c.sdkValid = false;
    c.sdkError = error.message.split('\n')[0];
  }
}
process.stdout.write(JSON.stringify(cases));
