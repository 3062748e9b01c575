import { describe, expect, it } from 'vitest';
import { ScramClient, ScramError, saslName } from '../../../src/kafka/sasl/scram.js';

// RFC 7677 section 3: the SCRAM-SHA-256 exchange for user "user", password "pencil".
const RFC7677 = {
  clientNonce: 'rOprNGfwEbeRWgbNEkqO',
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

describe('ScramClient', () => {
  it("produces RFC 7677's client messages and accepts its server signature", () => {
    const client = new ScramClient('sha256', 'user', 'pencil', RFC7677.clientNonce);
    expect(client.first()).toBe(RFC7677.clientFirst);
    expect(client.final(RFC7677.serverFirst)).toBe(RFC7677.clientFinal);
    expect(() => client.verify(RFC7677.serverFinal)).not.toThrow();
  });

  it('rejects a server signature made without the password', () => {
    const client = new ScramClient('sha256', 'user', 'pencil', RFC7677.clientNonce);
    client.final(RFC7677.serverFirst);
    expect(() => client.verify('v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')).toThrow(/signature is wrong/);
  });

  it('a wrong password gives another proof', () => {
    const client = new ScramClient('sha256', 'user', 'pencil2', RFC7677.clientNonce);
    expect(client.final(RFC7677.serverFirst)).not.toBe(RFC7677.clientFinal);
  });

  it('refuses a server nonce that does not extend its own, and a server error', () => {
    const client = new ScramClient('sha512', 'user', 'pencil', 'abc');
    expect(() => client.final('r=xyz123,s=c2FsdA==,i=4096')).toThrow(ScramError);
    expect(() => client.final('r=abc,s=c2FsdA==,i=4096')).toThrow(/does not extend/);
    expect(() => client.final('e=unknown-user')).toThrow(/refused: unknown-user/);
    expect(() => client.final('r=abcdef,s=c2FsdA==')).toThrow(/iteration count/);
  });

  it('SHA-512 proofs are 64 bytes and the server signature it expects verifies', () => {
    const client = new ScramClient('sha512', 'user', 'pencil', 'abc');
    const final = client.final('r=abcdef,s=c2FsdA==,i=4096');
    expect(Buffer.from(/,p=(.*)$/.exec(final)![1]!, 'base64')).toHaveLength(64);
    expect(() => client.verify('v=' + Buffer.alloc(64).toString('base64'))).toThrow(/signature is wrong/);
  });

  it('escapes , and = in user names', () => {
    expect(saslName('a,b=c')).toBe('a=2Cb=3Dc');
    expect(new ScramClient('sha256', 'a,b', 'p', 'n').first()).toBe('n,,n=a=2Cb,r=n');
  });
});
