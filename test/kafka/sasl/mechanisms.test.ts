import { describe, expect, it } from 'vitest';
import { saslConversation, SaslMechanismError } from '../../../src/kafka/sasl/mechanisms.js';

describe('SASL conversations', () => {
  it('PLAIN sends an empty authzid, the user and the password, and is done on any answer', async () => {
    const plain = saslConversation({ mechanism: 'PLAIN', username: 'alice', password: 'pw' });
    expect((await plain.first()).toString('latin1')).toBe('\0alice\0pw');
    expect(plain.next(Buffer.alloc(0))).toBeUndefined();
  });

  it("OAUTHBEARER sends RFC 7628's client first message with the provider's token", async () => {
    const bearer = saslConversation({ mechanism: 'OAUTHBEARER', token: async () => 'eyJ.abc.def' });
    expect((await bearer.first()).toString('latin1')).toBe('n,,\x01auth=Bearer eyJ.abc.def\x01\x01');
    expect(bearer.next(Buffer.alloc(0))).toBeUndefined();
  });

  it("OAUTHBEARER names the status of the broker's JSON error", () => {
    const bearer = saslConversation({ mechanism: 'OAUTHBEARER', token: async () => 't' });
    expect(() => bearer.next(Buffer.from('{"status":"invalid_token"}'))).toThrow(new SaslMechanismError('the broker refused the token: status invalid_token'));
    expect(() => bearer.next(Buffer.from('garbage'))).toThrow('the broker refused the token: 7 bytes that are no JSON error');
  });

  it('SCRAM sends its first and final messages, then checks the server signature', async () => {
    const scram = saslConversation({ mechanism: 'SCRAM-SHA-256', username: 'user', password: 'pencil' });
    const first = (await scram.first()).toString();
    const nonce = /^n,,n=user,r=(.+)$/.exec(first)![1]!;
    const final = scram.next(Buffer.from(`r=${nonce}server,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`))!.toString();
    expect(final).toMatch(new RegExp(`^c=biws,r=${nonce.replace(/[+/]/g, '\\$&')}server,p=[A-Za-z0-9+/]{43}=$`));
    expect(() => scram.next(Buffer.from('v=AAAA'))).toThrow(SaslMechanismError);
  });
});
