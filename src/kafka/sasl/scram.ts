/**
 * The client side of SCRAM (RFC 5802) with SHA-256 and SHA-512 (RFC 7677), as Kafka speaks it: no
 * channel binding (gs2 header "n,,"), no authorization identity. Pure message logic over
 * node:crypto; the nonce comes from the caller so the RFC's test vectors can be checked.
 *
 * The password is used as its UTF-8 bytes, as Kafka's own client and broker do (no SASLprep), so a
 * user made with kafka-configs or `--add-scram` authenticates whatever characters it has.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export type ScramHash = 'sha256' | 'sha512';

/** The SCRAM exchange went wrong: the server's message is malformed, its signature false, or it sent an error. */
export class ScramError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScramError';
  }
}

/** A user name as a SCRAM saslname: ',' and '=' escaped (RFC 5802 section 5.1). */
export function saslName(username: string): string {
  return username.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** A printable nonce without ',' (base64 has none). */
export function scramNonce(): string {
  return randomBytes(24).toString('base64');
}

function attributes(message: string, what: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of message.split(',')) {
    const match = /^([A-Za-z])=(.*)$/s.exec(part);
    if (!match) throw new ScramError(`the server's ${what} is malformed`);
    if (!map.has(match[1]!)) map.set(match[1]!, match[2]!);
  }
  return map;
}

/**
 * One SCRAM conversation. `first()` gives the client-first message; `final(serverFirst)` the
 * client-final message; `verify(serverFinal)` throws unless the server proved it knows the password.
 */
export class ScramClient {
  private readonly clientFirstBare: string;
  private serverSignature: Buffer | undefined;

  constructor(
    private readonly hash: ScramHash,
    username: string,
    private readonly password: string,
    private readonly nonce: string = scramNonce(),
  ) {
    this.clientFirstBare = `n=${saslName(username)},r=${nonce}`;
  }

  first(): string {
    return `n,,${this.clientFirstBare}`;
  }

  final(serverFirst: string): string {
    const attrs = attributes(serverFirst, 'first message');
    const error = attrs.get('e');
    if (error !== undefined) throw new ScramError(`the server refused: ${error}`);
    const nonce = attrs.get('r');
    const salt = attrs.get('s');
    const iterations = Number(attrs.get('i'));
    if (!nonce || !salt || !Number.isInteger(iterations) || iterations < 1) throw new ScramError("the server's first message lacks its nonce, salt or iteration count");
    // The server extends our nonce; another one would be a replay or a different conversation.
    if (!nonce.startsWith(this.nonce) || nonce.length === this.nonce.length) throw new ScramError("the server's nonce does not extend the client's");
    const keyLength = this.hash === 'sha256' ? 32 : 64;
    const saltedPassword = pbkdf2Sync(Buffer.from(this.password, 'utf8'), Buffer.from(salt, 'base64'), iterations, keyLength, this.hash);
    const clientKey = this.hmac(saltedPassword, 'Client Key');
    const storedKey = createHash(this.hash).update(clientKey).digest();
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const clientSignature = this.hmac(storedKey, authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ clientSignature[i]!;
    this.serverSignature = this.hmac(this.hmac(saltedPassword, 'Server Key'), authMessage);
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  verify(serverFinal: string): void {
    const attrs = attributes(serverFinal, 'final message');
    const error = attrs.get('e');
    if (error !== undefined) throw new ScramError(`the server refused: ${error}`);
    const signature = Buffer.from(attrs.get('v') ?? '', 'base64');
    if (!this.serverSignature) throw new ScramError('verify() before final()');
    if (signature.length !== this.serverSignature.length || !timingSafeEqual(signature, this.serverSignature)) {
      throw new ScramError("the server's signature is wrong: it does not know this user's credentials");
    }
  }

  private hmac(key: Buffer, text: string): Buffer {
    return createHmac(this.hash, key).update(text, 'utf8').digest();
  }
}
