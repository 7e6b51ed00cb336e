// The phone lists (opt-outs, opt-ins) hold normalized numbers only: a batch with anything else adds nothing.
const E164 = /^\+[1-9]\d{5,14}$/;

export function checkE164(phones: readonly string[]): void {
  const bad = phones.find((p) => !E164.test(p));
  if (bad !== undefined) throw new Error(`not an E.164 phone number: "${bad}" (normalize it first)`);
}
